//! CSV and KML export (docs/export.md) as an oracle test: on a generated store with Restricted
//! Access cameras (8.8), every exported search, parsed back, equals a brute-force pass over all
//! reads fetched straight from the table with the visibility, period, VRM, camera and area rules
//! applied here; a journey's export equals the VRM's reads in time order, and the other
//! analyses' exports equal `Session::analyse` (itself checked against brute force by
//! tests/analysis.rs) flattened as docs/export.md says. KML is read with a real XML parser.
//! Exports need the export privilege (8.11.3), carry the marking (9.2.4), are audited with the
//! file's SHA-256 (9.10.1), and leave no file or temporary file behind when they fail.
#![allow(clippy::unwrap_used)]

mod common;

use anpr_core::export::COLUMNS;
use anpr_core::search::fuzzy;
use anpr_core::types::{
    Analysis, AnalysisRequest, ExportFormat, ExportReport, ExportRequest, ExportSource, Findings, MARKING,
    NewInvestigation, Place, Purpose, RestrictionChange, SearchRequest,
};
use anpr_core::{Error, Session};
use chrono::{DateTime, SecondsFormat};
use common::*;
use quick_xml::events::Event;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cmp::Reverse;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

const INVESTIGATION: &str = "OP-EXPORT";
const DAY: i64 = 86_400_000;
const MINUTE: i64 = 60_000;
/// (id, name, general area, restricted, latitude, longitude); a name XML and CSV must escape.
const CAMERAS: &[(&str, &str, &str, bool, f64, f64)] = &[
    ("CAM1", "Mill Rd & <North>", "Ashbury", false, 52.00, -1.00),
    ("CAM2", "Station, east", "Brookfield", true, 52.05, -1.05),
    ("CAM3", "Camera 3", "Ashbury", false, 52.10, -1.00),
    ("CAM4", "Camera 4", "Carlton", false, 53.50, -2.50),
    ("COV1", "Covert 1", "Carlton", true, 53.52, -2.48),
];
const TARGET: &str = "TG12TGT";
const COMPANION: &str = "CV12CNV";
const CLONE: &str = "CL12ONE";

fn rfc(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms).unwrap().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A read as the oracle sees it: straight from the table.
#[derive(Debug, Clone)]
struct Row {
    id: i64,
    read_id: String,
    vrm_as_read: String,
    vrm: Option<String>,
    time: i64,
    camera: usize,
    lat: f64,
    lon: f64,
}

/// The scope searched: period, VRM pattern, cameras, area.
#[derive(Debug, Clone, Default)]
struct Scope {
    from: i64,
    to: i64,
    vrm: Option<String>,
    cameras: Vec<usize>,
    area: Option<&'static str>,
}

impl Scope {
    fn request(&self) -> SearchRequest {
        SearchRequest {
            investigation: INVESTIGATION.into(),
            purpose: Some(Purpose::Investigation),
            justification: "vehicles seen near the depot fire".into(),
            vrm: self.vrm.clone(),
            from: Some(rfc(self.from)),
            to: Some(rfc(self.to)),
            cameras: self.cameras.iter().map(|&c| CAMERAS[c].0.to_owned()).collect(),
            area: self.area.map(str::to_owned),
            ..SearchRequest::default()
        }
    }
}

struct Oracle {
    rows: Vec<Row>,
    /// Restricted cameras granted to the exporting user.
    granted: HashSet<usize>,
}

impl Oracle {
    fn sees(&self, r: &Row) -> bool {
        !CAMERAS[r.camera].3 || self.granted.contains(&r.camera)
    }

