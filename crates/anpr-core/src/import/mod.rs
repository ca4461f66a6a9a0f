//! Read-bundle import (bundle-format.md). Atomic per bundle: everything the bundle adds is
//! written in one transaction together with its audit entry, so a crash or kill leaves the
//! store as before and a re-run completes. Image bytes go to the content-addressed blob
//! store first (idempotent; a crash can only leave unreferenced blobs, never a read without
//! its image).

pub mod files;
pub mod foreign;
pub mod images;
pub mod rows;

use crate::audit::Outcome;
use crate::error::{Error, Result};
use crate::policy::roles::Privilege;
use crate::session::Session;
use crate::store::{self, cameras::CameraKey, images::Kind, reads::NewRead};
use anpr_types::{ImportIssue, ImportProgress, ImportStage, ImportSummary};
use files::BundleFiles;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::SqliteConnection;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub const FORMAT: &str = "anpr-bundle/1";
const READS: &str = "reads.csv";
const CAMERAS: &str = "cameras.csv";
const MANIFEST: &str = "manifest.json";
/// CSV and manifest files are read whole; refuse absurd ones rather than exhaust memory.
const MAX_TABLE_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// The progress callback of a long import.
pub type Progress<'a> = &'a mut (dyn FnMut(ImportProgress) + Send);

#[derive(Debug, serde::Deserialize)]
struct Manifest {
    format: String,
    source: Option<String>,
    #[serde(default)]
    files: BTreeMap<String, String>,
}

/// A bundle whose manifest and headers passed, or a foreign read file that parsed: what is
/// imported next.
#[derive(Debug)]
struct Prepared {
    source: Option<String>,
    /// The format imported, for the audit entry.
    format: &'static str,
    /// The file rejected reads are reported against: reads.csv, or the foreign file's name.
    reads_name: String,
    input: Input,
    /// Path -> SHA-256 of every file the import reads, for the bundle hash.
    hashed: BTreeMap<String, String>,
}

#[derive(Debug)]
enum Input {
    Bundle {
        files: BundleFiles,
        reads: Arc<[u8]>,
        cameras: Option<Vec<u8>>,
    },
    /// Image paths in a foreign file resolve inside its folder; embedded images come first.
    Foreign {
        folder: PathBuf,
        file: foreign::ForeignFile,
    },
}

impl Prepared {
    /// An image's bytes (bounded) and SHA-256, or why it cannot be had.
    fn image_bytes(&self, path: &str) -> std::result::Result<(Vec<u8>, String), String> {
        match &self.input {
            Input::Bundle { files, .. } => files.resolve(path).and_then(|p| images::read_bounded(&p)),
            Input::Foreign { folder, file } => match file.embedded.get(path) {
                Some(Ok(bytes)) => Ok((bytes.clone(), crate::blobs::sha256_hex(bytes))),
                Some(Err(reason)) => Err(reason.clone()),
                None => files::resolve_in(folder, path).and_then(|p| images::read_bounded(&p)),
            },
        }
    }

    fn unknown_camera(&self, camera_id: &str) -> String {
        match &self.input {
            Input::Bundle { .. } => {
                format!("camera_id {camera_id:?} is in neither cameras.csv nor the camera register")
            }
            Input::Foreign { .. } => format!(
                "camera {camera_id:?} is not in the camera register and the file gives no position for it \
                 (NASPLE 7.3.1): register it (a bundle's cameras.csv) and import again"
            ),
        }
    }
}

fn refuse(reason: impl Into<String>, files: Vec<String>) -> Error {
    Error::BundleRefused { reason: reason.into(), files }
}

