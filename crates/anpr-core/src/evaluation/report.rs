//! The PDF evaluation report (issue 7 item 7; NASPLE 8.14): who evaluated which camera, when,
//! why and in what conditions; the capture and read rates per lane and overall with their 95%
//! Wilson intervals against the 8.7 standard; the sample rules of 8.14.2 and 8.14.3; the
//! verdict (and 7.4.7's remediation date); the two charts; and the missed vehicles and misreads,
//! each with a frame of the video at its truth time when one is given.
//!
//! The report lays out an [`EvaluationReport`] already scored and decides nothing. Its
//! description of the evaluation is the plain [`ReportDetails`], so that the command line's
//! flags today and a stored evaluation record later can both feed it.

use super::charts::{self, ChartError};
use super::truth::TruthVehicle;
use super::{EvaluationError, EvaluationParams};
use crate::pdf::{BODY_SIZE, Face, PdfError, SMALL_SIZE, Writer, info, save};
use crate::policy::evaluation::{CAPTURE_SAMPLE_MS, CAPTURE_SAMPLE_VEHICLES, READ_SAMPLE_CAPTURED};
use crate::video::{Video, VideoError};
use anpr_types::{Condition, EvaluationReport, LaneResult, Verdict};
use chrono::{DateTime, NaiveDate, Utc};
use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use printpdf::PdfDocument;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Vehicles pictured in the lists at most, so a badly failing camera still gives a report of
/// reasonable size; the lists themselves are always complete.
pub const MAX_PICTURED: usize = 60;
/// Width of a frame thumbnail in pixels.
const THUMBNAIL_W: u32 = 320;

/// What the report says about the evaluation beyond its figures. (Its date is the scoring's
/// `evaluated_on`, from which 7.4.7's 30 days run.)
#[derive(Debug, Clone, PartialEq)]
pub struct ReportDetails {
    /// The camera's name or location as the engineer knows it (the id is in the scoring).
    pub camera_name: Option<String>,
    pub engineer: String,
    /// The evaluation's lighting; `None` when the truth's vehicles say it per vehicle.
    pub condition: Option<Condition>,
    /// Installation, re-deployment, annual review, 6-monthly check...
    pub reason: String,
    /// A covert camera's exemption note (8.14.5), if any.
    pub exemption: Option<String>,
    /// When the report was made (passed in: the document information and its footer).
    pub generated: DateTime<Utc>,
    /// The software and version that made it.
    pub software: String,
}

/// Pictures of one vehicle for the lists: a frame of the evaluation video at its truth time,
/// and the plate patch the camera sent with its read. JPEG or PNG bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VehiclePictures {
    pub frame: Option<Vec<u8>>,
    pub plate: Option<Vec<u8>>,
}

/// Everything a report is made from.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    pub details: &'a ReportDetails,
    /// The scoring of `truth` (see [`super::score`]).
    pub report: &'a EvaluationReport,
    pub truth: &'a [TruthVehicle],
    /// By vehicle number; vehicles without an entry are listed without pictures.
    pub pictures: &'a BTreeMap<u64, VehiclePictures>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Pdf(#[from] PdfError),
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error("the evaluation video: {0}")]
    Video(#[from] VideoError),
    #[error("the evaluation video has no clock start; the frames of the vehicles cannot be found")]
    NoVideoClock,
    #[error("encoding a frame thumbnail failed: {0}")]
    Thumbnail(String),
    #[error(transparent)]
    Evaluation(#[from] EvaluationError),
}

/// How a verdict reads in a report.
pub fn verdict_words(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "PASS",
        Verdict::Fail => "FAIL",
        Verdict::InsufficientSample => "INSUFFICIENT SAMPLE",
    }
}

/// A rate as a percentage with two decimals; `-` when there is none.
pub fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "-".into(), |r| format!("{:.2}%", r * 100.0))
}

