//! The video evaluation kit (issue 7): what an installation engineer brings back from a
//! capture/read evaluation, made up from the seed: `video.mp4` (an H.264 recording of one
//! lane seen by a fixed camera, vehicles coming towards it, first in daylight then at night),
//! `reads.csv` (the camera's read log for the same period, bundle-format.md) and `truth.csv`
//! (the right answer, evaluation.md).
//!
//! The read log has what real ones have: missed vehicles, misreads with OCR look-alikes,
//! not-reads (empty VRM), duplicate reads of one vehicle, stray reads where no vehicle was, and
//! a camera clock a few seconds ahead of the video's. A few vehicles' plates cannot be seen
//! (a tailgater hidden behind the car in front, a plate behind a cycle rack): truth marks them
//! `visible=false`. The imperfections are sized so the camera passes the static standards
//! (98% capture, 95% read) once the clock offset is applied, and weighted towards the night.
//!
//! Truth times are on the video's clock (the MP4's creation time plus the frame time) at the
//! frame where the vehicle's front, just below its plate, is on the painted read line, so an
//! engineer stepping through the video finds exactly them.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Days, SecondsFormat, TimeDelta, Utc};
use image::imageops::{self, FilterType};
use image::{Rgb, RgbImage};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::geography::{self, SystemType};
use super::render::{Glyphs, PLATE_HEIGHT, PLATE_WIDTH};
use super::{DemoError, DemoProgress, bundle, plates};
use crate::video::{EncodeSettings, H264Writer};

/// Vehicles in the kit unless the caller says: enough for NASPLE 8.14's 250 visible ones.
pub const DEFAULT_EVAL_VEHICLES: usize = 270;
const WIDTH: u32 = 640;
const HEIGHT: u32 = 360;
const FPS: u32 = 10;
const FRAME_MS: i64 = 1000 / FPS as i64;
/// A keyframe every two seconds bounds a seek to 19 extra frames.
const KEYFRAME_INTERVAL: u32 = 20;
/// The painted read line, and the road's edges at the top and bottom of the picture.
const READ_Y: f32 = 250.0;
const ROAD_TOP: (f32, f32) = (250.0, 390.0);
const ROAD_BOTTOM: (f32, f32) = (80.0, 560.0);
/// The caption strip across the top (camera and video clock, as recorders burn in).
const CAPTION_HEIGHT: u32 = 20;
/// Plates are drawn at this fraction of the patch size at full scale (the picture's bottom).
const PLATE_SCALE: f32 = 0.62;
/// Fewer would not leave room for every kind of imperfection.
pub const MIN_VEHICLES: usize = 10;
/// Keeps the kit's random stream apart from the traffic model's for the same seed.
const KIT_SALT: u64 = 0x6b69_745f_7631;

/// What to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalKitOptions {
    pub seed: u64,
    /// Vehicles crossing, including the few whose plates cannot be seen (at least 10).
    pub vehicles: usize,
    /// The recording starts at 16:00 UTC the day before this instant.
    pub anchor: DateTime<Utc>,
}

impl EvalKitOptions {
    pub fn new(seed: u64, anchor: DateTime<Utc>) -> Self {
        EvalKitOptions { seed, vehicles: DEFAULT_EVAL_VEHICLES, anchor }
    }
}

/// What [`write_eval_kit`] made, and the parameters to score it with.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EvalKitSummary {
    pub folder: PathBuf,
    pub camera_id: String,
    pub system_type: &'static str,
    /// The video clock's start (the MP4's creation time).
    pub clock_start: DateTime<Utc>,
    /// The camera's clock runs this many seconds ahead of the video's (`eval score --offset-s`).
    pub camera_clock_offset_s: f64,
    pub vehicles: usize,
    pub visible: usize,
    pub day: usize,
    pub night: usize,
    pub reads: usize,
    pub missed: usize,
    pub misread: usize,
    pub not_read: usize,
    pub duplicates: usize,
    pub stray: usize,
    pub frames: usize,
    pub fps: u32,
    pub width: u32,
    pub height: u32,
    pub video_bytes: u64,
}

