//! The traffic model: who drives where and when, and what the cameras make of it.
//!
//! A pool of vehicles lives in the towns; each trip passes several cameras in road order with
//! times that follow from distance and a speed of 30-70 km/h, so the same vehicles turn up
//! again and again along believable journeys. On top of that ordinary traffic the model plants
//! what analysts look for: a pair of vehicles travelling in convoy, a cloned plate seen in two
//! distant towns minutes apart, misreads and not-reads.
//!
//! Everything is drawn from one `ChaCha8Rng` in a fixed order, so a seed gives the same reads.

use std::collections::BTreeMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::geography::{Camera, TOWNS, displacement_km, distance_km, town_position};
use super::plates;

const MS_PER_MINUTE: i64 = 60_000;
const MS_PER_HOUR: i64 = 60 * MS_PER_MINUTE;
const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;

/// How far back the reads go: beyond 12 months, so Annex C ages and retention can be shown.
pub(crate) const SPAN_DAYS: i64 = 400;

/// Roads wind: the distance driven is longer than the straight line between cameras.
const ROAD_FACTOR: f64 = 1.3;

/// Least time between two trips of one vehicle: enough to drive across the force area at a
/// believable speed, so consecutive sightings never imply an impossible journey.
const BETWEEN_TRIPS_MS: i64 = 90 * MS_PER_MINUTE;
/// Start times tried before a trip goes ahead regardless (see `Model::schedule`).
const SCHEDULE_ATTEMPTS: usize = 8;

/// Share of captures the reader gets wrong or cannot read at all.
const MISREAD_RATE: f64 = 0.01;
const NOT_READ_RATE: f64 = 0.01;
/// Share of captures that also keep an overview image.
const OVERVIEW_RATE: f64 = 0.1;

/// Relative traffic per hour of the day (UTC): quiet nights, morning and evening peaks.
const HOURLY_TRAFFIC: [f64; 24] = [
    1.0, 0.6, 0.4, 0.4, 0.6, 1.5, 4.0, 8.0, 9.0, 6.0, 5.0, 5.0, 5.5, 5.5, 5.5, 6.0, 8.0, 9.0, 7.0, 5.0, 4.0, 3.0, 2.2,
    1.5,
];

/// Body colours, common ones first, with how often they occur.
const COLOURS: [([u8; 3], f64); 9] = [
    ([170, 172, 176], 5.0), // silver
    ([28, 28, 30], 4.0),    // black
    ([236, 236, 232], 4.0), // white
    ([80, 84, 90], 4.0),    // grey
    ([30, 60, 140], 3.0),   // blue
    ([160, 24, 28], 2.0),   // red
    ([30, 90, 50], 0.8),    // green
    ([200, 120, 30], 0.4),  // orange
    ([120, 20, 60], 0.4),   // maroon
];

#[derive(Debug, Clone)]
pub(crate) struct Vehicle {
    /// Display form of the plate it carries, e.g. "AB12 CDE".
    pub vrm: String,
    pub home: usize,
    /// Town the vehicle commutes to, if any.
    pub work: Option<usize>,
    pub colour: [u8; 3],
}

/// What the reader made of a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Capture {
    Read,
    /// Misread as this display-form text (same spacing as the plate).
    Misread(String),
    NotRead,
}

#[derive(Debug, Clone)]
pub(crate) struct Read {
    pub time_ms: i64,
    pub camera: usize,
    pub vehicle: usize,
    pub capture: Capture,
    pub lane: u8,
    pub towards: bool,
    pub confidence: u8,
    pub overview: bool,
    /// The read's own location (mobile cameras only).
    pub position: Option<(f64, f64)>,
}

#[derive(Debug)]
pub(crate) struct Traffic {
    pub vehicles: Vec<Vehicle>,
    /// In time order.
    pub reads: Vec<Read>,
    pub convoy: (usize, usize),
    /// The genuine vehicle and its clone (same plate).
    pub clone: (usize, usize),
}

/// A cumulative table for drawing an index with given weights (infallible, unlike
/// `WeightedIndex::new`, for the fixed non-empty tables used here).
#[derive(Debug)]
struct Weighted(Vec<f64>);

impl Weighted {
    fn new(weights: impl IntoIterator<Item = f64>) -> Self {
        let mut total = 0.0;
        Weighted(
            weights
                .into_iter()
                .map(|w| {
                    total += w.max(0.0);
                    total
                })
                .collect(),
        )
    }

