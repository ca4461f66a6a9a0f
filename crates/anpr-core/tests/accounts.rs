//! Accounts against a real store with real Argon2: lockout, expiry, temporary passwords,
//! inactivity suspension (NASPLE Appendix A 6-13, 9.3.2, 9.3.6.2), through the same
//! `login` / `change_password` / `Session` calls the faces use.
#![allow(clippy::unwrap_used)]

mod common;

use anpr_core::accounts::NewAccount;
use anpr_core::policy::Refusal;
use anpr_core::setup::DEMO_PASSWORD;
use anpr_core::{AuthFailure, Error, Session};
use anpr_types::{Rank, Role};
use chrono::Duration;
use common::*;

/// Compliant passwords for the demo people (checked against Appendix A 6 and 8 by the tests).
const P1: &str = "Kettle#Violin!42";
const P2: &str = "Teapot#Walrus!57";
const P3: &str = "Copper%Lantern?68";
const TEMPORARY: &str = "Temp#Kettle!77";

fn auth_failure(result: anpr_core::Result<Session>) -> AuthFailure {
    match result {
        Err(Error::Authentication(failure)) => failure,
        other => panic!("expected an authentication failure, got {other:?}"),
    }
}

fn refusal<T: std::fmt::Debug>(result: anpr_core::Result<T>) -> Refusal {
    match result {
        Err(Error::Refused(refusal)) => refusal,
        other => panic!("expected a policy refusal, got {other:?}"),
    }
}

/// (user, object, outcome, details) of every audit entry for `action`, in order.
async fn audited(s: &Store, action: &str) -> Vec<(String, String, String, String)> {
    sqlx::query_as("SELECT user, object, outcome, details FROM audit WHERE action = ? ORDER BY seq")
        .bind(action)
        .fetch_all(s.ws.pool())
        .await
        .unwrap()
}

async fn failed_attempts(s: &Store, username: &str) -> i64 {
    sqlx::query_scalar("SELECT failed_attempts FROM users WHERE username = ?")
        .bind(username)
        .fetch_one(s.ws.pool())
        .await
        .unwrap()
}

fn new_account(username: &str, full_name: &str, role: Role, rank: Rank) -> NewAccount {
    NewAccount {
        username: username.into(),
        full_name: full_name.into(),
        role,
        rank,
        temporary_password: TEMPORARY.into(),
    }
}

#[tokio::test]
async fn five_failed_logins_lock_until_an_administrator_unlocks_appendix_a_12() {
    let s = store().await;
    let user = "demo.investigator";
    for remaining in [4, 3, 2, 1] {
        let failure = auth_failure(s.ws.login(user, "Wrong#Guess!1").await);
        assert_eq!(failure, AuthFailure::WrongPassword { remaining }, "Appendix A 12: attempts left are counted down");
    }
    assert_eq!(
        auth_failure(s.ws.login(user, "Wrong#Guess!1").await),
        AuthFailure::Locked,
        "Appendix A 12: the 5th failure locks"
    );
    assert_eq!(
        auth_failure(s.ws.login(user, DEMO_PASSWORD).await),
        AuthFailure::Locked,
        "Appendix A 12: a locked account refuses even the right password"
    );

    let admin = s.login("demo.admin").await;
    let info = admin.unlock_user(user).await.unwrap();
    assert!(!info.locked);
    let session = s.ws.login(user, DEMO_PASSWORD).await.unwrap();
    assert_eq!(session.actor().username, user);
    // The count starts again after an unlock.
    assert_eq!(auth_failure(s.ws.login(user, "Wrong#Guess!1").await), AuthFailure::WrongPassword { remaining: 4 });

    let logins: Vec<_> = audited(&s, "login").await.into_iter().filter(|e| e.0 == user).collect();
    let outcomes: Vec<&str> = logins.iter().map(|e| e.2.as_str()).collect();
    assert_eq!(
        outcomes,
        ["failed", "failed", "failed", "failed", "failed", "failed", "success", "failed"],
        "8.11.4: every login, failed or successful, is audited"
    );
    assert!(logins[4].3.contains("\"locked\":true"), "{}", logins[4].3);
    assert!(logins[5].3.contains("account locked"), "{}", logins[5].3);
    let unlocks = audited(&s, "account.unlock").await;
    assert_eq!(unlocks.len(), 1);
    assert_eq!(
        (unlocks[0].0.as_str(), unlocks[0].1.as_str(), unlocks[0].2.as_str()),
        ("demo.admin", "account demo.investigator", "success")
    );
}

