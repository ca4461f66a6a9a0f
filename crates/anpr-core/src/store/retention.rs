//! SQL of local retention: retention records, the deletions of a run, and what is due.

use crate::error::Result;
use sqlx::SqliteConnection;

/// Whether an investigation retained any reads under CPIA.
pub async fn has_cpia(conn: &mut SqliteConnection, investigation: i64) -> Result<bool> {
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM retentions WHERE basis = 'cpia' AND investigation = ?)")
        .bind(investigation)
        .fetch_one(conn)
        .await?)
}

/// Records retention of a read; returns whether it was new.
pub async fn retain(
    conn: &mut SqliteConnection,
    read: i64,
    basis: &str,
    investigation: Option<i64>,
    reviewer: i64,
    reason: &str,
    at: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO retentions(read, basis, investigation, reviewer, reason, at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(read, basis, investigation) DO NOTHING",
    )
    .bind(read)
    .bind(basis)
    .bind(investigation)
    .bind(reviewer)
    .bind(reason)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Reads the 12-month rule removes: captured at or before `cutoff`, not retained under CPIA.
const TWELVE_MONTH: &str = "read_time <= ?1 AND NOT EXISTS
    (SELECT 1 FROM retentions t WHERE t.read = reads.id AND t.basis = 'cpia')";
/// Reads the 7-day rule removes: entered at or before `cutoff`, retained on no basis.
const SEVEN_DAY: &str = "entered_at <= ?1 AND NOT EXISTS (SELECT 1 FROM retentions t WHERE t.read = reads.id)";

/// Deletes the reads one rule selects, first queueing their images for deletion at
/// `images_due_after_capture_ms` after capture (`None`: as soon as unreferenced). Returns how
/// many reads went.
async fn delete_reads(
    conn: &mut SqliteConnection,
    rule: &str,
    cutoff: i64,
    images_due_after_capture_ms: Option<i64>,
    now: i64,
) -> Result<u64> {
    for column in ["plate_image", "overview_image"] {
        // Column names are from this list, never from data.
        sqlx::query(&format!(
            "INSERT INTO image_deletions(image, due_at)
             SELECT {column}, max(coalesce(read_time + ?2, ?3)) FROM reads WHERE {column} IS NOT NULL AND {rule}
             GROUP BY {column}
             ON CONFLICT(image) DO UPDATE SET due_at = max(due_at, excluded.due_at)"
        ))
        .bind(cutoff)
        .bind(images_due_after_capture_ms)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(sqlx::query(&format!("DELETE FROM reads WHERE {rule}")).bind(cutoff).execute(conn).await?.rows_affected())
}

pub async fn delete_twelve_month(
    conn: &mut SqliteConnection,
    cutoff: i64,
    images_after_ms: i64,
    now: i64,
) -> Result<u64> {
    delete_reads(conn, TWELVE_MONTH, cutoff, Some(images_after_ms), now).await
}

pub async fn delete_seven_day(conn: &mut SqliteConnection, cutoff: i64, now: i64) -> Result<u64> {
    delete_reads(conn, SEVEN_DAY, cutoff, None, now).await
}

/// Correction records outlive their read (deleted as incorrect) only until retention would
/// have removed the read: past 7 days from entry or 12 months from capture they go too.
pub async fn delete_spent_corrections(
    conn: &mut SqliteConnection,
    captured_cutoff: i64,
    entered_cutoff: i64,
) -> Result<()> {
    sqlx::query(
        "DELETE FROM corrections WHERE (read_time <= ? OR entered_at <= ?)
           AND NOT EXISTS (SELECT 1 FROM reads r WHERE r.read_id = corrections.read_id)",
    )
    .bind(captured_cutoff)
    .bind(entered_cutoff)
    .execute(conn)
    .await?;
    Ok(())
}

/// Queues a read's images for deletion at `due_at` (once nothing refers to them).
pub async fn queue_images_of(conn: &mut SqliteConnection, read: i64, due_at: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO image_deletions(image, due_at)
         SELECT image, ?2 FROM (SELECT plate_image AS image FROM reads WHERE id = ?1
                                UNION SELECT overview_image FROM reads WHERE id = ?1) WHERE image IS NOT NULL
         ON CONFLICT(image) DO UPDATE SET due_at = min(due_at, excluded.due_at)",
    )
    .bind(read)
    .bind(due_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Retained reads the rules would otherwise have removed.
pub async fn kept_retained(conn: &mut SqliteConnection, captured_cutoff: i64, entered_cutoff: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM reads r WHERE EXISTS (SELECT 1 FROM retentions t WHERE t.read = r.id)
           AND (r.read_time <= ? OR r.entered_at <= ?)",
    )
    .bind(captured_cutoff)
    .bind(entered_cutoff)
    .fetch_one(conn)
    .await?)
}

/// Deletes the queued images that are due and that no read refers to, with their thumbnails;
/// returns their hashes so the blob files can go once the transaction commits.
pub async fn delete_due_images(conn: &mut SqliteConnection, now: i64) -> Result<Vec<String>> {
    sqlx::query("CREATE TEMP TABLE IF NOT EXISTS doomed_images(id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL)")
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM doomed_images").execute(&mut *conn).await?;
    sqlx::query(
        "INSERT INTO doomed_images(id, sha256)
         SELECT i.id, i.sha256 FROM image_deletions d JOIN images i ON i.id = d.image
         WHERE d.due_at <= ?
           AND NOT EXISTS (SELECT 1 FROM reads WHERE plate_image = i.id)
           AND NOT EXISTS (SELECT 1 FROM reads WHERE overview_image = i.id)",
    )
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT OR IGNORE INTO doomed_images(id, sha256)
         SELECT t.id, t.sha256 FROM images t WHERE t.derived_from IN (SELECT id FROM doomed_images)",
    )
    .execute(&mut *conn)
    .await?;
    let shas: Vec<String> = sqlx::query_scalar("SELECT sha256 FROM doomed_images").fetch_all(&mut *conn).await?;
    // Thumbnails first: they refer to their originals.
    sqlx::query("DELETE FROM images WHERE id IN (SELECT id FROM doomed_images) AND derived_from IS NOT NULL")
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM images WHERE id IN (SELECT id FROM doomed_images)").execute(&mut *conn).await?;
    sqlx::query("DELETE FROM doomed_images").execute(&mut *conn).await?;
    Ok(shas)
}

