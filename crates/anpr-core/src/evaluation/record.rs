//! The evaluation log (8.14.6): each camera evaluation as a record in the store with its video,
//! the engineer's marks (each saved as it is made, so a crash loses nothing), the camera's read
//! log, the clock offset, and every scoring with its verdict. A failing camera's 30 days
//! (7.4.7) and what each camera has due (8.14.1, 8.14.3, 8.14.4) come from this log.
//!
//! Every operation needs the Evaluate privilege and is audited in its own transaction.

use super::charts::{self, ChartKind};
use super::offset::{self, OffsetSearch};
use super::truth::TruthVehicle;
use super::{EvaluationError, EvaluationParams, rfc3339, score};
use crate::audit::Outcome;
use crate::error::{Error, Result};
use crate::import::rows::ReadRow;
use crate::policy::evaluation::{self as policy, Deployment, Logged};
use crate::policy::roles::Privilege;
use crate::session::Session;
use crate::store::{self, evaluation as sql};
use crate::video::Video;
use anpr_types::{
    CameraEvaluationStatus, Condition, ConditionLast, EvaluationDetail, EvaluationMark, EvaluationReport,
    EvaluationSummary, MarkInput, NewEvaluation, OffsetEstimate, Verdict,
};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::London;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::SqliteConnection;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

fn parse<T: FromStr<Err = String>>(text: &str) -> Result<T> {
    T::from_str(text).map_err(Error::Invalid)
}

fn date(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| Error::Invalid(format!("the date must be YYYY-MM-DD, not {text:?}")))
}

fn scoring_error(e: EvaluationError) -> Error {
    Error::Invalid(e.to_string())
}

