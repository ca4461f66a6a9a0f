//! The commands of docs/desktop-api.md, grouped by screen. Each takes the session from state,
//! makes one core call and maps its error to the boundary type the UI switches on.

pub mod admin;
pub mod analysis;
pub mod casework;
pub mod evaluation;
pub mod evidence;
pub mod export;
pub mod import;
pub mod reads;
pub mod records;
pub mod session;

use anpr_types::ApiError;

/// Core errors cross to the UI as `ApiError` (code, message, clause, needs).
pub(crate) fn api(e: anpr_core::Error) -> ApiError {
    ApiError::from(&e)
}
