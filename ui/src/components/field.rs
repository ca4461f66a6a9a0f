//! Form fields, read at submit time from the page itself, so whatever is in the box is what is
//! sent, even when something changed it without an `input` event (autofill, WebDriver's clear).

use crate::api;
use anpr_types::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

/// The text in the input or text area with `id`, also stored into `signal`; the signal's value if
/// there is no such element.
pub fn current_value(id: &str, signal: RwSignal<String>) -> String {
    let element = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id));
    let in_page = element.and_then(|e| match e.dyn_into::<web_sys::HtmlInputElement>() {
        Ok(input) => Some(input.value()),
        Err(e) => e.dyn_into::<web_sys::HtmlTextAreaElement>().ok().map(|area| area.value()),
    });
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

/// The value of the select with `id`, also stored into `signal`; the signal's value if there is no
/// such select.
pub fn current_choice(id: &str, signal: RwSignal<String>) -> String {
    match selected_value(id) {
        Some(value) => {
            if signal.with_untracked(|s| *s != value) {
                signal.set(value.clone());
            }
            value
        }
        None => signal.get_untracked(),
    }
}

/// A labelled select of `options` (value, text), bound to `value`.
#[component]
pub fn SelectField(
    #[prop(into)] id: String,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let described = hint.map(|_| hint_id.clone());
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id aria-describedby=described on:change=move |ev| value.set(event_target_value(&ev))>
                {move || {
                    options
                        .get()
                        .into_iter()
                        .map(|(v, text)| {
                            let selected = value.get_untracked() == v;
                            view! {
                                <option value=v selected=selected>
                                    {text}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
            {hint.map(|h| view! { <span id=hint_id class="muted small">{h}</span> })}
        </div>
    }
}

/// A folder path box with a "Choose folder…" button (the native picker, `title` its heading)
/// and, with `file_pick_id`, a "Choose file…" one too; `on_error` takes a failure of the picker.
#[component]
pub fn FolderField(
    id: &'static str,
    pick_id: &'static str,
    label: &'static str,
    title: &'static str,
    value: RwSignal<String>,
    on_error: Callback<ApiError>,
    #[prop(optional, into)] disabled: Signal<bool>,
    #[prop(default = "/path/to/folder")] placeholder: &'static str,
    #[prop(optional)] file_pick_id: Option<&'static str>,
) -> impl IntoView {
    let pick = move |file: bool| {
        spawn_local(async move {
            let chosen = if file { api::pick_file(title).await } else { api::pick_folder(title).await };
            match chosen {
                Ok(Some(path)) => value.set(path),
                Ok(None) => {}
                Err(e) => on_error.run(e),
            }
        });
    };
    view! {
        <div class="field field-grow">
            <label for=id>{label}</label>
            <div class="input-row">
                <input
                    id=id
                    type="text"
                    class="mono"
                    spellcheck="false"
                    placeholder=placeholder
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                    disabled=move || disabled.get()
                />
                <button id=pick_id type="button" class="btn" on:click=move |_| pick(false) disabled=move || disabled.get()>
                    "Choose folder…"
                </button>
                {file_pick_id.map(|file_id| view! {
                    <button id=file_id type="button" class="btn" on:click=move |_| pick(true) disabled=move || disabled.get()>
                        "Choose file…"
                    </button>
                })}
            </div>
        </div>
    }
}

/// A labelled text box (`kind` is the input type) or, with `multiline`, a text area, bound to
/// `value`; `required` marks it (the form checks it), `hint` says what goes in it.
#[component]
pub fn TextField(
    #[prop(into)] id: String,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] multiline: bool,
    #[prop(optional)] required: bool,
    #[prop(default = "text")] kind: &'static str,
    /// The browser's autofill hint, e.g. `username` or `new-password`.
    #[prop(default = "off")]
    autocomplete: &'static str,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let described = hint.map(|_| hint_id.clone());
    let required = required.then_some("true");
    let set = move |ev| value.set(event_target_value(&ev));
    let input = if multiline {
        view! {
            <textarea
                id=id.clone()
                rows="3"
                aria-required=required
                aria-describedby=described
                prop:value=move || value.get()
                on:input=set
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=id.clone()
                type=kind
                spellcheck="false"
                autocomplete=autocomplete
                aria-required=required
                aria-describedby=described
                prop:value=move || value.get()
                on:input=set
            />
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=id>
                {label}
                {required.map(|_| view! { <span class="required" aria-hidden="true">" *"</span> })}
            </label>
            {input}
            {hint.map(|h| view! { <span id=hint_id class="muted small">{h}</span> })}
        </div>
    }
}

/// A labelled checkbox bound to `value`; `disabled` greys it out (its value then does not count).
#[component]
pub fn CheckField(
    #[prop(into)] id: String,
    label: &'static str,
    value: RwSignal<bool>,
    #[prop(optional, into)] disabled: Signal<bool>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let described = hint.map(|_| hint_id.clone());
    view! {
        <div class="field field-check">
            <label for=id.clone()>
                <input
                    id=id.clone()
                    type="checkbox"
                    aria-describedby=described
                    prop:checked=move || value.get()
                    disabled=move || disabled.get()
                    on:change=move |ev| value.set(event_target_checked(&ev))
                />
                {label}
            </label>
            {hint.map(|h| view! { <span id=hint_id class="muted small">{h}</span> })}
        </div>
    }
}

/// Moves the keyboard focus to the element with `id` once it is in the page (after the next frame).
pub fn focus_later(id: &'static str) {
    with_element_later(id, |el| {
        let _ = el.focus();
    });
}

/// Scrolls the element with `id` into view once it is in the page (e.g. results below a form).
pub fn scroll_into_view_later(id: &'static str) {
    with_element_later(id, |el| el.scroll_into_view());
}

fn with_element_later(id: &'static str, act: impl FnOnce(web_sys::HtmlElement) + 'static) {
    request_animation_frame(move || {
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            act(el);
        }
    });
}
