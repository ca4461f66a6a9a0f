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
//!
//! Every offset within about a window of the true one matches the same vehicles, and a stray
//! or duplicate read can tip the count towards the edge of that run. So the answer is then
//! centred: the median of (read time - vehicle time) over the pairs whose VRMs agree at the
//! best offset, on the search's grid, kept if as many VRMs agree there.

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
    fit_and_exact(truth, reads, window_ms, offset_ms).0
}

/// The fit, and (read time - vehicle time) of each pair whose VRMs agree.
fn fit_and_exact(truth: &[TruthVehicle], reads: &[ReadRow], window_ms: i64, offset_ms: i64) -> (OffsetFit, Vec<i64>) {
    let matching = match_reads(truth, reads, window_ms, offset_ms);
    let mut fit = OffsetFit { offset_ms, matched: 0, exact: 0, total_dt_ms: 0 };
    let mut exact = Vec::new();
    for &(v, r) in &matching.pairs {
        let dt = reads[r].read_time_ms - truth[v].time_ms;
        fit.matched += 1;
        if truth[v].vrm.is_some() && truth[v].vrm == reads[r].vrm {
            fit.exact += 1;
            exact.push(dt);
        }
        fit.total_dt_ms += (dt - offset_ms).abs();
    }
    (fit, exact)
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
    let best = best_of(truth, reads, window_ms, steps(first, hi, step_ms).chain([coarse.offset_ms]))?;
    let (_, mut exact) = fit_and_exact(truth, reads, window_ms, best.offset_ms);
    if exact.is_empty() {
        return Some(best);
    }
    exact.sort_unstable();
    let median = exact[(exact.len() - 1) / 2];
    let centred = (from_ms + (median - from_ms + step_ms / 2).div_euclid(step_ms) * step_ms).clamp(from_ms, to_ms);
    let centred = fit(truth, reads, window_ms, centred);
    Some(if centred.exact >= best.exact { centred } else { best })
}
