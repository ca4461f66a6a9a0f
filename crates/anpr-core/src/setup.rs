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
        Ok(DemoReport { data, import })
    }
}