/// Why a vehicle's plate cannot be seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hidden {
    /// Right behind the vehicle in front, whose rear covers its plate.
    Tailgating,
    /// A cycle rack across the plate.
    CycleRack,
}

#[derive(Debug, Clone)]
struct Vehicle {
    /// Display form, "AB12 CDE".
    vrm: String,
    colour: [u8; 3],
    van: bool,
    /// Pixels per frame down the picture.
    speed: f32,
    /// The frame on which the vehicle's front (the plate's lower edge) is on the read line.
    cross: u32,
    /// Sideways offset in the lane at full scale, in pixels.
    shift: f32,
    night: bool,
    hidden: Option<Hidden>,
}

impl Vehicle {
    /// Length on screen at full scale.
    fn length(&self) -> f32 {
        if self.van { 185.0 } else { 150.0 }
    }

    /// Where the front is on frame `f` (may be off the picture).
    fn front(&self, f: i64) -> f32 {
        READ_Y + self.speed * (f - i64::from(self.cross)) as f32
    }

    fn top(&self, f: i64) -> f32 {
        let front = self.front(f);
        front - self.length() * scale(front)
    }

    fn on_screen(&self, f: i64) -> bool {
        self.front(f) > 0.0 && self.top(f) < HEIGHT as f32
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Read,
    Missed,
    Misread,
    NotRead,
}

#[derive(Debug, Clone)]
struct CameraRead {
    /// On the camera's clock, ms since the Unix epoch.
    time_ms: i64,
    /// As the camera reported it; empty for a not-read.
    vrm: String,
    confidence: u8,
}

#[derive(Debug)]
struct Plan {
    vehicles: Vec<Vehicle>,
    reads: Vec<CameraRead>,
    frames: u32,
    /// Frames over which daylight fades to night.
    dusk: (u32, u32),
    offset_ms: i64,
    missed: usize,
    misread: usize,
    not_read: usize,
    duplicates: usize,
    stray: usize,
}

/// Writes `video.mp4`, `reads.csv` and `truth.csv` into `out`, which must be absent or empty.
/// `progress` counts video frames.
pub fn write_eval_kit(
    out: &Path,
    opts: &EvalKitOptions,
    progress: &mut dyn FnMut(DemoProgress),
) -> Result<EvalKitSummary, DemoError> {
    let glyphs = Glyphs::get().map_err(|_| DemoError::Font)?;
    let day_before = opts.anchor.checked_sub_days(Days::new(1)).ok_or(DemoError::TimeOutOfRange)?;
    let clock_start = day_before.date_naive().and_hms_opt(16, 0, 0).ok_or(DemoError::TimeOutOfRange)?.and_utc();
    bundle::prepare_folder(out)?;
    let cameras = geography::cameras();
    // A static camera on a bypass: one lane, traffic towards the camera.
    let camera = cameras
        .iter()
        .filter(|c| c.system_type == SystemType::Static)
        .max_by_key(|c| (c.road.ends_with("Bypass"), std::cmp::Reverse(c.id.clone())))
        .ok_or(DemoError::NoStaticCamera)?;
    let plan = plan(opts.seed, opts.vehicles.max(MIN_VEHICLES), clock_start.timestamp_millis(), camera.spaced_vrm);
    write_truth(&out.join("truth.csv"), &plan, clock_start)?;
    write_reads(&out.join("reads.csv"), &plan, &camera.id, opts.seed)?;
    let settings = EncodeSettings {
        width: WIDTH,
        height: HEIGHT,
        fps: FPS,
        keyframe_interval: KEYFRAME_INTERVAL,
        quantiser: (16, 30),
        clock_start: Some(clock_start),
    };
    let mut writer = H264Writer::create(&out.join("video.mp4"), &settings)?;
    let painter = Painter::new(glyphs, &plan, &camera.id, clock_start);
    let total = plan.frames as usize;
    progress(DemoProgress { done: 0, total });
    for f in 0..plan.frames {
        writer.push(&painter.frame(f))?;
        if f % 50 == 49 {
            progress(DemoProgress { done: f as usize + 1, total });
        }
    }
    let video = writer.finish()?;
    progress(DemoProgress { done: total, total });
    let visible = plan.vehicles.iter().filter(|v| v.hidden.is_none()).count();
    let night = plan.vehicles.iter().filter(|v| v.night).count();
    Ok(EvalKitSummary {
        folder: out.to_owned(),
        camera_id: camera.id.clone(),
        system_type: "static",
        clock_start,
        camera_clock_offset_s: plan.offset_ms as f64 / 1000.0,
        vehicles: plan.vehicles.len(),
        visible,
        day: plan.vehicles.len() - night,
        night,
        reads: plan.reads.len(),
        missed: plan.missed,
        misread: plan.misread,
        not_read: plan.not_read,
        duplicates: plan.duplicates,
        stray: plan.stray,
        frames: video.frames,
        fps: FPS,
        width: WIDTH,
        height: HEIGHT,
        video_bytes: video.bytes,
    })
}

/// Size on screen relative to the picture's bottom edge: the road narrows into the distance.
fn scale(y: f32) -> f32 {
    let (left, right) = road_edges(y);
    ((right - left) / (ROAD_BOTTOM.1 - ROAD_BOTTOM.0)).clamp(0.2, 1.4)
}

fn road_edges(y: f32) -> (f32, f32) {
    let t = y / HEIGHT as f32;
    (ROAD_TOP.0 + (ROAD_BOTTOM.0 - ROAD_TOP.0) * t, ROAD_TOP.1 + (ROAD_BOTTOM.1 - ROAD_TOP.1) * t)
}

const COLOURS: [[u8; 3]; 9] = [
    [196, 198, 202],
    [236, 236, 232],
    [32, 32, 36],
    [40, 70, 140],
    [150, 30, 34],
    [92, 94, 98],
    [40, 80, 52],
    [170, 140, 90],
    [20, 40, 80],
];

fn plan(seed: u64, count: usize, start_ms: i64, spaced: bool) -> Plan {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ KIT_SALT);
    let day_count = count * 55 / 100;
    let hidden_each = (count / 90).max(1);
    let strays = ((count - 2 * hidden_each) / 66).max(1);
    // Which vehicles are hidden, and after which vehicles the road goes quiet for a stray
    // read: never two in a row, never the first two or the last, never the first at night.
    let mut special: Vec<usize> = Vec::new();
    let pick = |rng: &mut ChaCha8Rng, special: &mut Vec<usize>| {
        let mut i = 2;
        for _ in 0..1000 {
            i = rng.random_range(2..count - 1);
            if i != day_count && !special.iter().any(|&s| s.abs_diff(i) < 2) {
                break;
            }
        }
        special.push(i);
        i
    };
    let tailgaters: Vec<usize> = (0..hidden_each).map(|_| pick(&mut rng, &mut special)).collect();
    let racks: Vec<usize> = (0..hidden_each).map(|_| pick(&mut rng, &mut special)).collect();
    let quiet: Vec<usize> = (0..strays).map(|_| pick(&mut rng, &mut special)).collect();

