//! Importing a read bundle, or another system's read file, with progress events and cancel.

use super::api;
use crate::state::AppState;
use anpr_types::{ApiError, ImportProgress, ImportSummary};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter, State};

/// The event the UI listens to for the progress bar.
pub const PROGRESS_EVENT: &str = "import-progress";
/// About ten updates a second: enough for a smooth bar without flooding the IPC channel with
/// one event per read.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

#[tauri::command]
pub async fn import_bundle(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
) -> Result<ImportSummary, ApiError> {
    let session = state.session()?;
    let _running = Running::start(&state.importing)?;
    state.cancel_import.store(false, Ordering::SeqCst);
    let mut throttle = Throttle::default();
    let mut progress = |p: ImportProgress| {
        if throttle.due(&p) {
            // A lost progress event only leaves the bar behind; the import goes on.
            let _ = app.emit(PROGRESS_EVENT, p);
        }
    };
    // A folder is a bundle; a file is another system's read file, found by its content.
    session.import_path(Path::new(&path), &mut progress, &state.cancel_import).await.map_err(api)
}

#[tauri::command]
pub fn cancel_import(state: State<'_, AppState>) {
    state.cancel_import.store(true, Ordering::SeqCst);
}

/// Marks an import as running until dropped, whether it finished, failed or was cancelled.
#[derive(Debug)]
struct Running<'a>(&'a AtomicBool);

impl<'a> Running<'a> {
    #[expect(clippy::result_large_err, reason = "ApiError is what the command returns; boxing it only to unbox it")]
    fn start(flag: &'a AtomicBool) -> Result<Self, ApiError> {
        if flag.swap(true, Ordering::SeqCst) {
            return Err(api(anpr_core::Error::Invalid("an import is already running".into())));
        }
        Ok(Self(flag))
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// Passes a progress update when its stage changes, when a stage completes, or when
/// `PROGRESS_INTERVAL` has passed since the last one.
#[derive(Debug, Default)]
struct Throttle {
    last: Option<(Instant, ImportProgress)>,
}

impl Throttle {
    fn due(&mut self, p: &ImportProgress) -> bool {
        let now = Instant::now();
        let due = match &self.last {
            None => true,
            Some((at, last)) => {
                last.stage != p.stage || p.done >= p.total || now.duration_since(*at) >= PROGRESS_INTERVAL
            }
        };
        if due {
            self.last = Some((now, *p));
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anpr_types::ImportStage;

    fn at(stage: ImportStage, done: u64) -> ImportProgress {
        ImportProgress { stage, done, total: 100 }
    }

    #[test]
    fn throttle_passes_the_first_stage_changes_and_completion_but_not_a_burst() {
        let mut t = Throttle::default();
        assert!(t.due(&at(ImportStage::Reads, 1)));
        assert!(!t.due(&at(ImportStage::Reads, 2)));
        assert!(!t.due(&at(ImportStage::Reads, 3)));
        assert!(t.due(&at(ImportStage::Reads, 100)));
        assert!(t.due(&at(ImportStage::Committing, 0)));
    }

    #[test]
    fn only_one_import_runs_at_a_time() {
        let flag = AtomicBool::new(false);
        let first = Running::start(&flag).unwrap();
        assert_eq!(Running::start(&flag).unwrap_err().code, "invalid");
        drop(first);
        assert!(Running::start(&flag).is_ok());
    }
}
