//! Evidence packages, controller consents, issuing court bundles and the disclosure record.

use super::api;
use crate::state::AppState;
use anpr_types::{
    ApiError, Consent, Disclosure, EvidencePackage, IssueReport, IssueRequest, NewConsent, PreviewPages, VerifyReport,
};
use tauri::State;

#[tauri::command]
pub async fn list_packages(state: State<'_, AppState>) -> Result<Vec<EvidencePackage>, ApiError> {
    state.session()?.list_packages().await.map_err(api)
}

#[tauri::command]
pub async fn create_package(state: State<'_, AppState>, investigation: String) -> Result<EvidencePackage, ApiError> {
    state.session()?.create_package(&investigation).await.map_err(api)
}

#[tauri::command]
pub async fn set_exhibits(
    state: State<'_, AppState>,
    package: i64,
    reads: Vec<i64>,
) -> Result<EvidencePackage, ApiError> {
    state.session()?.set_exhibits(package, &reads).await.map_err(api)
}

/// Renders the package's pages in the core and keeps them for this user; the page then fetches
/// each through the image scheme.
#[tauri::command]
pub async fn preview_package(state: State<'_, AppState>, request: IssueRequest) -> Result<PreviewPages, ApiError> {
    let session = state.session()?;
    let pages = session.preview_package(&request).await.map_err(api)?;
    Ok(state.hold_preview(&session.actor().username, pages))
}

#[tauri::command]
pub async fn issue_package(state: State<'_, AppState>, request: IssueRequest) -> Result<IssueReport, ApiError> {
    state.session()?.issue_package(&request).await.map_err(api)
}

#[tauri::command]
pub async fn verify_package(state: State<'_, AppState>, dir: String) -> Result<VerifyReport, ApiError> {
    anpr_core::evidence::verify_package(&state.session()?, std::path::Path::new(&dir)).await.map_err(api)
}

#[tauri::command]
pub async fn list_consents(state: State<'_, AppState>) -> Result<Vec<Consent>, ApiError> {
    state.session()?.list_consents().await.map_err(api)
}

#[tauri::command]
pub async fn record_consent(state: State<'_, AppState>, consent: NewConsent) -> Result<Consent, ApiError> {
    state.session()?.record_consent(&consent).await.map_err(api)
}

#[tauri::command]
pub async fn list_disclosures(state: State<'_, AppState>) -> Result<Vec<Disclosure>, ApiError> {
    state.session()?.list_disclosures().await.map_err(api)
}
