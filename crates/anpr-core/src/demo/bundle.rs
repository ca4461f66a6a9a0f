//! Writes the simulated force as a read bundle (docs: shared spec `bundle-format.md`):
//! `cameras.csv`, `reads.csv`, `images/plates/NNNN/*.jpg`, `images/overview/NNNN/*.jpg` and
//! `manifest.json`.
//!
//! Reads are written in chunks: the images of a chunk are rendered and encoded by a few
//! worker threads, then the chunk's rows are appended on the calling thread, which also
//! reports progress. Every file's bytes depend only on the read it belongs to, never on
//! which thread made it, so the bundle is byte-identical from run to run.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

use super::geography::Camera;
use super::render::{Glyphs, OverviewScene, jpeg};
use super::traffic::{Capture, Read, Traffic};
use super::{DemoError, DemoProgress};

/// Reads per chunk (and per progress report).
const CHUNK: usize = 1000;
/// Images per folder: keeps every folder well under 5000 entries. A multiple of `CHUNK`, so a
/// chunk's images share one folder.
const PER_FOLDER: usize = 4000;
/// Image workers at most; the brief's machines have two cores.
const MAX_WORKERS: usize = 4;

/// Everything the writer needs, borrowed from `write_bundle`.
#[derive(Debug)]
pub(crate) struct Bundle<'a> {
    pub out: &'a Path,
    pub seed: u64,
    pub anchor: DateTime<Utc>,
    pub cameras: &'a [Camera],
    pub traffic: &'a Traffic,
    /// `None` writes no images at all.
    pub glyphs: Option<&'a Glyphs>,
}

/// What was written, for the summary.
#[derive(Debug, Default)]
pub(crate) struct Written {
    pub not_read: usize,
    pub plate_images: usize,
    pub overview_images: usize,
    pub misreads: Vec<(String, String)>,
}

/// One line of reads.csv, with the image paths (relative, forward slashes) it refers to.
#[derive(Debug)]
struct Row<'a> {
    index: usize,
    read_id: String,
    read: &'a Read,
    plate: Option<String>,
    overview: Option<String>,
}

/// The output folder must be new or empty: a bundle is never mixed with other files.
pub(crate) fn prepare_folder(out: &Path) -> Result<(), DemoError> {
    match fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(DemoError::OutputNotEmpty(out.to_path_buf()));
            }
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(fs::create_dir_all(out)?),
        Err(e) => Err(e.into()),
    }
}

