//! Analysis (issue 5): journey, convoy, stakeout, cloned plate and list search, each run as a
//! search under Annex C in the same scope as the Search page (shared boxes, the same refusal
//! and authority request). A result shows its own summary, the map (the cameras the core says
//! this user may see, and the result's positions), and its reads in a sortable, virtualised
//! table: arrow keys move, Enter opens the read, Space adds it to the side-by-side comparison
//! of plate patches.

use crate::analysis_view::{
    Column, KeyAction, Kind, ParamsForm, Sort, key_action, map_content, reads_of, toggle_compared,
};
use crate::api;
use crate::app::{AppState, use_app};
use crate::components::export::ExportButtons;
use crate::components::field::{TextField, current_value, scroll_into_view_later, selected_value};
use crate::components::investigations;
use crate::components::map::AnalysisMap;
use crate::components::outcome::{Outcome, OutcomeMessage, act};
use crate::components::read_cells::{PlateThumb, ReadCells};
use crate::components::read_detail::{Detail, DetailPane, open_detail};
use crate::components::scope::{GrantBanner, ScopeFailure, ScopeFields, ScopeInputs};
use crate::components::table::DataTable;
use crate::format::thousands;
use crate::virtual_rows::{Geometry, ROW_HEIGHT};
use anpr_types::{
    AnalysisRequest, AnalysisResult, ApiError, ExportSource, Findings, Investigation, LocatedRead, MapCamera, Moment,
    SearchRequest,
};
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Height of the column headings (`.read-head` in styles.css).
const HEAD_PX: f64 = 36.0;

/// The analysis's own boxes.
#[derive(Debug, Clone, Copy)]
struct Params {
    kind: RwSignal<Kind>,
    vrm: RwSignal<String>,
    window_minutes: RwSignal<String>,
    min_together: RwSignal<String>,
    places: RwSignal<String>,
    min_places: RwSignal<String>,
    max_speed: RwSignal<String>,
    vrms: RwSignal<String>,
}

impl Params {
    fn new() -> Self {
        let d = ParamsForm::default();
        Params {
            kind: RwSignal::new(d.kind),
            vrm: RwSignal::new(d.vrm),
            window_minutes: RwSignal::new(d.window_minutes),
            min_together: RwSignal::new(d.min_together),
            places: RwSignal::new(d.places),
            min_places: RwSignal::new(d.min_places),
            max_speed: RwSignal::new(d.max_speed),
            vrms: RwSignal::new(d.vrms),
        }
    }

    fn read(self) -> ParamsForm {
        if let Some(kind) = selected_value("analysis-kind").as_deref().and_then(Kind::parse) {
            self.kind.set(kind);
        }
        ParamsForm {
            kind: self.kind.get_untracked(),
            vrm: current_value("analysis-vrm", self.vrm),
            window_minutes: current_value("analysis-window", self.window_minutes),
            min_together: current_value("analysis-min-together", self.min_together),
            places: current_value("analysis-places", self.places),
            min_places: current_value("analysis-min-places", self.min_places),
            max_speed: current_value("analysis-max-speed", self.max_speed),
            vrms: current_value("analysis-vrms", self.vrms),
        }
    }
}

/// The analysis's state: the scope that ran, the result or failure, and the reads table's.
#[derive(Debug, Clone, Copy)]
struct Analysing {
    app: AppState,
    ran: RwSignal<Option<SearchRequest>>,
    last: StoredValue<Option<AnalysisRequest>>,
    result: RwSignal<Option<AnalysisResult>>,
    failure: RwSignal<Option<ApiError>>,
    busy: RwSignal<bool>,
    detail: RwSignal<Detail>,
    sort: RwSignal<Sort>,
    selected: RwSignal<Option<usize>>,
    compared: RwSignal<Vec<i64>>,
}

