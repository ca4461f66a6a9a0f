//! Stakeout (common vehicles): the VRMs seen at several of N places and times.
//!
//! A place is a set of cameras or a general area (or both: those cameras in that area) with its
//! own window, which is clipped to the grant's period; a place wholly outside it has no reads.
//! A vehicle is *seen at* a place when a read of its VRM there, in the place's window, is
//! allowed by the filter; each place counts once per vehicle however many reads it has there.
//! Vehicles seen at at least `min_places` places are listed, most places first (then by VRM),
//! at most [`MAX_FINDINGS`], each with its reads at those places (by place, then time; a read
//! in two overlapping places is listed under each). The places name the cameras and areas, so
//! the scope itself names none.

use super::{MAX_FINDINGS, MAX_PLACES, Outcome, Reads, located, moment};
use crate::error::{Error, Result};
use crate::investigations::parse_time;
use crate::store::{self, reads::SearchFilter};
use anpr_types::{Findings, Place, PlaceSearched, PlaceSighting, SearchRequest, StakeoutVehicle};
use serde_json::json;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

/// A place with its cameras trimmed and its window in ms.
struct Checked {
    cameras: Vec<String>,
    area: Option<String>,
    from: i64,
    to: i64,
}

pub(super) struct Stakeout {
    places: Vec<Checked>,
    min_places: usize,
}

impl Stakeout {
    pub fn new(scope: &SearchRequest, places: &[Place], min_places: u32) -> Result<Self> {
        if !crate::search::cameras_of(scope).is_empty() || scope.area.as_deref().is_some_and(|a| !a.trim().is_empty()) {
            return Err(Error::Invalid(
                "a stakeout's places name its cameras and areas: leave the search's cameras and area empty".into(),
            ));
        }
        if !(2..=MAX_PLACES).contains(&places.len()) {
            return Err(Error::Invalid(format!("a stakeout names 2 to {MAX_PLACES} places ({} given)", places.len())));
        }
        let min_places = min_places as usize;
        if !(2..=places.len()).contains(&min_places) {
            return Err(Error::Invalid(format!(
                "a stakeout looks for vehicles at 2 to {} of its places ({min_places} given)",
                places.len()
            )));
        }
        let mut checked = Vec::new();
        for (i, place) in places.iter().enumerate() {
            let cameras: Vec<String> =
                place.cameras.iter().map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect();
            let area = place.area.as_deref().map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned);
            if cameras.is_empty() && area.is_none() {
                return Err(Error::Invalid(format!("stakeout place {}: name cameras or an area", i + 1)));
            }
            let (from, to) = (parse_time(&place.from)?, parse_time(&place.to)?);
            if from > to {
                return Err(Error::Invalid(format!("stakeout place {}: the window ends before it starts", i + 1)));
            }
            checked.push(Checked { cameras, area, from: store::to_ms(from), to: store::to_ms(to) });
        }
        Ok(Stakeout { places: checked, min_places })
    }

    pub async fn run(&self, reads: &mut Reads<'_, '_>) -> Result<Outcome> {
        // Per VRM, per place: the reads seen there.
        let mut seen: BTreeMap<String, BTreeMap<usize, Vec<i64>>> = BTreeMap::new();
        let mut searched = Vec::new();
        for (i, place) in self.places.iter().enumerate() {
            let (from, to) = (place.from.max(reads.filter.from), place.to.min(reads.filter.to));
            let mut vehicles = BTreeSet::new();
            if from <= to {
                let filter = SearchFilter {
                    from,
                    to,
                    cameras: &place.cameras,
                    area: place.area.as_deref(),
                    ..reads.filter.clone()
                };
                for (id, vrm) in store::analysis::vrms(reads.conn, &reads.visibility, &filter).await? {
                    seen.entry(vrm.clone()).or_default().entry(i).or_default().push(id);
                    vehicles.insert(vrm);
                }
            }
            let window = (from <= to).then(|| (moment(from), moment(to)));
            searched.push(PlaceSearched {
                cameras: place.cameras.clone(),
                area: place.area.clone(),
                from: window.as_ref().map(|w| w.0.clone()),
                to: window.map(|w| w.1),
                vehicles: vehicles.len() as u64,
            });
        }
        let mut kept: Vec<_> = seen.into_iter().filter(|(_, at)| at.len() >= self.min_places).collect();
        kept.sort_by_key(|(vrm, at)| (Reverse(at.len()), vrm.clone()));
        let truncated = kept.len() > MAX_FINDINGS;
        kept.truncate(MAX_FINDINGS);
        let ids: Vec<i64> = kept.iter().flat_map(|(_, at)| at.values().flatten().copied()).collect();
        let views = reads.by_ids(&ids).await?;
        let vehicles: Vec<StakeoutVehicle> = kept
            .into_iter()
            .map(|(vrm, at)| {
                let places = at.keys().copied().collect();
                let sightings = at
                    .into_iter()
                    .flat_map(|(place, ids)| {
                        let mut found: Vec<_> = ids.iter().filter_map(|id| views.get(id)).collect();
                        found.sort_by_key(|v| (v.read_time, v.id));
                        found.into_iter().map(move |v| PlaceSighting { place, read: located(v.clone()) })
                    })
                    .collect();
                StakeoutVehicle { vrm, places, sightings }
            })
            .collect();
        let found = json!({ "vehicles": vehicles.len() });
        let stakeout = anpr_types::Stakeout { places: searched, vehicles };
        Ok(Outcome { findings: Findings::Stakeout(stakeout), truncated, found })
    }
}
