//! Project automation (the rust-analyzer `xtask` pattern): `cargo xtask run | test | e2e | bench |
//! crash-test`.
//! Each command first installs what a fresh Debian/Ubuntu machine lacks, so a clean clone
//! needs nothing done by hand. Versions and traps: ../shared/toolchain.md.

mod crash;
mod dist;

use anyhow::{Context, Result, bail};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  run            install what is missing, build the UI and the desktop app (release), make a
                 demo data directory on first run, and start the app on it
  test           install what is missing, then fmt check, clippy (warnings denied), every
                 test, and the end-to-end suite
  e2e [--large]  install what is missing, build the UI, the app and a fresh demo store, and
                 drive the app over WebDriver under Xvfb (screenshots in
                 <target>/e2e-screenshots); --large also measures the read browser on a
                 100k-read store (made once, kept in <target>/e2e/large-data)
  bench import   import benchmark: 1M reads without images and 100k with plate patches,
                 against a naive row-at-a-time baseline measured in the same run
  bench search [--reads N] [--encrypted]
                 search benchmark on a demo store of N reads (default 10M, built once in
                 <target>/bench-search; --encrypted: an encrypted one): exact, prefix, infix,
                 ?, fuzzy; median and p95 beside a SQL LIKE scan and rg over the reads as CSV
  bench video [--frames N]
                 video benchmark on a 1080p H.264 MP4 of N frames (default 600, made once in
                 <target>/bench-video by the project's encoder): random seek median and p95,
                 playback frame rate plain and with JPEG encoding, pass detection throughput,
                 beside sequential decoding
  crash-test [--runs N] [--seed S]
                 kill imports, retention runs and evidence issues of the `anpr` CLI with
                 SIGKILL at seeded random moments (default 150 runs, seed 1) and check the
                 store after each: integrity, counts before or after, audit chain, blobs
                 (docs/crash-testing.md)
  icons          redraw the application icons in icons/ (needs ImageMagick)
  dist [--check | --check-clean]
                 the Linux installer (.deb) with the Tauri bundler (installs tauri-cli on
                 first use, ~16 min); --check installs it (root) and drives the installed
                 app's first run under Xvfb; --check-clean installs it on a clean Debian 12
                 root filesystem (debootstrap) and starts it there (screenshot)";

/// Debian packages the build and the end-to-end tests need (toolchain.md, "System packages").
const SYSTEM_PACKAGES: &[&str] = &[
    "libwebkit2gtk-4.1-dev",
    "build-essential",
    "pkg-config",
    "libssl-dev",
    "libxdo-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "poppler-utils",
    "ripgrep",
    "qpdf",
    "imagemagick",
    "nasm",
    // the encryption test shows the stock sqlite3 cannot read an encrypted store
    "sqlite3",
];

/// A cargo-installed tool at the version the project is proven with (toolchain.md).
struct Tool {
    /// The crate `cargo install` builds.
    krate: &'static str,
    version: &'static str,
    /// `--locked` where the tool's lockfile resolves; wasm-bindgen-cli's pins a crate version
    /// the registry index lacks, so it installs unlocked.
    locked: bool,
    /// The binary on PATH, and whether it answers `--version` (tauri-driver does not).
    binary: &'static str,
    has_version_flag: bool,
}

const TOOLS: &[Tool] = &[
    // trunk 0.22 needs a newer rustc than the project's 1.95.
    Tool { krate: "trunk", version: "0.21.14", locked: true, binary: "trunk", has_version_flag: true },
    // Must equal the `wasm-bindgen` crate version pinned in Cargo.toml exactly.
    Tool {
        krate: "wasm-bindgen-cli",
        version: "0.2.130",
        locked: false,
        binary: "wasm-bindgen",
        has_version_flag: true,
    },
    Tool { krate: "tauri-driver", version: "2.1.0", locked: true, binary: "tauri-driver", has_version_flag: false },
];

/// The demo store the end-to-end tests run on: big enough to scroll, quick to make.
const E2E_READS: &str = "3000";
/// The bundle the import test imports (another seed, so its reads are new to the store).
const E2E_BUNDLE_READS: &str = "200";
const LARGE_READS: &str = "100000";
/// The screen the app is tested at (the 1366x768).
const XVFB_SCREEN: &str = "-screen 0 1366x768x24";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["run"] => run(),
        ["test"] => test(),
        ["e2e"] => e2e(false),
        ["e2e", "--large"] => e2e(true),
        ["bench", "import", rest @ ..] => bench("import", rest),
        ["bench", "search", rest @ ..] => bench("search", rest),
        ["bench", "video", rest @ ..] => bench("video", rest),
        ["crash-test", rest @ ..] => crash::crash_test(rest),
        ["icons"] => icons(),
        ["dist"] => dist::dist(dist::Check::None),
        ["dist", "--check"] => dist::dist(dist::Check::Here),
        ["dist", "--check-clean"] => dist::dist(dist::Check::Clean),
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}