#[tokio::test]
async fn a_wrong_current_password_counts_as_a_failed_login_appendix_a_12() {
    let s = store().await;
    let user = "demo.evidence";
    let result = s.ws.change_password(user, "Wrong#Guess!1", P1).await;
    assert!(matches!(result, Err(Error::Authentication(AuthFailure::WrongPassword { remaining: 4 }))), "{result:?}");
    assert_eq!(auth_failure(s.ws.login(user, "Wrong#Guess!1").await), AuthFailure::WrongPassword { remaining: 3 });
    let changes = audited(&s, "account.change_password").await;
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].2, "failed");
}

#[tokio::test]
async fn an_unknown_user_fails_and_is_audited_8_11_4() {
    let s = store().await;
    assert_eq!(auth_failure(s.ws.login("no.such.user", DEMO_PASSWORD).await), AuthFailure::UnknownUser);
    let logins = audited(&s, "login").await;
    assert_eq!(logins.len(), 1, "8.11.4: the failed login is audited");
    let (user, object, outcome, details) = &logins[0];
    assert_eq!((user.as_str(), object.as_str(), outcome.as_str()), ("no.such.user", "no.such.user", "failed"));
    assert!(details.contains("unknown user"), "{details}");
    assert!(!details.contains(DEMO_PASSWORD), "the attempted password is never recorded (Appendix A 7)");
}

#[tokio::test]
async fn a_password_expires_after_one_year_and_a_change_lets_the_user_in_appendix_a_12() {
    let s = store().await;
    let user = "demo.investigator";
    // Log in every < 90 days so the account is not suspended for inactivity (9.3.2), up to
    // the last day of the password's year (day 364).
    let mut day = 0;
    for step in [89, 89, 89, 89, 8] {
        s.clock.advance(Duration::days(step));
        day += step;
        s.ws.login(user, DEMO_PASSWORD).await.unwrap_or_else(|e| panic!("day {day}: {e}"));
    }
    assert_eq!(day, 364);
    s.clock.advance(Duration::days(1));
    let failure = auth_failure(s.ws.login(user, DEMO_PASSWORD).await);
    let AuthFailure::PasswordChangeRequired { reason } = &failure else { panic!("day 365: {failure:?}") };
    assert!(reason.contains("Appendix A 12"), "{reason}");
    // Still refused until changed.
    assert!(matches!(auth_failure(s.ws.login(user, DEMO_PASSWORD).await), AuthFailure::PasswordChangeRequired { .. }));

    s.ws.change_password(user, DEMO_PASSWORD, P1).await.unwrap();
    let session = s.ws.login(user, P1).await.unwrap();
    assert_eq!(session.actor().username, user);
    assert!(matches!(auth_failure(s.ws.login(user, DEMO_PASSWORD).await), AuthFailure::WrongPassword { .. }));
    let changes = audited(&s, "account.change_password").await;
    assert_eq!(changes.iter().map(|c| c.2.as_str()).collect::<Vec<_>>(), ["success"]);
    let logins = audited(&s, "login").await;
    assert!(logins.iter().any(|l| l.2 == "failed" && l.3.contains("password change required")), "{logins:?}");
}

#[tokio::test]
async fn a_temporary_password_must_be_changed_at_first_login_appendix_a_13() {
    let s = store().await;
    let admin = s.login("demo.admin").await;
    let created =
        admin.add_user(&new_account("pat.jones", "Pat Jones", Role::EvidenceOfficer, Rank::Inspector)).await.unwrap();
    assert!(created.must_change_password, "Appendix A 13");
    assert_eq!((created.role, created.rank), (Role::EvidenceOfficer, Rank::Inspector));

    let failure = auth_failure(s.ws.login("pat.jones", TEMPORARY).await);
    let AuthFailure::PasswordChangeRequired { reason } = &failure else { panic!("{failure:?}") };
    assert!(reason.contains("Appendix A 13"), "{reason}");

    s.ws.change_password("pat.jones", TEMPORARY, P3).await.unwrap();
    let session = s.ws.login("pat.jones", P3).await.unwrap();
    let actor = session.actor();
    assert_eq!((actor.username.as_str(), actor.full_name.as_str()), ("pat.jones", "Pat Jones"));
    assert_eq!((actor.role, actor.rank), (Role::EvidenceOfficer, Rank::Inspector));

    let listed = admin.list_users().await.unwrap();
    let pat = listed.iter().find(|u| u.username == "pat.jones").unwrap();
    assert!(!pat.must_change_password && pat.last_login.is_some());
    let creations = audited(&s, "account.create").await;
    let last = creations.last().unwrap();
    assert_eq!((last.0.as_str(), last.1.as_str(), last.2.as_str()), ("demo.admin", "account pat.jones", "success"));
}

