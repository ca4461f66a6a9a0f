//! What the shell keeps between commands: the store (opened by the first login's password,
//! then kept open while the app runs), who is logged in, the flags of the running import, the
//! page images of the last package preview, and the evaluation video being marked.

use anpr_core::evidence::PackagePreview;
use anpr_core::video::Video;
use anpr_core::{Session, StoreState, SystemClock, Workstation};
use anpr_types::{ApiError, EvaluationVideo, PreviewPages};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

#[derive(Debug)]
pub struct AppState {
    data_dir: PathBuf,
    /// The open store. An encrypted store opens with the first login's password (or is made by
    /// the first run) and stays open until the app quits, like an unlocked disk; a store made
    /// before encryption opens at start.
    workstation: Mutex<Option<Workstation>>,
    /// Held only to clone the session out or swap it: never across an await, so a long import
    /// does not block logout or other commands.
    session: Mutex<Option<Session>>,
    /// Set by `cancel_import`; the core checks it between batches.
    pub cancel_import: AtomicBool,
    /// One import at a time: the cancel flag is shared and the store writes serialise anyway.
    pub importing: AtomicBool,
    /// The last package preview, for the user who asked for it only; gone at logout.
    preview: Mutex<Option<HeldPreview>>,
    previews_made: AtomicU64,
    /// The evaluation video open for marking (one at a time: the screen shows one), with its
    /// decoder and decoded-frame cache; for the user who opened it only; gone at logout.
    video: Mutex<Option<HeldVideo>>,
}

#[derive(Debug)]
struct HeldVideo {
    username: String,
    evaluation: i64,
    video: Video,
}

#[derive(Debug)]
struct HeldPreview {
    username: String,
    token: String,
    pages: PackagePreview,
}

/// Which of a package's two documents a preview page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreviewDocument {
    Bundle,
    Schedule,
}

impl AppState {
    pub fn new(data_dir: PathBuf, workstation: Option<Workstation>) -> Self {
        Self {
            data_dir,
            workstation: Mutex::new(workstation),
            session: Mutex::new(None),
            cancel_import: AtomicBool::new(false),
            importing: AtomicBool::new(false),
            preview: Mutex::new(None),
            previews_made: AtomicU64::new(0),
            video: Mutex::new(None),
        }
    }

    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }

    /// The open store, if any.
    pub fn workstation(&self) -> Option<Workstation> {
        self.workstation.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The open store, or the store opened with this account's password (which a wrong one
    /// counts against, Appendix A 12). The login itself is still the caller's.
    pub async fn open_store(&self, username: &str, password: &str) -> anpr_core::Result<Workstation> {
        if let Some(ws) = self.workstation() {
            return Ok(ws);
        }
        let ws = Workstation::unlock(&self.data_dir, Arc::new(SystemClock), username, password).await?;
        Ok(self.workstation.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(ws).clone())
    }

    /// Puts a newly made store in place (the first run).
    pub fn set_workstation(&self, ws: Option<Workstation>) {
        *self.workstation.lock().unwrap_or_else(PoisonError::into_inner) = ws;
    }

    /// What the data directory holds.
    pub fn store_state(&self) -> anpr_core::Result<StoreState> {
        Workstation::state(&self.data_dir)
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

    /// Puts `session` in place and hands back the one it replaces. A preview never outlives
    /// the session that made it.
    pub fn replace(&self, session: Option<Session>) -> Option<Session> {
        *self.preview.lock().unwrap_or_else(PoisonError::into_inner) = None;
        *self.video.lock().unwrap_or_else(PoisonError::into_inner) = None;
        std::mem::replace(&mut *self.slot(), session)
    }

    /// Keeps `pages` (replacing any earlier preview) for `username` and says how to fetch them.
    pub fn hold_preview(&self, username: &str, pages: PackagePreview) -> PreviewPages {
        let token = (self.previews_made.fetch_add(1, Ordering::Relaxed) + 1).to_string();
        let info = PreviewPages {
            token: token.clone(),
            exhibits: pages.exhibits,
            bundle_pages: pages.bundle.len(),
            schedule_pages: pages.schedule.len(),
        };
        *self.preview.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(HeldPreview { username: username.to_owned(), token, pages });
        info
    }

    /// Page `page` (from 1) of the held preview, if `username` made it and `token` is current.
    pub fn preview_page(&self, username: &str, token: &str, document: PreviewDocument, page: usize) -> Option<Vec<u8>> {
        let held = self.preview.lock().unwrap_or_else(PoisonError::into_inner);
        let held = held.as_ref().filter(|h| h.username == username && h.token == token)?;
        let pages = match document {
            PreviewDocument::Bundle => &held.pages.bundle,
            PreviewDocument::Schedule => &held.pages.schedule,
        };
        pages.get(page.checked_sub(1)?).cloned()
    }
}

impl AppState {
    /// Keeps `video` (replacing any other) for `username`'s marking of `evaluation`.
    pub fn hold_video(&self, username: &str, evaluation: i64, video: Video) -> EvaluationVideo {
        let info = EvaluationVideo {
            evaluation,
            frames: video.frame_count() as u64,
            fps: video.frame_rate(),
            width: video.width(),
            height: video.height(),
            duration_ms: i64::try_from(video.duration().as_millis()).unwrap_or(i64::MAX),
        };
        *self.video.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(HeldVideo { username: username.to_owned(), evaluation, video });
        info
    }

    /// Frame `frame` of the held video as a JPEG, if `username` opened it for `evaluation`.
    /// Decodes under the lock: frames of one video are asked for one after another anyway.
    pub fn video_frame(&self, username: &str, evaluation: i64, frame: usize) -> Option<Vec<u8>> {
        let mut held = self.video.lock().unwrap_or_else(PoisonError::into_inner);
        let held = held.as_mut().filter(|h| h.username == username && h.evaluation == evaluation)?;
        held.video.frame_jpeg(frame, anpr_core::video::SCREEN_JPEG_QUALITY).ok()
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