impl Analysing {
    fn run(self, request: AnalysisRequest) {
        self.busy.set(true);
        self.failure.set(None);
        self.ran.set(Some(request.scope.clone()));
        self.last.set_value(Some(request.clone()));
        spawn_local(async move {
            let answer = api::analyse(&request).await;
            if self.busy.try_get_untracked().is_none() {
                return;
            }
            self.busy.set(false);
            self.selected.set(None);
            self.compared.set(Vec::new());
            match answer {
                Ok(found) => {
                    self.result.set(Some(found));
                    scroll_into_view_later("analysis-grant");
                }
                Err(e) => {
                    self.result.set(None);
                    self.failure.set(self.app.check(e));
                    scroll_into_view_later("analysis-refusal");
                }
            }
        });
    }
}

#[component]
pub fn AnalysisPage() -> impl IntoView {
    let app = use_app();
    let scope = ScopeFields::new("analysis");
    let params = Params::new();
    let analysing = Analysing {
        app,
        ran: RwSignal::new(None),
        last: StoredValue::new(None),
        result: RwSignal::new(None),
        failure: RwSignal::new(None),
        busy: RwSignal::new(false),
        detail: RwSignal::new(Detail::Closed),
        sort: RwSignal::new(Sort::default()),
        selected: RwSignal::new(None),
        compared: RwSignal::new(Vec::new()),
    };
    let investigations = RwSignal::new(Vec::<Investigation>::new());
    let load_outcome = RwSignal::new(None::<Outcome>);
    investigations::load_open(app, load_outcome, investigations, scope.investigation);
    let cameras = RwSignal::new(Vec::<MapCamera>::new());
    let tiles = RwSignal::new(false);
    let map_outcome = RwSignal::new(None::<Outcome>);
    act(app, map_outcome, api::map_cameras(), move |found| {
        cameras.set(found);
        None
    });
    spawn_local(async move {
        if let Ok(settings) = api::map_settings().await {
            let _ = tiles.try_set(settings.tile_url.is_some());
        }
    });

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        analysing.detail.set(Detail::Closed);
        let request = scope
            .read()
            .request(0)
            .and_then(|scope| params.read().analysis().map(|analysis| AnalysisRequest { scope, analysis }));
        match request {
            Ok(request) => analysing.run(request),
            Err(message) => analysing.failure.set(Some(api::invalid(message))),
        }
    };
    let content = Signal::derive(move || {
        analysing.result.with(|r| r.as_ref().map(|r| map_content(&r.findings)).unwrap_or_default())
    });
    let kind = params.kind;
    let shows = move |k: Kind| move || kind.get() == k;
    let needs_vrm = move || matches!(kind.get(), Kind::Journey | Kind::Convoy | Kind::Cloned);

    view! {
        <section id="analysis" class="page" aria-labelledby="analysis-title">
            <div class="page-head">
                <h1 id="analysis-title">"Analysis"</h1>
                <span class="muted">"Journeys, convoys, stakeouts, cloned plates and lists: each a search under NASPLE Annex C"</span>
            </div>
            <OutcomeMessage outcome=load_outcome id="analysis-load-message" />
            <form id="analysis-form" class="panel form" on:submit=submit aria-label="Analysis">
                <ScopeInputs fields=scope investigations=investigations>
                    <div class="field">
                        <label for="analysis-kind">"Analysis"</label>
                        <select id="analysis-kind" on:change=move |ev| {
                            if let Some(k) = Kind::parse(&event_target_value(&ev)) {
                                kind.set(k);
                            }
                        }>
                            {Kind::ALL
                                .into_iter()
                                .map(|k| view! { <option value=k.as_str() selected=kind.get_untracked() == k>{k.label()}</option> })
                                .collect_view()}
                        </select>
                    </div>
                    <Show when=needs_vrm>
                        <TextField
                            id="analysis-vrm"
                            label="VRM"
                            value=params.vrm
                            hint="A full VRM (cloned plate: optional, and may be a pattern with ? and *)."
                        />
                    </Show>
                    <Show when=shows(Kind::Convoy)>
                        <TextField id="analysis-window" label="Window (minutes either side)" value=params.window_minutes kind="number" />
                        <TextField id="analysis-min-together" label="Seen together at least (times)" value=params.min_together kind="number" />
                    </Show>
                    <Show when=shows(Kind::Stakeout)>
                        <TextField
                            id="analysis-places"
                            label="Places and times"
                            value=params.places
                            multiline=true
                            hint="One a line: CAM1,CAM2@2026-11-01T09:00..2026-11-01T11:00 or area=Ashbury@2026-11-02..2026-11-03"
                        />
                        <TextField id="analysis-min-places" label="Seen at at least (places)" value=params.min_places kind="number" />
                    </Show>
                    <Show when=shows(Kind::Cloned)>
                        <TextField id="analysis-max-speed" label="Faster than (km/h)" value=params.max_speed kind="number" />
                    </Show>
                    <Show when=shows(Kind::List)>
                        <TextField
                            id="analysis-vrms"
                            label="VRMs"
                            value=params.vrms
                            multiline=true
                            hint="Separated by commas, spaces or new lines (up to 1,000)."
                        />
                    </Show>
                </ScopeInputs>
                <div class="form-actions">
                    <button id="analysis-run" type="submit" class="btn btn-primary" disabled=move || analysing.busy.get()>
                        {move || if analysing.busy.get() { "Analysing…" } else { "Analyse" }}
                    </button>
                </div>
            </form>
            <ScopeFailure
                id="analysis-refusal"
                app=app
                failure=analysing.failure
                ran=analysing.ran
                authority=scope.authority
            />
            {move || {
                analysing
                    .result
                    .get()
                    .map(|r| {
                        view! {
                            <GrantBanner grant=r.grant.clone() id="analysis-grant" />
                            {r.truncated.then(|| view! {
                                <p id="analysis-truncated" class="msg msg-note">"The result reached its limit: not everything found is listed."</p>
                            })}
                            <Summary findings=r.findings />
                        }
                    })
            }}
            <OutcomeMessage outcome=map_outcome id="analysis-map-message" />
            <AnalysisMap id="analysis-map" cameras=cameras content=content tiles=tiles />
            <Show when=move || analysing.result.with(Option::is_some)>
                <ExportButtons
                    id="analysis-export"
                    source=Signal::derive(move || {
                        analysing
                            .result
                            .with(Option::is_some)
                            .then(|| analysing.last.get_value())
                            .flatten()
                            .map(ExportSource::Analysis)
                    })
                    name=Signal::derive(move || {
                        analysing.result.track();
                        analysing
                            .last
                            .with_value(|r| {
                                r.as_ref().map(|r| format!("{} {}", r.scope.investigation, r.analysis.kind()))
                            })
                            .unwrap_or_default()
                    })
                />
                <ResultReads analysing=analysing />
            </Show>
        </section>
    }
}