/// A 95% interval as `lo% to hi%`; empty when there is none.
pub fn interval(ci: Option<[f64; 2]>) -> String {
    ci.map_or_else(String::new, |[lo, hi]| format!("{:.2}% to {:.2}%", lo * 100.0, hi * 100.0))
}

fn uk(rfc3339: &str) -> String {
    crate::time::parse(rfc3339).map_or_else(|_| rfc3339.to_owned(), crate::time::uk)
}

fn or_not_recorded(text: Option<&str>) -> &str {
    text.filter(|t| !t.trim().is_empty()).unwrap_or("not recorded")
}

/// Frames of the evaluation video at the truth times of `vehicles` (missed and misread ones,
/// at most [`MAX_PICTURED`]), scaled to thumbnails and JPEG-encoded. The video's clock start
/// (its creation time) places the truth times on it.
pub fn frame_thumbnails(
    video: &Path,
    truth: &[TruthVehicle],
    vehicles: &[u64],
) -> Result<BTreeMap<u64, Vec<u8>>, ReportError> {
    let mut video = Video::open(video)?;
    let start = video.clock_start().ok_or(ReportError::NoVideoClock)?;
    let time_of: HashMap<u64, i64> = truth.iter().map(|v| (v.vehicle, v.time_ms)).collect();
    let mut out = BTreeMap::new();
    for &vehicle in vehicles.iter().take(MAX_PICTURED) {
        let Some(&ms) = time_of.get(&vehicle) else { continue };
        // A vehicle marked before the video starts has no frame.
        let Ok(offset) = u64::try_from(ms - start.timestamp_millis()) else { continue };
        let at = std::time::Duration::from_millis(offset);
        if at > video.duration() {
            continue;
        }
        let frame = video.frame(video.frame_at(at))?;
        let height = (u64::from(frame.height()) * u64::from(THUMBNAIL_W) / u64::from(frame.width().max(1))) as u32;
        let thumb = imageops::resize(&frame, THUMBNAIL_W, height.max(1), FilterType::Triangle);
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(&mut jpeg, 85)
            .encode_image(&thumb)
            .map_err(|e| ReportError::Thumbnail(e.to_string()))?;
        out.insert(vehicle, jpeg);
    }
    Ok(out)
}

/// Scores `truth` against `reads` and makes the report, with a frame of `video` (when given)
/// and the camera's plate patch (when the read log names one, relative to its folder) beside
/// each missed vehicle and misread. Returns the scoring and the PDF bytes.
pub fn report_files(
    truth: &Path,
    reads: &Path,
    video: Option<&Path>,
    params: &EvaluationParams,
    details: &ReportDetails,
) -> Result<(EvaluationReport, Vec<u8>), ReportError> {
    let load = |path: &Path| {
        std::fs::read(path).map_err(|source| EvaluationError::Io { file: path.display().to_string(), source })
    };
    let vehicles = super::parse_truth(&load(truth)?, &truth.display().to_string())?;
    let log = super::parse_reads(&load(reads)?, &reads.display().to_string())?;
    let report = super::score(&vehicles, &log, params)?;
    let pictured = pictured_vehicles(&report);
    let mut pictures: BTreeMap<u64, VehiclePictures> = BTreeMap::new();
    if let Some(video) = video {
        for (vehicle, frame) in frame_thumbnails(video, &vehicles, &pictured)? {
            pictures.entry(vehicle).or_default().frame = Some(frame);
        }
    }
    // A plate patch the log names but that cannot be read is left out, not fatal: the report
    // is about rates, and the list says which read it was.
    let folder = reads.parent().unwrap_or(Path::new("."));
    let plate_of: HashMap<&str, &str> =
        log.iter().filter_map(|r| Some((r.read_id.as_str(), r.plate_image.as_deref()?))).collect();
    for m in report.misreads.iter().filter(|m| pictured.contains(&m.vehicle)) {
        if let Some(bytes) = plate_of.get(m.read_id.as_str()).and_then(|file| std::fs::read(folder.join(file)).ok()) {
            pictures.entry(m.vehicle).or_default().plate = Some(bytes);
        }
    }
    let pdf = report_pdf(&ReportInput { details, report: &report, truth: &vehicles, pictures: &pictures })?;
    Ok((report, pdf))
}

