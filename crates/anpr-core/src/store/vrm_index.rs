//! SQL of the VRM index (migrations/0005_vrm_index.sql): distinct VRMs keyed by skeleton.

use crate::error::Result;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use std::collections::BTreeSet;

/// VRMs per INSERT: one parameter each, far under SQLite's limit.
const CHUNK: usize = 2000;

/// Adds VRMs the index lacks (an import batch's, deduplicated here so a vehicle seen a
/// thousand times costs one lookup per batch).
pub async fn add<'a>(conn: &mut SqliteConnection, vrms: impl Iterator<Item = &'a str>) -> Result<()> {
    let distinct: Vec<&str> = vrms.collect::<BTreeSet<_>>().into_iter().collect();
    for chunk in distinct.chunks(CHUNK) {
        let mut q = QueryBuilder::<Sqlite>::new("INSERT OR IGNORE INTO vrm_index(vrm) ");
        q.push_values(chunk, |mut row, vrm| {
            row.push_bind(*vrm);
        });
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// The indexed VRMs whose skeleton is one of `skeletons`.
pub async fn with_skeletons(conn: &mut SqliteConnection, skeletons: &[String]) -> Result<Vec<String>> {
    let keys = serde_json::to_string(skeletons).unwrap_or_else(|_| "[]".into());
    Ok(sqlx::query_scalar("SELECT vrm FROM vrm_index WHERE skeleton IN (SELECT value FROM json_each(?)) ORDER BY vrm")
        .bind(keys)
        .fetch_all(conn)
        .await?)
}
