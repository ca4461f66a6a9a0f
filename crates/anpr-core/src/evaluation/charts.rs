//! The evaluation's two charts (issue 7 item 7), drawn with plotters into PNG: the cumulative
//! capture and read rates vehicle by vehicle against the standards' lines, and the misreads by
//! character confusion. Text is set in the DejaVu fonts compiled into the workstation (no
//! system font lookup), so the same evaluation gives the same bytes on every machine.

use super::truth::TruthVehicle;
use crate::fonts::{DEJAVU_SANS, DEJAVU_SANS_BOLD};
use crate::search::fuzzy;
use anpr_types::{ConfusionCount, EvaluationReport};
use image::{ImageEncoder, RgbImage};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};
use std::collections::HashSet;
use std::sync::OnceLock;

/// Pixel size of both charts: sharp at a column's width in the PDF report (about 180 dpi).
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 600;
/// The font family the charts register their fonts under.
const FAMILY: &str = "DejaVu Sans";
/// Bars shown in the confusion chart; the rest are counted in its title.
pub const MAX_CONFUSIONS: usize = 20;
/// The first vehicles' rates swing widely; the rate axis is fitted to the rest so the
/// standards' lines stay apart (the first vehicles' points may sit on the axis).
const SETTLING_VEHICLES: usize = 20;

pub const CAPTURE_COLOUR: RGBColor = RGBColor(0, 90, 180);
pub const READ_COLOUR: RGBColor = RGBColor(215, 110, 0);
/// A confusion within one of the plate font's OCR confusion classes (8 and B), and any other.
pub const CLASS_COLOUR: RGBColor = RGBColor(150, 40, 40);
pub const OTHER_COLOUR: RGBColor = RGBColor(120, 120, 120);

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the chart font could not be loaded")]
    Font,
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    #[error("encoding the chart as PNG failed: {0}")]
    Png(String),
}

fn draw_error(e: impl std::fmt::Display) -> ChartError {
    ChartError::Draw(e.to_string())
}

/// A chart as a PNG, with the pixel rows its reference lines were drawn on (top = 0), so a
/// reader can check them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// The rows of the capture and read standards' lines (rates chart only).
    pub standard_rows: Vec<u32>,
}

/// The report's two charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Cumulative capture and read rates by vehicle ([`rates_chart`]).
    Rates,
    /// Misreads by character confusion ([`confusions_chart`]).
    Confusions,
}

impl ChartKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChartKind::Rates => "rates",
            ChartKind::Confusions => "confusions",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [ChartKind::Rates, ChartKind::Confusions].into_iter().find(|k| k.as_str() == text)
    }
}

/// What happened to one ground-truth vehicle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Correct,
    Misread,
    /// Captured, but the camera gave no VRM.
    NotRead,
    Missed,
    /// Plate not visible: excluded from the rates.
    NotVisible,
}

/// Each vehicle of `truth`, in number order, with its outcome in `report` (which must be the
/// scoring of that truth).
pub fn outcomes(truth: &[TruthVehicle], report: &EvaluationReport) -> Vec<(u64, Outcome)> {
    let set = |list: &[u64]| list.iter().copied().collect::<HashSet<u64>>();
    let (missed, not_read, invisible) = (set(&report.missed), set(&report.not_read), set(&report.invisible));
    let misread: HashSet<u64> = report.misreads.iter().map(|m| m.vehicle).collect();
    let mut out: Vec<(u64, Outcome)> = truth
        .iter()
        .map(|v| {
            let n = v.vehicle;
            let outcome = if invisible.contains(&n) {
                Outcome::NotVisible
            } else if missed.contains(&n) {
                Outcome::Missed
            } else if not_read.contains(&n) {
                Outcome::NotRead
            } else if misread.contains(&n) {
                Outcome::Misread
            } else {
                Outcome::Correct
            };
            (n, outcome)
        })
        .collect();
    out.sort_by_key(|&(n, _)| n);
    out
}

/// `(vehicle, rate)` points of a line.
pub type Series = Vec<(u64, f64)>;

