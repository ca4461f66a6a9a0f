//! Assisted marking (issue 7): the read line the engineer draws per lane, the detector's
//! parameters, and the candidate vehicle passes it proposes (docs/video.md, "Assisted marking").

use serde::{Deserialize, Serialize};

/// Where a lane's read line is, in frame pixel coordinates (x right, y down, the picture's
/// top-left corner at 0,0; a pixel is covered when its centre is inside).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BandShape {
    /// An upright rectangle.
    Rect { x: f32, y: f32, width: f32, height: f32 },
    /// A line drawn across the lane, `thickness` pixels thick, with square ends.
    Line { from: (f32, f32), to: (f32, f32), thickness: f32 },
}

/// One lane's read line.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LaneBand {
    pub lane: u32,
    pub shape: BandShape,
}

/// How passes are found; [`PassParams::default`] is what the demo kit was measured with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PassParams {
    /// A band pixel is covered when its luma differs from the background by more than this
    /// (0-255). Default 25: compression noise stays well below, a car a shade off the road
    /// colour is still seen by its lamps, glass and plate.
    pub threshold: u8,
    /// Time constant of the running-average background where a pixel matches it, in seconds.
    /// Default 0.5: fast enough to follow dusk, clouds or the camera's exposure.
    pub background_s: f32,
    /// Time constant where a pixel is covered, in seconds. Default 10: a passing vehicle barely
    /// marks the background, something that stays (a parked vehicle) fades into it.
    pub covered_s: f32,
    /// A pass starts when this fraction of the band is covered ... (default 0.2)
    pub on: f32,
    /// ... and ends when the covered fraction falls below this (default 0.08).
    pub off: f32,
    /// Passes shorter than this are dropped, in seconds (default 0.15).
    pub min_duration_s: f32,
    /// While a pass lasts (and began at least `min_gap_s` ago), a rise of the covered fraction
    /// by at least this from one frame to the next starts a new one (default 0.1): the next
    /// vehicle reaching the band before the last has left it, as at night when its headlight
    /// beam arrives first.
    pub split_rise: f32,
    /// Passes whose starts are closer than this are one vehicle, in seconds (default 0.6).
    pub min_gap_s: f32,
}

impl Default for PassParams {
    fn default() -> Self {
        PassParams {
            threshold: 25,
            background_s: 0.5,
            covered_s: 10.0,
            on: 0.2,
            off: 0.08,
            min_duration_s: 0.15,
            split_rise: 0.1,
            min_gap_s: 0.6,
        }
    }
}

/// A candidate vehicle pass for the engineer to accept or reject.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProposedPass {
    pub lane: u32,
    /// The crossing: the frame on which the vehicle's front reaches the band.
    pub frame: usize,
    /// That frame's time from the start of the video, in milliseconds.
    pub time_ms: u64,
    /// The last frame on which the band was covered.
    pub last_frame: usize,
    /// The largest covered fraction of the band during the pass (0-1): low values are the
    /// doubtful ones.
    pub strength: f32,
}

/// Frames done so far of a whole-video walk (decoding for pass detection).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoProgress {
    pub done: usize,
    pub total: usize,
}
