//! `anpr analyse`: journey, convoy, stakeout, cloned plate and list search (docs/analysis.md),
//! each a search under Annex C with the same scope flags as `anpr search`.

use crate::casework::{ScopeArgs, read_line};
use crate::commands::Cx;
use crate::export::ExportArgs;
use crate::output::emit;
use anpr_core::types::{
    Analysis, AnalysisRequest, AnalysisResult, ExportSource, Findings, LocatedRead, Place, Sightings,
};
use anyhow::Context;
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct AnalyseArgs {
    #[command(subcommand)]
    command: AnalyseCommand,
    #[command(flatten)]
    export: ExportArgs,
}

#[derive(Debug, Subcommand)]
pub enum AnalyseCommand {
    /// Every read of a VRM over the period, in time order; first and last seen.
    Journey {
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long)]
        vrm: String,
    },
    /// Vehicles seen at the target's cameras within +/- --window minutes of at least --min-together of its reads.
    Convoy {
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long)]
        vrm: String,
        /// Minutes either side of each target read (1-120).
        #[arg(long, default_value_t = 5)]
        window: u32,
        /// How many of the target's reads a companion must accompany (at least 2).
        #[arg(long, default_value_t = 2)]
        min_together: u32,
    },
    /// Vehicles seen at at least --min-places of the places (the scope's --camera and --area stay empty).
    Stakeout {
        #[command(flatten)]
        scope: ScopeArgs,
        /// CAMERA[,CAMERA...]@FROM..TO, or area=AREA@FROM..TO; repeat for each place (2-10), numbered from 0.
        #[arg(long = "place", required = true, value_parser = place)]
        places: Vec<Place>,
        #[arg(long, default_value_t = 2)]
        min_places: u32,
    },
    /// Consecutive reads of a VRM too far apart for the time between them.
    Cloned {
        #[command(flatten)]
        scope: ScopeArgs,
        /// A full VRM or a pattern with ? and *; default: every VRM.
        #[arg(long)]
        vrm: Option<String>,
        /// Flag pairs implying more than this speed (1-1000 km/h).
        #[arg(long, default_value_t = 200.0)]
        max_speed: f64,
    },
    /// A list of VRMs against the reads (historical hits).
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    scope: ScopeArgs,
    /// VRMs separated by commas.
    #[arg(long, value_delimiter = ',', required_unless_present = "vrm_file")]
    vrms: Vec<String>,
    /// A CSV file whose first column holds the VRMs; a first row whose first cell has no digit,
    /// or anything but letters, digits and spaces, is a header (every UK VRM has a digit).
    #[arg(long)]
    vrm_file: Option<PathBuf>,
}

/// `CAM1,CAM2@FROM..TO` or `area=Ashbury@FROM..TO`.
fn place(text: &str) -> Result<Place, String> {
    let usage = || format!("{text:?}: a place is CAMERA[,CAMERA...]@FROM..TO or area=AREA@FROM..TO");
    let (at, window) = text.split_once('@').ok_or_else(usage)?;
    let (from, to) = window.split_once("..").ok_or_else(usage)?;
    let (cameras, area) = match at.strip_prefix("area=") {
        Some(area) => (vec![], Some(area.trim().to_owned())),
        None => (at.split(',').map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect(), None),
    };
    Ok(Place { cameras, area, from: from.trim().to_owned(), to: to.trim().to_owned() })
}

/// The first column of a VRM list file, its header row (if any) dropped.
fn vrm_file(text: &str) -> Vec<String> {
    let cells: Vec<String> = text
        .lines()
        .map(|line| line.split(',').next().unwrap_or_default().trim().trim_matches('"').trim().to_owned())
        .collect();
    let header = cells.first().is_some_and(|c| {
        !c.chars().any(|ch| ch.is_ascii_digit()) || !c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == ' ')
    });
    cells.into_iter().skip(usize::from(header)).filter(|c| !c.is_empty()).collect()
}

fn request(command: AnalyseCommand) -> anyhow::Result<AnalysisRequest> {
    let (scope, analysis) = match command {
        AnalyseCommand::Journey { scope, vrm } => (scope, Analysis::Journey { vrm }),
        AnalyseCommand::Convoy { scope, vrm, window, min_together } => {
            (scope, Analysis::Convoy { vrm, window_minutes: window, min_together })
        }
        AnalyseCommand::Stakeout { scope, places, min_places } => (scope, Analysis::Stakeout { places, min_places }),
        AnalyseCommand::Cloned { scope, vrm, max_speed } => (scope, Analysis::Cloned { vrm, max_speed_kmh: max_speed }),
        AnalyseCommand::List(ListArgs { scope, mut vrms, vrm_file: file }) => {
            if let Some(path) = file {
                let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
                vrms.extend(vrm_file(&text));
            }
            (scope, Analysis::List { vrms })
        }
    };
    Ok(AnalysisRequest { scope: scope.request(), analysis })
}