    fn sample(&self, rng: &mut ChaCha8Rng) -> usize {
        let total = self.0.last().copied().unwrap_or(0.0);
        let x = rng.random_range(0.0..1.0) * total;
        self.0.partition_point(|&c| c <= x).min(self.0.len().saturating_sub(1))
    }
}

/// One camera pass of a planned trip: which camera, when, and the direction of travel.
#[derive(Debug, Clone, Copy)]
struct Pass {
    camera: usize,
    time_ms: i64,
    heading: (f64, f64),
}

/// Simulates `count` reads ending before `anchor_ms` (ms since the Unix epoch).
pub(crate) fn simulate(cameras: &[Camera], seed: u64, count: usize, anchor_ms: i64) -> Traffic {
    let mut model = Model::new(cameras, seed, count, anchor_ms);
    model.plant_convoy();
    model.plant_clone();
    model.ordinary_traffic();
    let Model { vehicles, mut reads, convoy, clone, .. } = model;
    // Planted events come first so that truncating to `count` keeps them.
    reads.truncate(count);
    // Stable sort: equal times keep generation order, so the result is deterministic.
    reads.sort_by_key(|read| read.time_ms);
    Traffic { vehicles, reads, convoy, clone }
}

struct Model<'a> {
    rng: ChaCha8Rng,
    cameras: &'a [Camera],
    /// Town cameras (not those between towns) per town.
    by_town: Vec<Vec<usize>>,
    vehicles: Vec<Vehicle>,
    activity: Weighted,
    hours: Weighted,
    /// Per town of origin, how likely each other town is as a destination.
    destinations: Vec<Weighted>,
    reads: Vec<Read>,
    /// Per vehicle, its trips as first pass time -> last pass time (never overlapping).
    busy: Vec<BTreeMap<i64, i64>>,
    target: usize,
    convoy: (usize, usize),
    clone: (usize, usize),
    /// First midnight (UTC) of the span; trips start on days 1 to SPAN_DAYS-2 after it so that
    /// every read, even of a late return trip, falls inside the span and before the anchor.
    first_midnight_ms: i64,
    anchor_ms: i64,
}

impl<'a> Model<'a> {
    fn new(cameras: &'a [Camera], seed: u64, target: usize, anchor_ms: i64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let destinations = destinations();
        let mut vehicles = vehicle_pool(&mut rng, &destinations, pool_size(target));
        let (convoy, clone) = cast_roles(&mut vehicles);
        // A few vehicles are out all the time, most now and then.
        let activity = Weighted::new(vehicles.iter().map(|_| {
            let r: f64 = rng.random_range(0.0..1.0);
            0.2 + 3.0 * r * r
        }));
        let by_town = (0..TOWNS.len())
            .map(|town| {
                (0..cameras.len()).filter(|&c| cameras[c].town == town && cameras[c].corridor_to.is_none()).collect()
            })
            .collect();
        let span_start_ms = anchor_ms - SPAN_DAYS * MS_PER_DAY;
        Model {
            rng,
            cameras,
            by_town,
            busy: vec![BTreeMap::new(); vehicles.len()],
            vehicles,
            activity,
            hours: Weighted::new(HOURLY_TRAFFIC),
            destinations,
            reads: Vec::with_capacity(target + 64),
            target,
            convoy,
            clone,
            first_midnight_ms: span_start_ms.div_euclid(MS_PER_DAY) * MS_PER_DAY,
            anchor_ms,
        }
    }

    /// Two vehicles from the same town driving together, 1-3 minutes apart, on many trips.
    fn plant_convoy(&mut self) {
        let (leader, follower) = self.convoy;
        let occasions = (self.target / 800).clamp(3, 200);
        for _ in 0..occasions {
            let home = self.vehicles[leader].home;
            let away = match self.vehicles[leader].work {
                Some(work) => work,
                None => self.other_town(home),
            };
            let route = self.route(home, away);
            let passes = self.schedule(&[leader, follower], &route);
            let lag = self.rng.random_range(75_000..150_000);
            let following: Vec<Pass> = passes
                .iter()
                .map(|p| Pass { time_ms: p.time_ms + lag + self.rng.random_range(-10_000..10_000), ..*p })
                .collect();
            self.drive(leader, &passes, true);
            self.drive(follower, &following, true);
        }
    }

