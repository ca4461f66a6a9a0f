//! Home: who is logged in, what the workstation holds for them, recent imports, retention, and
//! what their role lets them do.

use crate::api;
use crate::app::use_app;
use crate::components::problem::Problem;
use crate::format::{rank_label, role_label, thousands};
use anpr_types::{ApiError, Overview};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn HomePage() -> impl IntoView {
    let state = use_app();
    let overview = RwSignal::new(None::<Result<Overview, ApiError>>);
    let load = move || {
        spawn_local(async move {
            match api::overview().await {
                Ok(o) => overview.set(Some(Ok(o))),
                Err(e) => {
                    if let Some(e) = state.check(e) {
                        overview.set(Some(Err(e)));
                    }
                }
            }
        });
    };
    load();

    let who = move || {
        state.session.with(|s| {
            s.as_ref()
                .map(|s| {
                    format!(
                        "{} ({}), {}, {}",
                        s.full_name,
                        s.username,
                        role_label(s.role),
                        rank_label(s.rank).to_lowercase()
                    )
                })
                .unwrap_or_default()
        })
    };
    let can = move || state.session.with(|s| s.as_ref().map(|s| s.can.clone()).unwrap_or_default());

    view! {
        <section id="home" class="page" aria-labelledby="home-title">
            <div class="page-head">
                <h1 id="home-title">"Home"</h1>
                <button id="home-refresh" type="button" class="btn" on:click=move |_| load()>
                    "Refresh"
                </button>
            </div>
            <p class="lead" id="home-user">
                "Logged in as "
                <strong>{who}</strong>
            </p>
            {move || match overview.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <Problem error=e id="home-error" /> }.into_any(),
                Some(Ok(o)) => view! { <OverviewView overview=o /> }.into_any(),
            }}
            <section class="panel" aria-labelledby="home-can-title">
                <h2 id="home-can-title">"What you can do"</h2>
                <ul id="home-can" class="can-list">
                    {move || can().into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}
                </ul>
            </section>
        </section>
    }
}

/// The last part of a bundle's path (the full path is in the cell's tooltip).
fn folder_name(path: &str) -> String {
    path.trim_end_matches(['/', '\\']).rsplit(['/', '\\']).next().unwrap_or(path).to_owned()
}

#[component]
fn OverviewView(overview: Overview) -> impl IntoView {
    let period = match (&overview.first_read_uk, &overview.last_read_uk) {
        (Some(first), Some(last)) => format!("{first} to {last}"),
        _ => "No reads yet".to_owned(),
    };
    let imports = overview.recent_imports.clone();
    let retention = overview.retention.clone();
    view! {
        <div class="stats">
            <div class="stat">
                <span class="stat-label">"Reads you may see"</span>
                <span class="stat-value" aria-hidden="true">{thousands(overview.reads)}</span>
                <span class="stat-exact">
                    <span id="home-reads">{overview.reads}</span>
                    " reads"
                </span>
            </div>
            <div class="stat">
                <span class="stat-label">"Not read (no VRM)"</span>
                <span class="stat-value" aria-hidden="true">{thousands(overview.not_read)}</span>
                <span class="stat-exact">
                    <span id="home-not-read">{overview.not_read}</span>
                    " not read"
                </span>
            </div>
            <div class="stat">
                <span class="stat-label">"Cameras"</span>
                <span class="stat-value" aria-hidden="true">{thousands(overview.cameras)}</span>
                <span class="stat-exact">
                    <span id="home-cameras">{overview.cameras}</span>
                    " cameras"
                </span>
            </div>
            <div class="stat stat-wide">
                <span class="stat-label">"Period covered (UK time)"</span>
                <span id="home-period" class="stat-period">{period}</span>
            </div>
        </div>
        <section class="panel" aria-labelledby="home-retention-title">
            <h2 id="home-retention-title">"Retention"</h2>
            <p id="home-retention">{retention.summary}</p>
            <dl class="facts">
                <dt>"Captured over 12 months ago (NASPLE 9.5.1)"</dt>
                <dd id="home-retention-12m">{retention.older_than_12_months}</dd>
                <dt>"Entered over 7 days ago (NASPLE 9.8)"</dt>
                <dd id="home-retention-7d">{retention.entered_over_7_days_ago}</dd>
            </dl>
        </section>
        <section class="panel" aria-labelledby="home-imports-title">
            <h2 id="home-imports-title">"Last imports"</h2>
            {if imports.is_empty() {
                view! { <p class="muted" id="home-imports-none">"Nothing imported yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table id="home-imports" class="table">
                            <thead>
                                <tr>
                                    <th scope="col">"Finished (UK)"</th>
                                    <th scope="col">"Bundle"</th>
                                    <th scope="col">"By"</th>
                                    <th scope="col" class="num">"Accepted"</th>
                                    <th scope="col" class="num">"Already held"</th>
                                    <th scope="col" class="num">"Rejected"</th>
                                    <th scope="col" class="num">"Images"</th>
                                    <th scope="col" class="num">"Images rejected"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {imports
                                    .into_iter()
                                    .map(|i| {
                                        view! {
                                            <tr data-import-id=i.id>
                                                <td class="nowrap">{i.finished_uk}</td>
                                                <td
                                                    class="mono ellipsis"
                                                    title=format!("{}\nSHA-256 {}", i.bundle, i.bundle_sha256)
                                                >
                                                    {folder_name(&i.bundle)}
                                                </td>
                                                <td>{i.by}</td>
                                                <td class="num">{thousands(i.reads_accepted)}</td>
                                                <td class="num">{thousands(i.reads_duplicate)}</td>
                                                <td class="num">{thousands(i.reads_rejected)}</td>
                                                <td class="num">{thousands(i.images_stored)}</td>
                                                <td class="num">{thousands(i.images_rejected)}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                    .into_any()
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn folder_names() {
        assert_eq!(super::folder_name("/data/bundles/north-2026-11/"), "north-2026-11");
        assert_eq!(super::folder_name(r"C:\bundles\south"), "south");
        assert_eq!(super::folder_name("plain"), "plain");
    }
}
