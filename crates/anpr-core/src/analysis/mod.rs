//! Investigative analyses (issue 5; docs/analysis.md): journey, convoy, stakeout, cloned plate
//! and list search. Each is a search under Annex C: the same gate (privilege, purpose,
//! justification, open investigation, grant; refusals audited), the same read filter (8.8
//! restricted cameras, the grant's period, the CPIA rule, the scope's cameras and area) and the
//! same success audit (action `search`, with `analysis` and its `parameters` in the request), so
//! analyses appear in a court bundle's scope statement like any search.
//!
//! Common to all: only reads whose VRM was read take part ("not read" never does), VRMs are
//! normalised like search (upper case, spaces dropped), and every read in a result is one the
//! filter allows.

mod cloned;
mod convoy;
mod sightings;
mod stakeout;

use crate::error::{Error, Result};
use crate::policy::restricted::Visibility;
use crate::search::pattern::VrmPattern;
use crate::search::{Granted, cameras_of, search_details};
use crate::session::Session;
use crate::store::{self, reads::ReadView, reads::SearchFilter};
use anpr_types::{Analysis, AnalysisRequest, AnalysisResult, Findings, LocatedRead, Moment};
use chrono::SecondsFormat;
use serde_json::{Value, json};
use sqlx::SqliteConnection;
use std::collections::HashMap;

/// Most VRMs a list search may name.
pub const MAX_LISTED: usize = 1_000;
/// Most places a stakeout may name.
pub const MAX_PLACES: usize = 10;
/// Most reads a journey or a list search returns (counts and first/last seen stay exact).
pub const MAX_READS: usize = 10_000;
/// Most companions, vehicles or pairs a convoy, stakeout or cloned-plate analysis returns.
pub const MAX_FINDINGS: usize = 1_000;

/// The reads an analysis may use, and on whose connection.
struct Reads<'a, 'c> {
    conn: &'c mut SqliteConnection,
    visibility: Visibility,
    /// The grant's filter over the scope's cameras and area, of any VRM.
    filter: SearchFilter<'a>,
}

impl Reads<'_, '_> {
    /// The reads of `ids` (found by this analysis's queries), by id.
    async fn by_ids(&mut self, ids: &[i64]) -> Result<HashMap<i64, ReadView>> {
        let views = store::analysis::by_ids(self.conn, &self.visibility, &self.filter, ids).await?;
        Ok(views.into_iter().map(|v| (v.id, v)).collect())
    }
}

/// What an analysis found, how much of it is listed, and what its audit entry records.
struct Outcome {
    findings: Findings,
    truncated: bool,
    found: Value,
}

pub(crate) fn located(view: ReadView) -> LocatedRead {
    let (latitude, longitude) = (view.latitude, view.longitude);
    LocatedRead { read: crate::reads::summary(view), latitude, longitude }
}

fn moment(ms: i64) -> Moment {
    let time = store::from_ms(ms);
    Moment { time: time.to_rfc3339_opts(SecondsFormat::Millis, true), time_uk: crate::time::uk(time) }
}

/// A VRM as an analysis names it: normalised like search, with no wildcards.
fn full_vrm(text: &str) -> Result<String> {
    match VrmPattern::parse(text).map_err(Error::Invalid)? {
        VrmPattern::Exact(vrm) => Ok(vrm),
        VrmPattern::Glob(_) => Err(Error::Invalid(format!("{text:?}: this analysis needs a full VRM, without ? or *"))),
    }
}

/// An analysis with its parameters checked and normalised.
enum Plan {
    Journey(String),
    Convoy(convoy::Convoy),
    Stakeout(stakeout::Stakeout),
    Cloned(cloned::Cloned),
    List(Vec<String>),
}

impl Plan {
    fn of(request: &AnalysisRequest) -> Result<Plan> {
        Ok(match &request.analysis {
            Analysis::Journey { vrm } => Plan::Journey(full_vrm(vrm)?),
            Analysis::Convoy { vrm, window_minutes, min_together } => {
                Plan::Convoy(convoy::Convoy::new(full_vrm(vrm)?, *window_minutes, *min_together)?)
            }
            Analysis::Stakeout { places, min_places } => {
                Plan::Stakeout(stakeout::Stakeout::new(&request.scope, places, *min_places)?)
            }
            Analysis::Cloned { vrm, max_speed_kmh } => {
                Plan::Cloned(cloned::Cloned::new(vrm.as_deref(), *max_speed_kmh)?)
            }
            Analysis::List { vrms } => Plan::List(sightings::listed(vrms)?),
        })
    }

    /// The VRM or pattern the audit entry and a bundle's scope statement show.
    fn vrm(&self) -> Option<&str> {
        match self {
            Plan::Journey(vrm) => Some(vrm),
            Plan::Convoy(c) => Some(&c.vrm),
            Plan::Cloned(c) => c.pattern.as_ref().map(VrmPattern::text),
            Plan::Stakeout(_) | Plan::List(_) => None,
        }
    }
}

/// An analysis that ran on its grant, not yet audited.
pub(crate) struct Analysed {
    pub findings: Findings,
    /// A result cap was reached (see [`AnalysisResult::truncated`]).
    pub truncated: bool,
    pub granted: Granted,
    /// What was asked and what was found, as the audit entry records them.
    pub details: Value,
    pub found: Value,
}

impl Session {
    /// Runs an analysis as a search under Annex C on `request.scope` (see the module doc).
    pub async fn analyse(&self, request: &AnalysisRequest) -> Result<AnalysisResult> {
        let Analysed { findings, truncated, granted, details, found } = self.run_analysis(request, None).await?;
        let grant = self.audit_search(&request.scope, &granted, details, found).await?;
        Ok(AnalysisResult { findings, truncated, grant })
    }

    /// An analysis through the search gate (a refusal audited there, naming the `export` format
    /// when it was asked for one), not yet audited as run.
    pub(crate) async fn run_analysis(&self, request: &AnalysisRequest, export: Option<&str>) -> Result<Analysed> {
        let plan = Plan::of(request)?;
        let scope = &request.scope;
        let mut details = search_details(scope, plan.vrm());
        details["analysis"] = json!(request.analysis.kind());
        details["parameters"] = json!(request.analysis);
        if let Some(format) = export {
            details["export"] = json!(format);
        }
        let granted = self.search_gate(scope, &details).await?;
        let cameras = cameras_of(scope);
        // Read on a pooled connection (WAL: no writer waits); only the audit entry writes.
        let mut conn = self.workstation().pool.acquire().await?;
        let visibility = self.visibility(&mut conn).await?;
        let mut reads = Reads { conn: &mut conn, visibility, filter: granted.filter(scope, &cameras) };
        let outcome = match &plan {
            Plan::Journey(vrm) => sightings::journey(&mut reads, vrm).await?,
            Plan::Convoy(convoy) => convoy.run(&mut reads).await?,
            Plan::Stakeout(stakeout) => stakeout.run(&mut reads).await?,
            Plan::Cloned(cloned) => cloned.run(&mut reads).await?,
            Plan::List(vrms) => sightings::list(&mut reads, vrms).await?,
        };
        drop(conn);
        let mut found = outcome.found;
        found["truncated"] = json!(outcome.truncated);
        Ok(Analysed { findings: outcome.findings, truncated: outcome.truncated, granted, details, found })
    }
}