fn reads(lines: &mut Vec<String>, reads: &[LocatedRead]) {
    lines.extend(reads.iter().map(|r| format!("  {} ({:.5}, {:.5})", read_line(&r.read), r.latitude, r.longitude)));
}

fn sightings(lines: &mut Vec<String>, s: &Sightings) {
    let when = |m: &Option<anpr_core::types::Moment>| m.as_ref().map_or("-", |m| m.time_uk.as_str()).to_owned();
    lines.push(format!(
        "{}: {} read(s) at {} camera(s), first seen {}, last seen {}",
        s.vrm,
        s.total,
        s.cameras.len(),
        when(&s.first_seen),
        when(&s.last_seen)
    ));
    reads(lines, &s.reads);
}

/// Human output: what was found, then the basis it ran on.
fn human(result: &AnalysisResult) -> String {
    let mut lines = Vec::new();
    match &result.findings {
        Findings::Journey(journey) => sightings(&mut lines, journey),
        Findings::Convoy(convoy) => {
            lines.push(format!(
                "{}: {} read(s); {} companion(s)",
                convoy.vrm,
                convoy.target_reads,
                convoy.companions.len()
            ));
            for c in &convoy.companions {
                lines.push(format!("{} together {} time(s):", c.vrm, c.times_together));
                lines.extend(c.shared.iter().map(|s| {
                    format!(
                        "  {} at {} / {} {:+.0} s",
                        s.target.read.read_time_uk, s.target.read.camera_id, s.companion.read.read_id, s.seconds_apart
                    )
                }));
            }
        }
        Findings::Stakeout(stakeout) => {
            for (i, p) in stakeout.places.iter().enumerate() {
                let at = p.area.clone().unwrap_or_else(|| p.cameras.join(","));
                let window = match (&p.from, &p.to) {
                    (Some(from), Some(to)) => format!("{} to {}", from.time_uk, to.time_uk),
                    _ => "outside the grant's period".into(),
                };
                lines.push(format!("place {i}: {at}, {window}: {} vehicle(s)", p.vehicles));
            }
            for v in &stakeout.vehicles {
                lines.push(format!("{} at places {:?}:", v.vrm, v.places));
                lines.extend(v.sightings.iter().map(|s| format!("  [{}] {}", s.place, read_line(&s.read.read))));
            }
        }
        Findings::Cloned(cloned) => {
            lines.push(format!("{} pair(s) of reads too far apart for the time between them", cloned.pairs.len()));
            for p in &cloned.pairs {
                let speed = p.speed_kmh.map_or("at the same instant".to_owned(), |s| format!("{s:.0} km/h"));
                lines.push(format!("{}: {:.1} km in {:.1} min ({speed})", p.vrm, p.distance_km, p.minutes_apart));
                reads(&mut lines, &[p.earlier.clone(), p.later.clone()]);
            }
        }
        Findings::List(list) => {
            for s in &list.hits {
                sightings(&mut lines, s);
            }
            lines.push(format!(
                "not seen: {}",
                if list.not_seen.is_empty() { "-".into() } else { list.not_seen.join(", ") }
            ));
        }
    }
    if result.truncated {
        lines.push("(more than the result cap: not all are listed)".into());
    }
    let g = &result.grant;
    lines.push(format!("{} ({}), {} to {}", g.basis, g.clause, g.from_uk, g.to_uk));
    lines.join("\n")
}

pub async fn analyse(cx: &Cx, args: AnalyseArgs) -> anyhow::Result<()> {
    let request = request(args.command)?;
    if let Some(export) = args.export.request(ExportSource::Analysis(request.clone()))? {
        return crate::export::export(cx, &export).await;
    }
    let session = cx.login().await?;
    let result = session.analyse(&request).await?;
    emit(cx.json, &result, || human(&result))
}

#[cfg(test)]
mod tests {
    use super::{place, vrm_file};

    #[test]
    fn places_are_cameras_or_an_area_with_a_window() {
        let p = place("CAM1, CAM2@2026-11-01T09:00..2026-11-01T11:00").unwrap();
        assert_eq!(
            (p.cameras, p.area, p.from.as_str(), p.to.as_str()),
            (vec!["CAM1".into(), "CAM2".into()], None, "2026-11-01T09:00", "2026-11-01T11:00")
        );
        let p = place("area=Ashbury@2026-11-01..2026-11-02").unwrap();
        assert_eq!((p.cameras.len(), p.area.as_deref()), (0, Some("Ashbury")));
        assert!(place("CAM1").is_err() && place("CAM1@2026-11-01").is_err());
    }

    #[test]
    fn a_vrm_file_is_its_first_column_with_an_optional_header() {
        assert_eq!(vrm_file("VRM,note\nAB12 CDE,x\n\n\"XY51ABC\",y\n"), ["AB12 CDE", "XY51ABC"]);
        assert_eq!(vrm_file("AB12CDE\nXY51ABC"), ["AB12CDE", "XY51ABC"]);
        assert_eq!(vrm_file("Registration mark\nAB12CDE"), ["AB12CDE"]);
    }
}
