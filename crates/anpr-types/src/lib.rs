//! Types that cross from the ANPR Workstation core to its faces (desktop UI, CLI). Plain serde
//! data: compiles to wasm32, no database or runtime types.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What an account is for (9.3.6.2). An administrator is never also a data user (9.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Investigator,
    EvidenceOfficer,
    Engineer,
    Administrator,
    Auditor,
}

/// Police rank that matters to authorisations (Annex B escalation, Annex C authority).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Rank {
    #[default]
    None,
    Inspector,
    Superintendent,
}

macro_rules! text_enum {
    ($ty:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($ty::$variant),)+
                    other => Err(format!(
                        "unknown {} '{other}' (expected one of: {})",
                        stringify!($ty).to_lowercase(),
                        [$($text),+].join(", ")
                    )),
                }
            }
        }
    };
}

text_enum!(Role {
    Investigator = "investigator",
    EvidenceOfficer = "evidence_officer",
    Engineer = "engineer",
    Administrator = "administrator",
    Auditor = "auditor",
});

mod analysis;
mod casework;
mod evaluation;
mod evidence;
mod export;
mod map;
mod passes;
pub use analysis::*;
pub use casework::*;
pub use evaluation::*;
pub use evidence::*;
pub use export::*;
pub use map::*;
pub use passes::*;

text_enum!(Rank { None = "none", Inspector = "inspector", Superintendent = "superintendent" });

/// NASPLE 8.7 camera system types, as written in bundles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SystemType {
    Static,
    Moveable,
    MultiLane,
    Cctv,
    Mobile,
    Covert,
}

text_enum!(SystemType {
    Static = "static",
    Moveable = "moveable",
    MultiLane = "multi_lane",
    Cctv = "cctv",
    Mobile = "mobile",
    Covert = "covert",
});

/// An account as the administrator and the user see it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub rank: Rank,
    pub locked: bool,
    pub suspended: bool,
    pub must_change_password: bool,
    /// RFC 3339 UTC.
    pub last_login: Option<String>,
    pub password_expires: String,
}

/// One rejected row or image of an import, where it is and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportIssue {
    pub file: String,
    /// 1-based line in a CSV file (the header is line 1); 0 when the issue is not a line's.
    pub line: u64,
    pub reason: String,
}

/// The outcome of importing one bundle (the JSON of `anpr import`, cli.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ImportSummary {
    pub bundle: String,
    pub reads_accepted: u64,
    pub reads_duplicate: u64,
    pub reads_rejected: u64,
    pub images_stored: u64,
    pub images_rejected: u64,
    pub cameras_added: u64,
    pub errors: Vec<ImportIssue>,
    /// Unknown columns, reported once per file.
    pub warnings: Vec<String>,
    /// SHA-256 over the bundle's files as read (see docs/formats.md).
    pub bundle_sha256: String,
}

/// Progress of a long import, for a bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProgress {
    pub stage: ImportStage,
    pub done: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStage {
    CheckingManifest,
    Cameras,
    Reads,
    Committing,
}

/// One entry of the audit trail (the JSON of `anpr audit export`, cli.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    /// RFC 3339 UTC with milliseconds.
    pub time: String,
    pub user: String,
    pub action: String,
    pub object: String,
    pub justification: Option<String>,
    pub authority: Option<String>,
    pub outcome: String,
    pub details: String,
    pub hash: String,
    pub prev_hash: String,
}

/// The result of walking the audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditVerification {
    pub entries: u64,
    pub ok: bool,
    /// The first entry that does not verify, and why.
    pub first_broken: Option<i64>,
    pub reason: Option<String>,
}

/// The one error type that crosses to the UI: it switches on `code`, never parses `message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Stable code: `refused`, `authentication_failed`, `account_locked`, `account_suspended`,
    /// `password_change_required`, `bundle_refused`, `not_found`, `invalid`, `not_logged_in`,
    /// `cancelled`, `database`, `io`, ...
    pub code: String,
    /// For the user, as it is.
    pub message: String,
    /// The NASPLE clause of a refusal.
    pub clause: Option<String>,
    /// What would make a refused action allowed.
    pub needs: Option<String>,
    /// Login attempts left before the account locks, after a wrong password.
    pub remaining_attempts: Option<u32>,
    /// Files at fault when a bundle is refused whole.
    pub files: Vec<String>,
}

/// Who is logged in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub rank: Rank,
    /// What this role may do, in the user's words (for the home screen's "what next").
    pub can: Vec<String>,
    /// Holds the export privilege (8.11.3): the UI offers CSV and KML export (the core checks regardless).
    #[serde(default)]
    pub may_export: bool,
}

/// The first run's result: the first administrator, logged in, and the new store's recovery key
/// (none when an unencrypted store made before encryption got its first account).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstRun {
    pub session: SessionInfo,
    pub recovery_key: Option<String>,
}

