//! Read files of other ANPR systems (docs/foreign-formats.md): OpenALPR JSON results, Plate
//! Recognizer Snapshot JSON and Stream CSV, Genetec AutoVu XML. Each is parsed into the rows
//! a bundle's CSV gives, so the bundle importer's transaction, image checks and audit run on
//! them unchanged. The format is found by content, never by the file's name.

mod genetec;
mod json;
mod openalpr;
mod platerecognizer;

use super::rows::{CameraRow, ReadRow};
use super::{Input, MAX_TABLE_BYTES, Parsed, Prepared, refuse};
use crate::error::{Error, Result};
use anpr_types::SystemType;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

/// What `anpr import` accepts, for the refusal of anything else.
pub const SUPPORTED: &str = "a read bundle folder (anpr-bundle/1), OpenALPR JSON results, Plate Recognizer \
     Snapshot JSON, Plate Recognizer Stream CSV, or a Genetec AutoVu XML read export";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    OpenAlpr,
    PlateRecognizerSnapshot,
    PlateRecognizerStream,
    GenetecAutoVu,
}

impl Format {
    /// The name recorded as the import's source and in its audit entry.
    pub fn name(self) -> &'static str {
        match self {
            Format::OpenAlpr => "OpenALPR JSON results",
            Format::PlateRecognizerSnapshot => "Plate Recognizer Snapshot JSON",
            Format::PlateRecognizerStream => "Plate Recognizer Stream CSV",
            Format::GenetecAutoVu => "Genetec AutoVu XML",
        }
    }

    /// The prefix of read ids made for this format, so they cannot collide with another
    /// source's.
    fn prefix(self) -> &'static str {
        match self {
            Format::OpenAlpr => "openalpr",
            Format::PlateRecognizerSnapshot => "platerecognizer",
            Format::PlateRecognizerStream => "platerecognizer-stream",
            Format::GenetecAutoVu => "genetec",
        }
    }
}

/// A foreign file parsed: its reads (or each record's reason for rejection, by line), the
/// cameras it positions, and the images it carries inside it.
#[derive(Debug)]
pub struct ForeignFile {
    pub format: Format,
    pub reads: Arc<[Parsed]>,
    pub cameras: Vec<CameraRow>,
    /// Image key (as the read's image path) -> decoded bytes, or why they are unusable.
    pub embedded: HashMap<String, std::result::Result<Vec<u8>, String>>,
}

/// Finds the format of a file from its first bytes and structure; a JSON or XML file that
/// does not parse is refused as such, with the line.
pub fn detect(bytes: &[u8]) -> std::result::Result<Format, String> {
    let text = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes).trim_ascii_start();
    let found = match text.first() {
        Some(b'<') => genetec::detect(text)?.then_some(Format::GenetecAutoVu),
        Some(b'{' | b'[') => json::detect(text)?,
        Some(_) => platerecognizer::detect_stream(text).then_some(Format::PlateRecognizerStream),
        None => return Err("the file is empty".into()),
    };
    found.ok_or_else(|| format!("not a read format the workstation knows; supported: {SUPPORTED}"))
}

/// Reads, detects and parses a foreign file; a file that is not a supported format, or whose
/// structure is broken, is refused whole.
pub(super) fn prepare(path: &Path) -> Result<Prepared> {
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let meta = std::fs::metadata(path).map_err(|e| refuse(format!("cannot open {name}: {e}"), vec![name.clone()]))?;
    if !meta.is_file() {
        return Err(refuse(format!("{name} is neither a folder nor a file"), vec![name]));
    }
    if meta.len() > MAX_TABLE_BYTES {
        return Err(refuse(format!("{name} is larger than 4 GiB"), vec![name]));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(format!("reading {name}"), e))?;
    let format = detect(&bytes).map_err(|reason| refuse(format!("{name}: {reason}"), vec![name.clone()]))?;
    let file = parse(format, &bytes)
        .map_err(|reason| refuse(format!("{name} ({}): {reason}", format.name()), vec![name.clone()]))?;
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_owned();
    let hashed = BTreeMap::from([(name.clone(), crate::blobs::sha256_hex(&bytes))]);
    Ok(Prepared {
        source: Some(format.name().to_owned()),
        format: format.prefix(),
        reads_name: name,
        input: Input::Foreign { folder, file },
        hashed,
    })
}

