//! Controllers' written consents to describe a camera's location above level 1 (NASPLE 9.4.3):
//! the record (who, for which controller, when, scope, reference) and a form to add one.

use crate::api;
use crate::app::use_app;
use crate::components::field::{SelectField, TextField, current_choice, current_value};
use crate::components::outcome::{Outcome, OutcomeMessage, act, reject};
use crate::components::table::DataTable;
use crate::format::{level_options, level_text, missing_fields};
use anpr_types::{Consent, LocationLevel, NewConsent};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

/// The consent form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsentText {
    pub reference: String,
    pub camera_id: String,
    pub controller: String,
    pub consented_by: String,
    pub date: String,
    pub scope: String,
}

impl ConsentText {
    pub fn consent(&self, max_level: LocationLevel) -> Result<NewConsent, String> {
        let required = [
            ("reference", self.reference.as_str()),
            ("camera id", &self.camera_id),
            ("controller", &self.controller),
            ("name of who consented", &self.consented_by),
            ("date", &self.date),
            ("scope", &self.scope),
        ];
        if let Some(message) = missing_fields(&required) {
            return Err(message);
        }
        let text = |s: &String| s.trim().to_owned();
        Ok(NewConsent {
            reference: text(&self.reference),
            camera_id: text(&self.camera_id),
            controller: text(&self.controller),
            consented_by: text(&self.consented_by),
            consent_date: text(&self.date),
            scope: text(&self.scope),
            max_level,
        })
    }
}

/// The consents and the form; `on_recorded` runs after one is recorded (exhibits' consent changes).
#[component]
pub fn ConsentsSection(on_recorded: Callback<()>) -> impl IntoView {
    let app = use_app();
    let consents = RwSignal::new(Vec::<Consent>::new());
    let outcome = RwSignal::new(None::<Outcome>);
    act(app, outcome, api::list_consents(), move |list| {
        consents.set(list);
        None
    });
    let heads = &["Reference", "Camera", "Controller", "Consented by", "Date", "Scope", "Up to", "Recorded"];
    view! {
        <section id="consents" aria-labelledby="consents-title">
            <div class="page-head">
                <h2 id="consents-title">"Controller consents"</h2>
                <span class="muted">
                    "Written consent to describe a camera's location above level 1 (NASPLE 9.4.3)"
                </span>
            </div>
            <OutcomeMessage outcome=outcome id="consents-message" />
            <DataTable id="consents-table" heads=heads>
                <For each=move || consents.get() key=|c| c.reference.clone() let:consent>
                    <tr
                        class="consent-row"
                        data-reference=consent.reference.clone()
                        data-camera-id=consent.camera_id.clone()
                        data-level=consent.max_level.as_str()
                    >
                        <td class="mono">{consent.reference.clone()}</td>
                        <td class="mono">{consent.camera_id.clone()}</td>
                        <td>{consent.controller.clone()}</td>
                        <td>{consent.consented_by.clone()}</td>
                        <td class="small-cell">{consent.consent_date_uk.clone()}</td>
                        <td class="small-cell">{consent.scope.clone()}</td>
                        <td>{level_text(consent.max_level)}</td>
                        <td class="small-cell">{format!("{} on {}", consent.recorded_by, consent.recorded_uk)}</td>
                    </tr>
                </For>
            </DataTable>
            <Show when=move || consents.with(Vec::is_empty)>
                <p id="consents-empty" class="muted">
                    "No consents recorded: every camera is described by its general area."
                </p>
            </Show>
            <ConsentForm consents=consents on_recorded=on_recorded />
        </section>
    }
}

#[component]
fn ConsentForm(consents: RwSignal<Vec<Consent>>, on_recorded: Callback<()>) -> impl IntoView {
    let app = use_app();
    let ids =
        ["consent-reference", "consent-camera", "consent-controller", "consent-by", "consent-date", "consent-scope"];
    let boxes: [RwSignal<String>; 6] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let level = RwSignal::new(LocationLevel::Postcode.as_str().to_owned());
    let outcome = RwSignal::new(None::<Outcome>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let [reference, camera_id, controller, consented_by, date, scope] =
            std::array::from_fn(|i| current_value(ids[i], boxes[i]));
        let max_level = current_choice("consent-level", level).parse().unwrap_or(LocationLevel::Postcode);
        let text = ConsentText { reference, camera_id, controller, consented_by, date, scope };
        let consent = match text.consent(max_level) {
            Ok(consent) => consent,
            Err(message) => return reject(outcome, message),
        };
        act(app, outcome, async move { api::record_consent(&consent).await }, move |recorded| {
            let note = format!("Consent {} recorded for {}", recorded.reference, recorded.camera_id);
            consents.update(|list| list.insert(0, recorded));
            boxes.iter().for_each(|b| b.set(String::new()));
            on_recorded.run(());
            Some(note)
        });
    };
    let [reference, camera, controller, by, date, scope] = boxes;
    let above_area = Signal::derive(|| level_options().into_iter().skip(1).collect());
    view! {
        <form id="consent-form" class="panel form" on:submit=submit aria-labelledby="consent-title">
            <h3 id="consent-title">"Record a controller's consent"</h3>
            <div class="form-grid">
                <TextField id="consent-reference" label="Reference" value=reference required=true />
                <TextField id="consent-camera" label="Camera id" value=camera required=true />
                <TextField id="consent-controller" label="Controller" value=controller required=true />
                <TextField
                    id="consent-by"
                    label="Consented by"
                    value=by
                    required=true
                    hint="Who gave consent for the controller."
                />
                <TextField id="consent-date" label="Date of consent" value=date kind="date" required=true />
                <SelectField
                    id="consent-level"
                    label="Most precise level consented"
                    value=level
                    options=above_area
                />
            </div>
            <TextField id="consent-scope" label="Scope" value=scope multiline=true required=true />
            <OutcomeMessage outcome=outcome id="consent-message" />
            <div class="form-actions">
                <button id="consent-submit" type="submit" class="btn btn-primary">
                    "Record consent"
                </button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_consent_needs_every_field() {
        let text = ConsentText {
            reference: " CON-1 ".into(),
            camera_id: "CAM-1".into(),
            controller: "Met".into(),
            consented_by: "A. Controller".into(),
            date: "2026-11-01".into(),
            scope: "court bundles for OP-1".into(),
        };
        let consent = text.consent(LocationLevel::Road);
        assert_eq!(
            consent.map(|c| (c.reference, c.consent_date, c.max_level)),
            Ok(("CON-1".to_owned(), "2026-11-01".to_owned(), LocationLevel::Road))
        );
        let missing = ConsentText { date: String::new(), scope: " ".into(), ..text };
        assert_eq!(missing.consent(LocationLevel::Road), Err("Enter the date and the scope.".to_owned()));
    }
}