#[tokio::test]
async fn an_administrator_reset_is_a_temporary_password_and_unlocks_appendix_a_12_13() {
    let s = store().await;
    let user = "demo.engineer";
    for _ in 0..5 {
        let _ = s.ws.login(user, "Wrong#Guess!1").await;
    }
    assert_eq!(auth_failure(s.ws.login(user, DEMO_PASSWORD).await), AuthFailure::Locked);
    let admin = s.login("demo.admin").await;
    let info = admin.reset_password(user, TEMPORARY).await.unwrap();
    assert!(!info.locked && info.must_change_password);
    assert!(matches!(auth_failure(s.ws.login(user, TEMPORARY).await), AuthFailure::PasswordChangeRequired { .. }));
    s.ws.change_password(user, TEMPORARY, P2).await.unwrap();
    s.ws.login(user, P2).await.unwrap();
}

#[tokio::test]
async fn none_of_the_previous_passwords_may_be_reused_appendix_a_9() {
    let s = store().await;
    let user = "demo.evidence";
    s.ws.change_password(user, DEMO_PASSWORD, P1).await.unwrap();
    s.ws.change_password(user, P1, P2).await.unwrap();
    s.ws.change_password(user, P2, P3).await.unwrap();
    for old in [P1, P2, DEMO_PASSWORD, P3] {
        let refused = refusal(s.ws.change_password(user, P3, old).await);
        assert_eq!(refused.clause, "Appendix A 9", "reusing {old}: {refused}");
    }
    // Nothing changed: the current password still works, and the refusals are audited.
    s.ws.login(user, P3).await.unwrap();
    let refusals: Vec<_> =
        audited(&s, "account.change_password").await.into_iter().filter(|c| c.2 == "refused").collect();
    assert_eq!(refusals.len(), 4);
    assert!(refusals.iter().all(|r| r.3.contains("Appendix A 9")), "{refusals:?}");
}

#[tokio::test]
async fn a_person_uses_a_different_password_for_each_account_appendix_a_11() {
    let s = store().await;
    let admin = s.login("demo.admin").await;
    // Dana Investigator also administers (9.3.2: a separate account for it).
    admin.add_user(&new_account("dana.admin", "Dana Investigator", Role::Administrator, Rank::None)).await.unwrap();
    let refused = refusal(s.ws.change_password("dana.admin", TEMPORARY, DEMO_PASSWORD).await);
    assert_eq!(refused.clause, "Appendix A 11", "the password of demo.investigator, the same person: {refused}");
    s.ws.change_password("dana.admin", TEMPORARY, P1).await.unwrap();

    let refused = refusal(s.ws.change_password("demo.investigator", DEMO_PASSWORD, P1).await);
    assert_eq!(refused.clause, "Appendix A 11", "the password of dana.admin, the same person: {refused}");
    // Another person may happen to choose the same password.
    s.ws.change_password("demo.evidence", DEMO_PASSWORD, P1).await.unwrap();
}

