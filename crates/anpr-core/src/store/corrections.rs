//! SQL of record corrections (7.3.1, 9.7): the original is kept beside every change.

use crate::error::Result;
use sqlx::SqliteConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CorrectionRow {
    pub read_id: String,
    pub kind: String,
    pub original_vrm: String,
    pub corrected_vrm: Option<String>,
    pub reason: String,
    pub by_user: String,
    pub at: i64,
}

#[derive(Debug)]
pub struct NewCorrection<'a> {
    pub read_id: &'a str,
    pub kind: &'a str,
    pub original_vrm: &'a str,
    pub corrected_vrm: Option<&'a str>,
    pub reason: &'a str,
    pub by_user: i64,
    pub at: i64,
    pub read_time: i64,
    pub entered_at: i64,
    /// JSON of the read as it was.
    pub original: &'a str,
}

pub async fn insert(conn: &mut SqliteConnection, c: &NewCorrection<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO corrections(read_id, kind, original_vrm, corrected_vrm, reason, by_user, at, read_time, entered_at,
                                 original)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(c.read_id)
    .bind(c.kind)
    .bind(c.original_vrm)
    .bind(c.corrected_vrm)
    .bind(c.reason)
    .bind(c.by_user)
    .bind(c.at)
    .bind(c.read_time)
    .bind(c.entered_at)
    .bind(c.original)
    .execute(conn)
    .await?;
    Ok(())
}

/// A read's corrections, oldest first.
pub async fn of_read(conn: &mut SqliteConnection, read_id: &str) -> Result<Vec<CorrectionRow>> {
    Ok(sqlx::query_as(
        "SELECT c.read_id, c.kind, c.original_vrm, c.corrected_vrm, c.reason, u.username AS by_user, c.at
         FROM corrections c JOIN users u ON u.id = c.by_user WHERE c.read_id = ? ORDER BY c.id",
    )
    .bind(read_id)
    .fetch_all(conn)
    .await?)
}

/// Sets a read's VRM (as entered and normalised); a corrected read is no longer "not read".
pub async fn set_vrm(conn: &mut SqliteConnection, id: i64, as_entered: &str, normalised: &str) -> Result<()> {
    sqlx::query("UPDATE reads SET vrm_as_read = ?, vrm = ?, not_read = 0 WHERE id = ?")
        .bind(as_entered)
        .bind(normalised)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    // The old VRM leaves the index by trigger once no read has it.
    super::vrm_index::add(conn, std::iter::once(normalised)).await
}

/// Deletes a read found incorrect; its images go once nothing else refers to them.
pub async fn delete_read(conn: &mut SqliteConnection, id: i64, now: i64) -> Result<()> {
    super::retention::queue_images_of(conn, id, now).await?;
    sqlx::query("DELETE FROM reads WHERE id = ?").bind(id).execute(conn).await?;
    Ok(())
}

/// Read ids deleted as incorrect (9.7) whose records are still held: a re-import must not
/// bring them back.
pub async fn deleted_read_ids(conn: &mut SqliteConnection) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT DISTINCT read_id FROM corrections WHERE kind = 'delete'").fetch_all(conn).await?)
}
