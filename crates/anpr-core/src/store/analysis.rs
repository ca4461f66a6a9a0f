//! SQL of the investigative analyses (docs/analysis.md). Every query applies the search filter
//! (`push_search_where`: 8.8 visibility, the grant's period, the CPIA rule, cameras and area)
//! to every read it touches, and only read VRMs (never "not read") take part.

use super::reads::{ReadView, SELECT_VIEW, SearchFilter, VrmFilter, push_search_where};
use crate::error::Result;
use crate::policy::restricted::Visibility;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

const FROM_READS: &str = " FROM reads r JOIN cameras c ON c.id = r.camera";

fn filtered<'a>(select: &str, visibility: &Visibility, f: &SearchFilter<'a>) -> QueryBuilder<'a, Sqlite> {
    let mut q = QueryBuilder::new(select);
    push_search_where(&mut q, visibility, f);
    q.push(" AND r.vrm IS NOT NULL");
    q
}

/// A VRM's reads at one camera.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CameraCount {
    pub vrm: String,
    pub camera_id: String,
    pub camera_name: String,
    pub general_area: String,
    pub reads: i64,
    pub first: i64,
    pub last: i64,
}

/// Per VRM and camera, how many reads and when first and last; by VRM, then first seen.
pub async fn per_camera(
    conn: &mut SqliteConnection,
    visibility: &Visibility,
    f: &SearchFilter<'_>,
) -> Result<Vec<CameraCount>> {
    let select = format!(
        "SELECT r.vrm, c.camera_id, c.name AS camera_name, c.general_area, count(*) AS reads,
                min(r.read_time) AS first, max(r.read_time) AS last{FROM_READS}"
    );
    let mut q = filtered(&select, visibility, f);
    q.push(" GROUP BY r.vrm, c.id ORDER BY r.vrm, first, c.camera_id");
    Ok(q.build_query_as().fetch_all(conn).await?)
}

/// Up to `limit` reads by VRM, then time (the reads_vrm_time order).
pub async fn in_time_order(
    conn: &mut SqliteConnection,
    visibility: &Visibility,
    f: &SearchFilter<'_>,
    limit: i64,
) -> Result<Vec<ReadView>> {
    let mut q = filtered(SELECT_VIEW, visibility, f);
    q.push(" ORDER BY r.vrm, r.read_time, r.id LIMIT ").push_bind(limit);
    Ok(q.build_query_as().fetch_all(conn).await?)
}

/// The reads of `ids` that the filter allows, in time order.
pub async fn by_ids(
    conn: &mut SqliteConnection,
    visibility: &Visibility,
    f: &SearchFilter<'_>,
    ids: &[i64],
) -> Result<Vec<ReadView>> {
    let mut q = filtered(SELECT_VIEW, visibility, f);
    q.push(" AND r.id IN (SELECT value FROM json_each(");
    q.push_bind(serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()));
    q.push(")) ORDER BY r.read_time, r.id");
    Ok(q.build_query_as().fetch_all(conn).await?)
}

/// A read of the target and a read of another VRM near it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Pair {
    pub target: i64,
    pub companion: i64,
    pub vrm: String,
}

/// Every read of another VRM at the same camera within `window_ms` (inclusive) of a read of
/// `vrm`, both allowed by the filter. One self-join: the target's reads (reads_vrm_time)
/// each probe reads_camera_time over their window.
pub async fn companions(
    conn: &mut SqliteConnection,
    visibility: &Visibility,
    f: &SearchFilter<'_>,
    vrm: &str,
    window_ms: i64,
) -> Result<Vec<Pair>> {
    let targets = SearchFilter { vrm: Some(VrmFilter::Exact(vrm)), ..f.clone() };
    let mut q = filtered(
        &format!("WITH t AS MATERIALIZED (SELECT r.id, r.camera, r.read_time{FROM_READS}"),
        visibility,
        &targets,
    );
    q.push(") SELECT t.id AS target, r.id AS companion, r.vrm FROM t JOIN reads r ON r.camera = t.camera");
    q.push(" AND r.read_time BETWEEN t.read_time - ").push_bind(window_ms);
    q.push(" AND t.read_time + ").push_bind(window_ms);
    q.push(" JOIN cameras c ON c.id = r.camera");
    push_search_where(&mut q, visibility, f);
    q.push(" AND r.vrm IS NOT NULL AND r.vrm <> ").push_bind(vrm);
    Ok(q.build_query_as().fetch_all(conn).await?)
}

/// The id and VRM of every read the filter allows.
pub async fn vrms(
    conn: &mut SqliteConnection,
    visibility: &Visibility,
    f: &SearchFilter<'_>,
) -> Result<Vec<(i64, String)>> {
    let mut q = filtered(&format!("SELECT r.id, r.vrm{FROM_READS}"), visibility, f);
    Ok(q.build_query_as().fetch_all(conn).await?)
}

/// Two consecutive reads of one VRM (by time, then id) among those the filter allows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Hop {
    pub vrm: String,
    pub earlier: i64,
    pub later: i64,
    pub earlier_time: i64,
    pub later_time: i64,
    pub earlier_latitude: f64,
    pub earlier_longitude: f64,
    pub later_latitude: f64,
    pub later_longitude: f64,
}

/// The hops whose summed latitude and longitude difference, in degrees, is at least
/// `min_degrees` and exceeds `degrees_per_ms` times their time apart: a cheap necessary
/// condition the caller chooses so that no hop it would flag is left out.
pub async fn hops(
    conn: &mut SqliteConnection,
    visibility: &Visibility,
    f: &SearchFilter<'_>,
    min_degrees: f64,
    degrees_per_ms: f64,
) -> Result<Vec<Hop>> {
    let mut q = filtered(
        &format!(
            "SELECT * FROM (SELECT r.vrm, lag(r.id) OVER w AS earlier, r.id AS later,
                lag(r.read_time) OVER w AS earlier_time, r.read_time AS later_time,
                lag(r.latitude) OVER w AS earlier_latitude, lag(r.longitude) OVER w AS earlier_longitude,
                r.latitude AS later_latitude, r.longitude AS later_longitude{FROM_READS}"
        ),
        visibility,
        f,
    );
    q.push(" WINDOW w AS (PARTITION BY r.vrm ORDER BY r.read_time, r.id))");
    let degrees = "(abs(later_latitude - earlier_latitude) + abs(later_longitude - earlier_longitude))";
    q.push(format!(" WHERE earlier IS NOT NULL AND {degrees} >= ")).push_bind(min_degrees);
    q.push(format!(" AND {degrees} > ")).push_bind(degrees_per_ms).push(" * (later_time - earlier_time)");
    Ok(q.build_query_as().fetch_all(conn).await?)
}
