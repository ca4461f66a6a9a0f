//! Assisted marking (issue 7 item 4): candidate vehicle passes over a lane's read line, found
//! by motion detection in the band the engineer drew, for the engineer to accept or reject.
//!
//! Two steps. [`band_activity`] decodes the whole video once (luma only, see
//! [`Video::scan_luma`]) and gives, per lane and frame, the fraction of the band that differs
//! from a running-average background. [`find_passes`] turns one lane's fractions into passes
//! with hysteresis, a minimum duration and a minimum gap; it is cheap, so the screen can re-run
//! it with other thresholds without decoding again. [`propose_passes`] does both.

use super::{LumaPlane, Video, VideoError, VideoProgress};
use crate::types::{BandShape, LaneBand, PassParams, ProposedPass};

/// A band must cover at least this many pixels for its covered fraction to mean anything.
const MIN_BAND_PIXELS: usize = 16;

/// One row's stretch of a band: pixels `x0..x1` of row `y`.
#[derive(Debug, Clone, Copy)]
struct Run {
    y: usize,
    x0: usize,
    x1: usize,
}

/// A band's pixels and their background.
#[derive(Debug)]
struct Band {
    runs: Vec<Run>,
    /// Per band pixel, in run order; empty until the first frame.
    background: Vec<f32>,
    covered: Vec<f32>,
}

/// Whether a pixel centre lies in a band.
type Covers = dyn Fn(f32, f32) -> bool;

impl Band {
    fn new(band: &LaneBand, width: u32, height: u32) -> Result<Self, VideoError> {
        let refuse = |reason: String| VideoError::Band { lane: band.lane, reason };
        let (w, h) = (width as f32, height as f32);
        let inside = |(x, y): (f32, f32)| (0.0..=w).contains(&x) && (0.0..=h).contains(&y);
        // Which pixel centres are covered, tested over the band's bounding box.
        let (corners, covers): ([(f32, f32); 4], Box<Covers>) = match band.shape {
            BandShape::Rect { x, y, width, height } => {
                if !(width > 0.0 && height > 0.0) {
                    return Err(refuse(format!("the rectangle is {width} x {height} pixels")));
                }
                let (x1, y1) = (x + width, y + height);
                let covers = move |cx: f32, cy: f32| cx >= x && cx < x1 && cy >= y && cy < y1;
                ([(x, y), (x1, y), (x, y1), (x1, y1)], Box::new(covers))
            }
            BandShape::Line { from, to, thickness } => {
                let (dx, dy) = (to.0 - from.0, to.1 - from.1);
                let length = dx.hypot(dy);
                if !(length >= 1.0 && thickness >= 1.0) {
                    return Err(refuse(format!(
                        "the line is {length:.1} pixels long and {thickness} thick; both must be at least 1"
                    )));
                }
                let (ux, uy) = (dx / length, dy / length);
                let (nx, ny) = (-uy * thickness / 2.0, ux * thickness / 2.0);
                let half = thickness / 2.0;
                let covers = move |cx: f32, cy: f32| {
                    let (rx, ry) = (cx - from.0, cy - from.1);
                    let along = rx * ux + ry * uy;
                    (0.0..=length).contains(&along) && (ry * ux - rx * uy).abs() <= half
                };
                let corners = [
                    (from.0 + nx, from.1 + ny),
                    (from.0 - nx, from.1 - ny),
                    (to.0 + nx, to.1 + ny),
                    (to.0 - nx, to.1 - ny),
                ];
                (corners, Box::new(covers))
            }
        };
        if let Some(&(x, y)) = corners.iter().find(|&&c| !inside(c)) {
            return Err(refuse(format!(
                "it reaches ({x:.1}, {y:.1}), outside the {width}x{height} picture; draw it inside the frame"
            )));
        }
        let (x_min, x_max) = corners.iter().fold((w, 0.0f32), |(lo, hi), c| (lo.min(c.0), hi.max(c.0)));
        let (y_min, y_max) = corners.iter().fold((h, 0.0f32), |(lo, hi), c| (lo.min(c.1), hi.max(c.1)));
        let mut runs = Vec::new();
        for y in (y_min.floor() as usize)..(y_max.ceil() as usize).min(height as usize) {
            let mut run: Option<Run> = None;
            for x in (x_min.floor() as usize)..(x_max.ceil() as usize).min(width as usize) {
                if !covers(x as f32 + 0.5, y as f32 + 0.5) {
                    continue;
                }
                match &mut run {
                    Some(r) if r.x1 == x => r.x1 += 1,
                    _ => {
                        runs.extend(run.take());
                        run = Some(Run { y, x0: x, x1: x + 1 });
                    }
                }
            }
            runs.extend(run);
        }
        let pixels: usize = runs.iter().map(|r| r.x1 - r.x0).sum();
        if pixels < MIN_BAND_PIXELS {
            return Err(refuse(format!("it covers {pixels} pixels; draw it at least {MIN_BAND_PIXELS}")));
        }
        Ok(Band { runs, background: Vec::with_capacity(pixels), covered: Vec::new() })
    }

    /// Compares the frame with the background, records the covered fraction, and moves the
    /// background towards the frame: quickly where they match, slowly where they do not.
    fn measure(&mut self, luma: &LumaPlane<'_>, rates: &Rates) {
        if self.background.is_empty() {
            for run in &self.runs {
                self.background.extend(luma.row(run.y, run.x0, run.x1).iter().map(|&v| f32::from(v)));
            }
        }
        let mut covered = 0usize;
        let mut at = 0;
        for run in &self.runs {
            let row = luma.row(run.y, run.x0, run.x1);
            let background = &mut self.background[at..at + row.len()];
            at += row.len();
            for (&value, b) in row.iter().zip(background) {
                let difference = f32::from(value) - *b;
                let differs = difference.abs() > rates.threshold;
                covered += usize::from(differs);
                *b += difference * if differs { rates.covered } else { rates.background };
            }
        }
        self.covered.push(covered as f32 / self.background.len() as f32);
    }
}

