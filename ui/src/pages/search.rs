//! Search (Annex C): within one investigation, for a stated purpose and justification, over a
//! period Annex C allows for its category. The grant the search ran on is shown with its results;
//! a refusal is shown as it is, with a way to ask for the written authority it needs. Results
//! use the read browser's rows and detail pane; an evidence officer can retain a result for the
//! investigation (CPIA, 9.8); an export-privilege holder can export every result as CSV or KML
//! (docs/export.md).

use crate::api;
use crate::app::{AppState, use_app};
use crate::components::export::ExportButtons;
use crate::components::field::{
    CheckField, SelectField, TextField, current_value, focus_later, scroll_into_view_later, selected_value,
};
use crate::components::investigations;
use crate::components::outcome::{Outcome, OutcomeMessage, act};
use crate::components::problem::Problem;
use crate::components::read_cells::{ReadCells, ReadHead};
use crate::components::read_detail::{Detail, DetailPane, open_detail};
use crate::format::{comma_list, form_time, missing_fields, optional, thousands};
use crate::pages::add_exhibit::AddToPackage;
use anpr_types::{
    ApiError, AuthorityRequest, ExportSource, ExtensionReason, GrantInfo, Investigation, Purpose, ReadSummary,
    RetainRequest, RetentionBasis, Role, SearchRequest, SearchResults,
};
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Results per page.
const LIMIT: u64 = 100;

/// The search form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchForm {
    pub investigation: String,
    pub purpose: Option<Purpose>,
    pub justification: String,
    pub vrm: String,
    pub from: String,
    pub to: String,
    pub cameras: String,
    pub area: String,
    pub authority: String,
    /// Misread-tolerant: OCR confusions (docs/vrm-search.md), and with `fuzzy_indel` one
    /// character more or fewer.
    pub fuzzy: bool,
    pub fuzzy_indel: bool,
}

impl SearchForm {
    /// The first page's request, or what is missing.
    pub fn request(&self) -> Result<SearchRequest, String> {
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
            vrm: optional(&self.vrm),
            from: form_time(&self.from),
            to: form_time(&self.to),
            cameras: comma_list(&self.cameras),
            area: optional(&self.area),
            authority_ref: optional(&self.authority),
            offset: 0,
            limit: LIMIT,
            fuzzy: self.fuzzy,
            fuzzy_indel: self.fuzzy && self.fuzzy_indel,
        })
    }
}

/// `Reads 101–200 of 523`.
pub fn page_text(offset: u64, shown: usize, total: u64) -> String {
    if shown == 0 {
        return format!("No reads found ({} in all)", thousands(total));
    }
    format!("Reads {}–{} of {}", thousands(offset + 1), thousands(offset + shown as u64), thousands(total))
}

/// The form's boxes.
#[derive(Debug, Clone, Copy)]
struct Fields {
    investigation: RwSignal<String>,
    purpose: RwSignal<Option<Purpose>>,
    justification: RwSignal<String>,
    vrm: RwSignal<String>,
    from: RwSignal<String>,
    to: RwSignal<String>,
    cameras: RwSignal<String>,
    area: RwSignal<String>,
    authority: RwSignal<String>,
    fuzzy: RwSignal<bool>,
    fuzzy_indel: RwSignal<bool>,
}

impl Fields {
    fn new() -> Self {
        Fields {
            investigation: RwSignal::new(String::new()),
            purpose: RwSignal::new(Some(Purpose::Investigation)),
            justification: RwSignal::new(String::new()),
            vrm: RwSignal::new(String::new()),
            from: RwSignal::new(String::new()),
            to: RwSignal::new(String::new()),
            cameras: RwSignal::new(String::new()),
            area: RwSignal::new(String::new()),
            authority: RwSignal::new(String::new()),
            fuzzy: RwSignal::new(false),
            fuzzy_indel: RwSignal::new(false),
        }
    }

    /// What the page holds now.
    fn read(self) -> SearchForm {
        if let Some(value) = selected_value("search-investigation") {
            self.investigation.set(value);
        }
        if let Some(value) = selected_value("search-purpose") {
            self.purpose.set(value.parse().ok());
        }
        SearchForm {
            investigation: self.investigation.get_untracked(),
            purpose: self.purpose.get_untracked(),
            justification: current_value("search-justification", self.justification),
            vrm: current_value("search-vrm", self.vrm),
            from: current_value("search-from", self.from),
            to: current_value("search-to", self.to),
            cameras: current_value("search-cameras", self.cameras),
            area: current_value("search-area", self.area),
            authority: current_value("search-authority", self.authority),
            fuzzy: self.fuzzy.get_untracked(),
            fuzzy_indel: self.fuzzy_indel.get_untracked(),
        }
    }
}