/// The file's SHA-256, read in blocks (videos are large).
fn file_sha256(path: &Path) -> Result<String> {
    let context = || format!("reading {}", path.display());
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(context(), e))?;
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut block).map_err(|e| Error::io(context(), e))?;
        if n == 0 {
            break;
        }
        hasher.update(&block[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

fn summary(row: sql::EvaluationRow) -> Result<EvaluationSummary> {
    Ok(EvaluationSummary {
        id: row.id,
        camera_id: row.camera_id,
        registered: row.camera.is_some(),
        system_type: parse(&row.system_type)?,
        direction: row.direction.as_deref().map(parse).transpose()?,
        moving: row.moving,
        lanes: u32::try_from(row.lanes).unwrap_or(1),
        condition: parse(&row.condition)?,
        evaluated_on: row.evaluated_on,
        engineer: row.engineer,
        reason: parse(&row.reason)?,
        covert_exemption: row.covert_exemption,
        notes: row.notes,
        video_path: row.video_path,
        video_sha256: row.video_sha256,
        video_frames: u64::try_from(row.video_frames).unwrap_or(0),
        video_fps: row.video_fps,
        video_ms: row.video_ms,
        clock_start: rfc3339(row.clock_start),
        clock_source: row.clock_source,
        reaction_ms: u32::try_from(row.reaction_ms).unwrap_or(0),
        offset_s: row.offset_ms as f64 / 1000.0,
        window_s: row.window_ms as f64 / 1000.0,
        marks: u64::try_from(row.marks).unwrap_or(0),
        reads: u64::try_from(row.reads).unwrap_or(0),
        read_log_source: row.read_log_source,
        created_by: row.created_by,
        created_uk: crate::time::uk(store::from_ms(row.created_at)),
        verdict: row.verdict.as_deref().map(parse).transpose()?,
        remediation_due: row.remediation_due,
        scored_uk: row.scored_at.map(|ms| crate::time::uk(store::from_ms(ms))),
    })
}

pub(super) async fn find(conn: &mut SqliteConnection, id: i64) -> Result<sql::EvaluationRow> {
    sql::get(conn, id).await?.ok_or_else(|| Error::NotFound(format!("evaluation {id}")))
}

/// The marks numbered 1, 2, 3 ... in order of crossing, with their times on the video's clock.
fn marks_view(row: &sql::EvaluationRow, marks: Vec<sql::MarkRow>) -> Result<Vec<EvaluationMark>> {
    marks
        .into_iter()
        .zip(1u64..)
        .map(|(m, vehicle)| {
            Ok(EvaluationMark {
                id: m.id,
                vehicle,
                lane: u32::try_from(m.lane).unwrap_or(1),
                video_ms: m.video_ms,
                time: rfc3339(row.clock_start + m.video_ms),
                vrm: m.vrm,
                visible: m.visible,
                condition: m.condition.as_deref().map(parse).transpose()?,
            })
        })
        .collect()
}

/// The marks as the scorer's ground truth (evaluation.md, Inputs 1).
fn truth_of(marks: &[EvaluationMark]) -> Vec<TruthVehicle> {
    marks
        .iter()
        .map(|m| TruthVehicle {
            vehicle: m.vehicle,
            time_ms: DateTime::parse_from_rfc3339(&m.time).map(|t| t.timestamp_millis()).unwrap_or_default(),
            lane: Some(m.lane),
            vrm: crate::vrm::normalise(&m.vrm),
            visible: m.visible,
            condition: m.condition,
        })
        .collect()
}

/// The stored read log as the scorer's read rows.
fn read_rows(camera_id: &str, reads: Vec<sql::LoggedReadRow>) -> Vec<ReadRow> {
    reads
        .into_iter()
        .map(|r| ReadRow {
            vrm: crate::vrm::normalise(&r.vrm_as_read),
            read_id: r.read_id,
            vrm_as_read: r.vrm_as_read,
            read_time_ms: r.read_time,
            camera_id: camera_id.to_owned(),
            latitude: None,
            longitude: None,
            lane: r.lane,
            direction: None,
            confidence: r.confidence,
            plate_image: None,
            overview_image: None,
        })
        .collect()
}

fn deployment(row: &sql::EvaluationRow) -> Result<Deployment> {
    Deployment::new(parse(&row.system_type)?, row.direction.as_deref().map(parse).transpose()?, row.moving)
        .map_err(|e| Error::Invalid(e.to_string()))
}

/// Everything scoring needs from the store.
struct Inputs {
    row: sql::EvaluationRow,
    truth: Vec<TruthVehicle>,
    reads: Vec<ReadRow>,
}

async fn inputs(conn: &mut SqliteConnection, id: i64) -> Result<Inputs> {
    let row = find(conn, id).await?;
    let marks = marks_view(&row, sql::marks(conn, id).await?)?;
    let reads = read_rows(&row.camera_id, sql::reads(conn, id).await?);
    Ok(Inputs { truth: truth_of(&marks), reads, row })
}

/// The scoring parameters the record holds.
fn params_of(row: &sql::EvaluationRow) -> Result<EvaluationParams> {
    Ok(EvaluationParams {
        camera_id: row.camera_id.clone(),
        deployment: deployment(row)?,
        offset_s: row.offset_ms as f64 / 1000.0,
        window_s: row.window_ms as f64 / 1000.0,
        evaluated_on: Some(date(&row.evaluated_on)?),
    })
}

/// The evaluation's video, refused if the file is no longer the recording it was made with:
/// marks made on another recording would be wrong.
pub(super) fn checked_video(row: &sql::EvaluationRow) -> Result<Video> {
    let path = Path::new(&row.video_path);
    if file_sha256(path)? != row.video_sha256 {
        return Err(Error::Invalid(format!(
            "{} is not the recording this evaluation was made with (its SHA-256 differs)",
            path.display()
        )));
    }
    Ok(Video::open(path)?)
}

/// A mark's columns, `vrm` normalised by the caller.
fn mark_values<'a>(m: &MarkInput, vrm: &'a str, at: i64) -> sql::MarkValues<'a> {
    sql::MarkValues {
        lane: i64::from(m.lane),
        video_ms: m.video_ms,
        vrm,
        visible: m.visible,
        condition: m.condition.map(Condition::as_str),
        at,
    }
}

