//! `cargo xtask dist [--check]`: the Linux installer, a .deb built by the Tauri bundler
//! (tauri-cli, installed here on first use: it takes ~16 minutes, so it stays out of `test`).
//! `--check` installs the package with dpkg (root) and drives the installed app's first run
//! over WebDriver: an empty data directory, the first administrator created (screenshot).

use crate::{
    Tool, XVFB_SCREEN, build_ui, command, display, ensure_everything, ensure_tool, root, run_command, sh, target_dir,
};
use anyhow::{Context, Result, bail};
use std::path::PathBuf;

const TAURI_CLI: Tool =
    Tool { krate: "tauri-cli", version: "2.12.4", locked: true, binary: "cargo-tauri", has_version_flag: true };

/// Where the installed package puts the app.
const INSTALLED_APP: &str = "/usr/bin/anpr-desktop";

pub fn dist(check: bool) -> Result<()> {
    ensure_everything()?;
    ensure_tool(&TAURI_CLI)?;
    // The bundler embeds ui/dist as it is: build it first (no beforeBuildCommand, toolchain.md).
    build_ui(true)?;
    let mut c = command("cargo");
    c.current_dir(root().join("src-tauri")).args(["tauri", "build", "--bundles", "deb", "--ci"]);
    run_command(c)?;
    let deb = newest_deb()?;
    let bytes = std::fs::metadata(&deb)?.len();
    eprintln!("\ninstaller: {} ({:.1} MB)", deb.display(), bytes as f64 / 1e6);
    sh("dpkg-deb", &["--info", &display(&deb)])?;
    if check {
        install_and_start(&deb)?;
    }
    Ok(())
}

fn newest_deb() -> Result<PathBuf> {
    let dir = target_dir().join("release/bundle/deb");
    let mut debs: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "deb"))
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
        .collect();
    debs.sort();
    debs.pop().map(|(_, p)| p).with_context(|| format!("no .deb in {}", dir.display()))
}

/// Installs the package (its dependencies from the distribution) and runs the first-run
/// end-to-end test against the installed binary on an empty data directory.
fn install_and_start(deb: &std::path::Path) -> Result<()> {
    sh("apt-get", &["install", "-y", "--no-install-recommends", &display(deb)])?;
    if !std::path::Path::new(INSTALLED_APP).exists() {
        bail!("the package did not install {INSTALLED_APP}");
    }
    let work = target_dir().join("dist-check");
    if work.exists() {
        std::fs::remove_dir_all(&work)?;
    }
    std::fs::create_dir_all(work.join("data"))?;
    // The first-run test makes its own empty data directory beside ANPR_E2E_DATA.
    let mut c = command("xvfb-run");
    c.args(["-a", "-s", XVFB_SCREEN, "cargo", "test", "-p", "anpr-e2e", "--test", "app", "the_first_run"])
        .env("ANPR_E2E_APP", INSTALLED_APP)
        .env("ANPR_E2E_DATA", work.join("data"))
        .env("ANPR_E2E_BUNDLE", &work)
        .env("ANPR_E2E_DEMO", &work)
        .env("ANPR_E2E_SCREENSHOTS", work.join("screenshots"));
    run_command(c)?;
    eprintln!("installed app started; first-run screenshot in {}", work.join("screenshots").display());
    Ok(())
}
