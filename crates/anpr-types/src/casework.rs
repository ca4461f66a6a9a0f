//! Casework types: investigations and their categories (Annex B), access by purpose and age
//! (Annex C), the authorisation queue, category-bounded search, the camera register with its
//! Restricted Access grants (8.8), local retention (8.9, 9.8) and record correction (7.3.1, 9.7).
//!
//! Times that come from a form are strings the core parses: RFC 3339, `YYYY-MM-DD` (midnight UK
//! local time) or `YYYY-MM-DDTHH:MM` (UK local time, what a `datetime-local` input gives).

use crate::{Rank, ReadSummary};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Investigation category (Annex B). National Security and Counter Terrorism sit with Major.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    PriorityVolume,
    Serious,
    Major,
    NationalSecurity,
    CounterTerrorism,
}

text_enum!(Category {
    PriorityVolume = "priority_volume",
    Serious = "serious",
    Major = "major",
    NationalSecurity = "national_security",
    CounterTerrorism = "counter_terrorism",
});

impl Category {
    /// As the standard names it.
    pub fn label(self) -> &'static str {
        match self {
            Category::PriorityVolume => "Priority and Volume",
            Category::Serious => "Serious",
            Category::Major => "Major",
            Category::NationalSecurity => "National Security",
            Category::CounterTerrorism => "Counter Terrorism",
        }
    }
}

/// Why data is accessed (Annex C).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    Investigation,
    Evidence,
    CpsRequest,
    CodeOfEthics,
    Monitoring,
}

text_enum!(Purpose {
    Investigation = "investigation",
    Evidence = "evidence",
    CpsRequest = "cps_request",
    CodeOfEthics = "code_of_ethics",
    Monitoring = "monitoring",
});

impl Purpose {
    pub fn label(self) -> &'static str {
        match self {
            Purpose::Investigation => "Research for the investigation",
            Purpose::Evidence => "Prepare evidence from a previous search",
            Purpose::CpsRequest => "Written request from the CPS, procurator fiscal or a court",
            Purpose::CodeOfEthics => "Investigation into an alleged breach of the Code of Ethics",
            Purpose::Monitoring => "Monitoring alarms in (near) real time",
        }
    }
}

/// The reasons Annex C accepts for a Priority and Volume search over 90 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtensionReason {
    A,
    B,
    C,
}

text_enum!(ExtensionReason { A = "a", B = "b", C = "c" });

impl ExtensionReason {
    pub fn label(self) -> &'static str {
        match self {
            ExtensionReason::A => "(a) significant delay in reporting the offence",
            ExtensionReason::B => "(b) new information or evidence has become available",
            ExtensionReason::C => "(c) investigation conducted diligently and expeditiously, not yet completed",
        }
    }
}

/// An offence of the Annex B lists; anything not listed is Priority and Volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offence {
    pub name: String,
    pub category: Category,
}

/// The Annex B escalation factors considered (all three are recorded, 9.10.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EscalationFactors {
    pub community: String,
    pub offence: String,
    pub offender: String,
}

/// A recorded escalation (9.10.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalation {
    pub from: Category,
    pub to: Category,
    pub authorised_by: String,
    pub rank: Rank,
    pub reasons: String,
    pub factors: EscalationFactors,
    pub time_uk: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Investigation {
    pub reference: String,
    pub title: String,
    pub offence: String,
    pub category: Category,
    /// `open` or `closed`.
    pub status: String,
    pub sio: String,
    pub notes: String,
    pub created_by: String,
    pub created_uk: String,
    pub escalations: Vec<Escalation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewInvestigation {
    pub reference: String,
    pub title: String,
    /// An Annex B offence name, or free text (then Priority and Volume).
    pub offence: String,
    pub sio: String,
    pub notes: String,
}

/// An escalation as the authorising (ranked) account records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationRequest {
    pub reference: String,
    pub to: Category,
    pub reasons: String,
    pub factors: EscalationFactors,
}

/// What Annex C says about a purpose, category, period and authority (`anpr access check`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessDecision {
    pub allowed: bool,
    pub clause: String,
    pub reason: String,
    pub needs: Option<String>,
}

/// An investigator's request for a search Annex C allows only with written authority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorityRequest {
    pub investigation: String,
    /// `investigation` (P&V over 90 days: an Inspector) or `code_of_ethics` (a Superintendent).
    pub purpose: Purpose,
    pub from: String,
    pub to: String,
    /// Required for a Priority and Volume search over 90 days.
    pub reason_code: Option<ExtensionReason>,
    pub reason: String,
}

/// A request and, once decided, the written authority (or the decline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authority {
    /// e.g. `AUTH-0001`; the search that relies on it cites it.
    pub reference: String,
    pub investigation: String,
    pub category: Category,
    pub purpose: Purpose,
    /// RFC 3339 UTC, and UK local time for display.
    pub from: String,
    pub to: String,
    pub from_uk: String,
    pub to_uk: String,
    pub reason_code: Option<ExtensionReason>,
    pub reason: String,
    pub requested_by: String,
    pub requested_uk: String,
    /// `pending`, `approved` or `declined`.
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_rank: Option<Rank>,
    pub decided_uk: Option<String>,
    pub note: Option<String>,
}

