//! The store check (NASPLE 8.9.3, no data loss; 8.11.4): SQLite's integrity check, the audit
//! hash chain, and the blob folder against the image records (no image record without its
//! file, no file without its record), with the row counts that let a caller compare the store
//! with what it was before and after an operation (`cargo xtask crash-test`).

use crate::audit::{self, Outcome};
use crate::blobs::is_sha256_hex;
use crate::error::{Error, Result};
use crate::policy::roles::Privilege;
use crate::session::Session;
use crate::{Workstation, store};
use anpr_types::AuditVerification;
use serde::Serialize;
use serde_json::json;
use sqlx::SqliteConnection;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What the check found. `ok()` when every part is clean.
#[derive(Debug, Clone, Serialize)]
pub struct StoreCheck {
    /// `PRAGMA integrity_check`'s rows: exactly `["ok"]` for a sound database file.
    pub integrity: Vec<String>,
    pub audit: AuditVerification,
    /// Row counts by table (see `store::check::counts`).
    pub counts: BTreeMap<String, i64>,
    /// Blob files present in `blobs/`.
    pub blob_files: u64,
    /// Files in `blobs/` no image record refers to.
    pub orphan_blobs: Vec<String>,
    /// Image records whose file is not in `blobs/`.
    pub missing_blobs: Vec<String>,
    /// Partial writes left in `blobs/tmp/` and files that are not blobs at all.
    pub stray_files: Vec<String>,
}

impl StoreCheck {
    pub fn ok(&self) -> bool {
        self.integrity == ["ok"]
            && self.audit.ok
            && self.orphan_blobs.is_empty()
            && self.missing_blobs.is_empty()
            && self.stray_files.is_empty()
    }

    /// One line per problem found, for people.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.integrity != ["ok"] {
            problems.push(format!("integrity_check: {}", self.integrity.join("; ")));
        }
        if !self.audit.ok {
            problems.push(format!(
                "audit chain broken at entry {}: {}",
                self.audit.first_broken.unwrap_or_default(),
                self.audit.reason.as_deref().unwrap_or("")
            ));
        }
        for (what, list) in [
            ("orphan blob (no image record)", &self.orphan_blobs),
            ("missing blob (image record without its file)", &self.missing_blobs),
            ("stray file in blobs/", &self.stray_files),
        ] {
            problems.extend(list.iter().map(|name| format!("{what}: {name}")));
        }
        problems
    }
}

/// The files under `blobs/`: blobs by hash, and anything else (partial writes, strays).
#[derive(Debug, Default)]
pub(crate) struct BlobFolder {
    pub blobs: BTreeSet<String>,
    /// Paths relative to `blobs/`.
    pub strays: Vec<String>,
}

/// Lists `blobs/`: `ab/<sha256 starting ab>` is a blob, the `tmp/` folder is expected (empty
/// when no write is under way), anything else is a stray.
pub(crate) fn scan_blobs(root: &Path) -> Result<BlobFolder> {
    let io = |e| Error::io(format!("listing {}", root.display()), e);
    let mut folder = BlobFolder::default();
    for entry in std::fs::read_dir(root).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_fan_out = name.len() == 2 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !entry.file_type().map_err(io)?.is_dir() || !(is_fan_out || name == "tmp") {
            folder.strays.push(name);
            continue;
        }
        for file in std::fs::read_dir(entry.path()).map_err(io)? {
            let file = file.map_err(io)?.file_name().to_string_lossy().into_owned();
            if is_fan_out && is_sha256_hex(&file) && file.starts_with(&name) {
                folder.blobs.insert(file);
            } else {
                folder.strays.push(format!("{name}/{file}"));
            }
        }
    }
    folder.strays.sort();
    Ok(folder)
}

impl Workstation {
    /// Checks the store as it is now; read-only (a read transaction sees one consistent
    /// state). Blob files are listed after the records are read: a file written meanwhile by
    /// another process shows as an orphan, so check a store nothing else is writing to.
    pub async fn check_store(&self) -> Result<StoreCheck> {
        let mut tx = self.pool.begin().await?;
        let integrity = store::check::integrity(&mut tx).await?;
        let audit = audit::verify(&mut tx).await?;
        let counts = store::check::counts(&mut tx).await?.into_iter().collect();
        let recorded: BTreeSet<String> = store::check::image_hashes(&mut tx).await?.into_iter().collect();
        tx.commit().await?;
        let folder = scan_blobs(self.blobs.root())?;
        Ok(StoreCheck {
            integrity,
            audit,
            counts,
            blob_files: folder.blobs.len() as u64,
            orphan_blobs: folder.blobs.difference(&recorded).cloned().collect(),
            missing_blobs: recorded.difference(&folder.blobs).cloned().collect(),
            stray_files: folder.strays,
        })
    }
}

impl Workstation {
    /// Removes blob files no image record refers to, and partial writes: what an import killed
    /// or cancelled before its commit, or a retention run killed between its commit and its
    /// file removals, leaves behind (files only: no record ever pointed at them). `conn` must
    /// hold the write lock (`store::begin_write`): every blob is written inside an import's
    /// write transaction, so no other writer can be between storing a file and recording it.
    /// Returns how many files went.
    pub(crate) async fn remove_orphan_blobs(&self, conn: &mut SqliteConnection) -> Result<u64> {
        let recorded: BTreeSet<String> = store::check::image_hashes(conn).await?.into_iter().collect();
        let folder = scan_blobs(self.blobs.root())?;
        let mut removed = 0;
        for sha in folder.blobs.difference(&recorded) {
            self.blobs.remove(sha)?;
            removed += 1;
        }
        for stray in folder.strays.iter().filter(|s| s.starts_with("tmp/") && s.ends_with(".part")) {
            let path = self.blobs.root().join(stray);
            std::fs::remove_file(&path).map_err(|e| Error::io(format!("removing {}", path.display()), e))?;
            removed += 1;
        }
        Ok(removed)
    }
}

impl Session {
    /// `anpr check`: the store check, for auditors (it reads the audit trail, 8.11.4); audited
    /// after the check, so the counts reported are the store's before this entry.
    pub async fn check_store(&self) -> Result<StoreCheck> {
        self.authorise(Privilege::Audit, "store.check", "store").await?;
        let report = self.workstation().check_store().await?;
        let outcome = if report.ok() { Outcome::Success } else { Outcome::Failed };
        let details = json!({ "problems": report.problems().len(), "blob_files": report.blob_files });
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        self.audit(&mut tx, "store.check", "store", outcome, details).await?;
        tx.commit().await?;
        Ok(report)
    }
}
