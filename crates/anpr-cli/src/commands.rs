//! One function per command: parse arguments into a core call, print the result.

use crate::output::emit;
use crate::{Cli, Command};
use crate::{analysis, casework, evidence};
use anpr_core::demo::{DemoOptions, EvalKitOptions, EvalKitSummary};
use anpr_core::keyring::RecoveryKey;
use anpr_core::types::{ImportProgress, Rank, Role};
use anpr_core::{AuthFailure, Error, Session, StoreState, SystemClock, Workstation};
use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Number of reads.
    #[arg(long, default_value_t = anpr_core::demo::DEFAULT_READS)]
    reads: usize,
    /// Seed: the same seed on the same day gives the same data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// No plate patches or overview images (large benchmark sets).
    #[arg(long)]
    no_images: bool,
    /// Write a read bundle to this folder instead of making a data directory.
    #[arg(long)]
    bundle: Option<PathBuf>,
    /// Do not write the video evaluation kit (DIR/demo-eval/; never written with --bundle), which takes
    /// half a minute or so.
    #[arg(long)]
    no_eval_kit: bool,
    /// Vehicles in the evaluation kit's video (at least 10).
    #[arg(long, default_value_t = anpr_core::demo::DEFAULT_EVAL_VEHICLES)]
    eval_vehicles: usize,
}

#[derive(Debug, Args)]
pub struct SetupArgs {
    /// User name of the first administrator (password from ANPR_PASSWORD or a prompt).
    #[arg(long)]
    admin: String,
    #[arg(long)]
    full_name: String,
    /// The force or agency; passwords may not be based on it (NASPLE Appendix A 8).
    #[arg(long)]
    organisation: String,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account with a temporary password (changed at first login, Appendix A 13).
    Add {
        username: String,
        #[arg(long)]
        full_name: String,
        #[arg(long)]
        role: Role,
        #[arg(long, default_value = "none")]
        rank: Rank,
        /// The temporary password; otherwise from ANPR_NEW_PASSWORD or a prompt.
        #[arg(long, env = "ANPR_NEW_PASSWORD", hide_env_values = true)]
        temp_password: Option<String>,
    },
    /// List accounts.
    List,
    /// Unlock an account locked after 5 failed logins (Appendix A 12).
    Unlock { username: String },
    /// Suspend an account (9.3.2).
    Suspend { username: String },
    /// Reactivate a suspended account after review (9.3.2).
    Reactivate { username: String },
    /// Set an account's role and rank.
    Role {
        username: String,
        #[arg(long)]
        role: Role,
        #[arg(long, default_value = "none")]
        rank: Rank,
    },
    /// Set a temporary password for another account (administrators) or, with no name, change
    /// your own (current password in ANPR_PASSWORD, new one in ANPR_NEW_PASSWORD or a prompt).
    Passwd { username: Option<String> },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the whole trail for tampering: exit 0 when intact, 1 naming the first broken entry.
    Verify,
    /// Print the trail for a period (default: all), with its hashes.
    Export {
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
    },
}

/// The platform's data directory for the app, when none is given.
fn default_data_dir() -> anyhow::Result<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("APPDATA").map(PathBuf::from))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .context("no data directory: give --data-dir or ANPR_DATA_DIR")?;
    Ok(base.join("anpr-workstation"))
}

/// A secret from an environment variable or, on a terminal, a prompt.
fn secret(variable: &str, prompt: &str) -> anyhow::Result<String> {
    if let Ok(value) = std::env::var(variable) {
        return Ok(value);
    }
    if std::io::stdin().is_terminal() {
        return Ok(rpassword::prompt_password(prompt)?);
    }
    Err(Error::Authentication(AuthFailure::UnknownUser))
        .with_context(|| format!("{variable} is not set and there is no terminal to ask on"))
}

/// Times on the command line: RFC 3339, or a date meaning midnight UK local time (cli.md).
pub fn parse_time(text: &str) -> anyhow::Result<DateTime<Utc>> {
    anpr_core::time::parse(text).map_err(anyhow::Error::msg)
}

fn bar(total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg:12} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