/// The vehicles the lists picture: missed ones, then misread ones, in number order each.
pub fn pictured_vehicles(report: &EvaluationReport) -> Vec<u64> {
    report.missed.iter().copied().chain(report.misreads.iter().map(|m| m.vehicle)).take(MAX_PICTURED).collect()
}

/// The evaluation report as PDF bytes.
pub fn report_pdf(input: &ReportInput<'_>) -> Result<Vec<u8>, ReportError> {
    let ReportInput { details, report: r, truth, pictures } = *input;
    let title = "Camera evaluation report (NASPLE 8.14)";
    let mut doc = PdfDocument::new(title);
    info(
        &mut doc,
        &format!("Evaluation of camera {} on {}", r.camera_id, r.evaluated_on),
        &format!("Capture and read rate evaluation: {}", verdict_words(r.verdict)),
        &details.engineer,
        &details.software,
        details.generated.timestamp(),
    )?;
    let outcomes = charts::outcomes(truth, r);
    let rates = charts::rates_chart(&outcomes, r.capture_standard, r.read_standard)?;
    let confusions = charts::confusions_chart(&r.confusion_counts)?;

    let mut w = Writer::new(&mut doc)?;
    w.bookmark("Summary");
    w.heading(17.0, title);
    w.gap(2.0);
    let verdict = match &r.remediation_due {
        Some(due) => format!(
            "Verdict: {}. To be put right and reassessed by {due} (NASPLE 7.4.7: within 30 days).",
            verdict_words(r.verdict)
        ),
        None => format!("Verdict: {}", verdict_words(r.verdict)),
    };
    w.paragraph(Face::Bold, 14.0, 0.0, &verdict);
    w.gap(8.0);
    let camera = match details.camera_name.as_deref().filter(|n| !n.trim().is_empty()) {
        Some(name) => format!("{} ({name})", r.camera_id),
        None => r.camera_id.clone(),
    };
    let system = format!(
        "{}{}: capture standard {:.0}% (NASPLE {}), read standard {:.0}%",
        r.system_type,
        if r.moving { ", in a moving vehicle" } else { "" },
        r.capture_standard * 100.0,
        r.capture_clause,
        r.read_standard * 100.0
    );
    let lanes: Vec<String> = r.lanes.iter().map(|l| l.lane.to_string()).collect();
    let condition = match details.condition {
        Some(c) => c.to_string(),
        None => conditions_of(truth),
    };
    let period = format!("{} to {} ({:.2} hours)", uk(&r.period_from), uk(&r.period_to), r.period_hours);
    let vehicles = format!("{} ({} with the plate visible, {} not visible)", r.vehicles, r.visible, r.invisible.len());
    let reads =
        format!("{} of this camera; {} duplicate(s), {} matching no vehicle", r.reads, r.duplicates, r.unmatched_reads);
    let matching =
        format!("within {} s of the truth time; camera clock minus video clock {} s", r.window_s, r.offset_s);
    let direction = r.direction.map(|d| d.to_string());
    for (label, value) in [
        ("Camera", camera.as_str()),
        ("System type", &system),
        ("Direction", or_not_recorded(direction.as_deref())),
        ("Lanes", &format!("{} ({})", lanes.len(), lanes.join(", "))),
        ("Condition", &condition),
        ("Date of evaluation", &uk_date(&r.evaluated_on)),
        ("Engineer", or_not_recorded(Some(&details.engineer))),
        ("Reason", or_not_recorded(Some(&details.reason))),
        ("Period (UK)", &period),
        ("Vehicles", &vehicles),
        ("Reads", &reads),
        ("Matching", &matching),
    ] {
        w.field(label, value);
    }
    if let Some(note) = details.exemption.as_deref().filter(|n| !n.trim().is_empty()) {
        w.field("Covert exemption (8.14.5)", note);
    }
    w.field("Report made (UK)", &crate::time::uk(details.generated));
    w.field("Software", &details.software);

    w.gap(6.0);
    w.heading(14.0, "Results");
    results_table(&mut w, r);
    w.gap(8.0);
    standards(&mut w, r);
    w.gap(6.0);
    w.heading(12.0, "Sample rules");
    sample_rules(&mut w, r);

    w.new_page();
    w.bookmark("Charts");
    w.heading(14.0, "Charts");
    let rates_caption = format!(
        "Capture rate (captured / visible so far) and read rate (correct / captured so far) after each \
         vehicle, with the capture standard ({:.0}%) and the read standard ({:.0}%) dashed. The first \
         vehicles' rates may lie below the axis.",
        r.capture_standard * 100.0,
        r.read_standard * 100.0
    );
    w.image(&rates.png, "rates chart", 300.0, &rates_caption)?;
    w.image(
        &confusions.png,
        "confusions chart",
        300.0,
        "Misreads by character confusion (truth character -> character read; a character dropped or added \
         has an empty side). Confusions within one of the plate font's OCR confusion classes are dark red.",
    )?;

    w.new_page();
    w.bookmark("Missed vehicles and misreads");
    w.heading(14.0, "Missed vehicles");
    let truth_of: HashMap<u64, &TruthVehicle> = truth.iter().map(|v| (v.vehicle, v)).collect();
    if r.missed.is_empty() {
        w.paragraph(Face::Regular, BODY_SIZE, 0.0, "No visible vehicle was missed.");
    }
    for &vehicle in &r.missed {
        let line = match truth_of.get(&vehicle) {
            Some(v) => format!(
                "Vehicle {vehicle}: {} at {}, lane {}",
                v.vrm.as_deref().unwrap_or("(VRM not readable)"),
                truth_time(v),
                v.lane.map_or_else(|| "not stated".into(), |l| l.to_string())
            ),
            None => format!("Vehicle {vehicle}"),
        };
        vehicle_entry(&mut w, &line, pictures.get(&vehicle))?;
    }
    w.gap(6.0);
    if r.misreads.first().is_some_and(|m| pictures.contains_key(&m.vehicle)) {
        // The heading stays with its first entry.
        w.ensure(pictured_entry_height() + 40.0);
    }
    w.heading(14.0, "Misreads");
    if r.misreads.is_empty() {
        w.paragraph(Face::Regular, BODY_SIZE, 0.0, "No captured vehicle was misread.");
    }
    for m in &r.misreads {
        let when = truth_of.get(&m.vehicle).map(|v| format!(" at {}", truth_time(v))).unwrap_or_default();
        let truth_vrm = if m.truth.is_empty() { "(not readable)" } else { &m.truth };
        let line = format!(
            "Vehicle {}{when}: {truth_vrm} read as {} ({}; read {})",
            m.vehicle,
            m.read,
            m.confusions.join(", "),
            m.read_id
        );
        vehicle_entry(&mut w, &line, pictures.get(&m.vehicle))?;
    }
    w.gap(6.0);
    w.heading(12.0, "Other vehicles and reads");
    for (label, list) in [
        ("Captured but not read (a capture, not a correct read)", &r.not_read),
        ("Plate not visible (excluded from the rates)", &r.invisible),
    ] {
        let numbers: Vec<String> = list.iter().map(u64::to_string).collect();
        let value = if numbers.is_empty() { "none".to_owned() } else { numbers.join(", ") };
        w.field(label, &value);
    }
    for (label, reads) in [("Duplicate reads", &r.duplicate_reads), ("Reads matching no vehicle", &r.unmatched)] {
        let value = if reads.is_empty() {
            "none".to_owned()
        } else {
            reads
                .iter()
                .map(|l| {
                    let vrm = if l.vrm.is_empty() { "(not read)" } else { &l.vrm };
                    let of = l.vehicle.map(|v| format!(", vehicle {v}")).unwrap_or_default();
                    format!("{} {vrm} at {}{of}", l.read_id, uk(&l.read_time))
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        w.field(label, &value);
    }
    w.finish()?;
    Ok(save(&doc))
}

/// `2026-11-20` as `20/11/2026`.
fn uk_date(iso: &str) -> String {
    iso.parse::<NaiveDate>().map_or_else(|_| iso.to_owned(), |d| d.format("%d/%m/%Y").to_string())
}

fn truth_time(v: &TruthVehicle) -> String {
    DateTime::<Utc>::from_timestamp_millis(v.time_ms).map_or_else(|| v.time_ms.to_string(), crate::time::uk)
}

/// The conditions the truth's vehicles were marked in, with counts ("day 180, night 90").
fn conditions_of(truth: &[TruthVehicle]) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for v in truth {
        if let Some(c) = v.condition {
            *counts.entry(c.to_string()).or_default() += 1;
        }
    }
    if counts.is_empty() {
        return "not recorded".into();
    }
    counts.into_iter().map(|(c, n)| format!("{c} ({n} vehicles)")).collect::<Vec<_>>().join(", ")
}

/// Column offsets of the results table.
const COLUMNS: [f32; 7] = [0.0, 62.0, 112.0, 170.0, 268.0, 322.0, 420.0];

fn results_table(w: &mut Writer<'_>, r: &EvaluationReport) {
    let header = ["", "Visible", "Captured", "Capture rate", "Correct", "Read rate", "Capture"];
    let cells = |texts: [&str; 7]| -> Vec<(f32, String)> {
        COLUMNS.iter().zip(texts).map(|(x, t)| (*x, t.to_owned())).collect()
    };
    let row = |w: &mut Writer<'_>, face: Face, cells: Vec<(f32, String)>| {
        let borrowed: Vec<(f32, &str)> = cells.iter().map(|(x, t)| (*x, t.as_str())).collect();
        w.row(face, BODY_SIZE, &borrowed);
    };
    row(w, Face::Bold, cells(header));
    w.underline();
    let group = |w: &mut Writer<'_>, name: &str, lane: &LaneResult, verdict: Verdict| {
        let (visible, captured, correct) =
            (lane.visible.to_string(), lane.captured.to_string(), lane.correct.to_string());
        let (capture, read) = (percent(lane.capture_rate), percent(lane.read_rate));
        row(w, Face::Regular, cells([name, &visible, &captured, &capture, &correct, &read, verdict_words(verdict)]));
        // The intervals on a smaller line under their rates.
        let (capture_ci, read_ci) = (interval(lane.capture_ci), interval(lane.read_ci));
        w.row(Face::Regular, SMALL_SIZE, &[(COLUMNS[3], capture_ci.as_str()), (COLUMNS[5], read_ci.as_str())]);
        w.gap(2.0);
    };
    for lane in &r.lanes {
        group(w, &format!("Lane {}", lane.lane), lane, lane.verdict);
    }
    let overall = LaneResult {
        lane: 0,
        vehicles: r.vehicles,
        visible: r.visible,
        captured: r.captured,
        correct: r.correct,
        capture_rate: r.capture_rate,
        capture_ci: r.capture_ci,
        read_rate: r.read_rate,
        read_ci: r.read_ci,
        capture_lower_bound_clears: r.capture_lower_bound_clears,
        verdict: r.capture_verdict,
    };
    w.underline();
    group(w, "Overall", &overall, r.capture_verdict);
    w.paragraph(
        Face::Regular,
        SMALL_SIZE,
        0.0,
        "Under each rate, its 95% Wilson score interval. Capture is judged per lane (8.14.2), the read \
         rate over all lanes (8.14.3).",
    );
}

