//! Running the `anpr` binary as scripts do.
#![allow(clippy::unwrap_used, dead_code)]

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output, Stdio};

pub const PASSWORD: &str = "Demo-pass-1!";

pub fn anpr(data: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_anpr"));
    cmd.arg("--data-dir").arg(data).args(args).env("ANPR_PASSWORD", PASSWORD).stdin(Stdio::null());
    cmd
}

pub fn run(data: &Path, args: &[&str]) -> (i32, Value, String) {
    let Output { status, stdout, stderr } = anpr(data, args).output().unwrap();
    let json = serde_json::from_slice(&stdout).unwrap_or(Value::Null);
    (status.code().unwrap_or(-1), json, String::from_utf8_lossy(&stderr).into_owned())
}

/// The store in `data` opened as the app opens it (the data key unwrapped with a demo
/// password), for tests that look inside the encrypted database.
pub async fn open_store(data: &Path) -> anpr_core::Workstation {
    let clock = std::sync::Arc::new(anpr_core::SystemClock);
    anpr_core::Workstation::unlock(data, clock, "demo.admin", PASSWORD).await.unwrap()
}

/// A data directory with the demo accounts and a few demo reads.
pub fn demo_store(parent: &Path, reads: &str) -> std::path::PathBuf {
    let data = parent.join("data");
    let (code, json, err) =
        run(&data, &["demo", "--reads", reads, "--seed", "99", "--no-images", "--no-eval-kit", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json["import"]["reads_accepted"], reads.parse::<u64>().unwrap());
    data
}

/// `anpr --user demo.investigator search` in the demo's Priority and Volume case with
/// `justification`, `--json`, then `extra`.
pub fn search_pv(data: &Path, justification: &str, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec![
        "--user",
        "demo.investigator",
        "search",
        "--investigation",
        "NS-PV-0001",
        "--purpose",
        "investigation",
        "--justification",
        justification,
        "--json",
    ];
    args.extend_from_slice(extra);
    run(data, &args)
}
