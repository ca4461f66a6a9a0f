//! The demo force's ground: six fictional towns in a plausible corner of the English
//! Midlands, and the camera register that watches them.
//!
//! The register does not depend on the seed: a fixed layout seed places the cameras, so every
//! demo bundle (whatever its reads) describes the same force and camera ids stay stable for
//! documentation, tests and demonstrations.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Seed of the camera layout; deliberately independent of the demo seed (see module docs).
const LAYOUT_SEED: u64 = 0x00A2_B0DE_0F0C_E5E1;

/// Kilometres per degree of latitude (WGS84, mid-latitudes; plenty for travel times).
const KM_PER_DEG_LAT: f64 = 111.2;

/// A fictional town. The postcode area starts with Q, a letter no real UK postcode area
/// starts with, so demo postcodes can never be mistaken for a real place.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Town {
    pub name: &'static str,
    pub code: &'static str,
    pub lat: f64,
    pub lon: f64,
    pub postcode_area: &'static str,
    /// Relative number of vehicles living there.
    pub population: f64,
}

pub(crate) const TOWNS: [Town; 6] = [
    Town { name: "Kestlebridge", code: "KES", lat: 52.421, lon: -0.982, postcode_area: "QK", population: 3.0 },
    Town { name: "Hollowmere", code: "HOL", lat: 52.297, lon: -1.218, postcode_area: "QH", population: 2.0 },
    Town { name: "Wrenford Magna", code: "WRE", lat: 52.553, lon: -0.724, postcode_area: "QW", population: 1.5 },
    Town { name: "Tamblewick", code: "TAM", lat: 52.183, lon: -0.853, postcode_area: "QT", population: 1.2 },
    Town { name: "Orlingham", code: "ORL", lat: 52.362, lon: -0.581, postcode_area: "QR", population: 1.8 },
    Town { name: "Fenmarch", code: "FEN", lat: 52.604, lon: -1.147, postcode_area: "QF", population: 1.0 },
];

pub use anpr_types::SystemType;

/// The demo force: controller of its own cameras, and the organisation of the demo accounts.
pub const FORCE: &str = "Northshire Constabulary";
const HIGHWAYS: &str = "Demo Highways Agency";
const COUNCIL: &str = "Demo County Council";

/// One row of the register as written by hand below; positions are added by `cameras()`.
#[derive(Debug, Clone, Copy)]
struct Site {
    town: usize,
    road: &'static str,
    kind: SystemType,
    controller: &'static str,
    restricted: bool,
    has_imagery: bool,
    /// For a site on the road between two towns: the other town and how far along (0..1).
    corridor: Option<(usize, f64)>,
}

const fn site(town: usize, road: &'static str, kind: SystemType) -> Site {
    // CCTV in ANPR mode belongs to the council's town-centre scheme; everything else in a
    // town is the force's own unless a row says otherwise.
    let controller = match kind {
        SystemType::Cctv => COUNCIL,
        _ => FORCE,
    };
    Site { town, road, kind, controller, restricted: false, has_imagery: true, corridor: None }
}

const fn between(from: usize, to: usize, along: f64, road: &'static str, kind: SystemType) -> Site {
    Site {
        town: from,
        road,
        kind,
        controller: HIGHWAYS,
        restricted: false,
        has_imagery: true,
        corridor: Some((to, along)),
    }
}

impl Site {
    const fn by(mut self, controller: &'static str) -> Site {
        self.controller = controller;
        self
    }

    const fn restricted(mut self) -> Site {
        self.restricted = true;
        self
    }

    const fn without_imagery(mut self) -> Site {
        self.has_imagery = false;
        self
    }
}

use SystemType::{Cctv, Covert, Mobile, Moveable, MultiLane, Static};