impl Bundle<'_> {
    pub(crate) fn write(&self, progress: &mut dyn FnMut(DemoProgress)) -> Result<Written, DemoError> {
        let cameras_sha256 = self.write_cameras()?;
        let (reads_sha256, written) = self.write_reads(progress)?;
        self.write_manifest(&cameras_sha256, &reads_sha256)?;
        Ok(written)
    }

    fn write_cameras(&self) -> Result<String, DemoError> {
        let mut csv = csv::Writer::from_writer(HashingWriter::create(&self.out.join("cameras.csv"))?);
        // The columns in the order the bundle format lists them (one list, shared with the importer).
        csv.write_record(crate::import::rows::CAMERA_COLUMNS)?;
        for camera in self.cameras {
            csv.write_record([
                camera.id.as_str(),
                &camera.name,
                camera.system_type.as_str(),
                &format!("{:.6}", camera.lat),
                &format!("{:.6}", camera.lon),
                super::geography::TOWNS[camera.town].name,
                &camera.postcode,
                &camera.road,
                camera.controller,
                bool_text(camera.restricted),
                &camera.lanes.to_string(),
                bool_text(camera.has_imagery),
            ])?;
        }
        finish(csv)
    }

    fn write_reads(&self, progress: &mut dyn FnMut(DemoProgress)) -> Result<(String, Written), DemoError> {
        let mut csv = csv::Writer::from_writer(HashingWriter::create(&self.out.join("reads.csv"))?);
        csv.write_record(crate::import::rows::READ_COLUMNS)?;
        let reads = &self.traffic.reads;
        let mut written = Written::default();
        progress(DemoProgress { done: 0, total: reads.len() });
        for (chunk_number, chunk) in reads.chunks(CHUNK).enumerate() {
            let first = chunk_number * CHUNK;
            let rows: Vec<Row<'_>> = chunk.iter().enumerate().map(|(i, read)| self.row(first + i, read)).collect();
            if let Some(glyphs) = self.glyphs {
                self.render_images(glyphs, &rows)?;
            }
            for row in &rows {
                self.write_read(&mut csv, row, &mut written)?;
            }
            progress(DemoProgress { done: first + chunk.len(), total: reads.len() });
        }
        Ok((finish(csv)?, written))
    }

    fn row<'r>(&self, index: usize, read: &'r Read) -> Row<'r> {
        let read_id = format!("D{}-{:08}", self.seed, index + 1);
        let camera = &self.cameras[read.camera];
        let images = self.glyphs.is_some() && camera.has_imagery;
        let folder = index / PER_FOLDER;
        let plate = images.then(|| format!("images/plates/{folder:04}/{read_id}.jpg"));
        let overview = (images && read.overview).then(|| format!("images/overview/{folder:04}/{read_id}.jpg"));
        Row { index, read_id, read, plate, overview }
    }

    fn write_read(
        &self,
        csv: &mut csv::Writer<HashingWriter>,
        row: &Row<'_>,
        written: &mut Written,
    ) -> Result<(), DemoError> {
        let read = row.read;
        let camera = &self.cameras[read.camera];
        let vehicle = &self.traffic.vehicles[read.vehicle];
        let vrm = match &read.capture {
            Capture::Read => super::plates::as_read(&vehicle.vrm, camera.spaced_vrm),
            Capture::Misread(seen) => super::plates::as_read(seen, camera.spaced_vrm),
            Capture::NotRead => String::new(),
        };
        match &read.capture {
            Capture::NotRead => written.not_read += 1,
            Capture::Misread(_) if written.misreads.len() < 5 => {
                written.misreads.push((vehicle.vrm.replace(' ', ""), vrm.clone()));
            }
            _ => {}
        }
        written.plate_images += usize::from(row.plate.is_some());
        written.overview_images += usize::from(row.overview.is_some());
        let (latitude, longitude) = match read.position {
            Some((lat, lon)) => (format!("{lat:.6}"), format!("{lon:.6}")),
            None => (String::new(), String::new()),
        };
        csv.write_record([
            row.read_id.as_str(),
            &vrm,
            &utc_millis(read.time_ms)?,
            &camera.id,
            &latitude,
            &longitude,
            &read.lane.to_string(),
            if read.towards { "towards" } else { "away" },
            &read.confidence.to_string(),
            row.plate.as_deref().unwrap_or(""),
            row.overview.as_deref().unwrap_or(""),
        ])?;
        Ok(())
    }

    /// Renders and writes the images of a chunk's rows on up to `MAX_WORKERS` threads.
    fn render_images(&self, glyphs: &Glyphs, rows: &[Row<'_>]) -> Result<(), DemoError> {
        let folders: BTreeSet<&Path> = rows
            .iter()
            .flat_map(|row| [&row.plate, &row.overview])
            .flatten()
            .filter_map(|path| Path::new(path).parent())
            .collect();
        for folder in folders {
            fs::create_dir_all(self.out.join(folder))?;
        }
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, MAX_WORKERS);
        let share = rows.len().div_ceil(workers).max(1);
        std::thread::scope(|scope| {
            let mut parts = rows.chunks(share);
            let mine = parts.next().unwrap_or_default();
            let helpers: Vec<_> = parts.map(|part| scope.spawn(move || self.render_part(glyphs, part))).collect();
            let mut result = self.render_part(glyphs, mine);
            for helper in helpers {
                let outcome = helper.join().unwrap_or(Err(DemoError::Worker));
                result = result.and(outcome);
            }
            result
        })
    }

    fn render_part(&self, glyphs: &Glyphs, rows: &[Row<'_>]) -> Result<(), DemoError> {
        for row in rows {
            let Some(plate_path) = &row.plate else { continue };
            let read = row.read;
            let vehicle = &self.traffic.vehicles[read.vehicle];
            // Away from the camera, it sees the rear (yellow) plate.
            let rear = !read.towards;
            let patch = match &read.capture {
                Capture::Read => glyphs.plate(&vehicle.vrm, rear),
                // The camera read what it saw: the patch shows the misread characters.
                Capture::Misread(seen) => glyphs.plate(seen, rear),
                Capture::NotRead => glyphs.unreadable_plate(&vehicle.vrm, rear),
            };
            fs::write(self.out.join(plate_path), jpeg(&patch)?)?;
            if let Some(overview_path) = &row.overview {
                // The data strip carries the lane and time, not the camera's name: a name burned
                // into the picture would disclose the location in every bundle (9.4.3).
                let camera = &self.cameras[read.camera];
                let caption = format!("Lane {}  {}", read.lane, utc_caption(read.time_ms)?);
                let scene = OverviewScene {
                    plate: &patch,
                    colour: vehicle.colour,
                    towards: read.towards,
                    lane: if camera.lanes > 1 { u32::from(read.lane) - 1 } else { (row.index % 3) as u32 },
                    shift: (row.index % 13) as i32 - 6,
                    caption: &caption,
                };
                fs::write(self.out.join(overview_path), jpeg(&glyphs.overview(&scene))?)?;
            }
        }
        Ok(())
    }

    /// Lists the SHA-256 of the two CSV files only: hashing every image would cost more than
    /// rendering them, and the importer hashes images as it stores them anyway.
    fn write_manifest(&self, cameras_sha256: &str, reads_sha256: &str) -> Result<(), DemoError> {
        #[derive(serde::Serialize)]
        struct Manifest<'a> {
            format: &'a str,
            source: String,
            created: String,
            files: BTreeMap<&'a str, &'a str>,
        }
        let manifest = Manifest {
            format: "anpr-bundle/1",
            source: format!("Demo force (synthetic data), seed {}", self.seed),
            // The anchor, not the wall clock: the same inputs give the same bytes.
            created: self.anchor.to_rfc3339_opts(SecondsFormat::Secs, true),
            files: BTreeMap::from([("cameras.csv", cameras_sha256), ("reads.csv", reads_sha256)]),
        };
        let mut text = serde_json::to_string_pretty(&manifest)?;
        text.push('\n');
        fs::write(self.out.join("manifest.json"), text)?;
        Ok(())
    }
}

