//! SQL of the VRM index (migrations/0005_vrm_index.sql): distinct VRMs keyed by skeleton.

use crate::error::Result;
use crate::search::fuzzy::skeleton;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};
use std::collections::BTreeSet;

/// VRMs per INSERT: two parameters each, far under SQLite's limit.
const CHUNK: usize = 2000;

/// Adds VRMs the index lacks (an import batch's, deduplicated here so a vehicle seen a
/// thousand times costs one lookup per batch). The skeleton is computed here rather than in
/// SQL: a generated column made a bulk import about half as slow again (measured).
pub async fn add<'a>(conn: &mut SqliteConnection, vrms: impl Iterator<Item = &'a str>) -> Result<()> {
    let distinct: Vec<&str> = vrms.collect::<BTreeSet<_>>().into_iter().collect();
    for chunk in distinct.chunks(CHUNK) {
        let mut q = QueryBuilder::<Sqlite>::new("INSERT OR IGNORE INTO vrm_index(vrm, skeleton) ");
        q.push_values(chunk, |mut row, vrm| {
            row.push_bind(*vrm).push_bind(skeleton(vrm));
        });
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Fills an empty index from the reads: a store that had reads before the index existed.
pub async fn fill_if_empty(pool: &SqlitePool) -> Result<()> {
    let mut tx = super::begin_write(pool).await?;
    let needed: bool = sqlx::query_scalar(
        "SELECT NOT EXISTS (SELECT 1 FROM vrm_index) AND EXISTS (SELECT 1 FROM reads WHERE vrm IS NOT NULL)",
    )
    .fetch_one(&mut *tx)
    .await?;
    if needed {
        let vrms: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT vrm FROM reads WHERE vrm IS NOT NULL").fetch_all(&mut *tx).await?;
        add(&mut tx, vrms.iter().map(String::as_str)).await?;
    }
    tx.commit().await?;
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
