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

/// Whether the store has no account yet (the first run).
#[tauri::command]
pub async fn first_run(state: State<'_, AppState>) -> Result<bool, ApiError> {
    state.workstation.needs_first_administrator().await.map_err(api)
}

/// The first run: creates the first administrator (refused once any account exists) and logs
/// them in.
#[tauri::command]
pub async fn create_first_administrator(
    state: State<'_, AppState>,
    username: String,
    full_name: String,
    organisation: String,
    password: String,
) -> Result<SessionInfo, ApiError> {
    let ws = &state.workstation;
    ws.create_first_administrator(username.trim(), full_name.trim(), organisation.trim(), &password)
        .await
        .map_err(api)?;
    login(state, username.trim().to_owned(), password).await
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
