//! Evidence (NASPLE 9.4), for evidence officers: packages of exhibits per investigation; each
//! exhibit's location level against its camera's recorded consent (9.4.3); issuing a court bundle
//! to a recipient, recorded as a disclosure (9.4.3.7); verifying an issued folder; and the
//! controllers' consents.

use crate::api;
use crate::app::{AppState, use_app};
use crate::components::field::{
    FolderField, SelectField, TextField, current_choice, current_value, scroll_into_view_later,
};
use crate::components::investigations;
use crate::components::outcome::{Outcome, OutcomeMessage, act, fail, reject};
use crate::components::read_cells::PlateThumb;
use crate::components::table::DataTable;
use crate::format::{
    bytes, consented_text, level_allowance, level_options, level_text, missing_fields, optional, thousands,
};
use crate::pages::consents::ConsentsSection;
use crate::pages::page_preview::PagePreviews;
use anpr_types::{
    EvidencePackage, ExhibitInfo, Investigation, IssueReport, IssueRequest, LocationLevel, PreviewPages, VerifyReport,
};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

/// The store ids of a package's exhibits, in order.
pub fn exhibit_ids(package: &EvidencePackage) -> Vec<i64> {
    package.exhibits.iter().map(|e| e.id).collect()
}

/// `ids` with the one at `index` moved one place up (or down); `None` at the edge.
pub fn moved(ids: &[i64], index: usize, up: bool) -> Option<Vec<i64>> {
    let other = if up { index.checked_sub(1)? } else { index + 1 };
    if index >= ids.len() || other >= ids.len() {
        return None;
    }
    let mut out = ids.to_vec();
    out.swap(index, other);
    Some(out)
}

/// `ids` without the one at `index`.
pub fn removed(ids: &[i64], index: usize) -> Vec<i64> {
    ids.iter().enumerate().filter(|(i, _)| *i != index).map(|(_, id)| *id).collect()
}

/// `ids` with `read` added at the end; `None` when it is there already.
pub fn with_read(ids: &[i64], read: i64) -> Option<Vec<i64>> {
    (!ids.contains(&read)).then(|| ids.iter().copied().chain([read]).collect())
}

/// Puts `package` in `list` in place of its old self, or first (the list is newest first).
/// Sets (or with `None`, clears) the level chosen for one camera.
pub fn set_camera_level(levels: &mut Vec<(String, LocationLevel)>, camera: &str, level: Option<LocationLevel>) {
    levels.retain(|(id, _)| id != camera);
    if let Some(level) = level {
        levels.push((camera.to_owned(), level));
    }
}

pub fn put(list: &mut Vec<EvidencePackage>, package: EvidencePackage) {
    match list.iter_mut().find(|p| p.id == package.id) {
        Some(slot) => *slot = package,
        None => list.insert(0, package),
    }
}

/// `Added as JS/3 in OP-1/B1`, or that the read was an exhibit already.
pub fn added_text(package: &EvidencePackage, read: i64, added: bool) -> String {
    let reference = package.exhibits.iter().find(|e| e.id == read).map(|e| e.reference.as_str()).unwrap_or("?");
    let verb = if added { "Added" } else { "Already an exhibit" };
    format!("{verb} as {reference} in {}", package.number)
}

/// The issue form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssueText {
    pub consent: String,
    pub recipient: String,
    pub reason: String,
    pub authority: String,
    pub out_dir: String,
}

impl IssueText {
    pub fn request(
        &self,
        package: i64,
        level: LocationLevel,
        camera_levels: Vec<(String, LocationLevel)>,
    ) -> Result<IssueRequest, String> {
        let required =
            [("recipient", self.recipient.as_str()), ("reason", &self.reason), ("output folder", &self.out_dir)];
        if let Some(message) = missing_fields(&required) {
            return Err(message);
        }
        Ok(self.draft(package, level, camera_levels))
    }