fn check_mark(row: &sql::EvaluationRow, mark: &MarkInput) -> Result<()> {
    if mark.lane < 1 || i64::from(mark.lane) > row.lanes {
        return Err(Error::Invalid(format!("lane must be 1 to {}, not {}", row.lanes, mark.lane)));
    }
    if mark.video_ms < 0 || mark.video_ms > row.video_ms {
        return Err(Error::Invalid(format!(
            "the mark at {} ms is outside the video (0 to {} ms)",
            mark.video_ms, row.video_ms
        )));
    }
    Ok(())
}

impl Session {
    /// Records a new evaluation of a camera with its video (8.14.6). The video must open and
    /// decode here; its SHA-256 is recorded, and its clock start taken from the file unless
    /// entered.
    pub async fn create_evaluation(&self, new: &NewEvaluation) -> Result<EvaluationSummary> {
        let camera_id = new.camera_id.trim();
        self.authorise(Privilege::Evaluate, "evaluation.create", camera_id).await?;
        for (field, text) in [("camera id", camera_id), ("engineer", new.engineer.as_str())] {
            if text.trim().is_empty() {
                return Err(Error::Invalid(format!("{field} is required")));
            }
        }
        let evaluated_on = date(&new.evaluated_on)?;
        Deployment::new(new.system_type, new.direction, new.moving).map_err(|e| Error::Invalid(e.to_string()))?;
        if new.lanes < 1 {
            return Err(Error::Invalid("an evaluation covers at least one lane".into()));
        }
        let exemption = new.covert_exemption.as_deref().map(str::trim).filter(|t| !t.is_empty());
        if exemption.is_some() && new.system_type != anpr_types::SystemType::Covert {
            return Err(Error::Invalid("only a covert camera may be exempted from testing (NASPLE 8.14.5)".into()));
        }
        let path = Path::new(new.video_path.trim());
        let video = Video::open(path)?;
        let sha256 = file_sha256(path)?;
        let entered = new.clock_start.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let (clock_start, clock_source) = match (entered, video.clock_start()) {
            (Some(text), _) => (crate::time::parse(text).map_err(Error::Invalid)?, "entered"),
            (None, Some(t)) => (t, "file"),
            (None, None) => {
                return Err(Error::Invalid(
                    "the video does not record when it started: enter the video clock's start".into(),
                ));
            }
        };
        let video_ms = i64::try_from(video.duration().as_millis()).unwrap_or(i64::MAX);

        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let camera = sql::camera_key(&mut tx, camera_id).await?;
        let evaluated_on = evaluated_on.to_string();
        let id = sql::insert(
            &mut tx,
            &sql::NewEvaluationRow {
                camera_id,
                camera: camera.map(|c| c.0),
                system_type: new.system_type.as_str(),
                direction: new.direction.map(|d| d.as_str()),
                moving: new.moving,
                lanes: i64::from(new.lanes),
                condition: new.condition.as_str(),
                evaluated_on: &evaluated_on,
                engineer: new.engineer.trim(),
                reason: new.reason.as_str(),
                covert_exemption: exemption,
                notes: new.notes.trim(),
                video_path: &path.display().to_string(),
                video_sha256: &sha256,
                video_frames: i64::try_from(video.frame_count()).unwrap_or(i64::MAX),
                video_fps: video.frame_rate(),
                video_ms,
                clock_start: store::to_ms(clock_start),
                clock_source,
                reaction_ms: i64::from(new.reaction_ms),
                window_ms: (super::DEFAULT_WINDOW_S * 1000.0) as i64,
                created_by: self.actor().id,
                created_at: store::to_ms(self.now()),
            },
        )
        .await?;
        let details = json!({ "evaluation": id, "reason": new.reason.as_str(), "condition": new.condition.as_str(),
            "video": path.display().to_string(), "video_sha256": sha256, "covert_exemption": exemption });
        self.audit(&mut tx, "evaluation.create", camera_id, Outcome::Success, details).await?;
        let view = summary(find(&mut tx, id).await?)?;
        tx.commit().await?;
        Ok(view)
    }