fn moment(m: &Option<Moment>) -> String {
    m.as_ref().map(|m| m.time_uk.clone()).unwrap_or_else(|| "—".into())
}

/// What a result found, in the words and tables of its kind.
#[component]
fn Summary(findings: Findings) -> impl IntoView {
    match findings {
        Findings::Journey(j) => view! {
            <p id="journey-summary" class="result-summary" data-vrm=j.vrm.clone() data-total=j.total>
                {format!("{}: {} reads at {} cameras. First seen {}, last seen {}.", j.vrm, thousands(j.total), j.cameras.len(), moment(&j.first_seen), moment(&j.last_seen))}
            </p>
            <DataTable id="journey-cameras" heads=&["Camera", "General area", "Reads", "First seen", "Last seen"]>
                {j.cameras.into_iter().map(|c| view! {
                    <tr data-camera=c.camera_id.clone()>
                        <td title=c.camera_id.clone()>{c.camera_name}</td>
                        <td>{c.general_area}</td>
                        <td class="num">{thousands(c.reads)}</td>
                        <td class="nowrap">{c.first_seen.time_uk}</td>
                        <td class="nowrap">{c.last_seen.time_uk}</td>
                    </tr>
                }).collect_view()}
            </DataTable>
        }
        .into_any(),
        Findings::Convoy(c) => view! {
            <p id="convoy-summary" class="result-summary">
                {format!("{}: {} reads; {} companions.", c.vrm, thousands(c.target_reads), c.companions.len())}
            </p>
            <DataTable id="convoy-companions" heads=&["Companion", "Times together", "Shared sightings"]>
                {c.companions.into_iter().map(|m| view! {
                    <tr class="convoy-companion" data-vrm=m.vrm.clone() data-times=m.times_together>
                        <td class="vrm">{m.vrm.clone()}</td>
                        <td class="num">{m.times_together}</td>
                        <td class="small">
                            {m.shared.iter().map(|s| format!("{} at {} ({:+.0} s)", s.target.read.read_time_uk, s.target.read.camera_name, s.seconds_apart)).collect::<Vec<_>>().join("; ")}
                        </td>
                    </tr>
                }).collect_view()}
            </DataTable>
        }
        .into_any(),
        Findings::Stakeout(s) => view! {
            <DataTable id="stakeout-places" heads=&["Place", "Cameras or area", "From", "To", "Vehicles"]>
                {s.places.into_iter().enumerate().map(|(i, p)| view! {
                    <tr>
                        <td class="num">{i + 1}</td>
                        <td>{if p.cameras.is_empty() { p.area.unwrap_or_default() } else { p.cameras.join(", ") }}</td>
                        <td class="nowrap">{moment(&p.from)}</td>
                        <td class="nowrap">{moment(&p.to)}</td>
                        <td class="num">{thousands(p.vehicles)}</td>
                    </tr>
                }).collect_view()}
            </DataTable>
            <DataTable id="stakeout-vehicles" heads=&["Vehicle", "Seen at places"]>
                {s.vehicles.into_iter().map(|v| view! {
                    <tr data-vrm=v.vrm.clone()>
                        <td class="vrm">{v.vrm.clone()}</td>
                        <td>{v.places.iter().map(|p| (p + 1).to_string()).collect::<Vec<_>>().join(", ")}</td>
                    </tr>
                }).collect_view()}
            </DataTable>
        }
        .into_any(),
        Findings::Cloned(c) => view! {
            <DataTable id="cloned-pairs" heads=&["VRM", "Earlier read", "Later read", "Distance", "Apart", "Speed"]>
                {c.pairs.into_iter().map(|p| view! {
                    <tr data-vrm=p.vrm.clone()>
                        <td class="vrm">{p.vrm.clone()}</td>
                        <td><PairRead read=p.earlier /></td>
                        <td><PairRead read=p.later /></td>
                        <td class="num nowrap">{format!("{:.1} km", p.distance_km)}</td>
                        <td class="num nowrap">{format!("{:.1} min", p.minutes_apart)}</td>
                        <td class="num nowrap">{p.speed_kmh.map(|s| format!("{s:.0} km/h")).unwrap_or_else(|| "same instant".into())}</td>
                    </tr>
                }).collect_view()}
            </DataTable>
        }
        .into_any(),
        Findings::List(l) => view! {
            <DataTable id="list-hits" heads=&["VRM", "Reads", "Cameras", "First seen", "Last seen"]>
                {l.hits.into_iter().map(|h| view! {
                    <tr data-vrm=h.vrm.clone()>
                        <td class="vrm">{h.vrm.clone()}</td>
                        <td class="num">{thousands(h.total)}</td>
                        <td class="num">{h.cameras.len()}</td>
                        <td class="nowrap">{moment(&h.first_seen)}</td>
                        <td class="nowrap">{moment(&h.last_seen)}</td>
                    </tr>
                }).collect_view()}
            </DataTable>
            <p id="list-not-seen" class="result-summary">
                {if l.not_seen.is_empty() { "Every listed VRM was seen.".to_owned() } else { format!("Not seen: {}", l.not_seen.join(", ")) }}
            </p>
        }
        .into_any(),
    }
}

