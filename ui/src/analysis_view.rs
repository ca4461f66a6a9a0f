//! The Analysis screen's logic, pure and tested on the host: the analysis form's own boxes, the
//! reads a result lists, their sorting, the keyboard's moves over them, the comparison
//! selection, and what a result puts on the map.

use crate::components::map::{Highlight, MapContent};
use crate::format::comma_list;
use anpr_types::{Analysis, Findings, LocatedRead, Place};
use std::cmp::Ordering;
use std::collections::HashSet;

/// The analyses the screen offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Journey,
    Convoy,
    Stakeout,
    Cloned,
    List,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Journey, Kind::Convoy, Kind::Stakeout, Kind::Cloned, Kind::List];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Journey => "journey",
            Kind::Convoy => "convoy",
            Kind::Stakeout => "stakeout",
            Kind::Cloned => "cloned",
            Kind::List => "list",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Journey => "Journey",
            Kind::Convoy => "Convoy",
            Kind::Stakeout => "Stakeout (common vehicles)",
            Kind::Cloned => "Cloned plate",
            Kind::List => "List search",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// The analysis's own boxes as typed (the scope is separate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamsForm {
    pub kind: Kind,
    pub vrm: String,
    pub window_minutes: String,
    pub min_together: String,
    /// One place a line: `CAM1,CAM2@FROM..TO` or `area=NAME@FROM..TO` (as `anpr analyse stakeout`).
    pub places: String,
    pub min_places: String,
    pub max_speed: String,
    /// VRMs separated by commas, spaces or new lines.
    pub vrms: String,
}

impl Default for ParamsForm {
    fn default() -> Self {
        ParamsForm {
            kind: Kind::Journey,
            vrm: String::new(),
            window_minutes: "5".into(),
            min_together: "2".into(),
            places: String::new(),
            min_places: "2".into(),
            max_speed: "200".into(),
            vrms: String::new(),
        }
    }
}

fn number<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, String> {
    text.trim().parse().map_err(|_| format!("Enter {what} as a number."))
}

fn required_vrm(text: &str) -> Result<String, String> {
    let vrm = text.trim();
    if vrm.is_empty() { Err("Enter the VRM.".into()) } else { Ok(vrm.to_owned()) }
}

/// `CAM1,CAM2@FROM..TO` or `area=NAME@FROM..TO`.
fn place(line: &str) -> Result<Place, String> {
    let bad = || format!("{line:?}: write a place as CAM1,CAM2@FROM..TO or area=NAME@FROM..TO");
    let (what, window) = line.split_once('@').ok_or_else(bad)?;
    let (from, to) = window.split_once("..").ok_or_else(bad)?;
    let (cameras, area) = match what.trim().strip_prefix("area=") {
        Some(area) => (Vec::new(), Some(area.trim().to_owned())),
        None => (comma_list(what), None),
    };
    if cameras.is_empty() && area.as_deref().is_none_or(str::is_empty) {
        return Err(bad());
    }
    Ok(Place { cameras, area, from: from.trim().to_owned(), to: to.trim().to_owned() })
}

impl ParamsForm {
    /// The analysis asked for, or what is wrong with the boxes (the core checks the ranges).
    pub fn analysis(&self) -> Result<Analysis, String> {
        Ok(match self.kind {
            Kind::Journey => Analysis::Journey { vrm: required_vrm(&self.vrm)? },
            Kind::Convoy => Analysis::Convoy {
                vrm: required_vrm(&self.vrm)?,
                window_minutes: number(&self.window_minutes, "the window")?,
                min_together: number(&self.min_together, "the times together")?,
            },
            Kind::Stakeout => Analysis::Stakeout {
                places: self.places.lines().filter(|l| !l.trim().is_empty()).map(place).collect::<Result<_, _>>()?,
                min_places: number(&self.min_places, "the places a vehicle must be seen at")?,
            },
            Kind::Cloned => Analysis::Cloned {
                vrm: Some(self.vrm.trim().to_owned()).filter(|v| !v.is_empty()),
                max_speed_kmh: number(&self.max_speed, "the speed")?,
            },
            Kind::List => {
                let vrms: Vec<String> = self
                    .vrms
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
                    .collect();
                if vrms.is_empty() {
                    return Err("Enter the VRMs to look for.".into());
                }
                Analysis::List { vrms }
            }
        })
    }
}

