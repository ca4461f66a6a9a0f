//! Authorisations (Annex C written authority): ranked accounts see every request, pending first,
//! and approve or decline each with a written note; other accounts see their own requests.

use crate::api;
use crate::app::{AppState, use_app};
use crate::components::field::{TextField, current_value, focus_later};
use crate::components::outcome::{Outcome, OutcomeMessage, act};
use crate::format::{missing_fields, rank_label};
use anpr_types::Authority;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

/// The decision being written: the request's reference and whether it approves.
type Deciding = Option<(String, bool)>;

/// The decision's words: `Approved by j.smith (Inspector) on 24/11/2026 10:00 GMT: note`.
pub fn decision_text(a: &Authority) -> String {
    let Some(by) = &a.decided_by else { return "Awaiting a decision".to_owned() };
    let verdict = if a.status == "approved" { "Approved" } else { "Declined" };
    let rank = a.decided_rank.map(|r| format!(" ({})", rank_label(r))).unwrap_or_default();
    let when = a.decided_uk.as_deref().map(|t| format!(" on {t}")).unwrap_or_default();
    let note = a.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default();
    format!("{verdict} by {by}{rank}{when}{note}")
}

#[derive(Debug, Clone, Copy)]
struct Queue {
    app: AppState,
    list: RwSignal<Vec<Authority>>,
    outcome: RwSignal<Option<Outcome>>,
    deciding: RwSignal<Deciding>,
}

impl Queue {
    fn load(self) {
        act(self.app, self.outcome, api::list_authorities(), move |mut list| {
            // Pending first, otherwise in the core's order.
            list.sort_by_key(|a| a.status != "pending");
            self.list.set(list);
            None
        });
    }
}

#[component]
pub fn AuthorisationsPage() -> impl IntoView {
    let app = use_app();
    let queue =
        Queue { app, list: RwSignal::new(Vec::new()), outcome: RwSignal::new(None), deciding: RwSignal::new(None) };
    queue.load();
    let ranked = app.ranked();
    view! {
        <section id="authorisations" class="page" aria-labelledby="authorisations-title">
            <div class="page-head">
                <h1 id="authorisations-title">"Authorisations"</h1>
                <span class="muted">
                    {if ranked {
                        "Requests for written authority (NASPLE Annex C), pending first"
                    } else {
                        "Your requests for written authority (NASPLE Annex C)"
                    }}
                </span>
                <span class="spacer"></span>
                <button id="authorisations-refresh" type="button" class="btn" on:click=move |_| queue.load()>
                    "Refresh"
                </button>
            </div>
            <OutcomeMessage outcome=queue.outcome id="authority-decision-message" />
            {move || {
                queue.deciding.get().map(|(reference, approve)| view! { <DecisionForm reference approve queue /> })
            }}
            <div class="table-wrap panel">
                <table id="authorities-table" class="table table-compact">
                    <thead>
                        <tr>
                            <th scope="col">"Reference"</th>
                            <th scope="col">"Investigation"</th>
                            <th scope="col">"Purpose"</th>
                            <th scope="col">"Period (UK)"</th>
                            <th scope="col">"Reason"</th>
                            <th scope="col">"Requested"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Decision"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || queue.list.get()
                            key=|a| format!("{}|{}", a.reference, a.status)
                            let:authority
                        >
                            <AuthorityRow authority=authority queue=queue ranked=ranked />
                        </For>
                    </tbody>
                </table>
                <Show when=move || queue.list.with(Vec::is_empty)>
                    <p id="authorities-empty" class="muted">
                        "No requests."
                    </p>
                </Show>
            </div>
        </section>
    }
}

