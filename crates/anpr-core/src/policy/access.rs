//! Access to reads by purpose and age of data (NASPLE Annex C, 9.3.3, 9.5.1). A search needs an
//! [`AccessGrant`]; the only way to get one is [`authorise`], whose refusals name the clause and
//! what would make the search allowed.

use super::Refusal;
use anpr_types::{Category, ExtensionReason, Purpose, Rank};
use chrono::{DateTime, Duration, Utc};

/// Priority and Volume searches reach back this far without further authority (Annex C).
pub const PRIORITY_VOLUME_DAYS: i64 = 90;
/// Reads are kept, and searchable, for 12 months from capture (9.5.1; day 366 they go).
pub const RETENTION_DAYS: i64 = 365;
/// "Real or near real time" for monitoring alarms (Annex C): the workstation reads it as the
/// last hour.
pub const MONITORING_MINUTES: i64 = 60;

const CLAUSE: &str = "Annex C";
const CLAUSE_RETENTION: &str = "9.5.1, Annex C";

/// A written authority relied on by a search: the rank of whoever gave it and, for Priority and
/// Volume over 90 days, the Annex C reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrittenAuthority {
    pub rank: Rank,
    pub reason: Option<ExtensionReason>,
}

/// What a search asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessRequest {
    pub purpose: Purpose,
    pub category: Category,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub authority: Option<WrittenAuthority>,
    /// For CPS requests and court directions: whether the written request is referenced.
    pub written_request: bool,
    /// Whether the investigation has reads retained under CPIA, the only reads older than 12
    /// months anyone may see, and only for that investigation (9.5.1).
    pub cpia_retained: bool,
}

/// Permission to search `[from, to]`. Reads captured before `retained_only_before` may be
/// returned only where retained under CPIA for the search's investigation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessGrant {
    pub clause: &'static str,
    /// The basis in the user's words, shown with the results and written to the audit trail.
    pub basis: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub retained_only_before: DateTime<Utc>,
}

/// How far back `purpose` within `category` may reach without written authority, if limited.
pub fn default_days(purpose: Purpose, category: Category) -> i64 {
    match (purpose, category) {
        (Purpose::Monitoring, _) => 0,
        (Purpose::Investigation | Purpose::Evidence, Category::PriorityVolume) => PRIORITY_VOLUME_DAYS,
        _ => RETENTION_DAYS,
    }
}

/// The Annex C decision. `now` comes from the workstation's clock.
pub fn authorise(request: &AccessRequest, now: DateTime<Utc>) -> Result<AccessGrant, Refusal> {
    let AccessRequest { purpose, category, from, to, authority, .. } = *request;
    if from > to {
        return Err(Refusal::new(
            CLAUSE,
            "the period ends before it starts",
            Some("a period whose start is before its end".into()),
        ));
    }
    let age_days = (now - from).num_milliseconds() as f64 / Duration::days(1).num_milliseconds() as f64;
    let twelve_months = now - Duration::days(RETENTION_DAYS);
    let grant = |basis: String| AccessGrant { clause: CLAUSE, basis, from, to, retained_only_before: twelve_months };
    if from < twelve_months && !request.cpia_retained {
        return Err(Refusal::new(
            CLAUSE_RETENTION,
            format!(
                "the period starts {age_days:.0} days ago; reads older than 12 months are deleted (9.5.1) and exist only where retained under CPIA for an investigation"
            ),
            Some(format!(
                "a period starting within the last {RETENTION_DAYS} days, or an investigation that retained older reads under CPIA"
            )),
        ));
    }
    let within = |days: i64| from >= now - Duration::days(days);
    let by = |rank: Rank| authority.is_some_and(|a| a.rank >= rank);
    match purpose {
        Purpose::Monitoring => {
            if within_minutes(from, now, MONITORING_MINUTES) {
                Ok(grant("Monitoring alarms in real or near real time (no further authority)".into()))
            } else {
                Err(Refusal::new(
                    CLAUSE,
                    format!(
                        "monitoring covers real or near real time only (the last {MONITORING_MINUTES} minutes); this period starts {age_days:.0} days ago"
                    ),
                    Some(
                        "the purpose of an investigation of the right category, or a period within the last hour"
                            .into(),
                    ),
                ))
            }
        }
        Purpose::Investigation | Purpose::Evidence => {
            let what = if purpose == Purpose::Evidence { "Preparing evidence for" } else { "Research for" };
            match category {
                Category::PriorityVolume if within(PRIORITY_VOLUME_DAYS) => {
                    Ok(grant(format!("{what} a Priority and Volume investigation, up to 90 days (no further authority)")))
                }
                Category::PriorityVolume => match authority {
                    Some(WrittenAuthority { rank, reason: Some(reason) }) if rank >= Rank::Inspector => Ok(grant(format!(
                        "{what} a Priority and Volume investigation over 90 days, with the written authority of an officer of {rank} rank for reason {}",
                        reason.label()
                    ))),
                    Some(WrittenAuthority { rank, reason: None }) if rank >= Rank::Inspector => Err(Refusal::new(
                        CLAUSE,
                        "a Priority and Volume search over 90 days needs the Inspector's authority to give reason (a), (b) or (c)",
                        Some("an authority recording reason (a) significant delay in reporting, (b) new information or evidence, or (c) investigation diligent and not yet completed".into()),
                    )),
                    _ => Err(Refusal::new(
                        CLAUSE,
                        format!("a Priority and Volume investigation may search up to 90 days back without authority; this period starts {age_days:.0} days ago"),
                        Some("the written authority of an Inspector (or above) with reason (a), (b) or (c) — request it in the authorisation queue — or a period within the last 90 days".into()),
                    )),
                },
                _ => Ok(grant(format!("{what} a {} investigation, up to 1 year (no further authority)", category.label()))),
            }
        }
        Purpose::CpsRequest if request.written_request => {
            Ok(grant("A written request from the CPS, procurator fiscal or a court direction (as requested)".into()))
        }
        Purpose::CpsRequest => Err(Refusal::new(
            CLAUSE,
            "access for the CPS, procurator fiscal or a court must rest on their written request or direction",
            Some("the reference of the written request or court direction".into()),
        )),
        Purpose::CodeOfEthics if by(Rank::Superintendent) => Ok(grant(
            "An investigation into an alleged breach of the Code of Ethics, with a Superintendent's written authority"
                .into(),
        )),
        Purpose::CodeOfEthics => Err(Refusal::new(
            CLAUSE,
            "research for an investigation into an alleged breach of the Code of Ethics needs the written authority of a Superintendent",
            Some("the written authority of a Superintendent (or above) — request it in the authorisation queue".into()),
        )),
    }
}

fn within_minutes(from: DateTime<Utc>, now: DateTime<Utc>, minutes: i64) -> bool {
    from >= now - Duration::minutes(minutes)
}

/// The rank Annex C needs for a written authority for `purpose`, if it needs one at all.
pub fn authority_rank(purpose: Purpose, category: Category) -> Option<Rank> {
    match (purpose, category) {
        (Purpose::Investigation | Purpose::Evidence, Category::PriorityVolume) => Some(Rank::Inspector),
        (Purpose::CodeOfEthics, _) => Some(Rank::Superintendent),
        _ => None,
    }
}
