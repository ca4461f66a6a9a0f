//! The camera register, for administrators (8.7, 8.8): each camera with its location, controller
//! and Restricted Access state, a form to add one, and the restriction and its grants, each
//! authorised by a senior manager.

use crate::api;
use crate::app::{AppState, use_app};
use crate::components::field::{TextField, current_value, focus_later, selected_value};
use crate::components::map::TileServerForm;
use crate::components::outcome::{Outcome, OutcomeMessage, act};
use crate::format::{missing_fields, optional, system_type_label};
use anpr_types::{CameraInfo, NewCamera, RestrictionChange, SystemType};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

/// A change to a camera's Restricted Access (8.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChangeKind {
    Restrict,
    Lift,
    Grant,
    Revoke,
}

impl ChangeKind {
    fn label(self) -> &'static str {
        match self {
            ChangeKind::Restrict => "Restrict",
            ChangeKind::Lift => "Lift restriction",
            ChangeKind::Grant => "Grant a user",
            ChangeKind::Revoke => "Revoke a user",
        }
    }

    fn class(self) -> &'static str {
        match self {
            ChangeKind::Restrict => "btn btn-small camera-restrict",
            ChangeKind::Lift => "btn btn-small camera-lift",
            ChangeKind::Grant => "btn btn-small camera-grant",
            ChangeKind::Revoke => "btn btn-small camera-revoke",
        }
    }
}

/// The add-camera form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CameraForm {
    pub camera_id: String,
    pub name: String,
    pub latitude: String,
    pub longitude: String,
    pub general_area: String,
    pub postcode: String,
    pub road: String,
    pub controller: String,
    pub lanes: String,
}

impl CameraForm {
    pub fn camera(&self, system_type: SystemType) -> Result<NewCamera, String> {
        let required = [
            ("camera id", self.camera_id.as_str()),
            ("name", &self.name),
            ("latitude", &self.latitude),
            ("longitude", &self.longitude),
            ("general area", &self.general_area),
            ("controller", &self.controller),
        ];
        if let Some(message) = missing_fields(&required) {
            return Err(message);
        }
        let number =
            |text: &str, what: &str| text.trim().parse::<f64>().map_err(|_| format!("The {what} is not a number."));
        let lanes = match self.lanes.trim() {
            "" => 1,
            text => text.parse().map_err(|_| "The number of lanes is not a whole number.".to_owned())?,
        };
        Ok(NewCamera {
            camera_id: self.camera_id.trim().to_owned(),
            name: self.name.trim().to_owned(),
            system_type,
            latitude: number(&self.latitude, "latitude")?,
            longitude: number(&self.longitude, "longitude")?,
            general_area: self.general_area.trim().to_owned(),
            postcode: optional(&self.postcode),
            road: optional(&self.road),
            controller: self.controller.trim().to_owned(),
            lanes,
        })
    }
}

#[derive(Debug, Clone, Copy)]
struct Register {
    app: AppState,
    cameras: RwSignal<Vec<CameraInfo>>,
    outcome: RwSignal<Option<Outcome>>,
    changing: RwSignal<Option<(String, ChangeKind)>>,
}

impl Register {
    fn load(self) {
        act(self.app, self.outcome, api::camera_register(), move |list| {
            self.cameras.set(list);
            None
        });
    }

    fn show(self, camera: CameraInfo) {
        self.cameras.update(|list| match list.iter_mut().find(|c| c.camera_id == camera.camera_id) {
            Some(slot) => *slot = camera,
            None => list.push(camera),
        });
    }
}

fn row_key(c: &CameraInfo) -> String {
    let grants: Vec<&str> = c.grants.iter().map(|g| g.username.as_str()).collect();
    format!("{}|{}|{}", c.camera_id, c.restricted, grants.join(","))
}

#[component]
pub fn CamerasPage() -> impl IntoView {
    let register = Register {
        app: use_app(),
        cameras: RwSignal::new(Vec::new()),
        outcome: RwSignal::new(None),
        changing: RwSignal::new(None),
    };
    register.load();
    view! {
        <section id="cameras" class="page" aria-labelledby="cameras-title">
            <div class="page-head">
                <h1 id="cameras-title">"Cameras"</h1>
                <span class="muted">"The camera register (NASPLE 8.7, 8.8)"</span>
                <span class="spacer"></span>
                <button id="cameras-refresh" type="button" class="btn" on:click=move |_| register.load()>
                    "Refresh"
                </button>
            </div>
            <OutcomeMessage outcome=register.outcome id="camera-message" />
            {move || register.changing.get().map(|(camera_id, kind)| view! { <ChangeForm camera_id kind register /> })}
            <div class="table-wrap panel">
                <table id="cameras-table" class="table table-compact">
                    <thead>
                        <tr>
                            <th scope="col">"Id"</th>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Type"</th>
                            <th scope="col">"General area"</th>
                            <th scope="col">"Postcode"</th>
                            <th scope="col">"Road"</th>
                            <th scope="col">"Controller"</th>
                            <th scope="col">"Restricted (8.8)"</th>
                            <th scope="col">"Granted users"</th>
                            <th scope="col">"Actions"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || register.cameras.get() key=row_key let:camera>
                            <CameraRow camera=camera register=register />
                        </For>
                    </tbody>
                </table>
            </div>
            <NewCameraForm register=register />
            <TileServerForm />
        </section>
    }
}

