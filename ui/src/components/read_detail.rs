//! A read in full beside a list of reads: its images (zoomable), facts, provenance and
//! corrections, with the actions to correct its VRM or delete it as incorrect (7.3.1, 9.7).

use crate::api::{self, image_url};
use crate::app::{AppState, use_app};
use crate::components::field::{TextField, current_value};
use crate::components::outcome::{Outcome, OutcomeMessage, act};
use crate::components::problem::Problem;
use crate::format::{bytes, confidence, correction_text, missing_fields, optional, sentence, thousands};
use anpr_types::{ApiError, CorrectionRequest, ImageInfo, ReadDetail};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[derive(Debug, Clone)]
pub enum Detail {
    Closed,
    Loading(i64),
    Shown(Box<ReadDetail>),
    Failed(ApiError),
    /// Deleted as incorrect (the read's id).
    Deleted(String),
}

impl Detail {
    pub fn is_open(&self) -> bool {
        !matches!(self, Detail::Closed)
    }

    /// The store id of the read shown.
    pub fn shown_id(&self) -> Option<i64> {
        match self {
            Detail::Shown(d) => Some(d.read.id),
            _ => None,
        }
    }
}

/// Shows the read with store id `id` in `detail` (unless it is shown already); an answer that
/// comes after the user moved on to another read is dropped.
pub fn open_detail(app: AppState, detail: RwSignal<Detail>, id: i64) {
    if detail.with_untracked(|d| d.shown_id() == Some(id)) {
        return;
    }
    detail.set(Detail::Loading(id));
    spawn_local(async move {
        let result = api::read_detail(id).await;
        if !matches!(detail.try_get_untracked(), Some(Detail::Loading(current)) if current == id) {
            return;
        }
        match result {
            Ok(d) => detail.set(Detail::Shown(Box::new(d))),
            Err(e) => match app.check(e) {
                Some(e) => detail.set(Detail::Failed(e)),
                None => detail.set(Detail::Closed),
            },
        }
    });
}

/// What the correction actions need: where the read is shown and who to tell of a change.
#[derive(Debug, Clone, Copy)]
struct Correcting {
    app: AppState,
    detail: RwSignal<Detail>,
    outcome: RwSignal<Option<Outcome>>,
    on_changed: Callback<()>,
}

/// The detail pane; `on_changed` runs after the read was corrected or deleted, for the list to
/// show it.
#[component]
pub fn DetailPane(detail: RwSignal<Detail>, on_changed: Callback<()>) -> impl IntoView {
    let correcting = Correcting { app: use_app(), detail, outcome: RwSignal::new(None), on_changed };
    let close = move |_| {
        correcting.outcome.set(None);
        detail.set(Detail::Closed);
    };
    view! {
        <aside id="read-detail" class="detail" aria-labelledby="detail-title">
            <div class="detail-head">
                <h2 id="detail-title">
                    {move || match detail.get() {
                        Detail::Shown(d) if d.read.not_read => "NOT READ".to_owned(),
                        Detail::Shown(d) => d.read.vrm.clone(),
                        Detail::Loading(_) => "Loading…".to_owned(),
                        Detail::Deleted(_) => "Deleted".to_owned(),
                        _ => "Read".to_owned(),
                    }}
                </h2>
                <button id="detail-close" type="button" class="btn" on:click=close aria-label="Close the read">
                    "Close"
                </button>
            </div>
            <OutcomeMessage outcome=correcting.outcome id="correction-message" />
            {move || match detail.get() {
                Detail::Shown(d) => view! { <DetailBody detail=*d correcting=correcting /> }.into_any(),
                Detail::Failed(e) => view! { <Problem error=e id="detail-error" /> }.into_any(),
                Detail::Deleted(read_id) => view! {
                    <p id="detail-deleted" class="empty">
                        {format!("Read {read_id} was deleted as incorrect; the correction record keeps what it read.")}
                    </p>
                }
                .into_any(),
                _ => view! { <p class="muted">"Loading the read…"</p> }.into_any(),
            }}
        </aside>
    }
}

