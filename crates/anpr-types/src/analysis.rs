//! Investigative analyses (docs/analysis.md): journey, convoy, stakeout, cloned plate and list
//! search. Each runs as a search under Annex C on its scope (investigation, purpose,
//! justification, period, cameras, area, authority) and is audited as one.

use crate::{GrantInfo, ReadSummary, SearchRequest};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisRequest {
    /// The search the analysis runs as; its `vrm`, `offset`, `limit` and fuzzy flags are unused.
    pub scope: SearchRequest,
    pub analysis: Analysis,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Analysis {
    /// Every read of a VRM over the period, in time order.
    Journey { vrm: String },
    /// Vehicles seen at the target's camera within +/- `window_minutes` of at least
    /// `min_together` of its reads.
    Convoy { vrm: String, window_minutes: u32, min_together: u32 },
    /// Vehicles seen at at least `min_places` of the places (each cameras or an area, with its window).
    Stakeout { places: Vec<Place>, min_places: u32 },
    /// Consecutive reads of one VRM (optionally a pattern) too far apart for the time between them.
    Cloned { vrm: Option<String>, max_speed_kmh: f64 },
    /// The reads of each listed VRM.
    List { vrms: Vec<String> },
}

impl Analysis {
    /// As the CLI and the audit trail name it.
    pub fn kind(&self) -> &'static str {
        match self {
            Analysis::Journey { .. } => "journey",
            Analysis::Convoy { .. } => "convoy",
            Analysis::Stakeout { .. } => "stakeout",
            Analysis::Cloned { .. } => "cloned",
            Analysis::List { .. } => "list",
        }
    }
}

/// A place and time of a stakeout: cameras, or a general area (or both: those cameras in it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Place {
    pub cameras: Vec<String>,
    pub area: Option<String>,
    /// As `SearchRequest::from`.
    pub from: String,
    pub to: String,
}

/// A read with its position, for a map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocatedRead {
    #[serde(flatten)]
    pub read: ReadSummary,
    pub latitude: f64,
    pub longitude: f64,
}

/// A time in RFC 3339 UTC and in UK local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moment {
    pub time: String,
    pub time_uk: String,
}

/// How often, and when first and last, a VRM was read at one camera.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CameraSightings {
    pub camera_id: String,
    pub camera_name: String,
    pub general_area: String,
    pub reads: u64,
    pub first_seen: Moment,
    pub last_seen: Moment,
}

/// The reads of one VRM: a journey, or one listed VRM's hits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sightings {
    /// Normalised.
    pub vrm: String,
    /// All its reads in scope, even when `reads` is truncated.
    pub total: u64,
    pub first_seen: Option<Moment>,
    pub last_seen: Option<Moment>,
    /// The cameras that read it, in the order it was first seen at them.
    pub cameras: Vec<CameraSightings>,
    /// In time order.
    pub reads: Vec<LocatedRead>,
}

/// A target read and a companion read near it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedSighting {
    pub target: LocatedRead,
    pub companion: LocatedRead,
    /// Companion's time minus the target's: negative when the companion came first.
    pub seconds_apart: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Companion {
    pub vrm: String,
    /// How many of the target's reads it accompanied.
    pub times_together: u64,
    /// Every pair, in the target's time order.
    pub shared: Vec<SharedSighting>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Convoy {
    pub vrm: String,
    pub target_reads: u64,
    /// Most times together first, then by VRM.
    pub companions: Vec<Companion>,
}

/// A stakeout place as it was searched: its window clipped to the grant's period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceSearched {
    pub cameras: Vec<String>,
    pub area: Option<String>,
    /// `None` when the window lies wholly outside the grant.
    pub from: Option<Moment>,
    pub to: Option<Moment>,
    /// Distinct VRMs read there.
    pub vehicles: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceSighting {
    /// Index into the request's places, from 0.
    pub place: usize,
    pub read: LocatedRead,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StakeoutVehicle {
    pub vrm: String,
    /// Indexes into the request's places, ascending.
    pub places: Vec<usize>,
    /// By place, then time.
    pub sightings: Vec<PlaceSighting>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stakeout {
    pub places: Vec<PlaceSearched>,
    /// Most places first, then by VRM.
    pub vehicles: Vec<StakeoutVehicle>,
}

/// Two consecutive reads of a VRM implying an impossible journey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClonedPair {
    pub vrm: String,
    pub earlier: LocatedRead,
    pub later: LocatedRead,
    /// Great-circle distance between the reads' positions.
    pub distance_km: f64,
    pub minutes_apart: f64,
    /// `None` when the reads were at the same instant (an infinite speed).
    pub speed_kmh: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cloned {
    /// By VRM, then time.
    pub pairs: Vec<ClonedPair>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListSearch {
    /// The listed VRMs that were read, in the list's order (normalised, duplicates dropped).
    pub hits: Vec<Sightings>,
    /// The listed VRMs with no read in scope.
    pub not_seen: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Findings {
    Journey(Sightings),
    Convoy(Convoy),
    Stakeout(Stakeout),
    Cloned(Cloned),
    List(ListSearch),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisResult {
    pub findings: Findings,
    /// The result cap was reached: some reads, companions, vehicles or pairs are not listed.
    pub truncated: bool,
    pub grant: GrantInfo,
}
