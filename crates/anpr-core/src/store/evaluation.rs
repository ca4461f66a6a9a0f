//! SQL of camera evaluations (8.14): records, marks, read logs and scorings.

use crate::error::Result;
use sqlx::SqliteConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EvaluationRow {
    pub id: i64,
    pub camera_id: String,
    pub camera: Option<i64>,
    pub system_type: String,
    pub direction: Option<String>,
    pub moving: bool,
    pub lanes: i64,
    pub condition: String,
    pub evaluated_on: String,
    pub engineer: String,
    pub reason: String,
    pub covert_exemption: Option<String>,
    pub notes: String,
    pub video_path: String,
    pub video_sha256: String,
    pub video_frames: i64,
    pub video_fps: f64,
    pub video_ms: i64,
    pub clock_start: i64,
    pub clock_source: String,
    pub reaction_ms: i64,
    pub offset_ms: i64,
    pub window_ms: i64,
    pub read_log_source: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    pub marks: i64,
    pub reads: i64,
    pub verdict: Option<String>,
    pub remediation_due: Option<String>,
    pub scored_at: Option<i64>,
}

/// Every column of a record, its counts and its latest scoring.
const SELECT: &str = "SELECT e.id, e.camera_id, e.camera, e.system_type, e.direction, e.moving, e.lanes, e.condition,
        e.evaluated_on, e.engineer, e.reason, e.covert_exemption, e.notes, e.video_path, e.video_sha256,
        e.video_frames, e.video_fps, e.video_ms, e.clock_start, e.clock_source, e.reaction_ms, e.offset_ms,
        e.window_ms, e.read_log_source, u.username AS created_by, e.created_at,
        (SELECT count(*) FROM evaluation_marks m WHERE m.evaluation = e.id) AS marks,
        (SELECT count(*) FROM evaluation_reads r WHERE r.evaluation = e.id) AS reads,
        s.verdict, s.remediation_due, s.scored_at
    FROM evaluations e JOIN users u ON u.id = e.created_by
    LEFT JOIN evaluation_results s ON s.id = (SELECT max(id) FROM evaluation_results WHERE evaluation = e.id)";

pub async fn get(conn: &mut SqliteConnection, id: i64) -> Result<Option<EvaluationRow>> {
    Ok(sqlx::query_as(&format!("{SELECT} WHERE e.id = ?")).bind(id).fetch_optional(conn).await?)
}

/// A camera's evaluations, newest first (`None`: every camera's).
pub async fn list(conn: &mut SqliteConnection, camera_id: Option<&str>) -> Result<Vec<EvaluationRow>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE ?1 IS NULL OR e.camera_id = ?1 ORDER BY e.evaluated_on DESC, e.id DESC"
    ))
    .bind(camera_id)
    .fetch_all(conn)
    .await?)
}

#[derive(Debug)]
pub struct NewEvaluationRow<'a> {
    pub camera_id: &'a str,
    pub camera: Option<i64>,
    pub system_type: &'a str,
    pub direction: Option<&'a str>,
    pub moving: bool,
    pub lanes: i64,
    pub condition: &'a str,
    pub evaluated_on: &'a str,
    pub engineer: &'a str,
    pub reason: &'a str,
    pub covert_exemption: Option<&'a str>,
    pub notes: &'a str,
    pub video_path: &'a str,
    pub video_sha256: &'a str,
    pub video_frames: i64,
    pub video_fps: f64,
    pub video_ms: i64,
    pub clock_start: i64,
    pub clock_source: &'a str,
    pub reaction_ms: i64,
    pub window_ms: i64,
    pub created_by: i64,
    pub created_at: i64,
}