/// The search's state: the request that ran, its results or failure, the read open.
#[derive(Debug, Clone, Copy)]
struct Searching {
    app: AppState,
    ran: RwSignal<Option<SearchRequest>>,
    results: RwSignal<Option<SearchResults>>,
    failure: RwSignal<Option<ApiError>>,
    busy: RwSignal<bool>,
    detail: RwSignal<Detail>,
    selected: RwSignal<Option<i64>>,
}

impl Searching {
    fn run(self, request: SearchRequest) {
        self.busy.set(true);
        self.failure.set(None);
        self.ran.set(Some(request.clone()));
        spawn_local(async move {
            let result = api::search(&request).await;
            if self.busy.try_get_untracked().is_none() {
                return;
            }
            self.busy.set(false);
            match result {
                Ok(found) => {
                    self.results.set(Some(found));
                    scroll_into_view_later("search-grant");
                }
                Err(e) => {
                    self.results.set(None);
                    self.failure.set(self.app.check(e));
                    scroll_into_view_later("search-refusal");
                }
            }
        });
    }

    /// The search that ran, at another offset (`None`: the same page again).
    fn again(self, offset: Option<u64>) {
        if let Some(mut request) = self.ran.get_untracked() {
            request.offset = offset.unwrap_or(request.offset);
            self.run(request);
        }
    }

    fn open(self, id: i64) {
        self.selected.set(Some(id));
        open_detail(self.app, self.detail, id);
    }
}

