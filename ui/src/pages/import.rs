//! Import a read bundle: choose its folder, watch progress, read the summary and the rejected rows.

use crate::api;
use crate::app::use_app;
use crate::components::field::{FolderField, current_value};
use crate::components::problem::Problem;
use crate::format::thousands;
use crate::import_errors::{Column, SortOrder, as_tsv, sorted};
use anpr_types::{ApiError, ImportProgress, ImportStage, ImportSummary};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Rows of the errors table drawn at once; "Copy errors" always copies them all.
const ERRORS_SHOWN: usize = 1000;

/// The import in hand; lives with the workspace so it carries on while other pages show.
#[derive(Debug, Clone, Copy)]
pub struct ImportJob {
    path: RwSignal<String>,
    running: RwSignal<bool>,
    progress: RwSignal<Option<ImportProgress>>,
    summary: RwSignal<Option<ImportSummary>>,
    error: RwSignal<Option<ApiError>>,
}

impl ImportJob {
    pub fn new() -> Self {
        ImportJob {
            path: RwSignal::new(String::new()),
            running: RwSignal::new(false),
            progress: RwSignal::new(None),
            summary: RwSignal::new(None),
            error: RwSignal::new(None),
        }
    }
}

fn stage_label(stage: ImportStage) -> &'static str {
    match stage {
        ImportStage::CheckingManifest => "Checking the manifest",
        ImportStage::Cameras => "Cameras",
        ImportStage::Reads => "Reads and images",
        ImportStage::Committing => "Saving",
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let state = use_app();
    let job = expect_context::<ImportJob>();

    let start = move |ev: SubmitEvent| {
        ev.prevent_default();
        if job.running.get_untracked() {
            return;
        }
        let path = current_value("import-path", job.path).trim().to_owned();
        if path.is_empty() {
            job.error.set(Some(api::internal("Choose the bundle's folder first.")));
            return;
        }
        job.running.set(true);
        job.summary.set(None);
        job.error.set(None);
        job.progress.set(None);
        spawn_local(async move {
            // Progress is a nicety: the import runs even if the subscription fails.
            let subscription = api::listen_import_progress(move |p| job.progress.set(Some(p))).await.ok();
            let outcome = api::import_bundle(&path).await;
            if let Some(s) = subscription {
                s.stop();
            }
            job.running.set(false);
            match outcome {
                Ok(summary) => job.summary.set(Some(summary)),
                Err(e) => job.error.set(state.check(e)),
            }
        });
    };

    let cancel = move |_| {
        spawn_local(async move {
            if let Err(e) = api::cancel_import().await {
                job.error.set(state.check(e));
            }
        });
    };

    let progress_max = move || job.progress.get().map(|p| p.total.max(1)).unwrap_or(1);
    // A finished import shows a full bar, whatever its last stage reported.
    let finished = move || !job.running.get() && job.summary.with(Option::is_some);
    let progress_value = move || match job.progress.get() {
        _ if finished() => progress_max(),
        Some(p) => p.done.min(p.total.max(1)),
        None => 0,
    };
    let progress_text = move || match (job.running.get(), job.progress.get()) {
        _ if finished() => "Finished".to_owned(),
        (false, _) => "Not started".to_owned(),
        (true, None) => "Starting…".to_owned(),
        (true, Some(p)) if p.total > 0 => {
            format!("{}: {} of {}", stage_label(p.stage), thousands(p.done), thousands(p.total))
        }
        (true, Some(p)) => format!("{}: {}", stage_label(p.stage), thousands(p.done)),
    };

    view! {
        <section id="import" class="page" aria-labelledby="import-title">
            <div class="page-head">
                <h1 id="import-title">"Import reads"</h1>
            </div>
            <p class="muted">
                "A read bundle is a folder with its manifest, cameras, reads and images (docs/formats.md). "
                "Another system's read file is a single file, recognised by its content: OpenALPR JSON, "
                "Plate Recognizer Snapshot JSON or Stream CSV, Genetec AutoVu XML (docs/foreign-formats.md). "
                "Each read and image is checked; rejected rows are listed below with the reason."
            </p>
            <form class="panel form-inline" on:submit=start>
                <FolderField
                    id="import-path"
                    pick_id="import-pick"
                    label="Bundle folder or read file"
                    title="Choose a read bundle folder or another system's read file"
                    file_pick_id="import-pick-file"
                    value=job.path
                    on_error=Callback::new(move |e| job.error.set(state.check(e)))
                    disabled=Signal::derive(move || job.running.get())
                    placeholder="/path/to/bundle"
                />
                <div class="form-actions">
                    <button id="import-start" type="submit" class="btn btn-primary" disabled=move || job.running.get()>
                        "Start import"
                    </button>
                    <button
                        id="import-cancel"
                        type="button"
                        class="btn btn-danger"
                        on:click=cancel
                        disabled=move || !job.running.get()
                    >
                        "Cancel"
                    </button>
                </div>
            </form>
            <div class="panel progress-panel">
                <label for="import-progress">"Progress"</label>
                <progress
                    id="import-progress"
                    max=move || progress_max().to_string()
                    value=move || progress_value().to_string()
                    data-stage=move || job.progress.get().map(|p| format!("{:?}", p.stage))
                ></progress>
                <span id="import-stage" class="muted" aria-live="polite">
                    {progress_text}
                </span>
            </div>
            {move || {
                job.error
                    .get()
                    .map(|e| {
                        let id = if e.code == "bundle_refused" { "import-refused" } else { "import-error" };
                        view! { <Problem error=e id=id /> }
                    })
            }}
            {move || job.summary.get().map(|s| view! { <SummaryView summary=s /> })}
        </section>
    }
}

