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

-- A search by VRM counts its matches and sorts them by time, then shows a page: with the
-- camera in the index (for the 8.8 visibility test) both are answered from the index alone,
-- and only the page's reads are fetched. A wildcard matching a few hundred VRMs of a 10M-read
-- store took about a fifth of the time (measured with the bench's queries). Rebuilding it
-- takes about 20 s per 10 million reads, once, when a store is upgraded.
DROP INDEX reads_vrm_time;
CREATE INDEX reads_vrm_time ON reads(vrm, read_time, camera) WHERE vrm IS NOT NULL;
