//! "Add to evidence package" on the Search screen (evidence officers): the open read becomes the
//! last exhibit of a draft package of the search's investigation, or of a new one.

use crate::api;
use crate::app::use_app;
use crate::components::field::{SelectField, current_choice};
use crate::components::outcome::{Outcome, OutcomeMessage, act, reject};
use crate::pages::evidence::{added_text, exhibit_ids, put, with_read};
use anpr_types::EvidencePackage;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

/// The select's value for "a new package".
const NEW: &str = "new";

/// The draft packages of `investigation`, then "new package".
pub fn package_choices(packages: &[EvidencePackage], investigation: &str) -> Vec<(String, String)> {
    packages
        .iter()
        .filter(|p| p.investigation == investigation && p.status == "draft")
        .map(|p| (p.id.to_string(), format!("{} ({} exhibits)", p.number, p.exhibits.len())))
        .chain([(NEW.to_owned(), format!("New package for {investigation}"))])
        .collect()
}

/// `read` (a store id) and `investigation` (the search's) as they are now.
#[component]
pub fn AddToPackage(read: Signal<Option<i64>>, investigation: Signal<Option<String>>) -> impl IntoView {
    let app = use_app();
    let packages = RwSignal::new(Vec::<EvidencePackage>::new());
    let choice = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Outcome>);
    act(app, outcome, api::list_packages(), move |list| {
        packages.set(list);
        None
    });
    let options = Signal::derive(move || {
        let investigation = investigation.get().unwrap_or_default();
        packages.with(|list| package_choices(list, &investigation))
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (Some(read), Some(investigation)) = (read.get_untracked(), investigation.get_untracked()) else {
            return reject(outcome, "Open a read from a search first.");
        };
        let chosen = current_choice("add-evidence-package", choice);
        let existing = packages.with_untracked(|list| list.iter().find(|p| p.id.to_string() == chosen).cloned());
        let call = async move {
            let package = match existing {
                Some(p) => p,
                None => api::create_package(&investigation).await?,
            };
            match with_read(&exhibit_ids(&package), read) {
                Some(ids) => api::set_exhibits(package.id, &ids).await.map(|p| (p, true)),
                None => Ok((package, false)),
            }
        };
        act(app, outcome, call, move |(package, added)| {
            let note = added_text(&package, read, added);
            choice.set(package.id.to_string());
            packages.update(|list| put(list, package));
            Some(note)
        });
    };
    view! {
        <form id="search-add-evidence" class="panel form-inline" on:submit=submit aria-label="Add to evidence package">
            <SelectField
                id="add-evidence-package"
                label="Evidence package"
                value=choice
                options=options
                hint="A draft package of this search's investigation, or a new one."
            />
            <div class="form-actions">
                <button id="add-evidence-submit" type="submit" class="btn btn-primary">
                    "Add to evidence package"
                </button>
            </div>
            <OutcomeMessage outcome=outcome id="add-evidence-message" />
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_drafts_of_the_investigation_are_offered() {
        let package = |id: i64, investigation: &str, status: &str| EvidencePackage {
            id,
            investigation: investigation.into(),
            number: format!("{investigation}/B{id}"),
            status: status.into(),
            created_by: String::new(),
            created_uk: String::new(),
            exhibits: Vec::new(),
        };
        let list = [package(1, "OP-1", "draft"), package(2, "OP-1", "issued"), package(3, "OP-2", "draft")];
        assert_eq!(
            package_choices(&list, "OP-1"),
            vec![
                ("1".to_owned(), "OP-1/B1 (0 exhibits)".to_owned()),
                ("new".to_owned(), "New package for OP-1".to_owned())
            ]
        );
    }
}
