//! The open investigations, as a select offers them.

use crate::api;
use crate::app::AppState;
use crate::components::outcome::{Outcome, act};
use anpr_types::Investigation;
use leptos::prelude::*;

/// Loads the open investigations into `list`, choosing the first when `chosen` is empty.
pub fn load_open(
    app: AppState,
    outcome: RwSignal<Option<Outcome>>,
    list: RwSignal<Vec<Investigation>>,
    chosen: RwSignal<String>,
) {
    act(app, outcome, api::list_investigations(), move |all| {
        let open: Vec<Investigation> = all.into_iter().filter(|i| i.status == "open").collect();
        if chosen.with_untracked(String::is_empty)
            && let Some(first) = open.first()
        {
            chosen.set(first.reference.clone());
        }
        list.set(open);
        None
    });
}

/// `OP-1: Title (Major)` for each investigation, by reference.
pub fn options(list: RwSignal<Vec<Investigation>>) -> Signal<Vec<(String, String)>> {
    Signal::derive(move || {
        list.with(|l| {
            l.iter()
                .map(|i| (i.reference.clone(), format!("{}: {} ({})", i.reference, i.title, i.category.label())))
                .collect()
        })
    })
}