    /// The request as typed so far, for a preview (which needs no recipient, reason or folder).
    pub fn draft(
        &self,
        package: i64,
        level: LocationLevel,
        camera_levels: Vec<(String, LocationLevel)>,
    ) -> IssueRequest {
        IssueRequest {
            package,
            level,
            camera_levels,
            consent_ref: optional(&self.consent),
            recipient: self.recipient.trim().to_owned(),
            reason: self.reason.trim().to_owned(),
            authority: optional(&self.authority),
            out_dir: self.out_dir.trim().to_owned(),
        }
    }
}

/// The screen's state: the packages, the one open, the folder to verify.
#[derive(Debug, Clone, Copy)]
struct Desk {
    app: AppState,
    packages: RwSignal<Vec<EvidencePackage>>,
    outcome: RwSignal<Option<Outcome>>,
    open: RwSignal<Option<i64>>,
    verify_dir: RwSignal<String>,
}

impl Desk {
    fn load(self) {
        act(self.app, self.outcome, api::list_packages(), move |list| {
            self.packages.set(list);
            None
        });
    }

    fn show(self, package: EvidencePackage) {
        self.packages.update(|list| put(list, package));
    }

    fn open(self, id: i64) {
        if self.open.get_untracked() != Some(id) {
            self.open.set(Some(id));
        }
        scroll_into_view_later("package-view");
    }
}

#[component]
pub fn EvidencePage() -> impl IntoView {
    let desk = Desk {
        app: use_app(),
        packages: RwSignal::new(Vec::new()),
        outcome: RwSignal::new(None),
        open: RwSignal::new(None),
        verify_dir: RwSignal::new(String::new()),
    };
    desk.load();
    view! {
        <section id="evidence" class="page" aria-labelledby="evidence-title">
            <div class="page-head">
                <h1 id="evidence-title">"Evidence"</h1>
                <span class="muted">"Packages of exhibits, court bundles and controller consents (NASPLE 9.4)"</span>
                <span class="spacer"></span>
                <button id="evidence-refresh" type="button" class="btn" on:click=move |_| desk.load()>
                    "Refresh"
                </button>
            </div>
            <OutcomeMessage outcome=desk.outcome id="evidence-message" />
            <NewPackageForm desk=desk />
            <DataTable
                id="packages-table"
                heads=&["Number", "Investigation", "Status", "Exhibits", "Created", "Actions"]
            >
                <For
                    each=move || desk.packages.get()
                    key=|p| format!("{}|{}|{}", p.id, p.status, p.exhibits.len())
                    let:package
                >
                    <PackageRow package=package desk=desk />
                </For>
            </DataTable>
            <Show when=move || desk.packages.with(Vec::is_empty)>
                <p id="packages-empty" class="muted">
                    "No packages yet: start one for an open investigation."
                </p>
            </Show>
            {move || desk.open.get().map(|id| view! { <PackageView id=id desk=desk /> })}
            <VerifyForm desk=desk />
            <ConsentsSection on_recorded=Callback::new(move |()| desk.load()) />
        </section>
    }
}

#[component]
fn NewPackageForm(desk: Desk) -> impl IntoView {
    let list = RwSignal::new(Vec::<Investigation>::new());
    let chosen = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Outcome>);
    investigations::load_open(desk.app, outcome, list, chosen);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let investigation = current_choice("evidence-new-investigation", chosen);
        if investigation.trim().is_empty() {
            reject(outcome, "Choose an open investigation (Investigations screen) first.");
            return;
        }
        act(desk.app, outcome, async move { api::create_package(&investigation).await }, move |package| {
            let note = format!("Package {} created", package.number);
            let id = package.id;
            desk.show(package);
            desk.open(id);
            Some(note)
        });
    };
    view! {
        <form id="new-package" class="panel form-inline" on:submit=submit aria-label="New package">
            <SelectField
                id="evidence-new-investigation"
                label="Open investigation"
                value=chosen
                options=investigations::options(list)
            />
            <div class="form-actions">
                <button id="evidence-new" type="submit" class="btn btn-primary">
                    "New package"
                </button>
            </div>
            <OutcomeMessage outcome=outcome id="new-package-message" />
        </form>
    }
}

