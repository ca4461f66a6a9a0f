//! CSV rows of a bundle (bundle-format.md): header checks, then one typed row or one reason
//! per line. Column order is free, unknown columns are ignored (and reported once).

use anpr_types::SystemType;
use csv::StringRecord;
use std::collections::HashMap;

pub const CAMERA_COLUMNS: &[&str] = &[
    "camera_id",
    "name",
    "system_type",
    "latitude",
    "longitude",
    "general_area",
    "postcode",
    "road",
    "controller",
    "restricted",
    "lanes",
    "has_imagery",
];
pub const CAMERA_REQUIRED: &[&str] =
    &["camera_id", "name", "system_type", "latitude", "longitude", "general_area", "controller"];
pub const READ_COLUMNS: &[&str] = &[
    "read_id",
    "vrm",
    "read_time",
    "camera_id",
    "latitude",
    "longitude",
    "lane",
    "direction",
    "confidence",
    "plate_image",
    "overview_image",
];
pub const READ_REQUIRED: &[&str] = &["read_id", "vrm", "read_time", "camera_id"];

/// Where each known column is in a file.
#[derive(Debug)]
pub struct Columns {
    index: HashMap<&'static str, usize>,
    pub unknown: Vec<String>,
}

impl Columns {
    /// Maps the header; `Err` lists the required columns that are missing.
    pub fn from_header(header: &StringRecord, known: &[&'static str], required: &[&str]) -> Result<Self, Vec<String>> {
        let mut index = HashMap::new();
        let mut unknown = Vec::new();
        for (i, name) in header.iter().enumerate() {
            let name = name.trim().trim_start_matches('\u{feff}');
            match known.iter().find(|k| k.eq_ignore_ascii_case(name)) {
                Some(k) => {
                    index.entry(*k).or_insert(i);
                }
                None => unknown.push(name.to_owned()),
            }
        }
        let missing: Vec<String> = required.iter().filter(|r| !index.contains_key(*r)).map(|r| r.to_string()).collect();
        if missing.is_empty() { Ok(Self { index, unknown }) } else { Err(missing) }
    }

    /// The trimmed field, `None` when the column is absent or the field empty.
    pub(crate) fn get<'r>(&self, record: &'r StringRecord, column: &str) -> Option<&'r str> {
        let field = record.get(*self.index.get(column)?)?.trim();
        (!field.is_empty()).then_some(field)
    }

    fn required<'r>(&self, record: &'r StringRecord, column: &str) -> Result<&'r str, String> {
        self.get(record, column).ok_or_else(|| format!("{column} is missing"))
    }
}

fn parse<T: std::str::FromStr>(field: Option<&str>, column: &str, what: &str) -> Result<Option<T>, String> {
    field.map(|f| f.parse::<T>().map_err(|_| format!("{column} is not {what}: {f:?}"))).transpose()
}

fn boolean(field: Option<&str>, column: &str, default: bool) -> Result<bool, String> {
    match field.map(str::to_ascii_lowercase).as_deref() {
        None => Ok(default),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => Err(format!("{column} must be true or false, not {other:?}")),
    }
}

fn coordinate(field: Option<&str>, column: &str, limit: f64) -> Result<Option<f64>, String> {
    let value: Option<f64> = parse(field, column, "a decimal number of degrees")?;
    match value {
        Some(v) if !(v.is_finite() && v.abs() <= limit) => Err(format!("{column} {v} is out of range")),
        _ => Ok(value),
    }
}

#[derive(Debug, Clone)]
pub struct CameraRow {
    pub camera_id: String,
    pub name: String,
    pub system_type: SystemType,
    pub latitude: f64,
    pub longitude: f64,
    pub general_area: String,
    pub postcode: Option<String>,
    pub road: Option<String>,
    pub controller: String,
    pub restricted: bool,
    pub lanes: i64,
    pub has_imagery: bool,
}

pub fn camera(columns: &Columns, record: &StringRecord) -> Result<CameraRow, String> {
    let text = |c| columns.get(record, c).map(str::to_owned);
    let lanes = parse::<i64>(columns.get(record, "lanes"), "lanes", "a whole number")?.unwrap_or(1);
    if lanes < 1 {
        return Err(format!("lanes must be at least 1, not {lanes}"));
    }
    Ok(CameraRow {
        camera_id: columns.required(record, "camera_id")?.to_owned(),
        name: columns.required(record, "name")?.to_owned(),
        system_type: columns.required(record, "system_type")?.parse()?,
        latitude: coordinate(Some(columns.required(record, "latitude")?), "latitude", 90.0)?.unwrap_or_default(),
        longitude: coordinate(Some(columns.required(record, "longitude")?), "longitude", 180.0)?.unwrap_or_default(),
        general_area: columns.required(record, "general_area")?.to_owned(),
        postcode: text("postcode"),
        road: text("road"),
        controller: columns.required(record, "controller")?.to_owned(),
        restricted: boolean(columns.get(record, "restricted"), "restricted", false)?,
        lanes,
        has_imagery: boolean(columns.get(record, "has_imagery"), "has_imagery", true)?,
    })
}

