//! Local retention (8.9.4, 9.5.1, 9.8): the rules, the deletions due day by day, the reads kept
//! under CPIA or MOPI, the last run, and a run now.

use crate::api;
use crate::app::use_app;
use crate::components::outcome::{Outcome, OutcomeMessage, act};
use crate::format::{thousands, utc_short};
use anpr_types::{RetentionOutlook, RetentionReport};
use leptos::prelude::*;

/// `Deleted 12 reads (7-day rule), 3 (12-month rule) and 15 images; 2 retained reads kept`.
pub fn report_text(r: &RetentionReport) -> String {
    format!(
        "Deleted {} reads under the 7-day rule, {} under the 12-month rule and {} images; {} retained reads kept ({})",
        thousands(r.seven_day_rule),
        thousands(r.twelve_month_rule),
        thousands(r.images),
        thousands(r.kept_retained),
        utc_short(&r.as_of)
    )
}

#[component]
pub fn RetentionPage() -> impl IntoView {
    let app = use_app();
    let outlook = RwSignal::new(None::<RetentionOutlook>);
    let outcome = RwSignal::new(None::<Outcome>);
    let load_outcome = RwSignal::new(None::<Outcome>);
    let load = move || {
        act(app, load_outcome, api::retention_outlook(), move |o| {
            outlook.set(Some(o));
            None
        })
    };
    load();
    let run = move |_| {
        act(app, outcome, api::run_retention(), move |report| {
            load();
            Some(report_text(&report))
        })
    };
    view! {
        <section id="retention" class="page" aria-labelledby="retention-title">
            <div class="page-head">
                <h1 id="retention-title">"Retention"</h1>
                <span class="muted">"What this workstation deletes, and when (NASPLE 8.9, 9.5, 9.8)"</span>
                <span class="spacer"></span>
                <button id="retention-refresh" type="button" class="btn" on:click=move |_| load()>
                    "Refresh"
                </button>
                <button id="retention-run" type="button" class="btn btn-primary" on:click=run>
                    "Run retention now"
                </button>
            </div>
            <OutcomeMessage outcome=outcome id="retention-message" />
            <OutcomeMessage outcome=load_outcome id="retention-load-message" />
            {move || outlook.get().map(|o| view! { <Outlook outlook=o /> })}
        </section>
    }
}

#[component]
fn Outlook(outlook: RetentionOutlook) -> impl IntoView {
    let last_run = outlook.last_run.as_ref().map_or_else(|| "Never run".to_owned(), report_text);
    view! {
        <div class="panel">
            <h2>"Rules"</h2>
            <ul id="retention-rules" class="rules-list">
                {outlook.rules.iter().map(|r| view! { <li>{r.clone()}</li> }).collect_view()}
            </ul>
            <p id="retention-last-run">
                <strong>"Last run: "</strong>
                {last_run}
            </p>
        </div>
        <div class="table-wrap panel">
            <h2>"Deletions due"</h2>
            <table id="retention-due" class="table table-compact">
                <thead>
                    <tr>
                        <th scope="col">"Day (UK)"</th>
                        <th scope="col">"7-day rule (8.9.4)"</th>
                        <th scope="col">"12-month rule (9.5.1)"</th>
                    </tr>
                </thead>
                <tbody>
                    {outlook
                        .due
                        .iter()
                        .map(|d| {
                            view! {
                                <tr class="due-row" data-date=d.date_uk.clone()>
                                    <td>{d.date_uk.clone()}</td>
                                    <td class="num">{thousands(d.seven_day_rule)}</td>
                                    <td class="num">{thousands(d.twelve_month_rule)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <div class="table-wrap panel">
            <h2>"Retained reads (9.8)"</h2>
            <table id="retention-retained" class="table table-compact">
                <thead>
                    <tr>
                        <th scope="col">"Read id"</th>
                        <th scope="col">"VRM"</th>
                        <th scope="col">"Read (UK)"</th>
                        <th scope="col">"Basis"</th>
                        <th scope="col">"Investigation"</th>
                        <th scope="col">"Reviewer"</th>
                        <th scope="col">"Reason"</th>
                        <th scope="col">"Retained (UK)"</th>
                    </tr>
                </thead>
                <tbody>
                    {outlook
                        .retained
                        .iter()
                        .map(|r| {
                            view! {
                                <tr class="retained-row" data-read-id=r.read_id.clone()>
                                    <td class="mono">{r.read_id.clone()}</td>
                                    <td class="vrm">{r.vrm.clone()}</td>
                                    <td>{r.read_time_uk.clone()}</td>
                                    <td>{r.basis.as_str().to_uppercase()}</td>
                                    <td>{r.investigation.clone().unwrap_or_default()}</td>
                                    <td>{r.reviewer.clone()}</td>
                                    <td>{r.reason.clone()}</td>
                                    <td>{r.time_uk.clone()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            {outlook.retained.is_empty().then(|| view! { <p class="muted">"No reads are retained."</p> })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_in_words() {
        let report = RetentionReport {
            as_of: "2026-11-24T06:00:00Z".into(),
            seven_day_rule: 1200,
            twelve_month_rule: 3,
            images: 15,
            kept_retained: 2,
        };
        assert_eq!(
            report_text(&report),
            "Deleted 1,200 reads under the 7-day rule, 3 under the 12-month rule and 15 images; \
             2 retained reads kept (24/11/2026 06:00 UTC)"
        );
    }
}