fn read_table(files: &BundleFiles, name: &str) -> Result<Option<(Vec<u8>, String)>> {
    if !files.contains(name) {
        return Ok(None);
    }
    let path = files.resolve(name).map_err(|e| refuse(e, vec![name.into()]))?;
    let len = std::fs::metadata(&path).map_err(|e| Error::io(format!("reading {name}"), e))?.len();
    if len > MAX_TABLE_BYTES {
        return Err(refuse(format!("{name} is larger than 4 GiB"), vec![name.into()]));
    }
    let bytes = std::fs::read(&path).map_err(|e| Error::io(format!("reading {name}"), e))?;
    let sha = crate::blobs::sha256_hex(&bytes);
    Ok(Some((bytes, sha)))
}

fn file_sha256(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        match file.read(&mut buffer)? {
            0 => return Ok(hex::encode(hasher.finalize())),
            n => hasher.update(&buffer[..n]),
        }
    }
}

/// Walks the bundle, checks the manifest (every listed hash, before anything is imported) and
/// the CSV headers; any failure refuses the bundle whole.
fn prepare(dir: &Path, progress: Progress) -> Result<Prepared> {
    if !dir.is_dir() {
        return Err(refuse(format!("{} is not a folder", dir.display()), vec![]));
    }
    let files = BundleFiles::walk(dir).map_err(|e| Error::io(format!("walking {}", dir.display()), e))?;
    let mut hashed = BTreeMap::new();
    let mut source = None;
    if let Some((bytes, sha)) = read_table(&files, MANIFEST)? {
        hashed.insert(MANIFEST.to_owned(), sha);
        let manifest: Manifest = serde_json::from_slice(&bytes)
            .map_err(|e| refuse(format!("manifest.json is not valid: {e}"), vec![MANIFEST.into()]))?;
        if manifest.format != FORMAT {
            return Err(refuse(
                format!("manifest format {:?} is not {FORMAT}", manifest.format),
                vec![MANIFEST.into()],
            ));
        }
        source = manifest.source;
        let total = manifest.files.len() as u64;
        let mut bad = Vec::new();
        for (done, (name, expected)) in manifest.files.iter().enumerate() {
            progress(ImportProgress { stage: ImportStage::CheckingManifest, done: done as u64, total });
            let actual = files.resolve(name).and_then(|p| file_sha256(&p).map_err(|e| e.to_string()));
            match actual {
                Ok(sha) if sha.eq_ignore_ascii_case(expected) => {}
                Ok(_) => bad.push(format!("{name}: SHA-256 does not match the manifest")),
                Err(reason) => bad.push(format!("{name}: {reason}")),
            }
        }
        if !bad.is_empty() {
            return Err(refuse(format!("{} file(s) do not match manifest.json", bad.len()), bad));
        }
    }
    let Some((reads, sha)) = read_table(&files, READS)? else {
        return Err(refuse("reads.csv is missing", vec![READS.into()]));
    };
    hashed.insert(READS.to_owned(), sha);
    check_header(&reads, READS, rows::READ_COLUMNS, rows::READ_REQUIRED)?;
    let cameras = match read_table(&files, CAMERAS)? {
        Some((bytes, sha)) => {
            hashed.insert(CAMERAS.to_owned(), sha);
            check_header(&bytes, CAMERAS, rows::CAMERA_COLUMNS, rows::CAMERA_REQUIRED)?;
            Some(bytes)
        }
        None => None,
    };
    let input = Input::Bundle { files, reads: reads.into(), cameras };
    Ok(Prepared { source, format: FORMAT, reads_name: READS.into(), input, hashed })
}

/// The CSV reader every bundle table and evaluation file is read with (public for the fuzz
/// targets, docs/fuzzing.md).
#[doc(hidden)]
pub fn csv_reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    csv::ReaderBuilder::new().flexible(true).from_reader(bytes)
}