/// Parses a file's bytes as `format` (as [`detect`] found it); a structure that is broken
/// is refused whole, with why.
pub fn parse(format: Format, bytes: &[u8]) -> std::result::Result<ForeignFile, String> {
    let body = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut builder = Builder::new(format);
    match format {
        Format::OpenAlpr => openalpr::parse(body, &mut builder),
        Format::PlateRecognizerSnapshot => platerecognizer::parse_snapshot(body, &mut builder),
        Format::PlateRecognizerStream => platerecognizer::parse_stream(body, &mut builder),
        Format::GenetecAutoVu => genetec::parse(body, &mut builder),
    }?;
    Ok(builder.finish())
}

/// One read as a foreign format gives it, before the checks every read gets.
#[derive(Debug, Default)]
struct ForeignRead {
    /// The source's own id of the read, if it has one; otherwise one is made from what
    /// identifies the read (camera, time, plate, position in its frame).
    source_id: Option<String>,
    plate: String,
    time_ms: i64,
    camera_id: String,
    position: Option<(f64, f64)>,
    /// 0..100.
    confidence: Option<f64>,
    plate_image: Option<String>,
    overview_image: Option<String>,
}

/// Collects a file's reads and cameras in file order.
#[derive(Debug)]
struct Builder {
    format: Format,
    reads: Vec<Parsed>,
    cameras: Vec<CameraRow>,
    embedded: HashMap<String, std::result::Result<Vec<u8>, String>>,
}

impl Builder {
    fn new(format: Format) -> Self {
        Self { format, reads: Vec::new(), cameras: Vec::new(), embedded: HashMap::new() }
    }

    fn finish(self) -> ForeignFile {
        ForeignFile { format: self.format, reads: self.reads.into(), cameras: self.cameras, embedded: self.embedded }
    }

    fn reject(&mut self, line: u64, reason: String) {
        self.reads.push((line, Err(reason)));
    }

    /// Checks a read as rows.rs checks a reads.csv row, and keeps it or its reason.
    fn read(&mut self, line: u64, read: std::result::Result<ForeignRead, String>, index: usize) {
        let row = read.and_then(|r| self.row(r, index));
        self.reads.push((line, row));
    }

    fn row(&self, r: ForeignRead, index: usize) -> std::result::Result<ReadRow, String> {
        if r.camera_id.trim().is_empty() {
            return Err("no camera identifier (NASPLE 7.3.1)".into());
        }
        if let Some((latitude, longitude)) = r.position {
            check_position(latitude, longitude)?;
        }
        if r.confidence.is_some_and(|c| !(0.0..=100.0).contains(&c)) {
            return Err("confidence must be between 0 and 100 per cent".into());
        }
        let plate = r.plate.trim();
        let vrm = crate::vrm::normalise(plate);
        let read_id = match r.source_id {
            Some(id) => format!("{}:{id}", self.format.prefix()),
            None => format!(
                "{}:{}:{}:{}:{index}",
                self.format.prefix(),
                r.camera_id.trim(),
                r.time_ms,
                vrm.as_deref().unwrap_or("-")
            ),
        };
        Ok(ReadRow {
            read_id,
            vrm_as_read: if vrm.is_some() { plate.to_owned() } else { String::new() },
            vrm,
            read_time_ms: r.time_ms,
            camera_id: r.camera_id.trim().to_owned(),
            latitude: r.position.map(|p| p.0),
            longitude: r.position.map(|p| p.1),
            lane: None,
            direction: None,
            confidence: r.confidence,
            plate_image: r.plate_image,
            overview_image: r.overview_image,
        })
    }

