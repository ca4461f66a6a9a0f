//! Printing results and errors the way cli.md promises.

use anpr_core::{AuthFailure, Error};
use serde::Serialize;
use std::process::ExitCode;

/// Prints `value` as the one JSON document on stdout, or `human` on stderr.
pub fn emit<T: Serialize>(json: bool, value: &T, human: impl FnOnce() -> String) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else {
        eprintln!("{}", human());
    }
    Ok(())
}

/// A failure whose document or message is already printed: only the exit code remains.
#[derive(Debug, thiserror::Error)]
#[error("exit {0}")]
pub struct AlreadyReported(pub u8);

/// Exit code for an error (cli.md).
fn exit_code(error: &anyhow::Error) -> u8 {
    match error.downcast_ref::<Error>() {
        Some(Error::Refused(_)) => 3,
        Some(Error::Authentication(_)) => 4,
        _ => 1,
    }
}

pub fn failure(error: &anyhow::Error, json: bool) -> ExitCode {
    if let Some(AlreadyReported(code)) = error.downcast_ref() {
        return ExitCode::from(*code);
    }
    let core = error.downcast_ref::<Error>();
    let (code, clause, needs) = match core {
        Some(Error::Refused(r)) => ("refused", Some(r.clause.clone()), r.needs.clone()),
        Some(e) => (e.code(), None, None),
        None => ("error", None, None),
    };
    let files = match core {
        Some(Error::BundleRefused { files, .. }) => files.clone(),
        _ => vec![],
    };
    if json {
        let doc = serde_json::json!({
            "error": code, "message": format!("{error:#}"), "clause": clause, "needs": needs, "files": files,
        });
        println!("{doc:#}");
    }
    eprintln!("error: {error:#}");
    for file in &files {
        eprintln!("  {file}");
    }
    if let Some(Error::Authentication(AuthFailure::PasswordChangeRequired { .. })) = core {
        eprintln!(
            "change it with: anpr user passwd --user NAME (current password in ANPR_PASSWORD, new in ANPR_NEW_PASSWORD)"
        );
    }
    ExitCode::from(exit_code(error))
}
