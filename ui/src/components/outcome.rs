//! What became of the last action on a screen: done (a note) or failed (the error as it is).

use crate::api::ApiResult;
use crate::app::AppState;
use crate::components::problem::Problem;
use anpr_types::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::future::Future;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done(String),
    Failed(ApiError),
}

/// Runs `call`; `done` takes its answer and says what to tell the user (`None`: nothing). A
/// failure is kept in `outcome` to show; `not_logged_in` ends the session. An answer that comes
/// after the screen was left is dropped.
pub fn act<T: 'static>(
    app: AppState,
    outcome: RwSignal<Option<Outcome>>,
    call: impl Future<Output = ApiResult<T>> + 'static,
    done: impl FnOnce(T) -> Option<String> + 'static,
) {
    outcome.set(None);
    spawn_local(async move {
        let result = call.await;
        if outcome.try_get_untracked().is_none() {
            return;
        }
        match result {
            Ok(value) => outcome.set(done(value).map(Outcome::Done)),
            Err(e) => fail(app, outcome, e),
        }
    });
}

/// Keeps a failure of `outcome` to show (after `not_logged_in` ends the session, nothing).
pub fn fail(app: AppState, outcome: RwSignal<Option<Outcome>>, err: ApiError) {
    if let Some(e) = app.check(err) {
        outcome.set(Some(Outcome::Failed(e)));
    }
}

/// A form the UI does not accept: `message` shown as the outcome, nothing sent.
pub fn reject(outcome: RwSignal<Option<Outcome>>, message: impl Into<String>) {
    outcome.set(Some(Outcome::Failed(crate::api::invalid(message))));
}

#[component]
pub fn OutcomeMessage(
    outcome: RwSignal<Option<Outcome>>,
    id: &'static str,
    /// The failure's own id (e.g. `issue-refusal`), present only while there is one.
    #[prop(optional)]
    problem_id: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div id=id class="form-message" role="status" aria-live="polite">
            {move || match outcome.get() {
                None => ().into_any(),
                Some(Outcome::Done(text)) => view! { <span class="msg msg-note">{text}</span> }.into_any(),
                Some(Outcome::Failed(e)) => match problem_id {
                    Some(pid) => view! { <Problem error=e id=pid /> }.into_any(),
                    None => view! { <Problem error=e /> }.into_any(),
                },
            }}
        </div>
    }
}
