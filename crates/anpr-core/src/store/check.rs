//! SQL of the store check (`check`): SQLite's own integrity check, row counts of the tables
//! user operations write, and the image hashes the blob folder must hold.

use crate::error::Result;
use sqlx::SqliteConnection;

/// `PRAGMA integrity_check`: one row `ok`, or one row per problem found.
pub async fn integrity(conn: &mut SqliteConnection) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar("PRAGMA integrity_check").fetch_all(conn).await?)
}

/// Row counts by table, in a fixed order: what imports, retention runs, casework and
/// disclosures write. One static statement, so no table name is ever formatted into SQL.
pub async fn counts(conn: &mut SqliteConnection) -> Result<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT 'audit', count(*) FROM audit
         UNION ALL SELECT 'cameras', count(*) FROM cameras
         UNION ALL SELECT 'corrections', count(*) FROM corrections
         UNION ALL SELECT 'disclosures', count(*) FROM disclosures
         UNION ALL SELECT 'exhibits', count(*) FROM exhibits
         UNION ALL SELECT 'image_deletions', count(*) FROM image_deletions
         UNION ALL SELECT 'images', count(*) FROM images
         UNION ALL SELECT 'imports', count(*) FROM imports
         UNION ALL SELECT 'investigations', count(*) FROM investigations
         UNION ALL SELECT 'packages', count(*) FROM packages
         UNION ALL SELECT 'packages_issued', count(*) FROM packages WHERE status = 'issued'
         UNION ALL SELECT 'reads', count(*) FROM reads
         UNION ALL SELECT 'retention_runs', count(*) FROM retention_runs
         UNION ALL SELECT 'retentions', count(*) FROM retentions
         UNION ALL SELECT 'users', count(*) FROM users
         UNION ALL SELECT 'vrm_index', count(*) FROM vrm_index",
    )
    .fetch_all(conn)
    .await?)
}

/// Every image record's SHA-256: each must have its file in `blobs/`.
pub async fn image_hashes(conn: &mut SqliteConnection) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT sha256 FROM images").fetch_all(conn).await?)
}
