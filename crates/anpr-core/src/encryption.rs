//! Opening, creating and encrypting stores (encryption at rest; keys in [`crate::keyring`],
//! design in docs/encryption.md). A store is encrypted exactly when `keyring.json` is present.
//!
//! Encrypting an existing store happens beside it in `encrypting/` and then switches over by
//! renames; `encrypting/READY` marks the point of no return. Opening a data directory first
//! finishes an interrupted encryption: without `READY` the half-made copy is deleted (the
//! plaintext store was never touched), with it the switch-over is rolled forward. Either way a
//! crash at any moment loses nothing (tests below stop it after every step).

use crate::audit::{self, Outcome, Record};
use crate::blobs::{sha256_hex, sync_dir, write_atomically};
use crate::error::{Error, Result};
use crate::keyring::{DataKey, KEYRING_FILE, Keyring, RecoveryKey};
use crate::policy::roles::Privilege;
use crate::session::Session;
use crate::{Clock, Workstation, store};
use anpr_types::EncryptProgress;
use serde_json::json;
use sqlx::Connection;
use std::fs;
use std::path::Path;
use std::sync::Arc;

const DATABASE: &str = "anpr.db";
const WORK: &str = "encrypting";
const READY: &str = "READY";

/// What a data directory holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreState {
    /// No store yet: the first run creates one, encrypted.
    Empty,
    /// A store made before encryption at rest; an administrator encrypts it.
    Plain,
    Encrypted,
}

fn io(context: String) -> impl FnOnce(std::io::Error) -> Error {
    move |e| Error::io(context, e)
}

fn rename(from: &Path, to: &Path) -> Result<()> {
    fs::rename(from, to).map_err(io(format!("moving {} to {}", from.display(), to.display())))
}

impl Workstation {
    /// What `data_dir` holds, after finishing any encryption a crash interrupted and clearing
    /// away a store whose creation never reached its first account (nobody could open it).
    pub fn state(data_dir: &Path) -> Result<StoreState> {
        finish_interrupted(data_dir)?;
        if Keyring::exists(data_dir) && !Keyring::load(data_dir)?.has_accounts() {
            remove_store(data_dir);
        }
        Ok(if Keyring::exists(data_dir) {
            StoreState::Encrypted
        } else if data_dir.join(DATABASE).exists() {
            StoreState::Plain
        } else {
            StoreState::Empty
        })
    }

    /// Creates a new, empty, encrypted store (first run, `anpr setup`, `anpr demo`). Accounts
    /// added to it get a wrap of the data key under their password. The recovery key is
    /// returned once, to be shown once: it is stored nowhere.
    pub async fn create_encrypted(data_dir: &Path, clock: Arc<dyn Clock>) -> Result<(Self, RecoveryKey)> {
        if Self::state(data_dir)? != StoreState::Empty {
            return Err(Error::Invalid(format!("{} already holds a store", data_dir.display())));
        }
        fs::create_dir_all(data_dir).map_err(io(format!("creating {}", data_dir.display())))?;
        let key = DataKey::generate();
        let (ring, recovery) = Keyring::new(&key)?;
        // The keyring first: until an account is added to it the store is unfinished, and a
        // crash before that leaves nothing `state` does not clear away.
        ring.save(data_dir)?;
        let ws = Self::open_with_key(data_dir, clock, Some(key)).await?;
        Ok((ws, recovery))
    }

    /// The first run: a new encrypted store and its first administrator, logged in by the caller.
    /// The password is checked before anything is made; if the administrator cannot be created
    /// the new store is removed again, so the first run can simply be repeated.
    pub async fn create_with_administrator(
        data_dir: &Path,
        clock: Arc<dyn Clock>,
        username: &str,
        full_name: &str,
        organisation: &str,
        password: &str,
    ) -> Result<(Self, RecoveryKey)> {
        let ctx = crate::policy::password::PasswordContext { username, full_name, organisation };
        crate::policy::password::check(password, &ctx).map_err(Error::Refused)?;
        let (ws, recovery) = Self::create_encrypted(data_dir, clock).await?;
        if let Err(e) = ws.create_first_administrator(username, full_name, organisation, password).await {
            ws.close().await;
            remove_store(data_dir);
            return Err(e);
        }
        Ok((ws, recovery))
    }