    /// The evaluation log (8.14.6): one camera's evaluations, or all, newest first.
    pub async fn evaluations(&self, camera_id: Option<&str>) -> Result<Vec<EvaluationSummary>> {
        let object = camera_id.unwrap_or("all cameras");
        self.authorise(Privilege::Evaluate, "evaluation.list", object).await?;
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let rows = sql::list(&mut tx, camera_id.map(str::trim)).await?;
        self.audit(&mut tx, "evaluation.list", object, Outcome::Success, json!({ "evaluations": rows.len() })).await?;
        tx.commit().await?;
        rows.into_iter().map(summary).collect()
    }

    /// One evaluation with its marks and latest report.
    pub async fn evaluation(&self, id: i64) -> Result<EvaluationDetail> {
        let object = format!("evaluation {id}");
        self.authorise(Privilege::Evaluate, "evaluation.view", &object).await?;
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let row = find(&mut tx, id).await?;
        let marks = marks_view(&row, sql::marks(&mut tx, id).await?)?;
        let report = match sql::latest_report(&mut tx, id).await? {
            Some(json) => Some(
                serde_json::from_str::<EvaluationReport>(&json)
                    .map_err(|e| Error::Invalid(format!("stored report of evaluation {id}: {e}")))?,
            ),
            None => None,
        };
        self.audit(&mut tx, "evaluation.view", &object, Outcome::Success, serde_json::Value::Null).await?;
        tx.commit().await?;
        Ok(EvaluationDetail { summary: summary(row)?, marks, report })
    }

    /// Opens the evaluation's video for marking, after checking it is the file recorded (its
    /// SHA-256): marks made on another recording would be wrong.
    pub async fn open_evaluation_video(&self, id: i64) -> Result<Video> {
        let object = format!("evaluation {id}");
        self.authorise(Privilege::Evaluate, "evaluation.video", &object).await?;
        let mut conn = self.workstation().pool.acquire().await?;
        let row = find(&mut conn, id).await?;
        drop(conn);
        let video = checked_video(&row)?;
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        self.audit(&mut tx, "evaluation.video", &object, Outcome::Success, json!({ "video": row.video_path })).await?;
        tx.commit().await?;
        Ok(video)
    }

    /// Saves one mark at once (autosave); returns every mark, renumbered. A `live` mark (made
    /// at a key press while the video runs) has the reaction-time compensation taken off.
    pub async fn add_mark(&self, id: i64, mark: &MarkInput) -> Result<Vec<EvaluationMark>> {
        self.change_mark(id, None, Some(mark)).await
    }

    /// Replaces a mark's lane, time, VRM, visibility or condition (an edit, or an undo).
    pub async fn update_mark(&self, id: i64, mark_id: i64, mark: &MarkInput) -> Result<Vec<EvaluationMark>> {
        self.change_mark(id, Some(mark_id), Some(mark)).await
    }

    pub async fn delete_mark(&self, id: i64, mark_id: i64) -> Result<Vec<EvaluationMark>> {
        self.change_mark(id, Some(mark_id), None).await
    }

