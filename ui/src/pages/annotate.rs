//! Marking an evaluation's video and scoring it. The video is decoded by the core and each frame
//! comes through the image protocol (`api::video_frame_url`); playback asks for the frame the
//! wall clock says is due once the last one has loaded, so a slow machine drops frames rather
//! than falling behind.
//!
//! Keys (outside text boxes): Space play/pause; `[` `]` slower/faster (0.25x to 8x); Left/Right
//! one frame (with Shift one second); `1`-`9` mark a vehicle crossing the read line in that lane
//! at the current frame (the reaction time is taken off when playing); `x` plate not visible on
//! the selected mark; Delete deletes it; `z` undoes the last change. Every change is saved at once.
//! Assisted marking (read lines, proposed passes, `a`/`r` to accept or reject) is `assist`.

use crate::api;
use crate::app::{AppState, use_app};
use crate::components::outcome::{Outcome, OutcomeMessage, act, fail};
use crate::pages::assist::{Assist, AssistPanel, BandOverlay};
use crate::pages::evaluations::verdict_label;
use anpr_types::{EvaluationDetail, EvaluationMark, EvaluationReport, EvaluationVideo, MarkInput, OffsetEstimate};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;
use wasm_bindgen::JsCast;

const SPEEDS: [f64; 6] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0];

/// The frame shown at `ms` from the start (frames at a constant rate).
pub fn frame_at(ms: i64, fps: f64, frames: u64) -> u64 {
    let frame = (ms.max(0) as f64 * fps / 1000.0 + 1e-6).floor() as u64;
    frame.min(frames.saturating_sub(1))
}

pub fn frame_ms(frame: u64, fps: f64) -> i64 {
    (frame as f64 * 1000.0 / fps.max(0.001)).round() as i64
}