#[component]
fn SummaryView(summary: ImportSummary) -> impl IntoView {
    let errors = summary.errors.clone();
    let warnings = summary.warnings.clone();
    let fact = |id: &'static str, label: &'static str, n: u64| {
        view! {
            <div class="fact">
                <span class="fact-label">{label}</span>
                <span class="fact-value" id=id>
                    {n}
                </span>
            </div>
        }
    };
    view! {
        <section id="import-summary" class="panel" aria-labelledby="import-summary-title">
            <h2 id="import-summary-title">"Summary"</h2>
            <p>
                <span class="mono">{summary.bundle.clone()}</span>
                <br />
                <span class="muted">"Bundle SHA-256 "</span>
                <span id="import-bundle-sha256" class="mono hash">
                    {summary.bundle_sha256.clone()}
                </span>
            </p>
            <div class="facts-grid">
                {fact("import-reads-accepted", "Reads accepted", summary.reads_accepted)}
                {fact("import-reads-duplicate", "Reads already held", summary.reads_duplicate)}
                {fact("import-reads-rejected", "Reads rejected", summary.reads_rejected)}
                {fact("import-images-stored", "Images stored", summary.images_stored)}
                {fact("import-images-rejected", "Images rejected", summary.images_rejected)}
                {fact("import-cameras-added", "Cameras added", summary.cameras_added)}
            </div>
            {(!warnings.is_empty())
                .then(|| {
                    view! {
                        <h3>"Warnings"</h3>
                        <ul id="import-warnings">
                            {warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                        </ul>
                    }
                })}
            <ErrorsTable errors=errors />
        </section>
    }
}

#[component]
fn ErrorsTable(errors: Vec<anpr_types::ImportIssue>) -> impl IntoView {
    let count = errors.len();
    let all = StoredValue::new(errors);
    let order = RwSignal::new(SortOrder::default());
    let copy_note = RwSignal::new(None::<String>);
    let rows = Memo::new(move |_| all.with_value(|e| sorted(e, order.get())));

    let copy = move |_| {
        let text = rows.with_untracked(|r| as_tsv(r));
        spawn_local(async move {
            let note = match api::copy_text(&text).await {
                Ok(()) => format!("Copied {count} error(s) as tab-separated text."),
                Err(e) => format!("Could not copy: {}", e.message),
            };
            copy_note.set(Some(note));
        });
    };

    let header = move |column: Column, label: &'static str, id: &'static str, class: &'static str| {
        view! {
            <th scope="col" class=class aria-sort=move || order.get().aria(column)>
                <button id=id type="button" class="sort" on:click=move |_| order.update(|o| *o = o.clicked(column))>
                    {label}
                    <span class="sort-mark" aria-hidden="true">
                        {move || match order.get().aria(column) {
                            "ascending" => "▲",
                            "descending" => "▼",
                            _ => "",
                        }}
                    </span>
                </button>
            </th>
        }
    };

    if count == 0 {
        return view! { <p id="import-no-errors" class="muted">"No rows or images were rejected."</p> }.into_any();
    }
    view! {
        <div class="table-head">
            <h3>{format!("Rejected rows and images ({})", thousands(count as u64))}</h3>
            <button id="import-copy-errors" type="button" class="btn" on:click=copy>
                "Copy errors"
            </button>
            <span id="import-copy-message" class="muted" aria-live="polite">
                {move || copy_note.get()}
            </span>
        </div>
        {(count > ERRORS_SHOWN)
            .then(|| {
                view! {
                    <p class="muted">
                        {format!(
                            "Showing the first {} of {}; Copy errors copies them all.",
                            thousands(ERRORS_SHOWN as u64),
                            thousands(count as u64),
                        )}
                    </p>
                }
            })}
        <div class="table-wrap">
            <table id="import-errors" class="table">
                <thead>
                    <tr>
                        {header(Column::File, "File", "import-errors-sort-file", "")}
                        {header(Column::Line, "Line", "import-errors-sort-line", "num")}
                        {header(Column::Reason, "Reason", "import-errors-sort-reason", "")}
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        rows.with(|r| {
                            r.iter()
                                .take(ERRORS_SHOWN)
                                .map(|i| {
                                    view! {
                                        <tr class="error-row">
                                            <td class="mono">{i.file.clone()}</td>
                                            <td class="num">{i.line}</td>
                                            <td>{i.reason.clone()}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        })
                    }}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
