//! Issuing a package to disk (`bundle.pdf`, `sensitive-schedule.pdf`, `originals/`,
//! `reads.csv`, `manifest.json` written last) with its disclosure record, and verifying one.

use super::document::{Bundle, Exhibit, Picture, Schedule, Scope, SensitiveCamera};
use super::{disclosure_view, exhibit_reference, location, pdf, preview};
use crate::audit::Outcome;
use crate::blobs::sha256_hex;
use crate::error::{Error, Result};
use crate::policy::roles::Privilege;
use crate::session::Session;
use crate::store::{self, evidence as sql};
use anpr_types::{IssueReport, IssueRequest, VerifyReport};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use sqlx::SqliteConnection;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

const MANIFEST: &str = "manifest.json";
const BUNDLE_PDF: &str = "bundle.pdf";
const SCHEDULE_PDF: &str = "sensitive-schedule.pdf";

/// The pages of a package's two PDFs as PNG images, bundle first.
#[derive(Debug, Clone)]
pub struct PackagePreview {
    pub bundle: Vec<Vec<u8>>,
    pub schedule: Vec<Vec<u8>>,
    pub exhibits: usize,
}
const FORMAT: &str = "ANPR Workstation evidence package 1";

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
    let context = context.into();
    move |e| Error::io(context, e)
}

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The files of a package, assembled in memory before anything is written.
struct Files {
    /// Relative path -> bytes; `BTreeMap` so the manifest lists them in a stable order.
    files: BTreeMap<String, Vec<u8>>,
    /// Relative path of each original -> (exhibit, read id).
    originals: BTreeMap<String, (String, String)>,
}

/// A search's pattern as the scope statement shows it, naming the analysis (docs/analysis.md)
/// when the search was one, and the format when it was exported (docs/export.md).
fn analysed(request: &Value, pattern: String) -> String {
    let searched = match (request["analysis"].as_str(), request["parameters"]["vrms"].as_array()) {
        (Some("list"), Some(vrms)) => format!("list analysis of {} VRM(s)", vrms.len()),
        (Some(kind), _) => format!("{pattern} ({kind} analysis)"),
        (None, _) => pattern,
    };
    match request["export"].as_str() {
        Some(format) => format!("{searched}, exported as {}", format.to_uppercase()),
        None => searched,
    }
}

impl Session {
    async fn picture(
        &self,
        conn: &mut SqliteConnection,
        sha: &Option<String>,
        file: String,
    ) -> Result<Option<Picture>> {
        let Some(sha) = sha else { return Ok(None) };
        let image = store::images::by_sha(conn, sha).await?.ok_or_else(|| Error::NotFound(format!("image {sha}")))?;
        // Verified against its hash on the way out of the blob store.
        let bytes = self.workstation().blobs().get(sha)?;
        let file = format!("{file}.{}", if image.format == "png" { "png" } else { "jpg" });
        Ok(Some(Picture { bytes, file, sha256: image.sha256, width: image.width as u32, height: image.height as u32 }))
    }

    /// The searches that found the reads (from the audit trail), for the scope statement.
    async fn scope(&self, conn: &mut SqliteConnection, investigation: &str) -> Result<Vec<Scope>> {
        let text = |v: &Value| match v {
            Value::Null => "any".to_owned(),
            Value::String(s) => s.clone(),
            Value::Array(a) if a.is_empty() => "any".to_owned(),
            other => other.to_string(),
        };
        let time = |v: &Value| {
            v.as_str()
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                .map_or_else(|| text(v), |t| crate::time::uk(t.to_utc()))
        };
        Ok(store::audit::searches_for(conn, investigation, 20)
            .await?
            .into_iter()
            .map(|row| {
                let d: Value = serde_json::from_str(&row.details).unwrap_or_default();
                Scope {
                    pattern: analysed(&d["request"], text(&d["request"]["vrm"])),
                    period: format!("{} to {}", time(&d["period"]["from"]), time(&d["period"]["to"])),
                    cameras: text(&d["request"]["cameras"]),
                    purpose: format!("{} ({})", text(&d["request"]["purpose"]), text(&d["basis"])),
                    authority: row.authority.unwrap_or_else(|| "none needed".into()),
                }
            })
            .collect())
    }

