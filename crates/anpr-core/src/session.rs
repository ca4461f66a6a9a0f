//! A `Session` is an authenticated actor. Every user-facing operation hangs off it (in the
//! module of its feature) and goes through [`Session::authorise`] and [`Session::audit`], so no
//! action reaches the data without a policy check and an audit entry.

use crate::Workstation;
use crate::audit::{self, Outcome, Record};
use crate::error::{Error, Result};
use crate::policy::roles::{self, Privilege};
use crate::store;
use anpr_types::{Rank, Role};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::SqliteConnection;

/// Who is acting.
#[derive(Debug, Clone)]
pub struct Actor {
    pub(crate) id: i64,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub rank: Rank,
}

#[derive(Debug, Clone)]
pub struct Session {
    workstation: Workstation,
    actor: Actor,
}

impl Session {
    pub(crate) fn new(workstation: Workstation, actor: Actor) -> Self {
        Self { workstation, actor }
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Whether the store's database and images are encrypted at rest.
    pub fn store_encrypted(&self) -> bool {
        self.workstation.encrypted()
    }

    pub(crate) fn workstation(&self) -> &Workstation {
        &self.workstation
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.workstation.now()
    }

    /// Checks the actor's role holds `privilege`. A refusal is audited (in its own transaction,
    /// as nothing else happens) and returned with its clause.
    pub(crate) async fn authorise(&self, privilege: Privilege, action: &str, object: &str) -> Result<()> {
        match roles::require(self.actor.role, privilege) {
            Ok(()) => Ok(()),
            Err(refusal) => {
                let mut tx = store::begin_write(&self.workstation.pool).await?;
                let details = json!({ "clause": refusal.clause, "reason": refusal.reason });
                self.audit(&mut tx, action, object, Outcome::Refused, details).await?;
                tx.commit().await?;
                Err(Error::Refused(refusal))
            }
        }
    }

    /// Appends the actor's audit entry inside the caller's transaction.
    pub(crate) async fn audit(
        &self,
        conn: &mut SqliteConnection,
        action: &str,
        object: &str,
        outcome: Outcome,
        details: serde_json::Value,
    ) -> Result<i64> {
        let record = Record::new(&self.actor.username, action, object, outcome).details(details);
        audit::append(conn, self.now(), record).await
    }

    /// Appends a fuller entry (justification, authority) inside the caller's transaction.
    pub(crate) async fn append(&self, conn: &mut SqliteConnection, record: Record<'_>) -> Result<i64> {
        audit::append(conn, self.now(), Record { user: &self.actor.username, ..record }).await
    }

    /// Ends the session (logout, or the idle lock); audited like the login it closes.
    pub async fn logout(self) -> Result<()> {
        let mut tx = store::begin_write(&self.workstation.pool).await?;
        self.audit(&mut tx, "logout", &self.actor.username, Outcome::Success, serde_json::Value::Null).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Walks the audit chain (auditors only; the check is itself audited, 8.11.4).
    pub async fn audit_verify(&self) -> Result<anpr_types::AuditVerification> {
        self.authorise(Privilege::Audit, "audit.verify", "audit trail").await?;
        let mut tx = store::begin_write(&self.workstation.pool).await?;
        let result = audit::verify(&mut tx).await?;
        let outcome = if result.ok { Outcome::Success } else { Outcome::Failed };
        self.audit(
            &mut tx,
            "audit.verify",
            "audit trail",
            outcome,
            json!({ "entries": result.entries, "first_broken": result.first_broken }),
        )
        .await?;
        tx.commit().await?;
        Ok(result)
    }

    /// The trail for `[from, to)` (default: all), for producing logs on request (9.10.7).
    /// Auditors only; the export is itself audited (8.11.4).
    pub async fn audit_export(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<anpr_types::AuditEntry>> {
        let period = json!({ "from": from, "to": to });
        self.authorise(Privilege::Audit, "audit.export", "audit trail").await?;
        let mut tx = store::begin_write(&self.workstation.pool).await?;
        let from_ms = from.map(store::to_ms).unwrap_or(i64::MIN);
        let to_ms = to.map(store::to_ms).unwrap_or(i64::MAX);
        let rows = store::audit::period(&mut tx, from_ms, to_ms).await?;
        self.audit(
            &mut tx,
            "audit.export",
            "audit trail",
            Outcome::Success,
            json!({ "period": period, "entries": rows.len() }),
        )
        .await?;
        tx.commit().await?;
        Ok(rows.into_iter().map(audit::to_entry).collect())
    }
}