    let mut vehicles: Vec<Vehicle> = Vec::with_capacity(count);
    let mut dusk = (0, 0);
    let mut stray_frames = Vec::new();
    for i in 0..count {
        let night = i >= day_count;
        let mut vehicle = Vehicle {
            vrm: plates::current(&mut rng),
            colour: COLOURS[rng.random_range(0..COLOURS.len())],
            van: rng.random_bool(0.15),
            speed: rng.random_range(19.0..26.0),
            cross: 40,
            shift: rng.random_range(-18.0..18.0),
            night,
            hidden: None,
        };
        if let Some(leader) = vehicles.last() {
            if tailgaters.contains(&i) {
                // Two frames behind at the same speed: its plate is under the leader's rear.
                vehicle.speed = leader.speed;
                vehicle.cross = leader.cross + 2;
                vehicle.hidden = Some(Hidden::Tailgating);
            } else {
                let headway = 9.0 - 10.0 * (1.0 - rng.random::<f64>()).ln();
                let mut cross = leader.cross + headway.round() as u32;
                if quiet.contains(&(i - 1)) {
                    // Six quiet seconds; the stray read falls in the middle.
                    stray_frames.push(leader.cross + 30);
                    cross = cross.max(leader.cross + 60);
                }
                if i == day_count {
                    // Dusk falls while the road is empty.
                    let gone = (0..).map(|k| leader.cross + k).find(|&f| !leader.on_screen(i64::from(f))).unwrap_or(0);
                    dusk = (gone + 5, gone + 35);
                    let lead_in = (READ_Y / vehicle.speed).ceil() as u32 + 2;
                    cross = cross.max(dusk.1 + 5 + lead_in);
                }
                vehicle.cross = cross;
                while (leader.cross.saturating_sub(40)..vehicle.cross + 40)
                    .any(|f| overlaps(leader, &vehicle, i64::from(f)))
                {
                    vehicle.cross += 1;
                }
                if racks.contains(&i) {
                    vehicle.hidden = Some(Hidden::CycleRack);
                }
            }
        }
        vehicles.push(vehicle);
    }
    let last = vehicles.last().map_or(0, |v| v.cross);
    let frames = (last..).find(|&f| vehicles.iter().all(|v| !v.on_screen(i64::from(f)))).unwrap_or(last) + 20;
    let mut plan = Plan {
        vehicles,
        reads: Vec::new(),
        frames,
        dusk,
        offset_ms: i64::from(rng.random_range(20..=50u8)) * 100,
        missed: 0,
        misread: 0,
        not_read: 0,
        duplicates: 0,
        stray: stray_frames.len(),
    };
    camera_reads(&mut plan, &mut rng, start_ms, spaced, &stray_frames);
    plan
}