    /// Writes the court bundle of a package to `request.out_dir` and records the disclosure.
    /// Refused (and audited) when a camera's location is asked for above what its controller
    /// consented to (9.4.3). The folder appears whole or not at all.
    pub async fn issue_package(&self, request: &IssueRequest) -> Result<IssueReport> {
        let started = Instant::now();
        let object = format!("package {}", request.package);
        self.authorise(Privilege::Disclose, "evidence.issue", &object).await?;
        for (field, text) in
            [("recipient", &request.recipient), ("reason", &request.reason), ("output folder", &request.out_dir)]
        {
            if text.trim().is_empty() {
                return Err(Error::Invalid(format!("the {field} is required (NASPLE 9.4.3.7)")));
            }
        }
        let out = PathBuf::from(request.out_dir.trim());
        if out.exists() && out.read_dir().map_err(io(format!("reading {}", out.display())))?.next().is_some() {
            return Err(Error::Invalid(format!(
                "{} is not empty; a package needs a new or empty folder",
                out.display()
            )));
        }
        let (row, bundle, files) = self.documents(request, "evidence.issue").await?;
        let manifest = manifest(&row.number, &row.investigation, &bundle.generated_utc, request, &files);
        let manifest_sha = sha256_hex(&manifest);
        let written = write_folder(&out, &files, &manifest)?;

        let recorded = async {
            let mut tx = store::begin_write(&self.workstation().pool).await?;
            let disclosure = sql::NewDisclosure {
                package: row.id,
                disclosed_by: self.actor().id,
                recipient: request.recipient.trim(),
                reason: request.reason.trim(),
                authority: request.authority.as_deref().map(str::trim).filter(|a| !a.is_empty()),
                level: request.level.as_str(),
                exhibits: bundle.exhibits.len() as i64,
                at: store::to_ms(self.now()),
                manifest_sha256: &manifest_sha,
                out_dir: &out.display().to_string(),
            };
            let reference = sql::insert_disclosure(&mut tx, &disclosure).await?;
            sql::set_issued(&mut tx, row.id).await?;
            let details = json!({ "package": row.number, "recipient": disclosure.recipient, "reason": disclosure.reason,
                "authority": disclosure.authority, "level": disclosure.level, "camera_levels": request.camera_levels,
                "exhibits": disclosure.exhibits,
                "manifest_sha256": manifest_sha, "out_dir": disclosure.out_dir });
            self.audit(&mut tx, "evidence.issue", &reference, Outcome::Success, details).await?;
            let view = sql::disclosures(&mut tx).await?.into_iter().find(|d| d.reference == reference);
            let view = disclosure_view(view.ok_or_else(|| Error::NotFound(reference))?)?;
            tx.commit().await?;
            Ok::<_, Error>(view)
        };
        let disclosure = match recorded.await {
            Ok(d) => d,
            Err(e) => {
                // Nothing is disclosed without its record: the folder goes if the record failed.
                let _ = std::fs::remove_dir_all(&out);
                return Err(e);
            }
        };
        let bytes = written.iter().map(|(_, _, n)| n).sum();
        Ok(IssueReport {
            disclosure,
            files: written.into_iter().map(|(path, sha, _)| (path, sha)).collect(),
            bytes,
            millis: started.elapsed().as_millis() as u64,
        })
    }

