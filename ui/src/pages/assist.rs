//! Assisted marking (issue 7 item 4) on the marking screen. The engineer draws a read line (a
//! band) per lane over the frame, by dragging across the picture or by typing its rectangle;
//! the core decodes the whole video once and proposes candidate passes; the engineer reviews
//! them one by one from the keyboard: `a` accepts (a mark in that lane at the proposed
//! crossing, undoable like any mark), `r` rejects, each moving on to the next. Nothing is
//! marked without the engineer's key.

use crate::api;
use crate::components::outcome::{Outcome, OutcomeMessage, fail};
use crate::pages::annotate::{Marking, clock_text, in_text_box};
use anpr_types::{BandShape, EvaluationVideo, LaneBand, ProposedPass, VideoProgress};
use leptos::ev::MouseEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

/// What the engineer decided about a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Open,
    Accepted,
    Rejected,
}

impl Decision {
    fn as_str(self) -> &'static str {
        match self {
            Decision::Open => "open",
            Decision::Accepted => "accepted",
            Decision::Rejected => "rejected",
        }
    }
}

/// A band's rectangle as typed: `x,y,width,height` in frame pixels.
pub fn parse_rect(text: &str) -> Option<BandShape> {
    let values: Vec<f32> = text.split(',').map(|v| v.trim().parse().ok()).collect::<Option<_>>()?;
    match values[..] {
        [x, y, width, height] if values.iter().all(|v| v.is_finite()) && width > 0.0 && height > 0.0 => {
            Some(BandShape::Rect { x, y, width, height })
        }
        _ => None,
    }
}

/// A band as the rectangle that bounds it, `x,y,width,height` (what the text box shows).
pub fn rect_of(shape: &BandShape) -> (f32, f32, f32, f32) {
    match *shape {
        BandShape::Rect { x, y, width, height } => (x, y, width, height),
        BandShape::Line { from, to, thickness } => {
            let half = thickness / 2.0;
            let (x, y) = (from.0.min(to.0) - half, from.1.min(to.1) - half);
            (x, y, (from.0 - to.0).abs() + thickness, (from.1 - to.1).abs() + thickness)
        }
    }
}

pub fn rect_text(shape: &BandShape) -> String {
    let (x, y, w, h) = rect_of(shape);
    format!("{x:.0},{y:.0},{w:.0},{h:.0}")
}

/// The rectangle spanned by two corners of a drag, at least one pixel each way.
pub fn drag_rect(a: (f32, f32), b: (f32, f32)) -> BandShape {
    let (x, y) = (a.0.min(b.0).floor(), a.1.min(b.1).floor());
    let (width, height) = (((a.0 - b.0).abs()).round().max(1.0), ((a.1 - b.1).abs()).round().max(1.0));
    BandShape::Rect { x, y, width, height }
}

/// Sets `lane`'s band, keeping one per lane in lane order.
fn set_band(bands: &mut Vec<LaneBand>, lane: u32, shape: BandShape) {
    bands.retain(|b| b.lane != lane);
    bands.push(LaneBand { lane, shape });
    bands.sort_by_key(|b| b.lane);
}

/// The next proposal still open after `from`, else the first open one, else `from`.
pub fn next_open(decisions: &[Decision], from: usize) -> usize {
    let after = (from + 1..decisions.len()).find(|&i| decisions[i] == Decision::Open);
    after.or_else(|| decisions.iter().position(|d| *d == Decision::Open)).unwrap_or(from)
}

/// The assisted-marking state the frame and the panel share.
#[derive(Clone, Copy)]
pub struct Assist {
    bands: RwSignal<Vec<LaneBand>>,
    /// The lane whose band is being drawn on the frame.
    drawing: RwSignal<Option<u32>>,
    /// Where the drag started, in frame pixels.
    start: StoredValue<Option<(f32, f32)>>,
    proposals: RwSignal<Vec<ProposedPass>>,
    decisions: RwSignal<Vec<Decision>>,
    current: RwSignal<usize>,
}

impl Default for Assist {
    fn default() -> Self {
        Assist {
            bands: RwSignal::new(Vec::new()),
            drawing: RwSignal::new(None),
            start: StoredValue::new(None),
            proposals: RwSignal::new(Vec::new()),
            decisions: RwSignal::new(Vec::new()),
            current: RwSignal::new(0),
        }
    }
}