/// The follower's front runs into the leader's rear while both are in the picture.
fn overlaps(leader: &Vehicle, follower: &Vehicle, f: i64) -> bool {
    leader.on_screen(f) && follower.on_screen(f) && follower.front(f) + 8.0 > leader.top(f)
}

/// The camera's reads: which visible vehicles it missed, misread or could not read is drawn
/// in a night-weighted random order so the counts are exact for a given kit size.
fn camera_reads(plan: &mut Plan, rng: &mut ChaCha8Rng, start_ms: i64, spaced: bool, stray_frames: &[u32]) {
    let visible: Vec<usize> = (0..plan.vehicles.len()).filter(|&i| plan.vehicles[i].hidden.is_none()).collect();
    let n = visible.len();
    let (misses, not_reads, misreads, duplicates) =
        ((n / 55).max(1), (n / 90).max(1), (n / 33).max(1), (n / 66).max(1));
    let mut order: Vec<(f64, usize)> =
        visible.iter().map(|&i| (rng.random::<f64>() * if plan.vehicles[i].night { 0.5 } else { 1.0 }, i)).collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut outcome = vec![Outcome::Read; plan.vehicles.len()];
    let mut seen = vec![String::new(); plan.vehicles.len()];
    let mut queue = order.iter().map(|&(_, i)| i);
    for i in queue.by_ref().take(misses) {
        outcome[i] = Outcome::Missed;
    }
    for i in queue.by_ref().take(not_reads) {
        outcome[i] = Outcome::NotRead;
    }
    let mut misread_count = 0;
    for i in queue.by_ref() {
        if misread_count == misreads {
            break;
        }
        if let Some(wrong) = plates::misread(&plan.vehicles[i].vrm, rng) {
            outcome[i] = Outcome::Misread;
            seen[i] = wrong;
            misread_count += 1;
        }
    }
    let read_time = |rng: &mut ChaCha8Rng, cross: u32, offset_ms: i64| {
        start_ms + i64::from(cross) * FRAME_MS + offset_ms + rng.random_range(-250..=250)
    };
    let mut reads = Vec::new();
    for (i, vehicle) in plan.vehicles.iter().enumerate() {
        let (vrm, confidence) = match (vehicle.hidden, outcome[i]) {
            (Some(Hidden::Tailgating), _) | (None, Outcome::Missed) => continue,
            // The cycle rack: the camera sees a plate-shaped thing it cannot read, or nothing.
            (Some(Hidden::CycleRack), _) if rng.random_bool(0.5) => continue,
            (Some(Hidden::CycleRack), _) | (None, Outcome::NotRead) => (String::new(), rng.random_range(5..=35)),
            (None, Outcome::Misread) => (plates::as_read(&seen[i], spaced), rng.random_range(55..=85)),
            (None, Outcome::Read) => (plates::as_read(&vehicle.vrm, spaced), rng.random_range(86..=99)),
        };
        reads.push(CameraRead { time_ms: read_time(rng, vehicle.cross, plan.offset_ms), vrm, confidence });
    }
    plan.missed = outcome.iter().filter(|o| **o == Outcome::Missed).count();
    plan.not_read = outcome.iter().filter(|o| **o == Outcome::NotRead).count();
    plan.misread = misread_count;
    // Duplicates: the camera reads a few vehicles twice, well inside the matching window.
    let mut captured: Vec<usize> = (0..reads.len()).filter(|&r| !reads[r].vrm.is_empty()).collect();
    for d in 0..duplicates.min(captured.len()) {
        let pick = rng.random_range(d..captured.len());
        captured.swap(d, pick);
        let first = &reads[captured[d]];
        let again = CameraRead {
            time_ms: first.time_ms + rng.random_range(400..=1200),
            vrm: first.vrm.clone(),
            confidence: first.confidence.saturating_sub(rng.random_range(0..10)),
        };
        reads.push(again);
        plan.duplicates += 1;
    }
    // Stray reads where the road was empty: an oncoming car's plate glimpsed, a sign.
    for &frame in stray_frames {
        let vrm = plates::as_read(&plates::random_vrm(rng), spaced);
        reads.push(CameraRead {
            time_ms: read_time(rng, frame, plan.offset_ms),
            vrm,
            confidence: rng.random_range(40..=70),
        });
    }
    reads.sort_by_key(|r| r.time_ms);
    plan.reads = reads;
}