/// One read of a cloned pair: its plate patch, time and camera.
#[component]
fn PairRead(read: LocatedRead) -> impl IntoView {
    let r = read.read;
    view! {
        <div class="pair-read">
            <PlateThumb sha=r.plate_image.clone() alt=format!("Plate patch of {}", r.vrm) />
            <span class="nowrap">{r.read_time_uk}</span>
            <span class="muted">{r.camera_name}</span>
        </div>
    }
}

/// A sortable column heading.
#[component]
fn SortHead(column: Column, label: &'static str, class: &'static str, sort: RwSignal<Sort>) -> impl IntoView {
    let mark = move || {
        sort.with(|s| match (s.column == column, s.ascending) {
            (false, _) => "",
            (true, true) => " ▲",
            (true, false) => " ▼",
        })
    };
    let aria = move || {
        sort.with(|s| match (s.column == column, s.ascending) {
            (false, _) => "none",
            (true, true) => "ascending",
            (true, false) => "descending",
        })
    };
    view! {
        <div class=format!("cell {class}") role="columnheader" aria-sort=aria>
            <button type="button" class="sort-button" data-sort=label on:click=move |_| sort.update(|s| *s = s.clicked(column))>
                {label}
                {mark}
            </button>
        </div>
    }
}

/// The result's reads: sortable by clicking a heading, virtualised (only the rows in view are
/// in the page), with keyboard moves and the comparison of the reads chosen with Space.
#[component]
fn ResultReads(analysing: Analysing) -> impl IntoView {
    let sort = analysing.sort;
    let rows = Memo::new(move |_| {
        let mut rows = analysing.result.with(|r| r.as_ref().map(|r| reads_of(&r.findings)).unwrap_or_default());
        sort.get().apply(&mut rows);
        rows
    });
    let viewport = NodeRef::<leptos::html::Div>::new();
    let scroll_top = RwSignal::new(0.0f64);
    let viewport_px = RwSignal::new(0.0f64);
    let geometry = Memo::new(move |_| Geometry { total: rows.with(Vec::len) as u64, viewport_px: viewport_px.get() });
    let visible = Memo::new(move |_| geometry.get().visible(scroll_top.get()));
    let measure = move || {
        if let Some(el) = viewport.get_untracked() {
            viewport_px.set((f64::from(el.client_height()) - HEAD_PX).max(0.0));
        }
    };
    Effect::new(move |_| {
        if viewport.get().is_some() {
            request_animation_frame(measure);
        }
    });
    let (selected, compared, detail) = (analysing.selected, analysing.compared, analysing.detail);
    let open = move |index: usize| {
        selected.set(Some(index));
        if let Some(id) = rows.with_untracked(|r| r.get(index).map(|r| r.read.id)) {
            open_detail(analysing.app, detail, id);
        }
    };
    let toggle = move |index: usize| {
        if let Some(id) = rows.with_untracked(|r| r.get(index).map(|r| r.read.id)) {
            compared.update(|c| *c = toggle_compared(c, id));
        }
    };
    let on_key = move |ev: KeyboardEvent| {
        let per_screen = (geometry.get_untracked().viewport_px / ROW_HEIGHT).floor() as usize;
        match key_action(&ev.key(), selected.get_untracked(), rows.with_untracked(Vec::len), per_screen) {
            KeyAction::Nothing => return,
            KeyAction::Select(index) => {
                selected.set(Some(index));
                if let Some(el) = viewport.get_untracked() {
                    let now = f64::from(el.scroll_top());
                    let wanted = geometry.get_untracked().scroll_to_show(index as u64, now);
                    if (wanted - now).abs() >= 1.0 {
                        el.set_scroll_top(wanted.round() as i32);
                        scroll_top.set(f64::from(el.scroll_top()));
                    }
                }
            }
            KeyAction::Open(index) => open(index),
            KeyAction::Toggle(index) => toggle(index),
        }
        ev.prevent_default();
    };
    let compared_reads = Memo::new(move |_| {
        let ids = compared.get();
        rows.with(|rows| {
            ids.iter().filter_map(|id| rows.iter().find(|r| r.read.id == *id).cloned()).collect::<Vec<_>>()
        })
    });
    let detail_open = move || detail.with(Detail::is_open);
    let rerun = Callback::new(move |()| {
        if let Some(request) = analysing.last.get_value() {
            analysing.run(request);
        }
    });
    view! {
        <div class="page-head">
            <h2 id="analysis-reads-title">"Reads"</h2>
            <span id="analysis-reads-count" class="muted" data-count=move || rows.with(Vec::len)>
                {move || format!("{} reads", thousands(rows.with(Vec::len) as u64))}
            </span>
            <span class="spacer"></span>
            <span class="muted keys-hint">"↑ ↓ move · Enter opens · Space compares · click a heading to sort"</span>
        </div>
        <Show when=move || compared.with(|c| !c.is_empty())>
            <div id="analysis-compare" class="panel compare" aria-label="Plate patches compared">
                <For each=move || compared_reads.get() key=|r| r.read.id let:r>
                    <figure class="compare-read" data-read-id=r.read.id>
                        {match r.read.plate_image.clone() {
                            Some(sha) => view! { <img class="plate-large" src=api::image_url(&sha, false) alt=format!("Plate patch of {}", r.read.vrm) /> }.into_any(),
                            None => view! { <span class="plate-none muted">"no patch"</span> }.into_any(),
                        }}
                        <figcaption>
                            <span class="vrm">{r.read.vrm.clone()}</span>
                            " " {r.read.read_time_uk.clone()} " · " {r.read.camera_name.clone()}
                        </figcaption>
                    </figure>
                </For>
                <button id="analysis-compare-clear" type="button" class="btn" on:click=move |_| compared.set(Vec::new())>
                    "Clear"
                </button>
            </div>
        </Show>
        <div class="reads-body results-body" class:with-detail=detail_open>
            <div class="reads-table" role="grid" aria-label="Analysis reads" aria-rowcount=move || rows.with(Vec::len)>
                <div
                    id="analysis-reads"
                    class="reads-viewport analysis-rows"
                    style="overflow-y: auto; overflow-x: hidden"
                    node_ref=viewport
                    tabindex="0"
                    aria-label="The result's reads: arrow keys move, Enter opens, Space compares"
                    on:scroll=move |ev| {
                        let el = event_target::<web_sys::Element>(&ev);
                        scroll_top.set(f64::from(el.scroll_top()));
                    }
                    on:keydown=on_key
                >
                    <div class="read-head" role="row">
                        <div class="cell c-plate" role="columnheader">"Plate patch"</div>
                        <SortHead column=Column::Vrm label="VRM" class="c-vrm" sort=sort />
                        <SortHead column=Column::Time label="Time (UK)" class="c-time" sort=sort />
                        <SortHead column=Column::Camera label="Camera" class="c-camera" sort=sort />
                        <SortHead column=Column::Area label="General area" class="c-area" sort=sort />
                        <div class="cell num c-lane" role="columnheader">"Lane"</div>
                        <div class="cell c-dir" role="columnheader">"Direction"</div>
                        <SortHead column=Column::Confidence label="Confidence" class="num c-conf" sort=sort />
                    </div>
                    <div class="reads-content" style:height=move || format!("{}px", geometry.get().content_px())>
                        <For each=move || visible.get() key=move |i| (*i, rows.with(|r| r.get(*i as usize).map(|r| r.read.id))) let:index>
                            {
                                let index = index as usize;
                                let read = rows.with_untracked(|r| r.get(index).cloned());
                                read.map(|r| {
                                    let (id, vrm) = (r.read.id, r.read.vrm.clone());
                                    let is_selected = move || selected.get() == Some(index);
                                    let is_compared = move || compared.with(|c| c.contains(&id));
                                    view! {
                                        <div
                                            class="row analysis-read"
                                            class:selected=is_selected
                                            class:compared=is_compared
                                            class:odd=index % 2 == 1
                                            role="row"
                                            aria-selected=move || is_selected().to_string()
                                            data-row-index=index
                                            data-read-id=id
                                            data-vrm=vrm
                                            style:top=format!("{}px", index as f64 * ROW_HEIGHT)
                                            on:click=move |_| open(index)
                                        >
                                            <ReadCells read=r.read />
                                        </div>
                                    }
                                })
                            }
                        </For>
                    </div>
                </div>
            </div>
            <Show when=detail_open>
                <DetailPane detail=detail on_changed=rerun />
            </Show>
        </div>
    }
}
