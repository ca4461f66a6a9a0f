//! The read browser: every read this user may see, newest first, in a virtualised table (only the
//! rows in view exist in the page; pages of 200 are fetched as the user scrolls and cached), and a
//! detail pane with the read's images, hashes and provenance.

use crate::api::{self, image_url};
use crate::app::use_app;
use crate::components::problem::Problem;
use crate::format::{bytes, confidence, sentence, thousands, utc_short};
use crate::virtual_rows::{Geometry, MAX_CACHED_PAGES, PAGE_SIZE, ROW_HEIGHT, pages_for, pages_to_evict};
use anpr_types::{ApiError, ImageInfo, ReadDetail, ReadSummary};
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use wasm_bindgen::JsCast;

type Cache = HashMap<u64, Vec<ReadSummary>>;

/// Wait for scrolling to pause this long before fetching pages.
const SETTLE_MS: u64 = 60;

/// Height of the column headings (`.read-head` in styles.css).
const HEAD_PX: f64 = 36.0;

fn cached(cache: &Cache, index: u64) -> Option<&ReadSummary> {
    cache.get(&(index / PAGE_SIZE)).and_then(|page| page.get((index % PAGE_SIZE) as usize))
}

#[derive(Debug, Clone)]
enum Detail {
    Closed,
    Loading(i64),
    Shown(Box<ReadDetail>),
    Failed(ApiError),
}

/// What a row needs from the table.
#[derive(Debug, Clone, Copy)]
struct Table {
    cache: RwSignal<Cache>,
    selected: RwSignal<Option<u64>>,
    /// Added to `index * ROW_HEIGHT` to place a row (non-zero only for compressed huge tables).
    shift: Memo<f64>,
    open: Callback<u64>,
}

