//! What the shell keeps between commands: the open store, who is logged in, and the flags of
//! the running import.

use anpr_core::{Session, Workstation};
use anpr_types::ApiError;
use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, MutexGuard, PoisonError};

#[derive(Debug)]
pub struct AppState {
    pub workstation: Workstation,
    /// Held only to clone the session out or swap it: never across an await, so a long import
    /// does not block logout or other commands.
    session: Mutex<Option<Session>>,
    /// Set by `cancel_import`; the core checks it between batches.
    pub cancel_import: AtomicBool,
    /// One import at a time: the cancel flag is shared and the store writes serialise anyway.
    pub importing: AtomicBool,
}

impl AppState {
    pub fn new(workstation: Workstation) -> Self {
        Self {
            workstation,
            session: Mutex::new(None),
            cancel_import: AtomicBool::new(false),
            importing: AtomicBool::new(false),
        }
    }

    /// A poisoned lock only means a panic elsewhere while swapping an `Option`; the value is
    /// still whole, so carry on with it.
    fn slot(&self) -> MutexGuard<'_, Option<Session>> {
        self.session.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The logged-in session, or `not_logged_in` (the UI then shows the login screen).
    #[expect(clippy::result_large_err, reason = "ApiError is what the commands return; boxing it only to unbox it")]
    pub fn session(&self) -> Result<Session, ApiError> {
        self.current().ok_or_else(not_logged_in)
    }

    pub fn current(&self) -> Option<Session> {
        self.slot().clone()
    }

    /// Puts `session` in place and hands back the one it replaces.
    pub fn replace(&self, session: Option<Session>) -> Option<Session> {
        std::mem::replace(&mut *self.slot(), session)
    }
}

pub fn not_logged_in() -> ApiError {
    ApiError {
        code: "not_logged_in".into(),
        message: "not logged in".into(),
        clause: None,
        needs: None,
        remaining_attempts: None,
        files: Vec::new(),
    }
}
