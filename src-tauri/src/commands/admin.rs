//! The administrator's Users screen.

use super::api;
use crate::state::AppState;
use anpr_core::accounts::NewAccount;
use anpr_types::{ApiError, NewUserRequest, Rank, Role, UserInfo};
use tauri::State;

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