/// Whether the store is encrypted at rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreStatus {
    pub encrypted: bool,
}

/// Images encrypted so far while a store is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptProgress {
    pub done: u64,
    pub total: u64,
}

/// A store just encrypted: its recovery key, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedStore {
    pub recovery_key: String,
}

/// A past import, for provenance and the home screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRecord {
    pub id: i64,
    pub bundle: String,
    pub bundle_sha256: String,
    /// The account that imported it.
    pub by: String,
    /// UK local time, for display.
    pub finished_uk: String,
    pub reads_accepted: u64,
    pub reads_duplicate: u64,
    pub reads_rejected: u64,
    pub images_stored: u64,
    pub images_rejected: u64,
}

/// How much data is due for deletion (the retention run itself comes with its own issue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionStatus {
    /// Reads captured more than 12 months ago (9.5.1).
    pub older_than_12_months: u64,
    /// Reads entered on this workstation more than 7 days ago (9.8).
    pub entered_over_7_days_ago: u64,
    pub summary: String,
}

/// The home screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub user: SessionInfo,
    /// Reads this user may see (restricted cameras' reads excluded unless granted).
    pub reads: u64,
    pub not_read: u64,
    pub cameras: u64,
    /// UK local time of the oldest and newest visible read.
    pub first_read_uk: Option<String>,
    pub last_read_uk: Option<String>,
    pub recent_imports: Vec<ImportRecord>,
    pub retention: RetentionStatus,
}

/// One read as a table row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadSummary {
    pub id: i64,
    pub read_id: String,
    /// As read; empty when not read.
    pub vrm: String,
    pub not_read: bool,
    /// RFC 3339 UTC.
    pub read_time: String,
    /// UK local time with daylight saving applied (7.4.3), e.g. `24/11/2026 06:59:12 GMT`.
    pub read_time_uk: String,
    pub camera_id: String,
    pub camera_name: String,
    /// Disclosure level 1 (9.4.3.3).
    pub general_area: String,
    pub lane: Option<i64>,
    pub direction: Option<String>,
    pub confidence: Option<f64>,
    pub plate_image: Option<String>,
    pub overview_image: Option<String>,
    /// The VRM fits no UK layout (docs/vrm-search.md): a likely misread, or a foreign or trade plate.
    #[serde(default)]
    pub likely_misread: bool,
    /// In a misread-tolerant search's results: how this read's VRM differs from the one searched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vrm_match: Option<VrmMatch>,
}

/// How a read's VRM differs from the VRM a misread-tolerant search asked for (docs/vrm-search.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VrmMatch {
    /// Lower is closer: 0 the same VRM; each substitution 1 when it puts a character of the kind its
    /// position needs (a digit read where the layout needs a letter), otherwise 2; a character
    /// more or fewer 3.
    pub cost: u32,
    /// The UK layout the searched VRM's positions were judged by; `None` when none fits.
    pub layout: Option<String>,
    /// In the order of their positions.
    pub edits: Vec<VrmEdit>,
}

/// One difference between a read's VRM and the searched one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VrmEdit {
    /// 1-based position in the read's VRM (for a missing character: where it would be).
    pub position: u32,
    /// The read's character; `None` when the read lacks the searched character.
    pub read: Option<char>,
    /// The searched character; `None` when the read has an extra character.
    pub query: Option<char>,
}

/// `8->B at 2`, `+X at 8` (an extra character), `-E at 7` (a missing one).
impl fmt::Display for VrmEdit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.read, self.query) {
            (Some(read), Some(query)) => write!(f, "{read}->{query} at {}", self.position),
            (Some(read), None) => write!(f, "+{read} at {}", self.position),
            (None, Some(query)) => write!(f, "-{query} at {}", self.position),
            (None, None) => write!(f, "at {}", self.position),
        }
    }
}

/// A page of reads, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadPage {
    pub offset: u64,
    /// All reads this user may see.
    pub total: u64,
    pub reads: Vec<ReadSummary>,
}

/// An image record: the original's hash and size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageInfo {
    pub sha256: String,
    pub format: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
}

/// One read in full, with its images and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadDetail {
    pub read: ReadSummary,
    pub latitude: f64,
    pub longitude: f64,
    pub plate: Option<ImageInfo>,
    /// `None`: "no overview image recorded" (7.4.5).
    pub overview: Option<ImageInfo>,
    pub provenance: ImportRecord,
    /// Corrections made to this read, oldest first (7.3.1, 9.7).
    pub corrections: Vec<Correction>,
}

/// An account as an administrator creates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUserRequest {
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub rank: Rank,
    pub temporary_password: String,
}

/// An Appendix A rule for the change-password form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordRule {
    pub clause: String,
    pub text: String,
}
