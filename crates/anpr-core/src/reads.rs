//! Looking at reads: the home screen's overview, the read browser, a read's detail and its
//! images. Restricted cameras' reads never leave the core for an actor not granted them (8.8).

use crate::audit::Outcome;
use crate::error::{Error, Result};
use crate::policy::retention;
use crate::policy::roles::{self, Privilege};
use crate::session::Session;
use crate::store::{self, imports::ImportView, reads::ReadView};
use crate::vrm::uk_layout;
use anpr_types::{
    Correction, CorrectionRequest, ImageInfo, ImportRecord, Overview, ReadDetail, ReadPage, ReadSummary,
    RetentionStatus, SessionInfo,
};
use chrono::SecondsFormat;
use serde_json::json;

/// Most reads one page may hold.
pub const MAX_PAGE: u64 = 500;

pub(crate) fn summary(v: ReadView) -> ReadSummary {
    let time = store::from_ms(v.read_time);
    ReadSummary {
        id: v.id,
        read_id: v.read_id,
        vrm: v.vrm_as_read,
        not_read: v.not_read,
        read_time: time.to_rfc3339_opts(SecondsFormat::Millis, true),
        read_time_uk: crate::time::uk(time),
        camera_id: v.camera_id,
        camera_name: v.camera_name,
        general_area: v.general_area,
        lane: v.lane,
        direction: v.direction,
        confidence: v.confidence,
        plate_image: v.plate_sha,
        overview_image: v.overview_sha,
        likely_misread: v.vrm.as_deref().is_some_and(|vrm| uk_layout(vrm).is_none()),
        vrm_match: None,
    }
}

fn import_record(v: ImportView) -> ImportRecord {
    ImportRecord {
        id: v.id,
        bundle: v.bundle_path,
        bundle_sha256: v.bundle_sha256,
        by: v.username,
        finished_uk: crate::time::uk(store::from_ms(v.finished_at)),
        reads_accepted: v.reads_accepted as u64,
        reads_duplicate: v.reads_duplicate as u64,
        reads_rejected: v.reads_rejected as u64,
        images_stored: v.images_stored as u64,
        images_rejected: v.images_rejected as u64,
    }
}

async fn corrections(conn: &mut sqlx::SqliteConnection, read_id: &str) -> Result<Vec<Correction>> {
    Ok(store::corrections::of_read(conn, read_id)
        .await?
        .into_iter()
        .map(|c| Correction {
            read_id: c.read_id,
            kind: c.kind,
            original_vrm: c.original_vrm,
            corrected_vrm: c.corrected_vrm,
            reason: c.reason,
            by: c.by_user,
            time_uk: crate::time::uk(store::from_ms(c.at)),
        })
        .collect())
}

impl Session {
    pub fn info(&self) -> SessionInfo {
        let actor = self.actor();
        let can = [
            (Privilege::Search, "search and browse ANPR reads"),
            (Privilege::Import, "import read bundles"),
            (Privilege::Export, "export data"),
            (Privilege::Disclose, "prepare evidence bundles and record disclosures"),
            (Privilege::Evaluate, "evaluate camera capture and read rates"),
            (Privilege::Administer, "administer accounts"),
            (Privilege::Audit, "verify and export the audit trail"),
        ]
        .into_iter()
        .filter(|(p, _)| roles::allows(actor.role, *p))
        .map(|(_, text)| text.to_owned())
        .collect();
        SessionInfo {
            username: actor.username.clone(),
            full_name: actor.full_name.clone(),
            role: actor.role,
            rank: actor.rank,
            can,
            may_export: roles::allows(actor.role, Privilege::Export),
        }
    }