#[component]
fn PackageRow(package: EvidencePackage, desk: Desk) -> impl IntoView {
    let id = package.id;
    let is_open = move || desk.open.get() == Some(id);
    view! {
        <tr
            class="package-row"
            class:selected=is_open
            data-id=id
            data-number=package.number.clone()
            data-status=package.status.clone()
        >
            <td class="mono">{package.number.clone()}</td>
            <td>{package.investigation.clone()}</td>
            <td class="package-status">{package.status.clone()}</td>
            <td class="num package-exhibits">{package.exhibits.len()}</td>
            <td class="small-cell">{format!("{} on {}", package.created_by, package.created_uk)}</td>
            <td class="actions">
                <button type="button" class="btn btn-small package-open" on:click=move |_| desk.open(id)>
                    "Open"
                </button>
            </td>
        </tr>
    }
}

/// One package: its exhibits (editable while a draft), the issue form and what issuing wrote.
#[component]
fn PackageView(id: i64, desk: Desk) -> impl IntoView {
    let package = Memo::new(move |_| desk.packages.with(|l| l.iter().find(|p| p.id == id).cloned()));
    let exhibits = Memo::new(move |_| package.with(|p| p.as_ref().map(exhibit_ids).unwrap_or_default()));
    let level = RwSignal::new(LocationLevel::Area.as_str().to_owned());
    let chosen = Memo::new(move |_| level.get().parse().unwrap_or(LocationLevel::Area));
    // Levels chosen for particular cameras, overriding the package's level (9.4.3.3).
    let overrides = RwSignal::new(Vec::<(String, LocationLevel)>::new());
    let outcome = RwSignal::new(None::<Outcome>);
    let change = Callback::new(move |(ids, note): (Vec<i64>, String)| {
        act(desk.app, outcome, async move { api::set_exhibits(id, &ids).await }, move |p| {
            desk.show(p);
            Some(note)
        });
    });
    let field = move |f: fn(&EvidencePackage) -> String| move || package.with(|p| p.as_ref().map(f));
    let heads = &[
        "Exhibit",
        "Plate patch",
        "VRM",
        "Time (UK)",
        "Camera id",
        "General area",
        "Consent (9.4.3)",
        "Level (9.4.3.3)",
        "Actions",
    ];
    view! {
        <section
            id="package-view"
            class="panel"
            aria-labelledby="package-title"
            data-number=field(|p| p.number.clone())
            data-status=field(|p| p.status.clone())
        >
            <h2 id="package-title">{field(|p| format!("Package {} ({})", p.number, p.status))}</h2>
            <p class="muted">
                {field(|p| {
                    if p.status == "draft" {
                        format!(
                            "Investigation {}. Add reads from Search; remove or reorder them here before issuing.",
                            p.investigation,
                        )
                    } else {
                        format!(
                            "Investigation {}. Issued: its exhibits are fixed; it may be issued again to another \
                             recipient, or start a new package to change them.",
                            p.investigation,
                        )
                    }
                })}
            </p>
            <OutcomeMessage outcome=outcome id="exhibits-message" />
            <DataTable id="exhibits" heads=heads>
                {move || {
                    package
                        .get()
                        .map(|p| {
                            let draft = p.status == "draft";
                            let ids = StoredValue::new(exhibit_ids(&p));
                            p.exhibits
                                .into_iter()
                                .enumerate()
                                .map(|(index, exhibit)| {
                                    view! { <ExhibitRow exhibit index ids draft chosen overrides change /> }
                                })
                                .collect_view()
                        })
                }}
            </DataTable>
            <Show when=move || package.with(|p| p.as_ref().is_some_and(|p| p.exhibits.is_empty()))>
                <p id="exhibits-empty" class="muted">
                    "No exhibits yet: open a read on the Search screen and add it to this package."
                </p>
            </Show>
            <IssueForm id=id level=level overrides=overrides exhibits=exhibits desk=desk />
        </section>
    }
}