    /// Adds (`mark_id` None), updates, or deletes (`mark` None) a mark in one transaction.
    async fn change_mark(
        &self,
        id: i64,
        mark_id: Option<i64>,
        mark: Option<&MarkInput>,
    ) -> Result<Vec<EvaluationMark>> {
        let action = match (mark_id, mark) {
            (None, _) => "evaluation.mark_add",
            (Some(_), Some(_)) => "evaluation.mark_update",
            (Some(_), None) => "evaluation.mark_delete",
        };
        let object = format!("evaluation {id}");
        self.authorise(Privilege::Evaluate, action, &object).await?;
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let row = find(&mut tx, id).await?;
        let at = store::to_ms(self.now());
        let details = match mark {
            Some(m) => {
                let video_ms =
                    if m.live && mark_id.is_none() { (m.video_ms - row.reaction_ms).max(0) } else { m.video_ms };
                let input = MarkInput { video_ms, ..m.clone() };
                check_mark(&row, &input)?;
                let vrm = input.vrm.trim().to_uppercase();
                let values = mark_values(&input, &vrm, at);
                let saved = match mark_id {
                    None => sql::insert_mark(&mut tx, id, &values).await?,
                    Some(mark_id) => {
                        if !sql::update_mark(&mut tx, id, mark_id, &values).await? {
                            return Err(Error::NotFound(format!("mark {mark_id} of evaluation {id}")));
                        }
                        mark_id
                    }
                };
                json!({ "mark": saved, "lane": input.lane, "video_ms": video_ms, "vrm": vrm, "visible": input.visible })
            }
            None => {
                let mark_id = mark_id.unwrap_or_default();
                if !sql::delete_mark(&mut tx, id, mark_id).await? {
                    return Err(Error::NotFound(format!("mark {mark_id} of evaluation {id}")));
                }
                json!({ "mark": mark_id })
            }
        };
        self.audit(&mut tx, action, &object, Outcome::Success, details).await?;
        let marks = marks_view(&row, sql::marks(&mut tx, id).await?)?;
        tx.commit().await?;
        Ok(marks)
    }

    /// Adds every vehicle of a ground-truth file (evaluation.md's truth.csv: marked in another
    /// tool, or a kit's truth) as marks, placed on the video by its clock start, in one
    /// transaction. Refused while the evaluation has marks, so nothing is counted twice.
    pub async fn import_truth(&self, id: i64, path: &Path) -> Result<Vec<EvaluationMark>> {
        let object = format!("evaluation {id}");
        let action = "evaluation.truth_import";
        self.authorise(Privilege::Evaluate, action, &object).await?;
        let bytes = std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        let truth = super::parse_truth(&bytes, &path.display().to_string()).map_err(scoring_error)?;
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let row = find(&mut tx, id).await?;
        if !sql::marks(&mut tx, id).await?.is_empty() {
            return Err(Error::Invalid(format!(
                "evaluation {id} already has marks: delete them first, or record a new evaluation for {}",
                path.display()
            )));
        }
        let at = store::to_ms(self.now());
        for v in &truth {
            let input = MarkInput {
                lane: v.lane.unwrap_or(1),
                video_ms: v.time_ms - row.clock_start,
                live: false,
                vrm: v.vrm.clone().unwrap_or_default(),
                visible: v.visible,
                condition: v.condition,
            };
            check_mark(&row, &input).map_err(|e| Error::Invalid(format!("vehicle {}: {e}", v.vehicle)))?;
            sql::insert_mark(&mut tx, id, &mark_values(&input, &input.vrm, at)).await?;
        }
        let sha256 = crate::blobs::sha256_hex(&bytes);
        let details = json!({ "file": path.display().to_string(), "sha256": sha256, "vehicles": truth.len() });
        self.audit(&mut tx, action, &object, Outcome::Success, details).await?;
        let marks = marks_view(&row, sql::marks(&mut tx, id).await?)?;
        tx.commit().await?;
        Ok(marks)
    }