    /// The package's files as issuing them now would write them, both PDFs included; a
    /// refusal (a location above its consent, 9.4.3) is audited under `action`.
    async fn documents(&self, request: &IssueRequest, action: &str) -> Result<(sql::PackageRow, Bundle, Files)> {
        let mut conn = self.workstation().pool.acquire().await?;
        let object = format!("package {}", request.package);
        let row = sql::package(&mut conn, request.package).await?.ok_or_else(|| Error::NotFound(object))?;
        let (bundle, schedule, mut files) = match self.assemble(&mut conn, &row, request).await? {
            Ok(assembled) => assembled,
            Err(refusal) => {
                drop(conn);
                let details = json!({ "level": request.level.as_str(), "camera_levels": request.camera_levels,
                    "consent_ref": request.consent_ref });
                return self.refuse(action, &row.number, refusal, details).await;
            }
        };
        drop(conn);
        let pdf_error = |e: pdf::PdfError| Error::Invalid(e.to_string());
        files.files.insert(BUNDLE_PDF.into(), pdf::bundle_pdf(&bundle).map_err(pdf_error)?);
        files.files.insert(SCHEDULE_PDF.into(), pdf::schedule_pdf(&schedule).map_err(pdf_error)?);
        Ok((row, bundle, files))
    }

    /// Every page of the bundle and of the schedule as the court and the prosecutor would see
    /// them if the package were issued now with `request` (recipient and reason may still be
    /// blank). Nothing is written or disclosed; the preview is audited, as it shows the reads.
    pub async fn preview_package(&self, request: &IssueRequest) -> Result<PackagePreview> {
        let object = format!("package {}", request.package);
        self.authorise(Privilege::Disclose, "evidence.preview", &object).await?;
        let (row, bundle, mut files) = self.documents(request, "evidence.preview").await?;
        let mut take = |name: &str| files.files.remove(name).unwrap_or_default();
        let (bundle_pdf, schedule_pdf) = (take(BUNDLE_PDF), take(SCHEDULE_PDF));
        // Rasterising is CPU work of a fraction of a second per page: off the async workers.
        let rendered = tokio::task::spawn_blocking(move || {
            Ok::<_, preview::PreviewError>((
                preview::pages(bundle_pdf, preview::SCALE)?,
                preview::pages(schedule_pdf, preview::SCALE)?,
            ))
        })
        .await
        .map_err(|e| Error::Invalid(format!("the preview stopped: {e}")))?
        .map_err(|e| Error::Invalid(e.to_string()))?;
        let preview = PackagePreview { bundle: rendered.0, schedule: rendered.1, exhibits: bundle.exhibits.len() };
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let details = json!({ "level": request.level.as_str(), "camera_levels": request.camera_levels,
            "exhibits": preview.exhibits, "bundle_pages": preview.bundle.len(),
            "schedule_pages": preview.schedule.len() });
        self.audit(&mut tx, "evidence.preview", &row.number, Outcome::Success, details).await?;
        tx.commit().await?;
        Ok(preview)
    }