pub async fn insert(conn: &mut SqliteConnection, e: &NewEvaluationRow<'_>) -> Result<i64> {
    let done = sqlx::query(
        "INSERT INTO evaluations(camera_id, camera, system_type, direction, moving, lanes, condition, evaluated_on,
             engineer, reason, covert_exemption, notes, video_path, video_sha256, video_frames, video_fps, video_ms,
             clock_start, clock_source, reaction_ms, window_ms, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(e.camera_id)
    .bind(e.camera)
    .bind(e.system_type)
    .bind(e.direction)
    .bind(e.moving)
    .bind(e.lanes)
    .bind(e.condition)
    .bind(e.evaluated_on)
    .bind(e.engineer)
    .bind(e.reason)
    .bind(e.covert_exemption)
    .bind(e.notes)
    .bind(e.video_path)
    .bind(e.video_sha256)
    .bind(e.video_frames)
    .bind(e.video_fps)
    .bind(e.video_ms)
    .bind(e.clock_start)
    .bind(e.clock_source)
    .bind(e.reaction_ms)
    .bind(e.window_ms)
    .bind(e.created_by)
    .bind(e.created_at)
    .execute(conn)
    .await?;
    Ok(done.last_insert_rowid())
}

pub async fn set_offset(conn: &mut SqliteConnection, id: i64, offset_ms: i64) -> Result<()> {
    sqlx::query("UPDATE evaluations SET offset_ms = ? WHERE id = ?").bind(offset_ms).bind(id).execute(conn).await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MarkRow {
    pub id: i64,
    pub lane: i64,
    pub video_ms: i64,
    pub vrm: String,
    pub visible: bool,
    pub condition: Option<String>,
}

/// An evaluation's marks in order of crossing (ties in order of marking).
pub async fn marks(conn: &mut SqliteConnection, evaluation: i64) -> Result<Vec<MarkRow>> {
    Ok(sqlx::query_as(
        "SELECT id, lane, video_ms, vrm, visible, condition FROM evaluation_marks
         WHERE evaluation = ? ORDER BY video_ms, id",
    )
    .bind(evaluation)
    .fetch_all(conn)
    .await?)
}

#[derive(Debug)]
pub struct MarkValues<'a> {
    pub lane: i64,
    pub video_ms: i64,
    pub vrm: &'a str,
    pub visible: bool,
    pub condition: Option<&'a str>,
    pub at: i64,
}

pub async fn insert_mark(conn: &mut SqliteConnection, evaluation: i64, m: &MarkValues<'_>) -> Result<i64> {
    let done = sqlx::query(
        "INSERT INTO evaluation_marks(evaluation, lane, video_ms, vrm, visible, condition, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(evaluation)
    .bind(m.lane)
    .bind(m.video_ms)
    .bind(m.vrm)
    .bind(m.visible)
    .bind(m.condition)
    .bind(m.at)
    .execute(conn)
    .await?;
    Ok(done.last_insert_rowid())
}

/// Returns whether the mark exists in that evaluation.
pub async fn update_mark(conn: &mut SqliteConnection, evaluation: i64, id: i64, m: &MarkValues<'_>) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE evaluation_marks SET lane = ?, video_ms = ?, vrm = ?, visible = ?, condition = ?, updated_at = ?
         WHERE id = ? AND evaluation = ?",
    )
    .bind(m.lane)
    .bind(m.video_ms)
    .bind(m.vrm)
    .bind(m.visible)
    .bind(m.condition)
    .bind(m.at)
    .bind(id)
    .bind(evaluation)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Returns whether the mark existed in that evaluation.
pub async fn delete_mark(conn: &mut SqliteConnection, evaluation: i64, id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM evaluation_marks WHERE id = ? AND evaluation = ?")
        .bind(id)
        .bind(evaluation)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LoggedReadRow {
    pub read_id: String,
    pub vrm_as_read: String,
    pub read_time: i64,
    pub lane: Option<i64>,
    pub confidence: Option<f64>,
}

pub async fn reads(conn: &mut SqliteConnection, evaluation: i64) -> Result<Vec<LoggedReadRow>> {
    Ok(sqlx::query_as(
        "SELECT read_id, vrm_as_read, read_time, lane, confidence FROM evaluation_reads
         WHERE evaluation = ? ORDER BY read_time, id",
    )
    .bind(evaluation)
    .fetch_all(conn)
    .await?)
}

/// Replaces the evaluation's read log.
pub async fn replace_reads(
    conn: &mut SqliteConnection,
    evaluation: i64,
    source: &str,
    reads: &[LoggedReadRow],
) -> Result<()> {
    sqlx::query("DELETE FROM evaluation_reads WHERE evaluation = ?").bind(evaluation).execute(&mut *conn).await?;
    for r in reads {
        sqlx::query(
            "INSERT INTO evaluation_reads(evaluation, read_id, vrm_as_read, read_time, lane, confidence)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(evaluation)
        .bind(&r.read_id)
        .bind(&r.vrm_as_read)
        .bind(r.read_time)
        .bind(r.lane)
        .bind(r.confidence)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("UPDATE evaluations SET read_log_source = ? WHERE id = ?")
        .bind(source)
        .bind(evaluation)
        .execute(conn)
        .await?;
    Ok(())
}

/// A camera's reads in `[from, to]` from the store, where the camera is visible to the actor
/// (the 8.8 rule, as in `reads::visible`: granted restricted camera ids bound as JSON).
pub async fn store_reads(
    conn: &mut SqliteConnection,
    camera: i64,
    granted: &str,
    from: i64,
    to: i64,
) -> Result<Vec<LoggedReadRow>> {
    Ok(sqlx::query_as(
        "SELECT r.read_id, r.vrm_as_read, r.read_time, r.lane, r.confidence
         FROM reads r JOIN cameras c ON c.id = r.camera
         WHERE r.camera = ?1 AND r.read_time >= ?2 AND r.read_time <= ?3
           AND (c.restricted = 0 OR c.id IN (SELECT value FROM json_each(?4)))
         ORDER BY r.read_time, r.id",
    )
    .bind(camera)
    .bind(from)
    .bind(to)
    .bind(granted)
    .fetch_all(conn)
    .await?)
}

#[derive(Debug)]
pub struct NewResult<'a> {
    pub evaluation: i64,
    pub verdict: &'a str,
    pub remediation_due: Option<&'a str>,
    pub report: &'a str,
    pub scored_by: i64,
    pub scored_at: i64,
}

pub async fn insert_result(conn: &mut SqliteConnection, r: &NewResult<'_>) -> Result<i64> {
    let done = sqlx::query(
        "INSERT INTO evaluation_results(evaluation, verdict, remediation_due, report, scored_by, scored_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(r.evaluation)
    .bind(r.verdict)
    .bind(r.remediation_due)
    .bind(r.report)
    .bind(r.scored_by)
    .bind(r.scored_at)
    .execute(conn)
    .await?;
    Ok(done.last_insert_rowid())
}

/// The latest scoring's report (JSON), if any.
pub async fn latest_report(conn: &mut SqliteConnection, evaluation: i64) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT report FROM evaluation_results WHERE evaluation = ? ORDER BY id DESC LIMIT 1")
        .bind(evaluation)
        .fetch_optional(conn)
        .await?)
}

/// A camera for the overview: the register's, plus those only entered in evaluations.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OverviewCamera {
    pub camera_id: String,
    pub name: String,
    pub registered: bool,
    pub has_imagery: bool,
    pub system_type: Option<String>,
}

pub async fn overview_cameras(conn: &mut SqliteConnection) -> Result<Vec<OverviewCamera>> {
    Ok(sqlx::query_as(
        "SELECT camera_id, name, 1 AS registered, has_imagery, system_type FROM cameras
         UNION ALL
         SELECT DISTINCT e.camera_id, '' AS name, 0 AS registered, 1 AS has_imagery, NULL AS system_type
         FROM evaluations e WHERE e.camera_id NOT IN (SELECT camera_id FROM cameras)
         ORDER BY camera_id",
    )
    .fetch_all(conn)
    .await?)
}

/// The register's id of a camera and whether it is restricted (8.8).
pub async fn camera_key(conn: &mut SqliteConnection, camera_id: &str) -> Result<Option<(i64, bool, i64)>> {
    Ok(sqlx::query_as("SELECT id, restricted, lanes FROM cameras WHERE camera_id = ?")
        .bind(camera_id)
        .fetch_optional(conn)
        .await?)
}
