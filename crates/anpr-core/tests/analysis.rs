//! Investigative analyses (docs/analysis.md) as an oracle test: on a generated store with
//! Restricted Access cameras (8.8) granted to some users, CPIA-retained reads older than 12
//! months, a planted convoy and planted clones, every journey, convoy, stakeout, cloned-plate
//! and list result equals a brute-force computation over all reads fetched straight from the
//! table, with the visibility, period, CPIA, camera and area rules applied here in Rust. And
//! analyses are searches under Annex C: refused and audited like them.
#![allow(clippy::unwrap_used)]

mod common;

use anpr_core::types::{
    Analysis, AnalysisRequest, AnalysisResult, Findings, LocatedRead, NewInvestigation, Place, Purpose,
    RestrictionChange, RetainRequest, RetentionBasis, SearchRequest, Sightings,
};
use anpr_core::{Error, Session};
use chrono::{DateTime, SecondsFormat};
use common::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashSet};

const DATA_USERS: &[&str] = &["demo.investigator", "demo.evidence", "demo.inspector", "demo.superintendent"];
const INVESTIGATION: &str = "OP-ANALYSIS";
const DAY: i64 = 86_400_000;
const MINUTE: i64 = 60_000;

struct Cam {
    id: &'static str,
    area: &'static str,
    restricted: bool,
    mobile: bool,
    lat: f64,
    lon: f64,
}

const CAMERAS: &[Cam] = &[
    Cam { id: "CAM1", area: "Ashbury", restricted: false, mobile: false, lat: 52.00, lon: -1.00 },
    Cam { id: "CAM2", area: "Brookfield", restricted: true, mobile: false, lat: 52.05, lon: -1.05 },
    Cam { id: "CAM3", area: "Ashbury", restricted: false, mobile: false, lat: 52.10, lon: -1.00 },
    Cam { id: "CAM4", area: "Carlton", restricted: false, mobile: false, lat: 53.50, lon: -2.50 },
    Cam { id: "COV1", area: "Carlton", restricted: true, mobile: false, lat: 53.52, lon: -2.48 },
    Cam { id: "MOB1", area: "Brookfield", restricted: false, mobile: true, lat: 52.50, lon: -1.50 },
];
const TARGET: &str = "TG12TGT";
const COMPANIONS: [&str; 2] = ["CV12CNV", "CV34CNV"];
const CLONE: &str = "CL12ONE";
const SIMULTANEOUS: &str = "SM12ULT";

fn rfc(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms).unwrap().to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn now_ms() -> i64 {
    now().timestamp_millis()
}

/// A read as the oracle sees it: straight from the table.
#[derive(Debug, Clone)]
struct Row {
    id: i64,
    read_id: String,
    vrm: Option<String>,
    time: i64,
    camera: usize,
    lat: f64,
    lon: f64,
}

/// What an analysis is asked over: who, the period, cameras and area.
#[derive(Debug, Clone)]
struct Scope {
    user: usize,
    from: i64,
    to: i64,
    cameras: Vec<usize>,
    area: Option<String>,
}

impl Scope {
    fn request(&self, analysis: Analysis) -> AnalysisRequest {
        AnalysisRequest {
            scope: SearchRequest {
                investigation: INVESTIGATION.into(),
                purpose: Some(Purpose::Investigation),
                justification: "vehicles linked to the arson at the depot".into(),
                from: Some(rfc(self.from)),
                to: Some(rfc(self.to)),
                cameras: self.cameras.iter().map(|&c| CAMERAS[c].id.to_owned()).collect(),
                area: self.area.clone(),
                ..SearchRequest::default()
            },
            analysis,
        }
    }
}

struct Oracle {
    rows: Vec<Row>,
    granted: HashSet<(usize, usize)>,
    cpia: HashSet<i64>,
}

impl Oracle {
    /// Visible (8.8), read, in the period, CPIA-retained if over 12 months old.
    fn base(&self, s: &Scope, r: &Row) -> bool {
        (!CAMERAS[r.camera].restricted || self.granted.contains(&(s.user, r.camera)))
            && r.vrm.is_some()
            && (s.from..=s.to).contains(&r.time)
            && (r.time >= now_ms() - 365 * DAY || self.cpia.contains(&r.id))
    }

    fn allowed(&self, s: &Scope, r: &Row) -> bool {
        self.base(s, r)
            && (s.cameras.is_empty() || s.cameras.contains(&r.camera))
            && s.area.as_ref().is_none_or(|a| a.eq_ignore_ascii_case(CAMERAS[r.camera].area))
    }

    /// The allowed reads, by time then id.
    fn reads(&self, s: &Scope) -> Vec<&Row> {
        let mut all: Vec<&Row> = self.rows.iter().filter(|r| self.allowed(s, r)).collect();
        all.sort_by_key(|r| (r.time, r.id));
        all
    }
}

