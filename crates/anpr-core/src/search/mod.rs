//! Category-bounded search (NASPLE Annex C, 9.3.3, 9.10.1): every search names an open
//! investigation, a purpose and a justification; it runs only on an [`AccessGrant`] from
//! `policy::access`; restricted cameras' reads never reach an ungranted user (8.8); successful
//! and refused searches are both audited with the justification and any authority relied on.

pub mod fuzzy;
pub mod pattern;

use crate::audit::{Outcome, Record};
use crate::error::{Error, Result};
use crate::investigations::{find, parse_time};
use crate::policy::Refusal;
use crate::policy::access::{self, AccessGrant, AccessRequest};
use crate::policy::roles::Privilege;
use crate::session::Session;
use crate::store::{
    self,
    investigations::InvestigationRow,
    reads::{ReadView, SearchFilter, VrmFilter},
};
use anpr_types::{Category, GrantInfo, Purpose, ReadSummary, SearchRequest, SearchResults, VrmMatch};
use chrono::{DateTime, Duration, Utc};
use pattern::VrmPattern;
use serde_json::{Value, json};
use sqlx::SqliteConnection;
use std::collections::BTreeMap;
use std::str::FromStr;

/// Most reads one page of results may hold (the CLI asks for up to its --limit at once).
pub const MAX_PAGE: u64 = 10_000;

/// The authority (or, for the CPS, the written request) a search cites.
fn authority_ref(request: &SearchRequest) -> Option<&str> {
    request.authority_ref.as_deref().map(str::trim).filter(|r| !r.is_empty())
}

fn time(text: Option<&str>) -> Result<Option<DateTime<Utc>>> {
    text.filter(|t| !t.trim().is_empty()).map(parse_time).transpose()
}

/// What was asked, as the audit entry of a search or analysis records it.
pub(crate) fn search_details(request: &SearchRequest, vrm: Option<&str>) -> Value {
    json!({ "purpose": request.purpose.map(Purpose::as_str), "vrm": vrm, "from": request.from, "to": request.to,
        "cameras": request.cameras, "area": request.area })
}

/// The audit entry of a search or analysis, or (`action` "export") of an export of one.
fn search_record<'a>(action: &'a str, request: &'a SearchRequest, outcome: Outcome) -> Record<'a> {
    Record::new("", action, request.investigation.trim(), outcome)
        .justification(request.justification.trim())
        .authority(authority_ref(request))
}

/// The cameras a request names, blanks dropped.
pub(crate) fn cameras_of(request: &SearchRequest) -> Vec<String> {
    request.cameras.iter().map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect()
}

/// An open investigation and the Annex C grant a search or analysis runs on.
pub(crate) struct Granted {
    pub investigation: InvestigationRow,
    pub grant: AccessGrant,
}

impl Granted {
    /// The success entry of a search, analysis or export that ran on this grant: what was asked
    /// (`details`), the grant, and what it found (`found`, an object whose keys join the entry).
    pub(crate) fn record<'a>(
        &self,
        action: &'a str,
        request: &'a SearchRequest,
        details: Value,
        found: Value,
    ) -> Record<'a> {
        let grant = &self.grant;
        let mut entry = json!({ "clause": grant.clause, "basis": grant.basis, "request": details,
            "period": { "from": grant.from, "to": grant.to } });
        if let (Some(entry), Value::Object(found)) = (entry.as_object_mut(), found) {
            entry.extend(found);
        }
        search_record(action, request, Outcome::Success).details(entry)
    }

    /// The basis shown with the results.
    pub(crate) fn info(&self, request: &SearchRequest) -> GrantInfo {
        let grant = &self.grant;
        GrantInfo {
            clause: grant.clause.to_owned(),
            basis: grant.basis.clone(),
            from_uk: crate::time::uk(grant.from),
            to_uk: crate::time::uk(grant.to),
            authority: authority_ref(request).map(str::to_owned),
        }
    }

    /// The reads the grant allows within the request's cameras and area, of any VRM.
    pub(crate) fn filter<'a>(&self, request: &'a SearchRequest, cameras: &'a [String]) -> SearchFilter<'a> {
        SearchFilter {
            from: store::to_ms(self.grant.from),
            to: store::to_ms(self.grant.to),
            retained_only_before: store::to_ms(self.grant.retained_only_before),
            investigation: self.investigation.id,
            vrm: None,
            cameras,
            area: request.area.as_deref().map(str::trim).filter(|a| !a.is_empty()),
        }
    }
}