fn check_header(bytes: &[u8], name: &str, known: &[&'static str], required: &[&str]) -> Result<rows::Columns> {
    let header = csv_reader(bytes)
        .headers()
        .map_err(|e| refuse(format!("{name}: unreadable header: {e}"), vec![name.into()]))?
        .clone();
    rows::Columns::from_header(&header, known, required).map_err(|missing| {
        refuse(format!("{name} lacks required column(s): {}", missing.join(", ")), vec![name.into()])
    })
}

/// Checks a bundle folder as an import would before reading any row (manifest, its hashes,
/// headers), importing nothing: the entry point of the manifest fuzz target (docs/fuzzing.md).
#[doc(hidden)]
pub fn check_bundle(dir: &Path) -> Result<()> {
    prepare(dir, &mut |_| {}).map(drop)
}

/// Runs `f` over `items` on every core, keeping order: image hashing and decoding dominate
/// an import with images.
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
    if workers < 2 || items.len() < 2 {
        return items.iter().map(&f).collect();
    }
    let size = items.len().div_ceil(workers);
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            items.chunks(size).map(|chunk| scope.spawn(|| chunk.iter().map(&f).collect::<Vec<_>>())).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    })
}

/// A line number and its read, or why it is rejected.
pub(crate) type Parsed = (u64, std::result::Result<rows::ReadRow, String>);

/// Parses reads.csv into batches for the writer; stops early if the writer has gone.
fn parse_reads(bytes: &[u8], fields: rows::ReadFields, sender: tokio::sync::mpsc::Sender<Vec<Parsed>>) {
    let mut batch = Vec::with_capacity(store::reads::BATCH);
    for record in csv_reader(bytes).records() {
        batch.push(match record {
            Ok(r) => (r.position().map_or(0, |p| p.line()), rows::read(&fields, &r)),
            Err(e) => (e.position().map_or(0, |p| p.line()), Err(format!("unreadable CSV row: {e}"))),
        });
        if batch.len() == store::reads::BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(store::reads::BATCH));
            if sender.blocking_send(full).is_err() {
                return;
            }
        }
    }
    if !batch.is_empty() {
        let _ = sender.blocking_send(batch);
    }
}

/// Hands a foreign file's parsed reads to the writer in batches.
fn send_parsed(parsed: &[Parsed], sender: tokio::sync::mpsc::Sender<Vec<Parsed>>) {
    for batch in parsed.chunks(store::reads::BATCH) {
        if sender.blocking_send(batch.to_vec()).is_err() {
            return;
        }
    }
}

/// An image file read and hashed, and, when new to the store, verified and stored.
#[derive(Debug)]
struct StagedImage {
    sha256: String,
    checked: Option<images::CheckedImage>,
    thumbnail: Option<(Vec<u8>, u32, u32)>,
}

/// The state of one import while it runs.
struct Run<'a> {
    session: &'a Session,
    prepared: &'a Prepared,
    import_id: i64,
    now: i64,
    summary: ImportSummary,
    cameras: HashMap<String, CameraKey>,
    seen: HashSet<String>,
    /// Reads deleted as incorrect (9.7): never brought back by importing their bundle again.
    deleted: HashSet<String>,
    /// Image path -> stored image id (or why it was refused), so a shared image is checked once.
    by_path: HashMap<String, Result<i64, String>>,
}