/// The running capture rate (captured / visible so far) and read rate (correct / captured so
/// far) at each visible vehicle.
pub fn cumulative(outcomes: &[(u64, Outcome)]) -> (Series, Series) {
    let (mut visible, mut captured, mut correct) = (0u64, 0u64, 0u64);
    let (mut capture, mut read) = (Vec::new(), Vec::new());
    for &(vehicle, outcome) in outcomes {
        if outcome == Outcome::NotVisible {
            continue;
        }
        visible += 1;
        if outcome != Outcome::Missed {
            captured += 1;
        }
        if outcome == Outcome::Correct {
            correct += 1;
        }
        capture.push((vehicle, captured as f64 / visible as f64));
        if captured > 0 {
            read.push((vehicle, correct as f64 / captured as f64));
        }
    }
    (capture, read)
}

fn fonts_registered() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = REGISTERED.get_or_init(|| {
        register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_ok()
            && register_font(FAMILY, FontStyle::Bold, DEJAVU_SANS_BOLD).is_ok()
    });
    if *ok { Ok(()) } else { Err(ChartError::Font) }
}

/// Draws on a white RGB canvas of the charts' size and encodes it as PNG.
fn render(
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<Vec<u32>, ChartError>,
) -> Result<Chart, ChartError> {
    fonts_registered()?;
    let mut pixels = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    let standard_rows = {
        let root = BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
        let rows = draw(&root)?;
        root.present().map_err(draw_error)?;
        rows
    };
    let image = RgbImage::from_raw(WIDTH, HEIGHT, pixels).ok_or_else(|| ChartError::Png("buffer size".into()))?;
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(image.as_raw(), WIDTH, HEIGHT, image::ExtendedColorType::Rgb8)
        .map_err(|e| ChartError::Png(e.to_string()))?;
    Ok(Chart { png, width: WIDTH, height: HEIGHT, standard_rows })
}

/// The lowest rate the axis shows: every point after the settling vehicles and both standards
/// fit, with a margin, in steps of 5%.
fn axis_floor(series: &[&[(u64, f64)]], standards: [f64; 2]) -> f64 {
    let lowest = series
        .iter()
        .flat_map(|s| s.iter().skip(SETTLING_VEHICLES).map(|&(_, r)| r))
        .chain(standards)
        .fold(1.0f64, f64::min);
    (((lowest - 0.02) * 20.0).floor() / 20.0).clamp(0.0, 0.95)
}

/// Cumulative capture and read rates by vehicle, with the capture standard and the read
/// standard as dashed lines in the same colours.
pub fn rates_chart(
    outcomes: &[(u64, Outcome)],
    capture_standard: f64,
    read_standard: f64,
) -> Result<Chart, ChartError> {
    let (capture, read) = cumulative(outcomes);
    let floor = axis_floor(&[&capture, &read], [capture_standard, read_standard]);
    let first = outcomes.first().map_or(1, |o| o.0);
    let last = outcomes.last().map_or(1, |o| o.0).max(first + 1);
    render(|root| {
        root.fill(&WHITE).map_err(draw_error)?;
        let mut chart = ChartBuilder::on(root)
            .caption("Cumulative capture and read rates by vehicle", (FAMILY, 30).into_font().style(FontStyle::Bold))
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(90)
            .build_cartesian_2d(first..last, floor..1.0)
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .x_desc("Vehicle")
            .y_desc("Rate so far")
            .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
            .label_style((FAMILY, 20))
            .axis_desc_style((FAMILY, 22))
            .light_line_style(RGBColor(235, 235, 235))
            .bold_line_style(RGBColor(205, 205, 205))
            .draw()
            .map_err(draw_error)?;
        let dashed = |standard: f64, colour: RGBColor| {
            DashedLineSeries::new([(first, standard), (last, standard)], 14, 8, colour.stroke_width(2))
        };
        chart
            .draw_series(dashed(capture_standard, CAPTURE_COLOUR))
            .map_err(draw_error)?
            .label(format!("capture standard {:.0}%", capture_standard * 100.0))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 30, y)], CAPTURE_COLOUR.stroke_width(2)));
        chart
            .draw_series(dashed(read_standard, READ_COLOUR))
            .map_err(draw_error)?
            .label(format!("read standard {:.0}%", read_standard * 100.0))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 30, y)], READ_COLOUR.stroke_width(2)));
        chart
            .draw_series(LineSeries::new(capture.iter().copied(), CAPTURE_COLOUR.stroke_width(3)))
            .map_err(draw_error)?
            .label("capture rate")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 30, y)], CAPTURE_COLOUR.stroke_width(4)));
        chart
            .draw_series(LineSeries::new(read.iter().copied(), READ_COLOUR.stroke_width(3)))
            .map_err(draw_error)?
            .label("read rate")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 30, y)], READ_COLOUR.stroke_width(4)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .label_font((FAMILY, 20))
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(160, 160, 160))
            .draw()
            .map_err(draw_error)?;
        let row = |rate: f64| chart.backend_coord(&(first, rate)).1.max(0) as u32;
        Ok(vec![row(capture_standard), row(read_standard)])
    })
}

