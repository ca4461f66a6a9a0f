//! Disclosures (NASPLE 9.4.3.7, 9.10.5): every issued package, who disclosed it to whom, why,
//! under what authority, when, at which location level, and the manifest's SHA-256.

use crate::api;
use crate::app::use_app;
use crate::components::outcome::{Outcome, OutcomeMessage, act};
use crate::components::table::DataTable;
use crate::format::level_text;
use anpr_types::Disclosure;
use leptos::prelude::*;

#[component]
pub fn DisclosuresPage() -> impl IntoView {
    let app = use_app();
    let list = RwSignal::new(Vec::<Disclosure>::new());
    let outcome = RwSignal::new(None::<Outcome>);
    let load = move || {
        act(app, outcome, api::list_disclosures(), move |found| {
            list.set(found);
            None
        })
    };
    load();
    let heads = &[
        "Reference",
        "Investigation",
        "Package",
        "Disclosed by",
        "Recipient",
        "Reason",
        "Authority",
        "Level",
        "Exhibits",
        "Time (UK)",
        "Manifest SHA-256",
        "Folder",
    ];
    view! {
        <section id="disclosures" class="page" aria-labelledby="disclosures-title">
            <div class="page-head">
                <h1 id="disclosures-title">"Disclosures"</h1>
                <span class="muted">"Every package issued, newest first (NASPLE 9.4.3.7, 9.10.5)"</span>
                <span class="spacer"></span>
                <button id="disclosures-refresh" type="button" class="btn" on:click=move |_| load()>
                    "Refresh"
                </button>
            </div>
            <OutcomeMessage outcome=outcome id="disclosures-message" />
            <DataTable id="disclosures-table" heads=heads>
                <For each=move || list.get() key=|d| d.reference.clone() let:d>
                    <tr class="disclosure-row" data-reference=d.reference.clone() data-package=d.package.clone()>
                        <td class="mono">{d.reference.clone()}</td>
                        <td>{d.investigation.clone()}</td>
                        <td class="mono">{d.package.clone()}</td>
                        <td>{d.disclosed_by.clone()}</td>
                        <td>{d.recipient.clone()}</td>
                        <td class="small-cell">{d.reason.clone()}</td>
                        <td class="small-cell">{d.authority.clone().unwrap_or_else(|| "—".into())}</td>
                        <td class="disclosure-level" data-level=d.level.as_str()>
                            {level_text(d.level)}
                        </td>
                        <td class="num">{d.exhibits}</td>
                        <td class="small-cell">{d.time_uk.clone()}</td>
                        <td class="mono hash small-cell">{d.manifest_sha256.clone()}</td>
                        <td class="mono small-cell">{d.out_dir.clone()}</td>
                    </tr>
                </For>
            </DataTable>
            <Show when=move || list.with(Vec::is_empty)>
                <p id="disclosures-empty" class="muted">
                    "No packages issued yet."
                </p>
            </Show>
        </section>
    }
}