fn vrm(r: &Row) -> &str {
    r.vrm.as_deref().unwrap()
}

fn ids(reads: &[LocatedRead]) -> Vec<String> {
    reads.iter().map(|r| r.read.read_id.clone()).collect()
}

/// (total, first, last, cameras (id, reads, first, last), read ids) of one VRM's reads.
type SightingsShape = (u64, Option<String>, Option<String>, Vec<(String, u64, String, String)>, Vec<String>);

fn expected_sightings(reads: &[&Row], v: &str) -> SightingsShape {
    let mine: Vec<&&Row> = reads.iter().filter(|r| vrm(r) == v).collect();
    let mut cameras: BTreeMap<usize, (u64, i64, i64)> = BTreeMap::new();
    for r in &mine {
        let e = cameras.entry(r.camera).or_insert((0, i64::MAX, i64::MIN));
        *e = (e.0 + 1, e.1.min(r.time), e.2.max(r.time));
    }
    let mut cameras: Vec<_> = cameras.into_iter().collect();
    cameras.sort_by_key(|(c, (_, first, _))| (*first, CAMERAS[*c].id));
    (
        mine.len() as u64,
        mine.first().map(|r| rfc(r.time)),
        mine.last().map(|r| rfc(r.time)),
        cameras.into_iter().map(|(c, (n, first, last))| (CAMERAS[c].id.to_owned(), n, rfc(first), rfc(last))).collect(),
        mine.iter().map(|r| r.read_id.clone()).collect(),
    )
}

/// Per companion: VRM, times together, (target read, companion read, seconds apart).
type ConvoyShape = Vec<(String, u64, Vec<(String, String, f64)>)>;
/// Per vehicle: VRM, places, (place, read id).
type StakeoutShape = Vec<(String, Vec<usize>, Vec<(usize, String)>)>;
/// The target reads a companion accompanied, and the pairs.
type Accompanied<'a> = (BTreeSet<i64>, Vec<(&'a Row, &'a Row)>);
/// id, read id, VRM, time, camera id, latitude, longitude.
type TableRow = (i64, String, Option<String>, i64, String, f64, f64);

fn shape(s: &Sightings) -> SightingsShape {
    (
        s.total,
        s.first_seen.as_ref().map(|m| m.time.clone()),
        s.last_seen.as_ref().map(|m| m.time.clone()),
        s.cameras
            .iter()
            .map(|c| (c.camera_id.clone(), c.reads, c.first_seen.time.clone(), c.last_seen.time.clone()))
            .collect(),
        ids(&s.reads),
    )
}

fn haversine(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (p1, p2) = (a.0.to_radians(), b.0.to_radians());
    let h = ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * ((b.1 - a.1).to_radians() / 2.0).sin().powi(2);
    2.0 * 6_371.008_8 * h.sqrt().asin()
}

/// Every read a check compares carries its map position from the table.
fn check_positions(o: &Oracle, reads: &[&LocatedRead], ctx: &str) {
    for r in reads {
        let row = o.rows.iter().find(|x| x.read_id == r.read.read_id).unwrap();
        assert_eq!((r.latitude, r.longitude), (row.lat, row.lon), "{ctx}: position of {}", row.read_id);
        assert_eq!(r.read.camera_id, CAMERAS[row.camera].id, "{ctx}");
    }
}

fn check_journey(o: &Oracle, s: &Scope, v: &str, result: &AnalysisResult, ctx: &str) -> usize {
    let Findings::Journey(j) = &result.findings else { panic!("{ctx}: not a journey") };
    assert_eq!(j.vrm, v, "{ctx}");
    assert_eq!(shape(j), expected_sightings(&o.reads(s), v), "{ctx}");
    check_positions(o, &j.reads.iter().collect::<Vec<_>>(), ctx);
    j.reads.len()
}