/// `mm:ss.mmm` (or `h:mm:ss.mmm`) from the start of the video.
pub fn clock_text(ms: i64) -> String {
    let (h, m, s, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    if h > 0 { format!("{h}:{m:02}:{s:02}.{milli:03}") } else { format!("{m:02}:{s:02}.{milli:03}") }
}

/// A time typed into "jump to": seconds (`75.5`), `m:ss` or `h:mm:ss`.
pub fn parse_jump(text: &str) -> Option<i64> {
    let mut seconds = 0.0;
    for part in text.trim().split(':') {
        let value: f64 = part.trim().parse().ok().filter(|v: &f64| v.is_finite() && *v >= 0.0)?;
        seconds = seconds * 60.0 + value;
    }
    Some((seconds * 1000.0).round() as i64)
}

/// A change that can be undone: what to put back.
#[derive(Debug, Clone)]
enum Undo {
    Added(i64),
    Changed(i64, MarkInput),
    Deleted(MarkInput),
}

fn input_of(m: &EvaluationMark) -> MarkInput {
    MarkInput {
        lane: m.lane,
        video_ms: m.video_ms,
        live: false,
        vrm: m.vrm.clone(),
        visible: m.visible,
        condition: m.condition,
    }
}

pub fn in_text_box() -> bool {
    let active = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
    active.is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
}

/// Everything the screen shares (signals are `Copy`).
#[derive(Clone, Copy)]
pub struct Marking {
    pub app: AppState,
    pub id: i64,
    pub video: RwSignal<Option<EvaluationVideo>>,
    pub frame: RwSignal<u64>,
    pub marks: RwSignal<Vec<EvaluationMark>>,
    selected: RwSignal<Option<i64>>,
    undo: StoredValue<Vec<Undo>>,
    pub playing: RwSignal<bool>,
    outcome: RwSignal<Option<Outcome>>,
}

impl Marking {
    fn fps(&self) -> f64 {
        self.video.with_untracked(|v| v.as_ref().map_or(10.0, |v| v.fps))
    }

    fn frames(&self) -> u64 {
        self.video.with_untracked(|v| v.as_ref().map_or(0, |v| v.frames))
    }

    pub fn seek(&self, frame: i64) {
        let last = self.frames().saturating_sub(1) as i64;
        self.frame.set(frame.clamp(0, last.max(0)) as u64);
    }

    fn seek_ms(&self, ms: i64) {
        self.seek(frame_at(ms, self.fps(), self.frames()) as i64);
    }

    /// Saves a change; `undo` is what would put it back, `select` picks the mark to select from
    /// the marks before and after.
    fn save(
        self,
        call: impl std::future::Future<Output = api::ApiResult<Vec<EvaluationMark>>> + 'static,
        undo: Option<Undo>,
        select: impl Fn(&[EvaluationMark], &[EvaluationMark]) -> Option<i64> + 'static,
    ) {
        spawn_local(async move {
            match call.await {
                Ok(marks) => {
                    let before = self.marks.get_untracked();
                    self.selected.set(select(&before, &marks));
                    self.marks.set(marks);
                    if let Some(u) = undo {
                        self.undo.update_value(|stack| stack.push(u));
                    }
                    self.outcome.set(None);
                }
                Err(e) => fail(self.app, self.outcome, e),
            }
        });
    }

    /// A vehicle in `lane` at the current frame (a key press: live while playing).
    fn mark(self, lane: u32) {
        self.mark_at(lane, frame_ms(self.frame.get_untracked(), self.fps()), self.playing.get_untracked());
    }

    /// A vehicle in `lane` at `video_ms` (selected, and undoable like any mark).
    pub fn mark_at(self, lane: u32, video_ms: i64, live: bool) {
        let input = MarkInput { lane, video_ms, live, vrm: String::new(), visible: true, condition: None };
        let id = self.id;
        self.save(async move { api::add_mark(id, &input).await }, None, move |before, after| {
            let new = after.iter().map(|m| m.id).find(|id| before.iter().all(|b| b.id != *id));
            if let Some(new) = new {
                self.undo.update_value(|stack| stack.push(Undo::Added(new)));
            }
            new
        });
    }

    fn update(self, mark_id: i64, input: MarkInput) {
        let Some(previous) = self.marks.with_untracked(|ms| ms.iter().find(|m| m.id == mark_id).map(input_of)) else {
            return;
        };
        let id = self.id;
        self.save(
            async move { api::update_mark(id, mark_id, &input).await },
            Some(Undo::Changed(mark_id, previous)),
            move |_, _| Some(mark_id),
        );
    }

    fn delete(self, mark_id: i64) {
        let Some(previous) = self.marks.with_untracked(|ms| ms.iter().find(|m| m.id == mark_id).map(input_of)) else {
            return;
        };
        let id = self.id;
        self.save(async move { api::delete_mark(id, mark_id).await }, Some(Undo::Deleted(previous)), |_, _| None);
    }

    fn undo_last(self) {
        let Some(last) = self.undo.try_update_value(Vec::pop).flatten() else { return };
        let id = self.id;
        match last {
            Undo::Added(mark_id) => self.save(async move { api::delete_mark(id, mark_id).await }, None, |_, _| None),
            Undo::Changed(mark_id, previous) => {
                self.save(async move { api::update_mark(id, mark_id, &previous).await }, None, move |_, _| {
                    Some(mark_id)
                })
            }
            Undo::Deleted(previous) => {
                self.save(async move { api::add_mark(id, &previous).await }, None, |before, after| {
                    after.iter().map(|m| m.id).find(|id| before.iter().all(|b| b.id != *id))
                })
            }
        }
    }

    fn selected_mark(&self) -> Option<EvaluationMark> {
        let selected = self.selected.get_untracked()?;
        self.marks.with_untracked(|ms| ms.iter().find(|m| m.id == selected).cloned())
    }
}

#[component]
pub fn Annotate(id: i64) -> impl IntoView {
    let app = use_app();
    let m = Marking {
        app,
        id,
        video: RwSignal::new(None),
        frame: RwSignal::new(0),
        marks: RwSignal::new(Vec::new()),
        selected: RwSignal::new(None),
        undo: StoredValue::new(Vec::new()),
        playing: RwSignal::new(false),
        outcome: RwSignal::new(None),
    };
    let detail = RwSignal::new(None::<EvaluationDetail>);
    let report = RwSignal::new(None::<EvaluationReport>);
    let assist = Assist::default();
    let speed = RwSignal::new(2usize);
    // Frames shown since the page opened, for measuring playback (`data-shown`).
    let shown = RwSignal::new(0u64);
    let loading = StoredValue::new(false);
    // Where playback started: (wall clock ms, frame).
    let anchor = StoredValue::new((0.0, 0u64));

    let reload = move || {
        act(app, m.outcome, api::evaluation_detail(id), move |d| {
            m.marks.set(d.marks.clone());
            report.set(d.report.clone());
            detail.set(Some(d));
            None
        })
    };
    reload();
    act(app, m.outcome, api::open_evaluation_video(id), move |v| {
        m.video.set(Some(v));
        None
    });

    let play = move |on: bool| {
        anchor.set_value((api::now_ms(), m.frame.get_untracked()));
        m.playing.set(on);
    };
    let set_speed = move |step: isize| {
        let next = (speed.get_untracked() as isize + step).clamp(0, SPEEDS.len() as isize - 1) as usize;
        anchor.set_value((api::now_ms(), m.frame.get_untracked()));
        speed.set(next);
    };
    let tick = set_interval_with_handle(
        move || {
            if !m.playing.get_untracked() || loading.get_value() {
                return;
            }
            let (start, from) = anchor.get_value();
            let elapsed = api::now_ms() - start;
            let due = from + (elapsed * m.fps() * SPEEDS[speed.get_untracked()] / 1000.0) as u64;
            let last = m.frames().saturating_sub(1);
            if due >= last {
                m.frame.set(last);
                m.playing.set(false);
            } else if due != m.frame.get_untracked() {
                loading.set_value(true);
                m.frame.set(due);
            }
        },
        Duration::from_millis(10),
    );
    on_cleanup(move || {
        if let Ok(handle) = tick {
            handle.clear();
        }
    });

    let keys = window_event_listener(leptos::ev::keydown, move |ev: web_sys::KeyboardEvent| {
        if in_text_box() || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let second = m.fps().round() as i64;
        let frame = m.frame.get_untracked() as i64;
        let handled = match ev.key().as_str() {
            " " => {
                play(!m.playing.get_untracked());
                true
            }
            "ArrowRight" => {
                play(false);
                m.seek(frame + if ev.shift_key() { second } else { 1 });
                true
            }
            "ArrowLeft" => {
                play(false);
                m.seek(frame - if ev.shift_key() { second } else { 1 });
                true
            }
            "]" => {
                set_speed(1);
                true
            }
            "[" => {
                set_speed(-1);
                true
            }
            "z" => {
                m.undo_last();
                true
            }
            "x" => {
                if let Some(mark) = m.selected_mark() {
                    m.update(mark.id, MarkInput { visible: !mark.visible, ..input_of(&mark) });
                }
                true
            }
            "Delete" => {
                if let Some(mark) = m.selected_mark() {
                    m.delete(mark.id);
                }
                true
            }
            key => match key.parse::<u32>() {
                Ok(lane)
                    if lane >= 1 && detail.with_untracked(|d| d.as_ref().is_some_and(|d| lane <= d.summary.lanes)) =>
                {
                    m.mark(lane);
                    true
                }
                _ => false,
            },
        };
        if handled {
            ev.prevent_default();
        }
    });
    on_cleanup(move || keys.remove());

    let src = move || m.video.get().map(|v| api::video_frame_url(v.evaluation, m.frame.get()));
    let position = move || {
        let fps = m.video.get().map_or(10.0, |v| v.fps);
        let frame = m.frame.get();
        format!("Frame {} of {} · {}", frame, m.video.get().map_or(0, |v| v.frames), clock_text(frame_ms(frame, fps)))
    };
    let jump = RwSignal::new(String::new());
    let go = move |_| match parse_jump(&jump.get_untracked()) {
        Some(ms) => {
            play(false);
            m.seek_ms(ms);
        }
        None => crate::components::outcome::reject(m.outcome, "Jump to seconds, m:ss or h:mm:ss."),
    };

    view! {
        <div class="panel eval-head">
            {move || {
                detail
                    .get()
                    .map(|d| {
                        let s = d.summary;
                        format!(
                            "Evaluation {} · camera {} · {} · {} · {} lane(s) · {} · clock start {} ({}) · reaction {} ms",
                            s.id,
                            s.camera_id,
                            s.system_type,
                            s.condition,
                            s.lanes,
                            s.evaluated_on,
                            s.clock_start,
                            s.clock_source,
                            s.reaction_ms,
                        )
                    })
            }}
        </div>
        <OutcomeMessage outcome=m.outcome id="eval-annotate-message" />
        <div class="eval-workspace">
            <div id="eval-player" class="panel eval-player" tabindex="0">
                <div
                    id="eval-frame-wrap"
                    class="eval-frame-wrap"
                    class:drawing=move || assist.drawing()
                    on:mousedown=move |ev| assist.press(m, ev)
                    on:mousemove=move |ev| assist.drag(m, ev, false)
                    on:mouseup=move |ev| assist.drag(m, ev, true)
                >
                <img
                    id="eval-frame"
                    class="eval-frame"
                    alt="Video frame"
                    draggable="false"
                    style=move || m.video.get().map(|v| format!("aspect-ratio: {} / {}", v.width, v.height))
                    src=src
                    data-frame=move || m.frame.get()
                    data-shown=move || shown.get()
                    on:load=move |_| {
                        loading.set_value(false);
                        shown.update(|n| *n += 1);
                    }
                    on:error=move |_| loading.set_value(false)
                />
                <BandOverlay m=m a=assist />
                </div>
                <div class="form-actions eval-controls">
                    <button id="eval-play" type="button" class="btn" on:click=move |_| play(!m.playing.get_untracked())>
                        {move || if m.playing.get() { "Pause (Space)" } else { "Play (Space)" }}
                    </button>
                    <button id="eval-slower" type="button" class="btn" on:click=move |_| set_speed(-1)>"Slower ["</button>
                    <span id="eval-speed" class="who-tag">{move || format!("{}x", SPEEDS[speed.get()])}</span>
                    <button id="eval-faster" type="button" class="btn" on:click=move |_| set_speed(1)>"Faster ]"</button>
                    <button id="eval-back-frame" type="button" class="btn" on:click=move |_| m.seek(m.frame.get_untracked() as i64 - 1)>"◀ frame"</button>
                    <button id="eval-next-frame" type="button" class="btn" on:click=move |_| m.seek(m.frame.get_untracked() as i64 + 1)>"frame ▶"</button>
                    <span id="eval-position" class="mono">{position}</span>
                    <input id="eval-jump" type="text" placeholder="jump to m:ss" prop:value=move || jump.get() on:input=move |ev| jump.set(event_target_value(&ev)) />
                    <button id="eval-jump-go" type="button" class="btn" on:click=go>"Go"</button>
                </div>
                <p class="muted">
                    "Keys: 1-9 mark a vehicle on the read line in that lane · Space play/pause · [ ] speed · ←/→ one frame, with Shift one second · x plate not visible · Delete · z undo. Every change is saved at once."
                </p>
            </div>
            <MarkList m=m />
        </div>
        <SelectedMark m=m />
        <AssistPanel m=m a=assist lanes=Signal::derive(move || detail.with(|d| d.as_ref().map_or(1, |d| d.summary.lanes))) />
        <ReadLogAndScore m=m detail=detail report=report reload=reload />
        {move || report.get().map(|r| view! { <Results id=id report=r /> })}
    }
}

#[component]
fn MarkList(m: Marking) -> impl IntoView {
    view! {
        <div class="panel table-wrap eval-marks-panel">
            <h2>{move || format!("Marked vehicles ({})", m.marks.with(Vec::len))}</h2>
            <table id="eval-marks" class="table table-compact">
                <thead>
                    <tr>
                        <th scope="col">"#"</th>
                        <th scope="col">"Lane"</th>
                        <th scope="col">"Time"</th>
                        <th scope="col">"VRM"</th>
                        <th scope="col">"Plate"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || m.marks.get() key=|k| (k.id, k.vehicle, k.video_ms, k.vrm.clone(), k.visible, k.lane) let:k>
                        <tr
                            class="mark-row"
                            class:active=move || m.selected.get() == Some(k.id)
                            data-vehicle=k.vehicle
                            data-ms=k.video_ms
                            on:click=move |_| {
                                m.selected.set(Some(k.id));
                                m.seek_ms(k.video_ms);
                            }
                        >
                            <td class="num">{k.vehicle}</td>
                            <td class="num">{k.lane}</td>
                            <td class="mono">{clock_text(k.video_ms)}</td>
                            <td class="vrm">{k.vrm.clone()}</td>
                            <td>{if k.visible { "visible" } else { "not visible" }}</td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn SelectedMark(m: Marking) -> impl IntoView {
    let vrm = RwSignal::new(String::new());
    // The box follows the selection.
    Effect::new(move |_| {
        let selected = m.selected.get();
        let text = m.marks.with(|ms| ms.iter().find(|k| Some(k.id) == selected).map(|k| k.vrm.clone()));
        vrm.set(text.unwrap_or_default());
    });
    let save = move || {
        if let Some(mark) = m.selected_mark() {
            let typed = crate::components::field::current_value("eval-vrm", vrm);
            m.update(mark.id, MarkInput { vrm: typed, ..input_of(&mark) });
        }
    };
    view! {
        <form
            id="eval-selected"
            class="panel form"
            on:submit=move |ev| {
                ev.prevent_default();
                save();
                if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element())
                    && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
                {
                    let _ = el.blur();
                }
            }
        >
            <h2>
                {move || {
                    m.selected_mark()
                        .map_or("Select or mark a vehicle".to_owned(), |k| format!("Vehicle {} (lane {})", k.vehicle, k.lane))
                }}
            </h2>
            <div class="form-grid">
                <div class="field">
                    <label for="eval-vrm">"VRM as you read it"</label>
                    <input id="eval-vrm" type="text" autocomplete="off" prop:value=move || vrm.get() on:input=move |ev| vrm.set(event_target_value(&ev)) />
                </div>
            </div>
            <div class="form-actions">
                <button id="eval-vrm-save" type="submit" class="btn btn-primary">"Save VRM (Enter)"</button>
                <button
                    id="eval-invisible"
                    type="button"
                    class="btn"
                    on:click=move |_| {
                        if let Some(mark) = m.selected_mark() {
                            m.update(mark.id, MarkInput { visible: !mark.visible, ..input_of(&mark) });
                        }
                    }
                >
                    "Plate not visible (x)"
                </button>
                <button
                    id="eval-delete"
                    type="button"
                    class="btn btn-danger"
                    on:click=move |_| {
                        if let Some(mark) = m.selected_mark() {
                            m.delete(mark.id);
                        }
                    }
                >
                    "Delete"
                </button>
                <button id="eval-undo" type="button" class="btn" on:click=move |_| m.undo_last()>"Undo (z)"</button>
            </div>
        </form>
    }
}

#[component]
fn ReadLogAndScore(
    m: Marking,
    detail: RwSignal<Option<EvaluationDetail>>,
    report: RwSignal<Option<EvaluationReport>>,
    reload: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let app = m.app;
    let id = m.id;
    let path = RwSignal::new(String::new());
    let estimate = RwSignal::new(None::<OffsetEstimate>);
    let outcome = RwSignal::new(None::<Outcome>);
    let import = move |_| {
        let file = crate::components::field::current_value("eval-reads-path", path);
        act(app, outcome, async move { api::import_read_log(id, &file).await }, move |s| {
            reload();
            Some(format!("{} reads of camera {} taken from the file", s.reads, s.camera_id))
        })
    };
    let truth_path = RwSignal::new(String::new());
    let import_truth = move |_| {
        let file = crate::components::field::current_value("eval-truth-path", truth_path);
        act(app, outcome, async move { api::import_truth(id, &file).await }, move |marks| {
            let text = format!("{} vehicles marked from the file", marks.len());
            m.marks.set(marks);
            reload();
            Some(text)
        })
    };
    let from_store = move |_| {
        act(app, outcome, api::read_log_from_store(id), move |s| {
            reload();
            Some(format!("{} reads taken from the store (audited: evaluation, NASPLE 9.3.3)", s.reads))
        })
    };
    let estimate_offset = move |_| {
        act(app, outcome, api::estimate_offset(id), move |e| {
            let text = format!(
                "Best offset {:+.2} s: matches {} of {} marked vehicles ({} now). Confirm to use it.",
                e.offset_s, e.matched, e.vehicles, e.matched_now
            );
            estimate.set(Some(e));
            Some(text)
        })
    };
    let confirm = move |_| {
        if let Some(e) = estimate.get_untracked() {
            act(app, outcome, api::set_evaluation_offset(id, e.offset_s), move |s| {
                estimate.set(None);
                reload();
                Some(format!("Clock offset set to {:+.2} s", s.offset_s))
            })
        }
    };
    let score = move |_| {
        act(app, outcome, api::score_evaluation(id), move |r| {
            let text = format!("Scored: {}", verdict_label(Some(r.verdict)));
            report.set(Some(r));
            reload();
            Some(text)
        })
    };
    view! {
        <div class="panel form">
            <h2>"Read log, clock offset and scoring"</h2>
            <p id="eval-readlog" class="muted">
                {move || {
                    detail
                        .get()
                        .map(|d| {
                            format!(
                                "{} reads ({}); clock offset {:+.2} s; window {} s",
                                d.summary.reads,
                                d.summary.read_log_source.unwrap_or_else(|| "no read log yet".into()),
                                d.summary.offset_s,
                                d.summary.window_s,
                            )
                        })
                }}
            </p>
            <div class="form-actions">
                <input
                    id="eval-truth-path"
                    type="text"
                    placeholder="truth.csv path (vehicles marked elsewhere)"
                    prop:value=move || truth_path.get()
                    on:input=move |ev| truth_path.set(event_target_value(&ev))
                />
                <button id="eval-truth-import" type="button" class="btn" on:click=import_truth>"Import truth.csv"</button>
            </div>
            <div class="form-actions">
                <input id="eval-reads-path" type="text" placeholder="reads.csv path" prop:value=move || path.get() on:input=move |ev| path.set(event_target_value(&ev)) />
                <button id="eval-reads-import" type="button" class="btn" on:click=import>"Import reads.csv"</button>
                <button id="eval-reads-store" type="button" class="btn" on:click=from_store>"Take from the store"</button>
                <button id="eval-offset-estimate" type="button" class="btn" on:click=estimate_offset>"Estimate clock offset"</button>
                <button id="eval-offset-confirm" type="button" class="btn" disabled=move || estimate.with(Option::is_none) on:click=confirm>"Use this offset"</button>
                <button id="eval-score" type="button" class="btn btn-primary" on:click=score>"Score"</button>
            </div>
            <OutcomeMessage outcome=outcome id="eval-score-message" />
        </div>
    }
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "-".into(), |r| format!("{:.2}%", r * 100.0))
}

fn interval(ci: Option<[f64; 2]>) -> String {
    ci.map_or_else(String::new, |[lo, hi]| format!("{:.2}% to {:.2}%", lo * 100.0, hi * 100.0))
}

#[component]
fn Results(id: i64, report: EvaluationReport) -> impl IntoView {
    let r = report;
    // A new scoring is a new results panel: its charts are drawn afresh.
    let fresh = js_sys::Date::now() as u64;
    let chart = move |kind: &str| api::evaluation_chart_url(id, kind, fresh);
    let verdict_class = match r.verdict {
        anpr_types::Verdict::Pass => "verdict verdict-pass",
        anpr_types::Verdict::Fail => "verdict verdict-fail",
        anpr_types::Verdict::InsufficientSample => "verdict verdict-insufficient",
    };
    view! {
        <div id="eval-results" class="panel">
            <h2>"Results"</h2>
            <p id="eval-verdict" class=verdict_class>
                {format!("Verdict: {}", verdict_label(Some(r.verdict)))}
                {r.remediation_due.clone().map(|d| format!(" — correct and reassess by {d} (NASPLE 7.4.7)"))}
            </p>
            <table id="eval-rates" class="table table-compact">
                <thead>
                    <tr>
                        <th scope="col">"Lane"</th>
                        <th scope="col">"Capture"</th>
                        <th scope="col">"95% interval"</th>
                        <th scope="col">{format!("Standard {:.0}% ({})", r.capture_standard * 100.0, r.capture_clause)}</th>
                        <th scope="col">"Read"</th>
                        <th scope="col">"95% interval"</th>
                        <th scope="col">{format!("Standard {:.0}%", r.read_standard * 100.0)}</th>
                    </tr>
                </thead>
                <tbody>
                    {r.lanes
                        .iter()
                        .map(|l| {
                            view! {
                                <tr class="lane-row">
                                    <td class="num">{l.lane}</td>
                                    <td>{format!("{}/{} = {}", l.captured, l.visible, percent(l.capture_rate))}</td>
                                    <td>{interval(l.capture_ci)}</td>
                                    <td>{verdict_label(Some(l.verdict))}</td>
                                    <td>{format!("{}/{} = {}", l.correct, l.captured, percent(l.read_rate))}</td>
                                    <td>{interval(l.read_ci)}</td>
                                    <td>"(over all lanes)"</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                    <tr class="lane-row overall">
                        <td>"All"</td>
                        <td>{format!("{}/{} = {}", r.captured, r.visible, percent(r.capture_rate))}</td>
                        <td>{interval(r.capture_ci)}</td>
                        <td>{verdict_label(Some(r.capture_verdict))}</td>
                        <td>{format!("{}/{} = {}", r.correct, r.captured, percent(r.read_rate))}</td>
                        <td>{interval(r.read_ci)}</td>
                        <td>{verdict_label(Some(r.read_verdict))}</td>
                    </tr>
                </tbody>
            </table>
            <p class="muted">
                {format!(
                    "{} vehicles ({} not visible), {} reads, {} duplicates, {} unmatched reads; missed: {}; misreads: {}",
                    r.vehicles,
                    r.invisible.len(),
                    r.reads,
                    r.duplicates,
                    r.unmatched_reads,
                    r.missed.len(),
                    r.misreads.len()
                )}
            </p>
            // The PDF report's charts, drawn by the core (plotters) for the marks and reads as scored.
            <div id="eval-charts" class="eval-charts">
                <img
                    id="eval-chart-rates"
                    src=chart("rates")
                    alt="Cumulative capture and read rates by vehicle, with the standards dashed"
                />
                <img id="eval-chart-confusions" src=chart("confusions") alt="Misreads by character confusion" />
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_and_times_agree() {
        assert_eq!(frame_ms(25, 10.0), 2500);
        assert_eq!(frame_at(2500, 10.0, 100), 25);
        assert_eq!(frame_at(2599, 10.0, 100), 25);
        assert_eq!(frame_at(99_999, 10.0, 100), 99);
        assert_eq!(clock_text(75_500), "01:15.500");
        assert_eq!(clock_text(3_723_004), "1:02:03.004");
    }

    #[test]
    fn jump_times_as_typed() {
        assert_eq!(parse_jump("75.5"), Some(75_500));
        assert_eq!(parse_jump("1:15"), Some(75_000));
        assert_eq!(parse_jump("1:02:03"), Some(3_723_000));
        assert_eq!(parse_jump("soon"), None);
        assert_eq!(parse_jump("-3"), None);
    }
}
