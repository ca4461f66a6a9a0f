//! Camera evaluations (8.14): the log, the record, marking on the video, the read log, the
//! clock offset and scoring. Opening the video keeps it in the shell's state for the image
//! protocol's `video/<evaluation>/<frame>` requests.

use super::api;
use crate::state::AppState;
use anpr_types::{
    ApiError, CameraEvaluationStatus, EvaluationDetail, EvaluationMark, EvaluationReport, EvaluationSummary,
    EvaluationVideo, LaneBand, MarkInput, NewEvaluation, OffsetEstimate, PassParams, ProposedPass, VideoProgress,
};
use std::path::Path;
use std::time::{Duration, Instant};
use tauri::State;
use tauri::{AppHandle, Emitter};

#[tauri::command]
pub async fn list_evaluations(
    state: State<'_, AppState>,
    camera: Option<String>,
) -> Result<Vec<EvaluationSummary>, ApiError> {
    state.session()?.evaluations(camera.as_deref()).await.map_err(api)
}

#[tauri::command]
pub async fn evaluation_overview(state: State<'_, AppState>) -> Result<Vec<CameraEvaluationStatus>, ApiError> {
    state.session()?.evaluation_overview().await.map_err(api)
}

#[tauri::command]
pub async fn create_evaluation(
    state: State<'_, AppState>,
    request: NewEvaluation,
) -> Result<EvaluationSummary, ApiError> {
    state.session()?.create_evaluation(&request).await.map_err(api)
}

#[tauri::command]
pub async fn evaluation_detail(state: State<'_, AppState>, id: i64) -> Result<EvaluationDetail, ApiError> {
    state.session()?.evaluation(id).await.map_err(api)
}

#[tauri::command]
pub async fn open_evaluation_video(state: State<'_, AppState>, id: i64) -> Result<EvaluationVideo, ApiError> {
    let session = state.session()?;
    let video = session.open_evaluation_video(id).await.map_err(api)?;
    Ok(state.hold_video(&session.actor().username, id, video))
}

#[tauri::command]
pub async fn add_mark(state: State<'_, AppState>, id: i64, mark: MarkInput) -> Result<Vec<EvaluationMark>, ApiError> {
    state.session()?.add_mark(id, &mark).await.map_err(api)
}

#[tauri::command]
pub async fn update_mark(
    state: State<'_, AppState>,
    id: i64,
    mark_id: i64,
    mark: MarkInput,
) -> Result<Vec<EvaluationMark>, ApiError> {
    state.session()?.update_mark(id, mark_id, &mark).await.map_err(api)
}

#[tauri::command]
pub async fn delete_mark(state: State<'_, AppState>, id: i64, mark_id: i64) -> Result<Vec<EvaluationMark>, ApiError> {
    state.session()?.delete_mark(id, mark_id).await.map_err(api)
}

#[tauri::command]
pub async fn import_read_log(state: State<'_, AppState>, id: i64, path: String) -> Result<EvaluationSummary, ApiError> {
    state.session()?.import_read_log(id, Path::new(&path)).await.map_err(api)
}

#[tauri::command]
pub async fn import_truth(state: State<'_, AppState>, id: i64, path: String) -> Result<Vec<EvaluationMark>, ApiError> {
    state.session()?.import_truth(id, Path::new(&path)).await.map_err(api)
}

#[tauri::command]
pub async fn read_log_from_store(state: State<'_, AppState>, id: i64) -> Result<EvaluationSummary, ApiError> {
    state.session()?.read_log_from_store(id, None, None).await.map_err(api)
}

#[tauri::command]
pub async fn estimate_offset(state: State<'_, AppState>, id: i64) -> Result<OffsetEstimate, ApiError> {
    state.session()?.estimate_offset(id, None).await.map_err(api)
}

#[tauri::command]
pub async fn set_evaluation_offset(
    state: State<'_, AppState>,
    id: i64,
    offset_s: f64,
) -> Result<EvaluationSummary, ApiError> {
    state.session()?.set_evaluation_offset(id, offset_s).await.map_err(api)
}

#[tauri::command]
pub async fn score_evaluation(state: State<'_, AppState>, id: i64) -> Result<EvaluationReport, ApiError> {
    state.session()?.score_evaluation(id).await.map_err(api)
}

/// The event the marking screen listens to while passes are proposed.
pub const PASSES_PROGRESS_EVENT: &str = "passes-progress";

/// Candidate vehicle passes over the whole video from the bands drawn per lane (assisted
/// marking), with progress events about ten times a second.
#[tauri::command]
pub async fn propose_passes(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
    bands: Vec<LaneBand>,
    params: Option<PassParams>,
) -> Result<Vec<ProposedPass>, ApiError> {
    let mut last: Option<Instant> = None;
    let progress = move |p: VideoProgress| {
        if p.done == p.total || last.is_none_or(|t| t.elapsed() >= Duration::from_millis(100)) {
            last = Some(Instant::now());
            // A lost progress event only leaves the bar behind.
            let _ = app.emit(PASSES_PROGRESS_EVENT, p);
        }
    };
    state.session()?.propose_evaluation_passes(id, bands, params.unwrap_or_default(), progress).await.map_err(api)
}
