//! Misread-tolerant search (docs/vrm-search.md) as an oracle test: on a generated store with
//! Restricted Access cameras (8.8), every fuzzy search's results, in order and with their
//! differences, equal a brute-force pass of the same matcher over every read, with the same
//! visibility, period, camera and area filters; before and after retention and correction
//! change which VRMs exist, and with the VRM index checked against the reads throughout.
#![allow(clippy::unwrap_used)]

mod common;

use anpr_core::search::fuzzy::{self, CONFUSIONS};
use anpr_core::types::{CorrectionRequest, NewInvestigation, Purpose, RestrictionChange, SearchRequest, VrmMatch};
use anpr_core::{Error, Session};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use common::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashSet};

const DATA_USERS: &[&str] = &["demo.investigator", "demo.evidence", "demo.inspector", "demo.superintendent"];
/// (camera id, general area, designated Restricted Access)
const CAMERAS: &[(&str, &str, bool)] =
    &[("CAM1", "Ashbury", false), ("CAM2", "Brookfield", true), ("CAM3", "Ashbury", false), ("COV1", "Carlton", true)];
/// Letters and digits rich in confusions, so that generated plates collide often.
const LETTERS: &[u8] = b"ABDGILOQSTZCEKX";
const DIGITS: &[u8] = b"0125678";

#[derive(Debug, Clone)]
struct ModelRead {
    read_id: String,
    id: i64,
    camera: usize,
    vrm: Option<String>,
    time: DateTime<Utc>,
}

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn pick(rng: &mut ChaCha8Rng, from: &[u8]) -> char {
    char::from(from[rng.random_range(0..from.len())])
}

/// A current-layout plate (`AB12CDE`).
fn plate(rng: &mut ChaCha8Rng) -> String {
    (0..7).map(|i| pick(rng, if i == 2 || i == 3 { DIGITS } else { LETTERS })).collect()
}

/// A misread of `vrm`: confusions, a character of another class, one more or fewer.
fn misread(rng: &mut ChaCha8Rng, vrm: &str) -> String {
    let mut chars: Vec<char> = vrm.chars().collect();
    for _ in 0..rng.random_range(1..=2) {
        let i = rng.random_range(0..chars.len());
        let class = CONFUSIONS.iter().find(|c| c.contains(chars[i]));
        chars[i] = match class {
            Some(class) if rng.random_bool(0.85) => class.chars().nth(rng.random_range(0..class.len())).unwrap(),
            _ => pick(rng, b"ABCDEFGHJKMNPRSUVWXY0123456789"),
        };
    }
    match rng.random_range(0..6) {
        0 => {
            chars.remove(rng.random_range(0..chars.len()));
        }
        1 => chars.insert(rng.random_range(0..=chars.len()), pick(rng, b"1IL0OB8")),
        _ => {}
    }
    chars.into_iter().collect()
}

/// The matcher's verdict over every read, as the search must give it: visible to the user,
/// in the period, camera and area as asked; closest first, then newest.
fn brute_force(
    reads: &[ModelRead],
    sees: impl Fn(&ModelRead) -> bool,
    request: &SearchRequest,
    window: (DateTime<Utc>, DateTime<Utc>),
) -> Vec<(String, VrmMatch)> {
    let query = request.vrm.as_deref().unwrap().to_uppercase().replace(' ', "");
    let mut hits: Vec<(&ModelRead, VrmMatch)> = reads
        .iter()
        .filter(|r| sees(r) && r.time >= window.0 && r.time <= window.1)
        .filter(|r| request.cameras.is_empty() || request.cameras.iter().any(|c| c == CAMERAS[r.camera].0))
        .filter(|r| request.area.as_ref().is_none_or(|a| a.eq_ignore_ascii_case(CAMERAS[r.camera].1)))
        .filter_map(|r| Some((r, fuzzy::compare(&query, r.vrm.as_deref()?, request.fuzzy_indel)?)))
        .collect();
    hits.sort_by_key(|(r, m)| (m.cost, Reverse(r.time), Reverse(r.id)));
    hits.into_iter().map(|(r, m)| (r.read_id.clone(), m)).collect()
}

