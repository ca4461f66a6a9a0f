//! The read browser: every read this user may see, newest first, in a virtualised table (only the
//! rows in view exist in the page; pages of 200 are fetched as the user scrolls and cached), and a
//! detail pane with the read's images, hashes and provenance.

use crate::api;
use crate::app::use_app;
use crate::components::problem::Problem;
use crate::components::read_cells::{ReadCells, ReadHead};
use crate::components::read_detail::{Detail, DetailPane, open_detail};
use crate::format::thousands;
use crate::virtual_rows::{Geometry, MAX_CACHED_PAGES, PAGE_SIZE, ROW_HEIGHT, pages_for, pages_to_evict};
use anpr_types::{ApiError, ReadSummary};
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

    let refresh = move || {
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
        if let Some(id) = cache.with_untracked(|c| cached(c, index).map(|r| r.id)) {
            open_detail(state, detail, id);
        }
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
    let detail_open = move || detail.with(Detail::is_open);

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
                <button id="reads-refresh" type="button" class="btn" on:click=move |_| refresh()>
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
                        <ReadHead />
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
                    <DetailPane detail=detail on_changed=Callback::new(move |()| refresh()) />
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