    /// The cloned plate: the genuine car seen in its town and, a few minutes later, the clone
    /// seen in the town farthest away, a few times.
    fn plant_clone(&mut self) {
        let (genuine, clone) = self.clone;
        let (near, far) = (self.vehicles[genuine].home, self.vehicles[clone].home);
        let events = (self.target / 5000).clamp(3, 20);
        for _ in 0..events {
            let (here, there) = (self.route(near, near), self.route(far, far));
            for attempt in 1..=SCHEDULE_ATTEMPTS {
                let start = self.trip_start();
                let later = start + self.rng.random_range(2 * MS_PER_MINUTE..9 * MS_PER_MINUTE);
                let (seen, seen_too) = (self.timetable(&here, start), self.timetable(&there, later));
                if attempt == SCHEDULE_ATTEMPTS || (self.is_free(genuine, &seen) && self.is_free(clone, &seen_too)) {
                    self.drive(genuine, &seen, true);
                    self.drive(clone, &seen_too, true);
                    break;
                }
            }
        }
    }

    /// Ordinary journeys until there are enough reads: local trips, commutes (often with the
    /// way home later the same day) and visits to other towns.
    fn ordinary_traffic(&mut self) {
        while self.reads.len() < self.target {
            let vehicle = self.activity.sample(&mut self.rng);
            let home = self.vehicles[vehicle].home;
            let roll: f64 = self.rng.random_range(0.0..1.0);
            let destination = match self.vehicles[vehicle].work {
                Some(work) if roll < 0.55 => work,
                _ if roll < 0.8 => home,
                _ => self.other_town(home),
            };
            let route = self.route(home, destination);
            let passes = self.schedule(&[vehicle], &route);
            self.drive(vehicle, &passes, false);
            if destination != home && self.rng.random_bool(0.6) {
                let back: Vec<usize> = route.iter().rev().copied().collect();
                let end = passes.last().map_or(0, |p| p.time_ms);
                let later = end + self.rng.random_range(2 * MS_PER_HOUR..10 * MS_PER_HOUR);
                let passes = self.timetable(&back, later);
                if self.is_free(vehicle, &passes) {
                    self.drive(vehicle, &passes, false);
                }
            }
        }
    }

    /// A timetable along `route` at a random time when all `vehicles` are free. Busy vehicles
    /// are rare, so after a few attempts the trip goes ahead anyway (which keeps the loop
    /// finite for absurd read counts).
    fn schedule(&mut self, vehicles: &[usize], route: &[usize]) -> Vec<Pass> {
        let mut passes = Vec::new();
        for _ in 0..SCHEDULE_ATTEMPTS {
            let start = self.trip_start();
            passes = self.timetable(route, start);
            if vehicles.iter().all(|&v| self.is_free(v, &passes)) {
                break;
            }
        }
        passes
    }

    /// Whether a trip with these passes leaves `vehicle` time to get to and from its other
    /// trips: a vehicle is never in two places at once (only the clone breaks that, on purpose).
    fn is_free(&self, vehicle: usize, passes: &[Pass]) -> bool {
        let (Some(first), Some(last)) = (passes.first(), passes.last()) else { return true };
        let busy = &self.busy[vehicle];
        match busy.range(..last.time_ms + BETWEEN_TRIPS_MS).next_back() {
            Some((_, &end)) => end + BETWEEN_TRIPS_MS <= first.time_ms,
            None => true,
        }
    }

    fn other_town(&mut self, town: usize) -> usize {
        self.destinations[town].sample(&mut self.rng)
    }

    /// A trip start: a day of the span and a time of day following the daily traffic curve.
    fn trip_start(&mut self) -> i64 {
        let day = self.rng.random_range(1..SPAN_DAYS - 1);
        let hour = self.hours.sample(&mut self.rng) as i64;
        let within = self.rng.random_range(0..MS_PER_HOUR);
        self.first_midnight_ms + day * MS_PER_DAY + hour * MS_PER_HOUR + within
    }