impl Run<'_> {
    fn issue(&mut self, file: &str, line: u64, reason: impl Into<String>) {
        self.summary.errors.push(ImportIssue { file: file.into(), line, reason: reason.into() });
    }

    async fn import_cameras(&mut self, tx: &mut SqliteConnection) -> Result<()> {
        if let Input::Foreign { file, .. } = &self.prepared.input {
            for camera in &file.cameras {
                if store::cameras::insert_new(tx, camera, self.import_id, self.now).await? {
                    self.summary.cameras_added += 1;
                }
            }
        }
        if let Input::Bundle { cameras: Some(bytes), .. } = &self.prepared.input {
            let mut reader = csv_reader(bytes);
            let columns = check_header(bytes, CAMERAS, rows::CAMERA_COLUMNS, rows::CAMERA_REQUIRED)?;
            if !columns.unknown.is_empty() {
                self.summary
                    .warnings
                    .push(format!("cameras.csv: unknown column(s) ignored: {}", columns.unknown.join(", ")));
            }
            for record in reader.records() {
                let (line, parsed) = match record {
                    Ok(r) => (r.position().map_or(0, |p| p.line()), rows::camera(&columns, &r)),
                    Err(e) => (e.position().map_or(0, |p| p.line()), Err(format!("unreadable CSV row: {e}"))),
                };
                match parsed {
                    Ok(camera) => {
                        if store::cameras::insert_new(tx, &camera, self.import_id, self.now).await? {
                            self.summary.cameras_added += 1;
                        }
                    }
                    Err(reason) => self.issue(CAMERAS, line, reason),
                }
            }
        }
        self.cameras = store::cameras::keys(tx).await?.into_iter().map(|c| (c.camera_id.clone(), c)).collect();
        Ok(())
    }

    async fn import_reads(
        &mut self,
        tx: &mut SqliteConnection,
        progress: Progress<'_>,
        cancel: &AtomicBool,
    ) -> Result<()> {
        // Parsing runs on its own thread, a few batches ahead, while this one writes: the two
        // halves of an import overlap instead of taking turns. A foreign file is parsed already.
        let (sender, mut batches) = tokio::sync::mpsc::channel(4);
        let (total, parser) = match &self.prepared.input {
            Input::Bundle { reads, .. } => {
                let bytes = Arc::clone(reads);
                let total = bytes.iter().filter(|&&b| b == b'\n').count().saturating_sub(1) as u64;
                let columns = check_header(&bytes, READS, rows::READ_COLUMNS, rows::READ_REQUIRED)?;
                if !columns.unknown.is_empty() {
                    let unknown = columns.unknown.join(", ");
                    self.summary.warnings.push(format!("reads.csv: unknown column(s) ignored: {unknown}"));
                }
                let fields = rows::ReadFields::new(&columns);
                (total, std::thread::spawn(move || parse_reads(&bytes, fields, sender)))
            }
            Input::Foreign { file, .. } => {
                let parsed = Arc::clone(&file.reads);
                (parsed.len() as u64, std::thread::spawn(move || send_parsed(&parsed, sender)))
            }
        };
        // A bundle larger than the store is a bulk load: build the secondary indexes once at
        // the end rather than row by row.
        let bulk = total as i64 > store::reads::max_id(tx).await?;
        let indexes = if bulk { store::reads::secondary_indexes(tx).await? } else { Vec::new() };
        store::reads::drop_indexes(tx, &indexes).await?;
        let mut done = 0u64;
        while let Some(batch) = batches.recv().await {
            let mut good = Vec::with_capacity(batch.len());
            for (line, parsed) in batch {
                done += 1;
                match parsed {
                    Ok(row) => good.push((line, row)),
                    Err(reason) => self.reject(line, reason),
                }
            }
            self.import_batch(tx, good).await?;
            progress(ImportProgress { stage: ImportStage::Reads, done, total: total.max(done) });
            if cancel.load(Ordering::Relaxed) {
                return Err(Error::Cancelled);
            }
        }
        parser.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        progress(ImportProgress { stage: ImportStage::Committing, done: 0, total: 1 });
        store::reads::restore_indexes(tx, &indexes).await
    }

    fn reject(&mut self, line: u64, reason: String) {
        self.summary.reads_rejected += 1;
        self.issue_read(line, reason);
    }

    fn issue_read(&mut self, line: u64, reason: impl Into<String>) {
        let file = self.prepared.reads_name.clone();
        self.issue(&file, line, reason);
    }

    async fn import_batch(&mut self, tx: &mut SqliteConnection, batch: Vec<(u64, rows::ReadRow)>) -> Result<()> {
        // Reads with images that are already stored (or earlier in this bundle) are found before
        // their images are checked, to spare that work; reads without images are left to the
        // insert's ON CONFLICT, which counts them anyway.
        let has_images = |r: &rows::ReadRow| r.plate_image.is_some() || r.overview_image.is_some();
        let ids: Vec<&str> = batch.iter().filter(|(_, r)| has_images(r)).map(|(_, r)| r.read_id.as_str()).collect();
        let stored = store::reads::existing(tx, &ids).await?;
        let mut fresh = Vec::with_capacity(batch.len());
        for (line, row) in batch {
            if !self.deleted.is_empty() && self.deleted.contains(&row.read_id) {
                self.reject(
                    line,
                    format!("read {} was deleted as incorrect (NASPLE 9.7); not imported again", row.read_id),
                );
            } else if has_images(&row) && (stored.contains(&row.read_id) || !self.seen.insert(row.read_id.clone())) {
                self.summary.reads_duplicate += 1;
            } else if !self.cameras.contains_key(&row.camera_id) {
                self.reject(line, self.prepared.unknown_camera(&row.camera_id));
            } else {
                fresh.push((line, row));
            }
        }
        self.stage_images(tx, &fresh).await?;
        let mut reads = Vec::with_capacity(fresh.len());
        for (line, row) in fresh {
            let camera = &self.cameras[&row.camera_id];
            let (camera_id, latitude, longitude) = (camera.id, camera.latitude, camera.longitude);
            if row.plate_image.is_none() && row.vrm.is_some() && camera.has_imagery {
                self.issue_read(line, "no plate patch for this read (mandatory for LEA-owned systems, NASPLE 7.4.5)");
            }
            let plate_image = self.image_of(line, "plate_image", row.plate_image.as_deref());
            let overview_image = self.image_of(line, "overview_image", row.overview_image.as_deref());
            reads.push(NewRead {
                camera: camera_id,
                latitude: row.latitude.unwrap_or(latitude),
                longitude: row.longitude.unwrap_or(longitude),
                read_id: row.read_id,
                vrm_as_read: row.vrm_as_read,
                vrm: row.vrm,
                read_time: row.read_time_ms,
                lane: row.lane,
                direction: row.direction,
                confidence: row.confidence,
                plate_image,
                overview_image,
            });
        }
        let inserted = store::reads::insert_many(tx, &reads, self.import_id, self.now).await?;
        self.summary.reads_accepted += inserted;
        self.summary.reads_duplicate += reads.len() as u64 - inserted;
        Ok(())
    }

    /// The stored image for a read's column, counting it, or the reported reason it was refused.
    fn image_of(&mut self, line: u64, column: &str, path: Option<&str>) -> Option<i64> {
        let path = path?;
        match self.by_path.get(path) {
            Some(Ok(id)) => {
                self.summary.images_stored += 1;
                Some(*id)
            }
            Some(Err(reason)) => {
                let reason = format!("{column} {path}: {reason}");
                self.summary.images_rejected += 1;
                self.issue_read(line, reason);
                None
            }
            None => None,
        }
    }

    /// Reads, hashes, verifies and stores the batch's new images, on every core.
    async fn stage_images(&mut self, tx: &mut SqliteConnection, fresh: &[(u64, rows::ReadRow)]) -> Result<()> {
        let mut wanted: Vec<(String, Kind)> = Vec::new();
        for (_, row) in fresh {
            for (path, kind) in [(&row.plate_image, Kind::PlatePatch), (&row.overview_image, Kind::Overview)] {
                if let Some(path) = path
                    && !self.by_path.contains_key(path)
                    && !wanted.iter().any(|(p, _)| p == path)
                {
                    wanted.push((path.clone(), kind));
                }
            }
        }
        if wanted.is_empty() {
            return Ok(());
        }
        let prepared = self.prepared;
        let read = par_map(&wanted, |(path, _)| prepared.image_bytes(path));
        // Content the store already holds was verified when stored: no second decode.
        let shas: Vec<&str> = read.iter().filter_map(|r| r.as_ref().ok()).map(|(_, sha)| sha.as_str()).collect();
        let mut known = store::images::ids_of(tx, &shas).await?;
        let blobs = self.session.workstation().blobs();
        let inputs: Vec<_> = read.into_iter().zip(wanted.iter().map(|(_, k)| *k)).collect();
        let staged = par_map(&inputs, |(r, kind)| -> Result<StagedImage, String> {
            let (bytes, sha) = r.as_ref().map_err(Clone::clone)?;
            if known.contains_key(sha) {
                return Ok(StagedImage { sha256: sha.clone(), checked: None, thumbnail: None });
            }
            let mut checked = images::check(bytes.clone(), sha.clone())?;
            blobs.put(sha, &checked.bytes).map_err(|e| e.to_string())?;
            let decoded = checked.decoded.take();
            let thumbnail = match (kind, decoded) {
                (Kind::Overview, Some(decoded)) => {
                    let thumb = images::thumbnail(&decoded)?;
                    blobs.put(&crate::blobs::sha256_hex(&thumb.0), &thumb.0).map_err(|e| e.to_string())?;
                    Some(thumb)
                }
                _ => None,
            };
            Ok(StagedImage { sha256: sha.clone(), checked: Some(checked), thumbnail })
        });
        for ((path, kind), result) in wanted.into_iter().zip(staged) {
            let id = match result {
                Ok(image) => Ok(self.record_image(tx, &mut known, kind, image).await?),
                Err(reason) => Err(reason),
            };
            self.by_path.insert(path, id);
        }
        Ok(())
    }

    async fn record_image(
        &mut self,
        tx: &mut SqliteConnection,
        known: &mut HashMap<String, i64>,
        kind: Kind,
        image: StagedImage,
    ) -> Result<i64> {
        if let Some(id) = known.get(&image.sha256) {
            return Ok(*id);
        }
        let Some(checked) = image.checked else {
            return Err(Error::Invalid(format!("image {} was neither known nor checked", image.sha256)));
        };
        let record = store::images::NewImage {
            sha256: &checked.sha256,
            kind,
            format: checked.format,
            bytes: checked.bytes.len() as i64,
            width: checked.width,
            height: checked.height,
            derived_from: None,
        };
        let id = store::images::insert(tx, &record).await?;
        known.insert(checked.sha256.clone(), id);
        if let Some((thumb, width, height)) = image.thumbnail {
            let sha = crate::blobs::sha256_hex(&thumb);
            if store::images::id_of(tx, &sha).await?.is_none() {
                let record = store::images::NewImage {
                    sha256: &sha,
                    kind: Kind::Thumbnail,
                    format: "jpeg",
                    bytes: thumb.len() as i64,
                    width,
                    height,
                    derived_from: Some(id),
                };
                store::images::insert(tx, &record).await?;
            }
        }
        Ok(id)
    }
}