#[tokio::test]
async fn each_content_rule_is_enforced_on_change_appendix_a_6_and_8() {
    let s = store().await;
    // Dana Investigator of Northshire Constabulary.
    let user = "demo.investigator";
    let cases = [
        ("Ab#1!x", "Appendix A 6", "at least 8"),
        ("KettleViolin42", "Appendix A 6", "not letters or numbers"),
        ("Kettle#March!42", "Appendix A 8", "march"),
        ("Kettle#1990!x", "Appendix A 8", "1990"),
        ("Dana#Kettle!42", "Appendix A 8", "dana"),
        ("Kettle#AB12CDE!", "Appendix A 8", "AB12CDE"),
        ("Northshire#99!", "Appendix A 8", "northshire"),
    ];
    for (candidate, clause, says) in cases {
        let refused = refusal(s.ws.change_password(user, DEMO_PASSWORD, candidate).await);
        assert_eq!(refused.clause, clause, "{candidate}: {refused}");
        assert!(refused.reason.contains(says), "{candidate}: {refused}");
        assert!(refused.needs.is_some(), "{candidate}: a refusal says what would be allowed");
    }
    // Refusals are audited with their clause, do not count as failed logins, and change nothing.
    let refusals = audited(&s, "account.change_password").await;
    assert_eq!(refusals.len(), cases.len());
    for ((_, clause, _), (_, _, outcome, details)) in cases.iter().zip(&refusals) {
        assert_eq!(outcome, "refused");
        assert!(details.contains(clause), "{details}");
    }
    assert_eq!(failed_attempts(&s, user).await, 0);
    s.ws.login(user, DEMO_PASSWORD).await.unwrap();
}

#[tokio::test]
async fn an_account_unused_for_90_days_is_suspended_until_reactivated_9_3_2() {
    let s = store().await;
    s.clock.advance(Duration::days(45));
    s.login("demo.admin").await;
    s.clock.advance(Duration::days(44));
    // Day 89 since creation: still usable.
    s.login("demo.evidence").await;
    s.clock.advance(Duration::days(1));
    // Day 90 since creation, never used: suspended at this attempt, right password or not.
    let failure = auth_failure(s.ws.login("demo.engineer", DEMO_PASSWORD).await);
    let AuthFailure::Suspended { reason } = &failure else { panic!("9.3.2: {failure:?}") };
    assert!(reason.contains("90 days"), "{reason}");
    assert!(matches!(auth_failure(s.ws.login("demo.engineer", DEMO_PASSWORD).await), AuthFailure::Suspended { .. }));
    let suspensions = audited(&s, "account.suspend").await;
    assert_eq!(suspensions.len(), 1);
    assert_eq!((suspensions[0].0.as_str(), suspensions[0].1.as_str()), (anpr_core::SYSTEM_ACTOR, "demo.engineer"));
    assert!(suspensions[0].3.contains("9.3.2"), "{}", suspensions[0].3);

    // The administrator (last used 45 days ago) reviews and reactivates.
    let admin = s.login("demo.admin").await;
    let listed = admin.list_users().await.unwrap();
    assert!(listed.iter().find(|u| u.username == "demo.engineer").unwrap().suspended);
    let info = admin.reactivate_user("demo.engineer").await.unwrap();
    assert!(!info.suspended);
    let session = s.ws.login("demo.engineer", DEMO_PASSWORD).await.unwrap();
    assert_eq!(session.actor().role, Role::Engineer);
    assert_eq!(audited(&s, "account.reactivate").await.len(), 1);
}

#[tokio::test]
async fn an_administrator_can_suspend_and_change_roles_9_3_2() {
    let s = store().await;
    let admin = s.login("demo.admin").await;
    admin.suspend_user("demo.evidence").await.unwrap();
    assert!(matches!(auth_failure(s.ws.login("demo.evidence", DEMO_PASSWORD).await), AuthFailure::Suspended { .. }));
    admin.reactivate_user("demo.evidence").await.unwrap();
    let info = admin.set_user_role("demo.evidence", Role::Investigator, Rank::Inspector).await.unwrap();
    assert_eq!((info.role, info.rank), (Role::Investigator, Rank::Inspector));
    let actor = s.login("demo.evidence").await.actor().clone();
    assert_eq!((actor.role, actor.rank), (Role::Investigator, Rank::Inspector));
    let changes = audited(&s, "account.set_role").await;
    assert_eq!(changes.len(), 1);
    assert!(changes[0].3.contains("inspector"), "{}", changes[0].3);
}