#[derive(Debug, Clone)]
pub struct ReadRow {
    pub read_id: String,
    pub vrm_as_read: String,
    /// Normalised; `None` when not read (7.4.2).
    pub vrm: Option<String>,
    pub read_time_ms: i64,
    pub camera_id: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub lane: Option<i64>,
    pub direction: Option<&'static str>,
    pub confidence: Option<f64>,
    pub plate_image: Option<String>,
    pub overview_image: Option<String>,
}

/// Field positions of reads.csv, resolved once from its header: reads are the hot path of a
/// million-row import, so no per-field name lookup.
#[derive(Debug, Clone, Copy)]
pub struct ReadFields {
    read_id: Option<usize>,
    vrm: Option<usize>,
    read_time: Option<usize>,
    camera_id: Option<usize>,
    latitude: Option<usize>,
    longitude: Option<usize>,
    lane: Option<usize>,
    direction: Option<usize>,
    confidence: Option<usize>,
    plate_image: Option<usize>,
    overview_image: Option<usize>,
}

impl ReadFields {
    pub fn new(columns: &Columns) -> Self {
        let at = |c: &str| columns.index.get(c).copied();
        Self {
            read_id: at("read_id"),
            vrm: at("vrm"),
            read_time: at("read_time"),
            camera_id: at("camera_id"),
            latitude: at("latitude"),
            longitude: at("longitude"),
            lane: at("lane"),
            direction: at("direction"),
            confidence: at("confidence"),
            plate_image: at("plate_image"),
            overview_image: at("overview_image"),
        }
    }
}

/// The trimmed field at `at`, `None` when the column is absent or the field empty.
fn field(record: &StringRecord, at: Option<usize>) -> Option<&str> {
    let value = record.get(at?)?.trim();
    (!value.is_empty()).then_some(value)
}

fn required<'r>(record: &'r StringRecord, at: Option<usize>, column: &str) -> Result<&'r str, String> {
    field(record, at).ok_or_else(|| format!("{column} is missing"))
}

pub fn read(f: &ReadFields, record: &StringRecord) -> Result<ReadRow, String> {
    let read_id = required(record, f.read_id, "read_id")?.to_owned();
    // The vrm column must exist (checked with the header); an empty field means "not read".
    let raw = field(record, f.vrm).unwrap_or("");
    let vrm = crate::vrm::normalise(raw);
    let vrm_as_read = if vrm.is_some() { raw.to_owned() } else { String::new() };
    let time = required(record, f.read_time, "read_time")?;
    let read_time = chrono::DateTime::parse_from_rfc3339(time)
        .map_err(|_| format!("read_time is not an RFC 3339 time with offset: {time:?}"))?;
    let lane = parse::<i64>(field(record, f.lane), "lane", "a whole number")?;
    if lane.is_some_and(|l| l < 1) {
        return Err("lane must be 1 or more".into());
    }
    let direction = match field(record, f.direction) {
        None => None,
        Some(d) if d.eq_ignore_ascii_case("towards") => Some("towards"),
        Some(d) if d.eq_ignore_ascii_case("away") => Some("away"),
        Some(other) => return Err(format!("direction must be towards or away, not {other:?}")),
    };
    let confidence = parse::<f64>(field(record, f.confidence), "confidence", "a number")?;
    if confidence.is_some_and(|c| !(0.0..=100.0).contains(&c)) {
        return Err("confidence must be between 0 and 100".into());
    }
    let latitude = coordinate(field(record, f.latitude), "latitude", 90.0)?;
    let longitude = coordinate(field(record, f.longitude), "longitude", 180.0)?;
    if latitude.is_some() != longitude.is_some() {
        return Err("latitude and longitude must be given together".into());
    }
    Ok(ReadRow {
        vrm,
        vrm_as_read,
        read_id,
        read_time_ms: read_time.timestamp_millis(),
        camera_id: required(record, f.camera_id, "camera_id")?.to_owned(),
        latitude,
        longitude,
        lane,
        direction,
        confidence,
        plate_image: field(record, f.plate_image).map(str::to_owned),
        overview_image: field(record, f.overview_image).map(str::to_owned),
    })
}