impl Session {
    /// Annex C for this search: the period defaults to as far back as the category allows
    /// (or the cited authority's start), ending now.
    async fn access_grant(
        &self,
        conn: &mut SqliteConnection,
        investigation: &InvestigationRow,
        purpose: Purpose,
        request: &SearchRequest,
    ) -> Result<std::result::Result<AccessGrant, Refusal>> {
        if investigation.status != "open" {
            return Ok(Err(Refusal::new(
                "9.3.3",
                format!("investigation {} is closed; access is only for a current purpose", investigation.reference),
                Some("reopen the investigation, or search for an open one".into()),
            )));
        }
        let category = Category::from_str(&investigation.category).map_err(Error::Invalid)?;
        let now = self.now();
        let to = time(request.to.as_deref())?.unwrap_or(now);
        let mut from = time(request.from.as_deref())?;
        let mut authority = None;
        match authority_ref(request) {
            Some(reference) if purpose != Purpose::CpsRequest => {
                let period = (from.unwrap_or(to), to);
                match self.authority_for(conn, reference, investigation.id, purpose, period).await? {
                    Ok((written, row)) => {
                        from = from.or(Some(store::from_ms(row.period_from)));
                        authority = Some(written);
                    }
                    Err(refusal) => return Ok(Err(refusal)),
                }
            }
            _ => {}
        }
        let access = AccessRequest {
            purpose,
            category,
            from: from.unwrap_or(now - Duration::days(access::default_days(purpose, category))),
            to,
            authority,
            written_request: purpose == Purpose::CpsRequest && authority_ref(request).is_some(),
            cpia_retained: store::retention::has_cpia(conn, investigation.id).await?,
        };
        Ok(access::authorise(&access, now))
    }

    /// The Annex C gate of every search and analysis: the search privilege, a purpose, a
    /// justification, an open investigation and the grant. A refusal is audited as a failed
    /// search carrying `details` (what was asked).
    pub(crate) async fn search_gate(&self, request: &SearchRequest, details: &Value) -> Result<Granted> {
        let reference = request.investigation.trim();
        self.authorise(Privilege::Search, "search", reference).await?;
        let purpose = request.purpose.ok_or_else(|| Error::Invalid("a purpose is required (Annex C)".into()))?;
        if request.justification.trim().is_empty() {
            return Err(Error::Invalid("a justification is required for every search (NASPLE 9.10.1)".into()));
        }
        let mut conn = self.workstation().pool.acquire().await?;
        let investigation = find(&mut conn, reference).await?;
        let decision = self.access_grant(&mut conn, &investigation, purpose, request).await?;
        drop(conn);
        match decision {
            Ok(grant) => Ok(Granted { investigation, grant }),
            Err(refusal) => {
                let mut tx = store::begin_write(&self.workstation().pool).await?;
                let details = json!({ "clause": refusal.clause, "reason": refusal.reason, "request": details });
                self.append(&mut tx, search_record("search", request, Outcome::Refused).details(details)).await?;
                tx.commit().await?;
                Err(Error::Refused(refusal))
            }
        }
    }

    /// Audits a search or analysis that ran on `granted` (see [`Granted::record`]). Results go
    /// out only once this is committed.
    pub(crate) async fn audit_search(
        &self,
        request: &SearchRequest,
        granted: &Granted,
        details: Value,
        found: Value,
    ) -> Result<GrantInfo> {
        let mut tx = store::begin_write(&self.workstation().pool).await?;
        self.append(&mut tx, granted.record("search", request, details, found)).await?;
        tx.commit().await?;
        Ok(granted.info(request))
    }