#[component]
fn AuthorityRow(authority: Authority, queue: Queue, ranked: bool) -> impl IntoView {
    let pending = authority.status == "pending";
    let reference = authority.reference.clone();
    let decide = move |approve: bool| {
        let reference = reference.clone();
        move |_| {
            queue.deciding.set(Some((reference.clone(), approve)));
            focus_later("decision-note");
        }
    };
    let reason = match authority.reason_code {
        Some(code) => format!("{}; {}", code.label(), authority.reason),
        None => authority.reason.clone(),
    };
    view! {
        <tr class="authority-row" data-reference=authority.reference.clone() data-status=authority.status.clone()>
            <td class="mono">{authority.reference.clone()}</td>
            <td>{format!("{} ({})", authority.investigation, authority.category.label())}</td>
            <td>{authority.purpose.label()}</td>
            <td class="small-cell">{format!("{} to {}", authority.from_uk, authority.to_uk)}</td>
            <td class="small-cell">{reason}</td>
            <td class="small-cell">{format!("{} on {}", authority.requested_by, authority.requested_uk)}</td>
            <td class="authority-status">{authority.status.clone()}</td>
            <td class="small-cell actions">
                {if pending && ranked {
                    view! {
                        <button type="button" class="btn btn-small authority-approve" on:click=decide(true)>
                            "Approve"
                        </button>
                        <button type="button" class="btn btn-small btn-danger authority-decline" on:click=decide(false)>
                            "Decline"
                        </button>
                    }
                        .into_any()
                } else {
                    view! { <span class="authority-decision">{decision_text(&authority)}</span> }.into_any()
                }}
            </td>
        </tr>
    }
}

/// The written note that goes with an approval or a decline.
#[component]
fn DecisionForm(reference: String, approve: bool, queue: Queue) -> impl IntoView {
    let note = RwSignal::new(String::new());
    let verb = if approve { "Approve" } else { "Decline" };
    let title = format!("{verb} {reference}");
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let text = current_value("decision-note", note).trim().to_owned();
        if let Some(message) = missing_fields(&[("written note", &text)]) {
            queue.outcome.set(Some(Outcome::Failed(api::invalid(message))));
            return;
        }
        let reference = reference.clone();
        act(
            queue.app,
            queue.outcome,
            async move { api::decide_authority(&reference, approve, &text).await },
            move |a| {
                let note = format!("{} {}", a.reference, a.status);
                queue.list.update(|list| match list.iter_mut().find(|x| x.reference == a.reference) {
                    Some(slot) => *slot = a,
                    None => list.push(a),
                });
                queue.deciding.set(None);
                Some(note)
            },
        );
    };
    view! {
        <form id="decision-form" class="panel form" on:submit=submit aria-labelledby="decision-title">
            <h2 id="decision-title">{title}</h2>
            <p class="muted">"Your name, rank and this note are recorded as the written authority (or its refusal)."</p>
            <TextField id="decision-note" label="Written note" value=note multiline=true required=true />
            <div class="form-actions">
                <button id="decision-submit" type="submit" class="btn btn-primary">
                    {verb}
                </button>
                <button id="decision-cancel" type="button" class="btn" on:click=move |_| queue.deciding.set(None)>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anpr_types::{Category, Purpose, Rank};

    #[test]
    fn decisions_in_words() {
        let mut a = Authority {
            reference: "AUTH-0001".into(),
            investigation: "OP-1".into(),
            category: Category::PriorityVolume,
            purpose: Purpose::Investigation,
            from: String::new(),
            to: String::new(),
            from_uk: String::new(),
            to_uk: String::new(),
            reason_code: None,
            reason: "late report".into(),
            requested_by: "demo.investigator".into(),
            requested_uk: String::new(),
            status: "pending".into(),
            decided_by: None,
            decided_rank: None,
            decided_uk: None,
            note: None,
        };
        assert_eq!(decision_text(&a), "Awaiting a decision");
        a.status = "approved".into();
        a.decided_by = Some("demo.inspector".into());
        a.decided_rank = Some(Rank::Inspector);
        a.decided_uk = Some("24/11/2026 10:00 GMT".into());
        a.note = Some("proportionate".into());
        assert_eq!(decision_text(&a), "Approved by demo.inspector (Inspector) on 24/11/2026 10:00 GMT: proportionate");
    }
}