/// `?` one character, `*` any run (the search's pattern language), over a normalised VRM.
fn glob(pattern: &[u8], vrm: &[u8]) -> bool {
    match (pattern.first(), vrm.first()) {
        (None, _) => vrm.is_empty(),
        (Some(b'*'), _) => glob(&pattern[1..], vrm) || (!vrm.is_empty() && glob(pattern, &vrm[1..])),
        (Some(b'?'), Some(_)) => glob(&pattern[1..], &vrm[1..]),
        (Some(p), Some(v)) => p == v && glob(&pattern[1..], &vrm[1..]),
        (Some(_), None) => false,
    }
}

/// A wildcard search by brute force: every visible read in the window whose VRM the pattern
/// matches, newest first (the store answers it through the index of distinct VRMs).
fn brute_force_glob(
    reads: &[ModelRead],
    sees: impl Fn(&ModelRead) -> bool,
    pattern: &str,
    window: (DateTime<Utc>, DateTime<Utc>),
) -> Vec<String> {
    let mut hits: Vec<&ModelRead> = reads
        .iter()
        .filter(|r| sees(r) && r.time >= window.0 && r.time <= window.1)
        .filter(|r| r.vrm.as_deref().is_some_and(|v| glob(pattern.as_bytes(), v.as_bytes())))
        .collect();
    hits.sort_by_key(|r| (Reverse(r.time), Reverse(r.id)));
    hits.into_iter().map(|r| r.read_id.clone()).collect()
}

/// The index holds exactly the distinct VRMs of the reads, each with its skeleton.
async fn check_index(s: &Store, context: &str) {
    let indexed: Vec<(String, String)> =
        sqlx::query_as("SELECT vrm, skeleton FROM vrm_index ORDER BY vrm").fetch_all(s.ws.pool()).await.unwrap();
    let stored: Vec<String> = sqlx::query_scalar("SELECT DISTINCT vrm FROM reads WHERE vrm IS NOT NULL ORDER BY vrm")
        .fetch_all(s.ws.pool())
        .await
        .unwrap();
    assert_eq!(indexed.iter().map(|(v, _)| v.clone()).collect::<Vec<_>>(), stored, "{context}: indexed VRMs");
    for (vrm, skeleton) in &indexed {
        assert_eq!(skeleton, &fuzzy::skeleton(vrm), "{context}: skeleton of {vrm}");
    }
    // The trigram postings: every three-character window of every indexed VRM, nothing else.
    let postings: BTreeSet<(String, String)> = sqlx::query_as("SELECT trigram, vrm FROM vrm_trigrams")
        .fetch_all(s.ws.pool())
        .await
        .unwrap()
        .into_iter()
        .collect();
    let expected: BTreeSet<(String, String)> = indexed
        .iter()
        .flat_map(|(v, _)| v.as_bytes().windows(3).map(|w| (String::from_utf8(w.to_vec()).unwrap(), v.clone())))
        .collect();
    assert_eq!(postings, expected, "{context}: trigram postings");
}

/// A store that had reads before the index existed gets it filled when opened.
#[tokio::test]
async fn an_empty_index_is_filled_from_the_reads_when_the_store_opens() {
    let s = store().await;
    let b = Bundle::new(s.dir.path(), "old");
    b.standard_cameras().reads(&[
        &format!("R1,AB12CDE,{},CAM1,,,1,towards,90,,", rfc(now())),
        &format!("R2,A812 CDE,{},CAM1,,,1,towards,90,,", rfc(now())),
        &format!("R3,-,{},CAM1,,,1,towards,90,,", rfc(now())),
    ]);
    s.import(&b.dir).await.unwrap();
    check_index(&s, "after import").await;
    sqlx::query("DELETE FROM vrm_index").execute(s.ws.pool()).await.unwrap();
    // The same data directory opened again, as the app does at start.
    let reopen = || async {
        Store {
            ws: common::reopen(&s.dir.path().join("data"), s.clock.clone()).await,
            clock: s.clock.clone(),
            dir: tempfile::tempdir().unwrap(),
        }
    };
    let reopened = reopen().await;
    check_index(&reopened, "after reopening").await;
    assert_eq!(reopened.count("vrm_index").await, 2);
    // A store indexed before the trigram postings existed gets them too.
    sqlx::query("DELETE FROM vrm_trigrams").execute(reopened.ws.pool()).await.unwrap();
    let again = reopen().await;
    check_index(&again, "after reopening without trigrams").await;
    assert_eq!(again.count("vrm_trigrams").await, 10);
}