    /// The cameras a trip from `from` to `to` passes, in road order.
    fn route(&mut self, from: usize, to: usize) -> Vec<usize> {
        if from == to {
            let cameras = self.some_cameras(from, 2, 4);
            let bearing: f64 = self.rng.random_range(0.0..std::f64::consts::TAU);
            return self.in_order(cameras, (bearing.sin(), bearing.cos()));
        }
        let mut cameras = self.some_cameras(from, 1, 2);
        cameras.extend((0..self.cameras.len()).filter(|&c| {
            let camera = &self.cameras[c];
            camera
                .corridor_to
                .is_some_and(|other| (camera.town, other) == (from, to) || (camera.town, other) == (to, from))
        }));
        cameras.extend(self.some_cameras(to, 1, 2));
        let direction = displacement_km(town_position(from), town_position(to));
        self.in_order(cameras, direction)
    }

    fn some_cameras(&mut self, town: usize, least: usize, most: usize) -> Vec<usize> {
        let pool = &self.by_town[town];
        let count = self.rng.random_range(least..=most).min(pool.len());
        rand::seq::index::sample(&mut self.rng, pool.len(), count).into_iter().map(|i| pool[i]).collect()
    }

    /// Sorts cameras by how far along `direction` they lie: the order a vehicle heading that
    /// way meets them.
    fn in_order(&self, mut cameras: Vec<usize>, direction: (f64, f64)) -> Vec<usize> {
        let origin = town_position(0);
        let along = |c: &usize| {
            let (east, north) = displacement_km(origin, position(&self.cameras[*c]));
            east * direction.0 + north * direction.1
        };
        cameras.sort_by(|a, b| along(a).total_cmp(&along(b)));
        cameras
    }

    /// Times at each camera of a route for a vehicle starting at `start_ms`, at one speed
    /// (30-70 km/h, a little faster or slower per leg). A mobile camera is met where its
    /// patrol has taken it by then, so its reads' own locations fit the timings too.
    fn timetable(&mut self, route: &[usize], start_ms: i64) -> Vec<Pass> {
        let speed_kmh: f64 = self.rng.random_range(30.0..70.0);
        let mut passes: Vec<Pass> = Vec::with_capacity(route.len());
        let mut positions: Vec<(f64, f64)> = Vec::with_capacity(route.len());
        for &camera in route {
            let camera_at = |time_ms| self.cameras[camera].position_at(time_ms);
            let (time_ms, here) = match (passes.last(), positions.last()) {
                (Some(previous), Some(&there)) => {
                    let leg_speed = (speed_kmh * self.rng.random_range(0.9..1.1)).clamp(30.0, 70.0);
                    let drive = |to: (f64, f64)| {
                        let km = distance_km(there, to) * ROAD_FACTOR + 0.2;
                        previous.time_ms + (km / leg_speed * MS_PER_HOUR as f64) as i64
                    };
                    // A moving camera is met where it is on arrival: one refinement suffices,
                    // as a patrol moves far slower than the traffic it watches.
                    let estimate = drive(camera_at(previous.time_ms));
                    let time_ms = drive(camera_at(estimate));
                    (time_ms, camera_at(time_ms))
                }
                _ => (start_ms, camera_at(start_ms)),
            };
            passes.push(Pass { camera, time_ms, heading: (0.0, 1.0) });
            positions.push(here);
        }
        // Heading: towards the next camera, or from the previous one for the last.
        for i in 0..passes.len() {
            let (from, to) = match (i.checked_sub(1), i + 1 < positions.len()) {
                (_, true) => (positions[i], positions[i + 1]),
                (Some(before), false) => (positions[before], positions[i]),
                (None, false) => continue,
            };
            passes[i].heading = displacement_km(from, to);
        }
        passes
    }

    /// Records the captures of one trip. `planted` reads are always read correctly, so the
    /// planted patterns are exactly as documented.
    fn drive(&mut self, vehicle: usize, passes: &[Pass], planted: bool) {
        if let (Some(first), Some(last)) = (passes.first(), passes.last()) {
            self.busy[vehicle].insert(first.time_ms, last.time_ms);
        }
        for pass in passes {
            if pass.time_ms >= self.anchor_ms {
                continue;
            }
            let read = self.capture(vehicle, pass, planted);
            self.reads.push(read);
        }
    }