    /// Every visible read the scope matches, newest first.
    fn search(&self, s: &Scope) -> Vec<&Row> {
        let pattern = s.vrm.as_ref().map(|v| v.to_uppercase().replace(' ', ""));
        let mut hits: Vec<&Row> = self
            .rows
            .iter()
            .filter(|r| self.sees(r) && (s.from..=s.to).contains(&r.time))
            .filter(|r| {
                pattern.as_ref().is_none_or(|p| r.vrm.as_ref().is_some_and(|v| glob(p.as_bytes(), v.as_bytes())))
            })
            .filter(|r| s.cameras.is_empty() || s.cameras.contains(&r.camera))
            .filter(|r| s.area.is_none_or(|a| a.eq_ignore_ascii_case(CAMERAS[r.camera].2)))
            .collect();
        hits.sort_by_key(|r| (Reverse(r.time), Reverse(r.id)));
        hits
    }

    fn by_read_id(&self, read_id: &str) -> &Row {
        self.rows.iter().find(|r| r.read_id == read_id).unwrap()
    }
}

/// One exported row: column -> value.
type Record = BTreeMap<String, String>;

/// The marking line, then the header and rows.
fn parse_csv(bytes: &[u8]) -> (Vec<String>, Vec<Record>) {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records = reader.records().map(Result::unwrap);
    let marking = records.next().unwrap();
    assert_eq!(marking.iter().collect::<Vec<_>>(), [MARKING], "the first line is the marking alone");
    let header: Vec<String> = records.next().unwrap().iter().map(str::to_owned).collect();
    let rows = records
        .map(|r| {
            assert_eq!(r.len(), header.len(), "{r:?}");
            header.iter().cloned().zip(r.iter().map(str::to_owned)).collect()
        })
        .collect();
    (header, rows)
}

/// An XML element as parsed: name, attributes, text and children.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: BTreeMap<String, String>,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    fn text_of(&self, path: &[&str]) -> String {
        path.iter().try_fold(self, |e, p| e.child(p)).map(|e| e.text.clone()).unwrap_or_default()
    }
}

/// The document's root element and its comments, by quick-xml; malformed XML fails the test.
fn parse_xml(text: &str) -> (Element, Vec<String>) {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack = vec![Element::default()];
    let mut comments = Vec::new();
    let open = |e: &quick_xml::events::BytesStart| Element {
        name: String::from(e.name().as_ref()),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    String::from(a.key.as_ref()),
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0).unwrap().into_owned(),
                )
            })
            .collect(),
        ..Element::default()
    };
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => stack.push(open(&e)),
            Event::Empty(e) => stack.last_mut().unwrap().children.push(open(&e)),
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
            }
            Event::Text(t) => stack.last_mut().unwrap().text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let c = match r.as_ref() {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    other => r.resolve_char_ref().unwrap().unwrap_or_else(|| panic!("entity {other}")),
                };
                stack.last_mut().unwrap().text.push(c);
            }
            Event::Comment(c) => comments.push(c.xml10_content().trim().to_owned()),
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut root = stack.pop().unwrap();
    assert_eq!(root.children.len(), 1, "one root element");
    (root.children.pop().unwrap(), comments)
}

/// A KML export: its document's name and description, and per folder its name, its point
/// placemarks as records (their ExtendedData, checked against their TimeStamp and Point) and
/// its LineString's points.
struct Kml {
    name: String,
    description: String,
    folders: Vec<Folder>,
}

/// A KML folder: its name, its placemarks' records and its line's points.
type Folder = (String, Vec<Record>, Vec<(f64, f64)>);