/// "Correct VRM" and "Delete as incorrect", each with its required reason (7.3.1, 9.7).
#[component]
fn CorrectionForm(id: i64, correcting: Correcting) -> impl IntoView {
    let vrm = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let send = move |delete: bool| {
        let new_vrm = current_value("correct-vrm", vrm);
        let why = current_value("correct-reason", reason);
        let required: &[(&str, &str)] =
            if delete { &[("reason", &why)] } else { &[("corrected VRM", &new_vrm), ("reason", &why)] };
        if let Some(message) = missing_fields(required) {
            correcting.outcome.set(Some(Outcome::Failed(api::invalid(message))));
            return;
        }
        let request = CorrectionRequest { id, vrm: (!delete).then(|| optional(&new_vrm)).flatten(), reason: why };
        let detail = correcting.detail;
        let read_id = detail.with_untracked(|d| match d {
            Detail::Shown(d) => d.read.read_id.clone(),
            _ => String::new(),
        });
        act(correcting.app, correcting.outcome, async move { api::correct_read(&request).await }, move |answer| {
            let note = match &answer {
                Some(d) => format!("Read {read_id}: VRM corrected to {}", d.read.vrm),
                None => format!("Read {read_id} deleted as incorrect"),
            };
            detail.set(match answer {
                Some(d) => Detail::Shown(Box::new(d)),
                None => Detail::Deleted(read_id),
            });
            correcting.on_changed.run(());
            Some(note)
        });
    };
    view! {
        <form
            id="correction-form"
            class="form correction-form"
            on:submit=move |ev| {
                ev.prevent_default();
                send(false);
            }
        >
            <h3>"Correct this read"</h3>
            <TextField id="correct-vrm" label="Corrected VRM" value=vrm hint="The VRM as the plate patch shows it." />
            <TextField id="correct-reason" label="Reason" value=reason multiline=true required=true />
            <div class="form-actions">
                <button id="correct-submit" type="submit" class="btn btn-primary">
                    "Correct VRM"
                </button>
                <button id="delete-incorrect" type="button" class="btn btn-danger" on:click=move |_| send(true)>
                    "Delete as incorrect"
                </button>
            </div>
        </form>
    }
}

#[component]
fn ZoomableImage(info: ImageInfo, id: &'static str, label: &'static str) -> impl IntoView {
    let zoomed = RwSignal::new(false);
    let toggle = move |_| zoomed.update(|z| *z = !*z);
    let zoom_id = format!("{id}-zoom");
    view! {
        <div class="image-head">
            <h3>{label}</h3>
            <button
                id=zoom_id
                type="button"
                class="btn btn-small"
                aria-pressed=move || zoomed.get().to_string()
                on:click=toggle
            >
                {move || if zoomed.get() { "Zoom 1x" } else { "Zoom 2x" }}
            </button>
        </div>
        <div class="image-frame" class:zoomed=move || zoomed.get()>
            <img
                id=id
                src=image_url(&info.sha256, false)
                width=info.width
                height=info.height
                alt=label
                title="Click to zoom"
                on:click=toggle
            />
        </div>
        <p class="image-meta">
            <span class="muted">
                {format!("{} × {} px, {}, {}", info.width, info.height, info.format.to_uppercase(), bytes(info.bytes))}
            </span>
            <br />
            <span class="muted">"SHA-256 "</span>
            <span class="mono hash" id=format!("{id}-sha256")>
                {info.sha256.clone()}
            </span>
        </p>
    }
}

