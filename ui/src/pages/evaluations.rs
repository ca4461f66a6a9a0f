//! Camera evaluations (NASPLE 8.14): every camera's status (last evaluation per condition, a
//! failure's 30 days under 7.4.7, what is due), the evaluation log (8.14.6), a new evaluation,
//! and the marking screen of the one opened (`annotate`).

use crate::api;
use crate::app::use_app;
use crate::components::field::{TextField, current_value, selected_value};
use crate::components::outcome::{Outcome, OutcomeMessage, act, reject};
use crate::format::{optional, system_type_label};
use crate::pages::annotate::Annotate;
use anpr_types::{
    CameraEvaluationStatus, Condition, Direction, EvaluationReason, EvaluationSummary, NewEvaluation, SystemType,
    Verdict,
};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

pub fn verdict_label(v: Option<Verdict>) -> &'static str {
    match v {
        Some(Verdict::Pass) => "Pass",
        Some(Verdict::Fail) => "Fail",
        Some(Verdict::InsufficientSample) => "Insufficient sample",
        None => "Not scored",
    }
}

fn reason_label(r: EvaluationReason) -> &'static str {
    match r {
        EvaluationReason::Installation => "Installation (8.14.1)",
        EvaluationReason::Redeployment => "Re-deployment (8.14.1)",
        EvaluationReason::AnnualReview => "Annual review (8.14.4)",
        EvaluationReason::SixMonthlyCheck => "6-monthly check, no imagery (8.14.4)",
    }
}