    /// Everything the package will hold, decided: locations at their level (or the refusal),
    /// pictures, continuity, scope and the schedule.
    async fn assemble(
        &self,
        conn: &mut SqliteConnection,
        row: &sql::PackageRow,
        request: &IssueRequest,
    ) -> Result<std::result::Result<(Bundle, Schedule, Files), crate::policy::Refusal>> {
        let visibility = self.visibility(conn).await?;
        let reads = sql::exhibit_reads(conn, row.id).await?;
        if reads.is_empty() {
            return Err(Error::Invalid(format!("package {} has no exhibits", row.number)));
        }
        let consent_ref = request.consent_ref.as_deref().map(str::trim).filter(|r| !r.is_empty());
        let actor = self.actor();
        let now = self.now();
        let mut files = Files { files: BTreeMap::new(), originals: BTreeMap::new() };
        let mut exhibits = Vec::new();
        let mut cameras: BTreeMap<String, SensitiveCamera> = BTreeMap::new();
        let mut csv = csv::Writer::from_writer(Vec::new());
        let header = [
            "exhibit",
            "read_id",
            "vrm",
            "time_utc",
            "time_uk",
            "location",
            "location_level",
            "direction",
            "lane",
            "plate_image_file",
            "plate_image_sha256",
            "overview_image_file",
            "overview_image_sha256",
        ];
        csv.write_record(header).map_err(|e| Error::Invalid(e.to_string()))?;
        for (n, id) in reads.into_iter().enumerate() {
            let read = store::reads::view(conn, &visibility, id)
                .await?
                .ok_or_else(|| Error::NotFound(format!("read {id}")))?;
            let camera = store::cameras::record(conn, &read.camera_id)
                .await?
                .ok_or_else(|| Error::NotFound(read.camera_id.clone()))?;
            let consents = sql::consents_of(conn, &camera.camera_id).await?;
            let level =
                request.camera_levels.iter().find(|(id, _)| *id == camera.camera_id).map_or(request.level, |c| c.1);
            let (location, consent) = match location::describe(&camera, level, &consents, consent_ref) {
                Ok(described) => described,
                Err(refusal) => return Ok(Err(refusal)),
            };
            let reference = exhibit_reference(&actor.full_name, n + 1);
            let file_stem = format!("originals/{}", reference.replace('/', "_"));
            let plate = self.picture(conn, &read.plate_sha, format!("{file_stem}_plate")).await?;
            let overview = self.picture(conn, &read.overview_sha, format!("{file_stem}_overview")).await?;
            let import = store::imports::view(conn, read.import_id)
                .await?
                .ok_or_else(|| Error::NotFound(format!("import {}", read.import_id)))?;
            let time = store::from_ms(read.read_time);
            let exhibit = Exhibit {
                reference: reference.clone(),
                vrm: read.vrm_as_read.clone(),
                time_uk: crate::time::uk(time),
                time_utc: rfc(time),
                location,
                location_level: format!("level {}: {}", level.number(), level.label()),
                consent,
                direction: read.direction.clone(),
                lane: read.lane,
                plate,
                overview,
                continuity: format!(
                    "Read {} imported from bundle {} (SHA-256 {}) by {} on {}",
                    read.read_id,
                    import.bundle_path,
                    import.bundle_sha256,
                    import.username,
                    crate::time::uk(store::from_ms(import.finished_at))
                ),
            };
            let picture_cells = |p: &Option<Picture>| {
                p.as_ref().map_or((String::new(), String::new()), |p| (p.file.clone(), p.sha256.clone()))
            };
            let (plate_file, plate_sha) = picture_cells(&exhibit.plate);
            let (overview_file, overview_sha) = picture_cells(&exhibit.overview);
            let lane = exhibit.lane.map(|l| l.to_string()).unwrap_or_default();
            csv.write_record([
                reference.as_str(),
                &read.read_id,
                &exhibit.vrm,
                &exhibit.time_utc,
                &exhibit.time_uk,
                &exhibit.location,
                &exhibit.location_level,
                exhibit.direction.as_deref().unwrap_or(""),
                &lane,
                &plate_file,
                &plate_sha,
                &overview_file,
                &overview_sha,
            ])
            .map_err(|e| Error::Invalid(e.to_string()))?;
            for picture in [&exhibit.plate, &exhibit.overview].into_iter().flatten() {
                files.files.insert(picture.file.clone(), picture.bytes.clone());
                files.originals.insert(picture.file.clone(), (reference.clone(), read.read_id.clone()));
            }
            let entry = cameras.entry(camera.camera_id.clone()).or_insert_with(|| SensitiveCamera {
                camera_id: camera.camera_id.clone(),
                name: camera.name.clone(),
                system_type: camera.system_type.clone(),
                latitude: camera.latitude,
                longitude: camera.longitude,
                road: camera.road.clone().unwrap_or_default(),
                postcode: camera.postcode.clone().unwrap_or_default(),
                general_area: camera.general_area.clone(),
                controller: camera.controller.clone(),
                exhibits: Vec::new(),
                reason: if camera.restricted {
                    "Restricted Access camera (NASPLE 8.8): its identity and location are withheld (9.4.1, 9.4.3)"
                        .into()
                } else {
                    "Camera identity and precise location are withheld from the bundle (NASPLE 9.4.1, 9.4.3)".into()
                },
            });
            entry.exhibits.push(reference);
            exhibits.push(exhibit);
        }
        files.files.insert("reads.csv".into(), csv.into_inner().map_err(|e| Error::Invalid(e.to_string()))?);
        let organisation = store::settings::get(conn, crate::accounts::ORGANISATION_KEY).await?.unwrap_or_default();
        let role = actor.role.as_str().replace('_', " ");
        let scope = self.scope(conn, &row.investigation).await?;
        let category = row.category.replace('_', " ");
        let bundle = Bundle {
            investigation: format!("{} ({category})", row.investigation),
            bundle_number: row.number.clone(),
            producer: format!("{} ({role}, account {})", actor.full_name, actor.username),
            producer_authorisation: format!(
                "Authorised by {organisation} to produce ANPR evidence as an {role} (NASPLE 9.4.2)"
            ),
            recipient: request.recipient.trim().to_owned(),
            reason: request.reason.trim().to_owned(),
            generated_uk: crate::time::uk(now),
            generated_utc: rfc(now),
            software: format!("ANPR Workstation {}", env!("CARGO_PKG_VERSION")),
            scope: scope.clone(),
            exhibits,
        };
        let mut notes = vec![(
            format!(
                "Locations in the bundle are described at level {} ({}) of NASPLE 9.4.3.3{}.",
                request.level.number(),
                request.level.label(),
                request
                    .camera_levels
                    .iter()
                    .map(|(camera, level)| format!("; camera {camera} at level {} ({})", level.number(), level.label()))
                    .collect::<String>()
            ),
            "Camera locations are sensitive (NASPLE 9.4.1, 9.4.3); precise locations appear only here.".to_owned(),
        )];
        notes.extend(scope.iter().map(|s| {
            (
                format!(
                    "Search: pattern {}, period {}, cameras {}, purpose {}, authority {}",
                    s.pattern, s.period, s.cameras, s.purpose, s.authority
                ),
                "ANPR search methodology (NASPLE 9.4.1).".to_owned(),
            )
        }));
        let schedule = Schedule {
            investigation: bundle.investigation.clone(),
            bundle_number: row.number.clone(),
            producer: bundle.producer.clone(),
            generated_uk: bundle.generated_uk.clone(),
            software: bundle.software.clone(),
            cameras: cameras.into_values().collect(),
            notes,
        };
        Ok(Ok((bundle, schedule, files)))
    }
}

