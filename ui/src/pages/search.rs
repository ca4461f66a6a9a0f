//! Search (Annex C): within one investigation, for a stated purpose and justification, over a
//! period Annex C allows for its category. The grant the search ran on is shown with its results;
//! a refusal is shown as it is, with a way to ask for the written authority it needs. Results
//! use the read browser's rows and detail pane; an evidence officer can retain a result for the
//! investigation (CPIA, 9.8); an export-privilege holder can export every result as CSV or KML
//! (docs/export.md).

use crate::api;
use crate::app::{AppState, use_app};
use crate::components::export::ExportButtons;
use crate::components::field::{CheckField, TextField, current_value, scroll_into_view_later};
use crate::components::investigations;
use crate::components::outcome::{Outcome, OutcomeMessage, act};
use crate::components::read_cells::{ReadCells, ReadHead};
use crate::components::read_detail::{Detail, DetailPane, open_detail};
use crate::components::scope::{GrantBanner, ScopeFailure, ScopeFields, ScopeForm, ScopeInputs};
use crate::format::{missing_fields, optional, thousands};
use crate::pages::add_exhibit::AddToPackage;
use anpr_types::{
    ApiError, ExportSource, Investigation, ReadSummary, RetainRequest, RetentionBasis, Role, SearchRequest,
    SearchResults,
};
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Results per page.
const LIMIT: u64 = 100;

/// The search form as typed: the scope and what is searched for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchForm {
    pub scope: ScopeForm,
    pub vrm: String,
    /// Misread-tolerant: OCR confusions (docs/vrm-search.md), and with `fuzzy_indel` one
    /// character more or fewer.
    pub fuzzy: bool,
    pub fuzzy_indel: bool,
}

impl SearchForm {
    /// The first page's request, or what is missing.
    pub fn request(&self) -> Result<SearchRequest, String> {
        Ok(SearchRequest {
            vrm: optional(&self.vrm),
            fuzzy: self.fuzzy,
            fuzzy_indel: self.fuzzy && self.fuzzy_indel,
            ..self.scope.request(LIMIT)?
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
    scope: ScopeFields,
    vrm: RwSignal<String>,
    fuzzy: RwSignal<bool>,
    fuzzy_indel: RwSignal<bool>,
}

impl Fields {
    fn new() -> Self {
        Fields {
            scope: ScopeFields::new("search"),
            vrm: RwSignal::new(String::new()),
            fuzzy: RwSignal::new(false),
            fuzzy_indel: RwSignal::new(false),
        }
    }

    /// What the page holds now.
    fn read(self) -> SearchForm {
        SearchForm {
            scope: self.scope.read(),
            vrm: current_value("search-vrm", self.vrm),
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
    investigations::load_open(app, load_outcome, investigations, fields.scope.investigation);

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        searching.detail.set(Detail::Closed);
        match fields.read().request() {
            Ok(request) => searching.run(request),
            Err(message) => searching.failure.set(Some(api::invalid(message))),
        }
    };
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
                <ScopeInputs fields=fields.scope investigations=investigations>
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
                </ScopeInputs>
                <div class="form-actions">
                    <button id="search-run" type="submit" class="btn btn-primary" disabled=move || searching.busy.get()>
                        {move || if searching.busy.get() { "Searching…" } else { "Search" }}
                    </button>
                </div>
            </form>
            <ScopeFailure
                id="search-refusal"
                app=app
                failure=searching.failure
                ran=searching.ran
                authority=fields.scope.authority
            />
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

/// The grant, the count and the paging buttons.
#[component]
fn Results(found: SearchResults, searching: Searching) -> impl IntoView {
    let (offset, total, shown) = (found.offset, found.total, found.reads.len());
    let has_next = offset + (shown as u64) < total;
    view! {
        <GrantBanner grant=found.grant id="search-grant" />
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
    use anpr_types::Purpose;

    fn form() -> SearchForm {
        SearchForm {
            scope: ScopeForm {
                investigation: "OP-1".into(),
                purpose: Some(Purpose::Investigation),
                justification: " suspect vehicle ".into(),
                ..ScopeForm::default()
            },
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
        let mut filled = SearchForm { vrm: "AB1? *".into(), ..form() };
        filled.scope.from = "2026-11-01T08:00".into();
        filled.scope.cameras = "CAM-1, CAM-2".into();
        filled.scope.authority = " AUTH-0001".into();
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
        let mut none = form();
        none.scope.investigation = String::new();
        none.scope.justification = " ".into();
        assert_eq!(none.request(), Err("Enter the investigation and the justification.".to_owned()));
    }

    #[test]
    fn paging_text() {
        assert_eq!(page_text(0, 100, 523), "Reads 1–100 of 523");
        assert_eq!(page_text(500, 23, 523), "Reads 501–523 of 523");
        assert_eq!(page_text(0, 0, 0), "No reads found (0 in all)");
    }
}
