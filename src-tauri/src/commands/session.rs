//! Login, password change, logout and the home screen.

use super::api;
use crate::state::AppState;
use anpr_types::{ApiError, Overview, PasswordRule, SessionInfo};
use tauri::State;

#[tauri::command]
pub async fn login(state: State<'_, AppState>, username: String, password: String) -> Result<SessionInfo, ApiError> {
    // Whoever was logged in is logged out by any login attempt: a failed one must not leave
    // the previous user's session behind the login screen.
    if let Some(previous) = state.replace(None) {
        previous.logout().await.map_err(api)?;
    }
    let session = state.workstation.login(&username, &password).await.map_err(api)?;
    let info = session.info();
    state.replace(Some(session));
    Ok(info)
}

#[tauri::command]
pub async fn change_password(
    state: State<'_, AppState>,
    username: String,
    current: String,
    new: String,
) -> Result<(), ApiError> {
    state.workstation.change_password(&username, &current, &new).await.map_err(api)
}

#[tauri::command]
pub async fn logout(state: State<'_, AppState>) -> Result<(), ApiError> {
    match state.replace(None) {
        Some(session) => session.logout().await.map_err(api),
        None => Ok(()),
    }
}

#[tauri::command]
pub fn session_info(state: State<'_, AppState>) -> Option<SessionInfo> {
    state.current().map(|s| s.info())
}

#[tauri::command]
pub fn password_rules() -> Vec<PasswordRule> {
    anpr_core::policy::password::rule_list()
}

#[tauri::command]
pub async fn overview(state: State<'_, AppState>) -> Result<Overview, ApiError> {
    state.session()?.overview().await.map_err(api)
}
