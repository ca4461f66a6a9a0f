//! The tamper-evident audit trail (NASPLE 8.11.4, 9.10). Append-only: every entry carries the
//! previous entry's hash and its own SHA-256 over a canonical encoding, and is written in the
//! same transaction as the action it records. [`verify`] walks the chain.

use crate::error::Result;
use crate::store::{self, audit::Row};
use anpr_types::{AuditEntry, AuditVerification};
use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};
use sqlx::SqliteConnection;

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Outcome of an audited action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// Refused by policy (the details name the clause).
    Refused,
    /// Failed for another reason (wrong password, bad input, ...).
    Failed,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
        }
    }
}

/// What is being recorded. `user` is the acting account (or a system actor in brackets).
#[derive(Debug, Clone)]
pub struct Record<'a> {
    pub user: &'a str,
    pub action: &'a str,
    pub object: &'a str,
    pub justification: Option<&'a str>,
    pub authority: Option<&'a str>,
    pub outcome: Outcome,
    pub details: serde_json::Value,
}

impl<'a> Record<'a> {
    pub fn new(user: &'a str, action: &'a str, object: &'a str, outcome: Outcome) -> Self {
        Self { user, action, object, justification: None, authority: None, outcome, details: serde_json::Value::Null }
    }

    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }

    pub fn justification(mut self, justification: &'a str) -> Self {
        self.justification = Some(justification);
        self
    }

    /// The authorisation relied on (9.10.1), e.g. an authority reference.
    pub fn authority(mut self, authority: Option<&'a str>) -> Self {
        self.authority = authority;
        self
    }
}

/// Appends one entry. Call inside the write transaction of the action it records (see
/// [`store::begin_write`]), so the action and its record commit or vanish together.
pub async fn append(conn: &mut SqliteConnection, at: DateTime<Utc>, record: Record<'_>) -> Result<i64> {
    let (seq, prev_hash) = match store::audit::head(&mut *conn).await? {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_owned()),
    };
    let mut row = Row {
        seq,
        time: store::to_ms(at),
        user: record.user.to_owned(),
        action: record.action.to_owned(),
        object: record.object.to_owned(),
        justification: record.justification.map(str::to_owned),
        authority: record.authority.map(str::to_owned),
        outcome: record.outcome.as_str().to_owned(),
        details: record.details.to_string(),
        prev_hash,
        hash: String::new(),
    };
    row.hash = hash_of(&row);
    store::audit::insert(conn, &row).await?;
    Ok(seq)
}

/// SHA-256 over a canonical encoding: a JSON array of every field but the hash, in a fixed
/// order. JSON escaping makes field boundaries unambiguous.
fn hash_of(row: &Row) -> String {
    let canonical = serde_json::json!([
        row.seq,
        row.time,
        row.user,
        row.action,
        row.object,
        row.justification,
        row.authority,
        row.outcome,
        row.details,
        row.prev_hash,
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// Walks the whole chain in order and reports the first entry that does not verify: a changed
/// field (hash), a deleted or moved entry (sequence gap or previous-hash mismatch).
pub async fn verify(conn: &mut SqliteConnection) -> Result<AuditVerification> {
    const PAGE: i64 = 10_000;
    let mut expected_seq = 1;
    let mut prev_hash = GENESIS.to_owned();
    let mut entries = 0u64;
    loop {
        let rows = store::audit::page(&mut *conn, expected_seq - 1, PAGE).await?;
        if rows.is_empty() {
            return Ok(AuditVerification { entries, ok: true, first_broken: None, reason: None });
        }
        for row in rows {
            let broken = |reason: String| AuditVerification {
                entries,
                ok: false,
                first_broken: Some(row.seq),
                reason: Some(reason),
            };
            if row.seq != expected_seq {
                return Ok(broken(format!("expected entry {expected_seq} next, found {} (entries deleted)", row.seq)));
            }
            if row.prev_hash != prev_hash {
                return Ok(broken(
                    "its previous-hash does not match the entry before it (entries deleted or reordered)".into(),
                ));
            }
            if hash_of(&row) != row.hash {
                return Ok(broken("its contents do not match its hash (entry altered)".into()));
            }
            entries += 1;
            expected_seq += 1;
            prev_hash = row.hash;
        }
    }
}

pub fn to_entry(row: Row) -> AuditEntry {
    AuditEntry {
        seq: row.seq,
        time: store::from_ms(row.time).to_rfc3339_opts(SecondsFormat::Millis, true),
        user: row.user,
        action: row.action,
        object: row.object,
        justification: row.justification,
        authority: row.authority,
        outcome: row.outcome,
        details: row.details,
        hash: row.hash,
        prev_hash: row.prev_hash,
    }
}