    fn capture(&mut self, vehicle: usize, pass: &Pass, planted: bool) -> Read {
        let camera = &self.cameras[pass.camera];
        let roll: f64 = self.rng.random_range(0.0..1.0);
        let capture = if planted {
            Capture::Read
        } else if roll < NOT_READ_RATE {
            Capture::NotRead
        } else if roll < NOT_READ_RATE + MISREAD_RATE {
            plates::misread(&self.vehicles[vehicle].vrm, &mut self.rng).map_or(Capture::Read, Capture::Misread)
        } else {
            Capture::Read
        };
        let confidence = match capture {
            Capture::Read => self.rng.random_range(82..=99),
            Capture::Misread(_) => self.rng.random_range(60..=84),
            Capture::NotRead => self.rng.random_range(60..=70),
        };
        let towards = if camera.is_mobile() {
            self.rng.random_bool(0.5)
        } else {
            camera.facing.0 * pass.heading.0 + camera.facing.1 * pass.heading.1 < 0.0
        };
        Read {
            time_ms: pass.time_ms,
            camera: pass.camera,
            vehicle,
            capture,
            lane: self.rng.random_range(1..=camera.lanes),
            towards,
            confidence,
            overview: self.rng.random_bool(OVERVIEW_RATE),
            position: camera.is_mobile().then(|| camera.position_at(pass.time_ms)),
        }
    }
}

fn position(camera: &Camera) -> (f64, f64) {
    (camera.lat, camera.lon)
}

/// About 25 reads per vehicle at any size (4 000 vehicles for the default 100 000 reads), as a
/// force's store holds: 10 million reads are hundreds of thousands of distinct VRMs, which is
/// what makes a search index earn its keep (cargo xtask bench search).
fn pool_size(reads: usize) -> usize {
    (reads / 25).max(60)
}

/// Per town, the other towns weighted by size and nearness (a gravity model): people drive
/// to big towns close by more than to small ones far away.
fn destinations() -> Vec<Weighted> {
    (0..TOWNS.len())
        .map(|from| {
            Weighted::new(TOWNS.iter().enumerate().map(|(to, town)| match to == from {
                true => 0.0,
                false => town.population / (distance_km(town_position(from), town_position(to)) + 10.0),
            }))
        })
        .collect()
}

fn vehicle_pool(rng: &mut ChaCha8Rng, destinations: &[Weighted], size: usize) -> Vec<Vehicle> {
    let towns = Weighted::new(TOWNS.iter().map(|t| t.population));
    let colours = Weighted::new(COLOURS.iter().map(|c| c.1));
    // Membership only (never iterated), so hashing order cannot reach the output.
    let mut issued = std::collections::HashSet::with_capacity(size);
    let mut vehicles = Vec::with_capacity(size + 1);
    while vehicles.len() < size {
        let vrm = plates::random_vrm(rng);
        if !issued.insert(vrm.clone()) {
            continue;
        }
        let home = towns.sample(rng);
        let work = rng.random_bool(0.45).then(|| destinations[home].sample(rng));
        vehicles.push(Vehicle { vrm, home, work, colour: COLOURS[colours.sample(rng)].0 });
    }
    vehicles
}

/// Gives the planted patterns their vehicles: the convoy pair (same home and work town) and
/// a cloned plate (a second vehicle with the genuine one's VRM, living in the town farthest
/// away, in another colour). Returns (convoy pair, (genuine, clone)).
fn cast_roles(vehicles: &mut Vec<Vehicle>) -> ((usize, usize), (usize, usize)) {
    let (leader, follower, genuine) = (0, 1, 2);
    vehicles[follower].home = vehicles[leader].home;
    vehicles[follower].work = vehicles[leader].work;
    let (near, far) = farthest_towns();
    vehicles[genuine].home = near;
    vehicles[genuine].work = None;
    let colour_at = COLOURS.iter().position(|c| c.0 == vehicles[genuine].colour).unwrap_or(0);
    let clone = Vehicle {
        vrm: vehicles[genuine].vrm.clone(),
        home: far,
        work: None,
        colour: COLOURS[(colour_at + 1) % COLOURS.len()].0,
    };
    vehicles.push(clone);
    ((leader, follower), (genuine, vehicles.len() - 1))
}

/// The two towns farthest apart (for the cloned plate).
pub(crate) fn farthest_towns() -> (usize, usize) {
    let mut best = (0, 1, 0.0);
    for a in 0..TOWNS.len() {
        for b in a + 1..TOWNS.len() {
            let km = distance_km(town_position(a), town_position(b));
            if km > best.2 {
                best = (a, b, km);
            }
        }
    }
    (best.0, best.1)
}
