//! The clock offset between the video and the camera (camera clock minus video clock): the
//! offset at which the scorer's own one-to-one matching pairs the most marked vehicles with
//! reads, then agrees on the most VRMs, then lies closest in total time. The same three criteria
//! as the matching itself (evaluation.md), so the offset found is the one scoring rewards.
//!
//! A coarse pass steps through the searched range at half the matching window (a run of offsets
//! that all match the most vehicles is about two windows wide, so it cannot be stepped over);
//! a fine pass then walks the best coarse offset's neighbourhood, one window either way, at the
//! fine step. Every offset is evaluated exactly, in order, and ties go to the offset nearest
//! zero: the answer depends on nothing but the inputs.

use super::matching::match_reads;
use super::truth::TruthVehicle;
use crate::import::rows::ReadRow;

/// The offsets to try, milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetSearch {
    pub from_ms: i64,
    pub to_ms: i64,
    pub step_ms: i64,
}

impl OffsetSearch {
    /// A minute either way at 10 ms: recorders and cameras set from NTP or by hand are rarely
    /// further apart, and 10 ms is a tenth of a frame at 10 fps.
    pub const DEFAULT: OffsetSearch = OffsetSearch { from_ms: -60_000, to_ms: 60_000, step_ms: 10 };
}

/// How well one offset lines the reads up with the vehicles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetFit {
    pub offset_ms: i64,
    pub matched: u64,
    pub exact: u64,
    /// Sum of |read time - offset - vehicle time| over the matched pairs.
    pub total_dt_ms: i64,
}

impl OffsetFit {
    /// Larger is better: more matched, more exact, less total time; then nearer zero.
    fn key(&self) -> (u64, u64, i64, i64) {
        (self.matched, self.exact, -self.total_dt_ms, -self.offset_ms.abs())
    }
}

/// How `reads` (one camera's) fit `truth` at `offset_ms`.
pub fn fit(truth: &[TruthVehicle], reads: &[ReadRow], window_ms: i64, offset_ms: i64) -> OffsetFit {
    let matching = match_reads(truth, reads, window_ms, offset_ms);
    let mut fit = OffsetFit { offset_ms, matched: 0, exact: 0, total_dt_ms: 0 };
    for &(v, r) in &matching.pairs {
        fit.matched += 1;
        fit.exact += u64::from(truth[v].vrm.is_some() && truth[v].vrm == reads[r].vrm);
        fit.total_dt_ms += (reads[r].read_time_ms - offset_ms - truth[v].time_ms).abs();
    }
    fit
}

fn best_of(
    truth: &[TruthVehicle],
    reads: &[ReadRow],
    window_ms: i64,
    offsets: impl Iterator<Item = i64>,
) -> Option<OffsetFit> {
    offsets.map(|o| fit(truth, reads, window_ms, o)).reduce(|best, f| if f.key() > best.key() { f } else { best })
}

/// The best offset in `search` (see the module notes). `None` when the range is empty or the
/// step not positive.
pub fn estimate(truth: &[TruthVehicle], reads: &[ReadRow], window_ms: i64, search: OffsetSearch) -> Option<OffsetFit> {
    let OffsetSearch { from_ms, to_ms, step_ms } = search;
    if step_ms <= 0 || from_ms > to_ms {
        return None;
    }
    let steps = |from: i64, to: i64, step: i64| (0..=(to - from) / step).map(move |i| from + i * step);
    let coarse_step = (window_ms / 2).max(step_ms);
    let coarse = best_of(truth, reads, window_ms, steps(from_ms, to_ms, coarse_step))?;
    let lo = (coarse.offset_ms - window_ms).max(from_ms);
    let hi = (coarse.offset_ms + window_ms).min(to_ms);
    // Fine offsets on the search's own grid, so the answer is a multiple of the step from `from`.
    let first = from_ms + (lo - from_ms).div_euclid(step_ms) * step_ms;
    best_of(truth, reads, window_ms, steps(first, hi, step_ms).chain([coarse.offset_ms]))
}
