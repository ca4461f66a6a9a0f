//! The camera register and Restricted Access cameras (NASPLE 8.8): an administrator designates a
//! restricted camera and grants users access to it, each on a senior manager's recorded
//! authorisation. For anyone not granted, that camera's reads do not exist: the store's queries
//! filter on [`Visibility`], which comes only from the grants.

use crate::audit::Outcome;
use crate::error::{Error, Result};
use crate::policy::restricted::Visibility;
use crate::policy::roles::Privilege;
use crate::session::Session;
use crate::store::{self, cameras as sql};
use anpr_types::{CameraGrant, CameraInfo, NewCamera, Restriction, RestrictionChange, SystemType};
use serde_json::json;
use sqlx::SqliteConnection;
use std::str::FromStr;

async fn info(conn: &mut SqliteConnection, c: sql::CameraRecord) -> Result<CameraInfo> {
    let uk = |ms| crate::time::uk(store::from_ms(ms));
    let restriction = sql::restriction(conn, c.id).await?.map(|r| Restriction {
        authorised_by: r.authorised_by,
        reference: r.reference,
        recorded_by: r.recorded_by,
        from_uk: uk(r.from_at),
    });
    let grants = sql::grants(conn, c.id)
        .await?
        .into_iter()
        .map(|g| CameraGrant {
            username: g.username,
            authorised_by: g.authorised_by,
            reference: g.reference,
            granted_by: g.granted_by,
            granted_uk: uk(g.granted_at),
        })
        .collect();
    Ok(CameraInfo {
        camera_id: c.camera_id,
        name: c.name,
        system_type: SystemType::from_str(&c.system_type).map_err(Error::Invalid)?,
        latitude: c.latitude,
        longitude: c.longitude,
        general_area: c.general_area,
        postcode: c.postcode,
        road: c.road,
        controller: c.controller,
        lanes: c.lanes,
        restricted: c.restricted,
        restriction,
        grants,
    })
}

async fn find(conn: &mut SqliteConnection, camera_id: &str) -> Result<sql::CameraRecord> {
    sql::record(conn, camera_id.trim()).await?.ok_or_else(|| Error::NotFound(format!("camera {camera_id}")))
}

async fn load(conn: &mut SqliteConnection, camera_id: &str) -> Result<CameraInfo> {
    let camera = find(conn, camera_id).await?;
    info(conn, camera).await
}

fn authorisation(change: &RestrictionChange) -> Result<()> {
    if change.authorised_by.trim().is_empty() || change.reference.trim().is_empty() {
        return Err(Error::Invalid(
            "a Restricted Access change needs the senior manager who authorised it and the authorisation's reference (NASPLE 8.8)".into(),
        ));
    }
    Ok(())
}

impl Session {
    /// Restricted cameras this actor is currently granted (8.8).
    pub(crate) async fn visibility(&self, conn: &mut SqliteConnection) -> Result<Visibility> {
        Ok(Visibility { granted_cameras: sql::granted_to(conn, self.actor().id).await? })
    }

    /// The register with precise locations, designations and grants (administrators).
    pub async fn camera_register(&self) -> Result<Vec<CameraInfo>> {
        self.authorise(Privilege::Administer, "camera.register", "cameras").await?;
        let mut conn = self.workstation().pool.acquire().await?;
        let mut out = Vec::new();
        for c in sql::records(&mut conn).await? {
            out.push(info(&mut conn, c).await?);
        }
        Ok(out)
    }

