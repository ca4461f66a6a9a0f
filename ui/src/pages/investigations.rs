//! Investigations (Annex B): the list with each one's category, status and escalation history, a
//! form for a new one (its category derived from the offence), close and reopen, and the
//! escalation dialog for ranked accounts (9.10.4).

use crate::api;
use crate::app::{AppState, use_app};
use crate::components::field::{TextField, current_value, focus_later, selected_value};
use crate::components::outcome::{Outcome, OutcomeMessage, act};
use crate::format::{escalation_rank, escalation_targets, escalation_text, missing_fields, rank_label};
use anpr_types::{Category, EscalationFactors, EscalationRequest, Investigation, NewInvestigation, Offence};
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;

/// The offence select's value for "other": the free text is then the offence.
const OTHER: &str = "";

/// The category Annex B gives `offence`: a listed offence's, otherwise Priority and Volume.
pub fn derived_category(offences: &[Offence], offence: &str) -> Category {
    let offence = offence.trim();
    offences.iter().find(|o| o.name.eq_ignore_ascii_case(offence)).map_or(Category::PriorityVolume, |o| o.category)
}

/// A row key that changes whenever anything shown in the row changes.
fn row_key(i: &Investigation) -> String {
    format!("{}|{}|{}|{}", i.reference, i.status, i.category, i.escalations.len())
}

#[derive(Debug, Clone, Copy)]
struct Casework {
    app: AppState,
    list: RwSignal<Vec<Investigation>>,
    outcome: RwSignal<Option<Outcome>>,
    /// The investigation whose escalation dialog is open, and that dialog's outcome.
    escalating: RwSignal<Option<Investigation>>,
    dialog_outcome: RwSignal<Option<Outcome>>,
}

impl Casework {
    fn load(self) {
        act(self.app, self.outcome, api::list_investigations(), move |list| {
            self.list.set(list);
            None
        });
    }

    /// Puts a changed (or new) investigation in the list.
    fn show(self, changed: Investigation) {
        self.list.update(|list| match list.iter_mut().find(|i| i.reference == changed.reference) {
            Some(slot) => *slot = changed,
            None => list.insert(0, changed),
        });
    }

    fn set_open(self, reference: String, open: bool) {
        act(self.app, self.outcome, async move { api::set_investigation_open(&reference, open).await }, move |inv| {
            let note = format!("{} {}", inv.reference, if open { "reopened" } else { "closed" });
            self.show(inv);
            Some(note)
        });
    }
}

#[component]
pub fn InvestigationsPage() -> impl IntoView {
    let casework = Casework {
        app: use_app(),
        list: RwSignal::new(Vec::new()),
        outcome: RwSignal::new(None),
        escalating: RwSignal::new(None),
        dialog_outcome: RwSignal::new(None),
    };
    casework.load();
    let offences = RwSignal::new(Vec::<Offence>::new());
    act(casework.app, casework.outcome, api::offences(), move |list| {
        offences.set(list);
        None
    });

    view! {
        <section id="investigations" class="page" aria-labelledby="investigations-title">
            <div class="page-head">
                <h1 id="investigations-title">"Investigations"</h1>
                <span class="muted">"Categories and escalation under NASPLE Annex B"</span>
                <span class="spacer"></span>
                <button id="investigations-refresh" type="button" class="btn" on:click=move |_| casework.load()>
                    "Refresh"
                </button>
            </div>
            <OutcomeMessage outcome=casework.outcome id="investigation-message" />
            <div class="table-wrap panel">
                <table id="investigations-table" class="table table-compact">
                    <thead>
                        <tr>
                            <th scope="col">"Reference"</th>
                            <th scope="col">"Title"</th>
                            <th scope="col">"Offence"</th>
                            <th scope="col">"Category"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"SIO"</th>
                            <th scope="col">"Escalations (9.10.4)"</th>
                            <th scope="col">"Actions"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || casework.list.get() key=row_key let:investigation>
                            <InvestigationRow investigation=investigation casework=casework />
                        </For>
                    </tbody>
                </table>
                <Show when=move || casework.list.with(Vec::is_empty)>
                    <p id="investigations-empty" class="muted">
                        "No investigations yet."
                    </p>
                </Show>
            </div>
            <NewInvestigationForm casework=casework offences=offences />
            {move || {
                casework
                    .escalating
                    .get()
                    .map(|investigation| view! { <EscalateDialog investigation=investigation casework=casework /> })
            }}
        </section>
    }
}