fn standards(w: &mut Writer<'_>, r: &EvaluationReport) {
    let clears = |yes: bool| if yes { "clears" } else { "does not clear" };
    let lower = |ci: Option<[f64; 2]>| ci.map_or_else(|| "-".to_owned(), |[lo, _]| format!("{:.2}%", lo * 100.0));
    w.field(
        "Capture",
        &format!(
            "{} of {} visible = {} against {:.0}% (NASPLE {}): {}. The interval's lower bound {} {} the standard.",
            r.captured,
            r.visible,
            percent(r.capture_rate),
            r.capture_standard * 100.0,
            r.capture_clause,
            verdict_words(r.capture_verdict),
            lower(r.capture_ci),
            clears(r.capture_lower_bound_clears)
        ),
    );
    w.field(
        "Read",
        &format!(
            "{} of {} captured = {} against {:.0}%: {}. The interval's lower bound {} {} the standard.",
            r.correct,
            r.captured,
            percent(r.read_rate),
            r.read_standard * 100.0,
            verdict_words(r.read_verdict),
            lower(r.read_ci),
            clears(r.read_lower_bound_clears)
        ),
    );
    w.field("Overall", verdict_words(r.verdict));
}

fn sample_rules(w: &mut Writer<'_>, r: &EvaluationReport) {
    let two_hours = r.period_hours * 3_600_000.0 >= CAPTURE_SAMPLE_MS as f64;
    for lane in &r.lanes {
        let enough = lane.visible >= CAPTURE_SAMPLE_VEHICLES || two_hours;
        w.field(
            &format!("8.14.2, lane {}", lane.lane),
            &format!(
                "{} visible vehicles (at least {CAPTURE_SAMPLE_VEHICLES} needed) over {:.2} hours (or at least 2 \
                 hours): sample {}",
                lane.visible,
                r.period_hours,
                if enough { "sufficient" } else { "insufficient" }
            ),
        );
    }
    w.field(
        "8.14.3",
        &format!(
            "{} vehicles captured (at least {READ_SAMPLE_CAPTURED} needed): sample {}",
            r.captured,
            if r.captured >= READ_SAMPLE_CAPTURED { "sufficient" } else { "insufficient" }
        ),
    );
}

