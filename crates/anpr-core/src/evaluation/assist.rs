//! Assisted marking (issue 7 item 4): candidate vehicle passes over an evaluation's whole video
//! from the read-line bands the engineer drew per lane ([`crate::video::propose_passes`]), for
//! the engineer to accept (a mark through [`Session::add_mark`]) or reject. Nothing is marked
//! here: a proposal is only a suggestion until the engineer confirms it.

use super::record::{checked_video, find};
use crate::audit::Outcome;
use crate::error::{Error, Result};
use crate::policy::roles::Privilege;
use crate::session::Session;
use crate::store;
use crate::video::{VideoProgress, propose_passes};
use anpr_types::{LaneBand, PassParams, ProposedPass};
use serde_json::json;
use std::collections::BTreeSet;

impl Session {
    /// Decodes the evaluation's video once (off the async workers, `progress` counting frames)
    /// and proposes the passes over each lane's band, in time order. Each band's lane must be
    /// one of the evaluation's, once; the video must still be the recording it was made with.
    /// Audited with the bands, the parameters and how many passes were proposed.
    pub async fn propose_evaluation_passes(
        &self,
        id: i64,
        bands: Vec<LaneBand>,
        params: PassParams,
        mut progress: impl FnMut(VideoProgress) + Send + 'static,
    ) -> Result<Vec<ProposedPass>> {
        let object = format!("evaluation {id}");
        let action = "evaluation.passes";
        self.authorise(Privilege::Evaluate, action, &object).await?;
        let mut conn = self.workstation().pool.acquire().await?;
        let row = find(&mut conn, id).await?;
        drop(conn);
        let lanes: BTreeSet<u32> = bands.iter().map(|b| b.lane).collect();
        if bands.is_empty() || lanes.len() != bands.len() {
            return Err(Error::Invalid("draw one read line for each lane to scan, each lane once".into()));
        }
        if let Some(lane) = bands.iter().map(|b| b.lane).find(|&l| l < 1 || i64::from(l) > row.lanes) {
            return Err(Error::Invalid(format!(
                "lane {lane} is not one of this evaluation's lanes (1 to {})",
                row.lanes
            )));
        }
        let mut video = checked_video(&row)?;
        let scan_bands = bands.clone();
        let passes =
            tokio::task::spawn_blocking(move || propose_passes(&mut video, &scan_bands, &params, &mut progress))
                .await
                .map_err(|e| Error::Invalid(format!("the pass detection stopped: {e}")))??;
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        let details = json!({ "bands": bands, "params": params, "proposed": passes.len() });
        self.audit(&mut tx, action, &object, Outcome::Success, details).await?;
        tx.commit().await?;
        Ok(passes)
    }
}