/// Where the pointer is on the frame, in the video's pixels (the bands above it let the pointer
/// through, so the event's target is the picture).
fn frame_point(ev: &MouseEvent, video: &EvaluationVideo) -> Option<(f32, f32)> {
    let frame: web_sys::Element = ev.target()?.dyn_into().ok()?;
    let (w, h) = (f64::from(frame.client_width()), f64::from(frame.client_height()));
    if w <= 0.0 || h <= 0.0 {
        return None;
    }
    let x = f64::from(ev.offset_x()) / w * f64::from(video.width);
    let y = f64::from(ev.offset_y()) / h * f64::from(video.height);
    Some((x.clamp(0.0, f64::from(video.width)) as f32, y.clamp(0.0, f64::from(video.height)) as f32))
}

impl Assist {
    pub fn drawing(&self) -> bool {
        self.drawing.with(Option::is_some)
    }

    /// Mouse down on the frame: a drag starts the band of the lane being drawn.
    pub fn press(&self, m: Marking, ev: MouseEvent) {
        if self.drawing.get_untracked().is_none() {
            return;
        }
        if let Some(p) = m.video.with_untracked(|v| v.as_ref().and_then(|v| frame_point(&ev, v))) {
            ev.prevent_default();
            self.start.set_value(Some(p));
        }
    }

    /// The drag goes on (left button held) or ends (`done`): the band follows the pointer.
    pub fn drag(&self, m: Marking, ev: MouseEvent, done: bool) {
        let (Some(lane), Some(start)) = (self.drawing.get_untracked(), self.start.get_value()) else { return };
        if !done && ev.buttons() & 1 == 0 {
            return;
        }
        if let Some(p) = m.video.with_untracked(|v| v.as_ref().and_then(|v| frame_point(&ev, v))) {
            self.bands.update(|b| set_band(b, lane, drag_rect(start, p)));
        }
        if done {
            self.start.set_value(None);
            self.drawing.set(None);
        }
    }
}

/// Scrolls the proposals list (only the list: the frame stays in view) so row `i` shows.
fn keep_in_list_view(i: usize) {
    request_animation_frame(move || {
        let document = web_sys::window().and_then(|w| w.document());
        let row = document.and_then(|d| d.get_element_by_id(&format!("assist-proposal-{i}")));
        let Some(row) = row.and_then(|r| r.dyn_into::<web_sys::HtmlElement>().ok()) else { return };
        let Some(list) = row.closest(".assist-list").ok().flatten() else { return };
        let (top, bottom) = (row.offset_top(), row.offset_top() + row.offset_height());
        if top < list.scroll_top() {
            list.set_scroll_top(top);
        } else if bottom > list.scroll_top() + list.client_height() {
            list.set_scroll_top(bottom - list.client_height());
        }
    });
}

/// The bands drawn over the frame, placed in percent of the picture.
#[component]
pub fn BandOverlay(m: Marking, a: Assist) -> impl IntoView {
    let style = move |shape: BandShape| {
        let (w, h) = m.video.with(|v| v.as_ref().map_or((1.0, 1.0), |v| (v.width as f32, v.height as f32)));
        let (x, y, bw, bh) = rect_of(&shape);
        format!(
            "left:{:.3}%;top:{:.3}%;width:{:.3}%;height:{:.3}%",
            x / w * 100.0,
            y / h * 100.0,
            bw / w * 100.0,
            bh / h * 100.0
        )
    };
    view! {
        <For each=move || a.bands.get() key=|b| (b.lane, rect_text(&b.shape)) let:b>
            <div class="read-band" data-lane=b.lane style=style(b.shape)>
                {format!("lane {}", b.lane)}
            </div>
        </For>
    }
}