/// Random fuzzy searches by random users under random grants, checked against brute force.
#[allow(clippy::too_many_arguments)]
async fn oracle_rounds(
    t0: DateTime<Utc>,
    rng: &mut ChaCha8Rng,
    reads: &[ModelRead],
    plates: &[String],
    granted: &HashSet<(usize, usize)>,
    sessions: &[Session],
    context: &str,
) -> usize {
    let window = (t0 - Duration::days(365), t0);
    let mut found = 0;
    for round in 0..60 {
        let u = rng.random_range(0..sessions.len());
        let sees = |r: &ModelRead| !CAMERAS[r.camera].2 || granted.contains(&(u, r.camera));
        let base = &plates[rng.random_range(0..plates.len())];
        let vrm = match rng.random_range(0..5) {
            0 => misread(rng, base),
            1 => base.to_lowercase(),
            _ => base.clone(),
        };
        let cameras: Vec<String> =
            (0..CAMERAS.len()).filter(|_| rng.random_bool(0.2)).map(|c| CAMERAS[c].0.to_owned()).collect();
        let area = rng.random_bool(0.2).then(|| "ashbury".to_owned());
        let request = SearchRequest {
            investigation: "OP-FUZZY".into(),
            purpose: Some(Purpose::Investigation),
            justification: "misread of a plate seen at the scene".into(),
            vrm: Some(vrm.clone()),
            cameras,
            area,
            limit: 1000,
            fuzzy: true,
            fuzzy_indel: rng.random_bool(0.5),
            ..SearchRequest::default()
        };
        let expected = brute_force(reads, sees, &request, window);
        let ctx = format!("{context}, round {round}, {} {request:?}", DATA_USERS[u]);
        let results = sessions[u].search(&request).await.unwrap();
        let got: Vec<(String, VrmMatch)> =
            results.reads.iter().map(|r| (r.read_id.clone(), r.vrm_match.clone().unwrap())).collect();
        assert_eq!(got, expected, "{ctx}");
        assert_eq!(results.total, expected.len() as u64, "{ctx}");
        found += expected.len();
        // A page is the same slice of the same order.
        let (offset, limit) = (rng.random_range(0..4), rng.random_range(1..4));
        let page = sessions[u].search(&SearchRequest { offset, limit, ..request.clone() }).await.unwrap();
        let ids: Vec<&str> = page.reads.iter().map(|r| r.read_id.as_str()).collect();
        let slice: Vec<&str> =
            expected.iter().skip(offset as usize).take(limit as usize).map(|e| e.0.as_str()).collect();
        assert_eq!((page.total, ids), (expected.len() as u64, slice), "{ctx}: page {offset}+{limit}");
        // Wildcard searches run through the index of distinct VRMs: the same reads as brute force.
        // Without a literal prefix and with a run of three, a pattern goes through the trigrams.
        let pattern = match rng.random_range(0..5) {
            0 => format!("{}*", &base[..2]),
            1 => format!("*{}*", &base[2..4]),
            2 => format!("*{}*", &base[2..5]),
            3 => format!("?{}*{}", &base[1..4], &base[base.len() - 1..]),
            _ => format!("{}?{}", &base[..3], &base[4..]),
        };
        let wild = SearchRequest { vrm: Some(pattern.clone()), fuzzy: false, fuzzy_indel: false, ..request.clone() };
        let wild_request = SearchRequest { cameras: Vec::new(), area: None, ..wild };
        let wild_results = sessions[u].search(&wild_request).await.unwrap();
        let got: Vec<&str> = wild_results.reads.iter().map(|r| r.read_id.as_str()).collect();
        let expected_wild = brute_force_glob(reads, sees, &pattern, window);
        assert_eq!(got, expected_wild.iter().map(String::as_str).collect::<Vec<_>>(), "{ctx}: pattern {pattern}");
        // Each result's flag says whether its VRM fits a UK layout.
        for r in &results.reads {
            let vrm = r.vrm.replace(' ', "").to_uppercase();
            assert_eq!(r.likely_misread, anpr_core::vrm::uk_layout(&vrm).is_none(), "{ctx}: {}", r.read_id);
        }
    }
    found
}