    /// Opens a store with an account's password: for an encrypted store the password unwraps
    /// the data key (a wrong one is counted towards the account's lock, Appendix A 12); an
    /// unencrypted one just opens. The caller then logs in as usual: opening the store is not
    /// logging in, and the account's state (locked, suspended, expired) is checked there.
    pub async fn unlock(data_dir: &Path, clock: Arc<dyn Clock>, username: &str, password: &str) -> Result<Self> {
        match Self::state(data_dir)? {
            StoreState::Empty => {
                return Err(Error::NotFound(format!("no store in {}: set one up first", data_dir.display())));
            }
            StoreState::Plain => return Self::open_with_key(data_dir, clock, None).await,
            StoreState::Encrypted => {}
        }
        let now = store::to_ms(clock.now());
        let (dir, username, password) = (data_dir.to_owned(), username.to_owned(), password.to_owned());
        // Argon2id is deliberately slow: off the async workers.
        let key = tokio::task::spawn_blocking(move || -> Result<DataKey> {
            let mut ring = Keyring::load(&dir)?;
            let unlocked = ring.unlock(&username, &password, now);
            if unlocked.is_err() {
                ring.save(&dir)?;
            }
            unlocked
        })
        .await
        .map_err(|e| Error::Keyring(format!("unlocking failed: {e}")))??;
        let ws = Self::open_with_key(data_dir, clock, Some(key)).await?;
        ws.count_failures_made_while_closed().await?;
        Ok(ws)
    }

    /// Opens an encrypted store with its recovery key, when no administrator's password is
    /// known; then [`Workstation::recover_administrator`].
    pub async fn unlock_with_recovery_key(data_dir: &Path, clock: Arc<dyn Clock>, typed: &str) -> Result<Self> {
        if Self::state(data_dir)? != StoreState::Encrypted {
            return Err(Error::Invalid(format!("{} holds no encrypted store", data_dir.display())));
        }
        let key = Keyring::load(data_dir)?.unlock_with_recovery_key(typed)?;
        let ws = Self::open_with_key(data_dir, clock, Some(key)).await?;
        ws.count_failures_made_while_closed().await?;
        Ok(ws)
    }

    /// Gives an administrator account a temporary password (changed at next login, App. A 13)
    /// and unlocks and reactivates it: the way back in with the recovery key. Audited.
    pub async fn recover_administrator(&self, username: &str, temporary_password: &str) -> Result<()> {
        let mut tx = store::begin_write(&self.pool).await?;
        let row = store::users::by_name(&mut tx, username)
            .await?
            .filter(|r| r.role == anpr_types::Role::Administrator.as_str())
            .ok_or_else(|| Error::NotFound(format!("no administrator account named {username}")))?;
        self.check_temporary_password(&mut tx, &row, temporary_password).await?;
        let hash = crate::accounts::hash_blocking(temporary_password).await?;
        self.add_password_wrap(username, temporary_password).await?;
        let now = self.now();
        store::users::set_password(&mut tx, row.id, &hash, true, store::to_ms(now)).await?;
        store::users::set_locked(&mut tx, row.id, false).await?;
        store::users::set_suspended(&mut tx, row.id, false, store::to_ms(now)).await?;
        let record = Record::new("(recovery key)", "account.recover_administrator", username, Outcome::Success);
        audit::append(&mut tx, now, record).await?;
        tx.commit().await?;
        self.keep_newest_wrap(username).await
    }

    /// Wraps the data key under `password` for `username` (new account, new or temporary
    /// password); nothing for an unencrypted store. Call inside the write transaction that
    /// stores the password, and [`Workstation::keep_newest_wrap`] after its commit.
    pub(crate) async fn add_password_wrap(&self, username: &str, password: &str) -> Result<()> {
        let (username, password) = (username.to_owned(), password.to_owned());
        self.update_keyring(move |ring, key| ring.add_password(&username, &password, key)).await
    }

    pub(crate) async fn keep_newest_wrap(&self, username: &str) -> Result<()> {
        let username = username.to_owned();
        self.update_keyring(move |ring, _| {
            ring.keep_newest(&username);
            Ok(())
        })
        .await
    }

