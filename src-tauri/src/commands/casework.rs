//! Investigations, Annex C checks, the authorisation queue and search.

use super::api;
use crate::state::AppState;
use anpr_core::investigations;
use anpr_types::{
    AccessDecision, ApiError, Authority, AuthorityRequest, Category, EscalationRequest, ExtensionReason, Investigation,
    NewInvestigation, Offence, Purpose, Rank, SearchRequest, SearchResults,
};
use tauri::State;

#[tauri::command]
pub fn offences() -> Vec<Offence> {
    investigations::offences()
}

#[tauri::command]
pub async fn list_investigations(state: State<'_, AppState>) -> Result<Vec<Investigation>, ApiError> {
    state.session()?.list_investigations().await.map_err(api)
}

#[tauri::command]
pub async fn create_investigation(
    state: State<'_, AppState>,
    request: NewInvestigation,
) -> Result<Investigation, ApiError> {
    state.session()?.create_investigation(&request).await.map_err(api)
}

#[tauri::command]
pub async fn escalate_investigation(
    state: State<'_, AppState>,
    request: EscalationRequest,
) -> Result<Investigation, ApiError> {
    state.session()?.escalate_investigation(&request).await.map_err(api)
}

#[tauri::command]
pub async fn set_investigation_open(
    state: State<'_, AppState>,
    reference: String,
    open: bool,
) -> Result<Investigation, ApiError> {
    state.session()?.set_investigation_open(&reference, open).await.map_err(api)
}

/// Annex C without searching (the search form's explanation); needs a session like any
/// other command, but reads no data.
#[tauri::command]
pub async fn check_access(
    state: State<'_, AppState>,
    purpose: Purpose,
    category: Category,
    from: String,
    to: String,
    authority: Option<Rank>,
    reason: Option<ExtensionReason>,
) -> Result<AccessDecision, ApiError> {
    let now = state.session()?.now();
    let authority = authority.map(|rank| (rank, reason));
    investigations::check_access(purpose, category, (&from, &to), authority, now).map_err(api)
}

#[tauri::command]
pub async fn request_authority(state: State<'_, AppState>, request: AuthorityRequest) -> Result<Authority, ApiError> {
    state.session()?.request_authority(&request).await.map_err(api)
}

#[tauri::command]
pub async fn list_authorities(state: State<'_, AppState>) -> Result<Vec<Authority>, ApiError> {
    state.session()?.list_authorities().await.map_err(api)
}

#[tauri::command]
pub async fn decide_authority(
    state: State<'_, AppState>,
    reference: String,
    approve: bool,
    note: String,
) -> Result<Authority, ApiError> {
    state.session()?.decide_authority(&reference, approve, &note).await.map_err(api)
}

#[tauri::command]
pub async fn search(state: State<'_, AppState>, request: SearchRequest) -> Result<SearchResults, ApiError> {
    state.session()?.search(&request).await.map_err(api)
}
