//! Evidential court bundles (NASPLE 9.4): packages of exhibits, locations described only as
//! precisely as the camera's controller allows (9.4.3.3, with recorded consent; mobile cameras
//! exempt), the schedule of sensitive material kept apart (9.4.1), the originals beside the
//! PDFs with a hash manifest, and a record of every disclosure (9.4.3.7, 9.10.5).

pub mod document;
mod location;
mod package;
pub mod pdf;
mod preview;

use crate::audit::Outcome;
use crate::error::{Error, Result};
use crate::investigations::find;
use crate::policy::roles::Privilege;
use crate::session::Session;
use crate::store::{self, evidence as sql};
use anpr_types::{
    Consent, Disclosure, EvidencePackage, ExhibitInfo, IssueReport, IssueRequest, LocationLevel, NewConsent, SystemType,
};
use serde_json::json;
use sqlx::SqliteConnection;
use std::str::FromStr;

pub use package::{PackagePreview, verify_package};

fn uk(ms: i64) -> String {
    crate::time::uk(store::from_ms(ms))
}

fn level(text: &str) -> Result<LocationLevel> {
    LocationLevel::from_str(text).map_err(Error::Invalid)
}

/// `INITIALS/n` for the producer's full name, e.g. "Evan Evidence" -> `EE/1`.
pub fn exhibit_reference(full_name: &str, n: usize) -> String {
    let initials: String = full_name
        .split_whitespace()
        .filter_map(|w| w.chars().find(|c| c.is_alphabetic()))
        .flat_map(char::to_uppercase)
        .collect();
    format!("{}/{n}", if initials.is_empty() { "X".into() } else { initials })
}

fn consent_view(k: sql::ConsentRow) -> Result<Consent> {
    Ok(Consent {
        reference: k.reference,
        camera_id: k.camera_id,
        controller: k.controller,
        consented_by: k.consented_by,
        consent_date_uk: crate::time::uk(store::from_ms(k.consent_date)).chars().take(10).collect(),
        scope: k.scope,
        max_level: level(&k.max_level)?,
        recorded_by: k.recorded_by,
        recorded_uk: uk(k.recorded_at),
    })
}

/// The most precise level a camera's recorded consents allow (mobile cameras: any, 9.4.3).
async fn consented_level(
    conn: &mut SqliteConnection,
    camera_id: &str,
    system_type: SystemType,
) -> Result<LocationLevel> {
    if system_type == SystemType::Mobile {
        return Ok(LocationLevel::Precise);
    }
    let mut best = LocationLevel::Area;
    for k in sql::consents_of(conn, camera_id).await? {
        best = best.max(level(&k.max_level)?);
    }
    Ok(best)
}

impl Session {
    pub async fn list_consents(&self) -> Result<Vec<Consent>> {
        self.authorise(Privilege::Disclose, "consent.list", "consents").await?;
        let mut conn = self.workstation().pool.acquire().await?;
        sql::consents(&mut conn).await?.into_iter().map(consent_view).collect()
    }

    /// Records a controller's written consent to describe a camera's location above level 1.
    pub async fn record_consent(&self, consent: &NewConsent) -> Result<Consent> {
        let reference = consent.reference.trim();
        self.authorise(Privilege::Disclose, "consent.record", reference).await?;
        for (field, text) in [
            ("reference", reference),
            ("controller", &consent.controller),
            ("who consented", &consent.consented_by),
            ("scope", &consent.scope),
        ] {
            if text.trim().is_empty() {
                return Err(Error::Invalid(format!("the consent's {field} is required (NASPLE 9.4.3)")));
            }
        }
        let date = crate::investigations::parse_time(&consent.consent_date)?;
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let camera = store::cameras::record(&mut tx, consent.camera_id.trim())
            .await?
            .ok_or_else(|| Error::NotFound(format!("camera {}", consent.camera_id)))?;
        let row = sql::NewConsentRow {
            reference,
            camera: camera.id,
            controller: consent.controller.trim(),
            consented_by: consent.consented_by.trim(),
            consent_date: store::to_ms(date),
            scope: consent.scope.trim(),
            max_level: consent.max_level.as_str(),
            recorded_by: self.actor().id,
            recorded_at: store::to_ms(self.now()),
        };
        if !sql::insert_consent(&mut tx, &row).await? {
            return Err(Error::Invalid(format!("a consent with reference {reference} is already recorded")));
        }
        let details = json!({ "camera": camera.camera_id, "controller": row.controller, "consented_by": row.consented_by,
            "max_level": row.max_level, "scope": row.scope });
        self.audit(&mut tx, "consent.record", reference, Outcome::Success, details).await?;
        let view =
            consent_view(sql::consent(&mut tx, reference).await?.ok_or_else(|| Error::NotFound(reference.into()))?)?;
        tx.commit().await?;
        Ok(view)
    }

