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

/// Inserts the reads whose read_id is new; returns how many that was.
pub async fn insert_many(
    conn: &mut SqliteConnection,
    reads: &[NewRead],
    import_id: i64,
    entered_at: i64,
) -> Result<u64> {
    let mut inserted = 0;
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
        q.push(" ON CONFLICT(read_id) DO NOTHING");
        inserted += q.build().persistent(true).execute(&mut *conn).await?.rows_affected();
    }
    Ok(inserted)
}

pub async fn count(conn: &mut SqliteConnection) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM reads").fetch_one(conn).await?)
}

/// The highest row id: a cheap upper bound of the row count.
pub async fn max_id(conn: &mut SqliteConnection) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM reads").fetch_one(conn).await?)
}

/// The secondary indexes of `reads` exactly as the migrations created them (name, SQL); the
/// unique read_id index is SQLite's own and is never among them.
pub async fn secondary_indexes(conn: &mut SqliteConnection) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reads' AND sql IS NOT NULL ORDER BY name",
    )
    .fetch_all(conn)
    .await?)
}

/// Drops secondary indexes for a bulk load; [`restore_indexes`] builds them again by sorting,
/// which is several times faster than maintaining them row by row. Both run inside the
/// import's transaction, so an interrupted import leaves the indexes as they were.
pub async fn drop_indexes(conn: &mut SqliteConnection, indexes: &[(String, String)]) -> Result<()> {
    for (name, _) in indexes {
        // The name comes from sqlite_master (the migrations), never from data.
        sqlx::query(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\""))).execute(&mut *conn).await?;
    }
    Ok(())
}

pub async fn restore_indexes(conn: &mut SqliteConnection, indexes: &[(String, String)]) -> Result<()> {
    for (_, sql) in indexes {
        sqlx::query(sql).execute(&mut *conn).await?;
    }
    Ok(())
}