fn check_convoy(
    o: &Oracle,
    s: &Scope,
    (v, window, k): (&str, i64, usize),
    result: &AnalysisResult,
    ctx: &str,
) -> usize {
    let Findings::Convoy(c) = &result.findings else { panic!("{ctx}: not a convoy") };
    let reads = o.reads(s);
    let targets: Vec<&&Row> = reads.iter().filter(|r| vrm(r) == v).collect();
    let mut by_vrm: BTreeMap<&str, Accompanied> = BTreeMap::new();
    for r in reads.iter().filter(|r| vrm(r) != v) {
        for t in targets.iter().filter(|t| t.camera == r.camera && (r.time - t.time).abs() <= window * MINUTE) {
            let e = by_vrm.entry(vrm(r)).or_default();
            e.0.insert(t.id);
            e.1.push((t, r));
        }
    }
    let mut expected: Vec<_> = by_vrm.into_iter().filter(|(_, (together, _))| together.len() >= k).collect();
    expected.sort_by_key(|(v, (together, _))| (Reverse(together.len()), *v));
    let expected: ConvoyShape = expected
        .into_iter()
        .map(|(v, (together, mut pairs))| {
            pairs.sort_by_key(|(t, r)| (t.time, t.id, r.time, r.id));
            let pairs = pairs
                .iter()
                .map(|(t, r)| (t.read_id.clone(), r.read_id.clone(), (r.time - t.time) as f64 / 1e3))
                .collect();
            (v.to_owned(), together.len() as u64, pairs)
        })
        .collect();
    let got: ConvoyShape = c
        .companions
        .iter()
        .map(|m| {
            let pairs = m
                .shared
                .iter()
                .map(|p| (p.target.read.read_id.clone(), p.companion.read.read_id.clone(), p.seconds_apart))
                .collect();
            (m.vrm.clone(), m.times_together, pairs)
        })
        .collect();
    assert_eq!(got, expected, "{ctx}");
    assert_eq!(c.target_reads, targets.len() as u64, "{ctx}");
    let shared: Vec<&LocatedRead> =
        c.companions.iter().flat_map(|m| &m.shared).flat_map(|p| [&p.target, &p.companion]).collect();
    check_positions(o, &shared, ctx);
    expected.len()
}

/// A stakeout place: cameras (or all), area, window.
type PlaceModel = (Vec<usize>, Option<&'static str>, i64, i64);

fn check_stakeout(
    o: &Oracle,
    s: &Scope,
    (places, m): (&[PlaceModel], usize),
    result: &AnalysisResult,
    ctx: &str,
) -> usize {
    let Findings::Stakeout(st) = &result.findings else { panic!("{ctx}: not a stakeout") };
    let mut seen: BTreeMap<&str, BTreeMap<usize, Vec<&Row>>> = BTreeMap::new();
    let mut vehicles = Vec::new();
    for (i, (cams, area, from, to)) in places.iter().enumerate() {
        let (from, to) = ((*from).max(s.from), (*to).min(s.to));
        let mut here = BTreeSet::new();
        for r in o.rows.iter().filter(|r| o.base(s, r) && (from..=to).contains(&r.time)) {
            if (cams.is_empty() || cams.contains(&r.camera))
                && area.is_none_or(|a| a.eq_ignore_ascii_case(CAMERAS[r.camera].area))
            {
                seen.entry(vrm(r)).or_default().entry(i).or_default().push(r);
                here.insert(vrm(r));
            }
        }
        vehicles.push(here.len() as u64);
        let window = (from <= to).then(|| (rfc(from), rfc(to)));
        let got = &st.places[i];
        assert_eq!(
            (got.from.as_ref().map(|m| m.time.clone()), got.to.as_ref().map(|m| m.time.clone())),
            window.clone().unzip(),
            "{ctx}"
        );
    }
    assert_eq!(st.places.iter().map(|p| p.vehicles).collect::<Vec<_>>(), vehicles, "{ctx}");
    let mut expected: Vec<_> = seen.into_iter().filter(|(_, at)| at.len() >= m).collect();
    expected.sort_by_key(|(v, at)| (Reverse(at.len()), *v));
    let expected: StakeoutShape = expected
        .into_iter()
        .map(|(v, at)| {
            let places = at.keys().copied().collect();
            let sightings = at
                .into_iter()
                .flat_map(|(p, mut rows)| {
                    rows.sort_by_key(|r| (r.time, r.id));
                    rows.into_iter().map(move |r| (p, r.read_id.clone()))
                })
                .collect();
            (v.to_owned(), places, sightings)
        })
        .collect();
    let got: StakeoutShape = st
        .vehicles
        .iter()
        .map(|v| {
            (
                v.vrm.clone(),
                v.places.clone(),
                v.sightings.iter().map(|s| (s.place, s.read.read.read_id.clone())).collect(),
            )
        })
        .collect();
    assert_eq!(got, expected, "{ctx}");
    check_positions(o, &st.vehicles.iter().flat_map(|v| &v.sightings).map(|s| &s.read).collect::<Vec<_>>(), ctx);
    expected.len()
}

fn check_cloned(
    o: &Oracle,
    s: &Scope,
    (pattern, speed): (Option<&str>, f64),
    result: &AnalysisResult,
    ctx: &str,
) -> usize {
    let Findings::Cloned(c) = &result.findings else { panic!("{ctx}: not cloned") };
    let mut by_vrm: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for r in o.reads(s) {
        if pattern.is_none_or(|p| glob(p.as_bytes(), vrm(r).as_bytes())) {
            by_vrm.entry(vrm(r)).or_default().push(r);
        }
    }
    let mut expected = Vec::new();
    for (v, reads) in &by_vrm {
        for pair in reads.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let km = haversine((a.lat, a.lon), (b.lat, b.lon));
            let hours = (b.time - a.time) as f64 / 3_600_000.0;
            let kmh = (hours > 0.0).then(|| km / hours);
            if km >= 1.0 && kmh.is_none_or(|k| k > speed) {
                expected.push((v.to_string(), a.read_id.clone(), b.read_id.clone(), km, hours * 60.0, kmh));
            }
        }
    }
    assert_eq!(c.pairs.len(), expected.len(), "{ctx}: {:?}", c.pairs.iter().map(|p| &p.vrm).collect::<Vec<_>>());
    for (p, e) in c.pairs.iter().zip(&expected) {
        assert_eq!((&p.vrm, &p.earlier.read.read_id, &p.later.read.read_id), (&e.0, &e.1, &e.2), "{ctx}");
        assert!((p.distance_km - e.3).abs() < 1e-6 && (p.minutes_apart - e.4).abs() < 1e-9, "{ctx}: {p:?} {e:?}");
        assert_eq!(p.speed_kmh.is_none(), e.5.is_none(), "{ctx}");
        assert!(p.speed_kmh.zip(e.5).is_none_or(|(a, b)| (a - b).abs() < 1e-6 * b.max(1.0)), "{ctx}");
    }
    check_positions(o, &c.pairs.iter().flat_map(|p| [&p.earlier, &p.later]).collect::<Vec<_>>(), ctx);
    expected.len()
}