#[component]
fn ExhibitRow(
    exhibit: ExhibitInfo,
    index: usize,
    ids: StoredValue<Vec<i64>>,
    draft: bool,
    chosen: Memo<LocationLevel>,
    overrides: RwSignal<Vec<(String, LocationLevel)>>,
    change: Callback<(Vec<i64>, String)>,
) -> impl IntoView {
    let (mobile, consented) = (exhibit.mobile, exhibit.consented_level);
    let camera = StoredValue::new(exhibit.camera_id.clone());
    let own = move || overrides.with(|o| camera.with_value(|c| o.iter().find(|(id, _)| id == c).map(|(_, l)| *l)));
    let allowance = move || level_allowance(mobile, consented, own().unwrap_or_else(|| chosen.get()));
    let set_own = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        overrides.update(|o| camera.with_value(|c| set_camera_level(o, c, value.parse().ok())));
    };
    let name = format!("{} ({})", exhibit.reference, exhibit.vrm);
    let last = index + 1 >= ids.with_value(Vec::len);
    let step = move |new: Option<Vec<i64>>, what: &'static str| {
        let note = format!("{name}: {what}");
        move |_| {
            if let Some(ids) = new.clone() {
                change.run((ids, note.clone()));
            }
        }
    };
    let up = step(ids.with_value(|ids| moved(ids, index, true)), "moved up");
    let down = step(ids.with_value(|ids| moved(ids, index, false)), "moved down");
    let remove = step(Some(ids.with_value(|ids| removed(ids, index))), "removed");
    view! {
        <tr
            class="exhibit-row"
            data-reference=exhibit.reference.clone()
            data-read-id=exhibit.id
            data-mobile=mobile.to_string()
            data-allowed=move || allowance().0.to_string()
        >
            <td class="mono exhibit-reference">{exhibit.reference.clone()}</td>
            <td>
                <PlateThumb sha=exhibit.plate_image.clone() alt=format!("Plate patch of {}", exhibit.vrm) />
            </td>
            <td class="vrm">{exhibit.vrm.clone()}</td>
            <td class="small-cell">{exhibit.read_time_uk.clone()}</td>
            <td class="mono">{exhibit.camera_id.clone()}</td>
            <td>{exhibit.general_area.clone()}</td>
            <td class="small-cell exhibit-consent">{consented_text(mobile, consented)}</td>
            <td class="small-cell exhibit-allowed" class:needs-consent=move || !allowance().0>
                <select
                    class="exhibit-level"
                    aria-label=format!("Location level for camera {}", exhibit.camera_id)
                    prop:value=move || own().map_or("", LocationLevel::as_str)
                    on:change=set_own
                >
                    <option value="">"Package level"</option>
                    {LocationLevel::ALL
                        .iter()
                        .map(|l| view! { <option value=l.as_str()>{format!("{} {}", l.number(), l.label())}</option> })
                        .collect_view()}
                </select>
                <div>{move || allowance().1}</div>
            </td>
            <td class="actions">
                {draft
                    .then(|| {
                        view! {
                            <button type="button" class="btn btn-small exhibit-up" disabled=index == 0 on:click=up>
                                "Move up"
                            </button>
                            <button
                                type="button"
                                class="btn btn-small exhibit-down"
                                disabled=last
                                on:click=down
                            >
                                "Move down"
                            </button>
                            <button type="button" class="btn btn-small btn-danger exhibit-remove" on:click=remove>
                                "Remove"
                            </button>
                        }
                    })}
            </td>
        </tr>
    }
}

