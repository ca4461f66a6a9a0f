//! The SQLite store: one pool, WAL, embedded forward-only migrations. All SQL of the core
//! lives in this module's children, one per table family.

pub mod analysis;
pub mod audit;
pub mod cameras;
pub mod check;
pub mod corrections;
pub mod evaluation;
pub mod evidence;
pub mod images;
pub mod imports;
pub mod investigations;
pub mod reads;
pub mod retention;
pub mod settings;
pub mod users;
pub mod vrm_index;

use crate::error::Result;
use crate::keyring::DataKey;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::path::Path;
use std::time::Duration;

pub type Tx = Transaction<'static, Sqlite>;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// Opens (creating if needed) the database and brings its schema up to date. With a key the
/// database is SQLCipher's (sqlx sets `key` before any other pragma).
pub async fn open(path: &Path, key: Option<&DataKey>) -> Result<SqlitePool> {
    let mut options = SqliteConnectOptions::new();
    if let Some(key) = key {
        options = options.pragma("key", key.database_pragma().to_string());
    }
    let options = options
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // WAL + NORMAL: a power cut may lose the last commits but never corrupts the file.
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(30))
        // 64 MiB page cache per connection: index inserts of a large import stay in memory.
        .pragma("cache_size", "-65536")
        .pragma("temp_store", "memory");
    let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
    MIGRATOR.run(&pool).await?;
    vrm_index::fill_if_empty(&pool).await?;
    Ok(pool)
}

/// A write transaction that takes the write lock at once, so two writers never deadlock on
/// upgrading a read lock and the audit chain's "previous hash" cannot change underneath it.
pub async fn begin_write(pool: &SqlitePool) -> Result<Tx> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}

/// Milliseconds since the epoch, UTC: the store's time representation.
pub fn to_ms(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn from_ms(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