/// Search results equal brute force over all reads (8.8 visibility included), before and
/// after retention (9.5.1) and correction (7.3.1, 9.7) change the VRMs the index must hold.
#[tokio::test]
async fn every_fuzzy_search_equals_brute_force_over_all_reads() {
    for seed in [5u64, 2026] {
        let s = store().await;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let t0 = now();
        let plates: Vec<String> = (0..10).map(|_| plate(&mut rng)).collect();
        let b = Bundle::new(s.dir.path(), "fuzzy");
        b.numbered_cameras(CAMERAS, false);
        let mut rows = Vec::new();
        let mut planned = Vec::new();
        for i in 0..400 {
            let base = &plates[rng.random_range(0..plates.len())];
            let vrm = match rng.random_range(0..20) {
                0 => None,
                1 => Some(plate(&mut rng)),
                2..=9 => Some(misread(&mut rng, base)),
                _ => Some(base.clone()),
            };
            let camera = rng.random_range(0..CAMERAS.len());
            // Some reads are older than the year a Serious search reaches, and go at 12 months.
            let time = t0 - Duration::milliseconds(rng.random_range(3_600_000..400 * 86_400_000));
            let read_id = format!("R{i:03}");
            rows.push(format!(
                "{read_id},{},{},{},,,1,towards,90,,",
                vrm.as_deref().unwrap_or("-"),
                rfc(time),
                CAMERAS[camera].0
            ));
            planned.push((read_id, camera, vrm, time));
        }
        b.reads(&rows.iter().map(String::as_str).collect::<Vec<_>>());
        let summary = s.import(&b.dir).await.unwrap();
        assert_eq!(summary.reads_accepted, 400, "{summary:?}");
        check_index(&s, "after import").await;
        let ids: BTreeMap<String, i64> = sqlx::query_as::<_, (String, i64)>("SELECT read_id, id FROM reads")
            .fetch_all(s.ws.pool())
            .await
            .unwrap()
            .into_iter()
            .collect();
        let mut reads: Vec<ModelRead> = planned
            .into_iter()
            .map(|(read_id, camera, vrm, time)| ModelRead { id: ids[&read_id], read_id, camera, vrm, time })
            .collect();

        // Restricted cameras, granted to some users only.
        let admin = s.login("demo.admin").await;
        let change = |camera: &str, user: Option<&str>| RestrictionChange {
            camera_id: camera.into(),
            username: user.map(str::to_owned),
            authorised_by: "Supt. Grey".into(),
            reference: "RA-2026-09".into(),
        };
        let mut granted = HashSet::new();
        for (c, (id, _, restricted)) in CAMERAS.iter().enumerate() {
            if *restricted {
                admin.set_camera_restricted(&change(id, None), true).await.unwrap();
                for (u, user) in DATA_USERS.iter().enumerate() {
                    if rng.random_bool(0.5) {
                        admin.change_camera_grant(&change(id, Some(user)), true).await.unwrap();
                        granted.insert((u, c));
                    }
                }
            }
        }
        let mut sessions = Vec::new();
        for user in DATA_USERS {
            sessions.push(s.login(user).await);
        }
        sessions[0]
            .create_investigation(&NewInvestigation {
                reference: "OP-FUZZY".into(),
                title: "fuzzy".into(),
                offence: "Arson".into(),
                sio: "DI Example".into(),
                notes: String::new(),
            })
            .await
            .unwrap();
        let ctx = format!("seed {seed}, granted {granted:?}");
        let found = oracle_rounds(t0, &mut rng, &reads, &plates, &granted, &sessions, &ctx).await;
        assert!(found > 200, "{ctx}: the searches found misreads ({found})");
        let hidden = reads.iter().filter(|r| CAMERAS[r.camera].2).count();
        assert!(hidden > 0 && granted.len() < 2 * DATA_USERS.len(), "{ctx}: some restricted reads stay hidden");

        // The search is audited as fuzzy (each round ends with a fuzzy page, then a wildcard search).
        let details: String =
            sqlx::query_scalar("SELECT details FROM audit WHERE action = 'search' ORDER BY seq DESC LIMIT 1 OFFSET 1")
                .fetch_one(s.ws.pool())
                .await
                .unwrap();
        let details: serde_json::Value = serde_json::from_str(&details).unwrap();
        assert_eq!(details["request"]["fuzzy"], true, "{details}");

        // Corrections: five VRMs changed to misreads of the plates and a read deleted as
        // incorrect; then retention three days on removes the reads now past 12 months.
        for (k, base) in plates.iter().take(6).enumerate() {
            // Corrected by a user who sees the read.
            let visible: Vec<usize> = (0..reads.len())
                .filter(|&i| !CAMERAS[reads[i].camera].2 || granted.contains(&(0, reads[i].camera)))
                .collect();
            let i = visible[rng.random_range(0..visible.len())];
            let vrm = if k == 5 { None } else { Some(misread(&mut rng, base)) };
            let request = CorrectionRequest { id: reads[i].id, vrm: vrm.clone(), reason: "plate patch checked".into() };
            sessions[0].correct_read(&request).await.unwrap();
            match vrm {
                Some(v) => reads[i].vrm = Some(v),
                None => {
                    reads.remove(i);
                }
            }
        }
        check_index(&s, "after corrections").await;
        s.clock.set(t0 + Duration::days(3));
        let report = sessions[0].run_retention(None).await.unwrap();
        let cutoff = t0 + Duration::days(3) - Duration::days(365);
        let before = reads.len();
        reads.retain(|r| r.time > cutoff);
        assert_eq!(report.twelve_month_rule, (before - reads.len()) as u64, "{ctx}");
        assert!(report.twelve_month_rule > 0, "{ctx}: retention deleted reads");
        check_index(&s, "after retention").await;
        let later = format!("{ctx}, after changes");
        oracle_rounds(t0 + Duration::days(3), &mut rng, &reads, &plates, &granted, &sessions, &later).await;
    }
}

/// A fuzzy search needs a full VRM; the refusal changes nothing.
#[tokio::test]
async fn a_fuzzy_search_needs_a_full_vrm() {
    let s = store().await;
    let investigator = s.login("demo.investigator").await;
    investigator
        .create_investigation(&NewInvestigation {
            reference: "OP-F".into(),
            title: "f".into(),
            offence: "Arson".into(),
            sio: "DI Example".into(),
            notes: String::new(),
        })
        .await
        .unwrap();
    for vrm in [None, Some("AB1?CDE"), Some("AB12*")] {
        let request = SearchRequest {
            investigation: "OP-F".into(),
            purpose: Some(Purpose::Investigation),
            justification: "j".into(),
            vrm: vrm.map(str::to_owned),
            limit: 10,
            fuzzy: true,
            ..SearchRequest::default()
        };
        assert!(matches!(investigator.search(&request).await, Err(Error::Invalid(_))), "{vrm:?}");
    }
}