/// The register: 42 town sites and 8 sites on the roads between towns.
const SITES: [Site; 50] = [
    // Kestlebridge (0)
    site(0, "High Street", Static),
    site(0, "Station Road", Static),
    site(0, "Kestlebridge Ring Road", MultiLane).by(HIGHWAYS),
    site(0, "Bridge Street", Cctv),
    site(0, "Wrenford Road", Static),
    site(0, "Mill Lane", Moveable),
    site(0, "Mobile patrol", Mobile),
    // Hollowmere (1)
    site(1, "Market Place", Cctv).without_imagery(),
    site(1, "London Road", Static),
    site(1, "Church Street", Static),
    site(1, "Mere Road", Static),
    site(1, "Orchard Way", Moveable),
    site(1, "Mobile patrol", Mobile),
    site(1, "Hollowmere Bypass", Static).by(HIGHWAYS),
    // Wrenford Magna (2)
    site(2, "Priory Road", Static),
    site(2, "North Street", Static),
    site(2, "Wrenford Bypass", Static).by(HIGHWAYS),
    site(2, "Kestlebridge Road", Static),
    site(2, "Long Lane", Static),
    site(2, "Market Square", Cctv),
    site(2, "Chapel Hill", Static),
    // Tamblewick (3)
    site(3, "Tamble Road", Static),
    site(3, "Station Approach", Static),
    site(3, "Canal Street", Covert).restricted(),
    site(3, "Victoria Road", Static),
    site(3, "Park Lane", Static),
    site(3, "High Street", Cctv),
    site(3, "Tamblewick Bypass", Static).by(HIGHWAYS),
    // Orlingham (4)
    site(4, "Broad Street", Static),
    site(4, "Quarry Lane", Covert).restricted(),
    site(4, "West Street", Static),
    site(4, "Fen Road", Static),
    site(4, "Station Road", Static),
    site(4, "Mill Road", Moveable),
    site(4, "Orlingham Bypass", Static).by(HIGHWAYS),
    // Fenmarch (5)
    site(5, "High Street", Static),
    site(5, "Dyke Road", Static).restricted(),
    site(5, "Marsh Lane", Static),
    site(5, "Ferry Road", Static),
    site(5, "Castle Street", Cctv),
    site(5, "New Road", Static),
    site(5, "Sluice Road", Static),
    // Between towns
    between(0, 1, 0.45, "Hollowmere Road", Static),
    between(0, 2, 0.5, "Wrenford Road", Static),
    between(0, 4, 0.4, "Orlingham Road", Moveable).by(FORCE),
    between(1, 3, 0.55, "Tamblewick Road", Static),
    between(1, 5, 0.5, "Fenmarch Road", Static),
    between(3, 4, 0.45, "Orlingham Road", Static),
    between(2, 5, 0.5, "Fenmarch Road", Static),
    between(0, 3, 0.5, "Tamblewick Road", Static),
];

/// A camera of the register, with everything the bundle and the traffic model need.
#[derive(Debug, Clone)]
pub(crate) struct Camera {
    pub id: String,
    pub name: String,
    pub system_type: SystemType,
    pub lat: f64,
    pub lon: f64,
    /// Index into `TOWNS`: the general area.
    pub town: usize,
    /// For a site between towns, the other town it links to.
    pub corridor_to: Option<usize>,
    pub postcode: String,
    pub road: String,
    pub controller: &'static str,
    pub restricted: bool,
    pub lanes: u8,
    pub has_imagery: bool,
    /// This camera's back office reports the VRM with its space ("AB12 CDE").
    pub spaced_vrm: bool,
    /// Unit vector (east, north) the camera looks along; a vehicle moving against it is
    /// travelling towards the camera.
    pub facing: (f64, f64),
}

impl Camera {
    pub fn is_mobile(&self) -> bool {
        self.system_type == SystemType::Mobile
    }

    /// Where the camera is at `time_ms`: fixed sites stay put; a mobile camera's vehicle makes
    /// a slow loop around its base, so its reads carry a moving location (bundle format:
    /// mobile cameras give their own lat/lon).
    pub fn position_at(&self, time_ms: i64) -> (f64, f64) {
        if !self.is_mobile() {
            return (self.lat, self.lon);
        }
        let minutes = time_ms as f64 / 60_000.0;
        // Two incommensurate periods make a Lissajous loop that does not repeat daily.
        let phase = (self.lat + self.lon) * 1000.0;
        let a = std::f64::consts::TAU * minutes / 47.0 + phase;
        let b = std::f64::consts::TAU * minutes / 71.0 + phase * 0.5;
        let lat = self.lat + 0.012 * a.sin();
        let lon = self.lon + 0.018 * b.cos();
        (lat, lon)
    }
}

