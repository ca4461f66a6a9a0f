//! The audit trail against a real store: hash chaining, append-only triggers, tamper
//! detection when the triggers are bypassed, access restricted to auditors and itself audited,
//! and export for a period (NASPLE 8.11.4, 9.10).
#![allow(clippy::unwrap_used)]

mod common;

use anpr_core::audit::GENESIS;
use anpr_core::setup::DEMO_PASSWORD;
use anpr_core::store::audit::Row;
use anpr_core::{Error, Session};
use anpr_types::{AuditEntry, AuditVerification};
use chrono::{DateTime, Duration, Utc};
use common::*;

/// The entry tampered with in the tamper tests: in the middle of the trail.
const MIDDLE: i64 = 6;

async fn rows(s: &Store) -> Vec<Row> {
    sqlx::query_as("SELECT * FROM audit ORDER BY seq").fetch_all(s.ws.pool()).await.unwrap()
}

/// The documented canonical encoding, recomputed independently of the core: SHA-256 of the
/// JSON array of every field but the hash, in a fixed order.
fn row_hash(r: &Row) -> String {
    let canonical = serde_json::json!([
        r.seq,
        r.time,
        r.user,
        r.action,
        r.object,
        r.justification,
        r.authority,
        r.outcome,
        r.details,
        r.prev_hash
    ]);
    sha256(canonical.to_string().as_bytes())
}

/// The same from an exported entry alone, as a recipient of the export would check it.
fn entry_hash(e: &AuditEntry) -> String {
    let row = Row {
        seq: e.seq,
        time: DateTime::parse_from_rfc3339(&e.time).unwrap().timestamp_millis(),
        user: e.user.clone(),
        action: e.action.clone(),
        object: e.object.clone(),
        justification: e.justification.clone(),
        authority: e.authority.clone(),
        outcome: e.outcome.clone(),
        details: e.details.clone(),
        prev_hash: e.prev_hash.clone(),
        hash: String::new(),
    };
    row_hash(&row)
}

/// A few ordinary actions of different kinds, so the trail has entries of several shapes.
async fn some_actions(s: &Store) {
    s.login("demo.investigator").await;
    let _ = s.ws.login("demo.evidence", "Wrong#Guess!1").await;
    let _ = s.ws.login("no.such.user", DEMO_PASSWORD).await;
    let admin = s.login("demo.admin").await;
    admin.list_users().await.unwrap();
}

/// A store with a dozen entries and an auditor logged in, whose append-only triggers an
/// attacker with direct access to the database file has dropped.
async fn store_without_triggers() -> (Store, Session) {
    let s = store().await;
    some_actions(&s).await;
    let auditor = s.login("demo.auditor").await;
    assert!(s.count("audit").await > MIDDLE + 2);
    for trigger in ["audit_no_update", "audit_no_delete"] {
        sqlx::query(&format!("DROP TRIGGER {trigger}")).execute(s.ws.pool()).await.unwrap();
    }
    (s, auditor)
}

/// Verifies as the auditor, and checks the broken result was itself audited as failed.
async fn verify_broken(s: &Store, auditor: &Session) -> AuditVerification {
    let result = auditor.audit_verify().await.unwrap();
    assert!(!result.ok, "8.11.4: tampering must be detected: {result:?}");
    let last = rows(s).await.pop().unwrap();
    assert_eq!((last.action.as_str(), last.outcome.as_str()), ("audit.verify", "failed"));
    result
}

#[tokio::test]
async fn every_entry_chains_to_the_one_before_8_11_4() {
    let s = store().await;
    some_actions(&s).await;
    let auditor = s.login("demo.auditor").await;
    let before = rows(&s).await;

    let result = auditor.audit_verify().await.unwrap();
    assert_eq!(result, AuditVerification { entries: before.len() as u64, ok: true, first_broken: None, reason: None });

    assert_eq!(before[0].prev_hash, GENESIS);
    for (i, row) in before.iter().enumerate() {
        assert_eq!(row.seq, i as i64 + 1, "sequence numbers have no gaps");
        assert_eq!(row.hash, row_hash(row), "entry {}: the hash covers every field", row.seq);
        if i > 0 {
            assert_eq!(row.prev_hash, before[i - 1].hash, "entry {} chains to the entry before it", row.seq);
        }
    }
    // The verification is itself audited (8.11.4) and chained like any other entry.
    let after = rows(&s).await;
    assert_eq!(after.len(), before.len() + 1);
    let verify = after.last().unwrap();
    assert_eq!(
        (verify.user.as_str(), verify.action.as_str(), verify.outcome.as_str()),
        ("demo.auditor", "audit.verify", "success")
    );
    assert!(verify.details.contains(&format!("\"entries\":{}", before.len())), "{}", verify.details);
    assert_eq!(verify.prev_hash, before.last().unwrap().hash);
    assert_eq!(auditor.audit_verify().await.unwrap().entries, after.len() as u64);
}