/// Whether `confusion` (`8->B`) swaps characters of one OCR confusion class of the plate font
/// (the misread-tolerant search's table); drops and additions never do.
pub fn within_class(confusion: &str) -> bool {
    let mut sides = confusion.split("->").map(|s| s.chars().next());
    match (sides.next().flatten(), sides.next().flatten()) {
        (Some(a), Some(b)) => fuzzy::symbol(a) == fuzzy::symbol(b),
        _ => false,
    }
}

/// Misreads by character confusion, most frequent first (at most [`MAX_CONFUSIONS`] bars),
/// coloured by whether the confusion lies within an OCR confusion class.
pub fn confusions_chart(counts: &[ConfusionCount]) -> Result<Chart, ChartError> {
    let shown = &counts[..counts.len().min(MAX_CONFUSIONS)];
    let hidden = counts.len() - shown.len();
    let title = if hidden > 0 {
        format!("Misreads by confusion (top {MAX_CONFUSIONS}; {hidden} more not shown)")
    } else {
        "Misreads by confusion".to_owned()
    };
    let top = shown.iter().map(|c| c.count).max().unwrap_or(0);
    // Whole-number ticks with headroom over the tallest bar.
    let y_max = (top + 1).max(2) as u32;
    // A segmented 0..k has k + 1 slots: one per bar. (A single bar keeps an empty slot beside
    // it: a range needs two ends.)
    let last_slot = (shown.len() as u32).saturating_sub(1).max(1);
    render(|root| {
        root.fill(&WHITE).map_err(draw_error)?;
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FAMILY, 30).into_font().style(FontStyle::Bold))
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(70)
            .build_cartesian_2d((0..last_slot).into_segmented(), 0u32..y_max)
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc("Truth character -> as read")
            .y_desc("Misreads")
            .x_labels(shown.len().max(1))
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) => shown.get(*i as usize).map(|c| c.confusion.clone()).unwrap_or_default(),
                _ => String::new(),
            })
            .y_labels(y_max as usize + 1)
            .y_label_formatter(&|y| y.to_string())
            .label_style((FAMILY, 20))
            .axis_desc_style((FAMILY, 22))
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(220, 220, 220))
            .draw()
            .map_err(draw_error)?;
        if shown.is_empty() {
            let centre = (WIDTH as i32 / 2 - 60, HEIGHT as i32 / 2);
            root.draw(&Text::new("No misreads", centre, (FAMILY, 28))).map_err(draw_error)?;
            return Ok(Vec::new());
        }
        for class in [true, false] {
            let colour = if class { CLASS_COLOUR } else { OTHER_COLOUR };
            let bars = shown.iter().enumerate().filter(|(_, c)| within_class(&c.confusion) == class).map(|(i, c)| {
                let i = i as u32;
                let mut bar = Rectangle::new(
                    [(SegmentValue::Exact(i), 0), (SegmentValue::Exact(i + 1), c.count as u32)],
                    colour.filled(),
                );
                bar.set_margin(0, 0, 12, 12);
                bar
            });
            let label = if class { "within an OCR confusion class (e.g. 8/B, 0/O/D/Q)" } else { "other confusion" };
            chart
                .draw_series(bars)
                .map_err(draw_error)?
                .label(label)
                .legend(move |(x, y)| Rectangle::new([(x, y - 8), (x + 24, y + 8)], colour.filled()));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font((FAMILY, 20))
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(160, 160, 160))
            .draw()
            .map_err(draw_error)?;
        Ok(Vec::new())
    })
}
