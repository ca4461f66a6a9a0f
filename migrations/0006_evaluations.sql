-- Camera performance evaluations (NASPLE 8.14) and their log (8.14.6): the record of each
-- evaluation, the engineer's marks from its video, the camera's read log it is scored against,
-- and every scoring with its verdict (7.4.7's 30 days run from a failing one). Nothing here is
-- ever deleted except a mark the engineer deletes while marking. Times are UTC milliseconds.

CREATE TABLE evaluations (
    id               INTEGER PRIMARY KEY,
    camera_id        TEXT NOT NULL,               -- as in the read log
    camera           INTEGER REFERENCES cameras(id), -- the register entry, when the camera is in it
    system_type      TEXT NOT NULL CHECK (system_type IN ('static', 'moveable', 'multi_lane', 'cctv', 'mobile', 'covert')),
    direction        TEXT CHECK (direction IN ('towards', 'away')),   -- multi-lane (8.7.3)
    moving           INTEGER NOT NULL DEFAULT 0,                       -- mobile in a moving vehicle (8.7.5)
    lanes            INTEGER NOT NULL CHECK (lanes >= 1),
    condition        TEXT NOT NULL CHECK (condition IN ('day', 'night', 'dawn', 'dusk', 'overcast')),
    evaluated_on     TEXT NOT NULL,               -- YYYY-MM-DD, UK date
    engineer         TEXT NOT NULL,
    reason           TEXT NOT NULL CHECK (reason IN ('installation', 'redeployment', 'annual_review', 'six_monthly_check')),
    covert_exemption TEXT,                        -- 8.14.5 note, when testing would compromise a covert camera
    notes            TEXT NOT NULL DEFAULT '',
    video_path       TEXT NOT NULL,
    video_sha256     TEXT NOT NULL,
    video_frames     INTEGER NOT NULL,
    video_fps        REAL NOT NULL,
    video_ms         INTEGER NOT NULL,            -- duration
    clock_start      INTEGER NOT NULL,            -- the video clock at its first frame
    clock_source     TEXT NOT NULL CHECK (clock_source IN ('file', 'entered')),
    reaction_ms      INTEGER NOT NULL DEFAULT 0,  -- subtracted from a mark made at a key press
    offset_ms        INTEGER NOT NULL DEFAULT 0,  -- camera clock minus video clock
    window_ms        INTEGER NOT NULL DEFAULT 2000,
    read_log_source  TEXT,                        -- 'file <path> sha256 <hash>' or 'store <from>..<to>'
    created_by       INTEGER NOT NULL REFERENCES users(id),
    created_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX evaluations_camera ON evaluations(camera_id, evaluated_on);

-- A vehicle the engineer marked crossing the read line (evaluation.md ground truth).
CREATE TABLE evaluation_marks (
    id          INTEGER PRIMARY KEY,
    evaluation  INTEGER NOT NULL REFERENCES evaluations(id),
    lane        INTEGER NOT NULL CHECK (lane >= 1),
    video_ms    INTEGER NOT NULL CHECK (video_ms >= 0), -- from the video's first frame
    vrm         TEXT NOT NULL DEFAULT '',               -- as the human reads it; '' unreadable
    visible     INTEGER NOT NULL DEFAULT 1,
    condition   TEXT CHECK (condition IN ('day', 'night', 'dawn', 'dusk', 'overcast')),
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX evaluation_marks_evaluation ON evaluation_marks(evaluation, video_ms);

-- The camera's reads the evaluation is scored against (a copy: the store's reads are deleted
-- at 12 months, the evaluation log is kept, 8.14.6).
CREATE TABLE evaluation_reads (
    id          INTEGER PRIMARY KEY,
    evaluation  INTEGER NOT NULL REFERENCES evaluations(id),
    read_id     TEXT NOT NULL,
    vrm_as_read TEXT NOT NULL,
    read_time   INTEGER NOT NULL,
    lane        INTEGER,
    confidence  REAL
) STRICT;
CREATE INDEX evaluation_reads_evaluation ON evaluation_reads(evaluation);

-- Every scoring, kept: the report as the scorer made it (JSON of anpr-types EvaluationReport).
CREATE TABLE evaluation_results (
    id              INTEGER PRIMARY KEY,
    evaluation      INTEGER NOT NULL REFERENCES evaluations(id),
    verdict         TEXT NOT NULL CHECK (verdict IN ('pass', 'fail', 'insufficient_sample')),
    remediation_due TEXT,                          -- YYYY-MM-DD, 30 days after a failure (7.4.7)
    report          TEXT NOT NULL,
    scored_by       INTEGER NOT NULL REFERENCES users(id),
    scored_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX evaluation_results_evaluation ON evaluation_results(evaluation, id);
