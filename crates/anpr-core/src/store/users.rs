//! SQL of accounts and password history.

use crate::error::Result;
use sqlx::{FromRow, SqliteConnection};

#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: String,
    pub rank: String,
    pub password_hash: String,
    pub password_set_at: i64,
    pub must_change: bool,
    pub failed_attempts: i64,
    pub locked: bool,
    pub suspended: bool,
    pub last_login_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug)]
pub struct NewUserRow<'a> {
    pub username: &'a str,
    pub full_name: &'a str,
    pub role: &'a str,
    pub rank: &'a str,
    pub password_hash: &'a str,
    pub must_change: bool,
    pub now: i64,
}

pub async fn by_name(conn: &mut SqliteConnection, username: &str) -> Result<Option<UserRow>> {
    Ok(sqlx::query_as("SELECT * FROM users WHERE username = ?").bind(username).fetch_optional(conn).await?)
}

pub async fn all(conn: &mut SqliteConnection) -> Result<Vec<UserRow>> {
    Ok(sqlx::query_as("SELECT * FROM users ORDER BY username").fetch_all(conn).await?)
}

pub async fn count(conn: &mut SqliteConnection) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(conn).await?)
}

pub async fn insert(conn: &mut SqliteConnection, u: &NewUserRow<'_>) -> Result<i64> {
    let id = sqlx::query(
        "INSERT INTO users(username, full_name, role, rank, password_hash, password_set_at, must_change, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(u.username)
    .bind(u.full_name)
    .bind(u.role)
    .bind(u.rank)
    .bind(u.password_hash)
    .bind(u.now)
    .bind(u.must_change)
    .bind(u.now)
    .execute(&mut *conn)
    .await?
    .last_insert_rowid();
    add_history(conn, id, u.password_hash, u.now).await?;
    Ok(id)
}

async fn add_history(conn: &mut SqliteConnection, user_id: i64, hash: &str, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO password_history(user_id, password_hash, set_at) VALUES (?, ?, ?)")
        .bind(user_id)
        .bind(hash)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// The most recent password hashes, newest first (current one included).
pub async fn recent_hashes(conn: &mut SqliteConnection, user_id: i64, depth: usize) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT password_hash FROM password_history WHERE user_id = ? ORDER BY set_at DESC, id DESC LIMIT ?",
    )
    .bind(user_id)
    .bind(depth as i64)
    .fetch_all(conn)
    .await?)
}

/// Hashes of the current passwords of the person's other accounts (same full name), so one
/// person does not use one password for two accounts (Appendix A).
pub async fn other_accounts_hashes(conn: &mut SqliteConnection, user_id: i64, full_name: &str) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT password_hash FROM users WHERE full_name = ? COLLATE NOCASE AND id <> ?")
        .bind(full_name)
        .bind(user_id)
        .fetch_all(conn)
        .await?)
}

pub async fn set_password(
    conn: &mut SqliteConnection,
    user_id: i64,
    hash: &str,
    must_change: bool,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE users SET password_hash = ?, password_set_at = ?, must_change = ?, failed_attempts = 0 WHERE id = ?",
    )
    .bind(hash)
    .bind(now)
    .bind(must_change)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    add_history(conn, user_id, hash, now).await
}

pub async fn record_failure(conn: &mut SqliteConnection, user_id: i64, lock: bool) -> Result<()> {
    sqlx::query("UPDATE users SET failed_attempts = failed_attempts + 1, locked = locked OR ? WHERE id = ?")
        .bind(lock)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn record_login(conn: &mut SqliteConnection, user_id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE users SET failed_attempts = 0, last_login_at = ? WHERE id = ?")
        .bind(now)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_locked(conn: &mut SqliteConnection, user_id: i64, locked: bool) -> Result<()> {
    sqlx::query("UPDATE users SET locked = ?, failed_attempts = 0 WHERE id = ?")
        .bind(locked)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Suspends or reactivates. Reactivating counts as use, so the 90 days start again.
pub async fn set_suspended(conn: &mut SqliteConnection, user_id: i64, suspended: bool, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE users SET suspended = ?, last_login_at = CASE WHEN ? THEN last_login_at ELSE ? END WHERE id = ?",
    )
    .bind(suspended)
    .bind(suspended)
    .bind(now)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_role(conn: &mut SqliteConnection, user_id: i64, role: &str, rank: &str) -> Result<()> {
    sqlx::query("UPDATE users SET role = ?, rank = ? WHERE id = ?")
        .bind(role)
        .bind(rank)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}