    /// The home screen: what this actor may see, recent imports, retention status.
    pub async fn overview(&self) -> Result<Overview> {
        let mut conn = self.workstation().pool().acquire().await?;
        let sees_data = roles::allows(self.actor().role, Privilege::Search);
        let totals = if sees_data {
            Some({
                let visibility = self.visibility(&mut conn).await?;
                store::reads::totals(&mut conn, &visibility).await?
            })
        } else {
            None
        };
        let cameras = store::cameras::count(&mut conn).await?;
        let recent = store::imports::recent(&mut conn, 5).await?;
        let now = self.now();
        // Due now: what the next retention run deletes (retained reads excluded).
        let (entered, old) = store::retention::due_between(
            &mut conn,
            (i64::MIN, store::to_ms(retention::entered_cutoff(now))),
            (i64::MIN, store::to_ms(retention::captured_cutoff(now))),
        )
        .await?;
        let uk = |ms: Option<i64>| ms.map(|t| crate::time::uk(store::from_ms(t)));
        Ok(Overview {
            user: self.info(),
            reads: totals.map_or(0, |t| t.reads as u64),
            not_read: totals.map_or(0, |t| t.not_read as u64),
            cameras: cameras as u64,
            first_read_uk: uk(totals.and_then(|t| t.first)),
            last_read_uk: uk(totals.and_then(|t| t.last)),
            recent_imports: recent.into_iter().map(import_record).collect(),
            retention: RetentionStatus {
                older_than_12_months: old as u64,
                entered_over_7_days_ago: entered as u64,
                summary: format!(
                    "{old} read(s) captured over 12 months ago (NASPLE 9.5.1) and {entered} entered over 7 days ago \
                     (9.8) are due for deletion unless retained under CPIA or MOPI"
                ),
            },
        })
    }

    /// Newest reads first, a page at a time. Opening the browser (offset 0) is audited; the
    /// pages fetched while scrolling are part of that same access.
    pub async fn browse_reads(&self, offset: u64, limit: u64) -> Result<ReadPage> {
        self.authorise(Privilege::Search, "reads.browse", "reads").await?;
        let mut conn = self.workstation().pool().acquire().await?;
        let visibility = self.visibility(&mut conn).await?;
        let reads = store::reads::browse(&mut conn, &visibility, offset as i64, limit.min(MAX_PAGE) as i64).await?;
        let total = store::reads::totals(&mut conn, &visibility).await?.reads as u64;
        drop(conn);
        if offset == 0 {
            let mut tx = store::begin_write(self.workstation().pool()).await?;
            self.audit(&mut tx, "reads.browse", "reads", Outcome::Success, json!({ "total": total })).await?;
            tx.commit().await?;
        }
        Ok(ReadPage { offset, total, reads: reads.into_iter().map(summary).collect() })
    }