    pub async fn add_camera(&self, camera: &NewCamera) -> Result<CameraInfo> {
        let id = camera.camera_id.trim();
        self.authorise(Privilege::Administer, "camera.add", id).await?;
        for (field, text) in [
            ("camera id", id),
            ("name", &camera.name),
            ("general area", &camera.general_area),
            ("controller", &camera.controller),
        ] {
            if text.trim().is_empty() {
                return Err(Error::Invalid(format!("{field} is required")));
            }
        }
        if !(-90.0..=90.0).contains(&camera.latitude)
            || !(-180.0..=180.0).contains(&camera.longitude)
            || camera.lanes < 1
        {
            return Err(Error::Invalid("latitude, longitude or lanes out of range".into()));
        }
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        if !sql::insert_registered(&mut tx, camera, store::to_ms(self.now())).await? {
            return Err(Error::Invalid(format!("camera {id} is already registered")));
        }
        let details = json!({ "name": camera.name, "system_type": camera.system_type.as_str(), "general_area": camera.general_area,
            "controller": camera.controller });
        self.audit(&mut tx, "camera.add", id, Outcome::Success, details).await?;
        let view = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Designates a camera Restricted Access, or lifts the designation (the record is kept).
    pub async fn set_camera_restricted(&self, change: &RestrictionChange, restricted: bool) -> Result<CameraInfo> {
        let action = if restricted { "camera.restrict" } else { "camera.unrestrict" };
        self.authorise(Privilege::Administer, action, &change.camera_id).await?;
        authorisation(change)?;
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let camera = find(&mut tx, &change.camera_id).await?;
        let now = store::to_ms(self.now());
        if restricted && !camera.restricted {
            sql::set_restricted(&mut tx, camera.id, true).await?;
        } else if !restricted && camera.restricted {
            sql::set_restricted(&mut tx, camera.id, false).await?;
            sql::close_restriction(&mut tx, camera.id, now).await?;
            // A later designation starts from no grants: each needs its own authorisation.
            sql::revoke_all(&mut tx, camera.id, now).await?;
        }
        if restricted {
            // A designation, or its renewal, is recorded with its authorisation either way.
            sql::close_restriction(&mut tx, camera.id, now).await?;
            sql::open_restriction(
                &mut tx,
                camera.id,
                change.authorised_by.trim(),
                change.reference.trim(),
                self.actor().id,
                now,
            )
            .await?;
        }
        let details = json!({ "authorised_by": change.authorised_by.trim(), "reference": change.reference.trim() });
        self.audit(&mut tx, action, &camera.camera_id, Outcome::Success, details).await?;
        let view = load(&mut tx, &change.camera_id).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Grants (`grant`) or revokes a user's access to a restricted camera.
    pub async fn change_camera_grant(&self, change: &RestrictionChange, grant: bool) -> Result<CameraInfo> {
        let action = if grant { "camera.grant" } else { "camera.revoke" };
        self.authorise(Privilege::Administer, action, &change.camera_id).await?;
        authorisation(change)?;
        let username = change.username.as_deref().map(str::trim).filter(|u| !u.is_empty());
        let username = username.ok_or_else(|| Error::Invalid("the user to grant or revoke is required".into()))?;
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let camera = find(&mut tx, &change.camera_id).await?;
        let user = store::users::by_name(&mut tx, username)
            .await?
            .ok_or_else(|| Error::NotFound(format!("user {username}")))?;
        let now = store::to_ms(self.now());
        let changed = if grant {
            if !camera.restricted {
                return Err(Error::Invalid(format!(
                    "camera {} is not Restricted Access; everyone with search rights sees it",
                    camera.camera_id
                )));
            }
            let new = sql::NewGrant {
                camera: camera.id,
                user_id: user.id,
                authorised_by: change.authorised_by.trim(),
                reference: change.reference.trim(),
                granted_by: self.actor().id,
                at: now,
            };
            sql::grant(&mut tx, &new).await?
        } else {
            sql::revoke(&mut tx, camera.id, user.id, now).await?
        };
        let details = json!({ "user": username, "authorised_by": change.authorised_by.trim(),
            "reference": change.reference.trim(), "changed": changed });
        self.audit(&mut tx, action, &camera.camera_id, Outcome::Success, details).await?;
        let view = load(&mut tx, &change.camera_id).await?;
        tx.commit().await?;
        Ok(view)
    }
}