/// The bundle hash: SHA-256 over `path<TAB>sha256<LF>` of every file the import read, sorted
/// by path (docs/formats.md).
fn bundle_hash(hashed: &BTreeMap<String, String>) -> String {
    let mut hasher = Sha256::new();
    for (path, sha) in hashed {
        hasher.update(format!("{path}\t{sha}\n").as_bytes());
    }
    hex::encode(hasher.finalize())
}

impl Session {
    /// Imports a read bundle (bundle-format.md). Bad rows and images are reported and never
    /// stop good ones; a refused bundle imports nothing. Audited whatever the outcome.
    pub async fn import_bundle(
        &self,
        dir: &Path,
        progress: Progress<'_>,
        cancel: &AtomicBool,
    ) -> Result<ImportSummary> {
        self.import_prepared(dir, progress, cancel, |progress| prepare(dir, progress)).await
    }

    /// Imports a read file of another system (docs/foreign-formats.md), its format found by
    /// content, with the bundle importer's promises: one transaction, bad records reported
    /// with their line, images checked, audited whatever the outcome.
    pub async fn import_foreign(
        &self,
        file: &Path,
        progress: Progress<'_>,
        cancel: &AtomicBool,
    ) -> Result<ImportSummary> {
        self.import_prepared(file, progress, cancel, |_| foreign::prepare(file)).await
    }

