//! Setting up a store: the demo force's accounts and data (`anpr demo`, cli.md).

use crate::audit::{self, Outcome, Record};
use crate::demo::{self, DemoOptions, DemoSummary};
use crate::error::{Error, Result};
use crate::session::{Actor, Session};
use crate::{Workstation, store};
use anpr_types::{ImportProgress, ImportSummary, Rank, Role};
use serde_json::json;
use std::path::Path;
use std::sync::atomic::AtomicBool;

/// The demo force's name; passwords may not be based on it (Appendix A 8).
pub const DEMO_ORGANISATION: &str = demo::FORCE;
/// The demo accounts' password, fixed by the CLI contract (cli.md).
pub const DEMO_PASSWORD: &str = "Demo-pass-1!";
/// The audit name of the demo set-up, which no person performs.
const DEMO_ACTOR: &str = "(system: demo set-up)";

/// The seven demo accounts of cli.md: user name, full name, role, rank.
pub const DEMO_ACCOUNTS: &[(&str, &str, Role, Rank)] = &[
    ("demo.investigator", "Dana Investigator", Role::Investigator, Rank::None),
    ("demo.evidence", "Evan Evidence", Role::EvidenceOfficer, Rank::None),
    ("demo.inspector", "Ian Inspector", Role::Investigator, Rank::Inspector),
    ("demo.superintendent", "Sue Superintendent", Role::Investigator, Rank::Superintendent),
    ("demo.engineer", "Ellis Engineer", Role::Engineer, Rank::None),
    ("demo.admin", "Alex Administrator", Role::Administrator, Rank::None),
    ("demo.auditor", "Avery Auditor", Role::Auditor, Rank::None),
];

/// What `create_demo` made.
#[derive(Debug)]
pub struct DemoReport {
    pub data: DemoSummary,
    pub import: ImportSummary,
}

