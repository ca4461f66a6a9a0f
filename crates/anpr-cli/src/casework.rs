//! Casework commands: search, investigations, Annex C checks, authorities, cameras, retention.

use crate::commands::{Cx, parse_time};
use crate::export::ExportArgs;
use crate::output::emit;
use anpr_core::types::{
    AuthorityRequest, Category, EscalationFactors, EscalationRequest, ExportSource, ExtensionReason, Investigation,
    NewCamera, NewInvestigation, Purpose, Rank, ReadSummary, RestrictionChange, RetainRequest, RetentionBasis,
    SearchRequest, SystemType,
};
use anpr_core::{Error, Session};
use chrono::Utc;
use clap::{Args, Subcommand};
use serde_json::json;

/// What every search and analysis names: the investigation, purpose, justification and scope
/// (Annex C).
#[derive(Debug, Args)]
pub struct ScopeArgs {
    /// The investigation's reference.
    #[arg(long)]
    investigation: String,
    #[arg(long)]
    purpose: Purpose,
    /// Why this search is necessary and proportionate (audited).
    #[arg(long)]
    justification: String,
    #[arg(long)]
    from: Option<String>,
    #[arg(long)]
    to: Option<String>,
    /// A camera id; repeat for several.
    #[arg(long = "camera")]
    cameras: Vec<String>,
    /// A general area (town, district, borough).
    #[arg(long)]
    area: Option<String>,
    /// An approved authority (AUTH-nnnn), or for cps_request the written request's reference.
    #[arg(long)]
    authority_ref: Option<String>,
}