fn manifest(number: &str, investigation: &str, generated: &str, request: &IssueRequest, files: &Files) -> Vec<u8> {
    let listed: Vec<Value> = files
        .files
        .iter()
        .map(|(path, bytes)| {
            let mut entry = json!({ "path": path, "sha256": sha256_hex(bytes), "bytes": bytes.len() });
            if let Some((exhibit, read_id)) = files.originals.get(path) {
                entry["exhibit"] = json!(exhibit);
                entry["read_id"] = json!(read_id);
            }
            entry
        })
        .collect();
    let doc = json!({ "format": FORMAT, "package": number, "investigation": investigation, "generated_utc": generated,
        "level": request.level.as_str(), "recipient": request.recipient.trim(), "files": listed });
    serde_json::to_vec_pretty(&doc).unwrap_or_default()
}

/// Writes the files into a hidden sibling folder, the manifest last, then renames it into
/// place, so a crash leaves either nothing or the whole package. Returns (path, sha, bytes).
fn write_folder(out: &Path, files: &Files, manifest: &[u8]) -> Result<Vec<(String, String, u64)>> {
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io(format!("creating {}", parent.display())))?;
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "package".into());
    let partial = parent.join(format!(".{name}.partial"));
    let _ = std::fs::remove_dir_all(&partial);
    let mut written = Vec::new();
    let entries = files.files.iter().map(|(p, b)| (p.as_str(), b.as_slice())).chain([(MANIFEST, manifest)]);
    for (path, bytes) in entries {
        let target = partial.join(path);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(io(format!("creating {}", dir.display())))?;
        }
        std::fs::write(&target, bytes).map_err(io(format!("writing {}", target.display())))?;
        written.push((path.to_owned(), sha256_hex(bytes), bytes.len() as u64));
    }
    if out.exists() {
        std::fs::remove_dir(out).map_err(io(format!("replacing the empty folder {}", out.display())))?;
    }
    std::fs::rename(&partial, out).map_err(io(format!("moving the package into {}", out.display())))?;
    Ok(written)
}