#[component]
pub fn ReadsPage() -> impl IntoView {
    let state = use_app();
    let total = RwSignal::new(None::<u64>);
    let cache = RwSignal::new(Cache::new());
    let pending = StoredValue::new(HashSet::<u64>::new());
    let generation = StoredValue::new(0u64);
    let error = RwSignal::new(None::<ApiError>);
    let scroll_top = RwSignal::new(0.0f64);
    let viewport_px = RwSignal::new(0.0f64);
    let selected = RwSignal::new(None::<u64>);
    let detail = RwSignal::new(Detail::Closed);
    let viewport = NodeRef::<leptos::html::Div>::new();

    let geometry = Memo::new(move |_| Geometry { total: total.get().unwrap_or(0), viewport_px: viewport_px.get() });
    let visible = Memo::new(move |_| geometry.get().visible(scroll_top.get()));
    let shift = Memo::new(move |_| geometry.get().row_top(0, scroll_top.get()));

    let fetch_page = move |page: u64| {
        if pending.with_value(|p| p.contains(&page)) || cache.with_untracked(|c| c.contains_key(&page)) {
            return;
        }
        pending.update_value(|p| {
            p.insert(page);
        });
        let asked_in = generation.get_value();
        spawn_local(async move {
            let result = api::browse_reads(page * PAGE_SIZE, PAGE_SIZE).await;
            // The page was left, or the table refreshed, meanwhile.
            if generation.try_get_value() != Some(asked_in) {
                return;
            }
            pending.update_value(|p| {
                p.remove(&page);
            });
            match result {
                Ok(found) => {
                    let centre = visible.get_untracked().start / PAGE_SIZE;
                    total.set(Some(found.total));
                    cache.update(|c| {
                        c.insert(page, found.reads);
                        let keys: Vec<u64> = c.keys().copied().collect();
                        for k in pages_to_evict(&keys, centre, MAX_CACHED_PAGES) {
                            c.remove(&k);
                        }
                    });
                }
                Err(e) => error.set(state.check(e)),
            }
        });
    };

    // Fetch what comes into view once scrolling pauses, so dragging the scrollbar across thousands
    // of rows asks only for the pages where it stops.
    fetch_page(0);
    let settle = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let rows = visible.get();
        if let Some(pending_fetch) = settle.get_value() {
            pending_fetch.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                if generation.try_get_value().is_some() {
                    for page in pages_for(&rows) {
                        fetch_page(page);
                    }
                }
            },
            Duration::from_millis(SETTLE_MS),
        );
        settle.set_value(handle.ok());
    });
    on_cleanup(move || {
        if let Some(handle) = settle.try_get_value().flatten() {
            handle.clear();
        }
    });

    let refresh = move |_| {
        generation.update_value(|g| *g += 1);
        pending.update_value(HashSet::clear);
        error.set(None);
        cache.set(Cache::new());
        fetch_page(visible.get_untracked().start / PAGE_SIZE);
        for page in pages_for(&visible.get_untracked()) {
            fetch_page(page);
        }
    };

    // Measure the viewport now, after layout, and whenever the window changes size.
    let measure = move || {
        if let Some(el) = viewport.get_untracked() {
            // The column headings stick to the top of the viewport, over the rows.
            viewport_px.set((f64::from(el.client_height()) - HEAD_PX).max(0.0));
        }
    };
    Effect::new(move |_| {
        if viewport.get().is_some() {
            measure();
            request_animation_frame(measure);
        }
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());

    let open = Callback::new(move |index: u64| {
        selected.set(Some(index));
        let Some(id) = cache.with_untracked(|c| cached(c, index).map(|r| r.id)) else { return };
        if matches!(detail.get_untracked(), Detail::Shown(ref d) if d.read.id == id) {
            return;
        }
        detail.set(Detail::Loading(id));
        spawn_local(async move {
            let result = api::read_detail(id).await;
            // Only if the user has not moved on to another read meanwhile.
            if !matches!(detail.try_get_untracked(), Some(Detail::Loading(current)) if current == id) {
                return;
            }
            match result {
                Ok(d) => detail.set(Detail::Shown(Box::new(d))),
                Err(e) => match state.check(e) {
                    Some(e) => detail.set(Detail::Failed(e)),
                    None => detail.set(Detail::Closed),
                },
            }
        });
    });

    let focus_row = move |index: u64| {
        if let Some(el) = viewport.get_untracked()
            && let Ok(Some(row)) = el.query_selector(&format!("[data-row-index=\"{index}\"]"))
            && let Ok(row) = row.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = row.focus();
        }
    };

    let select = move |index: u64| {
        selected.set(Some(index));
        if let Some(el) = viewport.get_untracked() {
            let now = f64::from(el.scroll_top());
            let wanted = geometry.get_untracked().scroll_to_show(index, now);
            if (wanted - now).abs() >= 1.0 {
                el.set_scroll_top(wanted.round() as i32);
                scroll_top.set(f64::from(el.scroll_top()));
            }
        }
        request_animation_frame(move || focus_row(index));
    };

    let on_key = move |ev: KeyboardEvent| {
        let Some(count) = total.get_untracked().filter(|t| *t > 0) else { return };
        let g = geometry.get_untracked();
        let top = g.virtual_top(scroll_top.get_untracked());
        let first_in_view = ((top / ROW_HEIGHT).ceil() as u64).min(count - 1);
        let per_screen = ((g.viewport_px / ROW_HEIGHT).floor() as u64).max(1);
        let current = selected.get_untracked();
        let next = match ev.key().as_str() {
            "ArrowDown" => current.map_or(first_in_view, |c| (c + 1).min(count - 1)),
            "ArrowUp" => current.map_or(first_in_view, |c| c.saturating_sub(1)),
            "PageDown" => current.map_or(first_in_view, |c| (c + per_screen).min(count - 1)),
            "PageUp" => current.map_or(first_in_view, |c| c.saturating_sub(per_screen)),
            "Home" => 0,
            "End" => count - 1,
            "Enter" => {
                // The focused row, else the selected one.
                let focused = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .and_then(|el| el.get_attribute("data-row-index"))
                    .and_then(|i| i.parse::<u64>().ok());
                if let Some(index) = focused.or(current) {
                    ev.prevent_default();
                    open.run(index);
                }
                return;
            }
            "Escape" => {
                detail.set(Detail::Closed);
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        select(next);
    };

    let table = Table { cache, selected, shift, open };
    let content_height = move || format!("{}px", geometry.get().content_px());
    let detail_open = move || !matches!(detail.get(), Detail::Closed);

    view! {
        <section id="reads" class="page page-fill" aria-labelledby="reads-title">
            <div class="page-head">
                <h1 id="reads-title">"Reads"</h1>
                <span class="muted">
                    {move || match total.get() {
                        None => "Loading…".to_owned(),
                        Some(t) => format!("{} reads, newest first", thousands(t)),
                    }}
                </span>
                <span id="reads-total" class="visually-hidden">
                    {move || total.get().map(|t| t.to_string())}
                </span>
                <span class="spacer"></span>
                <span class="muted keys-hint">"↑ ↓ move · Enter opens · Esc closes"</span>
                <button id="reads-refresh" type="button" class="btn" on:click=refresh>
                    "Refresh"
                </button>
            </div>
            {move || error.get().map(|e| view! { <Problem error=e id="reads-error" /> })}
            <div class="reads-body" class:with-detail=detail_open>
                <div class="reads-table" role="grid" aria-label="Reads" aria-rowcount=move || total.get()>
                    <div
                        id="reads-viewport"
                        class="reads-viewport"
                        style="overflow-y: auto; overflow-x: hidden"
                        node_ref=viewport
                        tabindex="0"
                        aria-label="Reads, newest first: arrow keys move, Enter opens"
                        on:scroll=move |ev| {
                            let el = event_target::<web_sys::Element>(&ev);
                            scroll_top.set(f64::from(el.scroll_top()));
                        }
                        on:keydown=on_key
                    >
                    <div class="read-head" role="row">
                        <div class="cell c-plate" role="columnheader">"Plate patch"</div>
                        <div class="cell c-vrm" role="columnheader">"VRM"</div>
                        <div class="cell c-time" role="columnheader">"Time (UK)"</div>
                        <div class="cell c-camera" role="columnheader">"Camera"</div>
                        <div class="cell c-area" role="columnheader">"General area"</div>
                        <div class="cell num c-lane" role="columnheader">"Lane"</div>
                        <div class="cell c-dir" role="columnheader">"Direction"</div>
                        <div class="cell num c-conf" role="columnheader">"Confidence"</div>
                    </div>
                        <div class="reads-content" style:height=content_height>
                            <For each=move || visible.get() key=|i| *i let:index>
                                <ReadRow index=index table=table />
                            </For>
                        </div>
                        <Show when=move || total.get() == Some(0)>
                            <p id="reads-empty" class="empty">
                                "No reads you may see yet. Import a bundle first."
                            </p>
                        </Show>
                    </div>
                </div>
                <Show when=detail_open>
                    <DetailPane detail=detail />
                </Show>
            </div>
        </section>
    }
}

#[component]
fn ReadRow(index: u64, table: Table) -> impl IntoView {
    let read = Memo::new(move |_| table.cache.with(|c| cached(c, index).cloned()));
    let loaded = move || read.with(Option::is_some);
    let is_selected = move || table.selected.get() == Some(index);
    let top = move || format!("{}px", index as f64 * ROW_HEIGHT + table.shift.get());
    view! {
        <div
            class="row"
            class:read-row=loaded
            class:read-row-pending=move || !loaded()
            class:selected=is_selected
            class:odd=index % 2 == 1
            role="row"
            tabindex=move || if is_selected() { "0" } else { "-1" }
            aria-selected=move || if is_selected() { "true" } else { "false" }
            aria-rowindex=index + 1
            data-row-index=index
            data-read-id=move || read.with(|r| r.as_ref().map(|r| r.id))
            style:top=top
            on:click=move |_| table.open.run(index)
        >
            {move || match read.get() {
                None => view! { <div class="cell muted">"Loading…"</div> }.into_any(),
                Some(r) => view! { <ReadCells read=r /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn ReadCells(read: ReadSummary) -> impl IntoView {
    let alt = if read.not_read { "Plate patch (not read)".to_owned() } else { format!("Plate patch of {}", read.vrm) };
    let thumb = match &read.plate_image {
        Some(sha) => view! {
            <img class="plate-thumb" src=image_url(sha, false) alt=alt width="120" height="26" decoding="async" />
        }
        .into_any(),
        None => view! { <span class="plate-none muted">"no patch"</span> }.into_any(),
    };
    let vrm = if read.not_read {
        view! { <span class="badge badge-warn">"NOT READ"</span> }.into_any()
    } else {
        view! { <span class="vrm">{read.vrm.clone()}</span> }.into_any()
    };
    view! {
        <div class="cell c-plate" role="gridcell">
            {thumb}
        </div>
        <div class="cell c-vrm" role="gridcell">
            {vrm}
        </div>
        <div class="cell nowrap c-time" role="gridcell" title=utc_short(&read.read_time)>
            {read.read_time_uk.clone()}
        </div>
        <div class="cell ellipsis c-camera" role="gridcell" title=read.camera_id.clone()>
            {read.camera_name.clone()}
        </div>
        <div class="cell ellipsis c-area" role="gridcell">
            {read.general_area.clone()}
        </div>
        <div class="cell num c-lane" role="gridcell">
            {read.lane.map(|l| l.to_string()).unwrap_or_else(|| "—".into())}
        </div>
        <div class="cell ellipsis c-dir" role="gridcell">
            {read.direction.clone().unwrap_or_else(|| "—".into())}
        </div>
        <div class="cell num c-conf" role="gridcell">
            {confidence(read.confidence)}
        </div>
    }
}

#[component]
fn DetailPane(detail: RwSignal<Detail>) -> impl IntoView {
    let close = move |_| detail.set(Detail::Closed);
    view! {
        <aside id="read-detail" class="detail" aria-labelledby="detail-title">
            <div class="detail-head">
                <h2 id="detail-title">
                    {move || match detail.get() {
                        Detail::Shown(d) if d.read.not_read => "NOT READ".to_owned(),
                        Detail::Shown(d) => d.read.vrm.clone(),
                        Detail::Loading(_) => "Loading…".to_owned(),
                        _ => "Read".to_owned(),
                    }}
                </h2>
                <button id="detail-close" type="button" class="btn" on:click=close aria-label="Close the read">
                    "Close"
                </button>
            </div>
            {move || match detail.get() {
                Detail::Shown(d) => view! { <DetailBody detail=*d /> }.into_any(),
                Detail::Failed(e) => view! { <Problem error=e id="detail-error" /> }.into_any(),
                _ => view! { <p class="muted">"Loading the read…"</p> }.into_any(),
            }}
        </aside>
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
fn DetailBody(detail: ReadDetail) -> impl IntoView {
    let read = detail.read.clone();
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
        </div>
    }
}