impl Workstation {
    /// Creates the demo accounts in an empty store (passwords need no change at first login,
    /// so the demo can be used at once).
    pub async fn create_demo_accounts(&self) -> Result<()> {
        let mut tx = store::begin_write(&self.pool).await?;
        if store::users::count(&mut tx).await? > 0 {
            return Err(Error::Invalid("the data directory already has accounts: the demo needs an empty one".into()));
        }
        store::settings::set(&mut tx, crate::accounts::ORGANISATION_KEY, DEMO_ORGANISATION).await?;
        let now = self.now();
        for (username, full_name, role, rank) in DEMO_ACCOUNTS {
            let hash = crate::accounts::hash_password(DEMO_PASSWORD)?;
            let row = store::users::NewUserRow {
                username,
                full_name,
                role: role.as_str(),
                rank: rank.as_str(),
                password_hash: &hash,
                must_change: false,
                now: store::to_ms(now),
            };
            store::users::insert(&mut tx, &row).await?;
            self.add_password_wrap(username, DEMO_PASSWORD).await?;
            let record = Record::new(DEMO_ACTOR, "account.create", username, Outcome::Success)
                .details(json!({ "role": role, "rank": rank }));
            audit::append(&mut tx, now, record).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Makes a complete demo store: the accounts, then the demo force's cameras, reads and
    /// images, written as a bundle under `work` and imported like any other bundle.
    pub async fn create_demo(
        &self,
        options: &DemoOptions,
        work: &Path,
        progress: &mut (dyn FnMut(ImportProgress) + Send),
    ) -> Result<DemoReport> {
        self.create_demo_accounts().await?;
        let bundle = work.join("demo-bundle");
        let data = demo::write_bundle(&bundle, options, &mut |p| {
            progress(ImportProgress {
                stage: anpr_types::ImportStage::Reads,
                done: p.done as u64,
                total: p.total as u64 * 2,
            })
        })?;
        let (username, full_name, role, rank) = DEMO_ACCOUNTS[0];
        let id =
            store::users::by_name(&mut *self.pool.acquire().await?, username).await?.map(|u| u.id).unwrap_or_default();
        let actor = Actor { id, username: DEMO_ACTOR.into(), full_name: full_name.into(), role, rank };
        let session = Session::new(self.clone(), actor);
        let total = options.reads as u64;
        let import = session
            .import_bundle(
                &bundle,
                &mut |p| progress(ImportProgress { done: total + p.done, total: total * 2, ..p }),
                &AtomicBool::new(false),
            )
            .await?;
        std::fs::remove_dir_all(&bundle).map_err(|e| Error::io("removing the demo bundle", e))?;
        self.create_demo_casework().await?;
        Ok(DemoReport { data, import })
    }

    /// The demo's casework: an open investigation of every category (one escalated from
    /// Priority and Volume), the designation of its restricted cameras with one of them granted
    /// to `demo.evidence`, and one vehicle's reads retained under CPIA for the Major case, so
    /// the 12-month exception can be seen.
    async fn create_demo_casework(&self) -> Result<()> {
        let mut tx = store::begin_write(&self.pool).await?;
        let now = self.now();
        let at = store::to_ms(now);
        let mut user = async |name: &str| -> Result<i64> {
            Ok(store::users::by_name(&mut tx, name).await?.map(|u| u.id).unwrap_or_default())
        };
        let (investigator, inspector, evidence, admin) = (
            user("demo.investigator").await?,
            user("demo.inspector").await?,
            user("demo.evidence").await?,
            user("demo.admin").await?,
        );
        for (reference, title, offence) in DEMO_INVESTIGATIONS {
            let category = crate::policy::escalation::category_of(offence);
            let row = store::investigations::NewInvestigationRow {
                reference,
                title,
                offence,
                category: category.as_str(),
                sio: "DI Morgan Hale",
                notes: "Demo investigation.",
                created_by: investigator,
                created_at: at,
            };
            store::investigations::insert(&mut tx, &row).await?;
        }
        let escalated = store::investigations::by_reference(&mut tx, DEMO_ESCALATED).await?;
        if let Some(case) = escalated {
            let factors = anpr_types::EscalationFactors {
                community: "High risk of a critical incident in the estate".into(),
                offence: "Series of offences with forensic links; weapons used".into(),
                offender: "Prolific offender".into(),
            };
            let escalation = store::investigations::NewEscalation {
                investigation: case.id,
                from: "priority_volume",
                to: "serious",
                authorised_by: inspector,
                rank: "inspector",
                reasons: "Linked series of aggravated burglaries",
                factors: &factors,
                at,
            };
            store::investigations::insert_escalation(&mut tx, &escalation).await?;
            store::investigations::set_category(&mut tx, case.id, "serious").await?;
        }
        let mut first = true;
        for camera in store::cameras::records(&mut tx).await?.into_iter().filter(|c| c.restricted) {
            store::cameras::open_restriction(&mut tx, camera.id, "Ch Supt R. Mercer", "RA-2026-014", admin, at).await?;
            if std::mem::take(&mut first) {
                let grant = store::cameras::NewGrant {
                    camera: camera.id,
                    user_id: evidence,
                    authorised_by: "Ch Supt R. Mercer",
                    reference: "RA-2026-014/G1",
                    granted_by: admin,
                    at,
                };
                store::cameras::grant(&mut tx, &grant).await?;
            }
        }
        let twelve_months = store::to_ms(crate::policy::retention::captured_cutoff(now));
        let major = store::investigations::by_reference(&mut tx, DEMO_INVESTIGATIONS[2].0).await?;
        if let (Some(vrm), Some(major)) = (store::retention::busiest_vrm_before(&mut tx, twelve_months).await?, major) {
            let reason = "Suspect vehicle; relevant to the investigation (CPIA)";
            store::retention::retain_vrm(&mut tx, &vrm, major.id, evidence, reason, at).await?;
        }
        let record =
            Record::new(DEMO_ACTOR, "demo.casework", "investigations, restrictions, retention", Outcome::Success);
        audit::append(&mut tx, now, record).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The demo investigations (reference, title, offence): one of each category (cli.md).
pub const DEMO_INVESTIGATIONS: &[(&str, &str, &str)] = &[
    ("NS-PV-0001", "Theft of a van, Kettering", "Vehicle crime"),
    ("NS-SER-0002", "Robbery at Harbour Road garage", "Robbery (firearms, or ABH or more serious injury caused)"),
    ("NS-MAJ-0003", "Operation Larch: murder of a delivery driver", "Murder"),
    ("NS-NSEC-0004", "Operation Birch", "National security"),
    ("NS-CT-0005", "Operation Cedar", "Counter terrorism"),
    ("NS-PV-0006", "Burglary series, Corby estates", "Burglary"),
];
/// The demo investigation escalated from Priority and Volume to Serious.
const DEMO_ESCALATED: &str = "NS-PV-0006";
