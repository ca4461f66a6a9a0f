-- Casework: investigations and escalations (Annex B, 9.10.4), written authorities for searches
-- (Annex C), Restricted Access designations and grants (8.8), local retention (8.9, 9.8) and
-- record corrections (7.3.1, 9.7). Times are UTC milliseconds.

CREATE TABLE investigations (
    id          INTEGER PRIMARY KEY,
    reference   TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    offence     TEXT NOT NULL,
    category    TEXT NOT NULL CHECK (category IN ('priority_volume', 'serious', 'major', 'national_security', 'counter_terrorism')),
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    sio         TEXT NOT NULL,
    notes       TEXT NOT NULL DEFAULT '',
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL
) STRICT;

-- Never updated or deleted: the record of who authorised an escalation and why (9.10.4).
CREATE TABLE escalations (
    id               INTEGER PRIMARY KEY,
    investigation    INTEGER NOT NULL REFERENCES investigations(id),
    from_category    TEXT NOT NULL,
    to_category      TEXT NOT NULL,
    authorised_by    INTEGER NOT NULL REFERENCES users(id),
    rank             TEXT NOT NULL,
    reasons          TEXT NOT NULL,
    factor_community TEXT NOT NULL,
    factor_offence   TEXT NOT NULL,
    factor_offender  TEXT NOT NULL,
    at               INTEGER NOT NULL
) STRICT;
CREATE INDEX escalations_investigation ON escalations(investigation);

-- A request for a search Annex C allows only with written authority, and its decision.
CREATE TABLE authorities (
    id            INTEGER PRIMARY KEY,
    reference     TEXT NOT NULL UNIQUE,
    investigation INTEGER NOT NULL REFERENCES investigations(id),
    purpose       TEXT NOT NULL,
    period_from   INTEGER NOT NULL,
    period_to     INTEGER NOT NULL,
    reason_code   TEXT CHECK (reason_code IN ('a', 'b', 'c')),
    reason        TEXT NOT NULL,
    requested_by  INTEGER NOT NULL REFERENCES users(id),
    requested_at  INTEGER NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'declined')),
    decided_by    INTEGER REFERENCES users(id),
    decided_rank  TEXT,
    decided_at    INTEGER,
    note          TEXT
) STRICT;
CREATE INDEX authorities_status ON authorities(status, requested_at);

-- Designations of Restricted Access cameras (8.8); kept for the restriction plus 2 years.
CREATE TABLE camera_restrictions (
    id            INTEGER PRIMARY KEY,
    camera        INTEGER NOT NULL REFERENCES cameras(id),
    authorised_by TEXT NOT NULL,   -- the senior manager
    reference     TEXT NOT NULL,
    recorded_by   INTEGER NOT NULL REFERENCES users(id),
    from_at       INTEGER NOT NULL,
    until_at      INTEGER          -- set when the restriction is lifted
) STRICT;
CREATE INDEX camera_restrictions_camera ON camera_restrictions(camera);

CREATE TABLE camera_grants (
    id            INTEGER PRIMARY KEY,
    camera        INTEGER NOT NULL REFERENCES cameras(id),
    user_id       INTEGER NOT NULL REFERENCES users(id),
    authorised_by TEXT NOT NULL,
    reference     TEXT NOT NULL,
    granted_by    INTEGER NOT NULL REFERENCES users(id),
    granted_at    INTEGER NOT NULL,
    revoked_at    INTEGER
) STRICT;
CREATE INDEX camera_grants_user ON camera_grants(user_id) WHERE revoked_at IS NULL;

-- Reads kept beyond the workstation's 7 days (9.8): CPIA for an investigation, or MOPI.
CREATE TABLE retentions (
    id            INTEGER PRIMARY KEY,
    read          INTEGER NOT NULL REFERENCES reads(id) ON DELETE CASCADE,
    basis         TEXT NOT NULL CHECK (basis IN ('cpia', 'mopi')),
    investigation INTEGER REFERENCES investigations(id),
    reviewer      INTEGER NOT NULL REFERENCES users(id),
    reason        TEXT NOT NULL,
    at            INTEGER NOT NULL,
    UNIQUE (read, basis, investigation),
    CHECK ((basis = 'cpia') = (investigation IS NOT NULL))
) STRICT;
CREATE INDEX retentions_investigation ON retentions(investigation, read);

-- Images whose last read was deleted by retention, and when they may go (9.5.1: images the
-- day after the metadata). Removed only if still unreferenced then.
CREATE TABLE image_deletions (
    image  INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
    due_at INTEGER NOT NULL
) STRICT;

-- Corrections keep the original (7.3.1, 9.7). `read` is kept as text: a deleted read's
-- correction outlives it.
CREATE TABLE corrections (
    id            INTEGER PRIMARY KEY,
    read_id       TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('vrm', 'delete')),
    original_vrm  TEXT NOT NULL,
    corrected_vrm TEXT,
    reason        TEXT NOT NULL,
    by_user       INTEGER NOT NULL REFERENCES users(id),
    at            INTEGER NOT NULL,
    read_time     INTEGER NOT NULL,  -- the read's capture and entry times: the record goes
    entered_at    INTEGER NOT NULL,  -- when retention would have taken the read
    original      TEXT NOT NULL    -- JSON of the read as it was
) STRICT;
CREATE INDEX corrections_read ON corrections(read_id);

-- Retention finds reads by time of entry.
CREATE INDEX reads_entered ON reads(entered_at);

CREATE TABLE retention_runs (
    id      INTEGER PRIMARY KEY,
    as_of   INTEGER NOT NULL,
    report  TEXT NOT NULL   -- JSON RetentionReport
) STRICT;
