//! Form fields read at submit time from the page itself, so whatever is in the box is what is
//! sent, even when something changed it without an `input` event (autofill, WebDriver's clear).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The text in the input with `id`, also stored into `signal`; the signal's value if there is no
/// such input.
pub fn current_value(id: &str, signal: RwSignal<String>) -> String {
    let in_page = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        .map(|input| input.value());
    match in_page {
        Some(value) => {
            if signal.with_untracked(|s| *s != value) {
                signal.set(value.clone());
            }
            value
        }
        None => signal.get_untracked(),
    }
}

/// The value of the select with `id`, if the page has it.
pub fn selected_value(id: &str) -> Option<String> {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .map(|select| select.value())
}