/// Re-hashes every file of a package against its manifest, checks the manifest is one a
/// recorded disclosure issued, and that each original is byte-identical to the store's image.
pub async fn verify_package(session: &Session, dir: &Path) -> Result<VerifyReport> {
    let object = dir.display().to_string();
    session.authorise(Privilege::Disclose, "evidence.verify", &object).await?;
    let mut problems = Vec::new();
    let manifest_bytes =
        std::fs::read(dir.join(MANIFEST)).map_err(io(format!("reading {}", dir.join(MANIFEST).display())))?;
    let manifest_sha = sha256_hex(&manifest_bytes);
    let manifest: Value = serde_json::from_slice(&manifest_bytes).unwrap_or_default();
    let mut conn = session.workstation().pool.acquire().await?;
    if !sql::disclosures(&mut conn).await?.iter().any(|d| d.manifest_sha256 == manifest_sha) {
        problems.push(format!("{MANIFEST} (SHA-256 {manifest_sha}) matches no recorded disclosure"));
    }
    let listed = manifest["files"].as_array().cloned().unwrap_or_default();
    if listed.is_empty() {
        problems.push(format!("{MANIFEST} lists no files"));
    }
    let mut checked = 1;
    for entry in &listed {
        let (Some(path), Some(expected)) = (entry["path"].as_str(), entry["sha256"].as_str()) else {
            problems.push(format!("{MANIFEST} has an entry without path or hash: {entry}"));
            continue;
        };
        // Paths come from the file: none may leave the package folder.
        if Path::new(path).components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
            problems.push(format!("{path}: not a path inside the package"));
            continue;
        }
        checked += 1;
        match std::fs::read(dir.join(path)) {
            Err(e) => problems.push(format!("{path}: {e}")),
            Ok(bytes) if sha256_hex(&bytes) != expected => {
                problems.push(format!("{path}: SHA-256 differs from the manifest"))
            }
            Ok(_) => {}
        }
        if entry.get("exhibit").is_some() && store::images::by_sha(&mut conn, expected).await?.is_none() {
            problems.push(format!("{path}: no image with SHA-256 {expected} in the store"));
        } else if entry.get("exhibit").is_some() && session.workstation().blobs().get(expected).is_err() {
            problems.push(format!("{path}: the store's copy of {expected} is missing or altered"));
        }
    }
    drop(conn);
    let ok = problems.is_empty();
    let mut tx = store::begin_write(&session.workstation().pool).await?;
    let outcome = if ok { Outcome::Success } else { Outcome::Failed };
    session
        .audit(&mut tx, "evidence.verify", &object, outcome, json!({ "files": checked, "problems": problems }))
        .await?;
    tx.commit().await?;
    Ok(VerifyReport { ok, files_checked: checked, problems })
}

#[cfg(test)]
mod tests {
    use super::analysed;
    use serde_json::json;

    #[test]
    fn the_scope_statement_names_an_analysis() {
        let list = json!({ "analysis": "list", "parameters": { "kind": "list", "vrms": ["AB12CDE", "XY51ABC"] } });
        assert_eq!(analysed(&list, "any".into()), "list analysis of 2 VRM(s)");
        assert_eq!(analysed(&json!({ "analysis": "convoy" }), "AB12CDE".into()), "AB12CDE (convoy analysis)");
        assert_eq!(analysed(&json!({ "vrm": "AB*" }), "AB*".into()), "AB*");
    }
}