#[component]
fn CameraRow(camera: CameraInfo, register: Register) -> impl IntoView {
    let id = camera.camera_id.clone();
    let kinds: &[ChangeKind] = if camera.restricted {
        &[ChangeKind::Lift, ChangeKind::Grant, ChangeKind::Revoke]
    } else {
        &[ChangeKind::Restrict]
    };
    let restriction = camera.restriction.as_ref().map(|r| {
        format!(
            "Yes: authorised by {} ({}), since {}, recorded by {}",
            r.authorised_by, r.reference, r.from_uk, r.recorded_by
        )
    });
    let grants = camera
        .grants
        .iter()
        .map(|g| {
            view! {
                <li class="camera-grant-entry" data-username=g.username.clone()>
                    {format!("{}: authorised by {} ({}), {}", g.username, g.authorised_by, g.reference, g.granted_uk)}
                </li>
            }
        })
        .collect_view();
    view! {
        <tr class="camera-row" data-camera-id=id.clone() data-restricted=camera.restricted.to_string()>
            <td class="mono">{id.clone()}</td>
            <td>{camera.name.clone()}</td>
            <td>{system_type_label(camera.system_type)}</td>
            <td>{camera.general_area.clone()}</td>
            <td>{camera.postcode.clone().unwrap_or_default()}</td>
            <td>{camera.road.clone().unwrap_or_default()}</td>
            <td>{camera.controller.clone()}</td>
            <td class="small-cell camera-restricted">{restriction.unwrap_or_else(|| "No".to_owned())}</td>
            <td class="small-cell">
                <ul class="grants">{grants}</ul>
            </td>
            <td class="actions">
                {kinds
                    .iter()
                    .map(|kind| {
                        let (id, kind) = (id.clone(), *kind);
                        view! {
                            <button
                                type="button"
                                class=kind.class()
                                on:click=move |_| {
                                    register.changing.set(Some((id.clone(), kind)));
                                    focus_later("change-authorised-by");
                                }
                            >
                                {kind.label()}
                            </button>
                        }
                    })
                    .collect_view()}
            </td>
        </tr>
    }
}

/// Restrict, lift, grant or revoke, with the senior manager's authorisation.
#[component]
fn ChangeForm(camera_id: String, kind: ChangeKind, register: Register) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let authorised_by = RwSignal::new(String::new());
    let reference = RwSignal::new(String::new());
    let needs_user = matches!(kind, ChangeKind::Grant | ChangeKind::Revoke);
    let title = format!("{}: {camera_id}", kind.label());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let user = if needs_user { current_value("change-username", username).trim().to_owned() } else { "-".into() };
        let change = RestrictionChange {
            camera_id: camera_id.clone(),
            username: needs_user.then(|| user.clone()),
            authorised_by: current_value("change-authorised-by", authorised_by).trim().to_owned(),
            reference: current_value("change-reference", reference).trim().to_owned(),
        };
        let required = [
            ("user name", user.as_str()),
            ("senior manager", &change.authorised_by),
            ("authorisation reference", &change.reference),
        ];
        if let Some(message) = missing_fields(&required) {
            register.outcome.set(Some(Outcome::Failed(api::invalid(message))));
            return;
        }
        let call = async move {
            match kind {
                ChangeKind::Restrict => api::set_camera_restricted(&change, true).await,
                ChangeKind::Lift => api::set_camera_restricted(&change, false).await,
                ChangeKind::Grant => api::grant_camera(&change).await,
                ChangeKind::Revoke => api::revoke_camera(&change).await,
            }
        };
        act(register.app, register.outcome, call, move |camera| {
            let note = format!("{}: {}", kind.label(), camera.camera_id);
            register.show(camera);
            register.changing.set(None);
            Some(note)
        });
    };
    view! {
        <form id="change-form" class="panel form" on:submit=submit aria-labelledby="change-title">
            <h2 id="change-title">{title}</h2>
            <p class="muted">
                "A Restricted Access camera's data is seen only by the users granted it (NASPLE 8.8). The "
                "designation, and every grant, is authorised by a senior manager; the authorisation is kept for "
                "as long as the restriction lasts plus 2 years."
            </p>
            <div class="form-grid">
                {needs_user
                    .then(|| {
                        view! { <TextField id="change-username" label="User name" value=username required=true /> }
                    })}
                <TextField id="change-authorised-by" label="Senior manager" value=authorised_by required=true />
                <TextField id="change-reference" label="Authorisation reference" value=reference required=true />
            </div>
            <div class="form-actions">
                <button id="change-submit" type="submit" class="btn btn-primary">
                    {kind.label()}
                </button>
                <button id="change-cancel" type="button" class="btn" on:click=move |_| register.changing.set(None)>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}