#[tokio::test]
async fn only_administrators_administer_accounts_9_3_6_2() {
    let s = store().await;
    let users_before = s.count("users").await;
    for name in ["demo.investigator", "demo.auditor"] {
        let session = s.login(name).await;
        let refused = [
            refusal(session.list_users().await),
            refusal(session.add_user(&new_account("pat.jones", "Pat Jones", Role::Investigator, Rank::None)).await),
            refusal(session.unlock_user("demo.evidence").await),
            refusal(session.suspend_user("demo.evidence").await),
            refusal(session.reactivate_user("demo.evidence").await),
            refusal(session.set_user_role(name, Role::Administrator, Rank::Superintendent).await),
            refusal(session.reset_password("demo.evidence", P1).await),
        ];
        for r in &refused {
            assert_eq!(r.clause, "9.3.6.2", "{name}: {r}");
            assert!(r.needs.as_deref().unwrap().contains("administrator"), "{r}");
        }
    }
    assert_eq!(s.count("users").await, users_before, "no account was created");
    let refused: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit WHERE action LIKE 'account.%' AND outcome = 'refused'")
            .fetch_one(s.ws.pool())
            .await
            .unwrap();
    assert_eq!(refused, 14, "8.11.4: each refused attempt is audited");
    // Nothing changed for the target account.
    s.ws.login("demo.evidence", DEMO_PASSWORD).await.unwrap();
    assert_eq!(s.login("demo.investigator").await.actor().role, Role::Investigator);
}

#[tokio::test]
async fn a_non_administrator_reset_is_refused_before_anything_else_9_3_6_2() {
    let s = store().await;
    let session = s.login("demo.investigator").await;
    let before = s.count("audit").await;
    // An account that does not exist: the answer must not reveal that it does not.
    assert_eq!(refusal(session.reset_password("no.such.user", P1).await).clause, "9.3.6.2");
    // A password that breaks Appendix A: the answer is still the missing privilege.
    assert_eq!(refusal(session.reset_password("demo.evidence", "short").await).clause, "9.3.6.2");
    assert_eq!(s.count("audit").await, before + 2, "8.11.4: both refused attempts are audited");
}

#[tokio::test]
async fn passwords_are_stored_only_as_argon2id_hashes_appendix_a_7() {
    let s = store().await;
    s.ws.change_password("demo.evidence", DEMO_PASSWORD, P1).await.unwrap();
    let admin = s.login("demo.admin").await;
    admin.add_user(&new_account("pat.jones", "Pat Jones", Role::Investigator, Rank::None)).await.unwrap();
    let pool = s.ws.pool();

    let users: Vec<(String, String)> =
        sqlx::query_as("SELECT username, password_hash FROM users").fetch_all(pool).await.unwrap();
    let history: Vec<String> =
        sqlx::query_scalar("SELECT password_hash FROM password_history").fetch_all(pool).await.unwrap();
    assert_eq!(users.len(), 8);
    assert_eq!(history.len(), 9, "7 demo accounts + 1 change + 1 new account");
    let hashes = users.iter().map(|(_, h)| h).chain(&history);
    for hash in hashes {
        assert!(hash.starts_with("$argon2id$"), "Appendix A 7: not an Argon2id PHC string: {hash}");
        for password in [DEMO_PASSWORD, P1, TEMPORARY] {
            assert!(!hash.contains(password), "Appendix A 7: {hash} contains a password");
        }
    }
    // Each hash is salted: the seven demo accounts share a password but no hash.
    let mut distinct: Vec<&String> = users.iter().map(|(_, h)| h).collect();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), users.len());
    // Nor does any password reach the audit trail.
    let details: Vec<String> = sqlx::query_scalar("SELECT details FROM audit").fetch_all(pool).await.unwrap();
    for d in &details {
        for password in [DEMO_PASSWORD, P1, TEMPORARY] {
            assert!(!d.contains(password), "Appendix A 7: audit details contain a password: {d}");
        }
    }
}

#[tokio::test]
async fn logout_is_audited_8_11_4() {
    let s = store().await;
    let session = s.login("demo.investigator").await;
    session.logout().await.unwrap();
    let (user, outcome): (String, String) =
        sqlx::query_as("SELECT user, outcome FROM audit WHERE action = 'logout' ORDER BY seq DESC LIMIT 1")
            .fetch_one(s.ws.pool())
            .await
            .unwrap();
    assert_eq!((user.as_str(), outcome.as_str()), ("demo.investigator", "success"));
}