    /// Takes the camera's read log from a `reads.csv` file (the bundle format), replacing any
    /// earlier one. Only the evaluated camera's reads are kept.
    pub async fn import_read_log(&self, id: i64, path: &Path) -> Result<EvaluationSummary> {
        let object = format!("evaluation {id}");
        self.authorise(Privilege::Evaluate, "evaluation.read_log", &object).await?;
        let bytes = std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        let rows = super::parse_reads(&bytes, &path.display().to_string()).map_err(scoring_error)?;
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let row = find(&mut tx, id).await?;
        let reads: Vec<sql::LoggedReadRow> = rows
            .into_iter()
            .filter(|r| r.camera_id == row.camera_id)
            .map(|r| sql::LoggedReadRow {
                read_id: r.read_id,
                vrm_as_read: r.vrm_as_read,
                read_time: r.read_time_ms,
                lane: r.lane,
                confidence: r.confidence,
            })
            .collect();
        if reads.is_empty() {
            return Err(Error::Invalid(format!("{} has no reads of camera {}", path.display(), row.camera_id)));
        }
        let sha256 = crate::blobs::sha256_hex(&bytes);
        let source = format!("file {} (SHA-256 {sha256})", path.display());
        sql::replace_reads(&mut tx, id, &source, &reads).await?;
        let details =
            json!({ "source": "file", "file": path.display().to_string(), "sha256": sha256, "reads": reads.len() });
        self.audit(&mut tx, "evaluation.read_log", &object, Outcome::Success, details).await?;
        let view = summary(find(&mut tx, id).await?)?;
        tx.commit().await?;
        Ok(view)
    }