pub async fn record_run(conn: &mut SqliteConnection, as_of: i64, report: &str) -> Result<()> {
    sqlx::query("INSERT INTO retention_runs(as_of, report) VALUES (?, ?)")
        .bind(as_of)
        .bind(report)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn last_run(conn: &mut SqliteConnection) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT report FROM retention_runs ORDER BY id DESC LIMIT 1").fetch_optional(conn).await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RetentionRow {
    pub read_id: String,
    pub vrm_as_read: String,
    pub read_time: i64,
    pub basis: String,
    pub investigation: Option<String>,
    pub reviewer: String,
    pub reason: String,
    pub at: i64,
}

/// Retention records, newest first (at most `limit`).
pub async fn records(conn: &mut SqliteConnection, limit: i64) -> Result<Vec<RetentionRow>> {
    Ok(sqlx::query_as(
        "SELECT r.read_id, r.vrm_as_read, r.read_time, t.basis, i.reference AS investigation, u.username AS reviewer,
                t.reason, t.at
         FROM retentions t JOIN reads r ON r.id = t.read JOIN users u ON u.id = t.reviewer
         LEFT JOIN investigations i ON i.id = t.investigation
         ORDER BY t.at DESC, t.id DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// How many unretained reads fall due under each rule in `[start, end)`: (7-day, 12-month).
pub async fn due_between(conn: &mut SqliteConnection, entered: (i64, i64), captured: (i64, i64)) -> Result<(i64, i64)> {
    Ok(sqlx::query_as(
        "SELECT
           (SELECT count(*) FROM reads r WHERE r.entered_at > ?1 AND r.entered_at <= ?2
              AND NOT EXISTS (SELECT 1 FROM retentions t WHERE t.read = r.id)),
           (SELECT count(*) FROM reads r WHERE r.read_time > ?3 AND r.read_time <= ?4
              AND NOT EXISTS (SELECT 1 FROM retentions t WHERE t.read = r.id AND t.basis = 'cpia'))",
    )
    .bind(entered.0)
    .bind(entered.1)
    .bind(captured.0)
    .bind(captured.1)
    .fetch_one(conn)
    .await?)
}

/// The VRM with the most reads captured before `before` (the demo's CPIA example).
pub async fn busiest_vrm_before(conn: &mut SqliteConnection, before: i64) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT vrm FROM reads WHERE vrm IS NOT NULL AND read_time < ? GROUP BY vrm ORDER BY count(*) DESC, vrm LIMIT 1",
    )
    .bind(before)
    .fetch_optional(conn)
    .await?)
}

/// Retains every read of a VRM under CPIA for an investigation; returns how many.
pub async fn retain_vrm(
    conn: &mut SqliteConnection,
    vrm: &str,
    investigation: i64,
    reviewer: i64,
    reason: &str,
    at: i64,
) -> Result<u64> {
    Ok(sqlx::query(
        "INSERT INTO retentions(read, basis, investigation, reviewer, reason, at)
         SELECT id, 'cpia', ?, ?, ?, ? FROM reads WHERE vrm = ? ON CONFLICT DO NOTHING",
    )
    .bind(investigation)
    .bind(reviewer)
    .bind(reason)
    .bind(at)
    .bind(vrm)
    .execute(conn)
    .await?
    .rows_affected())
}