fn parse_kml(text: &str) -> Kml {
    let (kml, comments) = parse_xml(text);
    assert_eq!(
        (kml.name.as_str(), kml.attrs.get("xmlns").map(String::as_str)),
        ("kml", Some("http://www.opengis.net/kml/2.2"))
    );
    assert!(comments.iter().any(|c| c == MARKING), "{comments:?}");
    let doc = kml.child("Document").unwrap();
    let folders = doc
        .all("Folder")
        .map(|folder| {
            let mut records = Vec::new();
            let mut line = Vec::new();
            for p in folder.all("Placemark") {
                if let Some(ls) = p.child("LineString") {
                    line = ls
                        .text_of(&["coordinates"])
                        .split_whitespace()
                        .map(|pt| {
                            let (lon, lat) = pt.split_once(',').unwrap();
                            (lat.parse().unwrap(), lon.parse().unwrap())
                        })
                        .collect();
                    continue;
                }
                let record: Record = p
                    .child("ExtendedData")
                    .unwrap()
                    .all("Data")
                    .map(|d| (d.attrs["name"].clone(), d.text_of(&["value"])))
                    .collect();
                assert_eq!(p.text_of(&["TimeStamp", "when"]), record["time_utc"]);
                assert_eq!(p.text_of(&["name"]), record["vrm"]);
                let point = p.text_of(&["Point", "coordinates"]);
                assert_eq!(point, format!("{},{}", record["longitude"], record["latitude"]));
                records.push(record);
            }
            (folder.text_of(&["name"]), records, line)
        })
        .collect();
    Kml { name: doc.text_of(&["name"]), description: doc.text_of(&["description"]), folders }
}

impl Kml {
    fn records(&self) -> Vec<Record> {
        self.folders.iter().flat_map(|f| f.1.clone()).collect()
    }
}

/// The exported rows' read ids, each checked against its table row.
fn check_rows(o: &Oracle, rows: &[Record], ctx: &str) -> Vec<String> {
    rows.iter()
        .map(|rec| {
            let r = o.by_read_id(&rec["read_id"]);
            let c = &CAMERAS[r.camera];
            assert!(o.sees(r), "{ctx}: {} from a restricted camera not granted", r.read_id);
            assert_eq!(
                (&rec["vrm"], &rec["time_utc"], &rec["camera_id"], &rec["camera_name"], &rec["general_area"]),
                (&r.vrm_as_read, &rfc(r.time), &c.0.to_owned(), &c.1.to_owned(), &c.2.to_owned()),
                "{ctx}"
            );
            assert_eq!(
                (rec["latitude"].parse::<f64>().unwrap(), rec["longitude"].parse::<f64>().unwrap()),
                (r.lat, r.lon),
                "{ctx}"
            );
            assert!(rec["time_uk"].ends_with("GMT") || rec["time_uk"].ends_with("BST"), "{ctx}");
            rec["read_id"].clone()
        })
        .collect()
}

fn ids(rows: &[&Row]) -> Vec<String> {
    rows.iter().map(|r| r.read_id.clone()).collect()
}

struct Exporter<'a> {
    s: &'a Store,
    session: &'a Session,
    dir: PathBuf,
    n: usize,
}

impl Exporter<'_> {
    /// Exports `source` to a new file; its bytes and report, and the audit entry checked
    /// against them.
    async fn run(&mut self, source: ExportSource, format: ExportFormat) -> (Vec<u8>, ExportReport) {
        self.n += 1;
        let file = self.dir.join(format!("export-{}.{format}", self.n));
        let request =
            ExportRequest { source: source.clone(), format, file: file.display().to_string(), overwrite: false };
        let report = self.session.export_results(&request).await.unwrap();
        let bytes = std::fs::read(&file).unwrap();
        assert_eq!(report.sha256, sha256(&bytes));
        assert_eq!(report.bytes, bytes.len() as u64);
        assert_eq!(report.file, file.canonicalize().unwrap().display().to_string());
        let (outcome, object, justification, details) = last_export(self.s).await;
        assert_eq!((outcome.as_str(), object.as_str()), ("success", INVESTIGATION));
        assert_eq!(justification, source.scope().justification);
        let written = &details["export"];
        assert_eq!(written["sha256"], report.sha256.as_str(), "the audit entry holds the file's SHA-256");
        assert_eq!((written["rows"].as_u64(), written["format"].as_str()), (Some(report.rows), Some(format.as_str())));
        assert_eq!(written["file"], report.file.as_str());
        assert_eq!(details["request"]["export"], format.as_str());
        assert_eq!(details["basis"], report.grant.basis.as_str());
        if let ExportSource::Analysis(a) = &source {
            assert_eq!(details["request"]["analysis"], a.analysis.kind());
        }
        assert_no_partial(&self.dir);
        (bytes, report)
    }

    async fn csv(&mut self, source: ExportSource) -> Vec<Record> {
        let (bytes, report) = self.run(source, ExportFormat::Csv).await;
        let (header, rows) = parse_csv(&bytes);
        assert_eq!(&header[..COLUMNS.len()], COLUMNS);
        assert_eq!(report.rows, rows.len() as u64);
        rows
    }

    async fn kml(&mut self, source: ExportSource) -> Kml {
        let (bytes, report) = self.run(source, ExportFormat::Kml).await;
        let kml = parse_kml(std::str::from_utf8(&bytes).unwrap());
        assert!(kml.name.starts_with(&format!("{MARKING}: ")), "{}", kml.name);
        assert!(kml.description.starts_with(MARKING) && kml.description.contains(INVESTIGATION), "{}", kml.description);
        assert_eq!(report.rows, kml.records().len() as u64);
        kml
    }
}