#[tokio::test]
async fn the_trail_is_append_only_8_11_4() {
    let s = store().await;
    let auditor = s.login("demo.auditor").await;
    let pool = s.ws.pool();
    for statement in
        ["UPDATE audit SET user = 'someone else' WHERE seq = 2", "DELETE FROM audit WHERE seq = 2", "DELETE FROM audit"]
    {
        let error = sqlx::query(statement).execute(pool).await.unwrap_err();
        assert!(error.to_string().contains("append-only"), "{statement}: {error}");
    }
    let result = auditor.audit_verify().await.unwrap();
    assert!(result.ok, "{result:?}");
    assert_eq!(result.entries, 8, "7 demo accounts created and the auditor's login: nothing removed");
}

#[tokio::test]
async fn an_edited_entry_is_found_8_11_4() {
    let (s, auditor) = store_without_triggers().await;
    let original = rows(&s).await.into_iter().find(|r| r.seq == MIDDLE).unwrap();
    sqlx::query("UPDATE audit SET user = 'someone else' WHERE seq = ?")
        .bind(MIDDLE)
        .execute(s.ws.pool())
        .await
        .unwrap();
    assert_ne!(original.user, "someone else");
    let result = verify_broken(&s, &auditor).await;
    assert_eq!(result.first_broken, Some(MIDDLE));
    assert_eq!(result.entries, MIDDLE as u64 - 1, "the entries before it verified");
    assert!(result.reason.unwrap().contains("altered"));
}

#[tokio::test]
async fn an_edited_entry_with_its_hash_recomputed_breaks_the_next_link_8_11_4() {
    let (s, auditor) = store_without_triggers().await;
    let mut row = rows(&s).await.into_iter().find(|r| r.seq == MIDDLE).unwrap();
    row.object = "nothing to see".into();
    row.hash = row_hash(&row);
    sqlx::query("UPDATE audit SET object = ?, hash = ? WHERE seq = ?")
        .bind(&row.object)
        .bind(&row.hash)
        .bind(MIDDLE)
        .execute(s.ws.pool())
        .await
        .unwrap();
    let result = verify_broken(&s, &auditor).await;
    assert_eq!(result.first_broken, Some(MIDDLE + 1));
}

#[tokio::test]
async fn a_deleted_entry_is_found_8_11_4() {
    let (s, auditor) = store_without_triggers().await;
    sqlx::query("DELETE FROM audit WHERE seq = ?").bind(MIDDLE).execute(s.ws.pool()).await.unwrap();
    let result = verify_broken(&s, &auditor).await;
    assert_eq!(result.first_broken, Some(MIDDLE + 1), "the entry after the deleted one");
    assert!(result.reason.unwrap().contains("deleted"));
}

#[tokio::test]
async fn reordered_entries_are_found_8_11_4() {
    let (s, auditor) = store_without_triggers().await;
    let all = rows(&s).await;
    let (a, b) = (&all[MIDDLE as usize - 1], &all[MIDDLE as usize]);
    assert_eq!((a.seq, b.seq), (MIDDLE, MIDDLE + 1));
    // Swap everything but the sequence numbers.
    for (target, source) in [(a.seq, b), (b.seq, a)] {
        sqlx::query(
            "UPDATE audit SET time = ?, user = ?, action = ?, object = ?, justification = ?, authority = ?,
             outcome = ?, details = ?, prev_hash = ?, hash = ? WHERE seq = ?",
        )
        .bind(source.time)
        .bind(&source.user)
        .bind(&source.action)
        .bind(&source.object)
        .bind(&source.justification)
        .bind(&source.authority)
        .bind(&source.outcome)
        .bind(&source.details)
        .bind(&source.prev_hash)
        .bind(&source.hash)
        .bind(target)
        .execute(s.ws.pool())
        .await
        .unwrap();
    }
    let swapped = rows(&s).await;
    assert_eq!(swapped[MIDDLE as usize - 1].hash, b.hash);
    let result = verify_broken(&s, &auditor).await;
    assert_eq!(result.first_broken, Some(MIDDLE), "the earlier of the two");
}

