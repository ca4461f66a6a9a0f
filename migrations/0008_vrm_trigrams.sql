-- Trigram postings of the distinct VRMs (vrm_index): an infix wildcard such as *12C* has no
-- literal prefix, so without these it compares the pattern with every distinct VRM, and a
-- force's 10 million reads hold hundreds of thousands of them. With them it looks up the
-- pattern's trigrams and compares only the VRMs holding all of them (docs/vrm-search.md,
-- cargo xtask bench search).
--
-- store::vrm_index::add writes a new VRM's trigrams (computed in Rust, any length); store::open
-- fills them for a store indexed before this migration. A VRM's trigrams go with it.
CREATE TABLE vrm_trigrams (
    trigram TEXT NOT NULL,
    vrm     TEXT NOT NULL REFERENCES vrm_index(vrm) ON DELETE CASCADE,
    PRIMARY KEY (trigram, vrm)
) STRICT, WITHOUT ROWID;
CREATE INDEX vrm_trigrams_vrm ON vrm_trigrams(vrm);