/// Bands per lane, the proposals and their review.
#[component]
pub fn AssistPanel(m: Marking, a: Assist, #[prop(into)] lanes: Signal<u32>) -> impl IntoView {
    let app = m.app;
    let outcome = RwSignal::new(None::<Outcome>);
    let progress = RwSignal::new(None::<VideoProgress>);
    let running = RwSignal::new(false);

    let show = move |i: usize| {
        a.current.set(i);
        keep_in_list_view(i);
        if let Some(p) = a.proposals.with_untracked(|ps| ps.get(i).copied()) {
            m.playing.set(false);
            m.seek(p.frame as i64);
        }
    };
    let decide = move |accept: bool| {
        let i = a.current.get_untracked();
        let Some(p) = a.proposals.with_untracked(|ps| ps.get(i).copied()) else { return };
        if a.decisions.with_untracked(|d| d.get(i) != Some(&Decision::Open)) {
            return;
        }
        if accept {
            m.mark_at(p.lane, p.time_ms as i64, false);
        }
        let decision = if accept { Decision::Accepted } else { Decision::Rejected };
        a.decisions.update(|d| d[i] = decision);
        show(a.decisions.with_untracked(|d| next_open(d, i)));
    };
    let propose = move |_| {
        let bands = a.bands.get_untracked();
        running.set(true);
        progress.set(None);
        spawn_local(async move {
            // Progress while the core decodes, until the answer comes.
            let listening = api::listen_passes_progress(move |p| progress.set(Some(p))).await;
            let answer = api::propose_passes(m.id, &bands).await;
            drop(listening);
            running.set(false);
            match answer {
                Ok(passes) => {
                    outcome.set(Some(Outcome::Done(format!(
                        "{} candidate passes: a accepts (marks the vehicle), r rejects; each moves on to the next.",
                        passes.len()
                    ))));
                    a.decisions.set(vec![Decision::Open; passes.len()]);
                    a.proposals.set(passes);
                    show(0);
                }
                Err(e) => fail(app, outcome, e),
            }
        });
    };

    let keys = window_event_listener(leptos::ev::keydown, move |ev: web_sys::KeyboardEvent| {
        if in_text_box() || ev.ctrl_key() || ev.meta_key() || ev.alt_key() || a.proposals.with_untracked(Vec::is_empty)
        {
            return;
        }
        match ev.key().as_str() {
            "a" => decide(true),
            "r" => decide(false),
            _ => return,
        }
        ev.prevent_default();
    });
    on_cleanup(move || keys.remove());

    let lane_row = move |lane: u32| {
        let text = move || a.bands.with(|b| b.iter().find(|b| b.lane == lane).map(|b| rect_text(&b.shape)));
        let typed = move |ev: leptos::ev::Event| match parse_rect(&event_target_value(&ev)) {
            Some(shape) => a.bands.update(|b| set_band(b, lane, shape)),
            None => crate::components::outcome::reject(outcome, "A read line is x,y,width,height in frame pixels."),
        };
        view! {
            <div class="form-actions assist-lane">
                <label for=format!("assist-band-{lane}")>{format!("Lane {lane} read line")}</label>
                <input
                    id=format!("assist-band-{lane}")
                    type="text"
                    placeholder="x,y,width,height"
                    prop:value=move || text().unwrap_or_default()
                    on:change=typed
                />
                <button
                    id=format!("assist-draw-{lane}")
                    type="button"
                    class="btn"
                    class:active=move || a.drawing.get() == Some(lane)
                    on:click=move |_| a.drawing.set(Some(lane))
                >
                    {move || if a.drawing.get() == Some(lane) { "Drag across the frame…" } else { "Draw on the frame" }}
                </button>
            </div>
        }
    };
    let counts = move || {
        a.decisions.with(|d| {
            let n = |x: Decision| d.iter().filter(|v| **v == x).count();
            format!(
                "{} proposed · {} accepted · {} rejected · {} to review",
                d.len(),
                n(Decision::Accepted),
                n(Decision::Rejected),
                n(Decision::Open)
            )
        })
    };
    view! {
        <div class="panel form" id="assist">
            <h2>"Assisted marking"</h2>
            <p class="muted">
                "Draw the read line of each lane (a thin band across the lane where plates are read), then let the workstation find the vehicles crossing it. Review each candidate: a accepts it as a marked vehicle, r rejects it."
            </p>
            {move || (1..=lanes.get().max(1)).map(lane_row).collect_view()}
            <div class="form-actions">
                <button
                    id="assist-propose"
                    type="button"
                    class="btn btn-primary"
                    disabled=move || running.get() || a.bands.with(Vec::is_empty)
                    on:click=propose
                >
                    "Propose passes"
                </button>
                <Show when=move || running.get()>
                    <progress
                        id="assist-progress"
                        max=move || progress.get().map_or(1, |p| p.total.max(1))
                        value=move || progress.get().map_or(0, |p| p.done)
                    ></progress>
                    <span class="muted">
                        {move || progress.get().map(|p| format!("{} of {} frames", p.done, p.total))}
                    </span>
                </Show>
            </div>
            <OutcomeMessage outcome=outcome id="assist-message" />
            <Show when=move || !a.proposals.with(Vec::is_empty)>
                <p id="assist-counts">{counts}</p>
                <div class="form-actions">
                    <button id="assist-accept" type="button" class="btn" on:click=move |_| decide(true)>"Accept (a)"</button>
                    <button id="assist-reject" type="button" class="btn" on:click=move |_| decide(false)>"Reject (r)"</button>
                </div>
                <div class="table-wrap assist-list">
                    <table id="assist-proposals" class="table table-compact">
                        <thead>
                            <tr>
                                <th scope="col">"#"</th>
                                <th scope="col">"Lane"</th>
                                <th scope="col">"Time"</th>
                                <th scope="col">"Strength"</th>
                                <th scope="col">"Decision"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {move || {
                                a.proposals
                                    .get()
                                    .into_iter()
                                    .enumerate()
                                    .map(|(i, p)| {
                                        let decision = move || a.decisions.with(|d| d.get(i).copied().unwrap_or(Decision::Open));
                                        view! {
                                            <tr
                                                id=format!("assist-proposal-{i}")
                                                class="proposal"
                                                class:current=move || a.current.get() == i
                                                data-lane=p.lane
                                                data-ms=p.time_ms
                                                data-decision=move || decision().as_str()
                                                on:click=move |_| show(i)
                                            >
                                                <td class="num">{i + 1}</td>
                                                <td class="num">{p.lane}</td>
                                                <td class="mono">{clock_text(p.time_ms as i64)}</td>
                                                <td class="num">{format!("{:.0}%", p.strength * 100.0)}</td>
                                                <td>{move || decision().as_str()}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </tbody>
                    </table>
                </div>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rectangles_typed_and_dragged() {
        assert_eq!(
            parse_rect("140, 246,360,8"),
            Some(BandShape::Rect { x: 140.0, y: 246.0, width: 360.0, height: 8.0 })
        );
        for bad in ["", "1,2,3", "1,2,3,4,5", "1,2,0,4", "a,b,c,d", "1,2,-3,4"] {
            assert_eq!(parse_rect(bad), None, "{bad}");
        }
        // Dragged up and to the left, the same rectangle.
        assert_eq!(drag_rect((500.2, 254.0), (140.0, 246.0)), drag_rect((140.0, 246.0), (500.2, 254.0)));
        assert_eq!(rect_text(&drag_rect((500.2, 254.0), (140.0, 246.0))), "140,246,360,8");
        let line = BandShape::Line { from: (140.0, 250.0), to: (500.0, 250.0), thickness: 8.0 };
        assert_eq!(rect_text(&line), "136,246,368,8");
    }

    #[test]
    fn review_moves_on_to_the_next_open_proposal() {
        use Decision::*;
        assert_eq!(next_open(&[Accepted, Open, Rejected, Open], 1), 3);
        assert_eq!(next_open(&[Open, Accepted, Rejected, Accepted], 3), 0);
        assert_eq!(next_open(&[Accepted, Rejected], 1), 1);
        let mut bands = Vec::new();
        set_band(&mut bands, 2, BandShape::Rect { x: 0.0, y: 0.0, width: 1.0, height: 1.0 });
        set_band(&mut bands, 1, BandShape::Rect { x: 0.0, y: 0.0, width: 1.0, height: 1.0 });
        set_band(&mut bands, 2, BandShape::Rect { x: 5.0, y: 0.0, width: 1.0, height: 1.0 });
        assert_eq!(bands.iter().map(|b| b.lane).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(rect_of(&bands[1].shape).0, 5.0);
    }
}
