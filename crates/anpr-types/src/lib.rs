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
