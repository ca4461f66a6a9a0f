-- The VRM index: one row per distinct normalised VRM with its skeleton, each character replaced
-- by the first member of its OCR confusion class (docs/vrm-search.md; CONFUSIONS in
-- crates/anpr-core/src/search/fuzzy.rs computes it, the one definition). A misread-tolerant
-- search looks up a handful of skeletons here instead of scanning the reads, then joins the
-- matching VRMs to the reads through reads_vrm_time.
--
-- Import adds each batch's distinct VRMs and a correction its new VRM (store::vrm_index::add);
-- store::open fills the index from the reads of a store that had none (before this
-- migration). The triggers drop a VRM once no read has it: after a correction (7.3.1) or a
-- deletion (retention, 9.7). Searches join to the reads, so a stale row would only cost a lookup.
CREATE TABLE vrm_index (
    vrm      TEXT PRIMARY KEY,
    skeleton TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX vrm_index_skeleton ON vrm_index(skeleton);

CREATE TRIGGER vrm_index_corrected AFTER UPDATE OF vrm ON reads WHEN OLD.vrm IS NOT NEW.vrm AND OLD.vrm IS NOT NULL
BEGIN
    DELETE FROM vrm_index WHERE vrm = OLD.vrm AND NOT EXISTS (SELECT 1 FROM reads WHERE vrm = OLD.vrm);
END;

CREATE TRIGGER vrm_index_deleted AFTER DELETE ON reads WHEN OLD.vrm IS NOT NULL
BEGIN
    DELETE FROM vrm_index WHERE vrm = OLD.vrm AND NOT EXISTS (SELECT 1 FROM reads WHERE vrm = OLD.vrm);
END;
