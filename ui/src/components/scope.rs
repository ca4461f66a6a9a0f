//! The scope every search and analysis runs in (Annex C): investigation, purpose, justification,
//! period, cameras, area and any written authority relied on; the grant it ran on; and a refusal
//! with the way to ask for the authority it needs. Shared by the Search and Analysis pages.

use crate::api;
use crate::app::AppState;
use crate::components::field::{SelectField, TextField, current_value, focus_later, selected_value};
use crate::components::investigations;
use crate::components::outcome::{Outcome, OutcomeMessage, act};
use crate::components::problem::Problem;
use crate::format::{comma_list, form_time, missing_fields, optional};
use anpr_types::{ApiError, AuthorityRequest, ExtensionReason, GrantInfo, Investigation, Purpose, SearchRequest};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

/// The scope as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeForm {
    pub investigation: String,
    pub purpose: Option<Purpose>,
    pub justification: String,
    pub from: String,
    pub to: String,
    pub cameras: String,
    pub area: String,
    pub authority: String,
}

impl ScopeForm {
    /// The scope as a search request (no VRM, first page of `limit`), or what is missing.
    pub fn request(&self, limit: u64) -> Result<SearchRequest, String> {
        let purpose = self.purpose.map(Purpose::as_str).unwrap_or_default();
        let required = [
            ("investigation", self.investigation.as_str()),
            ("purpose", purpose),
            ("justification", &self.justification),
        ];
        if let Some(message) = missing_fields(&required) {
            return Err(message);
        }
        Ok(SearchRequest {
            investigation: self.investigation.trim().to_owned(),
            purpose: self.purpose,
            justification: self.justification.trim().to_owned(),
            vrm: None,
            from: form_time(&self.from),
            to: form_time(&self.to),
            cameras: comma_list(&self.cameras),
            area: optional(&self.area),
            authority_ref: optional(&self.authority),
            offset: 0,
            limit,
            fuzzy: false,
            fuzzy_indel: false,
        })
    }
}

/// The scope's boxes; their ids are `<prefix>-investigation`, `<prefix>-from`, ...
#[derive(Debug, Clone, Copy)]
pub struct ScopeFields {
    prefix: &'static str,
    pub investigation: RwSignal<String>,
    pub purpose: RwSignal<Option<Purpose>>,
    pub justification: RwSignal<String>,
    pub from: RwSignal<String>,
    pub to: RwSignal<String>,
    pub cameras: RwSignal<String>,
    pub area: RwSignal<String>,
    pub authority: RwSignal<String>,
}

impl ScopeFields {
    pub fn new(prefix: &'static str) -> Self {
        ScopeFields {
            prefix,
            investigation: RwSignal::new(String::new()),
            purpose: RwSignal::new(Some(Purpose::Investigation)),
            justification: RwSignal::new(String::new()),
            from: RwSignal::new(String::new()),
            to: RwSignal::new(String::new()),
            cameras: RwSignal::new(String::new()),
            area: RwSignal::new(String::new()),
            authority: RwSignal::new(String::new()),
        }
    }

    fn id(self, name: &str) -> String {
        format!("{}-{name}", self.prefix)
    }

    /// What the page holds now.
    pub fn read(self) -> ScopeForm {
        if let Some(value) = selected_value(&self.id("investigation")) {
            self.investigation.set(value);
        }
        if let Some(value) = selected_value(&self.id("purpose")) {
            self.purpose.set(value.parse().ok());
        }
        ScopeForm {
            investigation: self.investigation.get_untracked(),
            purpose: self.purpose.get_untracked(),
            justification: current_value(&self.id("justification"), self.justification),
            from: current_value(&self.id("from"), self.from),
            to: current_value(&self.id("to"), self.to),
            cameras: current_value(&self.id("cameras"), self.cameras),
            area: current_value(&self.id("area"), self.area),
            authority: current_value(&self.id("authority"), self.authority),
        }
    }
}