    /// Takes the camera's read log from the store: its reads over `[from, to]` (default: the
    /// video's period widened by the margin). Allowed for audit of the system under 9.3.3 for
    /// the evaluated camera and the video's period only (see
    /// [`policy::read_log_period`]); a Restricted Access camera's reads only for a user granted
    /// it (8.8). The purpose is recorded in the audit entry.
    pub async fn read_log_from_store(
        &self,
        id: i64,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<EvaluationSummary> {
        let object = format!("evaluation {id}");
        let action = "evaluation.read_log";
        self.authorise(Privilege::Evaluate, action, &object).await?;
        let mut conn = self.workstation().pool.acquire().await?;
        let row = find(&mut conn, id).await?;
        let visibility = self.visibility(&mut conn).await?;
        let camera = sql::camera_key(&mut conn, &row.camera_id).await?;
        drop(conn);
        let Some((camera, restricted, _)) = camera else {
            return Err(Error::Invalid(format!(
                "camera {} is not in the register, so the store holds no reads of it: import its read log from a file",
                row.camera_id
            )));
        };
        let video_to = row.clock_start + row.video_ms;
        let from_ms = from.map_or(row.clock_start - policy::READ_LOG_MARGIN_MS, store::to_ms);
        let to_ms = to.map_or(video_to + policy::READ_LOG_MARGIN_MS, store::to_ms);
        let request = json!({ "camera": row.camera_id, "from": rfc3339(from_ms), "to": rfc3339(to_ms) });
        if let Err(refusal) = policy::read_log_period(row.clock_start, video_to, from_ms, to_ms) {
            return self.refuse(action, &object, refusal, request).await;
        }
        if !visibility.sees(camera, restricted) {
            let refusal = crate::policy::Refusal::new(
                "8.8",
                format!("camera {} is a Restricted Access camera you are not granted", row.camera_id),
                Some("a grant of the camera, recorded by an administrator on a senior manager's authority".into()),
            );
            return self.refuse(action, &object, refusal, request).await;
        }
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let granted = serde_json::to_string(&visibility.granted_cameras).unwrap_or_else(|_| "[]".into());
        let reads = sql::store_reads(&mut tx, camera, &granted, from_ms, to_ms).await?;
        let source = format!("store {} to {}", rfc3339(from_ms), rfc3339(to_ms));
        sql::replace_reads(&mut tx, id, &source, &reads).await?;
        let details = json!({ "source": "store", "request": request, "reads": reads.len(),
            "purpose": "camera performance evaluation: audit of the system (NASPLE 9.3.3, 8.14)" });
        self.audit(&mut tx, action, &object, Outcome::Success, details).await?;
        let view = summary(find(&mut tx, id).await?)?;
        tx.commit().await?;
        Ok(view)
    }

    /// The clock offset that matches most marked vehicles to reads (see [`offset`]), for the
    /// engineer to confirm with [`Session::set_evaluation_offset`]. `search` defaults to a
    /// minute either way at 10 ms.
    pub async fn estimate_offset(&self, id: i64, search: Option<OffsetSearch>) -> Result<OffsetEstimate> {
        let object = format!("evaluation {id}");
        self.authorise(Privilege::Evaluate, "evaluation.offset_estimate", &object).await?;
        let mut conn = self.workstation().pool.acquire().await?;
        let Inputs { row, truth, reads } = inputs(&mut conn, id).await?;
        drop(conn);
        if truth.is_empty() || reads.is_empty() {
            return Err(Error::Invalid(
                "the offset is estimated from marked vehicles and a read log: both are needed".into(),
            ));
        }
        let search = search.unwrap_or(OffsetSearch::DEFAULT);
        let best = offset::estimate(&truth, &reads, row.window_ms, search)
            .ok_or_else(|| Error::Invalid("the offset search range is empty or its step not positive".into()))?;
        let now = offset::fit(&truth, &reads, row.window_ms, row.offset_ms);
        let seconds = |ms: i64| ms as f64 / 1000.0;
        let estimate = OffsetEstimate {
            offset_s: seconds(best.offset_ms),
            matched: best.matched,
            vehicles: truth.len() as u64,
            exact: best.exact,
            searched: [seconds(search.from_ms), seconds(search.to_ms), seconds(search.step_ms)],
            matched_now: now.matched,
        };
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let details = json!({ "offset_s": estimate.offset_s, "matched": best.matched, "vehicles": truth.len() });
        self.audit(&mut tx, "evaluation.offset_estimate", &object, Outcome::Success, details).await?;
        tx.commit().await?;
        Ok(estimate)
    }

    /// Sets the clock offset (camera minus video, seconds), as confirmed by the engineer.
    pub async fn set_evaluation_offset(&self, id: i64, offset_s: f64) -> Result<EvaluationSummary> {
        let object = format!("evaluation {id}");
        self.authorise(Privilege::Evaluate, "evaluation.offset", &object).await?;
        if !(offset_s.is_finite() && offset_s.abs() <= super::MAX_OFFSET_S) {
            return Err(Error::Invalid(format!("the clock offset must be within a year, not {offset_s} s")));
        }
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let before = find(&mut tx, id).await?.offset_ms;
        let offset_ms = (offset_s * 1000.0).round() as i64;
        sql::set_offset(&mut tx, id, offset_ms).await?;
        let details = json!({ "offset_ms": offset_ms, "was_ms": before });
        self.audit(&mut tx, "evaluation.offset", &object, Outcome::Success, details).await?;
        let view = summary(find(&mut tx, id).await?)?;
        tx.commit().await?;
        Ok(view)
    }

    /// Scores the marks against the read log exactly as `anpr eval score` does
    /// ([`super::score`]) and keeps the report in the log; a failure starts 7.4.7's 30 days
    /// from the evaluation's date.
    pub async fn score_evaluation(&self, id: i64) -> Result<EvaluationReport> {
        let object = format!("evaluation {id}");
        let action = "evaluation.score";
        self.authorise(Privilege::Evaluate, action, &object).await?;
        let mut conn = self.workstation().pool.acquire().await?;
        let Inputs { row, truth, reads } = inputs(&mut conn, id).await?;
        drop(conn);
        if parse::<anpr_types::EvaluationReason>(&row.reason)? == anpr_types::EvaluationReason::SixMonthlyCheck {
            let visible = truth.iter().filter(|v| v.visible).count() as u64;
            if let Err(refusal) = policy::check_sample(visible) {
                return self.refuse(action, &object, refusal, json!({ "visible": visible })).await;
            }
        }
        let report = score(&truth, &reads, &params_of(&row)?).map_err(scoring_error)?;
        let json = serde_json::to_string(&report).map_err(|e| Error::Invalid(e.to_string()))?;
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        sql::insert_result(
            &mut tx,
            &sql::NewResult {
                evaluation: id,
                verdict: report.verdict.as_str(),
                remediation_due: report.remediation_due.as_deref(),
                report: &json,
                scored_by: self.actor().id,
                scored_at: store::to_ms(self.now()),
            },
        )
        .await?;
        let details = json!({ "verdict": report.verdict.as_str(), "capture_rate": report.capture_rate,
            "read_rate": report.read_rate, "vehicles": report.vehicles, "remediation_due": report.remediation_due });
        self.audit(&mut tx, action, &object, Outcome::Success, details).await?;
        tx.commit().await?;
        Ok(report)
    }

    /// A chart of the evaluation report (PNG, the plotters chart of the PDF report) for the
    /// marks and read log as they are now: what `score_evaluation` scores, for the screen.
    pub async fn evaluation_chart(&self, id: i64, kind: ChartKind) -> Result<Vec<u8>> {
        let object = format!("evaluation {id}");
        let action = "evaluation.chart";
        self.authorise(Privilege::Evaluate, action, &object).await?;
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let Inputs { row, truth, reads } = inputs(&mut tx, id).await?;
        let report = score(&truth, &reads, &params_of(&row)?).map_err(scoring_error)?;
        let chart = match kind {
            ChartKind::Rates => {
                charts::rates_chart(&charts::outcomes(&truth, &report), report.capture_standard, report.read_standard)
            }
            ChartKind::Confusions => charts::confusions_chart(&report.confusion_counts),
        }
        .map_err(|e| Error::Invalid(e.to_string()))?;
        self.audit(&mut tx, action, &object, Outcome::Success, json!({ "chart": kind.as_str() })).await?;
        tx.commit().await?;
        Ok(chart.png)
    }

    /// Every camera (the register's and those only evaluated) with its last evaluation per
    /// condition, any open remediation (7.4.7) and what is due (8.14), as of today (UK date).
    pub async fn evaluation_overview(&self) -> Result<Vec<CameraEvaluationStatus>> {
        self.authorise(Privilege::Evaluate, "evaluation.overview", "all cameras").await?;
        let today = self.now().with_timezone(&London).date_naive();
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let cameras = sql::overview_cameras(&mut tx).await?;
        let mut by_camera: BTreeMap<String, Vec<sql::EvaluationRow>> = BTreeMap::new();
        for row in sql::list(&mut tx, None).await? {
            by_camera.entry(row.camera_id.clone()).or_default().push(row);
        }
        let mut out = Vec::new();
        for camera in cameras {
            let rows = by_camera.remove(&camera.camera_id).unwrap_or_default();
            let log: Vec<Logged> = rows
                .iter()
                .map(|r| {
                    Ok(Logged {
                        id: r.id,
                        condition: parse(&r.condition)?,
                        evaluated_on: date(&r.evaluated_on)?,
                        verdict: r.verdict.as_deref().map(parse::<Verdict>).transpose()?,
                        covert_exemption: r.covert_exemption.is_some(),
                    })
                })
                .collect::<Result<_>>()?;
            // Rows come newest first: the first seen per condition is the last evaluation.
            let mut last: BTreeMap<&str, ConditionLast> = BTreeMap::new();
            for (r, l) in rows.iter().zip(&log) {
                last.entry(r.condition.as_str()).or_insert_with(|| ConditionLast {
                    condition: l.condition,
                    evaluation: l.id,
                    evaluated_on: r.evaluated_on.clone(),
                    verdict: l.verdict,
                });
            }
            let covert_exempt = rows.first().is_some_and(|r| r.covert_exemption.is_some());
            out.push(CameraEvaluationStatus {
                camera_id: camera.camera_id,
                name: camera.name,
                registered: camera.registered,
                has_imagery: camera.has_imagery,
                evaluations: rows.len() as u64,
                last: Condition::ALL.iter().filter_map(|c| last.remove(c.as_str())).collect(),
                remediation: policy::remediation(&log, today),
                due: policy::due(&log, camera.has_imagery, today),
                covert_exempt,
            });
        }
        self.audit(&mut tx, "evaluation.overview", "all cameras", Outcome::Success, json!({ "cameras": out.len() }))
            .await?;
        tx.commit().await?;
        Ok(out)
    }
}