fn time_text(ms: i64) -> Result<String, DemoError> {
    let time = DateTime::from_timestamp_millis(ms).ok_or(DemoError::TimeOutOfRange)?;
    Ok(time.to_rfc3339_opts(SecondsFormat::Millis, true))
}

fn write_truth(path: &Path, plan: &Plan, clock_start: DateTime<Utc>) -> Result<(), DemoError> {
    let mut csv = csv::Writer::from_path(path)?;
    csv.write_record(["vehicle", "time", "lane", "vrm", "visible", "condition"])?;
    for (i, vehicle) in plan.vehicles.iter().enumerate() {
        let time = time_text(clock_start.timestamp_millis() + i64::from(vehicle.cross) * FRAME_MS)?;
        let (vrm, visible) = match vehicle.hidden {
            None => (vehicle.vrm.as_str(), "true"),
            Some(_) => ("", "false"),
        };
        let condition = if vehicle.night { "night" } else { "day" };
        csv.write_record([&(i + 1).to_string(), &time, "1", vrm, visible, condition])?;
    }
    csv.flush()?;
    Ok(())
}

fn write_reads(path: &Path, plan: &Plan, camera_id: &str, seed: u64) -> Result<(), DemoError> {
    let mut csv = csv::Writer::from_path(path)?;
    csv.write_record(crate::import::rows::READ_COLUMNS)?;
    for (i, read) in plan.reads.iter().enumerate() {
        csv.write_record([
            &format!("EVAL{seed}-{:05}", i + 1),
            &read.vrm,
            &time_text(read.time_ms)?,
            camera_id,
            "",
            "",
            "1",
            "towards",
            &read.confidence.to_string(),
            "",
            "",
        ])?;
    }
    csv.flush()?;
    Ok(())
}

/// Draws the frames: a fixed background per lighting, the vehicles on it, the caption.
struct Painter<'a> {
    glyphs: &'a Glyphs,
    plan: &'a Plan,
    day: RgbImage,
    night: RgbImage,
    /// Each vehicle's plate patch at full resolution.
    plates: Vec<RgbImage>,
    camera_id: &'a str,
    clock_start: DateTime<Utc>,
}