fn bool_text(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// RFC 3339 in UTC with milliseconds, e.g. `2026-11-20T17:04:31.250Z`.
pub(crate) fn utc_millis(time_ms: i64) -> Result<String, DemoError> {
    Ok(instant(time_ms)?.to_rfc3339_opts(SecondsFormat::Millis, true))
}

fn utc_caption(time_ms: i64) -> Result<String, DemoError> {
    Ok(instant(time_ms)?.format("%Y-%m-%d %H:%M:%S UTC").to_string())
}

fn instant(time_ms: i64) -> Result<DateTime<Utc>, DemoError> {
    DateTime::from_timestamp_millis(time_ms).ok_or(DemoError::TimeOutOfRange)
}

/// Flushes a CSV file and returns the SHA-256 of everything written to it.
fn finish(csv: csv::Writer<HashingWriter>) -> Result<String, DemoError> {
    let mut file = csv.into_inner().map_err(|e| e.into_error())?;
    file.inner.flush()?;
    Ok(hex::encode(file.hasher.finalize()))
}

/// A buffered file that hashes what passes through it, so the manifest needs no second read.
struct HashingWriter {
    inner: BufWriter<File>,
    hasher: Sha256,
}

impl HashingWriter {
    fn create(path: &Path) -> io::Result<Self> {
        Ok(HashingWriter { inner: BufWriter::with_capacity(1 << 16, File::create(path)?), hasher: Sha256::new() })
    }
}

impl Write for HashingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.hasher.update(&buf[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl std::fmt::Debug for HashingWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashingWriter").finish_non_exhaustive()
    }
}