/// Issuing the package: the location level, the consent relied on, the recipient, why, under
/// what authority, and the folder to write.
#[component]
fn IssueForm(
    id: i64,
    level: RwSignal<String>,
    overrides: RwSignal<Vec<(String, LocationLevel)>>,
    exhibits: Memo<Vec<i64>>,
    desk: Desk,
) -> impl IntoView {
    let boxes: [RwSignal<String>; 5] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let [consent, recipient, reason, authority, out_dir] = boxes;
    let outcome = RwSignal::new(None::<Outcome>);
    let report = RwSignal::new(None::<IssueReport>);
    let preview = RwSignal::new(None::<PreviewPages>);
    let text = move || IssueText {
        consent: current_value("issue-consent", consent),
        recipient: current_value("issue-recipient", recipient),
        reason: current_value("issue-reason", reason),
        authority: current_value("issue-authority", authority),
        out_dir: current_value("issue-out", out_dir),
    };
    let chosen = move || current_choice("issue-level", level).parse().unwrap_or(LocationLevel::Area);
    // A preview shows one choice of levels and exhibits: any change makes it stale.
    Effect::new(move |_| {
        level.track();
        overrides.track();
        exhibits.track();
        preview.set(None);
    });
    let show_preview = move |_| {
        let request = text().draft(id, chosen(), overrides.get_untracked());
        preview.set(None);
        act(desk.app, outcome, async move { api::preview_package(&request).await }, move |pages| {
            preview.set(Some(pages));
            scroll_into_view_later("page-previews");
            None
        });
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let request = match text().request(id, chosen(), overrides.get_untracked()) {
            Ok(request) => request,
            Err(message) => return reject(outcome, message),
        };
        report.set(None);
        act(desk.app, outcome, async move { api::issue_package(&request).await }, move |issued| {
            desk.verify_dir.set(issued.disclosure.out_dir.clone());
            desk.packages.update(|list| {
                if let Some(p) = list.iter_mut().find(|p| p.id == id) {
                    p.status = "issued".to_owned();
                }
            });
            report.set(Some(issued));
            scroll_into_view_later("issue-result");
            None
        });
    };
    view! {
        <form id="issue-form" class="form" on:submit=submit aria-labelledby="issue-title">
            <h3 id="issue-title">"Issue the package"</h3>
            <p class="muted">
                "Camera locations are described at the level chosen, in NASPLE 9.4.3.3's order of preference. "
                "Levels above 1 need the camera controller's recorded written consent, except for mobile ANPR "
                "(9.4.3); the table above shows, per exhibit, whether its consent allows the level. Camera "
                "identities and precise locations go on the separate schedule of sensitive material (9.4.1)."
            </p>
            <p class="msg msg-note" id="issue-overview-warning">
                "Check the overview images before issuing below level 4: many cameras print their name or "
                "location in the picture's data strip, and the bundle reproduces the pictures as they are."
            </p>
            <div class="form-grid">
                <SelectField
                    id="issue-level"
                    label="Location level (9.4.3.3)"
                    value=level
                    options=Signal::derive(level_options)
                />
                <TextField
                    id="issue-consent"
                    label="Consent reference"
                    value=consent
                    hint="Optional: one consent for every non-mobile camera; empty: each camera's recorded consent."
                />
                <TextField id="issue-recipient" label="Recipient" value=recipient required=true />
                <TextField
                    id="issue-authority"
                    label="Authority"
                    value=authority
                    hint="Optional: e.g. the CPS request reference."
                />
            </div>
            <TextField id="issue-reason" label="Reason" value=reason multiline=true required=true />
            <FolderField
                id="issue-out"
                pick_id="issue-out-pick"
                label="Output folder (new or empty)"
                title="Choose an empty folder for the package"
                value=out_dir
                on_error=Callback::new(move |e| fail(desk.app, outcome, e))
            />
            <OutcomeMessage outcome=outcome id="issue-message" problem_id="issue-refusal" />
            {move || report.get().map(|r| view! { <IssueResult report=r /> })}
            {move || preview.get().map(|p| view! { <PagePreviews preview=p /> })}
            <div class="form-actions">
                <button id="issue-preview" type="button" class="btn" on:click=show_preview>
                    "Preview pages"
                </button>
                <button id="issue-submit" type="submit" class="btn btn-primary">
                    "Issue"
                </button>
            </div>
        </form>
    }
}

