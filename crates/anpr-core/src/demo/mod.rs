//! The demo force: a deterministic synthetic police force written as a read bundle.
//!
//! `write_bundle` makes what a real force's NAS extract would look like (shared spec
//! `bundle-format.md`): a camera register of every NASPLE 8.7 system type across six
//! fictional towns, and N reads over the 400 days before an anchor time, with plate patches
//! and some overview images. The reads come from a traffic model (see `traffic`) in which the
//! same vehicles make believable journeys, and which plants what an analyst should be able to
//! find: a convoy pair, a cloned plate, misreads (OCR look-alikes) and not-reads (7.4.2).
//!
//! Same seed, anchor, read count and images flag: byte-identical files. There is no wall
//! clock and no hash-map iteration anywhere in the output path.
//!
//! `write_eval_kit` makes the video evaluation kit (`eval_kit`): a synthetic H.264 recording
//! of at least 250 vehicles, the camera's read log and the true answer.
//!
//! Module map: `geography` (towns, camera register), `plates` (UK VRM layouts, OCR
//! confusions), `traffic` (vehicles, journeys, planted patterns), `render` (plate patches,
//! overview images), `bundle` (the files on disk), `eval_kit` (the evaluation kit).

mod bundle;
mod eval_kit;
mod geography;
mod plates;
mod render;
mod traffic;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

pub use eval_kit::{DEFAULT_EVAL_VEHICLES, EvalKitOptions, EvalKitSummary, MIN_VEHICLES, write_eval_kit};
pub use geography::{FORCE, SystemType};

/// Reads written when the user does not say (spec `cli.md`, `demo`).
pub const DEFAULT_READS: usize = 100_000;

/// What to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOptions {
    /// Seeds the traffic; the camera register is the same for every seed.
    pub seed: u64,
    /// Number of reads (captures, including not-reads).
    pub reads: usize,
    /// Render plate patches and overview images; without them the bundle is written in seconds.
    pub images: bool,
    /// The reads fall in the 400 days before this instant; the manifest is dated with it.
    pub anchor: DateTime<Utc>,
}

impl DemoOptions {
    /// The CLI defaults (100 000 reads with images, seed 1) for a given anchor time.
    pub fn new(anchor: DateTime<Utc>) -> Self {
        DemoOptions { seed: 1, reads: DEFAULT_READS, images: true, anchor }
    }
}

/// Reads written so far, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoProgress {
    pub done: usize,
    pub total: usize,
}

/// What `write_bundle` made, and where to look for the planted patterns.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DemoSummary {
    pub cameras: usize,
    pub reads: usize,
    pub not_read: usize,
    pub plate_images: usize,
    pub overview_images: usize,
    pub towns: Vec<String>,
    /// The plate on two cars, seen in two towns far apart minutes after each other
    /// (normalised: uppercase, no space).
    pub cloned_vrm: String,
    /// The two vehicles travelling together (normalised VRMs).
    pub convoy_pair: (String, String),
    /// Up to five misreads: (true VRM normalised, misread as written in reads.csv).
    pub misread_examples: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot write the demo bundle: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot write a demo CSV file: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot encode a demo image: {0}")]
    Image(#[from] image::ImageError),
    #[error("cannot write the demo manifest: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the output folder {} is not empty; a bundle needs a new or empty folder", .0.display())]
    OutputNotEmpty(PathBuf),
    #[error("the embedded plate font cannot be read")]
    Font,
    #[error("the anchor time is too far from the present to place 400 days of reads before it")]
    TimeOutOfRange,
    #[error("an image worker thread stopped unexpectedly")]
    Worker,
    #[error("cannot write the demo video: {0}")]
    Video(#[from] crate::video::VideoError),
    #[error("the demo camera register has no static camera for the evaluation kit")]
    NoStaticCamera,
}

/// Writes the demo force as a read bundle into `out`, which must be absent or empty.
///
/// `progress` is called on the calling thread at the start, after every thousand reads and
/// at the end.
pub fn write_bundle(
    out: &Path,
    opts: &DemoOptions,
    progress: &mut dyn FnMut(DemoProgress),
) -> Result<DemoSummary, DemoError> {
    let glyphs = match opts.images {
        true => Some(render::Glyphs::get().map_err(|_| DemoError::Font)?),
        false => None,
    };
    let anchor_ms = opts.anchor.timestamp_millis();
    // Fail before writing anything if the span cannot be expressed.
    bundle::utc_millis(anchor_ms - traffic::SPAN_DAYS * 86_400_000)?;
    bundle::prepare_folder(out)?;
    let cameras = geography::cameras();
    let traffic = traffic::simulate(&cameras, opts.seed, opts.reads, anchor_ms);
    let written =
        bundle::Bundle { out, seed: opts.seed, anchor: opts.anchor, cameras: &cameras, traffic: &traffic, glyphs }
            .write(progress)?;
    let vrm_of = |vehicle: usize| traffic.vehicles[vehicle].vrm.replace(' ', "");
    Ok(DemoSummary {
        cameras: cameras.len(),
        reads: traffic.reads.len(),
        not_read: written.not_read,
        plate_images: written.plate_images,
        overview_images: written.overview_images,
        towns: geography::TOWNS.iter().map(|t| t.name.to_string()).collect(),
        cloned_vrm: vrm_of(traffic.clone.0),
        convoy_pair: (vrm_of(traffic.convoy.0), vrm_of(traffic.convoy.1)),
        misread_examples: written.misreads,
    })
}

/// Renders one plate patch (260x56): `vrm` drawn exactly as given (put the space where the
/// plate has it, e.g. "AB12 CDE"), black characters on white for a front plate or on yellow
/// for a rear one (`rear`), with a thin border.
///
/// If the embedded font could not be parsed, a build defect the tests catch, the patch has
/// no characters.
pub fn render_plate(vrm: &str, rear: bool) -> image::RgbImage {
    match render::Glyphs::get() {
        Ok(glyphs) => glyphs.plate(&vrm.to_uppercase(), rear),
        Err(_) => render::blank_plate(rear),
    }
}