#[tokio::test]
async fn only_auditors_read_the_trail_and_every_access_is_audited_8_11_4() {
    let s = store().await;
    let others =
        ["demo.investigator", "demo.evidence", "demo.inspector", "demo.superintendent", "demo.engineer", "demo.admin"];
    for name in others {
        let session = s.login(name).await;
        for result in [session.audit_verify().await.map(|_| ()), session.audit_export(None, None).await.map(|_| ())] {
            match result {
                Err(Error::Refused(refusal)) => {
                    assert_eq!(refusal.clause, "8.11.4", "{name}: {refusal}");
                    assert!(refusal.needs.unwrap().contains("auditor"));
                }
                other => panic!("{name}: 8.11.4: expected a refusal, got {other:?}"),
            }
        }
    }
    let all = rows(&s).await;
    for name in others {
        for action in ["audit.verify", "audit.export"] {
            let refused: Vec<&Row> = all.iter().filter(|r| r.user == name && r.action == action).collect();
            assert_eq!(refused.len(), 1, "8.11.4: {name}'s refused {action} is audited");
            assert_eq!(refused[0].outcome, "refused");
            assert!(refused[0].details.contains("8.11.4"), "{}", refused[0].details);
        }
    }

    let auditor = s.login("demo.auditor").await;
    assert!(auditor.audit_verify().await.unwrap().ok);
    let exported = auditor.audit_export(None, None).await.unwrap();
    let all = rows(&s).await;
    let mine: Vec<(&str, &str)> =
        all.iter().filter(|r| r.user == "demo.auditor").map(|r| (r.action.as_str(), r.outcome.as_str())).collect();
    assert_eq!(mine, [("login", "success"), ("audit.verify", "success"), ("audit.export", "success")]);
    let export = all.last().unwrap();
    assert!(export.details.contains(&format!("\"entries\":{}", exported.len())), "{}", export.details);
}

#[tokio::test]
async fn an_export_covers_exactly_its_period_and_verifies_offline_9_10_7() {
    let s = store().await; // the demo accounts' creation at t0
    let t0 = now();
    let hour = Duration::hours(1);
    s.clock.advance(hour);
    s.login("demo.investigator").await; // t1
    s.clock.advance(hour);
    s.login("demo.evidence").await; // t2
    let _ = s.ws.login("demo.evidence", "Wrong#Guess!1").await;
    s.clock.advance(hour);
    s.login("demo.engineer").await; // t3
    let auditor = s.login("demo.auditor").await;
    let (t1, t2, t3) = (t0 + hour, t0 + hour * 2, t0 + hour * 3);

    let table = rows(&s).await;
    let in_period = |from: DateTime<Utc>, to: DateTime<Utc>| -> Vec<&Row> {
        table.iter().filter(|r| r.time >= from.timestamp_millis() && r.time < to.timestamp_millis()).collect()
    };
    let same = |exported: &[AuditEntry], expected: &[&Row]| {
        let got: Vec<(i64, &str, &str)> =
            exported.iter().map(|e| (e.seq, e.hash.as_str(), e.prev_hash.as_str())).collect();
        let want: Vec<(i64, &str, &str)> =
            expected.iter().map(|r| (r.seq, r.hash.as_str(), r.prev_hash.as_str())).collect();
        assert_eq!(got, want, "9.10.7: the export is the table's entries for the period, hashes included");
    };

    // [t1, t3): from is included, to is not.
    let exported = auditor.audit_export(Some(t1), Some(t3)).await.unwrap();
    let expected = in_period(t1, t3);
    assert_eq!(expected.len(), 3, "one login at t1, two at t2");
    same(&exported, &expected);
    for e in &exported {
        let time = DateTime::parse_from_rfc3339(&e.time).unwrap().to_utc();
        assert!(t1 <= time && time < t3, "{e:?}");
        assert_eq!(e.hash, entry_hash(e), "entry {}: verifiable from the export alone", e.seq);
    }
    for pair in exported.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
    }

    // Open-ended from t2: up to the last entry before this export, the previous export's
    // own entry included.
    let before = rows(&s).await;
    let exported = auditor.audit_export(Some(t2), None).await.unwrap();
    let expected: Vec<&Row> = before.iter().filter(|r| r.time >= t2.timestamp_millis()).collect();
    same(&exported, &expected);
    assert_eq!(exported.last().unwrap().action, "audit.export");
    assert_eq!(exported.last().unwrap().seq, before.last().unwrap().seq);

    // Everything: the whole chain, verifiable offline from the genesis hash.
    let before = rows(&s).await;
    let exported = auditor.audit_export(None, None).await.unwrap();
    same(&exported, &before.iter().collect::<Vec<_>>());
    let mut prev = GENESIS.to_owned();
    for e in &exported {
        assert_eq!(e.prev_hash, prev, "entry {}", e.seq);
        assert_eq!(e.hash, entry_hash(e), "entry {}", e.seq);
        prev = e.hash.clone();
    }
    let exports: Vec<Row> = rows(&s).await.into_iter().filter(|r| r.action == "audit.export").collect();
    assert_eq!(exports.len(), 3, "each export is audited (8.11.4)");
    let period = &exports[0].details;
    assert!(
        period.contains("2026-11-20T13:00:00") && period.contains("2026-11-20T15:00:00"),
        "the period is recorded: {period}"
    );
}
