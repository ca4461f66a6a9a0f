//! ANPR Workstation core: the store of ANPR reads and images, the importer, NASPLE policy as
//! code, accounts and the tamper-evident audit trail. Every face (desktop app, CLI, tests,
//! benchmarks) goes through [`Workstation`] and [`Session`]: each user action is one
//! `session.something(..)` that checks policy, does the work in one transaction and appends
//! its audit entry in that same transaction.

pub mod accounts;
pub mod analysis;
pub mod audit;
pub mod blobs;
mod cameras;
mod check;
pub mod clock;
pub mod demo;
pub mod error;
pub mod evaluation;
pub mod evidence;
pub mod export;
mod fonts;
pub mod import;
pub mod investigations;
pub mod map;
mod pdf;
pub mod policy;
mod reads;
mod retention;
pub mod search;
mod session;
pub mod setup;
pub mod store;
pub mod time;
pub mod video;
pub mod vrm;

pub use anpr_types as types;
pub use check::StoreCheck;
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{AuthFailure, Error, Result};
pub use session::Session;

use blobs::Blobs;
use sqlx::SqlitePool;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The name of the system actor in the audit trail for actions no account performs.
pub const SYSTEM_ACTOR: &str = "(system)";

/// An open data directory: `anpr.db` and `blobs/`.
#[derive(Debug, Clone)]
pub struct Workstation {
    pool: SqlitePool,
    blobs: Blobs,
    data_dir: PathBuf,
    clock: Arc<dyn Clock>,
}

impl Workstation {
    /// Opens the data directory, creating it and bringing the schema up to date as needed.
    pub async fn open(data_dir: &Path, clock: Arc<dyn Clock>) -> Result<Self> {
        std::fs::create_dir_all(data_dir).map_err(|e| Error::io(format!("creating {}", data_dir.display()), e))?;
        let pool = store::open(&data_dir.join("anpr.db")).await?;
        let blobs = Blobs::open(data_dir.join("blobs"))?;
        Ok(Self { pool, blobs, data_dir: data_dir.to_owned(), clock })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The store's connection pool, for tests and benchmarks that inspect the database.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn blobs(&self) -> &Blobs {
        &self.blobs
    }

    /// Closes the pool, checkpointing the WAL.
    pub async fn close(self) {
        self.pool.close().await;
    }
}
