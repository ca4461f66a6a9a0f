//! Harness for the end-to-end tests: the built desktop app, started by tauri-driver (which runs
//! WebKitWebDriver, which runs the app) and driven over WebDriver with fantoccini.
//!
//! `cargo xtask e2e` builds everything and sets the environment:
//! - `ANPR_E2E_APP`: the app binary, built with `--features tauri/custom-protocol` so it holds
//!   the UI rather than pointing at a dev server;
//! - `ANPR_E2E_DATA`: a demo data directory (`anpr demo`), passed to the app as `ANPR_DATA_DIR`;
//! - `ANPR_E2E_BUNDLE`: a small demo read bundle for the import test;
//! - `ANPR_E2E_DEMO`: the store's `anpr demo --json` report (where the planted patterns are);
//! - `ANPR_E2E_SCREENSHOTS` (optional): where screenshots go, else `<target>/e2e-screenshots`.
//!
//! A missing variable panics with what to run: a suite that silently passes without an app
//! would prove nothing.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The password of every demo account (`anpr demo`).
pub const DEMO_PASSWORD: &str = anpr_core::setup::DEMO_PASSWORD;
/// How long a screen may take to show what a test waits for. Generous: CI machines are slow,
/// and a passing test returns as soon as the element appears.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// WebDriver's code points for keys (fantoccini's `Key`, as constants for key actions).
pub const RIGHT: char = '\u{e014}';
pub const LEFT: char = '\u{e012}';
pub const SHIFT: char = '\u{e008}';

pub fn down(value: char) -> KeyAction {
    KeyAction::Down { value }
}

pub fn up(value: char) -> KeyAction {
    KeyAction::Up { value }
}

/// A required environment variable naming an existing path.
pub fn env_path(name: &str) -> PathBuf {
    let value = std::env::var_os(name).filter(|v| !v.is_empty()).unwrap_or_else(|| {
        panic!("{name} is not set: run the end-to-end tests with `cargo xtask e2e`, which builds the app and sets it")
    });
    let path = PathBuf::from(value);
    assert!(path.exists(), "{name}={} does not exist: run `cargo xtask e2e`", path.display());
    path
}

/// `ANPR_E2E_SCREENSHOTS`, else `e2e-screenshots` in the cargo target directory.
pub fn screenshot_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ANPR_E2E_SCREENSHOTS").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("e2e-screenshots")
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free local port: {e}"))
}

/// The running app with its driver; dropping it stops both.
#[derive(Debug)]
pub struct App {
    pub client: Client,
    _driver: Driver,
    /// When the session was requested, i.e. just before the app process was started.
    pub requested: Instant,
}

impl App {
    /// Starts the app on the demo store of `ANPR_E2E_DATA`.
    pub async fn start() -> Self {
        Self::start_on(&env_path("ANPR_E2E_DATA")).await
    }

