//! SQL of the VRM index: distinct VRMs keyed by skeleton (migrations/0005_vrm_index.sql) and
//! their trigram postings (migrations/0008_vrm_search.sql).

use crate::error::Result;
use crate::search::fuzzy::skeleton;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};
use std::collections::BTreeSet;

/// VRMs per INSERT: two parameters each, far under SQLite's limit.
const CHUNK: usize = 2000;

/// Adds VRMs the index lacks (an import batch's, deduplicated here so a vehicle seen a
/// thousand times costs one lookup per batch), with the trigrams of those that were new. The
/// skeleton and trigrams are computed here rather than in SQL: a generated column made a bulk
/// import about half as slow again (measured).
pub async fn add<'a>(conn: &mut SqliteConnection, vrms: impl Iterator<Item = &'a str>) -> Result<()> {
    let distinct: Vec<&str> = vrms.collect::<BTreeSet<_>>().into_iter().collect();
    for chunk in distinct.chunks(CHUNK) {
        let mut q = QueryBuilder::<Sqlite>::new("INSERT OR IGNORE INTO vrm_index(vrm, skeleton) ");
        q.push_values(chunk, |mut row, vrm| {
            row.push_bind(*vrm).push_bind(skeleton(vrm));
        });
        // Ignored rows are not returned: only the VRMs new to the index.
        q.push(" RETURNING vrm");
        let new: Vec<String> = q.build_query_scalar().fetch_all(&mut *conn).await?;
        add_trigrams(conn, &new).await?;
    }
    Ok(())
}

/// Every trigram of a VRM, once each (a VRM shorter than three characters has none).
pub fn trigrams(vrm: &str) -> BTreeSet<&str> {
    (0..vrm.len().saturating_sub(2)).filter_map(|i| vrm.get(i..i + 3)).collect()
}

/// The trigrams every VRM matching a GLOB must hold: those of its literal runs. Used only for
/// patterns without a literal prefix; a prefix is answered by vrm_index's own order.
pub fn glob_trigrams(pattern: &str) -> BTreeSet<&str> {
    if !pattern.starts_with(['*', '?']) {
        return BTreeSet::new();
    }
    pattern.split(['*', '?']).flat_map(trigrams).collect()
}

async fn add_trigrams(conn: &mut SqliteConnection, vrms: &[String]) -> Result<()> {
    let postings: Vec<(&str, &str)> =
        vrms.iter().flat_map(|v| trigrams(v).into_iter().map(move |t| (t, v.as_str()))).collect();
    for chunk in postings.chunks(CHUNK) {
        let mut q = QueryBuilder::<Sqlite>::new("INSERT OR IGNORE INTO vrm_trigrams(trigram, vrm) ");
        q.push_values(chunk, |mut row, (trigram, vrm)| {
            row.push_bind(*trigram).push_bind(*vrm);
        });
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Fills an empty index from the reads (a store that had reads before the index existed), and
/// empty trigram postings from the index (one indexed before they existed).
pub async fn fill_if_empty(pool: &SqlitePool) -> Result<()> {
    let mut tx = super::begin_write(pool).await?;
    let (no_index, no_trigrams): (bool, bool) = sqlx::query_as(
        "SELECT NOT EXISTS (SELECT 1 FROM vrm_index) AND EXISTS (SELECT 1 FROM reads WHERE vrm IS NOT NULL),
                NOT EXISTS (SELECT 1 FROM vrm_trigrams) AND EXISTS (SELECT 1 FROM vrm_index WHERE length(vrm) >= 3)",
    )
    .fetch_one(&mut *tx)
    .await?;
    if no_index {
        let vrms: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT vrm FROM reads WHERE vrm IS NOT NULL").fetch_all(&mut *tx).await?;
        add(&mut tx, vrms.iter().map(String::as_str)).await?;
    } else if no_trigrams {
        let vrms: Vec<String> = sqlx::query_scalar("SELECT vrm FROM vrm_index").fetch_all(&mut *tx).await?;
        add_trigrams(&mut tx, &vrms).await?;
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

#[cfg(test)]
mod tests {
    use super::{glob_trigrams, trigrams};

    #[test]
    fn a_vrm_has_each_of_its_trigrams_once() {
        assert_eq!(trigrams("AB12CDE").into_iter().collect::<Vec<_>>(), ["12C", "2CD", "AB1", "B12", "CDE"]);
        assert_eq!(trigrams("AAAA").into_iter().collect::<Vec<_>>(), ["AAA"]);
        assert!(trigrams("AB").is_empty());
    }

    #[test]
    fn only_a_pattern_without_a_literal_prefix_uses_trigrams_of_runs_of_three_or_more() {
        assert_eq!(glob_trigrams("*12C*").into_iter().collect::<Vec<_>>(), ["12C"]);
        assert_eq!(glob_trigrams("?B12C*DE").into_iter().collect::<Vec<_>>(), ["12C", "B12"]);
        assert!(glob_trigrams("*12*").is_empty());
        assert!(glob_trigrams("AB1*").is_empty());
    }
}