fn check_list(o: &Oracle, s: &Scope, listed: &[String], result: &AnalysisResult, ctx: &str) -> usize {
    let Findings::List(l) = &result.findings else { panic!("{ctx}: not a list") };
    let mut normalised: Vec<String> = Vec::new();
    for v in listed {
        let v = v.replace(' ', "").to_uppercase();
        if !v.is_empty() && !normalised.contains(&v) {
            normalised.push(v);
        }
    }
    let reads = o.reads(s);
    let (hits, not_seen): (Vec<&String>, Vec<&String>) =
        normalised.iter().partition(|v| reads.iter().any(|r| vrm(r) == v.as_str()));
    assert_eq!(l.not_seen.iter().collect::<Vec<_>>(), not_seen, "{ctx}");
    assert_eq!(l.hits.iter().map(|h| &h.vrm).collect::<Vec<_>>(), hits, "{ctx}");
    for h in &l.hits {
        assert_eq!(shape(h), expected_sightings(&reads, &h.vrm), "{ctx}: {}", h.vrm);
    }
    hits.len()
}

fn plate(rng: &mut ChaCha8Rng) -> String {
    let letter = |rng: &mut ChaCha8Rng| char::from(b"ABCDEFGHKLMNPRSTVWXY"[rng.random_range(0..20)]);
    let mut p = String::new();
    for i in 0..7 {
        p.push(if i == 2 || i == 3 { char::from(b'0' + rng.random_range(0..10u8)) } else { letter(rng) });
    }
    p
}