#[component]
pub fn EvaluationsPage() -> impl IntoView {
    let app = use_app();
    let overview = RwSignal::new(Vec::<CameraEvaluationStatus>::new());
    let log = RwSignal::new(Vec::<EvaluationSummary>::new());
    let open = RwSignal::new(None::<i64>);
    let outcome = RwSignal::new(None::<Outcome>);
    let load = move || {
        act(app, outcome, api::evaluation_overview(), move |o| {
            overview.set(o);
            None
        });
        act(app, outcome, api::list_evaluations(None), move |l| {
            log.set(l);
            None
        });
    };
    load();
    view! {
        <section id="evaluations" class="page" aria-labelledby="evaluations-title">
            <div class="page-head">
                <h1 id="evaluations-title">"Evaluations"</h1>
                <span class="muted">"Camera capture and read rates (NASPLE 8.7, 8.14)"</span>
                <span class="spacer"></span>
                <button id="eval-refresh" type="button" class="btn" on:click=move |_| load()>
                    "Refresh"
                </button>
            </div>
            <OutcomeMessage outcome=outcome id="eval-message" />
            {move || match open.get() {
                Some(id) => {
                    view! {
                        <div class="form-actions">
                            <button
                                id="eval-back"
                                type="button"
                                class="btn"
                                on:click=move |_| {
                                    open.set(None);
                                    load();
                                }
                            >
                                "Back to the log"
                            </button>
                        </div>
                        <Annotate id=id />
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <Overview cameras=overview />
                        <Log log=log open=open />
                        <NewEvaluationForm open=open />
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

#[component]
fn Overview(cameras: RwSignal<Vec<CameraEvaluationStatus>>) -> impl IntoView {
    view! {
        <div class="table-wrap panel">
            <h2>"Cameras"</h2>
            <table id="eval-overview" class="table table-compact">
                <thead>
                    <tr>
                        <th scope="col">"Camera"</th>
                        <th scope="col">"Last evaluation per condition"</th>
                        <th scope="col">"Remediation (7.4.7)"</th>
                        <th scope="col">"Due"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || cameras.get() key=|c| c.camera_id.clone() let:c>
                        <tr class="eval-camera" data-camera=c.camera_id.clone()>
                            <td>
                                <span class="mono">{c.camera_id.clone()}</span>
                                " "
                                <span class="muted">{c.name.clone()}</span>
                            </td>
                            <td>
                                {if c.last.is_empty() {
                                    "Never evaluated".to_owned()
                                } else {
                                    c.last
                                        .iter()
                                        .map(|l| format!("{} {}: {}", l.condition, l.evaluated_on, verdict_label(l.verdict)))
                                        .collect::<Vec<_>>()
                                        .join("; ")
                                }}
                            </td>
                            <td>
                                {c.remediation.clone().map(|r| {
                                    let text = if r.overdue {
                                        format!("OVERDUE since {}: feed must cease until corrected", r.due)
                                    } else {
                                        format!("Correct and reassess by {}", r.due)
                                    };
                                    view! { <span class:msg-error=r.overdue class="remediation">{text}</span> }
                                })}
                            </td>
                            <td>
                                <ul class="rules-list">
                                    {c.covert_exempt.then(|| view! { <li>"Covert: testing waived (8.14.5)"</li> })}
                                    {c.due
                                        .iter()
                                        .map(|d| {
                                            let when = d.due.clone().map_or("now".to_owned(), |due| format!("by {due}"));
                                            view! {
                                                <li class:msg-error=d.overdue>
                                                    {format!("{} {when} (NASPLE {})", d.what, d.clause)}
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            </td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn Log(log: RwSignal<Vec<EvaluationSummary>>, open: RwSignal<Option<i64>>) -> impl IntoView {
    view! {
        <div class="table-wrap panel">
            <h2>"Evaluation log (8.14.6)"</h2>
            <table id="eval-log" class="table table-compact">
                <thead>
                    <tr>
                        <th scope="col">"#"</th>
                        <th scope="col">"Camera"</th>
                        <th scope="col">"Date"</th>
                        <th scope="col">"Condition"</th>
                        <th scope="col">"Reason"</th>
                        <th scope="col">"Marked"</th>
                        <th scope="col">"Reads"</th>
                        <th scope="col">"Verdict"</th>
                        <th scope="col"></th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || log.get() key=|e| (e.id, e.marks, e.verdict) let:e>
                        <tr class="eval-row" data-id=e.id>
                            <td class="num">{e.id}</td>
                            <td class="mono">{e.camera_id.clone()}</td>
                            <td>{e.evaluated_on.clone()}</td>
                            <td>{e.condition.as_str()}</td>
                            <td>{reason_label(e.reason)}</td>
                            <td class="num">{e.marks}</td>
                            <td class="num">{e.reads}</td>
                            <td>{verdict_label(e.verdict)}</td>
                            <td>
                                <button
                                    id=format!("eval-open-{}", e.id)
                                    type="button"
                                    class="btn btn-small"
                                    on:click=move |_| open.set(Some(e.id))
                                >
                                    "Open"
                                </button>
                            </td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </div>
    }
}

fn options<T: Copy + 'static>(
    all: &'static [T],
    value: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> impl IntoView {
    all.iter().map(move |t| view! { <option value=value(*t)>{label(*t)}</option> }).collect_view()
}

#[component]
fn NewEvaluationForm(open: RwSignal<Option<i64>>) -> impl IntoView {
    let app = use_app();
    let ids = [
        "new-eval-camera",
        "new-eval-lanes",
        "new-eval-date",
        "new-eval-engineer",
        "new-eval-video",
        "new-eval-clock",
        "new-eval-reaction",
        "new-eval-covert",
    ];
    let boxes: [RwSignal<String>; 8] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let outcome = RwSignal::new(None::<Outcome>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let [camera_id, lanes, date, engineer, video, clock, reaction, covert] =
            std::array::from_fn(|i| current_value(ids[i], boxes[i]));
        let pick = |id: &str| selected_value(id).unwrap_or_default();
        let (Ok(system_type), Ok(condition), Ok(reason)) = (
            pick("new-eval-type").parse::<SystemType>(),
            pick("new-eval-condition").parse::<Condition>(),
            pick("new-eval-reason").parse::<EvaluationReason>(),
        ) else {
            return reject(outcome, "Choose the system type, condition and reason.");
        };
        let Ok(lanes) = (if lanes.trim().is_empty() { Ok(1) } else { lanes.trim().parse::<u32>() }) else {
            return reject(outcome, "Lanes must be a whole number.");
        };
        let Ok(reaction_ms) = (if reaction.trim().is_empty() { Ok(0) } else { reaction.trim().parse::<u32>() }) else {
            return reject(outcome, "The reaction time is whole milliseconds.");
        };
        let request = NewEvaluation {
            camera_id,
            system_type,
            direction: pick("new-eval-direction").parse::<Direction>().ok(),
            moving: false,
            lanes,
            condition,
            evaluated_on: date,
            engineer,
            reason,
            covert_exemption: optional(&covert),
            notes: String::new(),
            video_path: video,
            clock_start: optional(&clock),
            reaction_ms,
        };
        act(app, outcome, async move { api::create_evaluation(&request).await }, move |created| {
            open.set(Some(created.id));
            None
        });
    };
    let [camera, lanes, date, engineer, video, clock, reaction, covert] = boxes;
    view! {
        <form id="new-eval" class="panel form" on:submit=submit aria-labelledby="new-eval-title">
            <h2 id="new-eval-title">"New evaluation"</h2>
            <div class="form-grid">
                <TextField id="new-eval-camera" label="Camera id" value=camera required=true hint="From the register, or as entered in the field." />
                <div class="field">
                    <label for="new-eval-type">"System type (8.7)"</label>
                    <select id="new-eval-type">{options(SystemType::ALL, SystemType::as_str, system_type_label)}</select>
                </div>
                <div class="field">
                    <label for="new-eval-direction">"Direction (multi-lane)"</label>
                    <select id="new-eval-direction">
                        <option value="">"-"</option>
                        <option value="towards">"Towards the camera"</option>
                        <option value="away">"Away from the camera"</option>
                    </select>
                </div>
                <TextField id="new-eval-lanes" label="Lanes" value=lanes hint="Empty: 1." />
                <div class="field">
                    <label for="new-eval-condition">"Condition (8.14.3)"</label>
                    <select id="new-eval-condition">{options(Condition::ALL, Condition::as_str, Condition::as_str)}</select>
                </div>
                <TextField id="new-eval-date" label="Date" value=date required=true hint="YYYY-MM-DD" />
                <TextField id="new-eval-engineer" label="Engineer" value=engineer required=true />
                <div class="field">
                    <label for="new-eval-reason">"Reason"</label>
                    <select id="new-eval-reason">{options(EvaluationReason::ALL, EvaluationReason::as_str, reason_label)}</select>
                </div>
                <TextField id="new-eval-video" label="Video file (MP4, H.264)" value=video required=true />
                <TextField id="new-eval-clock" label="Video clock start" value=clock hint="Empty: from the file. RFC 3339." />
                <TextField id="new-eval-reaction" label="Reaction time (ms)" value=reaction hint="Taken off a mark made while playing." />
                <TextField id="new-eval-covert" label="Covert exemption (8.14.5)" value=covert hint="Only where testing would compromise a covert camera." />
            </div>
            <OutcomeMessage outcome=outcome id="new-eval-message" />
            <div class="form-actions">
                <button id="new-eval-create" type="submit" class="btn btn-primary">
                    "Create and open"
                </button>
            </div>
        </form>
    }
}