impl<'a> Painter<'a> {
    fn new(glyphs: &'a Glyphs, plan: &'a Plan, camera_id: &'a str, clock_start: DateTime<Utc>) -> Self {
        let plates = plan.vehicles.iter().map(|v| glyphs.plate(&v.vrm, false)).collect();
        Painter { glyphs, plan, day: background(false), night: background(true), plates, camera_id, clock_start }
    }

    fn frame(&self, f: u32) -> RgbImage {
        let (dusk_start, dusk_end) = self.plan.dusk;
        let darkness = if f <= dusk_start {
            0.0
        } else if f >= dusk_end {
            1.0
        } else {
            (f - dusk_start) as f32 / (dusk_end - dusk_start) as f32
        };
        let mut image = if darkness <= 0.0 {
            self.day.clone()
        } else if darkness >= 1.0 {
            self.night.clone()
        } else {
            blend(&self.day, &self.night, darkness)
        };
        // Farther vehicles (later ones) first, so nearer ones cover them.
        let at = i64::from(f);
        let first = self.plan.vehicles.partition_point(|v| i64::from(v.cross) + 60 < at);
        let last = self.plan.vehicles.partition_point(|v| i64::from(v.cross) < at + 60);
        for i in (first..last).rev() {
            let vehicle = &self.plan.vehicles[i];
            if vehicle.on_screen(at) {
                draw_vehicle(&mut image, vehicle, &self.plates[i], vehicle.front(at), darkness > 0.5);
            }
        }
        rect(&mut image, 0.0, 0.0, WIDTH as f32, CAPTION_HEIGHT as f32, [0, 0, 0]);
        let time = self.clock_start + TimeDelta::milliseconds(i64::from(f) * FRAME_MS);
        let tenths = time.timestamp_subsec_millis() / 100;
        let caption = format!("{}   {}.{tenths} UTC   frame {f}", self.camera_id, time.format("%Y-%m-%d %H:%M:%S"));
        self.glyphs.caption(&mut image, &caption, 8.0, CAPTION_HEIGHT as f32 / 2.0, [255, 255, 255]);
        image
    }
}

fn background(night: bool) -> RgbImage {
    let (grass, asphalt, line, read_line) = if night {
        ([8, 12, 10], [20, 22, 28], [92, 92, 86], [110, 96, 30])
    } else {
        ([92, 128, 70], [104, 106, 110], [235, 235, 230], [240, 200, 40])
    };
    let mut image = RgbImage::from_pixel(WIDTH, HEIGHT, Rgb(grass));
    for y in 0..HEIGHT {
        let centre = y as f32 + 0.5;
        let (left, right) = road_edges(centre);
        let edge = 6.0 * scale(centre);
        rect(&mut image, left, y as f32, right, y as f32 + 1.0, asphalt);
        rect(&mut image, left, y as f32, left + edge, y as f32 + 1.0, line);
        rect(&mut image, right - edge, y as f32, right, y as f32 + 1.0, line);
        if (centre - READ_Y).abs() < 2.0 {
            rect(&mut image, left, y as f32, right, y as f32 + 1.0, read_line);
        }
    }
    image
}

fn blend(a: &RgbImage, b: &RgbImage, t: f32) -> RgbImage {
    let mut out = a.clone();
    for (o, &q) in out.iter_mut().zip(b.iter()) {
        *o = (f32::from(*o) * (1.0 - t) + f32::from(q) * t).round() as u8;
    }
    out
}

