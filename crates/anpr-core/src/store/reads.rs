//! SQL of the reads table.

use crate::error::Result;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use std::collections::HashSet;

/// One read ready to insert (foreign keys resolved).
#[derive(Debug, Clone)]
pub struct NewRead {
    pub read_id: String,
    pub vrm_as_read: String,
    pub vrm: Option<String>,
    pub read_time: i64,
    pub camera: i64,
    pub latitude: f64,
    pub longitude: f64,
    pub lane: Option<i64>,
    pub direction: Option<&'static str>,
    pub confidence: Option<f64>,
    pub plate_image: Option<i64>,
    pub overview_image: Option<i64>,
}

/// Rows per multi-row INSERT: 16 parameters each, well under SQLite's 32766-parameter limit,
/// and few enough statements that a million reads cost a thousand round trips.
pub const BATCH: usize = 1000;

/// Which of `read_ids` are already stored.
pub async fn existing(conn: &mut SqliteConnection, read_ids: &[&str]) -> Result<HashSet<String>> {
    let mut found = HashSet::new();
    for chunk in read_ids.chunks(BATCH) {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT read_id FROM reads WHERE read_id IN (");
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(")");
        let rows: Vec<String> = q.build_query_scalar().fetch_all(&mut *conn).await?;
        found.extend(rows);
    }
    Ok(found)
}

pub async fn insert_many(
    conn: &mut SqliteConnection,
    reads: &[NewRead],
    import_id: i64,
    entered_at: i64,
) -> Result<()> {
    for chunk in reads.chunks(BATCH) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO reads(read_id, vrm_as_read, vrm, not_read, read_time, camera, latitude, longitude, lane,
                               direction, confidence, plate_image, overview_image, import_id, entered_at) ",
        );
        q.push_values(chunk, |mut row, r| {
            row.push_bind(&r.read_id)
                .push_bind(&r.vrm_as_read)
                .push_bind(&r.vrm)
                .push_bind(r.vrm.is_none())
                .push_bind(r.read_time)
                .push_bind(r.camera)
                .push_bind(r.latitude)
                .push_bind(r.longitude)
                .push_bind(r.lane)
                .push_bind(r.direction)
                .push_bind(r.confidence)
                .push_bind(r.plate_image)
                .push_bind(r.overview_image)
                .push_bind(import_id)
                .push_bind(entered_at);
        });
        q.build().persistent(true).execute(&mut *conn).await?;
    }
    Ok(())
}

pub async fn count(conn: &mut SqliteConnection) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM reads").fetch_one(conn).await?)
}