/// The reads a result lists, each once, in the result's order.
pub fn reads_of(findings: &Findings) -> Vec<LocatedRead> {
    let all: Vec<&LocatedRead> = match findings {
        Findings::Journey(j) => j.reads.iter().collect(),
        Findings::Convoy(c) => {
            c.companions.iter().flat_map(|m| m.shared.iter().flat_map(|s| [&s.target, &s.companion])).collect()
        }
        Findings::Stakeout(s) => s.vehicles.iter().flat_map(|v| v.sightings.iter().map(|p| &p.read)).collect(),
        Findings::Cloned(c) => c.pairs.iter().flat_map(|p| [&p.earlier, &p.later]).collect(),
        Findings::List(l) => l.hits.iter().flat_map(|h| &h.reads).collect(),
    };
    let mut seen = HashSet::new();
    all.into_iter().filter(|r| seen.insert(r.read.id)).cloned().collect()
}

/// What a result puts on the map: a journey's path in time order, a convoy's shared
/// sightings, a stakeout's sightings, each cloned pair's impossible jump, a list's hits.
pub fn map_content(findings: &Findings) -> MapContent {
    let at = |r: &LocatedRead| (r.latitude, r.longitude);
    let spot =
        |r: &LocatedRead, what: String| Highlight { at: at(r), label: format!("{what} {}", r.read.read_time_uk) };
    match findings {
        Findings::Journey(j) => MapContent { paths: vec![j.reads.iter().map(at).collect()], highlights: Vec::new() },
        Findings::Convoy(c) => MapContent {
            paths: Vec::new(),
            highlights: c
                .companions
                .iter()
                .flat_map(|m| m.shared.iter().map(move |s| spot(&s.target, format!("{} with {}", c.vrm, m.vrm))))
                .collect(),
        },
        Findings::Stakeout(s) => MapContent {
            paths: Vec::new(),
            highlights: s
                .vehicles
                .iter()
                .flat_map(|v| {
                    v.sightings.iter().map(move |p| spot(&p.read, format!("{} at place {}", v.vrm, p.place + 1)))
                })
                .collect(),
        },
        Findings::Cloned(c) => MapContent {
            paths: c.pairs.iter().map(|p| vec![at(&p.earlier), at(&p.later)]).collect(),
            highlights: c
                .pairs
                .iter()
                .flat_map(|p| [spot(&p.earlier, p.vrm.clone()), spot(&p.later, p.vrm.clone())])
                .collect(),
        },
        Findings::List(l) => MapContent {
            paths: Vec::new(),
            highlights: l.hits.iter().flat_map(|h| h.reads.iter().map(|r| spot(r, h.vrm.clone()))).collect(),
        },
    }
}

/// A sortable column of the reads table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Time,
    Vrm,
    Camera,
    Area,
    Confidence,
}

/// How the reads table is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: Column,
    pub ascending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort { column: Column::Time, ascending: true }
    }
}

impl Sort {
    /// A click on `column`'s heading: the other way round if it is already the sort, else
    /// ascending by it.
    pub fn clicked(self, column: Column) -> Sort {
        Sort { column, ascending: if self.column == column { !self.ascending } else { true } }
    }

    fn compare(self, a: &LocatedRead, b: &LocatedRead) -> Ordering {
        let (a, b) = (&a.read, &b.read);
        let by = match self.column {
            // RFC 3339 UTC with a fixed format sorts as text.
            Column::Time => a.read_time.cmp(&b.read_time),
            Column::Vrm => a.vrm.cmp(&b.vrm),
            Column::Camera => a.camera_name.cmp(&b.camera_name),
            Column::Area => a.general_area.cmp(&b.general_area),
            Column::Confidence => a.confidence.partial_cmp(&b.confidence).unwrap_or(Ordering::Equal),
        };
        let by = if self.ascending { by } else { by.reverse() };
        // Ties in time order, then by store id, whichever way: a stable, repeatable order.
        by.then_with(|| a.read_time.cmp(&b.read_time)).then(a.id.cmp(&b.id))
    }

    pub fn apply(self, rows: &mut [LocatedRead]) {
        rows.sort_by(|a, b| self.compare(a, b));
    }
}

/// What a key does in the reads table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAction {
    /// Select (and show) this row.
    Select(usize),
    /// Open this row's read detail.
    Open(usize),
    /// Add this row to, or take it from, the comparison.
    Toggle(usize),
    Nothing,
}