/// The parameters turned into per-frame quantities.
#[derive(Debug)]
struct Rates {
    threshold: f32,
    background: f32,
    covered: f32,
}

/// The share of a time constant `tau` (seconds) one frame moves a running average.
fn per_frame(tau: f32, fps: f64) -> f32 {
    let frames = f64::from(tau.max(0.0)) * fps;
    if frames <= 0.0 { 1.0 } else { (1.0 - (-1.0 / frames).exp()) as f32 }
}

fn check_params(params: &PassParams) -> Result<(), VideoError> {
    let fractions = (0.0..=1.0).contains(&params.on) && (0.0..=1.0).contains(&params.off);
    let times = [params.background_s, params.covered_s, params.min_duration_s, params.min_gap_s];
    let rise_ok = params.split_rise > 0.0 && params.split_rise <= 1.0;
    if !fractions || params.off > params.on || params.on <= 0.0 {
        return Err(VideoError::PassParams(format!(
            "on ({}) and off ({}) must be fractions of the band with 0 <= off <= on and on above 0",
            params.on, params.off
        )));
    }
    if !rise_ok {
        return Err(VideoError::PassParams(format!(
            "split_rise ({}) must be above 0 and at most 1",
            params.split_rise
        )));
    }
    if times.iter().any(|t| !t.is_finite() || *t < 0.0) {
        return Err(VideoError::PassParams("times must be zero or more seconds".into()));
    }
    Ok(())
}

/// Per lane (in the order of `bands`), the covered fraction of its band on every frame.
/// Checks every band lies inside the picture first. `progress` counts frames decoded.
pub fn band_activity(
    video: &mut Video,
    bands: &[LaneBand],
    params: &PassParams,
    progress: &mut dyn FnMut(VideoProgress),
) -> Result<Vec<Vec<f32>>, VideoError> {
    check_params(params)?;
    let mut lanes: Vec<Band> =
        bands.iter().map(|b| Band::new(b, video.width(), video.height())).collect::<Result<_, _>>()?;
    let fps = video.frame_rate();
    let rates = Rates {
        threshold: f32::from(params.threshold),
        background: per_frame(params.background_s, fps),
        covered: per_frame(params.covered_s, fps),
    };
    let frames = video.frame_count();
    for band in &mut lanes {
        band.covered.reserve_exact(frames);
    }
    video.scan_luma(progress, &mut |_, luma| {
        for band in &mut lanes {
            band.measure(luma, &rates);
        }
    })?;
    Ok(lanes.into_iter().map(|b| b.covered).collect())
}

/// One lane's passes from its covered fractions (`covered[n]` for frame `n`) at `fps` frames a
/// second. Times are left 0: [`propose_passes`] fills them from the video.
pub fn find_passes(lane: u32, covered: &[f32], params: &PassParams, fps: f64) -> Vec<ProposedPass> {
    let frames = |seconds: f32| (f64::from(seconds) * fps).round() as usize;
    let (min_duration, min_gap) = (frames(params.min_duration_s).max(1), frames(params.min_gap_s));
    let mut passes: Vec<ProposedPass> = Vec::new();
    let mut open: Option<ProposedPass> = None;
    let close = |pass: ProposedPass, passes: &mut Vec<ProposedPass>| {
        if pass.last_frame + 1 - pass.frame < min_duration {
            return;
        }
        match passes.last_mut() {
            Some(last) if pass.frame - last.frame < min_gap => {
                last.last_frame = pass.last_frame;
                last.strength = last.strength.max(pass.strength);
            }
            _ => passes.push(pass),
        }
    };
    let mut previous = 0.0;
    // A last uncovered frame after the end closes a pass still open.
    for (n, fraction) in covered.iter().copied().chain([0.0]).enumerate() {
        let start = ProposedPass { lane, frame: n, time_ms: 0, last_frame: n, strength: fraction };
        match open.take() {
            None if fraction >= params.on => open = Some(start),
            None => {}
            // The next vehicle cannot come within the minimum gap: a rise then is this one's
            // front, lamps or windscreen.
            Some(pass) if fraction - previous >= params.split_rise && n - pass.frame >= min_gap => {
                close(pass, &mut passes);
                open = Some(start);
            }
            Some(mut pass) if fraction >= params.off && n < covered.len() => {
                pass.last_frame = n;
                pass.strength = pass.strength.max(fraction);
                open = Some(pass);
            }
            Some(pass) => close(pass, &mut passes),
        }
        previous = fraction;
    }
    passes
}

/// Candidate passes for every lane over the whole video, in time order (lane order within a
/// frame). `progress` counts frames decoded.
pub fn propose_passes(
    video: &mut Video,
    bands: &[LaneBand],
    params: &PassParams,
    progress: &mut dyn FnMut(VideoProgress),
) -> Result<Vec<ProposedPass>, VideoError> {
    let activity = band_activity(video, bands, params, progress)?;
    let fps = video.frame_rate();
    let mut passes: Vec<ProposedPass> =
        bands.iter().zip(&activity).flat_map(|(band, covered)| find_passes(band.lane, covered, params, fps)).collect();
    for pass in &mut passes {
        pass.time_ms = video.frame_time(pass.frame).map_or(0, |t| t.as_millis() as u64);
    }
    passes.sort_by_key(|p| (p.frame, p.lane));
    Ok(passes)
}
