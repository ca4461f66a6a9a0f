//! `anpr`: the ANPR Workstation's command line (shared spec cli.md). It parses, calls the
//! core, and prints text (stderr) or one JSON document (stdout, `--json`). Exit codes:
//! 0 success, 1 error, 2 usage, 3 refused by policy, 4 authentication failed or locked.

mod analysis;
mod casework;
mod commands;
mod evaluation;
mod evidence;
mod export;
mod output;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "anpr", version, about = "ANPR Workstation command line (NASPLE v2.4)")]
pub struct Cli {
    /// The data directory (anpr.db and blobs/). Default: the platform's data directory.
    #[arg(long, env = "ANPR_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// The account acting; its password comes from ANPR_PASSWORD or a prompt.
    #[arg(long, global = true)]
    user: Option<String>,
    /// Print one JSON document on stdout (human text goes to stderr).
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make a complete demo data directory, or with --bundle a demo read bundle.
    Demo(commands::DemoArgs),
    /// Create a new, encrypted data directory and its first administrator (first run); prints
    /// the recovery key once.
    Setup(commands::SetupArgs),
    /// Encrypt a data directory made before encryption at rest (administrators); every account
    /// keeps its password; prints the recovery key once.
    Encrypt,
    /// Regain an administrator account of an encrypted store with its recovery key (from
    /// ANPR_RECOVERY_KEY or a prompt): sets a temporary password (ANPR_NEW_PASSWORD or a prompt).
    Recover {
        /// The administrator account.
        admin: String,
    },
    /// Import a read bundle (bundle-format.md), or another system's read file (OpenALPR JSON,
    /// Plate Recognizer Snapshot JSON or Stream CSV, Genetec AutoVu XML) found by its content.
    Import {
        /// The bundle folder, or the read file.
        bundle: PathBuf,
    },
    /// Accounts (administrators), and changing your own password.
    #[command(subcommand)]
    User(commands::UserCommand),
    /// The audit trail (auditors).
    #[command(subcommand)]
    Audit(commands::AuditCommand),
    /// Check the store (auditors): SQLite integrity, the audit chain, image records against
    /// the blob files, and row counts; exit 0 when sound, 1 listing what is wrong.
    Check,
    /// Search reads for an investigation, within Annex C.
    Search(casework::SearchArgs),
    /// Investigative analyses (journey, convoy, stakeout, cloned plate, list), each a search under Annex C.
    Analyse(analysis::AnalyseArgs),
    /// Investigations and their escalation (Annex B).
    #[command(subcommand)]
    Investigation(casework::InvestigationCommand),
    /// What Annex C allows.
    #[command(subcommand)]
    Access(casework::AccessCommand),
    /// Written authorities for searches (the authorisation queue).
    #[command(subcommand)]
    Authority(casework::AuthorityCommand),
    /// The camera register and Restricted Access grants (administrators).
    #[command(subcommand)]
    Camera(casework::CameraCommand),
    /// Local retention (8.9, 9.5.1, 9.8).
    #[command(subcommand)]
    Retention(casework::RetentionCommand),
    /// Evidential court bundles (9.4).
    #[command(subcommand)]
    Report(evidence::ReportCommand),
    /// Controller consents to describe camera locations (9.4.3).
    #[command(subcommand)]
    Consent(evidence::ConsentCommand),
    /// Camera capture/read evaluations (8.14); scoring works on local files, without login.
    #[command(subcommand)]
    Eval(evaluation::EvalCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    let json = cli.json;
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => output::failure(&e, json),
    }
}