/// The height of a listed vehicle's pictures, points.
const PICTURE_HEIGHT: f32 = 90.0;

/// A listed vehicle with pictures: two lines of text, the row of pictures, its caption.
fn pictured_entry_height() -> f32 {
    2.0 * Writer::leading(BODY_SIZE) + PICTURE_HEIGHT + 30.0
}

/// One listed vehicle: its line, then its pictures side by side when there are any.
fn vehicle_entry(w: &mut Writer<'_>, line: &str, pictures: Option<&VehiclePictures>) -> Result<(), ReportError> {
    if pictures.is_some() {
        // The line and its pictures on one page.
        w.ensure(pictured_entry_height());
    }
    w.paragraph(Face::Regular, BODY_SIZE, 0.0, line);
    let Some(pictures) = pictures else { return Ok(()) };
    let mut row: Vec<(&[u8], &str)> = Vec::new();
    let mut said = Vec::new();
    if let Some(frame) = &pictures.frame {
        row.push((frame, "video frame"));
        said.push("the video at the truth time");
    }
    if let Some(plate) = &pictures.plate {
        row.push((plate, "plate patch"));
        said.push("the camera's plate patch");
    }
    if !row.is_empty() {
        let caption = match said[..] {
            [one] => format!("Above: {one}."),
            _ => format!("Left to right: {}.", said.join("; ")),
        };
        w.image_row(&row, PICTURE_HEIGHT, &caption)?;
    }
    Ok(())
}
