//! CSV and KML export of search and analysis results (docs/export.md); the core checks the
//! export privilege (8.11.3), reruns the search and writes the file.

use super::api;
use crate::state::AppState;
use anpr_types::{ApiError, ExportReport, ExportRequest};
use tauri::State;

#[tauri::command]
pub async fn export_results(state: State<'_, AppState>, request: ExportRequest) -> Result<ExportReport, ApiError> {
    state.session()?.export_results(&request).await.map_err(api)
}