/// The scope's boxes in a form grid, `children` (what is searched for) after the purpose, and
/// the justification below the grid.
#[component]
pub fn ScopeInputs(
    fields: ScopeFields,
    investigations: RwSignal<Vec<Investigation>>,
    children: Children,
) -> impl IntoView {
    let id = move |name: &str| fields.id(name);
    view! {
        <div class="form-grid">
            <SelectField
                id=id("investigation")
                label="Investigation"
                value=fields.investigation
                options=investigations::options(investigations)
            />
            <div class="field">
                <label for=id("purpose")>"Purpose"</label>
                <select id=id("purpose") on:change=move |ev| fields.purpose.set(event_target_value(&ev).parse().ok())>
                    {Purpose::ALL
                        .iter()
                        .map(|p| {
                            let selected = fields.purpose.get_untracked() == Some(*p);
                            view! {
                                <option value=p.as_str() selected=selected>
                                    {p.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            {children()}
            <TextField
                id=id("from")
                label="From (UK time)"
                value=fields.from
                kind="datetime-local"
                hint="Empty: as far back as Annex C allows."
            />
            <TextField id=id("to") label="To (UK time)" value=fields.to kind="datetime-local" hint="Empty: now." />
            <TextField id=id("cameras") label="Cameras" value=fields.cameras hint="Camera ids, separated by commas." />
            <TextField id=id("area") label="General area" value=fields.area />
            <TextField
                id=id("authority")
                label="Written authority"
                value=fields.authority
                hint="Its reference, e.g. AUTH-0001, when the search relies on one."
            />
        </div>
        <TextField
            id=id("justification")
            label="Justification"
            value=fields.justification
            multiline=true
            required=true
            hint="Why this search is necessary and proportionate (NASPLE 9.2.1); it is audited."
        />
    }
}

/// The Annex C grant a search or analysis ran on.
#[component]
pub fn GrantBanner(grant: GrantInfo, id: &'static str) -> impl IntoView {
    view! {
        <div id=id class="notice notice-grant" role="status">
            <p class="notice-heading">{grant.basis.clone()}</p>
            <p class="notice-clause">{format!("NASPLE {}", grant.clause)}</p>
            <p>{format!("Period searched: {} to {}", grant.from_uk, grant.to_uk)}</p>
            {grant.authority.map(|a| view! { <p id=format!("{id}-authority")>{format!("Written authority {a}")}</p> })}
        </div>
    }
}

/// A failure shown as it is (a refusal with its clause and what would allow it) and, for a
/// refusal, the request for the written authority it needs; once sent, its reference goes into
/// the scope's Written authority box.
#[component]
pub fn ScopeFailure(
    id: &'static str,
    app: AppState,
    failure: RwSignal<Option<ApiError>>,
    /// The scope that was refused.
    ran: RwSignal<Option<SearchRequest>>,
    authority: RwSignal<String>,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    Effect::new(move |_| {
        // A new failure (or none) closes the request form.
        failure.track();
        asking.set(false);
    });
    let refused = move || failure.with(|f| f.as_ref().is_some_and(|e| e.code == "refused"));
    view! {
        {move || {
            failure
                .get()
                .map(|e| {
                    view! {
                        <Problem error=e id=id />
                        <Show when=refused>
                            <button
                                id="request-authority"
                                type="button"
                                class="btn"
                                on:click=move |_| {
                                    asking.set(true);
                                    focus_later("authority-purpose");
                                }
                            >
                                "Request authority"
                            </button>
                        </Show>
                    }
                })
        }}
        {move || {
            ran.get()
                .filter(|_| asking.get())
                .map(|search| {
                    view! {
                        <AuthorityRequestForm
                            search=search
                            app=app
                            on_pending=Callback::new(move |reference| authority.set(reference))
                        />
                    }
                })
        }}
    }
}
/// The request for the written authority a refused search needs (Annex C), its period and
/// purpose taken from that search.
#[component]
fn AuthorityRequestForm(search: SearchRequest, app: AppState, on_pending: Callback<String>) -> impl IntoView {
    let purpose = RwSignal::new(match search.purpose {
        Some(Purpose::CodeOfEthics) => Purpose::CodeOfEthics,
        _ => Purpose::Investigation,
    });
    let reason_code = RwSignal::new(String::new());
    let from = RwSignal::new(search.from.clone().unwrap_or_default());
    let to = RwSignal::new(search.to.clone().unwrap_or_default());
    let reason = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Outcome>);
    let pending = RwSignal::new(None::<String>);
    let investigation = search.investigation.clone();

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(p) = selected_value("authority-purpose").and_then(|v| v.parse().ok()) {
            purpose.set(p);
        }
        if let Some(code) = selected_value("authority-reason-code") {
            reason_code.set(code);
        }
        let purpose = purpose.get_untracked();
        let code = reason_code.get_untracked();
        let request = AuthorityRequest {
            investigation: investigation.clone(),
            purpose,
            from: form_time(&current_value("authority-from", from)).unwrap_or_default(),
            to: form_time(&current_value("authority-to", to)).unwrap_or_default(),
            reason_code: (purpose == Purpose::Investigation).then(|| code.parse::<ExtensionReason>().ok()).flatten(),
            reason: current_value("authority-reason", reason).trim().to_owned(),
        };
        let code_needed = if purpose == Purpose::Investigation { code.as_str() } else { "-" };
        let required = [
            ("start of the period", request.from.as_str()),
            ("end", &request.to),
            ("reason code", code_needed),
            ("reason", &request.reason),
        ];
        if let Some(message) = missing_fields(&required) {
            outcome.set(Some(Outcome::Failed(api::invalid(message))));
            return;
        }
        act(app, outcome, async move { api::request_authority(&request).await }, move |authority| {
            on_pending.run(authority.reference.clone());
            pending.set(Some(authority.reference));
            None
        });
    };

    view! {
        <form id="authority-form" class="panel form" on:submit=submit aria-labelledby="authority-title">
            <h2 id="authority-title">{format!("Request written authority for {}", search.investigation)}</h2>
            <p class="muted">
                "A Priority and Volume search over 90 days needs an Inspector's written authority, with one of the "
                "Annex C reasons; a Code of Ethics investigation needs a Superintendent's."
            </p>
            <div class="form-grid">
                <div class="field">
                    <label for="authority-purpose">"Purpose"</label>
                    <select id="authority-purpose" on:change=move |ev| {
                        if let Ok(p) = event_target_value(&ev).parse() {
                            purpose.set(p);
                        }
                    }>
                        {[Purpose::Investigation, Purpose::CodeOfEthics]
                            .into_iter()
                            .map(|p| {
                                view! {
                                    <option value=p.as_str() selected=purpose.get_untracked() == p>
                                        {p.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <Show when=move || purpose.get() == Purpose::Investigation>
                    <div class="field">
                        <label for="authority-reason-code">"Reason (Annex C)"</label>
                        <select id="authority-reason-code" on:change=move |ev| reason_code.set(event_target_value(&ev))>
                            <option value="" selected=move || reason_code.get().is_empty()>
                                "Choose a reason"
                            </option>
                            {ExtensionReason::ALL
                                .iter()
                                .map(|r| {
                                    view! {
                                        <option value=r.as_str() selected=reason_code.get_untracked() == r.as_str()>
                                            {r.label()}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </div>
                </Show>
                <TextField id="authority-from" label="From (UK time)" value=from kind="datetime-local" required=true />
                <TextField id="authority-to" label="To (UK time)" value=to kind="datetime-local" required=true />
            </div>
            <TextField id="authority-reason" label="Reason" value=reason multiline=true required=true />
            <OutcomeMessage outcome=outcome id="authority-message" />
            {move || {
                pending
                    .get()
                    .map(|reference| {
                        view! {
                            <p class="msg msg-note" role="status">
                                "Request " <strong id="authority-reference">{reference}</strong>
                                " is pending. Once it is approved, search again: the reference is now in "
                                "Written authority."
                            </p>
                        }
                    })
            }}
            <div class="form-actions">
                <button id="authority-submit" type="submit" class="btn btn-primary">
                    "Send the request"
                </button>
            </div>
        </form>
    }
}