/// The action of `key` with row `at` selected among `rows`, `per_screen` rows in view.
pub fn key_action(key: &str, at: Option<usize>, rows: usize, per_screen: usize) -> KeyAction {
    if rows == 0 {
        return KeyAction::Nothing;
    }
    let last = rows - 1;
    let step = per_screen.max(1);
    match (key, at) {
        ("ArrowDown", None) | ("ArrowUp", None) | ("Home", _) => KeyAction::Select(0),
        ("ArrowDown", Some(i)) => KeyAction::Select((i + 1).min(last)),
        ("ArrowUp", Some(i)) => KeyAction::Select(i.saturating_sub(1)),
        ("PageDown", i) => KeyAction::Select(i.map_or(0, |i| (i + step).min(last))),
        ("PageUp", i) => KeyAction::Select(i.map_or(0, |i| i.saturating_sub(step))),
        ("End", _) => KeyAction::Select(last),
        ("Enter", Some(i)) => KeyAction::Open(i.min(last)),
        (" ", Some(i)) => KeyAction::Toggle(i.min(last)),
        _ => KeyAction::Nothing,
    }
}

/// Most reads compared side by side.
pub const MAX_COMPARED: usize = 4;

/// `compared` with read `id` added (dropping the oldest beyond [`MAX_COMPARED`]) or removed.
pub fn toggle_compared(compared: &[i64], id: i64) -> Vec<i64> {
    if compared.contains(&id) {
        return compared.iter().copied().filter(|c| *c != id).collect();
    }
    let mut out = compared.to_vec();
    out.push(id);
    let excess = out.len().saturating_sub(MAX_COMPARED);
    out.drain(..excess);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use anpr_types::{Companion, Convoy, ReadSummary, SharedSighting, Sightings};

    fn read(id: i64, vrm: &str, time: &str, camera: &str) -> LocatedRead {
        LocatedRead {
            read: ReadSummary {
                id,
                read_id: format!("R{id}"),
                vrm: vrm.into(),
                not_read: false,
                read_time: time.into(),
                read_time_uk: time.into(),
                camera_id: camera.into(),
                camera_name: camera.into(),
                general_area: "Ashbury".into(),
                lane: None,
                direction: None,
                confidence: Some(0.5 + id as f64 / 100.0),
                plate_image: None,
                overview_image: None,
                vrm_match: None,
                likely_misread: false,
            },
            latitude: 52.0 + id as f64 / 10.0,
            longitude: -1.0,
        }
    }

    fn ids(rows: &[LocatedRead]) -> Vec<i64> {
        rows.iter().map(|r| r.read.id).collect()
    }

    #[test]
    fn sorting_by_a_column_and_back_keeps_ties_in_time_order() {
        let mut rows = vec![
            read(1, "BB", "2026-11-01T10:00:00.000Z", "Cam B"),
            read(2, "AA", "2026-11-01T09:00:00.000Z", "Cam A"),
            read(3, "BB", "2026-11-01T08:00:00.000Z", "Cam A"),
        ];
        let sort = Sort::default();
        sort.apply(&mut rows);
        assert_eq!(ids(&rows), vec![3, 2, 1]);
        let by_vrm = sort.clicked(Column::Vrm);
        assert_eq!(by_vrm, Sort { column: Column::Vrm, ascending: true });
        by_vrm.apply(&mut rows);
        assert_eq!(ids(&rows), vec![2, 3, 1]);
        let back = by_vrm.clicked(Column::Vrm);
        assert!(!back.ascending);
        back.apply(&mut rows);
        assert_eq!(ids(&rows), vec![3, 1, 2], "descending VRM, ties still in time order");
        Sort::default().clicked(Column::Camera).apply(&mut rows);
        assert_eq!(ids(&rows), vec![3, 2, 1]);
        Sort { column: Column::Confidence, ascending: false }.apply(&mut rows);
        assert_eq!(ids(&rows), vec![3, 2, 1]);
    }

    #[test]
    fn keys_move_open_and_toggle_within_the_rows() {
        assert_eq!(key_action("ArrowDown", None, 5, 3), KeyAction::Select(0));
        assert_eq!(key_action("ArrowDown", Some(1), 5, 3), KeyAction::Select(2));
        assert_eq!(key_action("ArrowDown", Some(4), 5, 3), KeyAction::Select(4));
        assert_eq!(key_action("ArrowUp", Some(0), 5, 3), KeyAction::Select(0));
        assert_eq!(key_action("PageDown", Some(1), 5, 3), KeyAction::Select(4));
        assert_eq!(key_action("PageUp", Some(4), 5, 3), KeyAction::Select(1));
        assert_eq!(key_action("End", None, 5, 3), KeyAction::Select(4));
        assert_eq!(key_action("Enter", Some(2), 5, 3), KeyAction::Open(2));
        assert_eq!(key_action("Enter", None, 5, 3), KeyAction::Nothing);
        assert_eq!(key_action(" ", Some(3), 5, 3), KeyAction::Toggle(3));
        assert_eq!(key_action("ArrowDown", None, 0, 3), KeyAction::Nothing);
        assert_eq!(key_action("x", Some(1), 5, 3), KeyAction::Nothing);
    }

    #[test]
    fn comparison_toggles_and_keeps_the_newest_four() {
        assert_eq!(toggle_compared(&[], 7), vec![7]);
        assert_eq!(toggle_compared(&[7, 8], 7), vec![8]);
        assert_eq!(toggle_compared(&[1, 2, 3, 4], 5), vec![2, 3, 4, 5]);
    }

    #[test]
    fn the_form_makes_each_analysis() {
        let form = ParamsForm { vrm: " AB12CDE ".into(), ..ParamsForm::default() };
        assert_eq!(form.analysis(), Ok(Analysis::Journey { vrm: "AB12CDE".into() }));
        let convoy = ParamsForm { kind: Kind::Convoy, ..form.clone() };
        assert_eq!(
            convoy.analysis(),
            Ok(Analysis::Convoy { vrm: "AB12CDE".into(), window_minutes: 5, min_together: 2 })
        );
        let bad = ParamsForm { window_minutes: "five".into(), ..convoy };
        assert_eq!(bad.analysis(), Err("Enter the window as a number.".into()));
        assert_eq!(ParamsForm::default().analysis(), Err("Enter the VRM.".into()));
        let cloned = ParamsForm { kind: Kind::Cloned, ..ParamsForm::default() };
        assert_eq!(cloned.analysis(), Ok(Analysis::Cloned { vrm: None, max_speed_kmh: 200.0 }));
        let list = ParamsForm { kind: Kind::List, vrms: "AB12CDE, XY51ABC\nGH07KLM".into(), ..ParamsForm::default() };
        assert_eq!(
            list.analysis(),
            Ok(Analysis::List { vrms: vec!["AB12CDE".into(), "XY51ABC".into(), "GH07KLM".into()] })
        );
        let stakeout = ParamsForm {
            kind: Kind::Stakeout,
            places: "CAM1, CAM2@2026-11-01T09:00..2026-11-01T11:00\n\narea=Ashbury@2026-11-02..2026-11-03".into(),
            ..ParamsForm::default()
        };
        let Ok(Analysis::Stakeout { places, min_places: 2 }) = stakeout.analysis() else { panic!("not a stakeout") };
        assert_eq!(places[0].cameras, vec!["CAM1".to_owned(), "CAM2".to_owned()]);
        assert_eq!((places[0].from.as_str(), places[0].to.as_str()), ("2026-11-01T09:00", "2026-11-01T11:00"));
        assert_eq!((places[1].area.as_deref(), places[1].cameras.len()), (Some("Ashbury"), 0));
        let no_window = ParamsForm { places: "CAM1".into(), ..stakeout };
        assert!(no_window.analysis().is_err());
    }

    #[test]
    fn a_journey_is_a_path_in_time_order_and_a_convoy_lists_each_read_once() {
        let reads = vec![read(1, "AA", "t1", "A"), read(2, "AA", "t2", "B")];
        let journey = Findings::Journey(Sightings {
            vrm: "AA".into(),
            total: 2,
            first_seen: None,
            last_seen: None,
            cameras: Vec::new(),
            reads: reads.clone(),
        });
        assert_eq!(map_content(&journey).paths, vec![vec![(52.1, -1.0), (52.2, -1.0)]]);
        assert_eq!(ids(&reads_of(&journey)), vec![1, 2]);
        let shared =
            |t: &LocatedRead, c: LocatedRead| SharedSighting { target: t.clone(), companion: c, seconds_apart: 60.0 };
        let convoy = Findings::Convoy(Convoy {
            vrm: "AA".into(),
            target_reads: 2,
            companions: vec![
                Companion {
                    vrm: "BB".into(),
                    times_together: 2,
                    shared: vec![
                        shared(&reads[0], read(3, "BB", "t1", "A")),
                        shared(&reads[1], read(4, "BB", "t2", "B")),
                    ],
                },
                Companion {
                    vrm: "CC".into(),
                    times_together: 1,
                    shared: vec![shared(&reads[0], read(5, "CC", "t1", "A"))],
                },
            ],
        });
        assert_eq!(ids(&reads_of(&convoy)), vec![1, 3, 2, 4, 5]);
        let content = map_content(&convoy);
        assert_eq!(content.highlights.len(), 3);
        assert_eq!(content.highlights[0].label, "AA with BB t1");
    }
}
