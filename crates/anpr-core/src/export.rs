//! Exporting search and analysis results as CSV or KML (docs/export.md). Only the export
//! privilege may (8.11.3); the search or analysis is run again here through its Annex C gate
//! and read filter, never taken from the caller, so a file holds exactly what its user may see
//! (8.8); every file is marked OFFICIAL-SENSITIVE (9.2.4) and every export audited (9.10.1).
//!
//! The file appears whole or not at all: it is written to a temporary file in the same folder,
//! synced, and renamed into place inside the audit entry's transaction, so a file exists only
//! with its entry (and its SHA-256) committed.

use crate::analysis::{Analysed, located};
use crate::blobs::{sha256_hex, tempfile_in};
use crate::error::{Error, Result};
use crate::policy::roles::Privilege;
use crate::search::{Granted, Matching};
use crate::session::Session;
use crate::store;
use anpr_types::{
    AnalysisRequest, ExportFormat, ExportReport, ExportRequest, ExportSource, Findings, LocatedRead, MARKING,
    SearchRequest,
};
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Most reads one export holds: a search matching more is refused, to be narrowed (period,
/// cameras, area, VRM). About 25 MB of CSV; mapping tools struggle with larger KML.
pub const MAX_EXPORT: u64 = 100_000;

/// The columns of every row, before an analysis's own.
pub const COLUMNS: &[&str] = &[
    "read_id",
    "vrm",
    "time_utc",
    "time_uk",
    "camera_id",
    "camera_name",
    "general_area",
    "latitude",
    "longitude",
    "direction",
    "lane",
    "confidence",
    "likely_misread",
    "plate_image_sha256",
    "overview_image_sha256",
];

/// One read of the export with the values of the analysis's own columns.
struct Line {
    read: LocatedRead,
    extra: Vec<String>,
}

/// Reads as the search or analysis groups them (a companion, a vehicle, a pair, a listed VRM):
/// a KML folder each; `path` when they are one vehicle's in time order (a journey's line).
struct Group {
    name: String,
    path: bool,
    lines: Vec<Line>,
}

/// What is written, in either format.
struct Table {
    /// What was exported, e.g. `journey analysis of AB12CDE`.
    title: String,
    extra: &'static [&'static str],
    groups: Vec<Group>,
}

impl Table {
    fn rows(&self) -> u64 {
        self.groups.iter().map(|g| g.lines.len() as u64).sum()
    }
}

fn line(read: LocatedRead, extra: Vec<String>) -> Line {
    Line { read, extra }
}

fn text<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// The common columns of a read, in [`COLUMNS`] order.
fn cells(r: &LocatedRead) -> [String; 15] {
    let s = &r.read;
    [
        s.read_id.clone(),
        s.vrm.clone(),
        s.read_time.clone(),
        s.read_time_uk.clone(),
        s.camera_id.clone(),
        s.camera_name.clone(),
        s.general_area.clone(),
        r.latitude.to_string(),
        r.longitude.to_string(),
        text(s.direction.as_ref()),
        text(s.lane),
        text(s.confidence),
        s.likely_misread.to_string(),
        text(s.plate_image.as_ref()),
        text(s.overview_image.as_ref()),
    ]
}

fn csv_error(e: csv::Error) -> Error {
    Error::Invalid(format!("writing the CSV: {e}"))
}

/// The marking line, the header, then a row per read.
fn csv(table: &Table) -> Result<Vec<u8>> {
    let mut out = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    out.write_record([MARKING]).map_err(csv_error)?;
    out.write_record(COLUMNS.iter().chain(table.extra)).map_err(csv_error)?;
    for l in table.groups.iter().flat_map(|g| &g.lines) {
        out.write_record(cells(&l.read).iter().chain(&l.extra)).map_err(csv_error)?;
    }
    out.into_inner().map_err(|e| Error::Invalid(format!("writing the CSV: {e}")))
}

fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// KML 2.2: the marking in the document's name and description, a folder per group, a
/// placemark per read (its time as a TimeStamp, every CSV column as ExtendedData) and, for a
/// journey, a LineString through its reads.
fn kml(table: &Table, description: &str) -> String {
    // `write!` to a String cannot fail.
    let mut k = String::new();
    k.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(k, "<!-- {MARKING} -->");
    k.push_str("<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n");
    let _ = writeln!(k, "<name>{}</name>", xml(&format!("{MARKING}: {}", table.title)));
    let _ = writeln!(k, "<description>{}</description>", xml(description));
    for group in &table.groups {
        let _ = writeln!(k, "<Folder>\n<name>{}</name>", xml(&group.name));
        for l in &group.lines {
            let r = &l.read;
            let _ = writeln!(k, "<Placemark>\n<name>{}</name>", xml(&r.read.vrm));
            let about = format!(
                "{} at {} ({}), {}",
                r.read.read_time_uk, r.read.camera_name, r.read.camera_id, r.read.general_area
            );
            let _ = writeln!(k, "<description>{}</description>", xml(&about));
            let _ = writeln!(k, "<TimeStamp><when>{}</when></TimeStamp>", xml(&r.read.read_time));
            k.push_str("<ExtendedData>\n");
            let values = cells(r);
            for (name, value) in COLUMNS.iter().chain(table.extra).zip(values.iter().chain(&l.extra)) {
                let _ = writeln!(k, "<Data name=\"{name}\"><value>{}</value></Data>", xml(value));
            }
            k.push_str("</ExtendedData>\n");
            let _ =
                writeln!(k, "<Point><coordinates>{},{}</coordinates></Point>\n</Placemark>", r.longitude, r.latitude);
        }
        if group.path && group.lines.len() > 1 {
            let points: Vec<String> =
                group.lines.iter().map(|l| format!("{},{}", l.read.longitude, l.read.latitude)).collect();
            let _ = writeln!(k, "<Placemark>\n<name>{}</name>", xml(&format!("Path: {}", group.name)));
            let _ = writeln!(
                k,
                "<LineString><tessellate>1</tessellate><coordinates>{}</coordinates></LineString>",
                points.join(" ")
            );
            k.push_str("</Placemark>\n");
        }
        k.push_str("</Folder>\n");
    }
    k.push_str("</Document>\n</kml>\n");
    k
}

fn sightings_group(vrm: &str, reads: Vec<LocatedRead>, extra: impl Fn() -> Vec<String>) -> Group {
    Group { name: vrm.to_owned(), path: true, lines: reads.into_iter().map(|r| line(r, extra())).collect() }
}

/// An analysis's findings as groups of reads with its own columns (docs/export.md).
fn analysis_table(request: &AnalysisRequest, findings: Findings) -> Table {
    let kind = request.analysis.kind();
    match findings {
        Findings::Journey(j) => Table {
            title: format!("journey of {}", j.vrm),
            extra: &[],
            groups: vec![sightings_group(&j.vrm, j.reads, Vec::new)],
        },
        Findings::List(l) => {
            let not_seen =
                if l.not_seen.is_empty() { String::new() } else { format!("; not seen: {}", l.not_seen.join(", ")) };
            Table {
                title: format!("list search of {} VRM(s){not_seen}", l.hits.len() + l.not_seen.len()),
                extra: &["listed_vrm"],
                groups: l.hits.into_iter().map(|h| sightings_group(&h.vrm, h.reads, || vec![h.vrm.clone()])).collect(),
            }
        }
        Findings::Convoy(c) => {
            // The target's reads that a listed companion accompanied, then each companion's.
            let mut targets: Vec<LocatedRead> = Vec::new();
            for s in c.companions.iter().flat_map(|m| &m.shared) {
                if !targets.iter().any(|t| t.read.id == s.target.read.id) {
                    targets.push(s.target.clone());
                }
            }
            targets.sort_by(|a, b| (&a.read.read_time, a.read.id).cmp(&(&b.read.read_time, b.read.id)));
            let mut groups = vec![Group {
                name: format!("Target {}", c.vrm),
                path: true,
                lines: targets
                    .into_iter()
                    .map(|t| line(t, vec!["target".into(), String::new(), String::new(), String::new()]))
                    .collect(),
            }];
            groups.extend(c.companions.into_iter().map(|m| {
                Group {
                    name: format!("{} ({} times together)", m.vrm, m.times_together),
                    path: false,
                    lines: m
                        .shared
                        .into_iter()
                        .map(|s| {
                            let extra = vec![
                                "companion".into(),
                                m.times_together.to_string(),
                                s.target.read.read_id.clone(),
                                s.seconds_apart.to_string(),
                            ];
                            line(s.companion, extra)
                        })
                        .collect(),
                }
            }));
            Table {
                title: format!("convoy analysis of {}", c.vrm),
                extra: &["role", "times_together", "target_read_id", "seconds_apart"],
                groups,
            }
        }
        Findings::Stakeout(st) => Table {
            title: format!("stakeout analysis of {} place(s)", st.places.len()),
            extra: &["place", "places_seen"],
            groups: st
                .vehicles
                .into_iter()
                .map(|v| {
                    let seen = v.places.len().to_string();
                    Group {
                        name: format!("{} (at {} places)", v.vrm, seen),
                        path: false,
                        lines: v
                            .sightings
                            .into_iter()
                            .map(|s| line(s.read, vec![s.place.to_string(), seen.clone()]))
                            .collect(),
                    }
                })
                .collect(),
        },
        Findings::Cloned(c) => Table {
            title: format!("{kind} plate analysis"),
            extra: &["pair", "position", "distance_km", "minutes_apart", "speed_kmh"],
            groups: c
                .pairs
                .into_iter()
                .enumerate()
                .map(|(i, p)| {
                    let figures = [p.distance_km.to_string(), p.minutes_apart.to_string(), text(p.speed_kmh)];
                    let extra =
                        |position: &str| [vec![(i + 1).to_string(), position.to_owned()], figures.to_vec()].concat();
                    Group {
                        name: format!(
                            "Pair {}: {} ({:.1} km in {:.1} min)",
                            i + 1,
                            p.vrm,
                            p.distance_km,
                            p.minutes_apart
                        ),
                        path: true,
                        lines: vec![line(p.earlier, extra("earlier")), line(p.later, extra("later"))],
                    }
                })
                .collect(),
        },
    }
}