fn report_progress(bar: &ProgressBar) -> impl FnMut(ImportProgress) + Send + '_ {
    move |p: ImportProgress| {
        bar.set_length(p.total);
        bar.set_position(p.done);
        bar.set_message(format!("{:?}", p.stage).to_lowercase());
    }
}

pub struct Cx {
    pub ws: Workstation,
    user: Option<String>,
    /// The password that opened an encrypted store: the login that follows does not ask again.
    password: Option<String>,
    pub json: bool,
}

impl Cx {
    /// Opens the store in `data_dir`: an encrypted one with `--user`'s password (asked once).
    async fn open(data_dir: &Path, user: Option<String>, json: bool) -> anyhow::Result<Self> {
        let clock = Arc::new(SystemClock);
        let (ws, password) = match Workstation::state(data_dir)? {
            StoreState::Empty => {
                bail!("there is no store in {}: make one with `anpr setup` or `anpr demo`", data_dir.display())
            }
            StoreState::Plain => (Workstation::open(data_dir, clock).await?, None),
            StoreState::Encrypted => {
                let Some(name) = &user else {
                    return Err(Error::StoreLocked(data_dir.display().to_string()))
                        .context("give --user NAME (password from ANPR_PASSWORD or a prompt)");
                };
                let password = secret("ANPR_PASSWORD", &format!("password for {name}: "))?;
                (Workstation::unlock(data_dir, clock, name, &password).await?, Some(password))
            }
        };
        Ok(Self { ws, user, password, json })
    }

    fn password(&self, user: &str) -> anyhow::Result<String> {
        match &self.password {
            Some(password) => Ok(password.clone()),
            None => secret("ANPR_PASSWORD", &format!("password for {user}: ")),
        }
    }

