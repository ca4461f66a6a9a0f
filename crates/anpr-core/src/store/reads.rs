//! SQL of the reads table.

use crate::error::Result;
use crate::policy::restricted::Visibility;
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

/// Rows per multi-row INSERT: 15 parameters each, 30 000 in all, under SQLite's 32 766-parameter
/// limit, so a million reads cost five hundred statements (measured: 2000 beats 1000 by ~5%).
pub const BATCH: usize = 2000;

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
        // A duplicate's VRM is indexed already, so adding the whole chunk's is harmless.
        super::vrm_index::add(conn, chunk.iter().filter_map(|r| r.vrm.as_deref())).await?;
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
/// unique read_id index is SQLite's own and is never among them. Three stay, as maintaining
/// them costs less than rebuilding: `reads_entered` (an import's rows share one entry time
/// and have rising ids, so it only appends) and the partial image indexes (only rows with
/// images enter them, with image ids rising as the import stores them).
pub async fn secondary_indexes(conn: &mut SqliteConnection) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reads' AND sql IS NOT NULL
           AND name NOT IN ('reads_entered', 'reads_plate_image', 'reads_overview_image') ORDER BY name",
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

/// A read joined with its camera and image hashes, as the faces show it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReadView {
    pub id: i64,
    pub read_id: String,
    pub vrm_as_read: String,
    /// Normalised; `None` when not read.
    pub vrm: Option<String>,
    pub not_read: bool,
    pub read_time: i64,
    pub camera_id: String,
    pub camera_name: String,
    pub general_area: String,
    pub lane: Option<i64>,
    pub direction: Option<String>,
    pub confidence: Option<f64>,
    pub plate_sha: Option<String>,
    pub overview_sha: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    pub import_id: i64,
    pub entered_at: i64,
}

pub(crate) const SELECT_VIEW: &str =
    "SELECT r.id, r.read_id, r.vrm_as_read, r.vrm, r.not_read, r.read_time, c.camera_id,
        c.name AS camera_name, c.general_area, r.lane, r.direction, r.confidence, p.sha256 AS plate_sha,
        o.sha256 AS overview_sha, r.latitude, r.longitude, r.import_id, r.entered_at
    FROM reads r JOIN cameras c ON c.id = r.camera
    LEFT JOIN images p ON p.id = r.plate_image LEFT JOIN images o ON o.id = r.overview_image";

/// The restricted-camera rule (8.8) as SQL over `c` (cameras): the granted ids are bound as a
/// JSON array at `param`, never spliced into the text. The parameter is named by the caller:
/// mixing numbered and plain `?` parameters in one statement shifts the plain ones.
fn visible(param: &str) -> String {
    format!("(c.restricted = 0 OR c.id IN (SELECT value FROM json_each({param})))")
}

fn granted(visibility: &Visibility) -> String {
    serde_json::to_string(&visibility.granted_cameras).unwrap_or_else(|_| "[]".into())
}

/// Newest visible reads first.
pub async fn browse(
    conn: &mut SqliteConnection,
    visibility: &Visibility,
    offset: i64,
    limit: i64,
) -> Result<Vec<ReadView>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT_VIEW} WHERE {} ORDER BY r.read_time DESC, r.id DESC LIMIT ? OFFSET ?",
        visible("?")
    ))
    .bind(granted(visibility))
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?)
}

/// One read, if it exists and is visible.
pub async fn view(conn: &mut SqliteConnection, visibility: &Visibility, id: i64) -> Result<Option<ReadView>> {
    Ok(sqlx::query_as(&format!("{SELECT_VIEW} WHERE r.id = ? AND {}", visible("?")))
        .bind(id)
        .bind(granted(visibility))
        .fetch_optional(conn)
        .await?)
}

/// Visible reads: count, not-read count, oldest and newest time.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Totals {
    pub reads: i64,
    pub not_read: i64,
    pub first: Option<i64>,
    pub last: Option<i64>,
}

pub async fn totals(conn: &mut SqliteConnection, visibility: &Visibility) -> Result<Totals> {
    Ok(sqlx::query_as(&format!(
        "SELECT count(*) AS reads, coalesce(sum(r.not_read), 0) AS not_read, min(r.read_time) AS first,
                max(r.read_time) AS last
         FROM reads r JOIN cameras c ON c.id = r.camera WHERE {}",
        visible("?")
    ))
    .bind(granted(visibility))
    .fetch_one(conn)
    .await?)
}

/// Whether a visible read shows the image (or, for a thumbnail, the image it derives from).
pub async fn image_visible(conn: &mut SqliteConnection, visibility: &Visibility, image: i64) -> Result<bool> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT EXISTS (SELECT 1 FROM reads r JOIN cameras c ON c.id = r.camera WHERE r.plate_image = ?1 AND {v})
             OR EXISTS (SELECT 1 FROM reads r JOIN cameras c ON c.id = r.camera WHERE r.overview_image = ?1 AND {v})",
        v = visible("?2")
    ))
    .bind(image)
    .bind(granted(visibility))
    .fetch_one(conn)
    .await?)
}