/// The camera register, in a fixed order (the order of `cameras.csv`).
pub(crate) fn cameras() -> Vec<Camera> {
    let mut rng = ChaCha8Rng::seed_from_u64(LAYOUT_SEED);
    let mut per_town = [0usize; TOWNS.len()];
    let mut corridor_count = 0usize;
    SITES
        .iter()
        .map(|site| {
            let id = match site.corridor {
                Some(_) => {
                    corridor_count += 1;
                    format!("DEMO-RD-{corridor_count:02}")
                }
                None => {
                    per_town[site.town] += 1;
                    format!("DEMO-{}-{:02}", TOWNS[site.town].code, per_town[site.town])
                }
            };
            place(site, id, &mut rng)
        })
        .collect()
}

fn place(site: &Site, id: String, rng: &mut ChaCha8Rng) -> Camera {
    let town = &TOWNS[site.town];
    let (lat, lon) = match (site.corridor, site.kind) {
        (Some((to, along)), _) => {
            let other = &TOWNS[to];
            // A little off the straight line: roads are not straight.
            let wobble = rng.random_range(-0.01..0.01);
            (town.lat + (other.lat - town.lat) * along + wobble, town.lon + (other.lon - town.lon) * along - wobble)
        }
        // A mobile unit's registered position is its base at the town's police station.
        (None, SystemType::Mobile) => (town.lat + 0.002, town.lon - 0.003),
        (None, _) => offset(town.lat, town.lon, rng.random_range(0.3..2.6), rng.random_range(0.0..360.0)),
    };
    let name = match (site.corridor, site.kind) {
        (Some(_), _) => format!("{} ({} side)", site.road, town.name),
        (None, SystemType::Mobile) => format!("{} mobile unit", town.name),
        // "Kestlebridge Ring Road", not "Kestlebridge Kestlebridge Ring Road".
        (None, _) if site.road.starts_with(town.name) => site.road.to_string(),
        (None, _) => format!("{} {}", town.name, site.road),
    };
    let postcode = match site.kind {
        // A mobile unit has no fixed address.
        SystemType::Mobile => String::new(),
        _ => postcode(town.postcode_area, rng),
    };
    let heading: f64 = rng.random_range(0.0..std::f64::consts::TAU);
    Camera {
        id,
        name,
        system_type: site.kind,
        lat,
        lon,
        town: site.town,
        corridor_to: site.corridor.map(|(to, _)| to),
        postcode,
        road: site.road.to_string(),
        controller: site.controller,
        restricted: site.restricted,
        lanes: if site.kind == SystemType::MultiLane { 3 } else { 1 },
        has_imagery: site.has_imagery,
        // The council's CCTV back office and the Highways Agency's inter-town cameras keep
        // the space; the force's own systems report VRMs without it.
        spaced_vrm: site.controller == COUNCIL || (site.controller == HIGHWAYS && site.corridor.is_some()),
        facing: (heading.sin(), heading.cos()),
    }
}

/// A fictional postcode such as "QK3 7HN" (outward code in the town's Q area).
fn postcode(area: &str, rng: &mut ChaCha8Rng) -> String {
    // Inward-code letters never include C I K M O V.
    const INWARD: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
    let district = rng.random_range(1..=9);
    let sector = rng.random_range(0..=9);
    let a = char::from(INWARD[rng.random_range(0..INWARD.len())]);
    let b = char::from(INWARD[rng.random_range(0..INWARD.len())]);
    format!("{area}{district} {sector}{a}{b}")
}

/// The point `km` away from (lat, lon) on bearing `degrees`.
fn offset(lat: f64, lon: f64, km: f64, degrees: f64) -> (f64, f64) {
    let bearing = degrees.to_radians();
    let north = km * bearing.cos();
    let east = km * bearing.sin();
    (lat + north / KM_PER_DEG_LAT, lon + east / km_per_deg_lon(lat))
}

fn km_per_deg_lon(lat: f64) -> f64 {
    KM_PER_DEG_LAT * lat.to_radians().cos()
}

/// Displacement (east, north) in km from a to b; an equirectangular approximation, accurate
/// to well under 1% over the 60 km of the demo force.
pub(crate) fn displacement_km(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    let mid_lat = (a.0 + b.0) / 2.0;
    ((b.1 - a.1) * km_per_deg_lon(mid_lat), (b.0 - a.0) * KM_PER_DEG_LAT)
}

pub(crate) fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (east, north) = displacement_km(a, b);
    east.hypot(north)
}

pub(crate) fn town_position(town: usize) -> (f64, f64) {
    (TOWNS[town].lat, TOWNS[town].lon)
}
