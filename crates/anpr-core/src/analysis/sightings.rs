//! Journey and list search: the reads of one VRM, or of each listed VRM, in time order.
//!
//! - **Journey**: every read of the VRM the filter allows, ordered by time (then store id),
//!   with first and last seen and the cameras that read it (each with its count and first and
//!   last read), in the order it was first seen at them.
//! - **List search**: the same for each listed VRM (normalised like search, duplicates and
//!   blank entries dropped, at most [`MAX_LISTED`]), in the list's order; the listed VRMs with
//!   no read are named apart.
//!
//! At most [`MAX_READS`] reads are returned in all (by VRM, then time); counts, first and last
//! seen and cameras are always complete.

use super::{MAX_LISTED, MAX_READS, Outcome, Reads, full_vrm, located, moment};
use crate::error::{Error, Result};
use crate::store::{self, reads::SearchFilter, reads::VrmFilter};
use anpr_types::{CameraSightings, Findings, ListSearch, Sightings};
use serde_json::json;
use std::collections::{BTreeMap, HashSet};

/// The listed VRMs, normalised, each once, in the list's order.
pub(super) fn listed(vrms: &[String]) -> Result<Vec<String>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for text in vrms.iter().filter(|v| !v.trim().is_empty()) {
        let vrm = full_vrm(text)?;
        if seen.insert(vrm.clone()) {
            out.push(vrm);
        }
    }
    if out.is_empty() {
        return Err(Error::Invalid("a list search needs at least one VRM".into()));
    }
    if out.len() > MAX_LISTED {
        return Err(Error::Invalid(format!("a list search takes at most {MAX_LISTED} VRMs ({} given)", out.len())));
    }
    Ok(out)
}

fn empty(vrm: &str) -> Sightings {
    Sightings { vrm: vrm.to_owned(), total: 0, first_seen: None, last_seen: None, cameras: vec![], reads: vec![] }
}

/// The sightings of each VRM `vrm` selects, and whether reads were left out.
async fn sightings(reads: &mut Reads<'_, '_>, vrm: VrmFilter<'_>) -> Result<(BTreeMap<String, Sightings>, bool)> {
    let filter = SearchFilter { vrm: Some(vrm), ..reads.filter.clone() };
    // Per VRM: its sightings and the times (ms) of its first and last read.
    let mut seen: BTreeMap<String, (Sightings, i64, i64)> = BTreeMap::new();
    for c in store::analysis::per_camera(reads.conn, &reads.visibility, &filter).await? {
        let (s, first, last) = seen.entry(c.vrm.clone()).or_insert_with(|| (empty(&c.vrm), i64::MAX, i64::MIN));
        s.total += c.reads as u64;
        (*first, *last) = ((*first).min(c.first), (*last).max(c.last));
        s.cameras.push(CameraSightings {
            camera_id: c.camera_id,
            camera_name: c.camera_name,
            general_area: c.general_area,
            reads: c.reads as u64,
            first_seen: moment(c.first),
            last_seen: moment(c.last),
        });
    }
    let mut all: BTreeMap<String, Sightings> = seen
        .into_iter()
        .map(|(vrm, (s, first, last))| {
            (vrm, Sightings { first_seen: Some(moment(first)), last_seen: Some(moment(last)), ..s })
        })
        .collect();
    let mut rows = store::analysis::in_time_order(reads.conn, &reads.visibility, &filter, MAX_READS as i64 + 1).await?;
    let truncated = rows.len() > MAX_READS;
    rows.truncate(MAX_READS);
    for row in rows {
        if let Some(s) = row.vrm.clone().and_then(|v| all.get_mut(&v)) {
            s.reads.push(located(row));
        }
    }
    Ok((all, truncated))
}

pub(super) async fn journey(reads: &mut Reads<'_, '_>, vrm: &str) -> Result<Outcome> {
    let (mut all, truncated) = sightings(reads, VrmFilter::Exact(vrm)).await?;
    let journey = all.remove(vrm).unwrap_or_else(|| empty(vrm));
    let found = json!({ "total": journey.total, "cameras": journey.cameras.len() });
    Ok(Outcome { findings: Findings::Journey(journey), truncated, found })
}

pub(super) async fn list(reads: &mut Reads<'_, '_>, vrms: &[String]) -> Result<Outcome> {
    let json = serde_json::to_string(vrms).map_err(|e| Error::Invalid(e.to_string()))?;
    let (mut all, truncated) = sightings(reads, VrmFilter::OneOf(&json)).await?;
    let (mut hits, mut not_seen) = (Vec::new(), Vec::new());
    for vrm in vrms {
        match all.remove(vrm) {
            Some(s) => hits.push(s),
            None => not_seen.push(vrm.clone()),
        }
    }
    let found = json!({ "listed": vrms.len(), "hits": hits.len(), "total": hits.iter().map(|s| s.total).sum::<u64>() });
    Ok(Outcome { findings: Findings::List(ListSearch { hits, not_seen }), truncated, found })
}
