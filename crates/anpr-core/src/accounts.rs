//! Accounts: login with lockout, expiry, temporary passwords and inactivity suspension
//! (NASPLE Appendix A, 9.3.2), password changes, and the administrator's account operations.
//! Passwords are kept only as Argon2id hashes (Appendix A 7).

use crate::Workstation;
use crate::audit::{self, Outcome, Record};
use crate::error::{AuthFailure, Error, Result};
use crate::policy::{self, accounts as rules, password::PasswordContext, roles::Privilege};
use crate::session::{Actor, Session};
use crate::store::{self, users::UserRow};
use anpr_types::{Rank, Role, UserInfo};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use chrono::SecondsFormat;
use serde_json::json;
use sqlx::SqliteConnection;

/// Settings key of the organisation's name, which passwords may not be based on (App. A 8).
pub const ORGANISATION_KEY: &str = "organisation";

pub(crate) fn hash_password(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::Invalid(format!("password hashing failed: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default().verify_password(password.as_bytes(), hash).is_ok()
}

/// Argon2 is deliberately slow: keep it off the async worker threads.
async fn verify_blocking(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || verify_password(&password, &hash)).await.unwrap_or(false)
}

pub(crate) async fn hash_blocking(password: &str) -> Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| Error::Invalid(format!("password hashing failed: {e}")))?
}

fn parse_role(row: &UserRow) -> Result<(Role, Rank)> {
    let role = row.role.parse().map_err(Error::Invalid)?;
    let rank = row.rank.parse().map_err(Error::Invalid)?;
    Ok((role, rank))
}

fn info(row: &UserRow) -> Result<UserInfo> {
    let (role, rank) = parse_role(row)?;
    let rfc = |ms| store::from_ms(ms).to_rfc3339_opts(SecondsFormat::Secs, true);
    Ok(UserInfo {
        username: row.username.clone(),
        full_name: row.full_name.clone(),
        role,
        rank,
        locked: row.locked,
        suspended: row.suspended,
        must_change_password: row.must_change,
        last_login: row.last_login_at.map(rfc),
        password_expires: rfc(store::to_ms(rules::password_expires(store::from_ms(row.password_set_at)))),
    })
}

/// Counts a wrong password against the account: the 5th in a row locks it (Appendix A 12).
pub(crate) async fn count_wrong_password(conn: &mut SqliteConnection, row: &UserRow) -> Result<(u32, AuthFailure)> {
    let failed = row.failed_attempts as u32 + 1;
    let lock = failed >= rules::MAX_FAILED_LOGINS;
    store::users::record_failure(conn, row.id, lock).await?;
    let failure =
        if lock { AuthFailure::Locked } else { AuthFailure::WrongPassword { remaining: rules::attempts_left(failed) } };
    Ok((failed, failure))
}

/// A new account as an administrator enters it.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub rank: Rank,
    /// A temporary password; the user must change it at first login (App. A 13).
    pub temporary_password: String,
}

impl Workstation {
    async fn organisation(&self, conn: &mut SqliteConnection) -> Result<String> {
        Ok(store::settings::get(conn, ORGANISATION_KEY).await?.unwrap_or_default())
    }

    /// Checks a new password for `row` against every Appendix A rule: content (App. A 6, 8),
    /// the last 10 passwords (App. A 9) and the person's other accounts (App. A 11).
    async fn check_new_password(&self, conn: &mut SqliteConnection, row: &UserRow, new: &str) -> Result<()> {
        self.check_temporary_password(conn, row, new).await?;
        for old in store::users::recent_hashes(conn, row.id, policy::password::HISTORY_DEPTH).await? {
            if verify_blocking(new, &old).await {
                return Err(Error::refused(
                    "Appendix A 9",
                    "the password is the same as one of the previous 10",
                    "choose a password not used for this account before",
                ));
            }
        }
        for other in store::users::other_accounts_hashes(conn, row.id, &row.full_name).await? {
            if verify_blocking(new, &other).await {
                return Err(Error::refused(
                    "Appendix A 11",
                    "the password is used for another account of the same person",
                    "use a different password for each of your accounts",
                ));
            }
        }
        Ok(())
    }

    /// Checks a temporary password an administrator sets for `row` against Appendix A 6 and 8.
    pub(crate) async fn check_temporary_password(
        &self,
        conn: &mut SqliteConnection,
        row: &UserRow,
        password: &str,
    ) -> Result<()> {
        let organisation = self.organisation(conn).await?;
        let ctx = PasswordContext { username: &row.username, full_name: &row.full_name, organisation: &organisation };
        policy::password::check(password, &ctx).map_err(Error::Refused)
    }