/// The file to write: in an existing folder, not a folder itself, new unless `overwrite`.
fn target(request: &ExportRequest) -> Result<PathBuf> {
    let file = request.file.trim();
    if file.is_empty() {
        return Err(Error::Invalid("the file to export to is required".into()));
    }
    let path = PathBuf::from(file);
    let name = path.file_name().ok_or_else(|| Error::Invalid(format!("{file}: not a file name")))?;
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let folder =
        folder.canonicalize().map_err(|e| Error::io(format!("the folder {} (it must exist)", folder.display()), e))?;
    let path = folder.join(name);
    if path.is_dir() {
        return Err(Error::Invalid(format!("{} is a folder; name a file", path.display())));
    }
    refuse_existing(&path, request.overwrite)?;
    Ok(path)
}

fn refuse_existing(path: &Path, overwrite: bool) -> Result<()> {
    if !overwrite && path.exists() {
        return Err(Error::Invalid(format!("{} exists; choose another name, or allow replacing it", path.display())));
    }
    Ok(())
}

/// Writes `bytes` to a temporary file beside `path`, synced: renamed into place by [`place`].
struct Partial(PathBuf);

impl Partial {
    fn write(path: &Path, bytes: &[u8]) -> Result<Partial> {
        let folder = path.parent().unwrap_or(Path::new("."));
        let io = |e| Error::io(format!("writing a temporary file in {}", folder.display()), e);
        let (tmp, mut file) = tempfile_in(folder).map_err(io)?;
        let partial = Partial(tmp);
        file.write_all(bytes).map_err(io)?;
        file.sync_all().map_err(io)?;
        Ok(partial)
    }

    fn place(mut self, path: &Path, overwrite: bool) -> Result<()> {
        refuse_existing(path, overwrite)?;
        std::fs::rename(&self.0, path)
            .map_err(|e| Error::io(format!("moving the export into {}", path.display()), e))?;
        self.0 = PathBuf::new();
        Ok(())
    }
}

