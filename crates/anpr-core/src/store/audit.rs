//! SQL of the audit table. The chain logic is in `crate::audit`.

use crate::error::Result;
use sqlx::{FromRow, SqliteConnection};

#[derive(Debug, Clone, FromRow)]
pub struct Row {
    pub seq: i64,
    pub time: i64,
    pub user: String,
    pub action: String,
    pub object: String,
    pub justification: Option<String>,
    pub authority: Option<String>,
    pub outcome: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The last entry's sequence number and hash, if any.
pub async fn head(conn: &mut SqliteConnection) -> Result<Option<(i64, String)>> {
    Ok(sqlx::query_as("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetch_optional(conn).await?)
}

pub async fn insert(conn: &mut SqliteConnection, row: &Row) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit(seq, time, user, action, object, justification, authority, outcome, details, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(row.seq)
    .bind(row.time)
    .bind(&row.user)
    .bind(&row.action)
    .bind(&row.object)
    .bind(&row.justification)
    .bind(&row.authority)
    .bind(&row.outcome)
    .bind(&row.details)
    .bind(&row.prev_hash)
    .bind(&row.hash)
    .execute(conn)
    .await?;
    Ok(())
}

/// Entries in sequence order, a page at a time (the trail can be long).
pub async fn page(conn: &mut SqliteConnection, after_seq: i64, limit: i64) -> Result<Vec<Row>> {
    Ok(sqlx::query_as("SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?")
        .bind(after_seq)
        .bind(limit)
        .fetch_all(conn)
        .await?)
}

/// Entries whose time is in `[from, to)`, in sequence order.
pub async fn period(conn: &mut SqliteConnection, from_ms: i64, to_ms: i64) -> Result<Vec<Row>> {
    Ok(sqlx::query_as("SELECT * FROM audit WHERE time >= ? AND time < ? ORDER BY seq")
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(conn)
        .await?)
}

/// The successful searches (analyses and exports included) made for an investigation, oldest
/// first (the bundle's scope).
pub async fn searches_for(conn: &mut SqliteConnection, investigation: &str, limit: i64) -> Result<Vec<Row>> {
    Ok(sqlx::query_as(
        "SELECT * FROM (SELECT * FROM audit WHERE action IN ('search', 'export') AND object = ? AND outcome = 'success'
                        ORDER BY seq DESC LIMIT ?) ORDER BY seq",
    )
    .bind(investigation)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}
