//! SQL of the camera register.

use crate::error::Result;
use crate::import::rows::CameraRow;
use sqlx::SqliteConnection;

/// What the importer needs to know of a registered camera.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CameraKey {
    pub id: i64,
    pub camera_id: String,
    pub latitude: f64,
    pub longitude: f64,
    pub has_imagery: bool,
}

pub async fn keys(conn: &mut SqliteConnection) -> Result<Vec<CameraKey>> {
    Ok(sqlx::query_as("SELECT id, camera_id, latitude, longitude, has_imagery FROM cameras").fetch_all(conn).await?)
}

/// Registers a camera unless its id is already registered (the register is not silently
/// overwritten by a bundle). Returns whether it was added.
pub async fn insert_new(conn: &mut SqliteConnection, c: &CameraRow, import_id: i64, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO cameras(camera_id, name, system_type, latitude, longitude, general_area, postcode, road, controller,
                             restricted, lanes, has_imagery, import_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(camera_id) DO NOTHING",
    )
    .bind(&c.camera_id)
    .bind(&c.name)
    .bind(c.system_type.as_str())
    .bind(c.latitude)
    .bind(c.longitude)
    .bind(&c.general_area)
    .bind(&c.postcode)
    .bind(&c.road)
    .bind(&c.controller)
    .bind(c.restricted)
    .bind(c.lanes)
    .bind(c.has_imagery)
    .bind(import_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn count(conn: &mut SqliteConnection) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM cameras").fetch_one(conn).await?)
}

/// A camera with everything the register shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CameraRecord {
    pub id: i64,
    pub camera_id: String,
    pub name: String,
    pub system_type: String,
    pub latitude: f64,
    pub longitude: f64,
    pub general_area: String,
    pub postcode: Option<String>,
    pub road: Option<String>,
    pub controller: String,
    pub lanes: i64,
    pub restricted: bool,
}

const SELECT_RECORD: &str =
    "SELECT id, camera_id, name, system_type, latitude, longitude, general_area, postcode, road,
        controller, lanes, restricted FROM cameras";

pub async fn records(conn: &mut SqliteConnection) -> Result<Vec<CameraRecord>> {
    Ok(sqlx::query_as(&format!("{SELECT_RECORD} ORDER BY camera_id")).fetch_all(conn).await?)
}

pub async fn record(conn: &mut SqliteConnection, camera_id: &str) -> Result<Option<CameraRecord>> {
    Ok(sqlx::query_as(&format!("{SELECT_RECORD} WHERE camera_id = ?")).bind(camera_id).fetch_optional(conn).await?)
}

/// Registers a camera by hand (administrator); returns whether the id was free.
pub async fn insert_registered(conn: &mut SqliteConnection, c: &anpr_types::NewCamera, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO cameras(camera_id, name, system_type, latitude, longitude, general_area, postcode, road, controller,
                             lanes, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(camera_id) DO NOTHING",
    )
    .bind(c.camera_id.trim())
    .bind(c.name.trim())
    .bind(c.system_type.as_str())
    .bind(c.latitude)
    .bind(c.longitude)
    .bind(c.general_area.trim())
    .bind(c.postcode.as_deref())
    .bind(c.road.as_deref())
    .bind(c.controller.trim())
    .bind(c.lanes)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_restricted(conn: &mut SqliteConnection, camera: i64, restricted: bool) -> Result<()> {
    sqlx::query("UPDATE cameras SET restricted = ? WHERE id = ?").bind(restricted).bind(camera).execute(conn).await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RestrictionRow {
    pub authorised_by: String,
    pub reference: String,
    pub recorded_by: String,
    pub from_at: i64,
}

/// The current designation of a restricted camera.
pub async fn restriction(conn: &mut SqliteConnection, camera: i64) -> Result<Option<RestrictionRow>> {
    Ok(sqlx::query_as(
        "SELECT r.authorised_by, r.reference, u.username AS recorded_by, r.from_at
         FROM camera_restrictions r JOIN users u ON u.id = r.recorded_by
         WHERE r.camera = ? AND r.until_at IS NULL ORDER BY r.id DESC LIMIT 1",
    )
    .bind(camera)
    .fetch_optional(conn)
    .await?)
}

pub async fn open_restriction(
    conn: &mut SqliteConnection,
    camera: i64,
    authorised_by: &str,
    reference: &str,
    recorded_by: i64,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO camera_restrictions(camera, authorised_by, reference, recorded_by, from_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(camera)
    .bind(authorised_by)
    .bind(reference)
    .bind(recorded_by)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Ends the designation; its record is kept (for the restriction plus 2 years, 8.8).
pub async fn close_restriction(conn: &mut SqliteConnection, camera: i64, at: i64) -> Result<()> {
    sqlx::query("UPDATE camera_restrictions SET until_at = ? WHERE camera = ? AND until_at IS NULL")
        .bind(at)
        .bind(camera)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GrantRow {
    pub username: String,
    pub authorised_by: String,
    pub reference: String,
    pub granted_by: String,
    pub granted_at: i64,
}

/// Current grants of a camera.
pub async fn grants(conn: &mut SqliteConnection, camera: i64) -> Result<Vec<GrantRow>> {
    Ok(sqlx::query_as(
        "SELECT u.username, g.authorised_by, g.reference, b.username AS granted_by, g.granted_at
         FROM camera_grants g JOIN users u ON u.id = g.user_id JOIN users b ON b.id = g.granted_by
         WHERE g.camera = ? AND g.revoked_at IS NULL ORDER BY u.username",
    )
    .bind(camera)
    .fetch_all(conn)
    .await?)
}

#[derive(Debug)]
pub struct NewGrant<'a> {
    pub camera: i64,
    pub user_id: i64,
    pub authorised_by: &'a str,
    pub reference: &'a str,
    pub granted_by: i64,
    pub at: i64,
}

/// Grants unless a current grant exists; returns whether it was added.
pub async fn grant(conn: &mut SqliteConnection, g: &NewGrant<'_>) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO camera_grants(camera, user_id, authorised_by, reference, granted_by, granted_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE NOT EXISTS
           (SELECT 1 FROM camera_grants WHERE camera = ?1 AND user_id = ?2 AND revoked_at IS NULL)",
    )
    .bind(g.camera)
    .bind(g.user_id)
    .bind(g.authorised_by)
    .bind(g.reference)
    .bind(g.granted_by)
    .bind(g.at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes a current grant (the record stays); returns whether there was one.
pub async fn revoke(conn: &mut SqliteConnection, camera: i64, user_id: i64, at: i64) -> Result<bool> {
    let done =
        sqlx::query("UPDATE camera_grants SET revoked_at = ? WHERE camera = ? AND user_id = ? AND revoked_at IS NULL")
            .bind(at)
            .bind(camera)
            .bind(user_id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn revoke_all(conn: &mut SqliteConnection, camera: i64, at: i64) -> Result<()> {
    sqlx::query("UPDATE camera_grants SET revoked_at = ? WHERE camera = ? AND revoked_at IS NULL")
        .bind(at)
        .bind(camera)
        .execute(conn)
        .await?;
    Ok(())
}

/// The restricted cameras a user is currently granted (8.8).
pub async fn granted_to(conn: &mut SqliteConnection, user_id: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT g.camera FROM camera_grants g JOIN cameras c ON c.id = g.camera
         WHERE g.user_id = ? AND g.revoked_at IS NULL AND c.restricted = 1",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?)
}