/// The store: random traffic, the planted convoy and clones, old reads (some CPIA-retained),
/// restricted cameras granted at random. Returns the plates, the oracle and a session per user.
async fn generate(s: &Store, rng: &mut ChaCha8Rng) -> (Vec<String>, Oracle, Vec<Session>) {
    let plates: Vec<String> = (0..20).map(|_| plate(rng)).collect();
    let t0 = now_ms();
    // (vrm, time, camera, position)
    let mut planned: Vec<(Option<String>, i64, usize)> = Vec::new();
    for _ in 0..500 {
        let vrm = (!rng.random_bool(0.04)).then(|| plates[rng.random_range(0..plates.len())].clone());
        let time = if rng.random_bool(0.85) {
            t0 - rng.random_range(3_600_000..3 * DAY)
        } else {
            t0 - rng.random_range(3 * DAY..400 * DAY)
        };
        planned.push((vrm, time, rng.random_range(0..CAMERAS.len())));
    }
    // The convoy: the target read eight times; two companions with most of those reads.
    for (i, camera) in [0, 1, 2, 0, 3, 4, 2, 5].into_iter().enumerate() {
        let time = t0 - 2 * DAY + i as i64 * 5 * 3_600_000 + rng.random_range(0..MINUTE);
        planned.push((Some(TARGET.into()), time, camera));
        if i != 2 && i != 6 {
            planned.push((Some(COMPANIONS[0].into()), time + rng.random_range(-4 * MINUTE..=4 * MINUTE), camera));
        }
        if i % 3 == 0 {
            planned.push((Some(COMPANIONS[1].into()), time + rng.random_range(-9 * MINUTE..=9 * MINUTE), camera));
        }
    }
    // Clones: 195 km in 20 minutes; two cameras 11 km apart at the same instant.
    planned.push((Some(CLONE.into()), t0 - DAY, 0));
    planned.push((Some(CLONE.into()), t0 - DAY + 20 * MINUTE, 3));
    planned.push((Some(SIMULTANEOUS.into()), t0 - 30 * 3_600_000, 0));
    planned.push((Some(SIMULTANEOUS.into()), t0 - 30 * 3_600_000, 2));
    // Old reads of the target, beyond 12 months.
    planned.push((Some(TARGET.into()), t0 - 380 * DAY, 0));
    planned.push((Some(TARGET.into()), t0 - 381 * DAY, 3));

    let b = Bundle::new(s.dir.path(), "analysis");
    let cameras: Vec<String> = CAMERAS
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let kind = if c.mobile { "mobile" } else { "static" };
            format!(
                "{},Camera {i},{kind},{},{},{},,Road {i},Northshire Constabulary,false,1,false",
                c.id, c.lat, c.lon, c.area
            )
        })
        .collect();
    b.cameras(&cameras.iter().map(String::as_str).collect::<Vec<_>>());
    let rows: Vec<String> = planned
        .iter()
        .enumerate()
        .map(|(i, (vrm, time, camera))| {
            let c = &CAMERAS[*camera];
            // A mobile camera moves about; a static one's reads jitter by tens of metres.
            let (lat, lon) = if c.mobile {
                (rng.random_range(51.5..54.0), rng.random_range(-3.0..-0.5))
            } else {
                (c.lat + rng.random_range(-0.0004..0.0004), c.lon + rng.random_range(-0.0004..0.0004))
            };
            format!(
                "R{i:04},{},{},{},{lat:.6},{lon:.6},1,towards,90,,",
                vrm.as_deref().unwrap_or("-"),
                rfc(*time),
                c.id
            )
        })
        .collect();
    b.reads(&rows.iter().map(String::as_str).collect::<Vec<_>>());
    let summary = s.import(&b.dir).await.unwrap();
    assert_eq!(summary.reads_accepted, planned.len() as u64, "{summary:?}");

    let sessions = {
        let mut all = Vec::new();
        for user in DATA_USERS {
            all.push(s.login(user).await);
        }
        all
    };
    sessions[0]
        .create_investigation(&NewInvestigation {
            reference: INVESTIGATION.into(),
            title: "depot arson".into(),
            offence: "Arson".into(),
            sio: "DI Example".into(),
            notes: String::new(),
        })
        .await
        .unwrap();
    let table: Vec<TableRow> = sqlx::query_as(
        "SELECT r.id, r.read_id, r.vrm, r.read_time, c.camera_id, r.latitude, r.longitude
         FROM reads r JOIN cameras c ON c.id = r.camera",
    )
    .fetch_all(s.ws.pool())
    .await
    .unwrap();
    let rows: Vec<Row> = table
        .into_iter()
        .map(|(id, read_id, vrm, time, camera, lat, lon)| Row {
            id,
            read_id,
            vrm,
            time,
            camera: CAMERAS.iter().position(|c| c.id == camera).unwrap(),
            lat,
            lon,
        })
        .collect();
    // Half the reads over 12 months old (one of the target's among them) retained under CPIA.
    let old: Vec<&Row> = rows.iter().filter(|r| r.time < t0 - 365 * DAY).collect();
    let cpia: HashSet<i64> = old
        .iter()
        .filter(|r| r.vrm.as_deref() == Some(TARGET) && r.camera == 0 || rng.random_bool(0.5))
        .map(|r| r.id)
        .collect();
    let retain = RetainRequest {
        reads: cpia.iter().copied().collect(),
        basis: RetentionBasis::Cpia,
        investigation: Some(INVESTIGATION.into()),
        reason: "relevant to the depot arson".into(),
    };
    assert_eq!(sessions[1].retain_reads(&retain).await.unwrap(), cpia.len() as u64);
    assert!(cpia.len() < old.len(), "some old reads are not retained");

    let admin = s.login("demo.admin").await;
    let change = |camera: &str, user: Option<&str>| RestrictionChange {
        camera_id: camera.into(),
        username: user.map(str::to_owned),
        authorised_by: "Supt. Grey".into(),
        reference: "RA-2026-11".into(),
    };
    let mut granted = HashSet::new();
    for (c, cam) in CAMERAS.iter().enumerate().filter(|(_, c)| c.restricted) {
        admin.set_camera_restricted(&change(cam.id, None), true).await.unwrap();
        for (u, user) in DATA_USERS.iter().enumerate() {
            // The investigator sees the first restricted camera only, the evidence officer none,
            // the superintendent all.
            let grant = match u {
                0 => c == 1,
                1 => false,
                2 => rng.random_bool(0.5),
                _ => true,
            };
            if grant {
                admin.change_camera_grant(&change(cam.id, Some(user)), true).await.unwrap();
                granted.insert((u, c));
            }
        }
    }
    (plates, Oracle { rows, granted, cpia }, sessions)
}