/// The workspace root. `cargo run` sets `CARGO_MANIFEST_DIR` for the running xtask too: that
/// is the clone being worked on, even when the binary was built (and reused from a shared
/// target directory) for a clone at another path; the compile-time value is the fallback.
fn root() -> PathBuf {
    let manifest =
        std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest.parent().map(Path::to_owned).unwrap_or_default()
}

/// Cargo's target directory: `CARGO_TARGET_DIR` when set (CI keeps it outside the clone so
/// repeated runs are incremental), else `target/` in the workspace.
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            // Cargo resolves a relative one against the directory it was started in.
            if dir.is_absolute() { dir } else { std::env::current_dir().unwrap_or_else(|_| root()).join(dir) }
        }
        None => root().join("target"),
    }
}

/// PATH with cargo's bin directory first: tools installed by this run must be found by it,
/// even on a machine whose shell profile has not added `~/.cargo/bin` yet.
fn search_path() -> OsString {
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|home| home.join("bin"));
    let current = std::env::var_os("PATH").unwrap_or_default();
    let mut paths: Vec<PathBuf> = cargo_bin.into_iter().collect();
    paths.extend(std::env::split_paths(&current));
    std::env::join_paths(paths).unwrap_or(current)
}

/// A command in the workspace root, with the search path above and the target directory made
/// absolute, so trunk (a cargo run from ui/) and the tests agree with xtask on it.
fn command(program: &str) -> Command {
    let mut command = Command::new(program);
    command.current_dir(root()).env("PATH", search_path()).env("CARGO_TARGET_DIR", target_dir());
    command
}