/// The last export audit entry: outcome, object, justification, details.
async fn last_export(s: &Store) -> (String, String, String, serde_json::Value) {
    let (outcome, object, justification, details): (String, String, Option<String>, String) = sqlx::query_as(
        "SELECT outcome, object, justification, details FROM audit WHERE action = 'export' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(s.ws.pool())
    .await
    .unwrap();
    (outcome, object, justification.unwrap_or_default(), serde_json::from_str(&details).unwrap())
}

/// No temporary file left in `dir` (only finished exports).
fn assert_no_partial(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(name.starts_with("export-") && !name.ends_with(".part"), "left behind: {name}");
    }
}

fn plate(rng: &mut ChaCha8Rng) -> String {
    let letter = |rng: &mut ChaCha8Rng| char::from(b"ABCDEFGHKLMNPRSTVWXY"[rng.random_range(0..20)]);
    (0..7).map(|i| if i == 2 || i == 3 { char::from(b'0' + rng.random_range(0..10u8)) } else { letter(rng) }).collect()
}

/// Random traffic over 20 days, a planted convoy and clone, the restricted cameras designated.
async fn generate(s: &Store, rng: &mut ChaCha8Rng) -> (Vec<String>, Oracle) {
    let t0 = now().timestamp_millis();
    let plates: Vec<String> = (0..15).map(|_| plate(rng)).collect();
    let mut planned: Vec<(Option<String>, i64, usize)> = (0..400)
        .map(|_| {
            let vrm = (!rng.random_bool(0.05)).then(|| plates[rng.random_range(0..plates.len())].clone());
            (vrm, t0 - rng.random_range(MINUTE..20 * DAY), rng.random_range(0..CAMERAS.len()))
        })
        .collect();
    for (i, camera) in [0, 1, 2, 3, 0, 2].into_iter().enumerate() {
        let time = t0 - 3 * DAY + i as i64 * 4 * 3_600_000;
        planned.push((Some(TARGET.into()), time, camera));
        planned.push((Some(COMPANION.into()), time + rng.random_range(-3 * MINUTE..=3 * MINUTE), camera));
    }
    planned.push((Some(CLONE.into()), t0 - DAY, 0));
    planned.push((Some(CLONE.into()), t0 - DAY + 20 * MINUTE, 3));

    let b = Bundle::new(s.dir.path(), "traffic");
    let cameras: Vec<String> = CAMERAS
        .iter()
        .map(|(id, name, area, _, lat, lon)| {
            format!("{id},{name:?},static,{lat},{lon},{area},,Road,Northshire Constabulary,false,1,false")
        })
        .collect();
    b.cameras(&cameras.iter().map(String::as_str).collect::<Vec<_>>());
    let rows: Vec<String> = planned
        .iter()
        .enumerate()
        .map(|(i, (vrm, time, camera))| {
            let c = &CAMERAS[*camera];
            let (lat, lon) = (c.4 + rng.random_range(-0.0004..0.0004), c.5 + rng.random_range(-0.0004..0.0004));
            let shown = vrm
                .as_deref()
                .map_or("-".to_owned(), |v| if i % 7 == 0 { format!("{} {}", &v[..4], &v[4..]) } else { v.to_owned() });
            format!(
                "R{i:04},{shown},{},{},{lat:.6},{lon:.6},1,towards,{},,",
                rfc(*time),
                c.0,
                rng.random_range(50..100)
            )
        })
        .collect();
    b.reads(&rows.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(s.import(&b.dir).await.unwrap().reads_accepted, planned.len() as u64);

    s.login("demo.investigator")
        .await
        .create_investigation(&NewInvestigation {
            reference: INVESTIGATION.into(),
            title: "depot fire".into(),
            offence: "Arson".into(),
            sio: "DI Example".into(),
            notes: String::new(),
        })
        .await
        .unwrap();
    let admin = s.login("demo.admin").await;
    for (id, ..) in CAMERAS.iter().filter(|c| c.3) {
        admin.set_camera_restricted(&change(id, None), true).await.unwrap();
    }
    type TableRow = (i64, String, String, Option<String>, i64, String, f64, f64);
    let table: Vec<TableRow> = sqlx::query_as(
        "SELECT r.id, r.read_id, r.vrm_as_read, r.vrm, r.read_time, c.camera_id, r.latitude, r.longitude
         FROM reads r JOIN cameras c ON c.id = r.camera",
    )
    .fetch_all(s.ws.pool())
    .await
    .unwrap();
    let rows = table
        .into_iter()
        .map(|(id, read_id, vrm_as_read, vrm, time, camera, lat, lon)| Row {
            id,
            read_id,
            vrm_as_read,
            vrm,
            time,
            camera: CAMERAS.iter().position(|c| c.0 == camera).unwrap(),
            lat,
            lon,
        })
        .collect();
    (plates, Oracle { rows, granted: HashSet::new() })
}

fn change(camera: &str, user: Option<&str>) -> RestrictionChange {
    RestrictionChange {
        camera_id: camera.into(),
        username: user.map(str::to_owned),
        authorised_by: "Supt. Grey".into(),
        reference: "RA-2026-11".into(),
    }
}

fn analysis(scope: &Scope, analysis: Analysis) -> ExportSource {
    ExportSource::Analysis(AnalysisRequest { scope: scope.request(), analysis })
}

/// Searches and analyses exported as CSV and KML equal brute force; a restricted camera's reads
/// appear only once the exporting user is granted it.
#[tokio::test]
async fn exports_equal_brute_force_over_all_reads() {
    let s = store().await;
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let (plates, mut o) = generate(&s, &mut rng).await;
    let session = s.login("demo.evidence").await;
    let out = tempfile::tempdir().unwrap();
    let mut ex = Exporter { s: &s, session: &session, dir: out.path().to_owned(), n: 0 };
    let t0 = now().timestamp_millis();
    let everything = Scope { from: t0 - 30 * DAY, to: t0, ..Scope::default() };
    let restricted_rows = |rows: &[Record], camera: &str| rows.iter().filter(|r| r["camera_id"] == camera).count();

    // Ungranted: no restricted camera's read leaves the core, in either format.
    let rows = ex.csv(ExportSource::Search(everything.request())).await;
    assert_eq!(check_rows(&o, &rows, "all, ungranted"), ids(&o.search(&everything)));
    assert_eq!(restricted_rows(&rows, "CAM2") + restricted_rows(&rows, "COV1"), 0);
    let kml = ex.kml(ExportSource::Search(everything.request())).await;
    assert_eq!(kml.records(), rows, "the KML holds the CSV's rows");

    // Granted CAM2: its reads are exported too; COV1's still not.
    let admin = s.login("demo.admin").await;
    admin.change_camera_grant(&change("CAM2", Some("demo.evidence")), true).await.unwrap();
    o.granted.insert(1);
    let rows = ex.csv(ExportSource::Search(everything.request())).await;
    assert_eq!(check_rows(&o, &rows, "all, granted CAM2"), ids(&o.search(&everything)));
    assert!(restricted_rows(&rows, "CAM2") > 0 && restricted_rows(&rows, "COV1") == 0);

    // Random scopes and patterns.
    for round in 0..12 {
        let base = &plates[rng.random_range(0..plates.len())];
        let scope = Scope {
            from: t0 - rng.random_range(1..25) * DAY,
            to: t0 - rng.random_range(0..DAY),
            vrm: match round % 4 {
                0 => Some(base.to_lowercase()),
                1 => Some(format!("{}*", &base[..2])),
                2 => Some(format!("*{}?", &base[3..5])),
                _ => None,
            },
            cameras: (0..CAMERAS.len()).filter(|_| rng.random_bool(0.3)).collect(),
            area: rng.random_bool(0.3).then_some("ashbury"),
        };
        let rows = ex.csv(ExportSource::Search(scope.request())).await;
        assert_eq!(check_rows(&o, &rows, &format!("{scope:?}")), ids(&o.search(&scope)), "round {round}: {scope:?}");
    }

    // Misread-tolerant: the plate and its look-alikes, closest first, then newest, with the
    // matcher's cost and edits.
    let query = plates[0].clone();
    let fuzzy_request = SearchRequest { vrm: Some(query.clone()), fuzzy: true, ..everything.request() };
    let rows = ex.csv(ExportSource::Search(fuzzy_request)).await;
    let mut expected: Vec<(&Row, u32, String)> = o
        .search(&everything)
        .into_iter()
        .filter_map(|r| {
            let m = fuzzy::compare(&query, r.vrm.as_deref()?, false)?;
            Some((r, m.cost, m.edits.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")))
        })
        .collect();
    expected.sort_by_key(|(r, cost, _)| (*cost, Reverse(r.time), Reverse(r.id)));
    assert!(!expected.is_empty());
    check_rows(&o, &rows, "fuzzy");
    let got: Vec<(String, String, String)> =
        rows.iter().map(|r| (r["read_id"].clone(), r["match_cost"].clone(), r["match_edits"].clone())).collect();
    let expected: Vec<(String, String, String)> =
        expected.into_iter().map(|(r, cost, edits)| (r.read_id.clone(), cost.to_string(), edits)).collect();
    assert_eq!(got, expected);

    // A journey: the VRM's reads in time order, and in KML a line through them in that order.
    let journey = analysis(&everything, Analysis::Journey { vrm: TARGET.to_lowercase() });
    let mut reads: Vec<&Row> = o.search(&Scope { vrm: Some(TARGET.into()), ..everything.clone() });
    reads.sort_by_key(|r| (r.time, r.id));
    assert!(reads.iter().any(|r| r.camera == 1), "the journey passes the granted restricted camera");
    let rows = ex.csv(journey.clone()).await;
    assert_eq!(check_rows(&o, &rows, "journey"), ids(&reads));
    let kml = ex.kml(journey).await;
    assert_eq!(kml.folders.len(), 1);
    assert_eq!(kml.folders[0].2, reads.iter().map(|r| (r.lat, r.lon)).collect::<Vec<_>>(), "the journey's line");
    assert_eq!(kml.records(), rows);

    // The other analyses, as Session::analyse finds them (its oracle is tests/analysis.rs).
    let convoy = Analysis::Convoy { vrm: TARGET.into(), window_minutes: 5, min_together: 3 };
    let Findings::Convoy(c) = session
        .analyse(&AnalysisRequest { scope: everything.request(), analysis: convoy.clone() })
        .await
        .unwrap()
        .findings
    else {
        panic!()
    };
    assert_eq!(c.companions.first().map(|m| m.vrm.as_str()), Some(COMPANION));
    let rows = ex.csv(analysis(&everything, convoy)).await;
    check_rows(&o, &rows, "convoy");
    let mut targets: Vec<(String, String)> = Vec::new();
    let mut companions = Vec::new();
    for m in &c.companions {
        for p in &m.shared {
            let target = (p.target.read.read_time.clone(), p.target.read.read_id.clone());
            if !targets.contains(&target) {
                targets.push(target);
            }
            let row = [
                &p.companion.read.read_id,
                "companion",
                &m.times_together.to_string(),
                &p.target.read.read_id,
                &p.seconds_apart.to_string(),
            ];
            companions.push(row.map(str::to_owned).to_vec());
        }
    }
    targets.sort();
    let expected: Vec<Vec<String>> = targets
        .into_iter()
        .map(|(_, id)| vec![id, "target".into(), String::new(), String::new(), String::new()])
        .chain(companions)
        .collect();
    let cells = |r: &Record, extra: &[&str]| -> Vec<String> {
        std::iter::once(r["read_id"].clone()).chain(extra.iter().map(|k| r[*k].clone())).collect()
    };
    let got: Vec<Vec<String>> =
        rows.iter().map(|r| cells(r, &["role", "times_together", "target_read_id", "seconds_apart"])).collect();
    assert_eq!(got, expected);

    let cloned = Analysis::Cloned { vrm: None, max_speed_kmh: 150.0 };
    let Findings::Cloned(c) = session
        .analyse(&AnalysisRequest { scope: everything.request(), analysis: cloned.clone() })
        .await
        .unwrap()
        .findings
    else {
        panic!()
    };
    assert!(c.pairs.iter().any(|p| p.vrm == CLONE));
    let kml = ex.kml(analysis(&everything, cloned)).await;
    assert_eq!(kml.folders.len(), c.pairs.len(), "a folder per pair");
    for (i, ((_, records, line), p)) in kml.folders.iter().zip(&c.pairs).enumerate() {
        let got: Vec<Vec<String>> = records.iter().map(|r| cells(r, &["pair", "position", "speed_kmh"])).collect();
        let speed = p.speed_kmh.map(|s| s.to_string()).unwrap_or_default();
        let n = (i + 1).to_string();
        assert_eq!(
            got,
            [
                vec![p.earlier.read.read_id.clone(), n.clone(), "earlier".into(), speed.clone()],
                vec![p.later.read.read_id.clone(), n, "later".into(), speed]
            ]
        );
        assert_eq!(line, &[(p.earlier.latitude, p.earlier.longitude), (p.later.latitude, p.later.longitude)]);
    }

    let listed = vec![plates[1].clone(), TARGET.into(), "ZZ99ZZZ".into()];
    let rows = ex.csv(analysis(&everything, Analysis::List { vrms: listed.clone() })).await;
    check_rows(&o, &rows, "list");
    let expected: Vec<(String, String)> = listed
        .iter()
        .flat_map(|v| {
            let mut reads = o.search(&Scope { vrm: Some(v.clone()), ..everything.clone() });
            reads.sort_by_key(|r| (r.time, r.id));
            reads.into_iter().map(|r| (v.clone(), r.read_id.clone())).collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(rows.iter().map(|r| (r["listed_vrm"].clone(), r["read_id"].clone())).collect::<Vec<_>>(), expected);

    let places = [0usize, 3].map(|c| Place {
        cameras: vec![CAMERAS[c].0.into()],
        area: None,
        from: rfc(t0 - 4 * DAY),
        to: rfc(t0),
    });
    let stakeout = Analysis::Stakeout { places: places.to_vec(), min_places: 2 };
    let Findings::Stakeout(st) = session
        .analyse(&AnalysisRequest { scope: everything.request(), analysis: stakeout.clone() })
        .await
        .unwrap()
        .findings
    else {
        panic!()
    };
    let rows = ex.csv(analysis(&everything, stakeout)).await;
    check_rows(&o, &rows, "stakeout");
    let expected: Vec<Vec<String>> = st
        .vehicles
        .iter()
        .flat_map(|v| {
            v.sightings
                .iter()
                .map(|s| vec![s.read.read.read_id.clone(), s.place.to_string(), v.places.len().to_string()])
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(rows.iter().map(|r| cells(r, &["place", "places_seen"])).collect::<Vec<_>>(), expected);

    // Exports are part of the investigation's searches: a court bundle's scope lists them.
    let mut conn = s.ws.pool().acquire().await.unwrap();
    let searches = anpr_core::store::audit::searches_for(&mut conn, INVESTIGATION, 1000).await.unwrap();
    assert_eq!(searches.iter().filter(|r| r.action == "export").count(), ex.n, "every export is in the scope");
}

/// Only the export privilege may export (8.11.3): refused and audited, nothing written. An
/// existing file is kept unless replacing is asked for; a failure leaves no file and no
/// temporary file, and no success entry.
#[tokio::test]
async fn exports_are_refused_without_the_privilege_and_never_leave_half_files() {
    let s = store().await;
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    generate(&s, &mut rng).await;
    let out = tempfile::tempdir().unwrap();
    let t0 = now().timestamp_millis();
    let scope = Scope { from: t0 - 30 * DAY, to: t0, ..Scope::default() };
    let file = out.path().join("export-1.csv");
    let request = ExportRequest {
        source: ExportSource::Search(scope.request()),
        format: ExportFormat::Csv,
        file: file.display().to_string(),
        overwrite: false,
    };

    let investigator = s.login("demo.investigator").await;
    let Err(Error::Refused(r)) = investigator.export_results(&request).await else {
        panic!("an investigator exported")
    };
    assert_eq!(r.clause, "8.11.3");
    assert!(r.needs.unwrap().contains("evidence_officer"));
    let (outcome, object, _, details) = last_export(&s).await;
    assert_eq!(
        (outcome.as_str(), object.as_str(), &details["clause"]),
        ("refused", INVESTIGATION, &serde_json::json!("8.11.3"))
    );
    assert!(!file.exists());

    let evidence = s.login("demo.evidence").await;
    let first = evidence.export_results(&request).await.unwrap();
    let successes = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM audit WHERE action = 'export' AND outcome = 'success'")
            .fetch_one(s.ws.pool())
            .await
            .unwrap()
    };
    assert_eq!(successes().await, 1);

    // The file exists: kept, unless replacing is asked for.
    let kml = ExportRequest { format: ExportFormat::Kml, ..request.clone() };
    assert!(matches!(evidence.export_results(&kml).await, Err(Error::Invalid(_))));
    assert_eq!(sha256(&std::fs::read(&file).unwrap()), first.sha256);
    let replaced = evidence.export_results(&ExportRequest { overwrite: true, ..kml }).await.unwrap();
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(sha256(&bytes), replaced.sha256);
    assert!(bytes.starts_with(b"<?xml"));
    assert_eq!(successes().await, 2);

    // The rename fails (a name too long for the file system) after the temporary file was
    // written: nothing is left and nothing recorded as exported.
    let long = out.path().join(format!("{}.csv", "x".repeat(300)));
    let failed = ExportRequest { file: long.display().to_string(), ..request.clone() };
    assert!(matches!(evidence.export_results(&failed).await, Err(Error::Io { .. })));
    // A folder that does not exist, and a folder as the file.
    let missing =
        ExportRequest { file: out.path().join("no/such/folder/x.csv").display().to_string(), ..request.clone() };
    assert!(evidence.export_results(&missing).await.is_err());
    let folder = ExportRequest { file: out.path().display().to_string(), overwrite: true, ..request.clone() };
    assert!(matches!(evidence.export_results(&folder).await, Err(Error::Invalid(_))));
    assert_no_partial(out.path());
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 1, "only the first export's file");
    assert_eq!(successes().await, 2);
}
