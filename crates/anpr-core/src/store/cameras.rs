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