    pub async fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        let mut matching = Matching::parse(request)?;
        let details = matching.details(request);
        let granted = self.search_gate(request, &details).await?;
        let limit = request.limit.clamp(1, MAX_PAGE);
        let (total, rows) =
            self.matching_reads(request, &granted, &mut matching, |_| Ok((request.offset, limit))).await?;
        let found = json!({ "total": total, "offset": request.offset, "fuzzy_vrms": matching.fuzzy_vrms() });
        let grant = self.audit_search(request, &granted, details, found).await?;
        Ok(SearchResults {
            total,
            offset: request.offset,
            reads: rows.into_iter().map(|row| matching.summary(row)).collect(),
            grant,
        })
    }

    /// The reads a granted search matches: how many, and those of the page `page` picks from
    /// that total (offset, limit; or an error, e.g. too many to export). Newest first, closest
    /// first when misread-tolerant.
    pub(crate) async fn matching_reads(
        &self,
        request: &SearchRequest,
        granted: &Granted,
        matching: &mut Matching,
        page: impl FnOnce(u64) -> Result<(u64, u64)>,
    ) -> Result<(u64, Vec<ReadView>)> {
        let cameras = cameras_of(request);
        // The query reads on a pooled connection (WAL: it blocks no writer); only the audit
        // entry takes the write lock.
        let mut conn = self.workstation().pool.acquire().await?;
        matching.find(&mut conn).await?;
        let filter = SearchFilter { vrm: matching.filter(), ..granted.filter(request, &cameras) };
        let visibility = self.visibility(&mut conn).await?;
        let total = store::reads::search_count(&mut conn, &visibility, &filter).await? as u64;
        let (offset, limit) = page(total)?;
        let rows = store::reads::search(&mut conn, &visibility, &filter, offset as i64, limit as i64).await?;
        Ok((total, rows))
    }
}

/// A search's VRM query, checked, and (when misread-tolerant) the VRMs it matches with how each
/// differs.
pub(crate) struct Matching {
    pattern: Option<VrmPattern>,
    /// The full VRM of a misread-tolerant search.
    fuzzy: Option<String>,
    indel: bool,
    matches: BTreeMap<String, VrmMatch>,
    /// `matches` as a JSON object of VRM -> cost, for the store's ranking.
    closeness: String,
}

impl Matching {
    pub(crate) fn parse(request: &SearchRequest) -> Result<Matching> {
        let pattern = request.vrm.as_deref().filter(|v| !v.trim().is_empty()).map(VrmPattern::parse).transpose();
        let pattern = pattern.map_err(Error::Invalid)?;
        let fuzzy = match (&pattern, request.fuzzy) {
            (Some(VrmPattern::Exact(vrm)), true) => Some(vrm.clone()),
            (_, true) => {
                return Err(Error::Invalid(
                    "a misread-tolerant search needs a full VRM, without ? or * wildcards".into(),
                ));
            }
            (_, false) => None,
        };
        let indel = fuzzy.is_some() && request.fuzzy_indel;
        Ok(Matching { pattern, fuzzy, indel, matches: BTreeMap::new(), closeness: "{}".into() })
    }

    /// What was asked, as the audit entry records it.
    pub(crate) fn details(&self, request: &SearchRequest) -> Value {
        let mut details = search_details(request, self.pattern.as_ref().map(VrmPattern::text));
        details["fuzzy"] = json!(self.fuzzy.is_some());
        details["fuzzy_indel"] = json!(self.indel);
        details
    }

    /// A misread-tolerant search: the index's candidates, each ranked by the matcher.
    async fn find(&mut self, conn: &mut SqliteConnection) -> Result<()> {
        let Some(query) = &self.fuzzy else { return Ok(()) };
        let keys = fuzzy::index_keys(query, self.indel);
        for vrm in store::vrm_index::with_skeletons(conn, &keys).await? {
            if let Some(m) = fuzzy::compare(query, &vrm, self.indel) {
                self.matches.insert(vrm, m);
            }
        }
        self.closeness =
            serde_json::to_string(&self.matches.iter().map(|(v, m)| (v, m.cost)).collect::<BTreeMap<_, _>>())
                .unwrap_or_else(|_| "{}".into());
        Ok(())
    }

    fn filter(&self) -> Option<VrmFilter<'_>> {
        match &self.pattern {
            _ if self.fuzzy.is_some() => Some(VrmFilter::Ranked(&self.closeness)),
            Some(VrmPattern::Exact(p)) => Some(VrmFilter::Exact(p)),
            Some(VrmPattern::Glob(p)) => Some(VrmFilter::Glob(p)),
            None => None,
        }
    }

    /// How many distinct VRMs a misread-tolerant search matched (`None` for any other).
    pub(crate) fn fuzzy_vrms(&self) -> Option<usize> {
        self.fuzzy.as_ref().map(|_| self.matches.len())
    }

    /// How a read's VRM differs from the one searched (misread-tolerant searches only).
    pub(crate) fn vrm_match(&self, row: &ReadView) -> Option<VrmMatch> {
        row.vrm.as_ref().and_then(|v| self.matches.get(v)).cloned()
    }

    fn summary(&self, row: ReadView) -> ReadSummary {
        let vrm_match = self.vrm_match(&row);
        ReadSummary { vrm_match, ..crate::reads::summary(row) }
    }
}
