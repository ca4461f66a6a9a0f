//! Project automation (the rust-analyzer `xtask` pattern): `cargo xtask run | test | bench`.
//! Each command first installs what a fresh Debian/Ubuntu machine lacks, so a clean clone
//! needs nothing done by hand.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  run            build the anpr CLI, make a demo data directory on first run, print how to use it
  test           install missing tools, then fmt check, clippy (warnings denied) and every test
  bench import   import benchmark: 1M reads without images and 100k with plate patches,
                 against a naive row-at-a-time baseline measured in the same run";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["run"] => run(),
        ["test"] => test(),
        ["bench", "import", rest @ ..] => bench_import(rest),
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_owned).unwrap_or_default()
}

/// Runs a command in the workspace root, echoing it, failing on a non-zero exit.
fn sh(program: &str, args: &[&str]) -> Result<()> {
    eprintln!("$ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(root())
        .status()
        .with_context(|| format!("cannot start {program}"))?;
    if !status.success() {
        bail!("{program} {} failed ({status})", args.join(" "));
    }
    Ok(())
}

fn succeeds(program: &str, args: &[&str]) -> bool {
    Command::new(program).args(args).output().is_ok_and(|o| o.status.success())
}

/// rustfmt and clippy come with most toolchains but not all; rustup adds them.
fn ensure_rust_components() -> Result<()> {
    for (component, probe) in [("rustfmt", "fmt"), ("clippy", "clippy")] {
        if !succeeds("cargo", &[probe, "--version"]) {
            sh("rustup", &["component", "add", component])?;
        }
    }
    Ok(())
}

fn test() -> Result<()> {
    ensure_rust_components()?;
    sh("cargo", &["fmt", "--all", "--", "--check"])?;
    sh("cargo", &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])?;
    sh("cargo", &["test", "--workspace"])?;
    Ok(())
}

fn run() -> Result<()> {
    sh("cargo", &["build", "--release", "-p", "anpr-cli"])?;
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
    let anpr = target.join("release/anpr");
    let data = target.join("demo-data");
    if !data.join("anpr.db").exists() {
        let anpr = anpr.display().to_string();
        let data = data.display().to_string();
        sh(&anpr, &["--data-dir", &data, "demo"])?;
    }
    println!(
        "The demo data directory is ready.

  export ANPR_DATA_DIR={data}
  export ANPR_PASSWORD='Demo-pass-1!'
  {anpr} import BUNDLE --user demo.investigator       # import a read bundle
  {anpr} user list --user demo.admin                  # accounts
  {anpr} audit verify --user demo.auditor             # check the audit trail
  {anpr} --help

The desktop app arrives with the desktop issue; until then the CLI is the way in.",
        data = data.display(),
        anpr = anpr.display()
    );
    Ok(())
}

fn bench_import(rest: &[&str]) -> Result<()> {
    let mut args = vec!["bench", "-p", "anpr-core", "--bench", "import", "--"];
    args.extend_from_slice(rest);
    sh("cargo", &args)
}