/// Runs a command, echoing it, failing on a non-zero exit.
fn run_command(mut command: Command) -> Result<()> {
    let shown = format!(
        "{} {}",
        command.get_program().to_string_lossy(),
        command.get_args().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" ")
    );
    eprintln!("$ {shown}");
    let status = command.status().with_context(|| format!("cannot start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
}

/// Runs `program args` in the workspace root.
fn sh(program: &str, args: &[&str]) -> Result<()> {
    let mut c = command(program);
    c.args(args);
    run_command(c)
}

fn output_of(program: &str, args: &[&str]) -> Option<String> {
    let output = command(program).args(args).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

fn succeeds(program: &str, args: &[&str]) -> bool {
    output_of(program, args).is_some()
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

/// Installs the missing Debian packages (as root, or through passwordless sudo).
fn ensure_system_packages() -> Result<()> {
    if !succeeds("dpkg-query", &["--version"]) {
        eprintln!(
            "note: not a Debian-like system; make sure these (or their equivalents) are installed: {}",
            SYSTEM_PACKAGES.join(" ")
        );
        return Ok(());
    }
    let missing: Vec<&str> = SYSTEM_PACKAGES
        .iter()
        .copied()
        .filter(|p| {
            !output_of("dpkg-query", &["-W", "-f=${Status}", p]).is_some_and(|s| s.contains("install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let root_user = output_of("id", &["-u"]).is_some_and(|id| id.trim() == "0");
    let sudo = !root_user && succeeds("sudo", &["-n", "true"]);
    if !root_user && !sudo {
        bail!(
            "missing system packages; install them as root and run again:\n  apt-get update && apt-get install -y {}",
            missing.join(" ")
        );
    }
    let apt = |args: &[&str]| {
        let mut c = command(if sudo { "sudo" } else { "apt-get" });
        if sudo {
            c.arg("apt-get");
        }
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        run_command(c)
    };
    apt(&["update"])?;
    let mut install = vec!["install", "-y", "--no-install-recommends"];
    install.extend(&missing);
    apt(&install)
}

/// Installs the missing tools at their proven versions, and the wasm target.
fn ensure_tools() -> Result<()> {
    for tool in TOOLS {
        ensure_tool(tool)?;
    }
    let targets = output_of("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !targets.lines().any(|t| t.trim() == "wasm32-unknown-unknown") {
        sh("rustup", &["target", "add", "wasm32-unknown-unknown"])?;
    }
    Ok(())
}

/// Installs `tool` at its proven version unless it is there.
fn ensure_tool(tool: &Tool) -> Result<()> {
    let installed = output_of("cargo", &["install", "--list"]).unwrap_or_default();
    let present = if tool.has_version_flag {
        output_of(tool.binary, &["--version"]).is_some_and(|v| v.split_whitespace().any(|w| w == tool.version))
    } else if installed.contains(&format!("\n{} v", tool.krate)) || installed.starts_with(tool.krate) {
        // Installed by cargo: its list says which version.
        installed.lines().any(|l| l.starts_with(&format!("{} v{}:", tool.krate, tool.version)))
    } else {
        // Installed some other way: trust it if it runs.
        succeeds(tool.binary, &["--help"])
    };
    if present {
        return Ok(());
    }
    let mut args = vec!["install", tool.krate, "--version", tool.version];
    if tool.locked {
        args.push("--locked");
    }
    sh("cargo", &args)
}

fn ensure_everything() -> Result<()> {
    ensure_system_packages()?;
    ensure_rust_components()?;
    ensure_tools()
}

/// Leaflet's version in ui/package.json (the lock file pins its hash).
const LEAFLET: &str = "1.9.4";

/// Installs Leaflet (the map's JavaScript and CSS) from npm into ui/node_modules, as
/// ui/package-lock.json pins it, unless that version is there. Trunk copies it into the build
/// (index.html); it is never committed.
fn ensure_leaflet() -> Result<()> {
    let ui = root().join("ui");
    let installed = std::fs::read_to_string(ui.join("node_modules/leaflet/package.json")).unwrap_or_default();
    if installed.contains(&format!("\"version\": \"{LEAFLET}\"")) {
        return Ok(());
    }
    if !succeeds("npm", &["--version"]) {
        bail!("npm is missing: install Node.js (with npm) to fetch Leaflet {LEAFLET} for the map");
    }
    let mut c = command("npm");
    c.current_dir(&ui).args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"]);
    run_command(c)
}

/// Builds the Leptos UI into ui/dist with trunk. No wasm-opt in any build (index.html sets
/// `data-wasm-opt="0"`): Debian's binaryen silently breaks the wasm (toolchain.md trap 1).
fn build_ui(release: bool) -> Result<()> {
    ensure_leaflet()?;
    let mut c = command("trunk");
    c.current_dir(root().join("ui")).arg("build");
    if release {
        c.arg("--release");
    }
    run_command(c)
}

/// Builds the desktop app with the UI embedded. Without `tauri/custom-protocol` a plain cargo
/// build makes a dev app that loads `devUrl` (toolchain.md trap 3); tauri-cli is not needed.
fn build_app(release: bool) -> Result<PathBuf> {
    let mut args = vec!["build", "-p", "anpr-desktop", "--features", "tauri/custom-protocol"];
    if release {
        args.push("--release");
    }
    sh("cargo", &args)?;
    Ok(target_dir().join(if release { "release" } else { "debug" }).join(exe("anpr-desktop")))
}

fn build_cli(release: bool) -> Result<PathBuf> {
    let mut args = vec!["build", "-p", "anpr-cli"];
    if release {
        args.push("--release");
    }
    sh("cargo", &args)?;
    Ok(target_dir().join(if release { "release" } else { "debug" }).join(exe("anpr")))
}

fn exe(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

/// `anpr demo` into `data` (cameras, reads with images, the demo accounts, the video evaluation
/// kit in data/demo-eval); `reads` defaults to the CLI's own default.
/// Returns `anpr demo --json`'s report, which says where the planted patterns are (e.g. the
/// convoy pair).
fn make_demo_store(anpr: &Path, data: &Path, reads: Option<&str>) -> Result<String> {
    let data = display(data);
    let mut args = vec!["--json", "--data-dir", &data, "demo", "--seed", "1"];
    if let Some(reads) = reads {
        // The video evaluation kit too (data/demo-eval), for the evaluation screen's tests.
        args.extend(["--reads", reads]);
    }
    eprintln!("$ {} {}", display(anpr), args.join(" "));
    // The progress bar goes to stderr, shown; the JSON report is stdout.
    let output = command(&display(anpr)).args(&args).stderr(std::process::Stdio::inherit()).output()?;
    if !output.status.success() {
        bail!("anpr demo failed ({})", output.status);
    }
    // Retention as the app would apply it at start (the demo spans 400 days; 9.5.1), so the
    // store the tests see does not change under them when the app starts.
    let mut c = command(&display(anpr));
    c.args(["--data-dir", &data, "--user", "demo.investigator", "retention", "run"])
        .env("ANPR_PASSWORD", "Demo-pass-1!");
    run_command(c)?;
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn test() -> Result<()> {
    // First: clippy of the workspace compiles the Tauri shell (WebKitGTK dev packages) and
    // the UI crate (on the host), so both need what e2e needs.
    ensure_everything()?;
    sh("cargo", &["fmt", "--all", "--", "--check"])?;
    sh("cargo", &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])?;
    sh("cargo", &["test", "--workspace", "--exclude", "anpr-e2e"])?;
    e2e_prepared(false)
}

fn e2e(large: bool) -> Result<()> {
    ensure_everything()?;
    e2e_prepared(large)
}

/// Builds the UI, the app and a fresh demo store, then runs the WebDriver suite under Xvfb.
/// With `large`, the UI and the app are release builds, as a user gets them, so the figures
/// measured are the ones that matter.
fn e2e_prepared(large: bool) -> Result<()> {
    let started = Instant::now();
    build_ui(large)?;
    let app = build_app(large)?;
    let anpr = build_cli(false)?;
    let work = target_dir().join("e2e");
    let data = work.join("data");
    let bundle = work.join("bundle");
    // Fresh every run: the tests lock an account, add users and import, and must find the
    // store as `anpr demo` makes it.
    for dir in [&data, &bundle] {
        if dir.exists() {
            std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
        }
    }
    let report = make_demo_store(&anpr, &data, Some(E2E_READS))?;
    let demo_report = work.join("demo.json");
    std::fs::write(&demo_report, report).with_context(|| format!("writing {}", demo_report.display()))?;
    sh(&display(&anpr), &["demo", "--bundle", &display(&bundle), "--reads", E2E_BUNDLE_READS, "--seed", "2"])?;
    let large_data = work.join("large-data");
    if large && !large_data.join("anpr.db").exists() {
        // Release: 100k reads with images take minutes in a debug build.
        let anpr = build_cli(true)?;
        if large_data.exists() {
            std::fs::remove_dir_all(&large_data)?;
        }
        make_demo_store(&anpr, &large_data, Some(LARGE_READS))?;
    }
    let screenshots = target_dir().join("e2e-screenshots");
    if screenshots.exists() {
        std::fs::remove_dir_all(&screenshots)?;
    }
    let mut c = command("xvfb-run");
    c.args(["-a", "-s", XVFB_SCREEN, "cargo", "test", "-p", "anpr-e2e", "--", "--test-threads=1"]);
    if large {
        c.arg("--include-ignored");
    }
    c.env("ANPR_E2E_APP", &app)
        .env("ANPR_E2E_DATA", &data)
        .env("ANPR_E2E_BUNDLE", &bundle)
        .env("ANPR_E2E_DEMO", &demo_report)
        .env("ANPR_E2E_SCREENSHOTS", &screenshots);
    if large {
        c.env("ANPR_E2E_LARGE_DATA", &large_data);
    }
    run_command(c)?;
    eprintln!("\nend-to-end suite passed in {:.0?}; screenshots in {}", started.elapsed(), screenshots.display());
    if let Ok(timings) = std::fs::read_to_string(screenshots.join("timings.txt")) {
        eprintln!("measured:\n{timings}");
    }
    Ok(())
}

fn run() -> Result<()> {
    ensure_everything()?;
    build_ui(true)?;
    let app = build_app(true)?;
    let anpr = build_cli(true)?;
    let data = target_dir().join("demo-data");
    if !data.join("anpr.db").exists() {
        make_demo_store(&anpr, &data, None)?;
    }
    println!(
        "The demo data directory is {data}; every demo account's password is 'Demo-pass-1!'
(demo.investigator, demo.admin, demo.auditor, ...). The CLI works on the same store:

  ANPR_DATA_DIR={data} ANPR_PASSWORD='Demo-pass-1!' {anpr} user list --user demo.admin

Starting the ANPR Workstation...",
        data = data.display(),
        anpr = anpr.display()
    );
    let mut c = command(&display(&app));
    c.env("ANPR_DATA_DIR", &data);
    run_command(c)
}

fn bench(name: &str, rest: &[&str]) -> Result<()> {
    // rg is the search benchmark's second baseline.
    ensure_system_packages()?;
    let mut args = vec!["bench", "-p", "anpr-core", "--bench", name, "--"];
    args.extend_from_slice(rest);
    sh("cargo", &args)
}

/// The application icon: a white number plate reading ANPR on a dark navy square, drawn at
/// 1024 px and scaled down. RGBA PNGs (`PNG32:`): Tauri refuses icons without alpha.
fn icons() -> Result<()> {
    let dir = root().join("icons");
    std::fs::create_dir_all(&dir)?;
    let font = root().join("assets/fonts/DejaVuSans-Bold.ttf");
    let master = target_dir().join("icon-1024.png");
    std::fs::create_dir_all(target_dir())?;
    sh(
        "convert",
        &[
            "-size",
            "1024x1024",
            "xc:none",
            "-fill",
            "#0b1f3a",
            "-draw",
            "roundrectangle 0,0 1023,1023 180,180",
            "-fill",
            "#ffffff",
            "-draw",
            "roundrectangle 112,352 911,671 48,48",
            "-fill",
            "#1d70b8",
            "-draw",
            "roundrectangle 147,387 250,636 22,22",
            "-draw",
            "rectangle 200,387 250,636",
            "-fill",
            "none",
            "-stroke",
            "#0b1f3a",
            "-strokewidth",
            "14",
            "-draw",
            "roundrectangle 140,380 883,643 30,30",
            "-stroke",
            "none",
            "-font",
            &display(&font),
            "-fill",
            "#0b1f3a",
            "-pointsize",
            "190",
            "-gravity",
            "center",
            "-annotate",
            "+55+0",
            "ANPR",
            &format!("PNG32:{}", master.display()),
        ],
    )?;
    for (name, size) in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)] {
        let out = format!("PNG32:{}", dir.join(name).display());
        sh("convert", &[&display(&master), "-resize", &format!("{size}x{size}"), &out])?;
    }
    Ok(())
}