fn random_scope(rng: &mut ChaCha8Rng, places_name_cameras: bool) -> Scope {
    let t0 = now_ms();
    let from = t0 - [2 * DAY, 4 * DAY, 30 * DAY, 400 * DAY][rng.random_range(0..4)] - rng.random_range(0..DAY);
    let to = t0 - [0, 6 * 3_600_000, DAY][rng.random_range(0..3)];
    let (cameras, area) = if places_name_cameras {
        (vec![], None)
    } else {
        let cameras =
            if rng.random_bool(0.25) { (0..CAMERAS.len()).filter(|_| rng.random_bool(0.5)).collect() } else { vec![] };
        let area =
            rng.random_bool(0.15).then(|| ["ashbury", "Carlton", "Brookfield"][rng.random_range(0..3)].to_owned());
        (cameras, area)
    };
    Scope { user: rng.random_range(0..DATA_USERS.len()), from, to, cameras, area }
}

/// Every analysis, by random users over random scopes, equals brute force over all reads.
#[tokio::test]
async fn every_analysis_equals_brute_force_over_all_reads() {
    for seed in [7u64, 2026] {
        let s = store().await;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (plates, o, sessions) = generate(&s, &mut rng).await;
        // Found by kind: journeys' reads, convoys' companions, stakeouts' vehicles, clones, list hits.
        let mut found = [0usize; 5];
        let mut runs = [0i64; 5];
        for round in 0..100 {
            let kind = round % 5;
            let scope = random_scope(&mut rng, kind == 2);
            let pick = |rng: &mut ChaCha8Rng| -> String {
                if rng.random_bool(0.4) { TARGET.into() } else { plates[rng.random_range(0..plates.len())].clone() }
            };
            let session = &sessions[scope.user];
            let ctx = format!("seed {seed}, round {round}, {scope:?}");
            let n = match kind {
                0 => {
                    let v = pick(&mut rng);
                    let result =
                        session.analyse(&scope.request(Analysis::Journey { vrm: v.to_lowercase() })).await.unwrap();
                    check_journey(&o, &scope, &v, &result, &format!("{ctx}, journey {v}"))
                }
                1 => {
                    let v = pick(&mut rng);
                    let (window, k) = ([1u32, 5, 10, 30, 120][rng.random_range(0..5)], rng.random_range(2..=3u32));
                    let analysis = Analysis::Convoy { vrm: v.clone(), window_minutes: window, min_together: k };
                    let result = session.analyse(&scope.request(analysis)).await.unwrap();
                    let params = (v.as_str(), i64::from(window), k as usize);
                    check_convoy(&o, &scope, params, &result, &format!("{ctx}, convoy {params:?}"))
                }
                2 => {
                    let t0 = now_ms();
                    let mut models: Vec<PlaceModel> = Vec::new();
                    for _ in 0..rng.random_range(2..=4) {
                        let from = t0 - rng.random_range(0..5 * DAY);
                        let to = from + rng.random_range(3_600_000..2 * DAY);
                        let cameras: Vec<usize> = (0..CAMERAS.len()).filter(|_| rng.random_bool(0.4)).collect();
                        let area = (cameras.is_empty() || rng.random_bool(0.2))
                            .then(|| ["Ashbury", "carlton", "Brookfield"][rng.random_range(0..3)]);
                        models.push((cameras, area, from, to));
                    }
                    let m = rng.random_range(2..=models.len());
                    let places = models
                        .iter()
                        .map(|(cameras, area, from, to)| Place {
                            cameras: cameras.iter().map(|&c| CAMERAS[c].id.to_owned()).collect(),
                            area: area.map(str::to_owned),
                            from: rfc(*from),
                            to: rfc(*to),
                        })
                        .collect();
                    let analysis = Analysis::Stakeout { places, min_places: m as u32 };
                    let result = session.analyse(&scope.request(analysis)).await.unwrap();
                    check_stakeout(&o, &scope, (&models, m), &result, &format!("{ctx}, stakeout {models:?} {m}"))
                }
                3 => {
                    let pattern = match rng.random_range(0..4) {
                        0 => Some(CLONE.to_owned()),
                        1 => Some(format!("{}*", &pick(&mut rng)[..2])),
                        _ => None,
                    };
                    let speed = [30.0, 120.0, 200.0, 600.0][rng.random_range(0..4)];
                    let analysis = Analysis::Cloned { vrm: pattern.clone(), max_speed_kmh: speed };
                    let result = session.analyse(&scope.request(analysis)).await.unwrap();
                    check_cloned(
                        &o,
                        &scope,
                        (pattern.as_deref(), speed),
                        &result,
                        &format!("{ctx}, cloned {pattern:?} {speed}"),
                    )
                }
                _ => {
                    let mut listed: Vec<String> = (0..rng.random_range(1..8)).map(|_| pick(&mut rng)).collect();
                    listed.push("ZZ99 ZZZ".into());
                    listed.push(listed[0].to_lowercase());
                    listed.push(" ".into());
                    let result =
                        session.analyse(&scope.request(Analysis::List { vrms: listed.clone() })).await.unwrap();
                    check_list(&o, &scope, &listed, &result, &format!("{ctx}, list {listed:?}"))
                }
            };
            found[kind] += n;
            runs[kind] += 1;
        }
        assert!(found.iter().all(|&n| n > 3), "seed {seed}: every analysis found something: {found:?}");

        // The planted convoy and clones are found by a user who sees everything they touch.
        let all = Scope { user: 3, from: now_ms() - 5 * DAY, to: now_ms(), cameras: vec![], area: None };
        let convoy = Analysis::Convoy { vrm: TARGET.into(), window_minutes: 10, min_together: 3 };
        let result = sessions[all.user].analyse(&all.request(convoy)).await.unwrap();
        let Findings::Convoy(c) = &result.findings else { panic!() };
        assert_eq!(c.companions.first().map(|m| m.vrm.as_str()), Some(COMPANIONS[0]), "seed {seed}: {c:?}");
        let result = sessions[all.user]
            .analyse(&all.request(Analysis::Cloned { vrm: None, max_speed_kmh: 200.0 }))
            .await
            .unwrap();
        let Findings::Cloned(c) = &result.findings else { panic!() };
        for v in [CLONE, SIMULTANEOUS] {
            assert!(c.pairs.iter().any(|p| p.vrm == v), "seed {seed}: {v} flagged");
        }
        assert!(c.pairs.iter().any(|p| p.vrm == SIMULTANEOUS && p.speed_kmh.is_none()), "simultaneous: infinite speed");

        // Each analysis is audited as a search with its kind.
        let audited: Vec<(String, i64)> = sqlx::query_as(
            "SELECT json_extract(details, '$.request.analysis') AS kind, count(*) FROM audit
             WHERE action = 'search' AND outcome = 'success' AND kind IS NOT NULL GROUP BY kind ORDER BY kind",
        )
        .fetch_all(s.ws.pool())
        .await
        .unwrap();
        let expected: Vec<(String, i64)> = vec![
            ("cloned".into(), runs[3] + 1),
            ("convoy".into(), runs[1] + 1),
            ("journey".into(), runs[0]),
            ("list".into(), runs[4]),
            ("stakeout".into(), runs[2]),
        ];
        assert_eq!(audited, expected, "seed {seed}");
    }
}