#[component]
fn NewCameraForm(register: Register) -> impl IntoView {
    let ids = [
        "camera-id",
        "camera-name",
        "camera-lat",
        "camera-lon",
        "camera-area",
        "camera-postcode",
        "camera-road",
        "camera-controller",
        "camera-lanes",
    ];
    let boxes: [RwSignal<String>; 9] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let outcome = RwSignal::new(None::<Outcome>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let [camera_id, name, latitude, longitude, general_area, postcode, road, controller, lanes] =
            std::array::from_fn(|i| current_value(ids[i], boxes[i]));
        let form = CameraForm { camera_id, name, latitude, longitude, general_area, postcode, road, controller, lanes };
        let system_type = selected_value("camera-type").and_then(|v| v.parse().ok()).unwrap_or(SystemType::Static);
        match form.camera(system_type) {
            Ok(camera) => act(register.app, outcome, async move { api::add_camera(&camera).await }, move |added| {
                let note = format!("Camera {} added", added.camera_id);
                register.show(added);
                boxes.iter().for_each(|b| b.set(String::new()));
                Some(note)
            }),
            Err(message) => outcome.set(Some(Outcome::Failed(api::invalid(message)))),
        }
    };
    let [id, name, lat, lon, area, postcode, road, controller, lanes] = boxes;
    view! {
        <form id="new-camera" class="panel form" on:submit=submit aria-labelledby="new-camera-title">
            <h2 id="new-camera-title">"Add a camera"</h2>
            <div class="form-grid">
                <TextField id="camera-id" label="Camera id" value=id required=true />
                <TextField id="camera-name" label="Name" value=name required=true />
                <div class="field">
                    <label for="camera-type">"System type (8.7)"</label>
                    <select id="camera-type">
                        {SystemType::ALL
                            .iter()
                            .map(|t| view! { <option value=t.as_str()>{system_type_label(*t)}</option> })
                            .collect_view()}
                    </select>
                </div>
                <TextField id="camera-lat" label="Latitude" value=lat required=true hint="e.g. 51.507400" />
                <TextField id="camera-lon" label="Longitude" value=lon required=true hint="e.g. -0.127800" />
                <TextField id="camera-area" label="General area" value=area required=true />
                <TextField id="camera-postcode" label="Postcode" value=postcode />
                <TextField id="camera-road" label="Road" value=road />
                <TextField id="camera-controller" label="Controller" value=controller required=true />
                <TextField id="camera-lanes" label="Lanes" value=lanes hint="Empty: 1." />
            </div>
            <OutcomeMessage outcome=outcome id="new-camera-message" />
            <div class="form-actions">
                <button id="camera-add" type="submit" class="btn btn-primary">
                    "Add camera"
                </button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> CameraForm {
        CameraForm {
            camera_id: "CAM-9".into(),
            name: "High Street".into(),
            latitude: "51.5".into(),
            longitude: "-0.12".into(),
            general_area: "Camden".into(),
            controller: "Met".into(),
            ..CameraForm::default()
        }
    }

    #[test]
    fn a_complete_form_is_a_camera() {
        let camera = form().camera(SystemType::Static);
        assert_eq!(camera.as_ref().map(|c| (c.lanes, c.latitude, c.postcode.clone())), Ok((1, 51.5, None)));
    }

    #[test]
    fn missing_and_wrong_values_are_named() {
        let empty = CameraForm { name: String::new(), ..form() };
        assert_eq!(empty.camera(SystemType::Static).err(), Some("Enter the name.".to_owned()));
        let wrong = CameraForm { latitude: "north".into(), ..form() };
        assert_eq!(wrong.camera(SystemType::Static).err(), Some("The latitude is not a number.".to_owned()));
        let lanes = CameraForm { lanes: "two".into(), ..form() };
        assert!(lanes.camera(SystemType::Static).is_err());
    }
}
