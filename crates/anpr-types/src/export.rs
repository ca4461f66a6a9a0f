//! Exporting search and analysis results as CSV or KML (docs/export.md): for holders of the
//! export privilege only (NASPLE 8.11.3), every file marked OFFICIAL-SENSITIVE (9.2.4), every
//! export audited.

use crate::{AnalysisRequest, GrantInfo, SearchRequest};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The protective marking of everything extracted from the workstation (NASPLE 9.2.4, 7.2).
pub const MARKING: &str = "OFFICIAL-SENSITIVE";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Csv,
    /// Keyhole Markup Language 2.2, for mapping tools.
    Kml,
}

text_enum!(ExportFormat { Csv = "csv", Kml = "kml" });

impl ExportFormat {
    /// The format a file name's extension names, if it names one.
    pub fn of_file(file: &str) -> Option<ExportFormat> {
        let extension = file.rsplit_once('.')?.1;
        ExportFormat::ALL.iter().copied().find(|f| f.as_str().eq_ignore_ascii_case(extension))
    }
}

/// What to export: the search or analysis is run again by the core, under its own Annex C
/// grant, so the file holds exactly what the exporting user may see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportSource {
    /// Every read the search matches (its `offset` and `limit` are unused).
    Search(SearchRequest),
    Analysis(AnalysisRequest),
}

impl ExportSource {
    /// The search the export runs as (an analysis's scope).
    pub fn scope(&self) -> &SearchRequest {
        match self {
            ExportSource::Search(request) => request,
            ExportSource::Analysis(request) => &request.scope,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportRequest {
    pub source: ExportSource,
    pub format: ExportFormat,
    /// The file to write (its folder must exist).
    pub file: String,
    /// Replace the file if it exists; otherwise an existing file is refused.
    #[serde(default)]
    pub overwrite: bool,
}

/// What was written, as the audit entry records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportReport {
    /// The file as written (absolute).
    pub file: String,
    pub format: ExportFormat,
    /// Reads written (a CSV's data rows, a KML's placemarks).
    pub rows: u64,
    pub bytes: u64,
    /// SHA-256 of the file, lower-case hex.
    pub sha256: String,
    /// The Annex C basis the search or analysis ran on.
    pub grant: GrantInfo,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_names_its_format_by_extension() {
        assert_eq!(ExportFormat::of_file("/tmp/journey.KML"), Some(ExportFormat::Kml));
        assert_eq!(ExportFormat::of_file("reads.csv"), Some(ExportFormat::Csv));
        assert_eq!(ExportFormat::of_file("reads.txt"), None);
        assert_eq!(ExportFormat::of_file("reads"), None);
    }
}