#[component]
fn InvestigationRow(investigation: Investigation, casework: Casework) -> impl IntoView {
    let open = investigation.status == "open";
    let reference = investigation.reference.clone();
    let toggle = move |_| casework.set_open(reference.clone(), !open);
    let can_escalate = open && casework.app.ranked() && !escalation_targets(investigation.category).is_empty();
    let escalations = if investigation.escalations.is_empty() {
        view! { <span class="muted">"none"</span> }.into_any()
    } else {
        view! {
            <ul class="escalations">
                {investigation
                    .escalations
                    .iter()
                    .map(|e| view! { <li class="escalation">{escalation_text(e)}</li> })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    let for_dialog = investigation.clone();
    view! {
        <tr
            class="investigation-row"
            data-reference=investigation.reference.clone()
            data-category=investigation.category.as_str()
            data-status=investigation.status.clone()
        >
            <td class="mono">{investigation.reference.clone()}</td>
            <td>{investigation.title.clone()}</td>
            <td>{investigation.offence.clone()}</td>
            <td class="investigation-category">{investigation.category.label()}</td>
            <td class="investigation-status">{investigation.status.clone()}</td>
            <td>{investigation.sio.clone()}</td>
            <td class="small-cell">{escalations}</td>
            <td class="actions">
                <button
                    type="button"
                    class="btn btn-small"
                    class:investigation-close=open
                    class:investigation-reopen=!open
                    on:click=toggle
                >
                    {if open { "Close" } else { "Reopen" }}
                </button>
                {can_escalate
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="btn btn-small investigation-escalate"
                                on:click=move |_| {
                                    casework.dialog_outcome.set(None);
                                    casework.escalating.set(Some(for_dialog.clone()));
                                    focus_later("escalate-to");
                                }
                            >
                                "Escalate"
                            </button>
                        }
                    })}
            </td>
        </tr>
    }
}