#[component]
fn DetailBody(detail: ReadDetail, correcting: Correcting) -> impl IntoView {
    let read = detail.read.clone();
    let corrections = if detail.corrections.is_empty() {
        view! {
            <p id="detail-no-corrections" class="muted">
                "None: the read is as captured."
            </p>
        }
        .into_any()
    } else {
        view! {
            <ul id="detail-corrections" class="corrections">
                {detail
                    .corrections
                    .iter()
                    .map(|c| view! { <li class="correction">{correction_text(c)}</li> })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    let provenance = detail.provenance.clone();
    let plate = match detail.plate.clone() {
        Some(info) => view! { <ZoomableImage info=info id="detail-plate" label="Plate patch" /> }.into_any(),
        None => view! {
            <h3>"Plate patch"</h3>
            <p id="detail-no-plate" class="muted">
                "no plate patch recorded"
            </p>
        }
        .into_any(),
    };
    let overview = match detail.overview.clone() {
        Some(info) => view! { <ZoomableImage info=info id="detail-overview" label="Overview image" /> }.into_any(),
        None => view! {
            <h3>"Overview image"</h3>
            <p id="detail-no-overview" class="muted">
                "no overview image recorded"
            </p>
        }
        .into_any(),
    };
    view! {
        <div class="detail-body">
            <p class="muted">
                <span id="detail-time">{read.read_time_uk.clone()}</span>
                " · "
                {read.camera_name.clone()}
            </p>
            {plate}
            {overview}
            <h3>"Read"</h3>
            <dl class="facts">
                <dt>"Read id"</dt>
                <dd class="mono" id="detail-read-id">
                    {read.read_id.clone()}
                </dd>
                <dt>"VRM"</dt>
                <dd>{if read.not_read { "NOT READ".to_owned() } else { read.vrm.clone() }}</dd>
                <dt>"Time (UK)"</dt>
                <dd>{read.read_time_uk.clone()}</dd>
                <dt>"Time (UTC)"</dt>
                <dd class="mono">{read.read_time.clone()}</dd>
                <dt>"Camera id"</dt>
                <dd class="mono" id="detail-camera-id">
                    {read.camera_id.clone()}
                </dd>
                <dt>"Camera"</dt>
                <dd>{read.camera_name.clone()}</dd>
                <dt>"General area"</dt>
                <dd id="detail-general-area">{read.general_area.clone()}</dd>
                <dt>"Latitude, longitude"</dt>
                <dd class="mono" id="detail-latlon">
                    {format!("{:.6}, {:.6}", detail.latitude, detail.longitude)}
                </dd>
                <dt>"Lane, direction"</dt>
                <dd>
                    {format!(
                        "{}, {}",
                        read.lane.map(|l| l.to_string()).unwrap_or_else(|| "—".into()),
                        read.direction.clone().unwrap_or_else(|| "—".into()),
                    )}
                </dd>
                <dt>"Confidence"</dt>
                <dd>{confidence(read.confidence)}</dd>
            </dl>
            <h3>"Provenance"</h3>
            <dl class="facts" id="detail-provenance">
                <dt>"Import bundle"</dt>
                <dd class="mono">{provenance.bundle.clone()}</dd>
                <dt>"Bundle SHA-256"</dt>
                <dd class="mono hash" id="detail-bundle-sha256">
                    {provenance.bundle_sha256.clone()}
                </dd>
                <dt>"Imported by"</dt>
                <dd>{provenance.by.clone()}</dd>
                <dt>"Imported (UK)"</dt>
                <dd>{provenance.finished_uk.clone()}</dd>
                <dt>"Import"</dt>
                <dd>
                    {format!(
                        "#{}: {} accepted, {} duplicate, {} rejected",
                        provenance.id,
                        thousands(provenance.reads_accepted),
                        thousands(provenance.reads_duplicate),
                        thousands(provenance.reads_rejected),
                    )}
                </dd>
            </dl>
            <p class="muted small">{sentence("images are shown from the evidence store, verified by their SHA-256.")}</p>
            <h3>"Corrections"</h3>
            {corrections}
            <CorrectionForm id=read.id correcting=correcting />
        </div>
    }
}
