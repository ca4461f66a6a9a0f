//! `--export FILE` on `anpr search` and `anpr analyse`: the results written as CSV or KML
//! (docs/export.md) instead of printed; export-privilege holders only (8.11.3).

use crate::commands::Cx;
use crate::output::emit;
use anpr_core::types::{ExportFormat, ExportRequest, ExportSource};
use anyhow::bail;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write every result to this file (marked OFFICIAL-SENSITIVE, audited) instead of printing them.
    #[arg(long, value_name = "FILE", global = true)]
    export: Option<PathBuf>,
    /// csv or kml; default: the file's extension, else csv.
    #[arg(long, global = true)]
    format: Option<ExportFormat>,
    /// Replace the file if it exists.
    #[arg(long, global = true)]
    overwrite: bool,
}

impl ExportArgs {
    /// The export asked for, if any, of `source`.
    pub fn request(&self, source: ExportSource) -> anyhow::Result<Option<ExportRequest>> {
        let Some(file) = &self.export else {
            if self.format.is_some() || self.overwrite {
                bail!("--format and --overwrite need --export FILE");
            }
            return Ok(None);
        };
        let file = file.to_string_lossy().into_owned();
        let format = self.format.or_else(|| ExportFormat::of_file(&file)).unwrap_or(ExportFormat::Csv);
        Ok(Some(ExportRequest { source, format, file, overwrite: self.overwrite }))
    }
}

/// Runs the export and prints its report.
pub async fn export(cx: &Cx, request: &ExportRequest) -> anyhow::Result<()> {
    let session = cx.login().await?;
    let report = session.export_results(request).await?;
    emit(cx.json, &report, || {
        format!(
            "exported {} read(s) as {} to {} ({} bytes, SHA-256 {}); {} ({}), {} to {}",
            report.rows,
            report.format.as_str().to_uppercase(),
            report.file,
            report.bytes,
            report.sha256,
            report.grant.basis,
            report.grant.clause,
            report.grant.from_uk,
            report.grant.to_uk
        )
    })
}
