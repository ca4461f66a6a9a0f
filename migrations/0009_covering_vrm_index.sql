-- Searches by VRM count their matches through reads_vrm_time; the read filter also needs each
-- read's camera (restricted cameras, NASPLE 8.8). With the camera in the index the count reads
-- index pages only, never the reads table: in an encrypted store every page read from disk
-- costs a decryption (docs/vrm-search.md, "Encrypted store").
DROP INDEX reads_vrm_time;
CREATE INDEX reads_vrm_time ON reads(vrm, read_time, camera) WHERE vrm IS NOT NULL;