    /// Imports a read bundle folder, or any other path as a foreign read file.
    pub async fn import_path(&self, path: &Path, progress: Progress<'_>, cancel: &AtomicBool) -> Result<ImportSummary> {
        if path.is_dir() {
            self.import_bundle(path, progress, cancel).await
        } else {
            self.import_foreign(path, progress, cancel).await
        }
    }

    async fn import_prepared(
        &self,
        path: &Path,
        progress: Progress<'_>,
        cancel: &AtomicBool,
        prepare: impl FnOnce(Progress<'_>) -> Result<Prepared>,
    ) -> Result<ImportSummary> {
        let object = path.display().to_string();
        self.authorise(Privilege::Import, "import", &object).await?;
        let started = self.now();
        let prepared = match prepare(progress) {
            Ok(p) => p,
            Err(e) => {
                let mut tx = store::begin_write(&self.workstation().pool).await?;
                let details = match &e {
                    Error::BundleRefused { reason, files } => json!({ "refused": reason, "files": files }),
                    other => json!({ "error": other.to_string() }),
                };
                self.audit(&mut tx, "import", &object, Outcome::Failed, details).await?;
                tx.commit().await?;
                return Err(e);
            }
        };
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        // Files an earlier import left uncommitted (killed, cancelled) go before this one
        // stores any: a crash never leaves unrecorded images behind for long (8.9.3).
        self.workstation().remove_orphan_blobs(&mut tx).await?;
        let record = store::imports::NewImport {
            bundle_path: &object,
            source: prepared.source.as_deref(),
            user_id: self.actor().id,
            started_at: store::to_ms(started),
        };
        let import_id = store::imports::begin(&mut tx, &record).await?;
        let mut run = Run {
            session: self,
            prepared: &prepared,
            import_id,
            now: store::to_ms(started),
            summary: ImportSummary { bundle: object.clone(), ..Default::default() },
            cameras: HashMap::new(),
            seen: HashSet::new(),
            deleted: store::corrections::deleted_read_ids(&mut tx).await?.into_iter().collect(),
            by_path: HashMap::new(),
        };
        progress(ImportProgress { stage: ImportStage::Cameras, done: 0, total: 1 });
        run.import_cameras(&mut tx).await?;
        run.import_reads(&mut tx, progress, cancel).await?;
        progress(ImportProgress { stage: ImportStage::Committing, done: 0, total: 1 });
        let mut hashed = prepared.hashed.clone();
        for (path, result) in &run.by_path {
            if let Ok(id) = result {
                hashed.insert(path.clone(), image_sha(&mut tx, *id).await?);
            }
        }
        let mut summary = run.summary;
        // Issues are found batch by batch; report them in file and line order.
        summary.errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        summary.bundle_sha256 = bundle_hash(&hashed);
        store::imports::finish(&mut tx, import_id, &summary, store::to_ms(self.now())).await?;
        let details = json!({
            "import_id": import_id, "bundle_sha256": summary.bundle_sha256, "source": prepared.source,
            "format": prepared.format,
            "reads_accepted": summary.reads_accepted, "reads_duplicate": summary.reads_duplicate,
            "reads_rejected": summary.reads_rejected, "images_stored": summary.images_stored,
            "images_rejected": summary.images_rejected, "cameras_added": summary.cameras_added,
        });
        self.audit(&mut tx, "import", &object, Outcome::Success, details).await?;
        tx.commit().await?;
        Ok(summary)
    }
}

async fn image_sha(tx: &mut SqliteConnection, id: i64) -> Result<String> {
    Ok(sqlx::query_scalar("SELECT sha256 FROM images WHERE id = ?").bind(id).fetch_one(tx).await?)
}