#[component]
pub fn SearchPage() -> impl IntoView {
    let app = use_app();
    let fields = Fields::new();
    let searching = Searching {
        app,
        ran: RwSignal::new(None),
        results: RwSignal::new(None),
        failure: RwSignal::new(None),
        busy: RwSignal::new(false),
        detail: RwSignal::new(Detail::Closed),
        selected: RwSignal::new(None),
    };
    let investigations = RwSignal::new(Vec::<Investigation>::new());
    let load_outcome = RwSignal::new(None::<Outcome>);
    investigations::load_open(app, load_outcome, investigations, fields.investigation);
    let asking = RwSignal::new(false);

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        asking.set(false);
        searching.detail.set(Detail::Closed);
        match fields.read().request() {
            Ok(request) => searching.run(request),
            Err(message) => searching.failure.set(Some(api::invalid(message))),
        }
    };
    let refused = move || searching.failure.with(|f| f.as_ref().is_some_and(|e| e.code == "refused"));
    let detail_open = move || searching.detail.with(Detail::is_open);
    let evidence_officer = move || app.role() == Some(Role::EvidenceOfficer);

    view! {
        <section id="search" class="page" aria-labelledby="search-title">
            <div class="page-head">
                <h1 id="search-title">"Search"</h1>
                <span class="muted">"Within an investigation, for a stated purpose, as NASPLE Annex C allows"</span>
            </div>
            <OutcomeMessage outcome=load_outcome id="search-load-message" />
            <form id="search-form" class="panel form" on:submit=submit aria-label="Search">
                <div class="form-grid">
                    <SelectField
                        id="search-investigation"
                        label="Investigation"
                        value=fields.investigation
                        options=investigations::options(investigations)
                    />
                    <div class="field">
                        <label for="search-purpose">"Purpose"</label>
                        <select
                            id="search-purpose"
                            on:change=move |ev| fields.purpose.set(event_target_value(&ev).parse().ok())
                        >
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
                    <TextField
                        id="search-vrm"
                        label="VRM"
                        value=fields.vrm
                        hint="A full VRM, or a pattern: ? is one character, * any run."
                    />
                    <div class="field-pair">
                        <CheckField
                            id="search-fuzzy"
                            label="Misread-tolerant"
                            value=fields.fuzzy
                            hint="A full VRM: also finds reads differing by OCR confusions (O/0, B/8, S/5 ...)."
                        />
                        <CheckField
                            id="search-fuzzy-indel"
                            label="One character more or fewer"
                            value=fields.fuzzy_indel
                            disabled=Signal::derive(move || !fields.fuzzy.get())
                        />
                    </div>
                    <TextField
                        id="search-from"
                        label="From (UK time)"
                        value=fields.from
                        kind="datetime-local"
                        hint="Empty: as far back as Annex C allows."
                    />
                    <TextField
                        id="search-to"
                        label="To (UK time)"
                        value=fields.to
                        kind="datetime-local"
                        hint="Empty: now."
                    />
                    <TextField
                        id="search-cameras"
                        label="Cameras"
                        value=fields.cameras
                        hint="Camera ids, separated by commas."
                    />
                    <TextField id="search-area" label="General area" value=fields.area />
                    <TextField
                        id="search-authority"
                        label="Written authority"
                        value=fields.authority
                        hint="Its reference, e.g. AUTH-0001, when the search relies on one."
                    />
                </div>
                <TextField
                    id="search-justification"
                    label="Justification"
                    value=fields.justification
                    multiline=true
                    required=true
                    hint="Why this search is necessary and proportionate (NASPLE 9.2.1); it is audited."
                />
                <div class="form-actions">
                    <button id="search-run" type="submit" class="btn btn-primary" disabled=move || searching.busy.get()>
                        {move || if searching.busy.get() { "Searching…" } else { "Search" }}
                    </button>
                </div>
            </form>
            {move || {
                searching
                    .failure
                    .get()
                    .map(|e| {
                        view! {
                            <Problem error=e id="search-refusal" />
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
                searching
                    .ran
                    .get()
                    .filter(|_| asking.get())
                    .map(|search| {
                        view! {
                            <AuthorityRequestForm
                                search=search
                                app=app
                                on_pending=Callback::new(move |reference| fields.authority.set(reference))
                            />
                        }
                    })
            }}
            {move || searching.results.get().map(|found| view! { <Results found=found searching=searching /> })}
            <Show when=move || searching.results.with(Option::is_some)>
                <ExportButtons
                    id="search-export"
                    source=Signal::derive(move || {
                        searching.results.with(Option::is_some).then(|| searching.ran.get()).flatten().map(ExportSource::Search)
                    })
                    name=Signal::derive(move || {
                        searching
                            .ran
                            .with(|r| {
                                r.as_ref()
                                    .map(|r| format!("{} search {}", r.investigation, r.vrm.as_deref().unwrap_or("all")))
                            })
                            .unwrap_or_default()
                    })
                />
                <div class="reads-body results-body" class:with-detail=detail_open>
                    <div class="reads-table" role="grid" aria-label="Search results">
                        <div id="search-results" class="reads-viewport static-rows">
                            <ReadHead />
                            <For
                                each=move || {
                                    searching.results.with(|r| r.as_ref().map(|r| r.reads.clone()).unwrap_or_default())
                                }
                                key=|r| (r.id, r.vrm.clone())
                                let:read
                            >
                                <ResultRow read=read searching=searching />
                            </For>
                        </div>
                    </div>
                    <Show when=detail_open>
                        <DetailPane detail=searching.detail on_changed=Callback::new(move |()| searching.again(None)) />
                    </Show>
                </div>
            </Show>
            <Show when=move || evidence_officer() && searching.detail.with(|d| d.shown_id().is_some())>
                <AddToPackage
                    read=Signal::derive(move || searching.detail.with(Detail::shown_id))
                    investigation=Signal::derive(move || {
                        searching.ran.with(|r| r.as_ref().map(|r| r.investigation.clone()))
                    })
                />
                <RetainForm searching=searching />
            </Show>
        </section>
    }
}

#[component]
fn GrantBanner(grant: GrantInfo) -> impl IntoView {
    view! {
        <div id="search-grant" class="notice notice-grant" role="status">
            <p class="notice-heading">{grant.basis.clone()}</p>
            <p class="notice-clause">{format!("NASPLE {}", grant.clause)}</p>
            <p>{format!("Period searched: {} to {}", grant.from_uk, grant.to_uk)}</p>
            {grant.authority.map(|a| view! { <p id="search-grant-authority">{format!("Written authority {a}")}</p> })}
        </div>
    }
}

/// The grant, the count and the paging buttons.
#[component]
fn Results(found: SearchResults, searching: Searching) -> impl IntoView {
    let (offset, total, shown) = (found.offset, found.total, found.reads.len());
    let has_next = offset + (shown as u64) < total;
    view! {
        <GrantBanner grant=found.grant />
        <div class="page-head">
            <span id="search-total" data-total=total>
                {page_text(offset, shown, total)}
            </span>
            <span class="spacer"></span>
            <button
                id="search-prev"
                type="button"
                class="btn"
                disabled=offset == 0
                on:click=move |_| searching.again(Some(offset.saturating_sub(LIMIT)))
            >
                "Previous"
            </button>
            <button
                id="search-next"
                type="button"
                class="btn"
                disabled=!has_next
                on:click=move |_| searching.again(Some(offset + LIMIT))
            >
                "Next"
            </button>
        </div>
    }
}

#[component]
fn ResultRow(read: ReadSummary, searching: Searching) -> impl IntoView {
    let (id, vrm) = (read.id, read.vrm.clone());
    let on_key = move |ev: KeyboardEvent| {
        if matches!(ev.key().as_str(), "Enter" | " ") {
            ev.prevent_default();
            searching.open(id);
        }
    };
    let is_selected = move || searching.selected.get() == Some(id);
    view! {
        <div
            class="row search-result"
            class:selected=is_selected
            role="row"
            tabindex="0"
            aria-selected=move || is_selected().to_string()
            data-read-id=id
            data-vrm=vrm
            on:click=move |_| searching.open(id)
            on:keydown=on_key
        >
            <ReadCells read=read />
        </div>
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

/// Retaining the read open for the search's investigation (CPIA, 9.8): evidence officers.
#[component]
fn RetainForm(searching: Searching) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Outcome>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let why = current_value("retain-reason", reason).trim().to_owned();
        let read = searching.detail.with_untracked(Detail::shown_id);
        let investigation = searching.ran.with_untracked(|r| r.as_ref().map(|r| r.investigation.clone()));
        let (Some(read), Some(investigation)) = (read, investigation) else { return };
        if let Some(message) = missing_fields(&[("reason", &why)]) {
            outcome.set(Some(Outcome::Failed(api::invalid(message))));
            return;
        }
        let request = RetainRequest {
            reads: vec![read],
            basis: RetentionBasis::Cpia,
            investigation: Some(investigation.clone()),
            reason: why,
        };
        act(searching.app, outcome, async move { api::retain_reads(&request).await }, move |count| {
            Some(if count == 0 {
                format!("Already retained for {investigation}")
            } else {
                format!("Retained for {investigation} (CPIA)")
            })
        });
    };
    view! {
        <form id="retain-form" class="panel form" on:submit=submit aria-labelledby="retain-title">
            <h2 id="retain-title">"Retain the read open for this investigation (CPIA)"</h2>
            <p class="muted">
                "A retained read is kept beyond the workstation's 7 days and may then be used only for this "
                "investigation (NASPLE 9.8); the reviewer and reason are recorded."
            </p>
            <TextField id="retain-reason" label="Reason" value=reason multiline=true required=true />
            <OutcomeMessage outcome=outcome id="retain-message" />
            <div class="form-actions">
                <button id="retain-submit" type="submit" class="btn btn-primary">
                    "Retain for this investigation (CPIA)"
                </button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SearchForm {
        SearchForm {
            investigation: "OP-1".into(),
            purpose: Some(Purpose::Investigation),
            justification: " suspect vehicle ".into(),
            ..SearchForm::default()
        }
    }

    #[test]
    fn empty_boxes_take_the_defaults() {
        let request = form().request().unwrap_or_default();
        assert_eq!(request.investigation, "OP-1");
        assert_eq!(request.justification, "suspect vehicle");
        assert_eq!(
            (request.vrm, request.from, request.to, request.area, request.authority_ref),
            (None, None, None, None, None)
        );
        assert!(request.cameras.is_empty());
        assert_eq!((request.offset, request.limit), (0, LIMIT));
    }

    #[test]
    fn filled_boxes_are_sent() {
        let filled = SearchForm {
            vrm: "AB1? *".into(),
            from: "2026-11-01T08:00".into(),
            cameras: "CAM-1, CAM-2".into(),
            authority: " AUTH-0001".into(),
            ..form()
        };
        let request = filled.request().unwrap_or_default();
        assert_eq!(request.vrm.as_deref(), Some("AB1? *"));
        assert_eq!(request.from.as_deref(), Some("2026-11-01T08:00"));
        assert_eq!(request.cameras, vec!["CAM-1".to_owned(), "CAM-2".to_owned()]);
        assert_eq!(request.authority_ref.as_deref(), Some("AUTH-0001"));
    }

    #[test]
    fn one_character_more_or_fewer_only_with_misread_tolerance() {
        let indel_alone = SearchForm { fuzzy_indel: true, ..form() }.request().unwrap_or_default();
        assert!(!indel_alone.fuzzy && !indel_alone.fuzzy_indel);
        let both = SearchForm { fuzzy: true, fuzzy_indel: true, ..form() }.request().unwrap_or_default();
        assert!(both.fuzzy && both.fuzzy_indel);
    }

    #[test]
    fn justification_and_investigation_are_required() {
        let none = SearchForm { investigation: String::new(), justification: " ".into(), ..form() };
        assert_eq!(none.request(), Err("Enter the investigation and the justification.".to_owned()));
    }

    #[test]
    fn paging_text() {
        assert_eq!(page_text(0, 100, 523), "Reads 1–100 of 523");
        assert_eq!(page_text(500, 23, 523), "Reads 501–523 of 523");
        assert_eq!(page_text(0, 0, 0), "No reads found (0 in all)");
    }
}
