//! The read browser and a read's detail.

use super::api;
use crate::state::AppState;
use anpr_types::{ApiError, ReadDetail, ReadPage};
use tauri::State;

#[tauri::command]
pub async fn browse_reads(state: State<'_, AppState>, offset: u64, limit: u64) -> Result<ReadPage, ApiError> {
    state.session()?.browse_reads(offset, limit).await.map_err(api)
}

#[tauri::command]
pub async fn read_detail(state: State<'_, AppState>, id: i64) -> Result<ReadDetail, ApiError> {
    state.session()?.read_detail(id).await.map_err(api)
}
