//! The camera register with Restricted Access grants, retention, and record correction.

use super::api;
use crate::state::AppState;
use anpr_types::{
    ApiError, CameraInfo, CorrectionRequest, NewCamera, ReadDetail, RestrictionChange, RetainRequest, RetentionOutlook,
    RetentionReport,
};
use tauri::State;

#[tauri::command]
pub async fn camera_register(state: State<'_, AppState>) -> Result<Vec<CameraInfo>, ApiError> {
    state.session()?.camera_register().await.map_err(api)
}

#[tauri::command]
pub async fn add_camera(state: State<'_, AppState>, camera: NewCamera) -> Result<CameraInfo, ApiError> {
    state.session()?.add_camera(&camera).await.map_err(api)
}

#[tauri::command]
pub async fn set_camera_restricted(
    state: State<'_, AppState>,
    change: RestrictionChange,
    restricted: bool,
) -> Result<CameraInfo, ApiError> {
    state.session()?.set_camera_restricted(&change, restricted).await.map_err(api)
}

#[tauri::command]
pub async fn grant_camera(state: State<'_, AppState>, change: RestrictionChange) -> Result<CameraInfo, ApiError> {
    state.session()?.change_camera_grant(&change, true).await.map_err(api)
}

#[tauri::command]
pub async fn revoke_camera(state: State<'_, AppState>, change: RestrictionChange) -> Result<CameraInfo, ApiError> {
    state.session()?.change_camera_grant(&change, false).await.map_err(api)
}

#[tauri::command]
pub async fn retention_outlook(state: State<'_, AppState>) -> Result<RetentionOutlook, ApiError> {
    state.session()?.retention_outlook().await.map_err(api)
}

#[tauri::command]
pub async fn retain_reads(state: State<'_, AppState>, request: RetainRequest) -> Result<u64, ApiError> {
    state.session()?.retain_reads(&request).await.map_err(api)
}

#[tauri::command]
pub async fn run_retention(state: State<'_, AppState>) -> Result<RetentionReport, ApiError> {
    state.session()?.run_retention(None).await.map_err(api)
}

#[tauri::command]
pub async fn correct_read(
    state: State<'_, AppState>,
    request: CorrectionRequest,
) -> Result<Option<ReadDetail>, ApiError> {
    state.session()?.correct_read(&request).await.map_err(api)
}