    pub async fn login(&self) -> anyhow::Result<Session> {
        let Some(user) = &self.user else { bail!("this command needs --user NAME") };
        Ok(self.ws.login(user, &self.password(user)?).await?)
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    // Scoring an evaluation reads two local files, and the access check is Annex C alone:
    // no data directory is opened.
    let cli = match cli.command {
        Command::Eval(command) if !command.needs_store() => return crate::evaluation::eval(command, cli.json),
        Command::Access(command) => return casework::access(cli.json, command),
        command => Cli { command, ..cli },
    };
    let data_dir = match cli.data_dir {
        Some(d) => d,
        None => default_data_dir()?,
    };
    if let Command::Demo(args) = &cli.command
        && let Some(out) = &args.bundle
    {
        return demo_bundle(args, out, cli.json);
    }
    let json = cli.json;
    match &cli.command {
        Command::Demo(args) => return demo(args, &data_dir, json).await,
        Command::Setup(args) => return setup(args, &data_dir, json).await,
        Command::Recover { admin } => return recover(admin, &data_dir, json).await,
        _ => {}
    }
    let cx = Cx::open(&data_dir, cli.user, json)
        .await
        .with_context(|| format!("opening the data directory {}", data_dir.display()))?;
    match cli.command {
        Command::Demo(_) | Command::Setup(_) | Command::Recover { .. } | Command::Access(_) => {
            unreachable!("handled above")
        }
        Command::Encrypt => encrypt(&cx).await,
        Command::Import { bundle } => import(&cx, &bundle).await,
        Command::User(command) => user(&cx, command).await,
        Command::Audit(command) => audit(&cx, command).await,
        Command::Check => check(&cx).await,
        Command::Search(args) => casework::search(&cx, args).await,
        Command::Analyse(args) => analysis::analyse(&cx, args).await,
        Command::Investigation(command) => casework::investigation(&cx, command).await,
        Command::Authority(command) => casework::authority(&cx, command).await,
        Command::Camera(command) => casework::camera(&cx, command).await,
        Command::Retention(command) => casework::retention(&cx, command).await,
        Command::Report(command) => evidence::report(&cx, command).await,
        Command::Consent(command) => evidence::consent(&cx, command).await,
        Command::Eval(command) => crate::evaluation::eval_store(&cx, command).await,
    }
}

fn demo_options(args: &DemoArgs) -> DemoOptions {
    // Anchored at the start of today (UTC): the same seed gives the same data all day.
    let anchor = Utc::now().date_naive().and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    DemoOptions { seed: args.seed, reads: args.reads, images: !args.no_images, anchor }
}

fn demo_bundle(args: &DemoArgs, out: &Path, json: bool) -> anyhow::Result<()> {
    let bar = bar(args.reads as u64);
    let summary = anpr_core::demo::write_bundle(out, &demo_options(args), &mut |p| bar.set_position(p.done as u64))?;
    bar.finish_and_clear();
    emit(json, &summary, || {
        format!(
            "demo bundle written to {}: {} cameras, {} reads ({} not read), {} plate patches, {} overview images",
            out.display(),
            summary.cameras,
            summary.reads,
            summary.not_read,
            summary.plate_images,
            summary.overview_images
        )
    })
}

/// A new encrypted store in `data_dir`, refused where one exists.
async fn create_store(data_dir: &Path) -> anyhow::Result<(Workstation, RecoveryKey)> {
    Workstation::create_encrypted(data_dir, Arc::new(SystemClock))
        .await
        .with_context(|| format!("creating a store in {}", data_dir.display()))
}

/// The recovery key, said once with what it is for (the JSON carries it as `recovery_key`).
fn recovery_text(key: &RecoveryKey) -> String {
    format!(
        "\nrecovery key (shown once; keep it sealed, apart from this computer: with it an administrator \
         account can be regained if every administrator password is lost):\n  {}",
        key.as_str()
    )
}

async fn demo(args: &DemoArgs, data_dir: &Path, json: bool) -> anyhow::Result<()> {
    let (ws, recovery) = create_store(data_dir).await?;
    let options = demo_options(args);
    let bar = bar(args.reads as u64 * 2);
    let report = ws.create_demo(&options, data_dir, &mut report_progress(&bar)).await?;
    bar.finish_and_clear();
    let kit = match args.no_eval_kit {
        true => None,
        false => Some(eval_kit(args, &options, &data_dir.join("demo-eval"))?),
    };
    let doc = serde_json::json!({ "data_dir": data_dir, "demo": report.data, "import": report.import,
        "accounts": anpr_core::setup::DEMO_ACCOUNTS.iter().map(|a| a.0).collect::<Vec<_>>(), "eval_kit": kit,
        "recovery_key": recovery.as_str() });
    emit(json, &doc, || {
        let accounts: Vec<String> = anpr_core::setup::DEMO_ACCOUNTS
            .iter()
            .map(|(u, _, role, rank)| format!("  {u:22} {role} ({rank})"))
            .collect();
        let mut text = format!(
            "demo data directory {}: {} cameras, {} reads imported ({} not read), {} images\naccounts (password {}):\n{}",
            data_dir.display(),
            report.data.cameras,
            report.import.reads_accepted,
            report.data.not_read,
            report.import.images_stored,
            anpr_core::setup::DEMO_PASSWORD,
            accounts.join("\n")
        );
        if let Some(kit) = &kit {
            text.push_str(&eval_kit_text(kit));
        }
        text.push_str(&recovery_text(&recovery));
        text
    })
}

/// Writes the video evaluation kit with a progress bar over its frames.
fn eval_kit(args: &DemoArgs, options: &DemoOptions, out: &Path) -> anyhow::Result<EvalKitSummary> {
    let bar = bar(0);
    bar.set_message("video");
    let kit = EvalKitOptions { seed: args.seed, vehicles: args.eval_vehicles, anchor: options.anchor };
    let summary = anpr_core::demo::write_eval_kit(out, &kit, &mut |p| {
        bar.set_length(p.total as u64);
        bar.set_position(p.done as u64);
    })
    .with_context(|| format!("writing the evaluation kit to {}", out.display()))?;
    bar.finish_and_clear();
    Ok(summary)
}

fn eval_kit_text(kit: &EvalKitSummary) -> String {
    let folder = kit.folder.display();
    let lines = [
        format!("\nevaluation kit {folder}:"),
        format!(
            "  video.mp4  H.264 {}x{} at {} fps, {} frames ({:.1} min), {:.1} MB, clock starts {}",
            kit.width,
            kit.height,
            kit.fps,
            kit.frames,
            kit.frames as f64 / f64::from(kit.fps) / 60.0,
            kit.video_bytes as f64 / 1e6,
            kit.clock_start.to_rfc3339()
        ),
        format!(
            "  truth.csv  {} vehicles ({} with a visible plate; {} by day, {} at night)",
            kit.vehicles, kit.visible, kit.day, kit.night
        ),
        format!(
            "  reads.csv  {} reads by camera {} ({} missed, {} misread, {} not read, {} duplicate, {} stray)",
            kit.reads, kit.camera_id, kit.missed, kit.misread, kit.not_read, kit.duplicates, kit.stray
        ),
        format!(
            "  the camera's clock is {:.1} s ahead of the video's; to score: anpr eval score --truth \
             {folder}/truth.csv --reads {folder}/reads.csv --camera {} --system-type {} --offset-s {:.1}",
            kit.camera_clock_offset_s, kit.camera_id, kit.system_type, kit.camera_clock_offset_s
        ),
    ];
    lines.join("\n")
}

async fn setup(args: &SetupArgs, data_dir: &Path, json: bool) -> anyhow::Result<()> {
    let password = secret("ANPR_PASSWORD", "password for the first administrator: ")?;
    let (ws, recovery) = Workstation::create_with_administrator(
        data_dir,
        Arc::new(SystemClock),
        &args.admin,
        &args.full_name,
        &args.organisation,
        &password,
    )
    .await
    .with_context(|| format!("creating a store in {}", data_dir.display()))?;
    ws.close().await;
    let doc = serde_json::json!({ "administrator": args.admin, "recovery_key": recovery.as_str() });
    emit(json, &doc, || {
        format!("encrypted store created; administrator {} created{}", args.admin, recovery_text(&recovery))
    })
}

async fn encrypt(cx: &Cx) -> anyhow::Result<()> {
    let session = cx.login().await?;
    let bar = bar(0);
    bar.set_message("images");
    let recovery = session
        .encrypt_store(&mut |p| {
            bar.set_length(p.total);
            bar.set_position(p.done);
        })
        .await?;
    bar.finish_and_clear();
    let doc = serde_json::json!({ "encrypted": cx.ws.data_dir(), "recovery_key": recovery.as_str() });
    emit(cx.json, &doc, || {
        format!(
            "{} is encrypted; every account keeps its password{}",
            cx.ws.data_dir().display(),
            recovery_text(&recovery)
        )
    })
}

async fn recover(admin: &str, data_dir: &Path, json: bool) -> anyhow::Result<()> {
    let key = secret("ANPR_RECOVERY_KEY", "recovery key: ")?;
    let ws = Workstation::unlock_with_recovery_key(data_dir, Arc::new(SystemClock), &key).await?;
    let password = secret("ANPR_NEW_PASSWORD", &format!("temporary password for {admin}: "))?;
    ws.recover_administrator(admin, &password).await?;
    emit(json, &serde_json::json!({ "recovered": admin }), || {
        format!("{admin} has a temporary password, to be changed at the next login (NASPLE Appendix A 13)")
    })
}

async fn import(cx: &Cx, bundle: &Path) -> anyhow::Result<()> {
    let session = cx.login().await?;
    let bar = bar(0);
    let summary = session.import_path(bundle, &mut report_progress(&bar), &AtomicBool::new(false)).await?;
    bar.finish_and_clear();
    emit(cx.json, &summary, || {
        let mut text = format!(
            "imported {}: {} reads accepted, {} duplicate, {} rejected; {} images stored, {} rejected; {} cameras added\nbundle SHA-256 {}",
            summary.bundle,
            summary.reads_accepted,
            summary.reads_duplicate,
            summary.reads_rejected,
            summary.images_stored,
            summary.images_rejected,
            summary.cameras_added,
            summary.bundle_sha256
        );
        for w in &summary.warnings {
            text.push_str(&format!("\nwarning: {w}"));
        }
        for e in &summary.errors {
            text.push_str(&format!("\n{}:{}: {}", e.file, e.line, e.reason));
        }
        text
    })
}

async fn user(cx: &Cx, command: UserCommand) -> anyhow::Result<()> {
    if let UserCommand::Passwd { username: None } = &command {
        let Some(user) = &cx.user else { bail!("this command needs --user NAME") };
        let current = cx.password(user)?;
        let new = secret("ANPR_NEW_PASSWORD", "new password: ")?;
        cx.ws.change_password(user, &current, &new).await?;
        return emit(cx.json, &serde_json::json!({ "changed": user }), || format!("password changed for {user}"));
    }
    let session = cx.login().await?;
    let changed = match command {
        UserCommand::List => {
            let users = session.list_users().await?;
            return emit(cx.json, &serde_json::json!({ "users": users }), || {
                users
                    .iter()
                    .map(|u| {
                        let state = if u.locked {
                            "locked"
                        } else if u.suspended {
                            "suspended"
                        } else {
                            "active"
                        };
                        format!("{:22} {:24} {:17} {:15} {state}", u.username, u.full_name, u.role, u.rank)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        UserCommand::Add { username, full_name, role, rank, temp_password } => {
            let temporary_password = match temp_password {
                Some(p) => p,
                None => secret("ANPR_NEW_PASSWORD", &format!("temporary password for {username}: "))?,
            };
            let account = anpr_core::accounts::NewAccount { username, full_name, role, rank, temporary_password };
            session.add_user(&account).await?
        }
        UserCommand::Unlock { username } => session.unlock_user(&username).await?,
        UserCommand::Suspend { username } => session.suspend_user(&username).await?,
        UserCommand::Reactivate { username } => session.reactivate_user(&username).await?,
        UserCommand::Role { username, role, rank } => session.set_user_role(&username, role, rank).await?,
        UserCommand::Passwd { username: Some(username) } => {
            let temporary = secret("ANPR_NEW_PASSWORD", &format!("temporary password for {username}: "))?;
            session.reset_password(&username, &temporary).await?
        }
        UserCommand::Passwd { username: None } => unreachable!("handled above"),
    };
    emit(cx.json, &changed, || {
        format!(
            "{}: {} ({}, rank {}), locked {}, suspended {}",
            changed.username, changed.full_name, changed.role, changed.rank, changed.locked, changed.suspended
        )
    })
}

async fn check(cx: &Cx) -> anyhow::Result<()> {
    let report = cx.login().await?.check_store().await?;
    let (ok, problems) = (report.ok(), report.problems());
    let mut document = serde_json::to_value(&report)?;
    document["ok"] = ok.into();
    document["problems"] = problems.clone().into();
    emit(cx.json, &document, || {
        let counts: Vec<String> = report.counts.iter().map(|(table, n)| format!("{table} {n}")).collect();
        let verdict = if ok { "store sound".to_owned() } else { problems.join("\n") };
        format!("{verdict}\n{} blob files; {}", report.blob_files, counts.join(", "))
    })?;
    if ok { Ok(()) } else { Err(crate::output::AlreadyReported(1).into()) }
}

async fn audit(cx: &Cx, command: AuditCommand) -> anyhow::Result<()> {
    let session = cx.login().await?;
    match command {
        AuditCommand::Verify => {
            let result = session.audit_verify().await?;
            let ok = result.ok;
            emit(cx.json, &result, || match (result.first_broken, &result.reason) {
                (Some(seq), Some(reason)) => format!("audit trail BROKEN at entry {seq}: {reason}"),
                _ => format!("audit trail intact: {} entries verified", result.entries),
            })?;
            // Exit 1 naming the first broken entry (cli.md); the document is already printed.
            if ok { Ok(()) } else { Err(crate::output::AlreadyReported(1).into()) }
        }
        AuditCommand::Export { from, to } => {
            let from = from.as_deref().map(parse_time).transpose()?;
            let to = to.as_deref().map(parse_time).transpose()?;
            let entries = session.audit_export(from, to).await?;
            emit(cx.json, &serde_json::json!({ "entries": entries }), || {
                entries
                    .iter()
                    .map(|e| {
                        format!("{} {} {} {} {} {} {}", e.seq, e.time, e.user, e.action, e.object, e.outcome, e.hash)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
    }
}