#[component]
fn IssueResult(report: IssueReport) -> impl IntoView {
    let d = report.disclosure;
    let summary = format!(
        "{} exhibits at level {} to {}: {} files, {}, written in {} ms",
        d.exhibits,
        level_text(d.level),
        d.recipient,
        report.files.len(),
        bytes(report.bytes),
        thousands(report.millis),
    );
    view! {
        <div id="issue-result" class="notice notice-grant" role="status" data-reference=d.reference.clone()>
            <p class="notice-heading">
                "Issued as disclosure " <span id="issue-disclosure">{d.reference.clone()}</span>
            </p>
            <p>{summary}</p>
            <p>
                "Folder " <span id="issue-folder" class="mono">{d.out_dir.clone()}</span>
            </p>
            <p>
                "manifest.json SHA-256 "
                <span id="issue-manifest-sha256" class="mono hash">
                    {d.manifest_sha256.clone()}
                </span>
            </p>
            <DataTable id="issue-files" heads=&["File", "SHA-256"]>
                {report
                    .files
                    .into_iter()
                    .map(|(name, sha)| {
                        let key = name.clone();
                        view! {
                            <tr class="issue-file" data-name=key>
                                <td class="mono">{name}</td>
                                <td class="mono hash">{sha}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </DataTable>
        </div>
    }
}

/// `anpr report verify` from the screen: every file re-hashed, originals checked against the store.
#[component]
fn VerifyForm(desk: Desk) -> impl IntoView {
    let outcome = RwSignal::new(None::<Outcome>);
    let result = RwSignal::new(None::<VerifyReport>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let dir = current_value("verify-dir", desk.verify_dir).trim().to_owned();
        if let Some(message) = missing_fields(&[("folder to verify", &dir)]) {
            return reject(outcome, message);
        }
        result.set(None);
        act(desk.app, outcome, async move { api::verify_package(&dir).await }, move |r| {
            result.set(Some(r));
            None
        });
    };
    view! {
        <form id="verify-form" class="panel form" on:submit=submit aria-labelledby="verify-title">
            <h2 id="verify-title">"Verify an issued package"</h2>
            <p class="muted">
                "Re-hashes every file against manifest.json and checks each original against the evidence store."
            </p>
            <FolderField
                id="verify-dir"
                pick_id="verify-pick"
                label="Package folder"
                title="Choose an issued package folder"
                value=desk.verify_dir
                on_error=Callback::new(move |e| fail(desk.app, outcome, e))
            />
            <OutcomeMessage outcome=outcome id="verify-message" problem_id="verify-error" />
            {move || result.get().map(|r| view! { <VerifyResult report=r /> })}
            <div class="form-actions">
                <button id="verify-submit" type="submit" class="btn btn-primary">
                    "Verify"
                </button>
            </div>
        </form>
    }
}

#[component]
fn VerifyResult(report: VerifyReport) -> impl IntoView {
    let (class, heading) = if report.ok {
        ("notice notice-grant", format!("Verified: {} files match the manifest and the store", report.files_checked))
    } else {
        (
            "notice notice-refused",
            format!("Verification failed: {} problems in {} files", report.problems.len(), report.files_checked),
        )
    };
    view! {
        <div id="verify-result" class=class role="status" data-ok=report.ok.to_string()>
            <p class="notice-heading">{heading}</p>
            <ul id="verify-problems">
                {report.problems.into_iter().map(|p| view! { <li class="verify-problem mono">{p}</li> }).collect_view()}
            </ul>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(exhibits: &[(i64, &str)]) -> EvidencePackage {
        EvidencePackage {
            id: 7,
            investigation: "OP-1".into(),
            number: "OP-1/B1".into(),
            status: "draft".into(),
            created_by: "demo.evidence".into(),
            created_uk: String::new(),
            exhibits: exhibits
                .iter()
                .map(|(id, reference)| ExhibitInfo {
                    reference: (*reference).into(),
                    id: *id,
                    read_id: format!("R{id}"),
                    vrm: "AB12CDE".into(),
                    read_time_uk: String::new(),
                    camera_id: "CAM-1".into(),
                    general_area: "Camden".into(),
                    mobile: false,
                    consented_level: LocationLevel::Area,
                    plate_image: None,
                })
                .collect(),
        }
    }

    #[test]
    fn reordering_and_removing() {
        let ids = [10, 20, 30];
        assert_eq!(moved(&ids, 1, true), Some(vec![20, 10, 30]));
        assert_eq!(moved(&ids, 1, false), Some(vec![10, 30, 20]));
        assert_eq!(moved(&ids, 0, true), None);
        assert_eq!(moved(&ids, 2, false), None);
        assert_eq!(moved(&ids, 5, true), None);
        assert_eq!(removed(&ids, 0), vec![20, 30]);
        assert_eq!(removed(&ids, 2), vec![10, 20]);
        assert_eq!(with_read(&ids, 40), Some(vec![10, 20, 30, 40]));
        assert_eq!(with_read(&ids, 20), None);
    }

    #[test]
    fn packages_replace_their_old_selves() {
        let mut list = vec![package(&[])];
        put(&mut list, package(&[(1, "DE/1")]));
        assert_eq!(list.len(), 1);
        assert_eq!(exhibit_ids(&list[0]), vec![1]);
        put(&mut list, EvidencePackage { id: 8, ..package(&[]) });
        assert_eq!(list.iter().map(|p| p.id).collect::<Vec<_>>(), vec![8, 7]);
    }

    #[test]
    fn added_in_words() {
        let p = package(&[(1, "DE/1"), (2, "DE/2")]);
        assert_eq!(added_text(&p, 2, true), "Added as DE/2 in OP-1/B1");
        assert_eq!(added_text(&p, 1, false), "Already an exhibit as DE/1 in OP-1/B1");
    }

    #[test]
    fn a_camera_level_replaces_or_clears_that_cameras_choice() {
        let mut levels = Vec::new();
        set_camera_level(&mut levels, "A", Some(LocationLevel::Road));
        set_camera_level(&mut levels, "B", Some(LocationLevel::Postcode));
        set_camera_level(&mut levels, "A", Some(LocationLevel::Precise));
        assert_eq!(levels, [("B".to_owned(), LocationLevel::Postcode), ("A".to_owned(), LocationLevel::Precise)]);
        set_camera_level(&mut levels, "B", None);
        assert_eq!(levels, [("A".to_owned(), LocationLevel::Precise)]);
    }

    #[test]
    fn issuing_needs_recipient_reason_and_folder() {
        let empty = IssueText::default();
        assert_eq!(
            empty.request(7, LocationLevel::Area, Vec::new()),
            Err("Enter the recipient, the reason and the output folder.".to_owned())
        );
        let text = IssueText {
            consent: " ".into(),
            recipient: " CPS ".into(),
            reason: "trial".into(),
            authority: "CPS-42".into(),
            out_dir: "/tmp/out".into(),
        };
        let road = vec![("CAM-1".to_owned(), LocationLevel::Road)];
        let request = text.request(7, LocationLevel::Postcode, road.clone());
        assert_eq!(
            request.map(|r| (r.package, r.level, r.camera_levels, r.consent_ref, r.recipient, r.authority)),
            Ok((7, LocationLevel::Postcode, road, None, "CPS".to_owned(), Some("CPS-42".to_owned())))
        );
    }
}