    async fn update_keyring(
        &self,
        change: impl FnOnce(&mut Keyring, &DataKey) -> Result<()> + Send + 'static,
    ) -> Result<()> {
        let Some(key) = self.key.clone() else { return Ok(()) };
        let _guard = self.keyring_lock.lock().await;
        let dir = self.data_dir.clone();
        tokio::task::spawn_blocking(move || {
            let mut ring = Keyring::load(&dir)?;
            change(&mut ring, &key)?;
            ring.save(&dir)
        })
        .await
        .map_err(|e| Error::Keyring(format!("updating the keyring failed: {e}")))?
    }

    /// Counts and audits the wrong passwords tried while the store was closed, as if they had
    /// been tried at a login (Appendix A 12), so closing the store never resets the count.
    async fn count_failures_made_while_closed(&self) -> Result<()> {
        let _guard = self.keyring_lock.lock().await;
        let mut ring = Keyring::load(&self.data_dir)?;
        let pending = ring.take_failures();
        if pending.accounts.is_empty() && pending.unknown.is_empty() {
            return Ok(());
        }
        let now = self.now();
        let mut tx = store::begin_write(&self.pool).await?;
        let users = store::users::all(&mut tx).await?;
        for (id, at) in &pending.accounts {
            let Some(user) = users.iter().find(|u| ring.account_id(&u.username) == *id) else { continue };
            let row = store::users::by_name(&mut tx, &user.username).await?.unwrap_or_else(|| user.clone());
            let (failed, failure) = crate::accounts::count_wrong_password(&mut tx, &row).await?;
            let details = json!({ "reason": "wrong password", "details": {
                "while": "the store was closed", "attempted_at": store::from_ms(*at).to_rfc3339(),
                "failed_attempts": failed, "locked": failure == crate::AuthFailure::Locked } });
            let record = Record::new(&row.username, "login", &row.username, Outcome::Failed).details(details);
            audit::append(&mut tx, now, record).await?;
        }
        for at in &pending.unknown {
            let details = json!({ "reason": "unknown user", "details": {
                "while": "the store was closed (the name tried is not kept)",
                "attempted_at": store::from_ms(*at).to_rfc3339() } });
            audit::append(
                &mut tx,
                now,
                Record::new("(unknown)", "login", "(unknown)", Outcome::Failed).details(details),
            )
            .await?;
        }
        // The keyring is cleared only once the count is safely in the database.
        tx.commit().await?;
        ring.save(&self.data_dir)
    }
}

/// Removes a store that never had an account: the keyring first, without which what is left
/// is no store at all. Best effort: leftovers are cleared again by the next [`Workstation::state`].
fn remove_store(data_dir: &Path) {
    for file in [KEYRING_FILE, DATABASE, "anpr.db-wal", "anpr.db-shm"] {
        let _ = fs::remove_file(data_dir.join(file));
    }
    let _ = fs::remove_dir_all(data_dir.join("blobs"));
}

impl Session {
    /// Encrypts this unencrypted store in place (administrators; 8.11.4). Every account keeps
    /// its password; the recovery key is returned to be shown once. The store is closed at the
    /// end: everyone, this administrator too, logs in again (opening the encrypted store).
    pub async fn encrypt_store(&self, progress: &mut (dyn FnMut(EncryptProgress) + Send)) -> Result<RecoveryKey> {
        self.authorise(Privilege::Administer, "store.encrypt", "data directory").await?;
        let ws = self.workstation();
        if ws.encrypted() {
            return Err(Error::Invalid("the store is already encrypted".into()));
        }
        let dir = ws.data_dir().to_owned();
        // Every connection closes (the WAL is checkpointed into the file) before the copy.
        ws.pool.close().await;
        let key = DataKey::generate();
        let recovery = prepare(&dir, &key, progress).await?;
        switch_over(&dir, usize::MAX)?;
        let encrypted = Workstation::open_with_key(&dir, ws.clock.clone(), Some(key)).await?;
        let mut tx = store::begin_write(&encrypted.pool).await?;
        let record = Record::new(&self.actor().username, "store.encrypt", "data directory", Outcome::Success)
            .details(json!({ "database": "SQLCipher", "images": "XChaCha20-Poly1305" }));
        audit::append(&mut tx, encrypted.now(), record).await?;
        tx.commit().await?;
        encrypted.close().await;
        Ok(recovery)
    }
}