impl ScopeArgs {
    /// The search request of this scope, of any VRM.
    pub fn request(self) -> SearchRequest {
        SearchRequest {
            investigation: self.investigation,
            purpose: Some(self.purpose),
            justification: self.justification,
            from: self.from,
            to: self.to,
            cameras: self.cameras,
            area: self.area,
            authority_ref: self.authority_ref,
            ..SearchRequest::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    #[command(flatten)]
    scope: ScopeArgs,
    /// A full VRM, or a pattern with ? (one character) and * (any run).
    #[arg(long)]
    vrm: Option<String>,
    /// Misread-tolerant: also reads whose VRM differs only by common OCR confusions (O/0, I/1,
    /// B/8, S/5, Z/2, D/0, G/6 and others: docs/vrm-search.md), closest first.
    #[arg(long, requires = "vrm")]
    fuzzy: bool,
    /// With --fuzzy: also reads with one character more or fewer.
    #[arg(long, requires = "fuzzy")]
    fuzzy_indel: bool,
    #[arg(long, default_value_t = 1000)]
    limit: u64,
    #[command(flatten)]
    export: ExportArgs,
}

#[derive(Debug, Subcommand)]
pub enum InvestigationCommand {
    /// The investigations this account may see.
    List,
    /// Open an investigation; its category follows from the offence (Annex B).
    Create {
        reference: String,
        #[arg(long)]
        title: String,
        /// An Annex B offence (see the desktop app's list) or any other (Priority and Volume).
        #[arg(long)]
        offence: String,
        #[arg(long)]
        sio: String,
        #[arg(long, default_value = "")]
        notes: String,
    },
    /// Escalate on this (ranked) account's authority (Annex B, 9.10.4).
    Escalate {
        reference: String,
        #[arg(long)]
        to: Category,
        #[arg(long)]
        reasons: String,
        #[arg(long)]
        community: String,
        #[arg(long)]
        offence: String,
        #[arg(long)]
        offender: String,
    },
    Close {
        reference: String,
    },
    Reopen {
        reference: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AccessCommand {
    /// Whether Annex C allows a search, without searching: exit 0 allowed, 3 not.
    Check {
        #[arg(long)]
        purpose: Purpose,
        #[arg(long)]
        category: Category,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        /// The rank of a written authority relied on.
        #[arg(long)]
        authority: Option<Rank>,
        /// Annex C reason (a), (b) or (c) for Priority and Volume over 90 days.
        #[arg(long)]
        reason: Option<ExtensionReason>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuthorityCommand {
    /// Ask for a written authority (Annex C).
    Request {
        #[arg(long)]
        investigation: String,
        #[arg(long, default_value = "investigation")]
        purpose: Purpose,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        #[arg(long)]
        reason_code: Option<ExtensionReason>,
        #[arg(long)]
        reason: String,
    },
    /// Requests and decisions (ranked accounts see all).
    List,
    /// Approve a pending request (Inspector or Superintendent).
    Approve {
        reference: String,
        #[arg(long)]
        note: String,
    },
    /// Decline a pending request.
    Decline {
        reference: String,
        #[arg(long)]
        note: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CameraCommand {
    /// The register (administrators).
    List,
    /// Register a camera.
    Add {
        camera_id: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        system_type: SystemType,
        #[arg(long)]
        latitude: f64,
        #[arg(long)]
        longitude: f64,
        #[arg(long)]
        area: String,
        #[arg(long)]
        postcode: Option<String>,
        #[arg(long)]
        road: Option<String>,
        #[arg(long)]
        controller: String,
        #[arg(long, default_value_t = 1)]
        lanes: i64,
    },
    /// Designate Restricted Access (8.8) on a senior manager's authorisation.
    Restrict(RestrictionArgs),
    /// Lift the designation (its record is kept).
    Unrestrict(RestrictionArgs),
    /// Grant a user a restricted camera.
    Grant(RestrictionArgs),
    /// Revoke a user's grant.
    Revoke(RestrictionArgs),
}

#[derive(Debug, Args)]
pub struct RestrictionArgs {
    camera_id: String,
    /// For grant and revoke.
    #[arg(long = "grantee")]
    username: Option<String>,
    /// The senior manager who authorised it.
    #[arg(long)]
    authorised_by: String,
    /// The authorisation's reference.
    #[arg(long)]
    reference: String,
}

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Apply the retention rules as of --now (default: the real time); prints counts by rule.
    Run {
        #[arg(long)]
        now: Option<String>,
    },
    /// What goes when, and what is retained.
    Status,
    /// Retain reads (store ids) under CPIA for an investigation, or after a MOPI review.
    Retain {
        #[arg(long, required = true, value_delimiter = ',')]
        reads: Vec<i64>,
        #[arg(long)]
        basis: RetentionBasis,
        #[arg(long)]
        investigation: Option<String>,
        #[arg(long)]
        reason: String,
    },
}

pub async fn search(cx: &Cx, args: SearchArgs) -> anyhow::Result<()> {
    let request = SearchRequest {
        vrm: args.vrm,
        limit: args.limit,
        fuzzy: args.fuzzy,
        fuzzy_indel: args.fuzzy_indel,
        ..args.scope.request()
    };
    if let Some(export) = args.export.request(ExportSource::Search(request.clone()))? {
        return crate::export::export(cx, &export).await;
    }
    let session = cx.login().await?;
    let results = session.search(&request).await?;
    let reads: Vec<_> = results
        .reads
        .iter()
        .map(|r| {
            let mut read = json!({ "read_id": r.read_id, "vrm": r.vrm, "read_time": r.read_time,
                "camera_id": r.camera_id, "general_area": r.general_area, "lane": r.lane, "direction": r.direction,
                "confidence": r.confidence, "plate_image_sha256": r.plate_image,
                "overview_image_sha256": r.overview_image, "likely_misread": r.likely_misread });
            if let Some(m) = &r.vrm_match {
                read["match"] = json!({ "cost": m.cost, "layout": m.layout,
                    "substitutions": m.edits.iter().map(ToString::to_string).collect::<Vec<_>>(), "edits": m.edits });
            }
            read
        })
        .collect();
    let doc = json!({ "total": results.total, "reads": reads, "grant": results.grant, "fuzzy": args.fuzzy });
    emit(cx.json, &doc, || {
        let mut lines = vec![format!(
            "{} read(s) ({} shown); {} ({}), {} to {}",
            results.total,
            results.reads.len(),
            results.grant.basis,
            results.grant.clause,
            results.grant.from_uk,
            results.grant.to_uk
        )];
        lines.extend(results.reads.iter().map(|r| {
            let mut line = read_line(r);
            if let Some(m) = &r.vrm_match {
                let edits: Vec<String> = m.edits.iter().map(ToString::to_string).collect();
                line.push_str(&format!("  [closeness {}: {}]", m.cost, edits.join(", ")));
            }
            if r.likely_misread {
                line.push_str("  (fits no UK layout: likely misread)");
            }
            line
        }));
        lines.join("\n")
    })
}

/// A read as human output lists it.
pub fn read_line(r: &ReadSummary) -> String {
    format!("{:14} {:10} {:26} {:14} {}", r.read_id, r.vrm, r.read_time_uk, r.camera_id, r.general_area)
}

fn investigation_line(i: &Investigation) -> String {
    format!("{:14} {:17} {:7} {} ({}) SIO {}", i.reference, i.category, i.status, i.title, i.offence, i.sio)
}

pub async fn investigation(cx: &Cx, command: InvestigationCommand) -> anyhow::Result<()> {
    let session = cx.login().await?;
    let one = match command {
        InvestigationCommand::List => {
            let all = session.list_investigations().await?;
            return emit(cx.json, &json!({ "investigations": all }), || {
                all.iter().map(investigation_line).collect::<Vec<_>>().join("\n")
            });
        }
        InvestigationCommand::Create { reference, title, offence, sio, notes } => {
            session.create_investigation(&NewInvestigation { reference, title, offence, sio, notes }).await?
        }
        InvestigationCommand::Escalate { reference, to, reasons, community, offence, offender } => {
            let factors = EscalationFactors { community, offence, offender };
            session.escalate_investigation(&EscalationRequest { reference, to, reasons, factors }).await?
        }
        InvestigationCommand::Close { reference } => session.set_investigation_open(&reference, false).await?,
        InvestigationCommand::Reopen { reference } => session.set_investigation_open(&reference, true).await?,
    };
    emit(cx.json, &one, || investigation_line(&one))
}

pub fn access(json: bool, command: AccessCommand) -> anyhow::Result<()> {
    let AccessCommand::Check { purpose, category, from, to, authority, reason } = command;
    let authority = authority.map(|rank| (rank, reason));
    let decision = anpr_core::investigations::check_access(purpose, category, (&from, &to), authority, Utc::now())?;
    emit(json, &decision, || {
        let verdict = if decision.allowed { "allowed" } else { "NOT allowed" };
        let needs = decision.needs.as_deref().map(|n| format!("\nneeds: {n}")).unwrap_or_default();
        format!("{verdict} (NASPLE {}): {}{needs}", decision.clause, decision.reason)
    })?;
    if decision.allowed { Ok(()) } else { Err(crate::output::AlreadyReported(3).into()) }
}

pub async fn authority(cx: &Cx, command: AuthorityCommand) -> anyhow::Result<()> {
    let session = cx.login().await?;
    let one = match command {
        AuthorityCommand::List => {
            let all = session.list_authorities().await?;
            return emit(cx.json, &json!({ "authorities": all }), || {
                all.iter()
                    .map(|a| {
                        format!(
                            "{} {:9} {} {} to {} by {}",
                            a.reference, a.status, a.investigation, a.from_uk, a.to_uk, a.requested_by
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        AuthorityCommand::Request { investigation, purpose, from, to, reason_code, reason } => {
            session
                .request_authority(&AuthorityRequest { investigation, purpose, from, to, reason_code, reason })
                .await?
        }
        AuthorityCommand::Approve { reference, note } => session.decide_authority(&reference, true, &note).await?,
        AuthorityCommand::Decline { reference, note } => session.decide_authority(&reference, false, &note).await?,
    };
    emit(cx.json, &one, || format!("{} is {}", one.reference, one.status))
}

async fn restriction(session: &Session, command: CameraCommand) -> Result<anpr_core::types::CameraInfo, Error> {
    let change = |a: RestrictionArgs| RestrictionChange {
        camera_id: a.camera_id,
        username: a.username,
        authorised_by: a.authorised_by,
        reference: a.reference,
    };
    match command {
        CameraCommand::Restrict(a) => session.set_camera_restricted(&change(a), true).await,
        CameraCommand::Unrestrict(a) => session.set_camera_restricted(&change(a), false).await,
        CameraCommand::Grant(a) => session.change_camera_grant(&change(a), true).await,
        CameraCommand::Revoke(a) => session.change_camera_grant(&change(a), false).await,
        CameraCommand::Add {
            camera_id,
            name,
            system_type,
            latitude,
            longitude,
            area,
            postcode,
            road,
            controller,
            lanes,
        } => {
            let camera = NewCamera {
                camera_id,
                name,
                system_type,
                latitude,
                longitude,
                general_area: area,
                postcode,
                road,
                controller,
                lanes,
            };
            session.add_camera(&camera).await
        }
        CameraCommand::List => unreachable!("listed by the caller"),
    }
}

pub async fn camera(cx: &Cx, command: CameraCommand) -> anyhow::Result<()> {
    let session = cx.login().await?;
    let line = |c: &anpr_core::types::CameraInfo| {
        let grants: Vec<&str> = c.grants.iter().map(|g| g.username.as_str()).collect();
        let restricted =
            if c.restricted { format!(" RESTRICTED (granted: {})", grants.join(", ")) } else { String::new() };
        format!("{:14} {:10} {:24} {}{restricted}", c.camera_id, c.system_type, c.general_area, c.name)
    };
    if let CameraCommand::List = command {
        let all = session.camera_register().await?;
        return emit(cx.json, &json!({ "cameras": all }), || all.iter().map(line).collect::<Vec<_>>().join("\n"));
    }
    let one = restriction(&session, command).await?;
    emit(cx.json, &one, || line(&one))
}

pub async fn retention(cx: &Cx, command: RetentionCommand) -> anyhow::Result<()> {
    let session = cx.login().await?;
    match command {
        RetentionCommand::Run { now } => {
            let as_of = now.as_deref().map(parse_time).transpose()?;
            let report = session.run_retention(as_of).await?;
            emit(cx.json, &report, || {
                format!(
                    "retention as of {}: {} read(s) deleted 7 days after entry, {} at 12 months from capture, {} image(s); {} retained read(s) kept",
                    report.as_of, report.seven_day_rule, report.twelve_month_rule, report.images, report.kept_retained
                )
            })
        }
        RetentionCommand::Status => {
            let outlook = session.retention_outlook().await?;
            emit(cx.json, &outlook, || {
                let mut lines = outlook.rules.clone();
                lines.extend(outlook.due.iter().map(|d| {
                    format!(
                        "{}: {} by the 7-day rule, {} by the 12-month rule",
                        d.date_uk, d.seven_day_rule, d.twelve_month_rule
                    )
                }));
                lines.push(format!("{} retained read(s)", outlook.retained.len()));
                lines.join("\n")
            })
        }
        RetentionCommand::Retain { reads, basis, investigation, reason } => {
            let added = session.retain_reads(&RetainRequest { reads, basis, investigation, reason }).await?;
            emit(cx.json, &json!({ "retained": added }), || format!("{added} read(s) newly retained"))
        }
    }
}
