-- Evidence: controller consents to describe camera locations above level 1 (9.4.3), evidence
-- packages and their exhibits, and the record of every disclosure (9.4.3.7, 9.10.5).

CREATE TABLE consents (
    id            INTEGER PRIMARY KEY,
    reference     TEXT NOT NULL UNIQUE,
    camera        INTEGER NOT NULL REFERENCES cameras(id),
    controller    TEXT NOT NULL,
    consented_by  TEXT NOT NULL,
    consent_date  INTEGER NOT NULL,
    scope         TEXT NOT NULL,
    max_level     TEXT NOT NULL CHECK (max_level IN ('area', 'postcode', 'road', 'precise')),
    recorded_by   INTEGER NOT NULL REFERENCES users(id),
    recorded_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX consents_camera ON consents(camera);

CREATE TABLE packages (
    id            INTEGER PRIMARY KEY,
    investigation INTEGER NOT NULL REFERENCES investigations(id),
    number        TEXT NOT NULL UNIQUE,
    status        TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'issued')),
    created_by    INTEGER NOT NULL REFERENCES users(id),
    created_at    INTEGER NOT NULL
) STRICT;

-- An exhibit's read is retained under CPIA for the investigation while it is one (9.8).
CREATE TABLE exhibits (
    id        INTEGER PRIMARY KEY,
    package   INTEGER NOT NULL REFERENCES packages(id),
    read      INTEGER NOT NULL REFERENCES reads(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    UNIQUE (package, read)
) STRICT;
CREATE INDEX exhibits_package ON exhibits(package, position);

CREATE TABLE disclosures (
    id              INTEGER PRIMARY KEY,
    reference       TEXT NOT NULL UNIQUE,
    package         INTEGER NOT NULL REFERENCES packages(id),
    disclosed_by    INTEGER NOT NULL REFERENCES users(id),
    recipient       TEXT NOT NULL,
    reason          TEXT NOT NULL,
    authority       TEXT,
    level           TEXT NOT NULL,
    exhibits        INTEGER NOT NULL,
    at              INTEGER NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    out_dir         TEXT NOT NULL
) STRICT;