/// A vehicle seen from the front and above, its front edge at `front`.
fn draw_vehicle(image: &mut RgbImage, vehicle: &Vehicle, plate: &RgbImage, front: f32, night: bool) {
    let s = scale(front);
    let width = if vehicle.van { 260.0 } else { 250.0 } * s;
    let length = vehicle.length() * s;
    let centre = WIDTH as f32 / 2.0 + vehicle.shift * s;
    let (x0, x1, top) = (centre - width / 2.0, centre + width / 2.0, front - length);
    let dim = |c: [u8; 3], k: f32| c.map(|v| (f32::from(v) * k) as u8);
    let body = if night { dim(vehicle.colour, 0.28) } else { vehicle.colour };
    if night {
        // Headlights light the road in front.
        brighten(image, x0, front, x1, front + 0.6 * length, 40);
    }
    rect(image, x0, top, x1, front, body);
    // From the far end: roof, windscreen, bonnet, then the front with lamps and plate.
    let (glass_from, glass_to) = if vehicle.van { (0.16, 0.36) } else { (0.30, 0.50) };
    let glass = if night { [6, 8, 12] } else { [44, 54, 66] };
    rect(image, x0 + 0.08 * width, top + glass_from * length, x1 - 0.08 * width, top + glass_to * length, glass);
    rect(image, x0, front - 0.06 * length, x1, front, if night { [10, 10, 10] } else { [36, 36, 38] });
    let lamp = if night { [255, 252, 230] } else { [214, 214, 200] };
    let (lamp_top, lamp_bottom) = (front - 0.34 * length, front - 0.22 * length);
    rect(image, x0 + 0.03 * width, lamp_top, x0 + 0.16 * width, lamp_bottom, lamp);
    rect(image, x1 - 0.16 * width, lamp_top, x1 - 0.03 * width, lamp_bottom, lamp);
    let (pw, ph) = (PLATE_WIDTH as f32 * PLATE_SCALE * s, PLATE_HEIGHT as f32 * PLATE_SCALE * s);
    let (px, py) = (centre - pw / 2.0, front - 0.02 * length - ph);
    if vehicle.hidden == Some(Hidden::CycleRack) {
        // The rack's wheels and frame in front of the plate.
        rect(image, px - 0.05 * pw, py - 0.2 * ph, px + 1.05 * pw, py + ph, [48, 48, 50]);
        for k in 0..4 {
            let x = px + (0.1 + 0.25 * k as f32) * pw;
            rect(image, x, py - 0.2 * ph, x + 0.08 * pw, py + ph, [120, 120, 124]);
        }
        return;
    }
    let mut small =
        imageops::resize(plate, pw.round().max(1.0) as u32, ph.round().max(1.0) as u32, FilterType::Triangle);
    if night {
        // The camera's infrared lamp lights the retro-reflective plate; the rest stays dark.
        for value in small.iter_mut() {
            *value = (f32::from(*value) * 0.88) as u8;
        }
    }
    imageops::replace(image, &small, px.round() as i64, py.round() as i64);
}

/// Applies `paint` to the RGB bytes of each row of [x0, x1) x [y0, y1), rounded to pixels and
/// clipped to the picture.
fn region(image: &mut RgbImage, x0: f32, y0: f32, x1: f32, y1: f32, mut paint: impl FnMut(&mut [u8])) {
    let (w, h) = (image.width() as f32, image.height() as f32);
    let (x0, x1) = (x0.round().clamp(0.0, w) as usize, x1.round().clamp(0.0, w) as usize);
    let (y0, y1) = (y0.round().clamp(0.0, h) as usize, y1.round().clamp(0.0, h) as usize);
    let stride = image.width() as usize * 3;
    for y in y0..y1 {
        paint(&mut image.as_mut()[y * stride + x0 * 3..y * stride + x1 * 3]);
    }
}

/// Fills [x0, x1) x [y0, y1), clipped.
fn rect(image: &mut RgbImage, x0: f32, y0: f32, x1: f32, y1: f32, colour: [u8; 3]) {
    region(image, x0, y0, x1, y1, |row| row.chunks_exact_mut(3).for_each(|pixel| pixel.copy_from_slice(&colour)));
}

/// Adds `amount` to every channel of [x0, x1) x [y0, y1), clipped.
fn brighten(image: &mut RgbImage, x0: f32, y0: f32, x1: f32, y1: f32, amount: u8) {
    region(image, x0, y0, x1, y1, |row| row.iter_mut().for_each(|value| *value = value.saturating_add(amount)));
}
