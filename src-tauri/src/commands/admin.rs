//! The administrator's Users screen.

use super::api;
use crate::state::AppState;
use anpr_core::accounts::NewAccount;
use anpr_types::{ApiError, EncryptedStore, NewUserRequest, Rank, Role, UserInfo};
use tauri::{AppHandle, Emitter, State};

/// The event carrying progress of encrypting the store's images.
const ENCRYPT_PROGRESS_EVENT: &str = "encrypt-progress";

/// Encrypts a store made before encryption at rest (administrators). The store is closed at the
/// end and everyone logs in again; the recovery key is returned this once, to be shown.
#[tauri::command]
pub async fn encrypt_store(app: AppHandle, state: State<'_, AppState>) -> Result<EncryptedStore, ApiError> {
    let session = state.session()?;
    let recovery = session
        .encrypt_store(&mut |p| {
            let _ = app.emit(ENCRYPT_PROGRESS_EVENT, p);
        })
        .await
        .map_err(api)?;
    // The session and the store it ran on are closed: the next login opens the encrypted store.
    state.replace(None);
    state.set_workstation(None);
    Ok(EncryptedStore { recovery_key: recovery.as_str().to_owned() })
}

#[tauri::command]
pub async fn list_users(state: State<'_, AppState>) -> Result<Vec<UserInfo>, ApiError> {
    state.session()?.list_users().await.map_err(api)
}

#[tauri::command]
pub async fn add_user(state: State<'_, AppState>, request: NewUserRequest) -> Result<UserInfo, ApiError> {
    let account = NewAccount {
        username: request.username,
        full_name: request.full_name,
        role: request.role,
        rank: request.rank,
        temporary_password: request.temporary_password,
    };
    state.session()?.add_user(&account).await.map_err(api)
}

#[tauri::command]
pub async fn unlock_user(state: State<'_, AppState>, username: String) -> Result<UserInfo, ApiError> {
    state.session()?.unlock_user(&username).await.map_err(api)
}

#[tauri::command]
pub async fn suspend_user(state: State<'_, AppState>, username: String) -> Result<UserInfo, ApiError> {
    state.session()?.suspend_user(&username).await.map_err(api)
}

#[tauri::command]
pub async fn reactivate_user(state: State<'_, AppState>, username: String) -> Result<UserInfo, ApiError> {
    state.session()?.reactivate_user(&username).await.map_err(api)
}

#[tauri::command]
pub async fn set_user_role(
    state: State<'_, AppState>,
    username: String,
    role: Role,
    rank: Rank,
) -> Result<UserInfo, ApiError> {
    state.session()?.set_user_role(&username, role, rank).await.map_err(api)
}
