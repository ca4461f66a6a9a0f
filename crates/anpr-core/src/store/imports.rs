//! SQL of the import records (provenance of every read).

use crate::error::Result;
use anpr_types::ImportSummary;
use sqlx::SqliteConnection;

#[derive(Debug)]
pub struct NewImport<'a> {
    pub bundle_path: &'a str,
    pub source: Option<&'a str>,
    pub user_id: i64,
    pub started_at: i64,
}

/// Starts the record; [`finish`] fills in the counts in the same transaction.
pub async fn begin(conn: &mut SqliteConnection, i: &NewImport<'_>) -> Result<i64> {
    Ok(sqlx::query(
        "INSERT INTO imports(bundle_path, bundle_sha256, source, user_id, started_at, finished_at, reads_accepted,
                             reads_duplicate, reads_rejected, images_stored, images_rejected, cameras_added)
         VALUES (?, '', ?, ?, ?, ?, 0, 0, 0, 0, 0, 0)",
    )
    .bind(i.bundle_path)
    .bind(i.source)
    .bind(i.user_id)
    .bind(i.started_at)
    .bind(i.started_at)
    .execute(conn)
    .await?
    .last_insert_rowid())
}

pub async fn finish(conn: &mut SqliteConnection, id: i64, s: &ImportSummary, finished_at: i64) -> Result<()> {
    sqlx::query(
        "UPDATE imports SET bundle_sha256 = ?, finished_at = ?, reads_accepted = ?, reads_duplicate = ?,
                reads_rejected = ?, images_stored = ?, images_rejected = ?, cameras_added = ? WHERE id = ?",
    )
    .bind(&s.bundle_sha256)
    .bind(finished_at)
    .bind(s.reads_accepted as i64)
    .bind(s.reads_duplicate as i64)
    .bind(s.reads_rejected as i64)
    .bind(s.images_stored as i64)
    .bind(s.images_rejected as i64)
    .bind(s.cameras_added as i64)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}