/// A temporary file not placed (any failure) is removed: never a half file.
impl Drop for Partial {
    fn drop(&mut self) {
        if !self.0.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

impl Session {
    /// Exports a search's or analysis's results to a CSV or KML file (see the module doc).
    /// Refused without the export privilege (8.11.3); a search matching more than
    /// [`MAX_EXPORT`] reads, or an analysis whose results reach its caps, is refused as too
    /// large rather than written incomplete.
    pub async fn export_results(&self, request: &ExportRequest) -> Result<ExportReport> {
        let scope = request.source.scope();
        self.authorise(Privilege::Export, "export", scope.investigation.trim()).await?;
        let path = target(request)?;
        let format = request.format.as_str();
        let (table, granted, details, found) = match &request.source {
            ExportSource::Search(search) => self.export_search(search, format).await?,
            ExportSource::Analysis(analysis) => {
                let Analysed { findings, truncated, granted, details, found } =
                    self.run_analysis(analysis, Some(format)).await?;
                if truncated {
                    return Err(Error::Invalid(format!(
                        "the {} analysis reached its result cap (docs/analysis.md); narrow the period, cameras or area so the export is complete",
                        analysis.analysis.kind()
                    )));
                }
                (analysis_table(analysis, findings), granted, details, found)
            }
        };
        let grant = granted.info(scope);
        let actor = self.actor();
        let description = format!(
            "{MARKING} (NASPLE 9.2.4). {} for investigation {}, exported from the ANPR Workstation by {} ({}) on {}. \
             Searched on: {} (NASPLE {}), {} to {}. Positions are precise: this file is not for disclosure as \
             evidence (NASPLE 9.4.3); produce a court bundle for that.",
            table.title,
            scope.investigation.trim(),
            actor.full_name,
            actor.username,
            crate::time::uk(self.now()),
            grant.basis,
            grant.clause,
            grant.from_uk,
            grant.to_uk
        );
        let bytes = match request.format {
            ExportFormat::Csv => csv(&table)?,
            ExportFormat::Kml => kml(&table, &description).into_bytes(),
        };
        let rows = table.rows();
        let sha256 = sha256_hex(&bytes);
        let file = path.display().to_string();
        let partial = Partial::write(&path, &bytes)?;

        let mut found = found;
        found["export"] =
            json!({ "format": format, "file": file, "rows": rows, "bytes": bytes.len(), "sha256": sha256 });
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        self.append(&mut tx, granted.record("export", scope, details, found)).await?;
        // Placed while the entry is uncommitted: a failed rename rolls the entry back, and a
        // failed commit takes the file away again.
        partial.place(&path, request.overwrite)?;
        if let Err(e) = tx.commit().await {
            let _ = std::fs::remove_file(&path);
            return Err(e.into());
        }
        Ok(ExportReport { file, format: request.format, rows, bytes: bytes.len() as u64, sha256, grant })
    }

    /// Every read a search matches, up to [`MAX_EXPORT`], as the search would list them.
    async fn export_search(&self, request: &SearchRequest, format: &str) -> Result<(Table, Granted, Value, Value)> {
        let mut matching = Matching::parse(request)?;
        let mut details = matching.details(request);
        details["export"] = json!(format);
        let granted = self.search_gate(request, &details).await?;
        let (total, rows) = self
            .matching_reads(request, &granted, &mut matching, |total| {
                if total > MAX_EXPORT {
                    return Err(Error::Invalid(format!(
                        "the search matches {total} reads; an export holds at most {MAX_EXPORT}: narrow the period, cameras, area or VRM"
                    )));
                }
                Ok((0, total))
            })
            .await?;
        let fuzzy = matching.fuzzy_vrms().is_some();
        let lines = rows
            .into_iter()
            .map(|row| {
                let extra = match matching.vrm_match(&row) {
                    Some(m) if fuzzy => {
                        vec![m.cost.to_string(), m.edits.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")]
                    }
                    _ if fuzzy => vec![String::new(), String::new()],
                    _ => Vec::new(),
                };
                line(located(row), extra)
            })
            .collect();
        let pattern = details["vrm"].as_str().unwrap_or("any VRM");
        let title = format!("search for {pattern}{}", if fuzzy { " (misread-tolerant)" } else { "" });
        let found = json!({ "total": total, "fuzzy_vrms": matching.fuzzy_vrms() });
        let table = Table {
            title: title.clone(),
            extra: if fuzzy { &["match_cost", "match_edits"] } else { &[] },
            groups: vec![Group { name: title, path: false, lines }],
        };
        Ok((table, granted, details, found))
    }
}
