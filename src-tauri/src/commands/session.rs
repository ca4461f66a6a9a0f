//! Login, password change, logout and the home screen.

use super::api;
use crate::state::AppState;
use anpr_core::{StoreState, SystemClock, Workstation};
use anpr_types::{ApiError, FirstRun, Overview, PasswordRule, SessionInfo, StoreStatus};
use std::sync::Arc;
use tauri::State;

#[tauri::command]
pub async fn login(state: State<'_, AppState>, username: String, password: String) -> Result<SessionInfo, ApiError> {
    // Whoever was logged in is logged out by any login attempt: a failed one must not leave
    // the previous user's session behind the login screen.
    if let Some(previous) = state.replace(None) {
        previous.logout().await.map_err(api)?;
    }
    let ws = state.open_store(&username, &password).await.map_err(api)?;
    let session = ws.login(&username, &password).await.map_err(api)?;
    let info = session.info();
    state.replace(Some(session));
    Ok(info)
}

/// Whether there is no account yet (the first run): no store, or an unencrypted one without
/// accounts.
#[tauri::command]
pub async fn first_run(state: State<'_, AppState>) -> Result<bool, ApiError> {
    match (state.store_state().map_err(api)?, state.workstation()) {
        (StoreState::Empty, _) => Ok(true),
        (StoreState::Plain, Some(ws)) => ws.needs_first_administrator().await.map_err(api),
        _ => Ok(false),
    }
}

/// The first run: creates the encrypted store and its first administrator (refused once any
/// account exists) and logs them in. The recovery key is returned this once, to be shown.
#[tauri::command]
pub async fn create_first_administrator(
    state: State<'_, AppState>,
    username: String,
    full_name: String,
    organisation: String,
    password: String,
) -> Result<FirstRun, ApiError> {
    let (username, full_name, organisation) = (username.trim(), full_name.trim(), organisation.trim());
    let recovery_key = match state.workstation() {
        // An unencrypted store with no account yet: its administrator encrypts it afterwards.
        Some(ws) => {
            ws.create_first_administrator(username, full_name, organisation, &password).await.map_err(api)?;
            None
        }
        None => {
            let dir = state.data_dir().to_owned();
            let clock = Arc::new(SystemClock);
            let (ws, recovery) =
                Workstation::create_with_administrator(&dir, clock, username, full_name, organisation, &password)
                    .await
                    .map_err(api)?;
            state.set_workstation(Some(ws));
            Some(recovery.as_str().to_owned())
        }
    };
    let session = login(state, username.to_owned(), password).await?;
    Ok(FirstRun { session, recovery_key })
}

/// Whether the store is encrypted (the administrator's Users screen offers to encrypt it).
#[tauri::command]
pub async fn store_status(state: State<'_, AppState>) -> Result<StoreStatus, ApiError> {
    Ok(StoreStatus { encrypted: state.session()?.store_encrypted() })
}

#[tauri::command]
pub async fn change_password(
    state: State<'_, AppState>,
    username: String,
    current: String,
    new: String,
) -> Result<(), ApiError> {
    // At the login screen the store may not be open yet: the current password opens it.
    let ws = state.open_store(&username, &current).await.map_err(api)?;
    ws.change_password(&username, &current, &new).await.map_err(api)
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
