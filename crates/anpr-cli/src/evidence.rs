//! Evidence commands: court bundles (`report bundle`, `report verify`) and controller consents.

use crate::commands::Cx;
use crate::output::{AlreadyReported, emit};
use anpr_core::types::{IssueRequest, LocationLevel, NewConsent};
use clap::Subcommand;
use serde_json::json;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Write the evidential bundle of these reads, with its sensitive schedule, originals and
    /// manifest, and record the disclosure (NASPLE 9.4).
    Bundle {
        #[arg(long)]
        investigation: String,
        /// Read ids (as in `anpr search`), comma-separated, in exhibit order.
        #[arg(long, required = true, value_delimiter = ',')]
        reads: Vec<String>,
        /// How precisely camera locations are described (9.4.3.3).
        #[arg(long, default_value = "area")]
        level: LocationLevel,
        /// A level for one camera, as CAMERA_ID=LEVEL; repeat for several (the others take --level).
        #[arg(long = "camera-level", value_parser = camera_level)]
        camera_levels: Vec<(String, LocationLevel)>,
        /// A recorded controller consent to rely on for every non-mobile camera.
        #[arg(long)]
        consent_ref: Option<String>,
        #[arg(long)]
        recipient: String,
        #[arg(long)]
        reason: String,
        /// The authority for the disclosure (e.g. the CPS request's reference).
        #[arg(long)]
        authority: Option<String>,
        /// A new or empty folder.
        #[arg(long)]
        out: PathBuf,
    },
    /// Re-hash a package against its manifest and the originals against the store: exit 0
    /// when intact, 1 naming what differs.
    Verify { dir: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum ConsentCommand {
    /// Record a controller's written consent to describe a camera's location (9.4.3).
    Add {
        reference: String,
        #[arg(long)]
        camera: String,
        #[arg(long)]
        controller: String,
        #[arg(long)]
        consented_by: String,
        /// The date of the consent (YYYY-MM-DD).
        #[arg(long)]
        date: String,
        #[arg(long)]
        scope: String,
        /// The most precise level consented to.
        #[arg(long)]
        level: LocationLevel,
    },
    List,
}

fn camera_level(text: &str) -> Result<(String, LocationLevel), String> {
    let (camera, level) = text.split_once('=').ok_or("expected CAMERA_ID=LEVEL")?;
    Ok((camera.trim().to_owned(), level.trim().parse()?))
}

pub async fn report(cx: &Cx, command: ReportCommand) -> anyhow::Result<()> {
    let session = cx.login().await?;
    match command {
        ReportCommand::Bundle {
            investigation,
            reads,
            level,
            camera_levels,
            consent_ref,
            recipient,
            reason,
            authority,
            out,
        } => {
            let issue = IssueRequest {
                package: 0,
                level,
                camera_levels,
                consent_ref,
                recipient,
                reason,
                authority,
                out_dir: out.display().to_string(),
            };
            let report = session.report_bundle(&investigation, &reads, issue).await?;
            emit(cx.json, &report, || {
                let d = &report.disclosure;
                format!(
                    "{} issued to {} as disclosure {}: {} exhibit(s), {} file(s), {} bytes in {} ms\nmanifest SHA-256 {}",
                    d.package,
                    d.recipient,
                    d.reference,
                    d.exhibits,
                    report.files.len(),
                    report.bytes,
                    report.millis,
                    d.manifest_sha256
                )
            })
        }
        ReportCommand::Verify { dir } => {
            let result = anpr_core::evidence::verify_package(&session, &dir).await?;
            emit(cx.json, &result, || {
                if result.ok {
                    format!("intact: {} file(s) match the manifest and the store", result.files_checked)
                } else {
                    format!("NOT intact:\n{}", result.problems.join("\n"))
                }
            })?;
            if result.ok { Ok(()) } else { Err(AlreadyReported(1).into()) }
        }
    }
}

pub async fn consent(cx: &Cx, command: ConsentCommand) -> anyhow::Result<()> {
    let session = cx.login().await?;
    match command {
        ConsentCommand::List => {
            let all = session.list_consents().await?;
            emit(cx.json, &json!({ "consents": all }), || {
                all.iter()
                    .map(|k| {
                        format!("{} {} {} up to {} ({})", k.reference, k.camera_id, k.controller, k.max_level, k.scope)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        ConsentCommand::Add { reference, camera, controller, consented_by, date, scope, level } => {
            let consent = NewConsent {
                reference,
                camera_id: camera,
                controller,
                consented_by,
                consent_date: date,
                scope,
                max_level: level,
            };
            let k = session.record_consent(&consent).await?;
            emit(cx.json, &k, || format!("consent {} recorded for {} up to {}", k.reference, k.camera_id, k.max_level))
        }
    }
}