    /// Whether the store has no account yet: the first run, which creates the first
    /// administrator ([`Workstation::create_first_administrator`]).
    pub async fn needs_first_administrator(&self) -> Result<bool> {
        Ok(store::users::count(&mut *self.pool.acquire().await?).await? == 0)
    }

    /// Creates the first administrator of an empty store (first run). Refused once any account exists.
    pub async fn create_first_administrator(
        &self,
        username: &str,
        full_name: &str,
        organisation: &str,
        password: &str,
    ) -> Result<()> {
        let mut tx = store::begin_write(&self.pool).await?;
        if store::users::count(&mut tx).await? > 0 {
            return Err(Error::Invalid("the store already has accounts; an administrator must add new ones".into()));
        }
        store::settings::set(&mut tx, ORGANISATION_KEY, organisation).await?;
        let ctx = PasswordContext { username, full_name, organisation };
        policy::password::check(password, &ctx).map_err(Error::Refused)?;
        let hash = hash_blocking(password).await?;
        let now = self.now();
        let row = store::users::NewUserRow {
            username,
            full_name,
            role: Role::Administrator.as_str(),
            rank: Rank::None.as_str(),
            password_hash: &hash,
            must_change: false,
            now: store::to_ms(now),
        };
        store::users::insert(&mut tx, &row).await?;
        self.add_password_wrap(username, password).await?;
        let record = Record::new(crate::SYSTEM_ACTOR, "account.create_first_administrator", username, Outcome::Success)
            .details(json!({ "organisation": organisation }));
        audit::append(&mut tx, now, record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Logs in. Failures are audited and counted: the 5th locks the account (App. A 12). An
    /// expired or temporary password is refused with `PasswordChangeRequired` (App. A 12, 13);
    /// the user then calls [`Workstation::change_password`].
    pub async fn login(&self, username: &str, password: &str) -> Result<Session> {
        let now = self.now();
        let row = store::users::by_name(&mut *self.pool.acquire().await?, username).await?;
        let verified = match &row {
            Some(row) if !row.locked && !row.suspended => verify_blocking(password, &row.password_hash).await,
            _ => false,
        };
        let mut tx = store::begin_write(&self.pool).await?;
        let fail = |reason: &str, details: serde_json::Value| {
            Record::new(username, "login", username, Outcome::Failed)
                .details(json!({ "reason": reason, "details": details }))
        };
        let Some(row) = row else {
            audit::append(&mut tx, now, fail("unknown user", json!(null))).await?;
            tx.commit().await?;
            return Err(AuthFailure::UnknownUser.into());
        };
        if row.locked {
            audit::append(&mut tx, now, fail("account locked", json!(null))).await?;
            tx.commit().await?;
            return Err(AuthFailure::Locked.into());
        }
        if row.suspended {
            audit::append(&mut tx, now, fail("account suspended", json!(null))).await?;
            tx.commit().await?;
            return Err(
                AuthFailure::Suspended { reason: "suspended by an administrator or for inactivity".into() }.into()
            );
        }
        let last_used = store::from_ms(row.last_login_at.unwrap_or(row.created_at));
        if rules::inactive(last_used, now) {
            store::users::set_suspended(&mut tx, row.id, true, store::to_ms(now)).await?;
            audit::append(
                &mut tx,
                now,
                Record::new(crate::SYSTEM_ACTOR, "account.suspend", username, Outcome::Success)
                    .details(json!({ "reason": "not used for 90 days (NASPLE 9.3.2)" })),
            )
            .await?;
            audit::append(&mut tx, now, fail("account suspended", json!("unused for 90 days"))).await?;
            tx.commit().await?;
            return Err(AuthFailure::Suspended { reason: "not used for 90 days".into() }.into());
        }
        if !verified {
            let (failed, failure) = count_wrong_password(&mut tx, &row).await?;
            let locked = failure == AuthFailure::Locked;
            audit::append(&mut tx, now, fail("wrong password", json!({ "failed_attempts": failed, "locked": locked })))
                .await?;
            tx.commit().await?;
            return Err(failure.into());
        }
        let change_reason = if row.must_change {
            Some("a temporary password must be changed at first login (NASPLE Appendix A 13)")
        } else if rules::password_expired(store::from_ms(row.password_set_at), now) {
            Some("the password has expired after one year (NASPLE Appendix A 12)")
        } else {
            None
        };
        if let Some(reason) = change_reason {
            store::users::record_login(&mut tx, row.id, store::to_ms(now)).await?;
            audit::append(&mut tx, now, fail("password change required", json!(reason))).await?;
            tx.commit().await?;
            return Err(AuthFailure::PasswordChangeRequired { reason: reason.into() }.into());
        }
        store::users::record_login(&mut tx, row.id, store::to_ms(now)).await?;
        audit::append(&mut tx, now, Record::new(username, "login", username, Outcome::Success)).await?;
        tx.commit().await?;
        let (role, rank) = parse_role(&row)?;
        Ok(Session::new(
            self.clone(),
            Actor { id: row.id, username: row.username, full_name: row.full_name, role, rank },
        ))
    }

    /// Changes a password given the current one (also the way out of an expired or temporary
    /// password). A wrong current password counts as a failed login.
    pub async fn change_password(&self, username: &str, current: &str, new: &str) -> Result<()> {
        let now = self.now();
        let mut conn = self.pool.acquire().await?;
        let row = store::users::by_name(&mut conn, username).await?;
        let blocked = match &row {
            None => Some(AuthFailure::UnknownUser),
            Some(r) if r.locked => Some(AuthFailure::Locked),
            Some(r) if r.suspended => Some(AuthFailure::Suspended { reason: "suspended".into() }),
            Some(_) => None,
        };
        if let Some(failure) = blocked {
            let mut tx = store::begin_write(&self.pool).await?;
            audit::append(
                &mut tx,
                now,
                Record::new(username, "account.change_password", username, Outcome::Failed)
                    .details(json!({ "reason": failure.to_string() })),
            )
            .await?;
            tx.commit().await?;
            return Err(failure.into());
        }
        let Some(row) = row else { return Err(AuthFailure::UnknownUser.into()) };
        if !verify_blocking(current, &row.password_hash).await {
            let mut tx = store::begin_write(&self.pool).await?;
            let (failed, failure) = count_wrong_password(&mut tx, &row).await?;
            audit::append(
                &mut tx,
                now,
                Record::new(username, "account.change_password", username, Outcome::Failed)
                    .details(json!({ "reason": "wrong current password", "failed_attempts": failed })),
            )
            .await?;
            tx.commit().await?;
            return Err(failure.into());
        }
        if let Err(e) = self.check_new_password(&mut conn, &row, new).await {
            if let Error::Refused(refusal) = &e {
                let mut tx = store::begin_write(&self.pool).await?;
                audit::append(
                    &mut tx,
                    now,
                    Record::new(username, "account.change_password", username, Outcome::Refused)
                        .details(json!({ "clause": refusal.clause, "reason": refusal.reason })),
                )
                .await?;
                tx.commit().await?;
            }
            return Err(e);
        }
        drop(conn);
        let hash = hash_blocking(new).await?;
        let mut tx = store::begin_write(&self.pool).await?;
        store::users::set_password(&mut tx, row.id, &hash, false, store::to_ms(now)).await?;
        self.add_password_wrap(username, new).await?;
        audit::append(&mut tx, now, Record::new(username, "account.change_password", username, Outcome::Success))
            .await?;
        tx.commit().await?;
        self.keep_newest_wrap(username).await
    }
}

/// The administrator's account operations (9.3.2, Appendix A 12-13).
impl Session {
    async fn account(&self, conn: &mut SqliteConnection, username: &str) -> Result<UserRow> {
        store::users::by_name(conn, username)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no account named {username}")))
    }

    pub async fn list_users(&self) -> Result<Vec<UserInfo>> {
        self.authorise(Privilege::Administer, "account.list", "accounts").await?;
        let rows = store::users::all(&mut *self.workstation().pool.acquire().await?).await?;
        rows.iter().map(info).collect()
    }

    /// Creates an account with a temporary password, which must meet Appendix A itself and be
    /// changed at first login (App. A 13).
    pub async fn add_user(&self, new: &NewAccount) -> Result<UserInfo> {
        let object = format!("account {}", new.username);
        self.authorise(Privilege::Administer, "account.create", &object).await?;
        if new.username.trim().is_empty() || new.username.chars().any(char::is_whitespace) {
            return Err(Error::Invalid("a user name must be non-empty and contain no spaces".into()));
        }
        let ws = self.workstation();
        let mut tx = store::begin_write(&ws.pool).await?;
        if store::users::by_name(&mut tx, &new.username).await?.is_some() {
            return Err(Error::Invalid(format!("an account named {} already exists", new.username)));
        }
        let organisation = ws.organisation(&mut tx).await?;
        let ctx = PasswordContext { username: &new.username, full_name: &new.full_name, organisation: &organisation };
        policy::password::check(&new.temporary_password, &ctx).map_err(Error::Refused)?;
        let hash = hash_blocking(&new.temporary_password).await?;
        let now = self.now();
        let row = store::users::NewUserRow {
            username: &new.username,
            full_name: &new.full_name,
            role: new.role.as_str(),
            rank: new.rank.as_str(),
            password_hash: &hash,
            must_change: true,
            now: store::to_ms(now),
        };
        store::users::insert(&mut tx, &row).await?;
        ws.add_password_wrap(&new.username, &new.temporary_password).await?;
        self.audit(
            &mut tx,
            "account.create",
            &object,
            Outcome::Success,
            json!({ "role": new.role, "rank": new.rank, "full_name": new.full_name }),
        )
        .await?;
        let created = self.account(&mut tx, &new.username).await?;
        tx.commit().await?;
        ws.keep_newest_wrap(&new.username).await?;
        info(&created)
    }

    /// One administrator change to an account, audited with what changed.
    async fn administer(
        &self,
        username: &str,
        action: &str,
        details: serde_json::Value,
        change: impl AsyncFnOnce(&mut SqliteConnection, &UserRow) -> Result<()>,
    ) -> Result<UserInfo> {
        let object = format!("account {username}");
        self.authorise(Privilege::Administer, action, &object).await?;
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let row = self.account(&mut tx, username).await?;
        change(&mut tx, &row).await?;
        self.audit(&mut tx, action, &object, Outcome::Success, details).await?;
        let changed = self.account(&mut tx, username).await?;
        tx.commit().await?;
        info(&changed)
    }

    /// Unlocks an account locked after 5 failed logins (App. A 12).
    pub async fn unlock_user(&self, username: &str) -> Result<UserInfo> {
        self.administer(username, "account.unlock", json!(null), async |c, r| {
            store::users::set_locked(c, r.id, false).await
        })
        .await
    }

    pub async fn suspend_user(&self, username: &str) -> Result<UserInfo> {
        let now = store::to_ms(self.now());
        self.administer(username, "account.suspend", json!(null), async |c, r| {
            store::users::set_suspended(c, r.id, true, now).await
        })
        .await
    }

    /// Reactivates a suspended account after its need for access was reviewed (9.3.2).
    pub async fn reactivate_user(&self, username: &str) -> Result<UserInfo> {
        let now = store::to_ms(self.now());
        self.administer(username, "account.reactivate", json!(null), async |c, r| {
            store::users::set_suspended(c, r.id, false, now).await
        })
        .await
    }

    pub async fn set_user_role(&self, username: &str, role: Role, rank: Rank) -> Result<UserInfo> {
        self.administer(username, "account.set_role", json!({ "role": role, "rank": rank }), async |c, r| {
            store::users::set_role(c, r.id, role.as_str(), rank.as_str()).await
        })
        .await
    }

    /// Sets a temporary password (the user must change it at next login, App. A 13) and unlocks.
    pub async fn reset_password(&self, username: &str, temporary_password: &str) -> Result<UserInfo> {
        // Authorised before anything else, so a non-administrator learns nothing about accounts.
        self.authorise(Privilege::Administer, "account.reset_password", &format!("account {username}")).await?;
        let ws = self.workstation();
        let row = self.account(&mut *ws.pool.acquire().await?, username).await?;
        ws.check_temporary_password(&mut *ws.pool.acquire().await?, &row, temporary_password).await?;
        let hash = hash_blocking(temporary_password).await?;
        let now = store::to_ms(self.now());
        let changed = self
            .administer(username, "account.reset_password", json!(null), async |c, r| {
                store::users::set_password(c, r.id, &hash, true, now).await?;
                store::users::set_locked(c, r.id, false).await?;
                // In the transaction: the database and the keyring change together or not at all.
                ws.add_password_wrap(username, temporary_password).await
            })
            .await?;
        ws.keep_newest_wrap(username).await?;
        Ok(changed)
    }
}
