-- The VRM index: one row per distinct normalised VRM with its skeleton, each character replaced
-- by the first member of its OCR confusion class (docs/vrm-search.md; the same table is
-- CONFUSIONS in crates/anpr-core/src/search/fuzzy.rs, and a test checks they agree). A
-- misread-tolerant search looks up a handful of skeletons here instead of scanning the reads,
-- then joins the matching VRMs to the reads through reads_vrm_time.
--
-- Import adds each batch's distinct VRMs (store::reads::insert_many); the triggers below keep
-- the index tidy when a correction changes a VRM (7.3.1) or a read is deleted (retention,
-- 9.7). A row whose reads are gone would only cost a lookup, as searches join to the reads.
CREATE TABLE vrm_index (
    vrm      TEXT PRIMARY KEY,
    skeleton TEXT NOT NULL GENERATED ALWAYS AS (
        replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
        replace(replace(replace(replace(replace(vrm,
            'O', '0'), 'D', '0'), 'Q', '0'), 'I', '1'), 'L', '1'), 'T', '1'), '7', '1'), 'Z', '2'), 'A', '4'),
            'S', '5'), 'G', '6'), 'B', '8'), 'F', 'E'), 'X', 'K'), 'M', 'H'), 'N', 'H'), 'R', 'P'), 'V', 'U')
    ) STORED
) STRICT, WITHOUT ROWID;
CREATE INDEX vrm_index_skeleton ON vrm_index(skeleton);

INSERT INTO vrm_index(vrm) SELECT DISTINCT vrm FROM reads WHERE vrm IS NOT NULL;

CREATE TRIGGER vrm_index_corrected AFTER UPDATE OF vrm ON reads WHEN OLD.vrm IS NOT NEW.vrm
BEGIN
    INSERT OR IGNORE INTO vrm_index(vrm) SELECT NEW.vrm WHERE NEW.vrm IS NOT NULL;
    DELETE FROM vrm_index WHERE vrm = OLD.vrm AND NOT EXISTS (SELECT 1 FROM reads WHERE vrm = OLD.vrm);
END;

CREATE TRIGGER vrm_index_deleted AFTER DELETE ON reads WHEN OLD.vrm IS NOT NULL
BEGIN
    DELETE FROM vrm_index WHERE vrm = OLD.vrm AND NOT EXISTS (SELECT 1 FROM reads WHERE vrm = OLD.vrm);
END;
