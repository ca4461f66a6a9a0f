//! Cloned plate: one VRM read at two places too far apart for the time between them.
//!
//! Among the reads the filter allows (of the VRM or pattern, if given), each VRM's reads are
//! taken in time order (then store id); each consecutive pair is flagged when the great-circle
//! distance between the reads' positions (haversine, mean Earth radius) is at least
//! [`MIN_DISTANCE_KM`] and the implied speed exceeds `max_speed_kmh`; two reads at the same
//! instant count as an infinite speed. Pairs are listed by VRM, then time, at most
//! [`MAX_FINDINGS`].

use super::{MAX_FINDINGS, Outcome, Reads, located};
use crate::error::{Error, Result};
use crate::search::pattern::VrmPattern;
use crate::store::{self, analysis::Hop, reads::SearchFilter, reads::VrmFilter};
use anpr_types::{ClonedPair, Findings};
use serde_json::json;
use std::ops::RangeInclusive;

/// The speeds a user may set as the threshold, in km/h.
pub const MAX_SPEED_KMH: RangeInclusive<f64> = 1.0..=1_000.0;
/// Reads closer than this are never flagged: neighbouring cameras' positions and clocks are
/// not precise enough to time a short hop.
pub const MIN_DISTANCE_KM: f64 = 1.0;
const EARTH_RADIUS_KM: f64 = 6_371.008_8;
const MS_PER_HOUR: f64 = 3_600_000.0;

/// Great-circle distance between two (latitude, longitude) positions in degrees.
pub fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lat2) = (a.0.to_radians(), b.0.to_radians());
    let (dlat, dlon) = (lat2 - lat1, (b.1 - a.1).to_radians());
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

pub(super) struct Cloned {
    pub pattern: Option<VrmPattern>,
    max_speed_kmh: f64,
}

impl Cloned {
    pub fn new(vrm: Option<&str>, max_speed_kmh: f64) -> Result<Self> {
        if !MAX_SPEED_KMH.contains(&max_speed_kmh) {
            return Err(Error::Invalid(format!(
                "a cloned-plate speed threshold is {} to {} km/h ({max_speed_kmh} given)",
                MAX_SPEED_KMH.start(),
                MAX_SPEED_KMH.end()
            )));
        }
        let pattern =
            vrm.filter(|v| !v.trim().is_empty()).map(VrmPattern::parse).transpose().map_err(Error::Invalid)?;
        Ok(Cloned { pattern, max_speed_kmh })
    }

    /// The pair's distance, minutes apart and speed (`None`: infinite), when it is flagged.
    fn judge(&self, hop: &Hop) -> Option<(f64, f64, Option<f64>)> {
        let km = haversine_km((hop.earlier_latitude, hop.earlier_longitude), (hop.later_latitude, hop.later_longitude));
        let ms = (hop.later_time - hop.earlier_time) as f64;
        let speed = (ms > 0.0).then(|| km / (ms / MS_PER_HOUR));
        (km >= MIN_DISTANCE_KM && speed.is_none_or(|s| s > self.max_speed_kmh)).then_some((km, ms / 60_000.0, speed))
    }

    pub async fn run(&self, reads: &mut Reads<'_, '_>) -> Result<Outcome> {
        let vrm = self.pattern.as_ref().map(|p| match p {
            VrmPattern::Exact(v) => VrmFilter::Exact(v),
            VrmPattern::Glob(g) => VrmFilter::Glob(g),
        });
        let filter = SearchFilter { vrm, ..reads.filter.clone() };
        // The distance is at most the Earth's radius times the summed latitude and longitude
        // differences (along a meridian, then a parallel), so this bound in degrees, a hair
        // under the true one, leaves out only hops that cannot be flagged.
        let km_per_degree = EARTH_RADIUS_KM.to_radians() * (1.0 + 1e-9);
        let min_degrees = MIN_DISTANCE_KM / km_per_degree;
        let degrees_per_ms = self.max_speed_kmh / MS_PER_HOUR / km_per_degree;
        let hops = store::analysis::hops(reads.conn, &reads.visibility, &filter, min_degrees, degrees_per_ms).await?;
        let mut flagged: Vec<_> = hops.iter().filter_map(|h| Some((h, self.judge(h)?))).collect();
        flagged.sort_by(|(a, _), (b, _)| (&a.vrm, a.earlier_time, a.earlier).cmp(&(&b.vrm, b.earlier_time, b.earlier)));
        let truncated = flagged.len() > MAX_FINDINGS;
        flagged.truncate(MAX_FINDINGS);
        let ids: Vec<i64> = flagged.iter().flat_map(|(h, _)| [h.earlier, h.later]).collect();
        let views = reads.by_ids(&ids).await?;
        let pairs: Vec<ClonedPair> = flagged
            .into_iter()
            .filter_map(|(h, (distance_km, minutes_apart, speed_kmh))| {
                Some(ClonedPair {
                    vrm: h.vrm.clone(),
                    earlier: located(views.get(&h.earlier)?.clone()),
                    later: located(views.get(&h.later)?.clone()),
                    distance_km,
                    minutes_apart,
                    speed_kmh,
                })
            })
            .collect();
        let found = json!({ "pairs": pairs.len(), "max_speed_kmh": self.max_speed_kmh });
        Ok(Outcome { findings: Findings::Cloned(anpr_types::Cloned { pairs }), truncated, found })
    }
}