    /// Registers (once) a camera the file names and positions; it records imagery when any
    /// of its reads carries an image. Nothing else about it is known, so it is entered with
    /// the most protective choices (static: its precise location is never disclosed without
    /// its controller's consent, 9.4.3) and fields to be completed in the register.
    fn camera(&mut self, camera_id: &str, name: &str, position: (f64, f64), has_imagery: bool) {
        if let Some(known) = self.cameras.iter_mut().find(|c| c.camera_id == camera_id) {
            known.has_imagery |= has_imagery;
            return;
        }
        let unknown = format!("not recorded ({} import)", self.format.name());
        self.cameras.push(CameraRow {
            camera_id: camera_id.to_owned(),
            name: name.to_owned(),
            system_type: SystemType::Static,
            latitude: position.0,
            longitude: position.1,
            general_area: unknown.clone(),
            postcode: None,
            road: None,
            controller: unknown,
            restricted: false,
            lanes: 1,
            has_imagery,
        });
    }

    /// Keeps an image carried inside the file (base64) under `key`, bounded like an image file.
    fn embed(&mut self, key: String, base64_text: &str) -> String {
        let compact: String = base64_text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let limit = super::images::MAX_FILE_BYTES;
        let too_large = format!("image larger than the {} MiB limit", limit / (1024 * 1024));
        // The length is checked before decoding, so an absurd image allocates nothing.
        let decoded = if compact.len() as u64 > limit.div_ceil(3) * 4 {
            Err(too_large)
        } else {
            use base64::Engine;
            match base64::engine::general_purpose::STANDARD.decode(compact.as_bytes()) {
                Ok(bytes) if bytes.len() as u64 > limit => Err(too_large),
                Ok(bytes) => Ok(bytes),
                Err(e) => Err(format!("embedded image is not valid base64: {e}")),
            }
        };
        self.embedded.insert(key.clone(), decoded);
        key
    }
}

fn check_position(latitude: f64, longitude: f64) -> std::result::Result<(), String> {
    if !(latitude.is_finite() && latitude.abs() <= 90.0) {
        return Err(format!("latitude {latitude} is out of range"));
    }
    if !(longitude.is_finite() && longitude.abs() <= 180.0) {
        return Err(format!("longitude {longitude} is out of range"));
    }
    Ok(())
}

/// A time as these formats write it: RFC 3339; `YYYY-MM-DD HH:MM:SS[.f]+HH:MM` (Stream); or
/// without an offset, which Plate Recognizer documents as UTC.
fn parse_time(text: &str) -> std::result::Result<i64, String> {
    let text = text.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(t.timestamp_millis());
    }
    if let Ok(t) = chrono::DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%:z") {
        return Ok(t.timestamp_millis());
    }
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(text, f).ok())
        .map(|t| t.and_utc().timestamp_millis())
        .ok_or_else(|| format!("timestamp is not a date and time: {text:?}"))
}

/// The 1-based line of a byte offset (once, for an error).
fn line_of(bytes: &[u8], offset: usize) -> u64 {
    Lines::new(bytes).of(offset)
}

/// The lines of a file, for the line of every record: a binary search over the newlines,
/// where counting from the start for each record would be quadratic in a large file.
#[derive(Debug)]
struct Lines(Vec<usize>);

impl Lines {
    fn new(bytes: &[u8]) -> Self {
        Self(bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i).collect())
    }

    fn of(&self, offset: usize) -> u64 {
        self.0.partition_point(|&newline| newline < offset) as u64 + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_the_formats() {
        let utc = parse_time("2021-10-27T06:20:43.970Z").unwrap();
        assert_eq!(parse_time("2021-10-27 06:20:43.970+00:00").unwrap(), utc);
        assert_eq!(parse_time("2021-10-27 07:20:43.970+01:00").unwrap(), utc);
        assert_eq!(parse_time("2021-10-27 06:20:43.970").unwrap(), utc);
        assert!(parse_time("27/10/2021").is_err());
    }

    #[test]
    fn unknown_content_is_refused_naming_the_supported_formats() {
        for bytes in [&b"read_id,vrm\nR1,AB12CDE\n"[..], b"{\"a\": 1}", b"<html/>", b"  "] {
            let reason = detect(bytes).unwrap_err();
            assert!(reason.contains("Genetec") || reason.contains("empty"), "{reason}");
        }
    }
}