    /// Starts the app on `data_dir`.
    pub async fn start_on(data_dir: &Path) -> Self {
        let app = env_path("ANPR_E2E_APP");
        let (port, native_port) = (free_port(), free_port());
        let mut command = Command::new("tauri-driver");
        command
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            // The app inherits the driver's environment: this is how it finds its store.
            .env("ANPR_DATA_DIR", data_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        if Path::new("/usr/bin/WebKitWebDriver").exists() {
            command.args(["--native-driver", "/usr/bin/WebKitWebDriver"]);
        }
        // Its own process group, so Drop can end the driver and everything it started.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let driver = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start tauri-driver ({e}): install it with `cargo xtask e2e`"));
        let driver = Driver(driver);
        wait_for_port(port);
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("tauri:options".into(), json!({ "application": app }));
        let requested = Instant::now();
        let client = connect(port, capabilities).await;
        App { client, _driver: driver, requested }
    }

    /// Waits for an element matching `css` to be present and displayed.
    pub async fn wait(&self, css: &str) -> Element {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await
                && element.is_displayed().await.unwrap_or(false)
            {
                return element;
            }
            if Instant::now() > deadline {
                self.screenshot(&format!("failed-waiting-for-{}", slug(css))).await;
                panic!("{css} did not appear within {PATIENCE:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the text of `css` satisfies `ready`, and returns it.
    pub async fn wait_text(&self, css: &str, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        let mut last = String::new();
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await
                && let Ok(text) = element.text().await
            {
                if ready(&text) {
                    return text;
                }
                last = text;
            }
            if Instant::now() > deadline {
                self.screenshot(&format!("failed-waiting-for-{}", slug(css))).await;
                panic!("{css} did not show {what} within {PATIENCE:?}; it shows {last:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks `css`, trying again while the page re-renders it or something covers it.
    pub async fn click(&self, css: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            match self.wait(css).await.click().await {
                Ok(_) => return,
                Err(e) if Instant::now() > deadline => {
                    self.screenshot(&format!("failed-clicking-{}", slug(css))).await;
                    panic!("cannot click {css}: {e}");
                }
                Err(_) => {
                    // Covered (e.g. by the fixed OFFICIAL-SENSITIVE banner): bring it to the middle.
                    let centre =
                        format!("document.querySelector({css:?})?.scrollIntoView({{block: 'center'}}); return true");
                    let _ = self.client.execute(&centre, vec![]).await;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    /// Replaces the value of the input `css` with `text`.
    pub async fn fill(&self, css: &str, text: &str) {
        let element = self.wait(css).await;
        element.clear().await.unwrap_or_else(|e| panic!("cannot clear {css}: {e}"));
        element.send_keys(text).await.unwrap_or_else(|e| panic!("cannot type into {css}: {e}"));
    }

    /// Chooses `value` in the select `css` (or types it, should the control be a text input).
    pub async fn choose(&self, css: &str, value: &str) {
        let element = self.wait(css).await;
        let tag = element.tag_name().await.unwrap_or_default();
        if tag.eq_ignore_ascii_case("select") {
            element.select_by_value(value).await.unwrap_or_else(|e| panic!("{css} has no option {value:?}: {e}"));
        } else {
            self.fill(css, value).await;
        }
    }

    /// Runs `script` in the page and returns its result.
    /// Presses each key in turn on the focused element, as the keyboard does (WebDriver key
    /// actions; special keys as [`RIGHT`], [`LEFT`], [`SHIFT`]).
    pub async fn press(&self, keys: &[char]) {
        self.keys(keys.iter().flat_map(|&k| [down(k), up(k)]).collect()).await;
    }

    /// Performs key actions (downs and ups, for chords such as Shift+->).
    pub async fn keys(&self, actions: Vec<KeyAction>) {
        let mut sequence = KeyActions::new("keyboard".into());
        for action in actions {
            sequence = sequence.then(action);
        }
        self.client.perform_actions(sequence).await.unwrap_or_else(|e| panic!("pressing keys: {e}"));
    }

    /// Drags with the left button over the element `css` from one point to another (viewport
    /// pixels), as the page receives it: mousedown, mousemove, mouseup. (WebKitWebDriver
    /// refuses pointer actions with an empty error, so the events are dispatched.)
    pub async fn drag(&self, css: &str, from: (f64, f64), to: (f64, f64)) {
        self.wait(css).await;
        let script = format!(
            "const e = document.querySelector(\"{css}\"); \
             const fire = (type, x, y, buttons) => e.dispatchEvent(new MouseEvent(type, \
                 {{ clientX: x, clientY: y, button: 0, buttons, bubbles: true, cancelable: true, view: window }})); \
             fire('mousedown', {}, {}, 1); fire('mousemove', {}, {}, 1); fire('mouseup', {}, {}, 0); return true;",
            from.0, from.1, to.0, to.1, to.0, to.1
        );
        assert_eq!(self.script(&script).await, json!(true), "dragging over {css}");
    }

    pub async fn script(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Saves a PNG of the window as `<screenshot dir>/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = screenshot_dir();
        let path = dir.join(format!("{name}.png"));
        let saved = async {
            let png = self.client.screenshot().await.map_err(|e| e.to_string())?;
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            std::fs::write(&path, png).map_err(|e| e.to_string())
        };
        if let Err(e) = saved.await {
            // A screenshot is a by-product: failing to take one must not hide the real result.
            eprintln!("screenshot {} not saved: {e}", path.display());
        }
        path
    }

    /// Waits for the login screen; returns how long after the app was started it became usable.
    pub async fn login_screen(&self) -> Duration {
        let field = self.wait("#login-username").await;
        let deadline = Instant::now() + PATIENCE;
        while !field.is_enabled().await.unwrap_or(false) {
            assert!(Instant::now() < deadline, "#login-username never became enabled");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.requested.elapsed()
    }

    /// Types a user name and password and submits, without waiting for the outcome.
    pub async fn submit_login(&self, username: &str, password: &str) {
        self.fill("#login-username", username).await;
        self.fill("#login-password", password).await;
        self.click("#login-submit").await;
    }

    /// Logs in and waits for the home screen.
    pub async fn login(&self, username: &str, password: &str) {
        self.login_screen().await;
        self.submit_login(username, password).await;
        self.wait("#home").await;
    }

    /// Ends the WebDriver session (which closes the app) and stops the driver.
    pub async fn close(self) {
        if let Err(e) = self.client.clone().close().await {
            eprintln!("closing the WebDriver session: {e}");
        }
    }
}

/// The driver process. Dropping it kills its whole process group (tauri-driver,
/// WebKitWebDriver and the app), so a failed or panicking test leaves nothing behind.
#[derive(Debug)]
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        kill_group(&mut self.0);
    }
}

fn kill_group(child: &mut Child) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    // The negative pid names the process group the driver leads (see `process_group(0)`); `--`
    // keeps `kill` from reading it as an option.
    let _ = Command::new("kill").args(["-s", "KILL", "--", &format!("-{}", child.id())]).status();
    // Should the group kill have failed, end the driver itself rather than wait for ever.
    let _ = child.kill();
    let _ = child.wait();
}

fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
        assert!(Instant::now() < deadline, "tauri-driver did not listen on port {port} within 10 s");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Opens the session; tauri-driver may accept connections a moment before WebKitWebDriver does.
async fn connect(port: u16, capabilities: serde_json::Map<String, serde_json::Value>) -> Client {
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut builder = ClientBuilder::rustls().unwrap_or_else(|e| panic!("TLS setup for the WebDriver client: {e}"));
        match builder.capabilities(capabilities.clone()).connect(&url).await {
            Ok(client) => return client,
            Err(e) if Instant::now() < deadline => {
                eprintln!("WebDriver session not ready yet ({e}); retrying");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("cannot start a WebDriver session with the app: {e}"),
        }
    }
}

fn slug(css: &str) -> String {
    css.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect::<String>().trim_matches('-').into()
}

/// The demo store opened beside the app, as the app opens it (the data key unwrapped with a
/// demo password; opening is not logging in), for oracles that query the database directly.
async fn open_demo_store(data_dir: &Path) -> anpr_core::Workstation {
    let clock = std::sync::Arc::new(anpr_core::SystemClock);
    anpr_core::Workstation::unlock(data_dir, clock, "demo.auditor", anpr_core::setup::DEMO_PASSWORD)
        .await
        .unwrap_or_else(|e| panic!("opening the demo store: {e}"))
}

/// Reads of the demo store a user without restricted-camera grants may see (8.8), counted
/// straight from the database, read-only: an oracle independent of the core's own query.
pub async fn visible_reads(data_dir: &Path) -> u64 {
    let store = open_demo_store(data_dir).await;
    let mut conn = store.pool().acquire().await.unwrap_or_else(|e| panic!("opening the demo store: {e}"));
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM reads r JOIN cameras c ON c.id = r.camera WHERE c.restricted = 0")
            .fetch_one(&mut *conn)
            .await
            .unwrap_or_else(|e| panic!("counting reads: {e}"));
    drop(conn);
    store.close().await;
    count as u64
}

/// A VRM read in the last `days` days at an unrestricted camera that holds a letter OCR often
/// takes for a digit, and that VRM with its first such letter made that digit (a misread of it
/// that no read has).
pub async fn misread_of_a_recent_vrm(data_dir: &Path, days: i64) -> (String, String) {
    const LOOK_ALIKE: [(char, char); 6] = [('B', '8'), ('S', '5'), ('Z', '2'), ('G', '6'), ('O', '0'), ('D', '0')];
    let store = open_demo_store(data_dir).await;
    let mut conn = store.pool().acquire().await.unwrap_or_else(|e| panic!("opening the demo store: {e}"));
    let since = (std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_millis()
        as i64)
        - days * 86_400_000;
    let vrms: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT r.vrm FROM reads r JOIN cameras c ON c.id = r.camera
         WHERE c.restricted = 0 AND r.vrm GLOB '*[BSZGOD]*' AND r.read_time > ? ORDER BY r.vrm",
    )
    .bind(since)
    .fetch_all(&mut *conn)
    .await
    .unwrap_or_else(|e| panic!("finding a VRM: {e}"));
    drop(conn);
    store.close().await;
    vrms.iter()
        .find_map(|vrm| {
            let (at, digit) = vrm
                .char_indices()
                .find_map(|(i, c)| LOOK_ALIKE.iter().find(|(letter, _)| *letter == c).map(|(_, digit)| (i, *digit)))?;
            let mut misread = vrm.clone();
            misread.replace_range(at..=at, &digit.to_string());
            (!vrms.contains(&misread)).then(|| (vrm.clone(), misread))
        })
        .expect("the demo store has a recent VRM with a look-alike letter")
}

/// Cameras of the demo store `username` may see on the map: the unrestricted ones and the
/// restricted ones currently granted to them (8.8), counted straight from the database.
pub async fn cameras_visible_to(data_dir: &Path, username: &str) -> u64 {
    let store = open_demo_store(data_dir).await;
    let mut conn = store.pool().acquire().await.unwrap_or_else(|e| panic!("opening the demo store: {e}"));
    let count: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cameras c WHERE c.restricted = 0 OR EXISTS (SELECT 1 FROM camera_grants g
         JOIN users u ON u.id = g.user_id WHERE g.camera = c.id AND u.username = ? AND g.revoked_at IS NULL)",
    )
    .bind(username)
    .fetch_one(&mut *conn)
    .await
    .unwrap_or_else(|e| panic!("counting cameras: {e}"));
    drop(conn);
    store.close().await;
    count as u64
}

/// The demo's convoy pair (normalised VRMs), from the demo report.
pub fn demo_convoy_pair() -> (String, String) {
    let (path, report) = demo_report();
    let pair = &report["demo"]["convoy_pair"];
    match (pair[0].as_str(), pair[1].as_str()) {
        (Some(a), Some(b)) => (a.to_owned(), b.to_owned()),
        _ => panic!("{} names no convoy pair: {pair}", path.display()),
    }
}

/// The report `anpr demo --json` wrote when `cargo xtask e2e` made the store (`ANPR_E2E_DEMO`).
fn demo_report() -> (PathBuf, serde_json::Value) {
    let path = env_path("ANPR_E2E_DEMO");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let report = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (path, report)
}

/// The demo's video evaluation kit (`<data>/demo-eval`), as the demo report describes it.
#[derive(Debug, Clone)]
pub struct DemoEvalKit {
    pub folder: PathBuf,
    pub camera_id: String,
    /// The date of the video's first frame (YYYY-MM-DD, UTC).
    pub date: String,
    /// How far the kit's camera clock runs ahead of the video's, seconds.
    pub camera_clock_offset_s: f64,
    pub vehicles: u64,
    pub visible: u64,
    pub fps: u64,
    pub width: u64,
}

pub fn demo_eval_kit() -> DemoEvalKit {
    let (path, report) = demo_report();
    let kit = &report["eval_kit"];
    let text = |key: &str| {
        kit[key]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("{}: eval_kit.{key} missing: {kit}", path.display()))
    };
    let number = |key: &str| kit[key].as_u64().unwrap_or_else(|| panic!("{}: eval_kit.{key} missing", path.display()));
    DemoEvalKit {
        folder: PathBuf::from(text("folder")),
        camera_id: text("camera_id"),
        date: text("clock_start").chars().take(10).collect(),
        camera_clock_offset_s: kit["camera_clock_offset_s"].as_f64().unwrap_or(f64::NAN),
        vehicles: number("vehicles"),
        visible: number("visible"),
        fps: number("fps"),
        width: number("width"),
    }
}

/// The numbers written in `text`, thousands separators allowed: `"3,000 reads from 12
/// cameras"` -> `[3000, 12]`.
pub fn numbers_in(text: &str) -> Vec<u64> {
    text.split(|c: char| !(c.is_ascii_digit() || c == ','))
        .map(|token| token.trim_matches(',').replace(',', ""))
        .filter_map(|digits| digits.parse().ok())
        .collect()
}

/// Whether `text` shows the number `n`.
pub fn shows_number(text: &str, n: u64) -> bool {
    numbers_in(text).contains(&n)
}

/// Appends a measured figure to `<screenshot dir>/timings.txt` and prints it.
pub fn record_timing(what: &str, took: Duration) {
    let line = format!("{what}: {} ms", took.as_millis());
    eprintln!("{line}");
    let dir = screenshot_dir();
    let _ = std::fs::create_dir_all(&dir);
    let file = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("timings.txt"));
    if let Ok(mut file) = file {
        use std::io::Write;
        let _ = writeln!(file, "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_numbers_with_thousands_separators() {
        assert_eq!(numbers_in("3,000 reads from 12 cameras"), vec![3000, 12]);
        assert!(shows_number("wrong password: 4 attempt(s) left (NASPLE Appendix A 12)", 4));
        assert!(!shows_number("Appendix A 12", 1));
    }
}