/// Which VRMs a search asks for (normalised).
#[derive(Debug, Clone, Copy)]
pub enum VrmFilter<'a> {
    /// Equality.
    Exact(&'a str),
    /// A SQLite GLOB.
    Glob(&'a str),
    /// A JSON object of VRM -> closeness: those VRMs' reads, closest first.
    Ranked(&'a str),
    /// A JSON array of VRMs (a list search).
    OneOf(&'a str),
}

/// What a category-bounded search asks of the reads table; the Annex C grant has been checked.
#[derive(Debug, Clone)]
pub struct SearchFilter<'a> {
    pub from: i64,
    pub to: i64,
    /// Reads captured before this are returned only if retained under CPIA for `investigation`.
    pub retained_only_before: i64,
    pub investigation: i64,
    pub vrm: Option<VrmFilter<'a>>,
    pub cameras: &'a [String],
    pub area: Option<&'a str>,
}

pub(crate) fn push_search_where<'a>(q: &mut QueryBuilder<'a, Sqlite>, visibility: &Visibility, f: &SearchFilter<'a>) {
    // The 8.8 rule as in `visible`, its parameter placed by the builder.
    q.push(" WHERE (c.restricted = 0 OR c.id IN (SELECT value FROM json_each(");
    q.push_bind(granted(visibility));
    q.push("))) AND r.read_time >= ").push_bind(f.from).push(" AND r.read_time <= ").push_bind(f.to);
    q.push(" AND (r.read_time >= ").push_bind(f.retained_only_before);
    q.push(" OR r.id IN (SELECT read FROM retentions WHERE basis = 'cpia' AND investigation = ");
    q.push_bind(f.investigation).push("))");
    match f.vrm {
        Some(VrmFilter::Exact(p)) => {
            q.push(" AND r.vrm = ").push_bind(p);
        }
        // The pattern is matched against the distinct VRMs (vrm_index, kept by import,
        // correction and deletion), far fewer than the reads; the matches drive
        // reads_vrm_time lookups (cargo xtask bench search). Without a literal prefix, only
        // the VRMs holding all the pattern's trigrams are compared.
        Some(VrmFilter::Glob(p)) => {
            let trigrams = super::vrm_index::glob_trigrams(p);
            if trigrams.is_empty() {
                q.push(" AND r.vrm IN (SELECT vrm FROM vrm_index WHERE vrm GLOB ").push_bind(p).push(")");
            } else {
                q.push(" AND r.vrm IN (SELECT vrm FROM (");
                let mut each = q.separated(" INTERSECT ");
                for t in trigrams {
                    each.push("SELECT vrm FROM vrm_trigrams WHERE trigram = ").push_bind_unseparated(t);
                }
                q.push(") WHERE vrm GLOB ").push_bind(p).push(")");
            }
        }
        // An IN list drives reads_vrm_time lookups, one per VRM.
        Some(VrmFilter::Ranked(closeness)) => {
            q.push(" AND r.vrm IN (SELECT key FROM json_each(").push_bind(closeness).push("))");
        }
        Some(VrmFilter::OneOf(vrms)) => {
            q.push(" AND r.vrm IN (SELECT value FROM json_each(").push_bind(vrms).push("))");
        }
        None => {}
    }
    if !f.cameras.is_empty() {
        q.push(" AND c.camera_id IN (SELECT value FROM json_each(");
        q.push_bind(serde_json::to_string(f.cameras).unwrap_or_else(|_| "[]".into()));
        q.push("))");
    }
    if let Some(area) = f.area {
        q.push(" AND c.general_area = ").push_bind(area).push(" COLLATE NOCASE");
    }
}

/// How many visible reads match.
pub async fn search_count(conn: &mut SqliteConnection, visibility: &Visibility, f: &SearchFilter<'_>) -> Result<i64> {
    let mut q = QueryBuilder::<Sqlite>::new("SELECT count(*) FROM reads r JOIN cameras c ON c.id = r.camera");
    push_search_where(&mut q, visibility, f);
    Ok(q.build_query_scalar().fetch_one(conn).await?)
}

/// A page of matching visible reads, newest first (closest first, then newest, when ranked).
pub async fn search(
    conn: &mut SqliteConnection,
    visibility: &Visibility,
    f: &SearchFilter<'_>,
    offset: i64,
    limit: i64,
) -> Result<Vec<ReadView>> {
    let mut q = QueryBuilder::<Sqlite>::new(SELECT_VIEW);
    push_search_where(&mut q, visibility, f);
    q.push(" ORDER BY ");
    if let Some(VrmFilter::Ranked(closeness)) = f.vrm {
        // Evaluated for matching rows only, over a JSON of a few matched VRMs.
        q.push("(SELECT value FROM json_each(").push_bind(closeness).push(") WHERE key = r.vrm), ");
    }
    q.push("r.read_time DESC, r.id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    Ok(q.build_query_as().fetch_all(conn).await?)
}

/// The store id of a read by its source id, if it exists and is visible.
pub async fn id_of(conn: &mut SqliteConnection, visibility: &Visibility, read_id: &str) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT r.id FROM reads r JOIN cameras c ON c.id = r.camera WHERE r.read_id = ? AND {}",
        visible("?")
    ))
    .bind(read_id)
    .bind(granted(visibility))
    .fetch_optional(conn)
    .await?)
}
