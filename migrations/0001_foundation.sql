-- ANPR Workstation store, foundation schema.
-- Times are INTEGER milliseconds since the Unix epoch, UTC (NASPLE 7.4.3: stored in UTC).
-- Sized for ~10 million reads on a laptop: reads rows are narrow (integer keys to cameras,
-- images and imports) and every index serves a query the product runs.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

-- The roles an account can hold (9.3.6.2). What each role may do is policy code
-- (anpr-core policy/roles.rs, with its clauses), not data an administrator could widen.
CREATE TABLE roles (
    name        TEXT PRIMARY KEY NOT NULL,
    description TEXT NOT NULL
) STRICT;

INSERT INTO roles VALUES
 ('investigator',     'Investigator: searches and analyses reads for an investigation'),
 ('evidence_officer', 'Evidence officer: searches, prepares and discloses court bundles'),
 ('engineer',         'Installation engineer: cameras and performance evaluations'),
 ('administrator',    'Administrator: accounts, cameras and grants; no data search (9.3.2)'),
 ('auditor',          'Auditor: reads and exports the audit trail');

CREATE TABLE users (
    id               INTEGER PRIMARY KEY,
    username         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    full_name        TEXT NOT NULL,
    role             TEXT NOT NULL REFERENCES roles(name),
    rank             TEXT NOT NULL DEFAULT 'none' CHECK (rank IN ('none', 'inspector', 'superintendent')),
    password_hash    TEXT NOT NULL,              -- Argon2id PHC string (App. A 11)
    password_set_at  INTEGER NOT NULL,
    must_change      INTEGER NOT NULL DEFAULT 1, -- temporary password (App. A 13)
    failed_attempts  INTEGER NOT NULL DEFAULT 0,
    locked           INTEGER NOT NULL DEFAULT 0, -- 5 failures (App. A 12)
    suspended        INTEGER NOT NULL DEFAULT 0, -- unused for 90 days or by an administrator (9.3.2)
    last_login_at    INTEGER,
    created_at       INTEGER NOT NULL
) STRICT;

-- Previous passwords, so none of the last 10 is reused (App. A).
CREATE TABLE password_history (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    password_hash TEXT NOT NULL,
    set_at        INTEGER NOT NULL
) STRICT;
CREATE INDEX password_history_user ON password_history(user_id, set_at);

CREATE TABLE imports (
    id              INTEGER PRIMARY KEY,
    bundle_path     TEXT NOT NULL,
    bundle_sha256   TEXT NOT NULL,
    source          TEXT,              -- manifest "source", when given
    user_id         INTEGER NOT NULL REFERENCES users(id),
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER NOT NULL,
    reads_accepted  INTEGER NOT NULL,
    reads_duplicate INTEGER NOT NULL,
    reads_rejected  INTEGER NOT NULL,
    images_stored   INTEGER NOT NULL,
    images_rejected INTEGER NOT NULL,
    cameras_added   INTEGER NOT NULL
) STRICT;

CREATE TABLE cameras (
    id           INTEGER PRIMARY KEY,
    camera_id    TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    system_type  TEXT NOT NULL CHECK (system_type IN ('static', 'moveable', 'multi_lane', 'cctv', 'mobile', 'covert')),
    latitude     REAL NOT NULL,
    longitude    REAL NOT NULL,
    general_area TEXT NOT NULL,  -- disclosure level 1 (9.4.3.3)
    postcode     TEXT,           -- level 2
    road         TEXT,           -- level 3
    controller   TEXT NOT NULL,  -- consents to disclosure (9.4.3)
    restricted   INTEGER NOT NULL DEFAULT 0,  -- Restricted Access camera (8.8)
    lanes        INTEGER NOT NULL DEFAULT 1 CHECK (lanes >= 1),
    has_imagery  INTEGER NOT NULL DEFAULT 1,
    import_id    INTEGER REFERENCES imports(id),
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX cameras_area ON cameras(general_area);

-- Images are evidence: stored once by SHA-256 in blobs/, never re-encoded. A thumbnail is a
-- derived image (derived_from set) and is never used as evidence.
CREATE TABLE images (
    id           INTEGER PRIMARY KEY,
    sha256       TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL CHECK (kind IN ('plate_patch', 'overview', 'thumbnail')),
    format       TEXT NOT NULL CHECK (format IN ('jpeg', 'png')),
    bytes        INTEGER NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    derived_from INTEGER REFERENCES images(id),
    oversized    INTEGER NOT NULL DEFAULT 0   -- flagged for the camera to be fixed (7.4.5)
) STRICT;
CREATE INDEX images_derived ON images(derived_from) WHERE derived_from IS NOT NULL;

CREATE TABLE reads (
    id             INTEGER PRIMARY KEY,
    read_id        TEXT NOT NULL UNIQUE,      -- the source's id; re-import is idempotent
    vrm_as_read    TEXT NOT NULL,             -- exactly as the camera read it ('' when not read)
    vrm            TEXT,                      -- normalised for search; NULL when not read (7.4.2)
    not_read       INTEGER NOT NULL,
    read_time      INTEGER NOT NULL,          -- UTC ms
    camera         INTEGER NOT NULL REFERENCES cameras(id),
    latitude       REAL NOT NULL,
    longitude      REAL NOT NULL,
    lane           INTEGER,
    direction      TEXT CHECK (direction IN ('towards', 'away')),
    confidence     REAL,
    plate_image    INTEGER REFERENCES images(id),
    overview_image INTEGER REFERENCES images(id),
    import_id      INTEGER NOT NULL REFERENCES imports(id),
    entered_at     INTEGER NOT NULL
) STRICT;
-- VRM lookups in a period; journeys (vrm, time order).
CREATE INDEX reads_vrm_time ON reads(vrm, read_time) WHERE vrm IS NOT NULL;
-- Period scans, newest reads, retention by age.
CREATE INDEX reads_time ON reads(read_time);
-- Camera-and-period queries (stakeout, convoy, evaluation read logs).
CREATE INDEX reads_camera_time ON reads(camera, read_time);

-- Append-only, hash-chained audit trail (8.11.4, 9.10). Each hash covers a canonical
-- encoding of the entry and the previous hash; triggers refuse edits so that only a
-- deliberate bypass can alter it, and `verify` finds that.
CREATE TABLE audit (
    seq           INTEGER PRIMARY KEY,
    time          INTEGER NOT NULL,
    user          TEXT NOT NULL,
    action        TEXT NOT NULL,
    object        TEXT NOT NULL,
    justification TEXT,
    authority     TEXT,
    outcome       TEXT NOT NULL,
    details       TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
) STRICT;
CREATE INDEX audit_time ON audit(time);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only (NASPLE 8.11.4)'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only (NASPLE 8.11.4)'); END;
