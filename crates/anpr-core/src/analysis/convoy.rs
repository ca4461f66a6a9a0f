//! Convoy: the vehicles travelling with a target VRM.
//!
//! A *companion read* is a read at the same camera as a read of the target, at most
//! `window_minutes` before or after it (inclusive), of a VRM other than the target's (never
//! "not read"); both reads must be allowed by the filter. A companion's *times together* is the
//! number of distinct target reads it has at least one companion read near. Companions with at
//! least `min_together` times together are listed, most first (then by VRM), at most
//! [`MAX_FINDINGS`], each with every (target read, companion read) pair in the target's time
//! order.

use super::{MAX_FINDINGS, Outcome, Reads, located};
use crate::error::{Error, Result};
use crate::store::{self, reads::SearchFilter, reads::VrmFilter};
use anpr_types::{Companion, Findings, SharedSighting};
use serde_json::json;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;

/// The window either side of a target read, in minutes.
pub const WINDOW_MINUTES: RangeInclusive<u32> = 1..=120;

/// The distinct target reads a companion accompanied, and every (target, companion) read pair.
type Together = (BTreeSet<i64>, Vec<(i64, i64)>);

pub(super) struct Convoy {
    pub vrm: String,
    window_ms: i64,
    min_together: usize,
}

impl Convoy {
    pub fn new(vrm: String, window_minutes: u32, min_together: u32) -> Result<Self> {
        if !WINDOW_MINUTES.contains(&window_minutes) {
            return Err(Error::Invalid(format!(
                "a convoy window is {} to {} minutes either side ({window_minutes} given)",
                WINDOW_MINUTES.start(),
                WINDOW_MINUTES.end()
            )));
        }
        if min_together < 2 {
            return Err(Error::Invalid("a convoy needs a companion seen with at least 2 of the target's reads".into()));
        }
        Ok(Convoy { vrm, window_ms: i64::from(window_minutes) * 60_000, min_together: min_together as usize })
    }

    pub async fn run(&self, reads: &mut Reads<'_, '_>) -> Result<Outcome> {
        let targets = SearchFilter { vrm: Some(VrmFilter::Exact(&self.vrm)), ..reads.filter.clone() };
        let target_reads = store::reads::search_count(reads.conn, &reads.visibility, &targets).await? as u64;
        let pairs =
            store::analysis::companions(reads.conn, &reads.visibility, &reads.filter, &self.vrm, self.window_ms)
                .await?;
        let mut by_vrm: BTreeMap<&str, Together> = BTreeMap::new();
        for p in &pairs {
            let (together, shared) = by_vrm.entry(&p.vrm).or_default();
            together.insert(p.target);
            shared.push((p.target, p.companion));
        }
        let mut kept: Vec<_> =
            by_vrm.into_iter().filter(|(_, (together, _))| together.len() >= self.min_together).collect();
        kept.sort_by_key(|(vrm, (together, _))| (Reverse(together.len()), *vrm));
        let truncated = kept.len() > MAX_FINDINGS;
        kept.truncate(MAX_FINDINGS);
        let ids: Vec<i64> = kept.iter().flat_map(|(_, (_, shared))| shared.iter().flat_map(|&(t, c)| [t, c])).collect();
        let views = reads.by_ids(&ids).await?;
        let mut companions = Vec::new();
        for (vrm, (together, shared)) in kept {
            // Both reads of a pair were found by filtered queries, so both are in `views`.
            let mut shared: Vec<_> =
                shared.into_iter().filter_map(|(t, c)| Some((views.get(&t)?, views.get(&c)?))).collect();
            shared.sort_by_key(|(t, c)| (t.read_time, t.id, c.read_time, c.id));
            let shared = shared
                .into_iter()
                .map(|(t, c)| SharedSighting {
                    seconds_apart: (c.read_time - t.read_time) as f64 / 1000.0,
                    target: located(t.clone()),
                    companion: located(c.clone()),
                })
                .collect();
            companions.push(Companion { vrm: vrm.to_owned(), times_together: together.len() as u64, shared });
        }
        let found = json!({ "target_reads": target_reads, "companions": companions.len() });
        let convoy = anpr_types::Convoy { vrm: self.vrm.clone(), target_reads, companions };
        Ok(Outcome { findings: Findings::Convoy(convoy), truncated, found })
    }
}