fn fixed_request(reference: &str, analysis: Analysis) -> AnalysisRequest {
    AnalysisRequest {
        scope: SearchRequest {
            investigation: reference.into(),
            purpose: Some(Purpose::Investigation),
            justification: "vehicles linked to the offence".into(),
            ..SearchRequest::default()
        },
        analysis,
    }
}

/// The last search audit entry: (outcome, details).
async fn last_search(s: &Store) -> (String, serde_json::Value) {
    let (outcome, details): (String, String) =
        sqlx::query_as("SELECT outcome, details FROM audit WHERE action = 'search' ORDER BY seq DESC LIMIT 1")
            .fetch_one(s.ws.pool())
            .await
            .unwrap();
    (outcome, serde_json::from_str(&details).unwrap())
}

/// Annex C and 9.10.1 hold for analyses as for searches: a justification is required, a
/// closed investigation or a period beyond what the category allows is refused and the refusal
/// audited with the analysis asked for; bad parameters are refused before anything runs.
#[tokio::test]
async fn analyses_are_refused_and_audited_as_searches() {
    let s = store().await;
    let investigator = s.login("demo.investigator").await;
    for reference in ["OP-OPEN", "OP-SHUT"] {
        let new = NewInvestigation {
            reference: reference.into(),
            title: "t".into(),
            offence: "Arson".into(),
            sio: "DI Example".into(),
            notes: String::new(),
        };
        investigator.create_investigation(&new).await.unwrap();
    }
    investigator.set_investigation_open("OP-SHUT", false).await.unwrap();
    let convoy = Analysis::Convoy { vrm: TARGET.into(), window_minutes: 10, min_together: 2 };
    let entries = || async { s.count("audit").await };

    // No justification: refused before the gate, like a search (9.10.1).
    let before = entries().await;
    let mut request = fixed_request("OP-OPEN", convoy.clone());
    request.scope.justification = "  ".into();
    assert!(matches!(investigator.analyse(&request).await, Err(Error::Invalid(_))));
    assert_eq!(entries().await, before);

    // Closed investigation (9.3.3) and beyond 12 months (9.5.1, Annex C): refused and audited.
    let closed = fixed_request("OP-SHUT", convoy.clone());
    let Err(Error::Refused(r)) = investigator.analyse(&closed).await else { panic!("closed investigation") };
    assert_eq!(r.clause, "9.3.3");
    let (outcome, details) = last_search(&s).await;
    assert_eq!((outcome.as_str(), &details["request"]["analysis"]), ("refused", &serde_json::json!("convoy")));
    assert_eq!(details["request"]["parameters"]["window_minutes"], 10, "{details}");
    let mut too_old = fixed_request("OP-OPEN", Analysis::Journey { vrm: TARGET.into() });
    too_old.scope.from = Some(rfc(now_ms() - 400 * DAY));
    let Err(Error::Refused(r)) = investigator.analyse(&too_old).await else { panic!("beyond 12 months") };
    assert_eq!(r.clause, "9.5.1, Annex C");
    let (outcome, details) = last_search(&s).await;
    assert_eq!((outcome.as_str(), &details["request"]["analysis"]), ("refused", &serde_json::json!("journey")));
    assert_eq!(details["request"]["vrm"], TARGET);

    // An administrator does not search (9.3.2).
    let admin = s.login("demo.admin").await;
    let Err(Error::Refused(r)) = admin.analyse(&fixed_request("OP-OPEN", convoy.clone())).await else { panic!() };
    assert_eq!(r.clause, "9.3.2");

    // Parameters out of range, refused before the gate and not audited.
    let before = entries().await;
    let place = |camera: &str| Place {
        cameras: vec![camera.into()],
        area: None,
        from: "2026-11-01".into(),
        to: "2026-11-02".into(),
    };
    let bad = [
        Analysis::Journey { vrm: "AB1?CDE".into() },
        Analysis::Convoy { vrm: TARGET.into(), window_minutes: 0, min_together: 2 },
        Analysis::Convoy { vrm: TARGET.into(), window_minutes: 121, min_together: 2 },
        Analysis::Convoy { vrm: TARGET.into(), window_minutes: 10, min_together: 1 },
        Analysis::Stakeout { places: vec![place("CAM1")], min_places: 2 },
        Analysis::Stakeout { places: vec![place("CAM1"); 11], min_places: 2 },
        Analysis::Stakeout { places: vec![place("CAM1"), place("CAM2")], min_places: 3 },
        Analysis::Stakeout { places: vec![place("CAM1"), place(" ")], min_places: 2 },
        Analysis::Stakeout {
            places: vec![place("CAM1"), Place { from: "2026-11-03".into(), ..place("CAM2") }],
            min_places: 2,
        },
        Analysis::Cloned { vrm: None, max_speed_kmh: 0.5 },
        Analysis::Cloned { vrm: None, max_speed_kmh: f64::NAN },
        Analysis::Cloned { vrm: Some("AB-1".into()), max_speed_kmh: 100.0 },
        Analysis::List { vrms: vec![" ".into()] },
        Analysis::List { vrms: (0..1001).map(|i| format!("AB{i:04}")).collect() },
        Analysis::List { vrms: vec!["AB12*".into()] },
    ];
    for analysis in bad {
        let result = investigator.analyse(&fixed_request("OP-OPEN", analysis.clone())).await;
        assert!(matches!(result, Err(Error::Invalid(_))), "{analysis:?}: {result:?}");
    }
    // A stakeout's places name the cameras: the scope names none.
    let mut request =
        fixed_request("OP-OPEN", Analysis::Stakeout { places: vec![place("CAM1"), place("CAM2")], min_places: 2 });
    request.scope.cameras = vec!["CAM1".into()];
    assert!(matches!(investigator.analyse(&request).await, Err(Error::Invalid(_))));
    assert_eq!(entries().await, before);

    // A run on an empty store: audited as a search, with the kind and what it found.
    let result = investigator.analyse(&fixed_request("OP-OPEN", convoy)).await.unwrap();
    assert!(!result.truncated);
    let (outcome, details) = last_search(&s).await;
    assert_eq!(outcome, "success");
    assert_eq!(
        (&details["request"]["analysis"], &details["companions"]),
        (&serde_json::json!("convoy"), &serde_json::json!(0))
    );
    assert_eq!(details["basis"], serde_json::json!(result.grant.basis));
}
