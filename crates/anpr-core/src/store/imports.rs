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

/// An import record with the importing account's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ImportView {
    pub id: i64,
    pub bundle_path: String,
    pub bundle_sha256: String,
    pub username: String,
    pub finished_at: i64,
    pub reads_accepted: i64,
    pub reads_duplicate: i64,
    pub reads_rejected: i64,
    pub images_stored: i64,
    pub images_rejected: i64,
}

const SELECT_VIEW: &str = "SELECT i.id, i.bundle_path, i.bundle_sha256, u.username, i.finished_at, i.reads_accepted,
        i.reads_duplicate, i.reads_rejected, i.images_stored, i.images_rejected
    FROM imports i JOIN users u ON u.id = i.user_id";

pub async fn recent(conn: &mut SqliteConnection, limit: i64) -> Result<Vec<ImportView>> {
    Ok(sqlx::query_as(&format!("{SELECT_VIEW} ORDER BY i.id DESC LIMIT ?")).bind(limit).fetch_all(conn).await?)
}

pub async fn view(conn: &mut SqliteConnection, id: i64) -> Result<Option<ImportView>> {
    Ok(sqlx::query_as(&format!("{SELECT_VIEW} WHERE i.id = ?")).bind(id).fetch_optional(conn).await?)
}
