//! The Analysis screen: analyses (each a search under Annex C), the map's cameras and the map's
//! background setting.

use super::api;
use crate::state::AppState;
use anpr_types::{AnalysisRequest, AnalysisResult, ApiError, MapCamera, MapSettings};
use tauri::State;

#[tauri::command]
pub async fn analyse(state: State<'_, AppState>, request: AnalysisRequest) -> Result<AnalysisResult, ApiError> {
    state.session()?.analyse(&request).await.map_err(api)
}

#[tauri::command]
pub async fn map_cameras(state: State<'_, AppState>) -> Result<Vec<MapCamera>, ApiError> {
    state.session()?.map_cameras().await.map_err(api)
}

#[tauri::command]
pub async fn map_settings(state: State<'_, AppState>) -> Result<MapSettings, ApiError> {
    state.session()?.map_settings().await.map_err(api)
}

#[tauri::command]
pub async fn set_tile_server(state: State<'_, AppState>, template: Option<String>) -> Result<MapSettings, ApiError> {
    state.session()?.set_tile_server(template.as_deref()).await.map_err(api)
}
