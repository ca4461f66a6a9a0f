//! `cargo xtask dist [--check]`: the Linux installer, a .deb built by the Tauri bundler
//! (tauri-cli, installed here on first use: it takes ~16 minutes, so it stays out of `test`).
//! `--check` installs the package with dpkg (root) and drives the installed app's first run
//! over WebDriver: an empty data directory, the first administrator created (screenshot).
//! `--check-clean` installs it on a clean Debian 12 root filesystem made by debootstrap (only
//! what the package pulls in) and starts the app there under Xvfb (screenshot).

use crate::{
    Tool, XVFB_SCREEN, build_ui, command, display, ensure_everything, ensure_tool, root, run_command, sh, target_dir,
};
use anyhow::{Context, Result, bail};
use std::path::PathBuf;

const TAURI_CLI: Tool =
    Tool { krate: "tauri-cli", version: "2.12.4", locked: true, binary: "cargo-tauri", has_version_flag: true };

/// Where the installed package puts the app.
const INSTALLED_APP: &str = "/usr/bin/anpr-desktop";

/// What to do with the package once built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    None,
    /// Install on this machine and drive the first run.
    Here,
    /// Install on a clean Debian root filesystem and start the app there.
    Clean,
}

pub fn dist(check: Check) -> Result<()> {
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
    match check {
        Check::None => Ok(()),
        Check::Here => install_and_start(&deb),
        Check::Clean => clean_install_and_start(&deb),
    }
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

/// A minimal Debian 12 (debootstrap `minbase`: no X, no WebKit, no OpenSSL beyond what apt
/// needs), the package installed with apt so only its declared dependencies come in, and the
/// app started inside it on an Xvfb display of this machine; alive after 20 s, it is
/// photographed from outside (ImageMagick `import`).
fn clean_install_and_start(deb: &std::path::Path) -> Result<()> {
    sh("apt-get", &["install", "-y", "--no-install-recommends", "debootstrap"])?;
    let work = target_dir().join("dist-clean");
    let rootfs = work.join("rootfs");
    let fs = display(&rootfs);
    if !rootfs.join("etc/debian_version").exists() {
        std::fs::create_dir_all(&work)?;
        sh("debootstrap", &["--variant=minbase", "bookworm", &fs, "http://deb.debian.org/debian"])?;
    }
    std::fs::copy("/etc/resolv.conf", rootfs.join("etc/resolv.conf"))?;
    std::fs::copy(deb, rootfs.join("tmp/anpr-workstation.deb"))?;
    let mounts = Mounts::bind(&rootfs, &["/proc", "/sys", "/dev", "/dev/pts", "/tmp/.X11-unix"])?;
    sh("chroot", &[&fs, "apt-get", "update"])?;
    sh("chroot", &[&fs, "apt-get", "install", "-y", "--no-install-recommends", "/tmp/anpr-workstation.deb"])?;
    let display_name = ":87";
    let mut xvfb = std::process::Command::new("Xvfb").args([display_name, "-screen", "0", "1366x768x24"]).spawn()?;
    std::thread::sleep(std::time::Duration::from_secs(2));
    let mut app = std::process::Command::new("chroot")
        .args([&fs, "env", &format!("DISPLAY={display_name}"), "HOME=/root", "ANPR_DATA_DIR=/root/anpr-data"])
        .arg(INSTALLED_APP)
        .spawn()?;
    std::thread::sleep(std::time::Duration::from_secs(20));
    let alive = app.try_wait()?.is_none();
    let shot = work.join("clean-install-first-run.png");
    let photographed = sh("import", &["-display", display_name, "-window", "root", &display(&shot)]);
    let _ = app.kill();
    let _ = app.wait();
    let _ = xvfb.kill();
    let _ = xvfb.wait();
    drop(mounts);
    if !alive {
        bail!("the installed app exited within 20 s on the clean system");
    }
    photographed?;
    eprintln!("installed on a clean Debian 12 and started; screenshot {}", shot.display());
    Ok(())
}

/// Bind mounts into the clean root filesystem, undone in reverse order when dropped.
struct Mounts(Vec<PathBuf>);

impl Mounts {
    fn bind(rootfs: &std::path::Path, sources: &[&str]) -> Result<Self> {
        let mut mounts = Self(Vec::new());
        for source in sources {
            let target = rootfs.join(source.trim_start_matches('/'));
            std::fs::create_dir_all(&target)?;
            sh("mount", &["--bind", source, &display(&target)])?;
            mounts.0.push(target);
        }
        Ok(mounts)
    }
}

impl Drop for Mounts {
    /// The app's WebKit helper processes outlive it for a moment: every process still rooted in
    /// the clean system is killed first, and a mount still busy is detached lazily.
    fn drop(&mut self) {
        let rootfs = self.0.first().and_then(|m| m.parent()).map(std::path::Path::to_path_buf);
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let rooted = std::fs::read_link(entry.path().join("root")).ok();
            if rooted.is_some() && rooted == rootfs {
                let _ = std::process::Command::new("kill").arg("-9").arg(entry.file_name()).status();
            }
        }
        std::thread::sleep(std::time::Duration::from_secs(1));
        for target in self.0.iter().rev() {
            let unmounted = std::process::Command::new("umount").arg(target).status().is_ok_and(|s| s.success());
            if !unmounted {
                let _ = std::process::Command::new("umount").arg("-l").arg(target).status();
            }
        }
    }
}