    /// One read with its images and provenance; audited.
    pub async fn read_detail(&self, id: i64) -> Result<ReadDetail> {
        let object = format!("read {id}");
        self.authorise(Privilege::Search, "read.view", &object).await?;
        let mut conn = self.workstation().pool().acquire().await?;
        let visibility = self.visibility(&mut conn).await?;
        let view = store::reads::view(&mut conn, &visibility, id).await?;
        // A restricted read is "not found" to the ungranted: its existence is not disclosed.
        let view = view.ok_or_else(|| Error::NotFound(format!("no read {id}")))?;
        let image = async |conn: &mut sqlx::SqliteConnection, sha: &Option<String>| -> Result<Option<ImageInfo>> {
            let Some(sha) = sha else { return Ok(None) };
            Ok(store::images::by_sha(conn, sha).await?.map(|i| ImageInfo {
                sha256: i.sha256,
                format: i.format,
                width: i.width as u32,
                height: i.height as u32,
                bytes: i.bytes as u64,
            }))
        };
        let plate = image(&mut conn, &view.plate_sha).await?;
        let overview = image(&mut conn, &view.overview_sha).await?;
        let provenance = store::imports::view(&mut conn, view.import_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("import {} of read {id}", view.import_id)))?;
        let corrections = corrections(&mut conn, &view.read_id).await?;
        drop(conn);
        let mut tx = store::begin_write(self.workstation().pool()).await?;
        self.audit(&mut tx, "read.view", &object, Outcome::Success, json!({ "read_id": view.read_id })).await?;
        tx.commit().await?;
        let (latitude, longitude) = (view.latitude, view.longitude);
        Ok(ReadDetail {
            read: summary(view),
            latitude,
            longitude,
            plate,
            overview,
            provenance: import_record(provenance),
            corrections,
        })
    }

    /// Corrects a misread VRM, or deletes an incorrect read, with a reason (7.3.1, 9.7). The
    /// original is kept in the correction record and shown with the read. Returns the read as
    /// it now is, or `None` when it was deleted.
    pub async fn correct_read(&self, request: &CorrectionRequest) -> Result<Option<ReadDetail>> {
        let object = format!("read {}", request.id);
        let action = if request.vrm.is_some() { "read.correct" } else { "read.delete" };
        self.authorise(Privilege::Search, action, &object).await?;
        if request.reason.trim().is_empty() {
            return Err(Error::Invalid("a reason is required to correct or delete a read (NASPLE 9.7)".into()));
        }
        let corrected = match &request.vrm {
            Some(text) => {
                let normalised = crate::vrm::normalise(text)
                    .filter(|v| v.chars().all(|c| c.is_ascii_alphanumeric()) && v.len() <= 10)
                    .ok_or_else(|| Error::Invalid(format!("{text:?} is not a VRM: letters and digits, at most 10")))?;
                Some((text.trim().to_uppercase(), normalised))
            }
            None => None,
        };
        let mut tx = store::begin_write(self.workstation().pool()).await?;
        let visibility = self.visibility(&mut tx).await?;
        let view = store::reads::view(&mut tx, &visibility, request.id).await?;
        let view = view.ok_or_else(|| Error::NotFound(format!("no read {}", request.id)))?;
        let original = json!({ "read_id": view.read_id, "vrm_as_read": view.vrm_as_read, "not_read": view.not_read,
            "read_time": view.read_time, "camera_id": view.camera_id, "lane": view.lane, "direction": view.direction,
            "confidence": view.confidence, "plate_image": view.plate_sha, "overview_image": view.overview_sha,
            "import_id": view.import_id });
        let record = store::corrections::NewCorrection {
            read_id: &view.read_id,
            kind: if corrected.is_some() { "vrm" } else { "delete" },
            original_vrm: &view.vrm_as_read,
            corrected_vrm: corrected.as_ref().map(|(text, _)| text.as_str()),
            reason: request.reason.trim(),
            by_user: self.actor().id,
            at: store::to_ms(self.now()),
            read_time: view.read_time,
            entered_at: view.entered_at,
            original: &original.to_string(),
        };
        store::corrections::insert(&mut tx, &record).await?;
        match &corrected {
            Some((text, normalised)) => store::corrections::set_vrm(&mut tx, view.id, text, normalised).await?,
            None => store::corrections::delete_read(&mut tx, view.id, record.at).await?,
        }
        let details = json!({ "original": original, "corrected_vrm": record.corrected_vrm, "reason": record.reason });
        self.audit(&mut tx, action, &view.read_id, Outcome::Success, details).await?;
        tx.commit().await?;
        match corrected {
            Some(_) => Ok(Some(self.read_detail(request.id).await?)),
            None => Ok(None),
        }
    }

    /// An image's bytes (verified against its hash) and MIME type, when this actor may see a
    /// read showing it; with `thumbnail`, the derived thumbnail of an overview image. Not
    /// audited per image: the browse or detail view that shows it is.
    pub async fn image(&self, sha256: &str, thumbnail: bool) -> Result<(Vec<u8>, &'static str)> {
        roles::require(self.actor().role, Privilege::Search).map_err(Error::Refused)?;
        let mut conn = self.workstation().pool().acquire().await?;
        let not_found = || Error::NotFound(format!("no image {sha256}"));
        let original =
            store::images::by_sha(&mut conn, sha256).await?.filter(|i| i.kind != "thumbnail").ok_or_else(not_found)?;
        let visibility = self.visibility(&mut conn).await?;
        if !store::reads::image_visible(&mut conn, &visibility, original.id).await? {
            return Err(not_found());
        }
        let served = if thumbnail {
            store::images::thumbnail_of(&mut conn, original.id).await?.ok_or_else(not_found)?
        } else {
            original
        };
        let bytes = self.workstation().blobs().get(&served.sha256)?;
        Ok((bytes, if served.format == "png" { "image/png" } else { "image/jpeg" }))
    }
}