    pub(crate) async fn package_view(
        &self,
        conn: &mut SqliteConnection,
        row: sql::PackageRow,
    ) -> Result<EvidencePackage> {
        let visibility = self.visibility(conn).await?;
        let mut exhibits = Vec::new();
        for (n, id) in sql::exhibit_reads(conn, row.id).await?.into_iter().enumerate() {
            // An exhibit of a restricted camera no longer granted is not shown (8.8).
            let Some(read) = store::reads::view(conn, &visibility, id).await? else { continue };
            let camera = store::cameras::record(conn, &read.camera_id)
                .await?
                .ok_or_else(|| Error::NotFound(read.camera_id.clone()))?;
            let system_type = SystemType::from_str(&camera.system_type).map_err(Error::Invalid)?;
            exhibits.push(ExhibitInfo {
                reference: exhibit_reference(&self.actor().full_name, n + 1),
                id,
                consented_level: consented_level(conn, &read.camera_id, system_type).await?,
                read_time_uk: uk(read.read_time),
                mobile: system_type == SystemType::Mobile,
                read_id: read.read_id,
                vrm: read.vrm_as_read,
                camera_id: read.camera_id,
                general_area: read.general_area,
                plate_image: read.plate_sha,
            });
        }
        Ok(EvidencePackage {
            id: row.id,
            investigation: row.investigation,
            number: row.number,
            status: row.status,
            created_by: row.created_by,
            created_uk: uk(row.created_at),
            exhibits,
        })
    }

    pub async fn list_packages(&self) -> Result<Vec<EvidencePackage>> {
        self.authorise(Privilege::Disclose, "evidence.list", "evidence packages").await?;
        let mut conn = self.workstation().pool.acquire().await?;
        let mut out = Vec::new();
        for row in sql::packages(&mut conn).await? {
            out.push(self.package_view(&mut conn, row).await?);
        }
        Ok(out)
    }

    pub async fn create_package(&self, investigation: &str) -> Result<EvidencePackage> {
        self.authorise(Privilege::Disclose, "evidence.create", investigation).await?;
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let case = find(&mut tx, investigation).await?;
        let id =
            sql::insert_package(&mut tx, case.id, &case.reference, self.actor().id, store::to_ms(self.now())).await?;
        let row = sql::package(&mut tx, id).await?.ok_or_else(|| Error::NotFound(format!("package {id}")))?;
        self.audit(
            &mut tx,
            "evidence.create",
            &row.number,
            Outcome::Success,
            json!({ "investigation": case.reference }),
        )
        .await?;
        let view = self.package_view(&mut tx, row).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Sets a draft package's exhibits (reads this user may see), in order: adding, removing
    /// and reordering are all this. Each exhibit's read is retained under CPIA for the
    /// package's investigation (9.8), so retention cannot take it from under the bundle.
    pub async fn set_exhibits(&self, package: i64, reads: &[i64]) -> Result<EvidencePackage> {
        let object = format!("package {package}");
        self.authorise(Privilege::Disclose, "evidence.exhibits", &object).await?;
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let row = sql::package(&mut tx, package).await?.ok_or_else(|| Error::NotFound(object.clone()))?;
        if row.status != "draft" {
            return Err(Error::Invalid(format!("package {} is issued; start a new package to change it", row.number)));
        }
        let visibility = self.visibility(&mut tx).await?;
        let mut read_ids = Vec::new();
        let mut unique = Vec::new();
        for &id in reads {
            if unique.contains(&id) {
                continue;
            }
            let read = store::reads::view(&mut tx, &visibility, id)
                .await?
                .ok_or_else(|| Error::NotFound(format!("read {id}")))?;
            let reason = format!("exhibit in evidence package {}", row.number);
            let now = store::to_ms(self.now());
            store::retention::retain(&mut tx, id, "cpia", Some(row.investigation_id), self.actor().id, &reason, now)
                .await?;
            read_ids.push(read.read_id);
            unique.push(id);
        }
        sql::set_exhibits(&mut tx, package, &unique).await?;
        self.audit(&mut tx, "evidence.exhibits", &row.number, Outcome::Success, json!({ "reads": read_ids })).await?;
        let view = self.package_view(&mut tx, row).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// A package of these reads (source ids) issued at once (`anpr report bundle`).
    pub async fn report_bundle(
        &self,
        investigation: &str,
        read_ids: &[String],
        issue: IssueRequest,
    ) -> Result<IssueReport> {
        let mut ids = Vec::new();
        {
            let mut conn = self.workstation().pool.acquire().await?;
            let visibility = self.visibility(&mut conn).await?;
            for read_id in read_ids {
                let id = store::reads::id_of(&mut conn, &visibility, read_id.trim()).await?;
                ids.push(id.ok_or_else(|| Error::NotFound(format!("read {read_id}")))?);
            }
        }
        let package = self.create_package(investigation).await?;
        self.set_exhibits(package.id, &ids).await?;
        self.issue_package(&IssueRequest { package: package.id, ..issue }).await
    }

    pub async fn list_disclosures(&self) -> Result<Vec<Disclosure>> {
        self.authorise(Privilege::Disclose, "disclosure.list", "disclosures").await?;
        let mut conn = self.workstation().pool.acquire().await?;
        sql::disclosures(&mut conn).await?.into_iter().map(disclosure_view).collect()
    }
}

pub(crate) fn disclosure_view(d: sql::DisclosureRow) -> Result<Disclosure> {
    Ok(Disclosure {
        reference: d.reference,
        investigation: d.investigation,
        package: d.package,
        disclosed_by: d.disclosed_by,
        recipient: d.recipient,
        reason: d.reason,
        authority: d.authority,
        level: level(&d.level)?,
        exhibits: d.exhibits as u64,
        time_uk: uk(d.at),
        manifest_sha256: d.manifest_sha256,
        out_dir: d.out_dir,
    })
}

#[cfg(test)]
mod tests {
    use super::exhibit_reference;

    #[test]
    fn exhibit_references_are_the_producers_initials_and_a_number() {
        assert_eq!(exhibit_reference("Evan Evidence", 1), "EE/1");
        assert_eq!(exhibit_reference("  mary-jane o'neil smith ", 12), "MOS/12");
    }
}
