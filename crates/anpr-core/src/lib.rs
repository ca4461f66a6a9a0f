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
mod encryption;
pub mod error;
pub mod evaluation;
pub mod evidence;
pub mod export;
mod fonts;
pub mod import;
pub mod investigations;
pub mod keyring;
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
pub use encryption::StoreState;
pub use error::{AuthFailure, Error, Result};
pub use session::Session;

use blobs::Blobs;
use sqlx::SqlitePool;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The name of the system actor in the audit trail for actions no account performs.
pub const SYSTEM_ACTOR: &str = "(system)";

/// An open data directory: `anpr.db`, `blobs/` and, when encrypted, `keyring.json`.
#[derive(Debug, Clone)]
pub struct Workstation {
    pool: SqlitePool,
    blobs: Blobs,
    data_dir: PathBuf,
    clock: Arc<dyn Clock>,
    /// The data key of an encrypted store, to wrap it for new passwords (None: not encrypted).
    key: Option<Arc<keyring::DataKey>>,
    /// Serialises this process's read-modify-write of `keyring.json`.
    keyring_lock: Arc<tokio::sync::Mutex<()>>,
}

impl Workstation {
    /// Opens a data directory that is not encrypted, creating an empty unencrypted store if there
    /// is none: stores made before encryption, tests and benchmarks. The app and the CLI make
    /// new stores with [`Workstation::create_encrypted`] and open encrypted ones with
    /// [`Workstation::unlock`]; here an encrypted store is refused.
    pub async fn open(data_dir: &Path, clock: Arc<dyn Clock>) -> Result<Self> {
        if Self::state(data_dir)? == StoreState::Encrypted {
            return Err(Error::StoreLocked(data_dir.display().to_string()));
        }
        Self::open_with_key(data_dir, clock, None).await
    }

    async fn open_with_key(data_dir: &Path, clock: Arc<dyn Clock>, key: Option<keyring::DataKey>) -> Result<Self> {
        std::fs::create_dir_all(data_dir).map_err(|e| Error::io(format!("creating {}", data_dir.display()), e))?;
        let pool = store::open(&data_dir.join("anpr.db"), key.as_ref()).await?;
        let blobs = Blobs::open(data_dir.join("blobs"), key.as_ref().map(keyring::DataKey::blob_cipher))?;
        Ok(Self {
            pool,
            blobs,
            data_dir: data_dir.to_owned(),
            clock,
            key: key.map(Arc::new),
            keyring_lock: Arc::default(),
        })
    }

    /// Whether the store's database and images are encrypted.
    pub fn encrypted(&self) -> bool {
        self.key.is_some()
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