/// Writes the encrypted copy of the store in `encrypting/` and marks it `READY`.
async fn prepare(dir: &Path, key: &DataKey, progress: &mut (dyn FnMut(EncryptProgress) + Send)) -> Result<RecoveryKey> {
    let work = dir.join(WORK);
    if work.exists() {
        fs::remove_dir_all(&work).map_err(io(format!("removing {}", work.display())))?;
    }
    fs::create_dir_all(work.join("blobs")).map_err(io(format!("creating {}", work.display())))?;
    let (mut ring, recovery) = Keyring::new(key)?;

    // ATTACH opens with the main connection's flags: "create" lets it make the encrypted copy.
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(dir.join(DATABASE)).create_if_missing(true);
    let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
    // Leaving WAL mode needs the only connection to the file: once it succeeds, no connection
    // closed a moment ago lingers that could, on closing, remove `anpr.db-wal` by name after the
    // switch-over (it would be the encrypted store's). sqlx finishes closing connections in the
    // background, and SQLite does not wait for this lock, so try again for a while.
    let mut tries = 0;
    loop {
        match sqlx::query("PRAGMA journal_mode = DELETE").execute(&mut conn).await {
            Ok(_) => break,
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("5") && tries < 200 => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("5") => {
                return Err(Error::Invalid(
                    "the store is in use by another program: close every other ANPR Workstation window and command, then encrypt".into(),
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let target = work.join(DATABASE);
    let target = target.to_str().ok_or_else(|| Error::Invalid("the data directory's path is not UTF-8".into()))?;
    sqlx::query("ATTACH DATABASE ? AS encrypted KEY ?")
        .bind(target)
        .bind(key.database_key().as_str())
        .execute(&mut conn)
        .await?;
    sqlx::query("SELECT sqlcipher_export('encrypted')").execute(&mut conn).await?;
    sqlx::query("DETACH DATABASE encrypted").execute(&mut conn).await?;
    for user in store::users::all(&mut conn).await? {
        ring.add_password_hash(&user.username, &user.password_hash, key)?;
    }
    conn.close().await?;

    let cipher = key.blob_cipher();
    let blobs = crate::check::scan_blobs(&dir.join("blobs"))?;
    let total = blobs.blobs.len() as u64;
    for (done, name) in blobs.blobs.iter().enumerate() {
        let from = dir.join("blobs").join(&name[..2]).join(name);
        let bytes = fs::read(&from).map_err(io(format!("reading {}", from.display())))?;
        if sha256_hex(&bytes) != *name {
            return Err(Error::Invalid(format!(
                "image {name} is corrupt (its contents no longer match its hash): the store was not encrypted; run `anpr check`"
            )));
        }
        let folder = work.join("blobs").join(&name[..2]);
        fs::create_dir_all(&folder).map_err(io(format!("creating {}", folder.display())))?;
        write_atomically(&folder.join(name), &cipher.seal(name, &bytes)?)?;
        progress(EncryptProgress { done: done as u64 + 1, total });
    }
    ring.save(&work)?;
    sync_dir(&work.join("blobs"))?;
    write_atomically(&work.join(READY), b"")?;
    Ok(recovery)
}

/// One rename of the switch-over, if its source is still there.
fn moves(dir: &Path) -> Vec<(std::path::PathBuf, std::path::PathBuf)> {
    let work = dir.join(WORK);
    let mut moves = Vec::new();
    if work.join(DATABASE).exists() {
        // The plaintext database and its journal files go aside before the new one comes in.
        for suffix in ["-wal", "-shm", ""] {
            let plain = dir.join(format!("{DATABASE}{suffix}"));
            if plain.exists() {
                moves.push((plain, work.join(format!("plain.db{suffix}"))));
            }
        }
        moves.push((work.join(DATABASE), dir.join(DATABASE)));
    }
    let blobs = work.join("blobs");
    if blobs.exists() {
        if dir.join("blobs").exists() {
            moves.push((dir.join("blobs"), work.join("plain-blobs")));
        }
        moves.push((blobs, dir.join("blobs")));
    }
    if work.join(KEYRING_FILE).exists() {
        moves.push((work.join(KEYRING_FILE), dir.join(KEYRING_FILE)));
    }
    moves
}

/// Puts the prepared encrypted store in place (at most `limit` renames: the tests stop here),
/// then deletes the plaintext copy. Safe to repeat from any point: each rename is atomic and
/// is planned only while its source exists.
fn switch_over(dir: &Path, limit: usize) -> Result<()> {
    let planned = moves(dir);
    for (from, to) in planned.iter().take(limit) {
        rename(from, to)?;
    }
    if limit < planned.len() {
        return Ok(());
    }
    sync_dir(dir)?;
    let work = dir.join(WORK);
    fs::remove_dir_all(&work).map_err(io(format!("removing {}", work.display())))
}

fn finish_interrupted(dir: &Path) -> Result<()> {
    let work = dir.join(WORK);
    if !work.exists() {
        return Ok(());
    }
    if work.join(READY).exists() {
        switch_over(dir, usize::MAX)
    } else {
        fs::remove_dir_all(&work).map_err(io(format!("removing {}", work.display())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FixedClock;
    use crate::demo::DemoOptions;
    use crate::setup::DEMO_PASSWORD;

    fn clock() -> Arc<FixedClock> {
        Arc::new(FixedClock::new(chrono::Utc::now()))
    }

    /// A small unencrypted demo store (accounts, reads, images, audit) in `dir`.
    async fn plain_demo(dir: &Path) -> Vec<i64> {
        let ws = Workstation::open(dir, clock()).await.unwrap();
        let options = DemoOptions { seed: 7, reads: 300, images: true, anchor: chrono::Utc::now() };
        ws.create_demo(&options, &dir.join("work"), &mut |_| {}).await.unwrap();
        let counts = counts(&ws).await;
        ws.close().await;
        counts
    }

    async fn counts(ws: &Workstation) -> Vec<i64> {
        let mut counts = Vec::new();
        for table in ["users", "reads", "images", "audit", "cameras"] {
            let sql = format!("SELECT count(*) FROM {table}");
            counts.push(sqlx::query_scalar(&sql).fetch_one(ws.pool()).await.unwrap());
        }
        counts
    }

    fn copy_dir(from: &Path, to: &Path) {
        for entry in walkdir::WalkDir::new(from) {
            let entry = entry.unwrap();
            let target = to.join(entry.path().strip_prefix(from).unwrap());
            if entry.file_type().is_dir() {
                fs::create_dir_all(&target).unwrap();
            } else {
                fs::copy(entry.path(), &target).unwrap();
            }
        }
    }

    #[tokio::test]
    async fn encrypting_a_store_stopped_after_any_step_loses_nothing() {
        let root = tempfile::tempdir().unwrap();
        let original = root.path().join("original");
        let before = plain_demo(&original).await;
        let key = DataKey::generate();
        prepare(&original, &key, &mut |_| {}).await.unwrap();
        let steps = moves(&original).len();
        assert_eq!(steps, 5, "plaintext database aside, new in, blobs aside, new in, keyring in");

        // Stopped while preparing (no READY yet): the copy is dropped, the plain store opens.
        let stopped = root.path().join("preparing");
        copy_dir(&original, &stopped);
        fs::remove_file(stopped.join(WORK).join(READY)).unwrap();
        assert_eq!(Workstation::state(&stopped).unwrap(), StoreState::Plain);
        assert!(!stopped.join(WORK).exists());
        let ws = Workstation::unlock(&stopped, clock(), "demo.admin", DEMO_PASSWORD).await.unwrap();
        assert_eq!(counts(&ws).await, before);
        ws.close().await;

        // Stopped after each rename of the switch-over: rolled forward, encrypted, all there.
        for limit in 0..=steps {
            let stopped = root.path().join(format!("switch-{limit}"));
            copy_dir(&original, &stopped);
            switch_over(&stopped, limit).unwrap();
            assert_eq!(Workstation::state(&stopped).unwrap(), StoreState::Encrypted, "after {limit} renames");
            assert!(!stopped.join(WORK).exists());
            assert!(matches!(Workstation::open(&stopped, clock()).await, Err(Error::StoreLocked(_))));
            let ws = Workstation::unlock(&stopped, clock(), "demo.investigator", DEMO_PASSWORD).await.unwrap();
            assert_eq!(counts(&ws).await, before, "after {limit} renames");
            let report = ws.check_store().await.unwrap();
            assert!(report.ok(), "after {limit} renames: {:?}", report.problems());
            ws.close().await;
        }
    }
}