#[component]
fn NewInvestigationForm(casework: Casework, offences: RwSignal<Vec<Offence>>) -> impl IntoView {
    let reference = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let choice = RwSignal::new(OTHER.to_owned());
    let other = RwSignal::new(String::new());
    let sio = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    let offence = move || if choice.get() == OTHER { other.get() } else { choice.get() };
    let category = move || offences.with(|list| derived_category(list, &offence()));
    let outcome = RwSignal::new(None::<Outcome>);

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(value) = selected_value("inv-offence") {
            choice.set(value);
        }
        let request = NewInvestigation {
            reference: current_value("inv-reference", reference).trim().to_owned(),
            title: current_value("inv-title", title).trim().to_owned(),
            offence: if choice.get_untracked() == OTHER {
                current_value("inv-offence-other", other).trim().to_owned()
            } else {
                choice.get_untracked()
            },
            sio: current_value("inv-sio", sio).trim().to_owned(),
            notes: current_value("inv-notes", notes).trim().to_owned(),
        };
        let required = [
            ("reference", request.reference.as_str()),
            ("title", &request.title),
            ("offence", &request.offence),
            ("SIO", &request.sio),
        ];
        if let Some(message) = missing_fields(&required) {
            outcome.set(Some(Outcome::Failed(api::invalid(message))));
            return;
        }
        act(casework.app, outcome, async move { api::create_investigation(&request).await }, move |inv| {
            let note = format!("Investigation {} created: {}", inv.reference, inv.category.label());
            casework.show(inv);
            for field in [reference, title, other, sio, notes] {
                field.set(String::new());
            }
            Some(note)
        });
    };

    view! {
        <form id="new-investigation" class="panel form" on:submit=submit aria-labelledby="new-investigation-title">
            <h2 id="new-investigation-title">"New investigation"</h2>
            <div class="form-grid">
                <TextField id="inv-reference" label="Reference" value=reference required=true />
                <TextField id="inv-title" label="Title" value=title required=true />
                <div class="field">
                    <label for="inv-offence">"Offence"</label>
                    <select id="inv-offence" on:change=move |ev| choice.set(event_target_value(&ev))>
                        <option value=OTHER selected=move || choice.get() == OTHER>
                            "other (Priority and Volume)"
                        </option>
                        {move || {
                            offences
                                .get()
                                .into_iter()
                                .map(|o| {
                                    let selected = choice.get_untracked() == o.name;
                                    view! {
                                        <option value=o.name.clone() selected=selected>
                                            {format!("{} ({})", o.name, o.category.label())}
                                        </option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                </div>
                <Show when=move || choice.get() == OTHER>
                    <TextField id="inv-offence-other" label="Offence (not in Annex B)" value=other required=true />
                </Show>
                <TextField id="inv-sio" label="Senior investigating officer" value=sio required=true />
            </div>
            <TextField id="inv-notes" label="Notes" value=notes multiline=true />
            <p class="lead">
                "Category (Annex B): " <strong id="inv-category">{move || category().label()}</strong>
            </p>
            <OutcomeMessage outcome=outcome id="inv-create-message" />
            <div class="form-actions">
                <button id="inv-create" type="submit" class="btn btn-primary">
                    "Create investigation"
                </button>
            </div>
        </form>
    }
}

#[component]
fn EscalateDialog(investigation: Investigation, casework: Casework) -> impl IntoView {
    let targets = escalation_targets(investigation.category);
    let to = RwSignal::new(targets.first().copied().unwrap_or(Category::Major));
    let reasons = RwSignal::new(String::new());
    let community = RwSignal::new(String::new());
    let offence = RwSignal::new(String::new());
    let offender = RwSignal::new(String::new());
    let reference = investigation.reference.clone();
    let close = move || casework.escalating.set(None);

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(chosen) = selected_value("escalate-to").and_then(|v| v.parse().ok()) {
            to.set(chosen);
        }
        let request = EscalationRequest {
            reference: reference.clone(),
            to: to.get_untracked(),
            reasons: current_value("escalate-reasons", reasons).trim().to_owned(),
            factors: EscalationFactors {
                community: current_value("escalate-community", community).trim().to_owned(),
                offence: current_value("escalate-offence", offence).trim().to_owned(),
                offender: current_value("escalate-offender", offender).trim().to_owned(),
            },
        };
        let required = [
            ("reasons", request.reasons.as_str()),
            ("community factor", &request.factors.community),
            ("offence factor", &request.factors.offence),
            ("offender factor", &request.factors.offender),
        ];
        if let Some(message) = missing_fields(&required) {
            casework.dialog_outcome.set(Some(Outcome::Failed(api::invalid(message))));
            return;
        }
        act(
            casework.app,
            casework.dialog_outcome,
            async move { api::escalate_investigation(&request).await },
            move |inv| {
                casework.outcome.set(Some(Outcome::Done(format!(
                    "{} escalated to {}",
                    inv.reference,
                    inv.category.label()
                ))));
                casework.show(inv);
                close();
                None
            },
        );
    };
    let on_key = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            close();
        }
    };

    view! {
        <div class="dialog-backdrop">
            <div
                id="escalate-dialog"
                class="dialog panel"
                role="dialog"
                aria-modal="true"
                aria-labelledby="escalate-title"
                on:keydown=on_key
            >
                <h2 id="escalate-title">{format!("Escalate {}", investigation.reference)}</h2>
                <p>
                    {format!("Now {}: {}.", investigation.category.label(), investigation.title)}
                </p>
                <ul class="rules-list">
                    <li>"Priority and Volume → Serious needs the authority of an Inspector (or equivalent)."</li>
                    <li>"Serious → Major needs the authority of a Superintendent (or equivalent)."</li>
                    <li>
                        "An investigation escalated from Priority and Volume to Serious may not be escalated "
                        "further to Major (NASPLE Annex B, 9.10.4)."
                    </li>
                    <li>
                        "Your name and rank, the reasons and the three Annex B escalation factors are recorded "
                        "with the investigation."
                    </li>
                </ul>
                <form class="form" on:submit=submit>
                    <div class="field">
                        <label for="escalate-to">"Escalate to"</label>
                        <select id="escalate-to" on:change=move |ev| {
                            if let Ok(c) = event_target_value(&ev).parse() {
                                to.set(c);
                            }
                        }>
                            {targets
                                .iter()
                                .map(|c| {
                                    let needs = rank_label(escalation_rank(*c));
                                    view! {
                                        <option value=c.as_str()>{format!("{}: {needs} authority", c.label())}</option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </div>
                    <TextField id="escalate-reasons" label="Reasons" value=reasons multiline=true required=true />
                    <TextField
                        id="escalate-community"
                        label="Community factor"
                        value=community
                        multiline=true
                        required=true
                    />
                    <TextField
                        id="escalate-offence"
                        label="Offence factor"
                        value=offence
                        multiline=true
                        required=true
                    />
                    <TextField
                        id="escalate-offender"
                        label="Offender factor"
                        value=offender
                        multiline=true
                        required=true
                    />
                    <OutcomeMessage outcome=casework.dialog_outcome id="escalate-message" />
                    <div class="form-actions">
                        <button id="escalate-submit" type="submit" class="btn btn-primary">
                            "Escalate"
                        </button>
                        <button id="escalate-cancel" type="button" class="btn" on:click=move |_| close()>
                            "Cancel"
                        </button>
                    </div>
                </form>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_follows_the_offence() {
        let offences = vec![
            Offence { name: "Murder".into(), category: Category::Major },
            Offence { name: "Arson".into(), category: Category::Serious },
        ];
        assert_eq!(derived_category(&offences, "murder"), Category::Major);
        assert_eq!(derived_category(&offences, " Arson "), Category::Serious);
        assert_eq!(derived_category(&offences, "Theft of a bicycle"), Category::PriorityVolume);
        assert_eq!(derived_category(&offences, ""), Category::PriorityVolume);
    }
}