/// A category-bounded search (cli.md `anpr search`; the Search screen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SearchRequest {
    pub investigation: String,
    pub purpose: Option<Purpose>,
    pub justification: String,
    /// Full VRM or a pattern with `?` (one character) and `*` (any run); spaces ignored.
    pub vrm: Option<String>,
    /// Default: as far back as Annex C allows for the investigation's category.
    pub from: Option<String>,
    /// Default: now.
    pub to: Option<String>,
    pub cameras: Vec<String>,
    pub area: Option<String>,
    pub authority_ref: Option<String>,
    pub offset: u64,
    pub limit: u64,
    /// Misread-tolerant: also reads whose VRM differs from `vrm` (a full VRM) only by common OCR
    /// confusions (docs/vrm-search.md), closest first.
    #[serde(default)]
    pub fuzzy: bool,
    /// With `fuzzy`: also reads with one character more or fewer.
    #[serde(default)]
    pub fuzzy_indel: bool,
}

/// The Annex C basis a search ran on, shown with its results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantInfo {
    pub clause: String,
    pub basis: String,
    pub from_uk: String,
    pub to_uk: String,
    pub authority: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    pub total: u64,
    pub offset: u64,
    pub reads: Vec<ReadSummary>,
    pub grant: GrantInfo,
}

/// A camera as the register shows it to an administrator (precise location included).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CameraInfo {
    pub camera_id: String,
    pub name: String,
    pub system_type: crate::SystemType,
    pub latitude: f64,
    pub longitude: f64,
    pub general_area: String,
    pub postcode: Option<String>,
    pub road: Option<String>,
    pub controller: String,
    pub lanes: i64,
    pub restricted: bool,
    pub restriction: Option<Restriction>,
    pub grants: Vec<CameraGrant>,
}

/// The senior manager's designation of a Restricted Access camera (8.8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Restriction {
    pub authorised_by: String,
    pub reference: String,
    pub recorded_by: String,
    pub from_uk: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CameraGrant {
    pub username: String,
    pub authorised_by: String,
    pub reference: String,
    pub granted_by: String,
    pub granted_uk: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCamera {
    pub camera_id: String,
    pub name: String,
    pub system_type: crate::SystemType,
    pub latitude: f64,
    pub longitude: f64,
    pub general_area: String,
    pub postcode: Option<String>,
    pub road: Option<String>,
    pub controller: String,
    pub lanes: i64,
}

/// Designating (or lifting) a Restricted Access camera, or granting/revoking a user, always
/// with the senior manager's authorisation (8.8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestrictionChange {
    pub camera_id: String,
    /// For grants and revocations; `None` for the designation itself.
    pub username: Option<String>,
    pub authorised_by: String,
    pub reference: String,
}

/// Why a read is kept beyond the workstation's 7 days (9.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetentionBasis {
    /// Relevant to a named investigation (CPIA): kept, and accessible only for it.
    Cpia,
    /// Retained after a MOPI review for a continuing policing purpose (never past 12 months).
    Mopi,
}

text_enum!(RetentionBasis { Cpia = "cpia", Mopi = "mopi" });

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetainRequest {
    /// Store ids of the reads (as in `ReadSummary::id`).
    pub reads: Vec<i64>,
    pub basis: RetentionBasis,
    /// Required for CPIA.
    pub investigation: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionRecord {
    pub read_id: String,
    pub vrm: String,
    pub read_time_uk: String,
    pub basis: RetentionBasis,
    pub investigation: Option<String>,
    pub reviewer: String,
    pub reason: String,
    pub time_uk: String,
}

/// Reads that will be deleted on one day if nothing retains them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionDue {
    /// UK local date, e.g. `25/11/2026`.
    pub date_uk: String,
    pub seven_day_rule: u64,
    pub twelve_month_rule: u64,
}

/// What one retention run deleted, by rule (`anpr retention run`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RetentionReport {
    /// RFC 3339 UTC.
    pub as_of: String,
    /// Entered more than 7 days ago and not retained (8.9.4, 9.8).
    pub seven_day_rule: u64,
    /// Captured 12 months ago or more and not retained under CPIA (9.5.1, day 366).
    pub twelve_month_rule: u64,
    /// Images no read refers to any more (for the 12-month rule, the day after their read).
    pub images: u64,
    /// Retained reads that the rules would otherwise have deleted.
    pub kept_retained: u64,
}

/// The Retention screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionOutlook {
    pub rules: Vec<String>,
    pub due: Vec<RetentionDue>,
    pub retained: Vec<RetentionRecord>,
    pub last_run: Option<RetentionReport>,
}

/// Correcting a misread VRM, or deleting an incorrect read (7.3.1, 9.7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionRequest {
    pub id: i64,
    /// The VRM as it should read; `None` deletes the read as incorrect.
    pub vrm: Option<String>,
    pub reason: String,
}

/// A recorded correction: the original value is kept and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub read_id: String,
    /// `vrm` or `delete`.
    pub kind: String,
    pub original_vrm: String,
    pub corrected_vrm: Option<String>,
    pub reason: String,
    pub by: String,
    pub time_uk: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip_as_cli_md_spells_them() {
        for c in Category::ALL {
            assert_eq!(Category::from_str(c.as_str()), Ok(*c));
            assert_eq!(serde_json::to_value(c).ok(), Some(serde_json::Value::String(c.as_str().into())));
        }
        for p in Purpose::ALL {
            assert_eq!(Purpose::from_str(p.as_str()), Ok(*p));
        }
        assert!(Purpose::from_str("fishing").is_err());
    }
}
