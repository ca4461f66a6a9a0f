//! Evidence: packages of exhibits, location disclosure levels with controller consent (9.4.3),
//! issued court bundles and the record of every disclosure (9.4.3.7, 9.10.5).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How precisely a camera's location is described (9.4.3.3), in decreasing order of preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationLevel {
    Area,
    Postcode,
    Road,
    Precise,
}

text_enum!(LocationLevel { Area = "area", Postcode = "postcode", Road = "road", Precise = "precise" });

impl LocationLevel {
    /// 1 to 4, as 9.4.3.3 numbers them.
    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    pub fn label(self) -> &'static str {
        match self {
            LocationLevel::Area => "general area",
            LocationLevel::Postcode => "postcode",
            LocationLevel::Road => "road",
            LocationLevel::Precise => "precise location",
        }
    }
}

/// A controller's written consent to describe a camera's location above level 1 (9.4.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub reference: String,
    pub camera_id: String,
    pub controller: String,
    /// Who gave consent for the controller.
    pub consented_by: String,
    pub consent_date_uk: String,
    pub scope: String,
    /// The most precise level consented to.
    pub max_level: LocationLevel,
    pub recorded_by: String,
    pub recorded_uk: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewConsent {
    pub reference: String,
    pub camera_id: String,
    pub controller: String,
    pub consented_by: String,
    /// As typed: `YYYY-MM-DD` or RFC 3339.
    pub consent_date: String,
    pub scope: String,
    pub max_level: LocationLevel,
}

/// One exhibit of a package, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExhibitInfo {
    /// `INITIALS/n` (file-safe `INITIALS_n`).
    pub reference: String,
    /// The read's store id and source id.
    pub id: i64,
    pub read_id: String,
    pub vrm: String,
    pub read_time_uk: String,
    pub camera_id: String,
    pub general_area: String,
    pub mobile: bool,
    /// The most precise level a recorded consent allows for this camera (mobile: precise).
    pub consented_level: LocationLevel,
    pub plate_image: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidencePackage {
    pub id: i64,
    pub investigation: String,
    /// e.g. `NS-MAJ-0003/B1`.
    pub number: String,
    /// `draft` or `issued`.
    pub status: String,
    pub created_by: String,
    pub created_uk: String,
    pub exhibits: Vec<ExhibitInfo>,
}

/// Issuing a package to a recipient: writes the court bundle to `out_dir` (a new or empty folder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueRequest {
    pub package: i64,
    /// The level for every camera not listed in `camera_levels`.
    pub level: LocationLevel,
    /// Levels chosen for particular cameras (camera id, level), e.g. a road where the
    /// controller consented to it and the general area elsewhere.
    #[serde(default)]
    pub camera_levels: Vec<(String, LocationLevel)>,
    /// A consent to rely on for every non-mobile camera; otherwise each camera's recorded consents.
    pub consent_ref: Option<String>,
    pub recipient: String,
    pub reason: String,
    /// The authority for the disclosure (e.g. the CPS request reference), if any.
    pub authority: Option<String>,
    pub out_dir: String,
}

/// The page previews of a package as issuing it with the same request would write it: the
/// desktop shell holds the page images for the user who asked, and the page fetches each one
/// through the image scheme (`preview/<token>/<bundle|schedule>/<page from 1>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewPages {
    /// Changes with every preview, so the page never shows an earlier preview's images.
    pub token: String,
    pub exhibits: usize,
    pub bundle_pages: usize,
    pub schedule_pages: usize,
}

/// A recorded disclosure (9.4.3.7, 9.10.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disclosure {
    pub reference: String,
    pub investigation: String,
    pub package: String,
    pub disclosed_by: String,
    pub recipient: String,
    pub reason: String,
    pub authority: Option<String>,
    pub level: LocationLevel,
    pub exhibits: u64,
    pub time_uk: String,
    /// SHA-256 of `manifest.json`.
    pub manifest_sha256: String,
    pub out_dir: String,
}

/// What issuing wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueReport {
    pub disclosure: Disclosure,
    /// Every file written, relative to the folder, with its SHA-256.
    pub files: Vec<(String, String)>,
    pub bytes: u64,
    pub millis: u64,
}

/// `anpr report verify`: every file re-hashed against the manifest, originals against the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    pub ok: bool,
    pub files_checked: u64,
    pub problems: Vec<String>,
}
