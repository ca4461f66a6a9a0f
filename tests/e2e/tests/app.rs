//! The desktop app end to end: each test starts the built app on the demo store, drives it as a
//! user would over WebDriver, and saves screenshots of the screens it passes through.
//! Run with `cargo xtask e2e` (it builds the app and the store, and sets the environment).

use anpr_e2e::{
    App, DEMO_PASSWORD, DemoEvalKit, LEFT, RIGHT, SHIFT, cameras_visible_to, demo_convoy_pair, demo_eval_kit, down,
    env_path, misread_of_a_recent_vrm, numbers_in, record_timing, shows_number, up, visible_reads,
};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[tokio::test]
async fn investigator_sees_home_counts_browses_reads_and_opens_a_read_with_its_plate_image() {
    let app = App::start().await;
    let startup = app.login_screen().await;
    record_timing("process start to interactive login screen", startup);
    app.wait("#marking-top").await;
    app.wait("#marking-bottom").await;
    app.screenshot("01-login").await;
    // The content security policy is in force: remote content is refused by the webview.
    let blocked = app
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             document.addEventListener('securitypolicyviolation', e => done(e.effectiveDirective), { once: true }); \
             new Image().src = 'https://example.com/remote.png'; \
             setTimeout(() => done('no violation'), 3000);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(blocked, serde_json::json!("img-src"), "a remote image was not refused by the CSP");

    app.login("demo.investigator", DEMO_PASSWORD).await;
    let expected = visible_reads(&env_path("ANPR_E2E_DATA")).await;
    assert!(expected > 0, "the demo store has no visible reads");
    app.wait_text("#home-reads", &format!("{expected} reads"), |t| shows_number(t, expected)).await;
    app.wait_text("#home-cameras", "a camera count", |t| numbers_in(t).iter().any(|&n| n > 0)).await;
    app.screenshot("02-home").await;

    let opened = Instant::now();
    app.click("#nav-reads").await;
    app.wait("#reads").await;
    // A row holds its read id once its page has arrived (before that it says "Loading...").
    let row = app.wait(".read-row[data-read-id]").await;
    record_timing("read browser: click to first page of rows", opened.elapsed());
    let read_id = row.attr("data-read-id").await.unwrap();
    assert!(read_id.is_some_and(|id| !id.is_empty()), "a .read-row has no data-read-id");
    wait_for_images_loaded(&app, "img.plate-thumb").await;
    app.screenshot("03-read-browser").await;

    row.click().await.unwrap();
    app.wait("#read-detail").await;
    app.wait("#detail-plate").await;
    let width = wait_for_natural_width(&app, "#detail-plate").await;
    assert!(width > 0, "the plate patch of the opened read did not load (naturalWidth 0)");
    // Every read has either its overview image or the statement that none was recorded (7.4.5).
    let overview = app.script(
        "return !!(document.querySelector('#detail-overview') || document.querySelector('#detail-no-overview'))",
    );
    assert_eq!(overview.await, serde_json::json!(true), "the detail shows neither an overview nor its absence");
    app.screenshot("04-read-detail").await;
    app.close().await;
}

#[tokio::test]
async fn investigator_imports_a_bundle_and_sees_its_summary() {
    let bundle = env_path("ANPR_E2E_BUNDLE");
    let app = App::start().await;
    app.login("demo.investigator", DEMO_PASSWORD).await;
    app.click("#nav-import").await;
    app.screenshot("05-import").await;
    app.fill("#import-path", &bundle.display().to_string()).await;
    app.click("#import-start").await;
    let summary = app.wait_text("#import-summary", "the import summary", |t| !t.trim().is_empty()).await;
    assert!(summary.chars().any(|c| c.is_ascii_digit()), "the import summary shows no counts: {summary:?}");
    app.screenshot("06-import-summary").await;

    // Another system's read file, recognised by its content (Genetec AutoVu XML, two bad rows).
    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crates/anpr-core/tests/fixtures/foreign/genetec/reads.xml");
    app.fill("#import-path", &file.display().to_string()).await;
    app.click("#import-start").await;
    let summary = app.wait_text("#import-summary", "the file's import summary", |t| t.contains("reads.xml")).await;
    assert!(summary.contains("UTCDate is not a date"), "the bad row and its reason are listed: {summary}");
    let mut counts = Vec::new();
    for id in ["#import-reads-accepted", "#import-reads-duplicate", "#import-reads-rejected"] {
        let text = app.wait_text(id, "a count", |t| !numbers_in(t).is_empty()).await;
        counts.push(numbers_in(&text)[0]);
    }
    assert_eq!((counts[0] + counts[1], counts[2]), (3, 2), "accepted or already held, rejected: {summary}");
    app.screenshot("06b-import-foreign-file").await;
    app.close().await;
}

#[tokio::test]
async fn wrong_passwords_show_the_attempts_left_and_the_fifth_locks_the_account() {
    const ACCOUNT: &str = "demo.engineer";
    unlock(ACCOUNT).await;
    let app = App::start().await;
    app.login_screen().await;
    for remaining in (1..=4u32).rev() {
        app.submit_login(ACCOUNT, "Not-the-password-9!").await;
        app.wait_text("#login-message", &format!("{remaining} attempts left"), |t| {
            shows_number(t, u64::from(remaining)) && !t.to_lowercase().contains("is locked")
        })
        .await;
        if remaining == 4 {
            app.screenshot("07-login-wrong-password").await;
        }
    }
    app.submit_login(ACCOUNT, "Not-the-password-9!").await;
    app.wait_text("#login-message", "that the account is locked", |t| t.to_lowercase().contains("locked")).await;
    // Locked means locked: the right password no longer opens it.
    app.submit_login(ACCOUNT, DEMO_PASSWORD).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let message =
        app.wait_text("#login-message", "that the account is locked", |t| t.to_lowercase().contains("locked")).await;
    assert!(message.to_lowercase().contains("locked"));
    assert!(app.client.find(fantoccini::Locator::Css("#home")).await.is_err(), "a locked account logged in");
    app.screenshot("08-login-locked").await;
    app.close().await;
    // Leave the store as it was, so the suite can run again on it.
    unlock(ACCOUNT).await;
}

#[tokio::test]
async fn administrator_creates_a_user() {
    let stamp = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let username = format!("e2e.officer{stamp}");
    let app = App::start().await;
    app.login("demo.admin", DEMO_PASSWORD).await;
    app.click("#nav-users").await;
    app.wait("#users").await;
    app.wait_text("#users", "the demo accounts", |t| t.contains("demo.investigator")).await;
    app.fill("#user-new-username", &username).await;
    app.fill("#user-new-fullname", "Morgan Testwell").await;
    app.choose("#user-new-role", "investigator").await;
    app.choose("#user-new-rank", "none").await;
    app.fill("#user-new-password", "Harbour!Lamp9%").await;
    app.click("#user-create").await;
    app.wait_text("#user-message", "the new account", |t| t.contains(&username)).await;
    app.wait_text("#users", "the new account in the list", |t| t.contains(&username)).await;
    // The form is below the list: scroll back up so the screenshot shows the screen's top.
    app.script("document.querySelectorAll('*').forEach(e => { if (e.scrollTop > 0) e.scrollTop = 0; }); return true")
        .await;
    app.screenshot("09-users").await;
    // The camera register: the demo's restricted cameras carry their designation and grant (8.8).
    app.click("#nav-cameras").await;
    app.wait(".camera-row[data-restricted='true']").await;
    app.wait_text("#cameras-table", "a grant to demo.evidence", |t| t.contains("demo.evidence")).await;
    app.screenshot("21-cameras").await;
    app.close().await;
}

/// Issue 4's journey: a wildcard search within 90 days shows reads with plate patches; reaching
/// 120 days back for a Priority and Volume case is refused with its clause (Annex C); the
/// investigator requests authority, the Inspector approves it in the queue, and the search
/// citing it runs.
#[tokio::test]
async fn a_search_beyond_90_days_is_refused_until_an_inspector_authorises_it() {
    let day =
        |days_ago: i64| (chrono::Utc::now() - chrono::Duration::days(days_ago)).format("%Y-%m-%dT00:00").to_string();
    let (from, to) = (day(120), day(-1));
    let app = App::start().await;
    app.login("demo.investigator", DEMO_PASSWORD).await;
    // The demo's investigations, one of each category, and what retention will delete when.
    app.click("#nav-investigations").await;
    app.wait(".investigation-row[data-reference='NS-PV-0006'][data-category='serious']").await;
    app.screenshot("19-investigations").await;
    app.click("#nav-retention").await;
    app.wait("#retention-due .due-row").await;
    app.screenshot("20-retention").await;
    fill_search(&app).await;
    app.click("#search-run").await;
    app.wait(".search-result[data-read-id]").await;
    let total = app.wait_text("#search-total", "a total", |t| !numbers_in(t).is_empty()).await;
    wait_for_images_loaded(&app, "#search-results img.plate-thumb").await;
    app.wait_text("#search-grant", "the Annex C basis", |t| t.contains("Annex C") && t.contains("90 days")).await;
    app.screenshot("12-search-results").await;
    app.click(".search-result[data-read-id]").await;
    assert!(wait_for_natural_width(&app, "#read-detail img").await > 0, "the detail pane shows no plate image");
    app.screenshot("13-search-detail").await;

    set_value(&app, "#search-from", &from).await;
    app.click("#search-run").await;
    let refusal = app.wait_text("#search-refusal", "the refusal", |t| t.contains("Annex C")).await;
    assert!(refusal.contains("Inspector"), "the refusal does not say what would allow it: {refusal}");
    app.screenshot("14-search-refused").await;
    app.click("#request-authority").await;
    app.choose("#authority-reason-code", "a").await;
    set_value(&app, "#authority-from", &from).await;
    set_value(&app, "#authority-to", &to).await;
    app.fill("#authority-reason", "offence reported four months after it happened").await;
    app.click("#authority-submit").await;
    let reference = app.wait_text("#authority-reference", "the request's reference", |t| t.starts_with("AUTH-")).await;
    app.screenshot("15-authority-requested").await;
    app.close().await;

    let app = App::start().await;
    app.login("demo.inspector", DEMO_PASSWORD).await;
    app.click("#nav-authorisations").await;
    let row = format!(".authority-row[data-reference='{reference}']");
    app.wait(&row).await;
    app.screenshot("16-authorisation-queue").await;
    app.click(&format!("{row} .authority-approve")).await;
    app.fill("#decision-note", "Agreed: reason (a), reported late; period as requested").await;
    app.click("#decision-submit").await;
    app.wait(&format!("{row}[data-status='approved']")).await;
    app.screenshot("17-authority-approved").await;
    app.close().await;

    let app = App::start().await;
    app.login("demo.investigator", DEMO_PASSWORD).await;
    fill_search(&app).await;
    set_value(&app, "#search-from", &from).await;
    app.fill("#search-authority", &reference).await;
    app.click("#search-run").await;
    app.wait_text("#search-grant", "the authority cited", |t| t.contains(&reference)).await;
    let extended = app.wait_text("#search-total", "a total", |t| !numbers_in(t).is_empty()).await;
    // "Reads 1–100 of N": the total is the last number.
    let total_of = |t: &str| numbers_in(t).last().copied().unwrap_or(0);
    assert!(total_of(&extended) > total_of(&total), "120 days found no more than 90: {extended} vs {total}");
    wait_for_images_loaded(&app, "#search-results img.plate-thumb").await;
    app.screenshot("18-search-with-authority").await;
    app.close().await;
}

/// Issue 6's journey: an evidence officer adds a search result to a new evidence package,
/// previews its pages (rendered by the core from the PDFs issuing would write), issues the
/// court bundle at level 1 (the folder holds the PDFs, originals and manifest), is
/// refused a road-level bundle without the controller's consent (9.4.3), and finds the
/// disclosure recorded.
#[tokio::test]
async fn an_evidence_officer_issues_a_court_bundle_and_the_disclosure_is_recorded() {
    let stamp = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis();
    let out = env_path("ANPR_E2E_DATA").with_file_name(format!("bundle-{stamp}"));
    let app = App::start().await;
    app.login("demo.evidence", DEMO_PASSWORD).await;
    app.click("#nav-search").await;
    app.choose("#search-investigation", "NS-MAJ-0003").await;
    app.choose("#search-purpose", "evidence").await;
    app.fill("#search-justification", "exhibits for the prosecution file").await;
    app.fill("#search-vrm", "*").await;
    app.click("#search-run").await;
    app.click(".search-result[data-read-id]").await;
    app.choose("#add-evidence-package", "new").await;
    app.click("#add-evidence-submit").await;
    app.wait_text("#add-evidence-message", "the exhibit reference", |t| t.contains("EE/1")).await;
    app.screenshot("22-search-add-evidence").await;

    app.click("#nav-evidence").await;
    app.click(".package-row[data-status='draft'] .package-open").await;
    app.wait("#exhibits .exhibit-row[data-reference='EE/1']").await;
    app.choose("#issue-level", "area").await;
    app.fill("#issue-recipient", "CPS Northshire, Complex Casework Unit").await;
    app.fill("#issue-reason", "trial of R v Doe").await;
    app.fill("#issue-out", out.to_str().unwrap()).await;

    app.click("#issue-preview").await;
    app.wait("#page-previews[data-token]").await;
    let tab = app.wait_text("#preview-bundle", "the bundle's page count", |t| t.contains("pages")).await;
    let pages = numbers_in(&tab).last().copied().unwrap_or(0);
    assert!(pages >= 3, "front sheet, an exhibit and continuity at least: {tab}");
    let thumbs = app.script("return document.querySelectorAll('#preview-strip .preview-thumb img').length").await;
    assert_eq!(thumbs, serde_json::json!(pages), "one small page per bundle page");
    app.click("#preview-next").await;
    app.wait_text("#preview-caption", "page 2", |t| t == format!("Bundle: page 2 of {pages}")).await;
    wait_for_images_loaded(&app, "#preview-page").await;
    // A4 at 1.5 pixels per point, as the core renders it.
    let size =
        app.script("const i = document.querySelector('#preview-page'); return [i.naturalWidth, i.naturalHeight]").await;
    assert_eq!(size, serde_json::json!([892, 1262]), "the page image is the rendered A4 page");
    app.script("document.querySelector('#page-previews').scrollIntoView({block: 'start'}); return true").await;
    app.screenshot("23-evidence-preview").await;
    app.click("#preview-schedule").await;
    app.wait_text("#preview-caption", "the schedule", |t| t.starts_with("Schedule of sensitive material: page 1"))
        .await;
    wait_for_images_loaded(&app, "#preview-page").await;

    app.click("#issue-submit").await;
    app.wait("#issue-result[data-reference]").await;
    for file in ["bundle.pdf", "sensitive-schedule.pdf", "reads.csv", "manifest.json"] {
        assert!(out.join(file).is_file(), "the package has no {file}");
    }
    app.screenshot("24-evidence-issued").await;

    // The road for this exhibit's camera only: its controller has not consented (9.4.3).
    app.choose("#exhibits .exhibit-row[data-reference='EE/1'] .exhibit-level", "road").await;
    app.wait("#exhibits .exhibit-row[data-reference='EE/1'][data-allowed='false']").await;
    app.fill("#issue-out", out.with_extension("road").to_str().unwrap()).await;
    app.click("#issue-submit").await;
    app.wait_text("#issue-refusal", "the 9.4.3 refusal", |t| t.contains("9.4.3")).await;
    app.script("document.querySelector('#issue-refusal').scrollIntoView({block: 'center'}); return true").await;
    app.screenshot("25-evidence-refused").await;

    app.click("#nav-disclosures").await;
    app.wait_text("#disclosures-table", "the disclosure", |t| t.contains("CPS Northshire")).await;
    app.screenshot("26-disclosures").await;
    app.close().await;
    // The issued folder is checked above; each run writes a new one.
    let _ = std::fs::remove_dir_all(&out);
}

/// Issue 5: a misread-tolerant search finds the reads of a VRM from a misread of it (a digit
/// for a look-alike letter) that the exact search does not, and shows how each differs.
#[tokio::test]
async fn a_misread_tolerant_search_finds_the_vrm_behind_a_misread() {
    let (vrm, misread) = misread_of_a_recent_vrm(&env_path("ANPR_E2E_DATA"), 80).await;
    let app = App::start().await;
    app.login("demo.investigator", DEMO_PASSWORD).await;
    fill_search(&app).await;
    app.fill("#search-vrm", &misread).await;
    app.click("#search-run").await;
    app.wait_text("#search-total", "no exact match", |t| t.starts_with("No reads found")).await;

    app.click("#search-fuzzy").await;
    app.click("#search-run").await;
    let edits = app.wait_text(".search-result .vrm-edits", "the substitution", |t| t.contains("->")).await;
    assert!(edits.contains(" at "), "{edits}");
    // Every result is a read of the VRM behind the misread (or another VRM as close to it).
    let found = app.script("return [...document.querySelectorAll('.search-result')].map(r => r.dataset.vrm)").await;
    let found: Vec<String> = serde_json::from_value(found).unwrap_or_default();
    assert!(found.iter().any(|v| v.replace(' ', "") == vrm), "{vrm} not among {found:?}");
    wait_for_images_loaded(&app, "#search-results img.plate-thumb").await;
    app.screenshot("19-search-misread-tolerant").await;
    app.close().await;
}

/// Issue 5: a journey is drawn on the map: Leaflet's own DOM holds the path through the reads
/// and a marker and label for each camera this user may see (8.8), on the plain background the
/// map has with no tile server (nothing fetched: it works offline).
#[tokio::test]
async fn journey_shown_on_the_map() {
    let (vrm, _) = demo_convoy_pair();
    let cameras = cameras_visible_to(&env_path("ANPR_E2E_DATA"), "demo.investigator").await;
    let app = App::start().await;
    app.login("demo.investigator", DEMO_PASSWORD).await;
    fill_analysis(&app, "journey", &vrm).await;
    app.click("#analysis-run").await;
    let summary = app.wait("#journey-summary").await;
    let total: u64 = summary.attr("data-total").await.ok().flatten().and_then(|t| t.parse().ok()).unwrap_or(0);
    assert!(total >= 2, "the journey has {total} reads");
    app.wait_text("#analysis-reads-count", "the journey's reads", |t| shows_number(t, total)).await;
    // Every read listed is the VRM's, in time order as the journey gives them.
    let times = app
        .script("return [...document.querySelectorAll('#analysis-reads .analysis-read')].map(r => r.dataset.vrm)")
        .await;
    let listed: Vec<String> = serde_json::from_value(times).unwrap_or_default();
    assert!(!listed.is_empty() && listed.iter().all(|v| v.replace(' ', "") == vrm), "{listed:?}");

    // Drawn once the map has the journey (the cameras come from their own command).
    app.wait("#analysis-map path.map-path").await;
    app.wait("#analysis-map path.map-camera").await;
    let map = app
        .script(
            "const m = document.querySelector('#analysis-map'); \
             const path = m.querySelector('path.map-path'); \
             return { leaflet: m.classList.contains('leaflet-container'), \
                      background: m.dataset.background, colour: getComputedStyle(m).backgroundColor, \
                      tiles: m.querySelectorAll('.leaflet-tile, img').length, \
                      path: path ? path.getAttribute('d') : null, \
                      cameras: m.querySelectorAll('path.map-camera').length, \
                      labels: [...m.querySelectorAll('.leaflet-tooltip')].filter(t => t.style.opacity !== '0').length };",
        )
        .await;
    assert_eq!(map["leaflet"], true, "{map}");
    assert_eq!(map["background"], "plain", "{map}");
    assert_eq!(map["colour"], "rgb(238, 241, 244)", "the plain background: {map}");
    assert_eq!(map["tiles"], 0, "no tile or image is fetched without a tile server: {map}");
    let path = map["path"].as_str().unwrap_or_else(|| panic!("no journey path on the map: {map}"));
    // An SVG path through at least two points: M x y L x y ...
    assert!(path.starts_with('M') && path.contains('L'), "{path}");
    assert_eq!(map["cameras"].as_u64(), Some(cameras), "one marker per camera the user may see: {map}");
    // (Labels of a redraw's old markers fade out: opacity 0, removed 200 ms later.)
    assert_eq!(map["labels"].as_u64(), Some(cameras), "each camera labelled: {map}");
    app.script("document.querySelector('#analysis-map').scrollIntoView({ block: 'center' }); return true;").await;
    app.screenshot("27-analysis-journey-map").await;
    app.close().await;
}

/// Issue 5: the convoy analysis finds the pair the demo generator planted (named in the demo
/// report, not here), ranked first with its shared sightings; the reads sort by a heading,
/// and the keyboard selects reads for the side-by-side comparison and opens one.
#[tokio::test]
async fn convoy_finds_the_demo_convoy_pair() {
    let (leader, follower) = demo_convoy_pair();
    let app = App::start().await;
    app.login("demo.investigator", DEMO_PASSWORD).await;
    fill_analysis(&app, "convoy", &leader).await;
    app.fill("#analysis-window", "5").await;
    app.fill("#analysis-min-together", "2").await;
    app.click("#analysis-run").await;
    let first = app.wait("#convoy-companions tr.convoy-companion").await;
    assert_eq!(first.attr("data-vrm").await.ok().flatten().as_deref(), Some(follower.as_str()), "the first companion");
    let times: u64 = first.attr("data-times").await.ok().flatten().and_then(|t| t.parse().ok()).unwrap_or(0);
    assert!(times >= 2, "seen together {times} times");
    app.wait("#analysis-map path.map-highlight").await;
    let highlights = app.script("return document.querySelectorAll('#analysis-map path.map-highlight').length").await;
    assert!(highlights.as_u64().unwrap_or(0) >= times, "shared sightings on the map: {highlights}");

    // Sorted by VRM (a click on the heading), the reads come in VRM order.
    app.click("[data-sort='VRM']").await;
    let vrms = app.script("return [...document.querySelectorAll('#analysis-reads .analysis-read')].sort((a, b) => a.dataset.rowIndex - b.dataset.rowIndex).map(r => r.dataset.vrm)").await;
    let vrms: Vec<String> = serde_json::from_value(vrms).unwrap_or_default();
    let mut sorted = vrms.clone();
    sorted.sort();
    assert!(vrms.len() >= 2 && vrms == sorted, "{vrms:?}");

    // Keyboard: down, Space (compare), down, Space, then Enter opens the read.
    // Keyboard, as the table receives it: down, Space (compare), down, Space, then Enter opens.
    let press = |key: &str| {
        format!(
            "const t = document.querySelector('#analysis-reads'); t.focus(); \
             t.dispatchEvent(new KeyboardEvent('keydown', {{ key: '{key}', bubbles: true, cancelable: true }})); return true;"
        )
    };
    for key in ["ArrowDown", " ", "ArrowDown", " "] {
        app.script(&press(key)).await;
    }
    app.wait("#analysis-compare").await;
    let compared = app.script("return document.querySelectorAll('#analysis-compare .compare-read').length").await;
    assert_eq!(compared, 2, "two reads side by side");
    wait_for_images_loaded(&app, "#analysis-compare img.plate-large").await;
    app.screenshot("28-analysis-convoy").await;
    app.script(&press("Enter")).await;
    let selected = app.wait(".analysis-read.selected").await;
    let vrm = selected.attr("data-vrm").await.ok().flatten().unwrap_or_default();
    app.wait_text("#detail-title", "the selected read's VRM", |t| t == vrm).await;
    app.close().await;
}

/// Opens Analysis and fills the scope (the demo's Serious case, a year back) and the VRM.
async fn fill_analysis(app: &App, kind: &str, vrm: &str) {
    app.click("#nav-analysis").await;
    app.choose("#analysis-investigation", "NS-SER-0002").await;
    app.choose("#analysis-purpose", "investigation").await;
    app.fill("#analysis-justification", "vehicles linked to the garage robbery").await;
    app.choose("#analysis-kind", kind).await;
    app.fill("#analysis-vrm", vrm).await;
}

/// Opens Search and fills the form for a wildcard search in the demo's Priority and Volume case.
async fn fill_search(app: &App) {
    app.click("#nav-search").await;
    app.choose("#search-investigation", "NS-PV-0001").await;
    app.choose("#search-purpose", "investigation").await;
    app.fill("#search-justification", "van seen leaving the burglary scene").await;
    app.fill("#search-vrm", "*").await;
}

/// Sets an input's value as the page sees typing (datetime-local inputs do not take keys over
/// WebDriver reliably).
async fn set_value(app: &App, css: &str, value: &str) {
    app.wait(css).await;
    let script = format!(
        "const e = document.querySelector(\"{css}\"); e.value = '{value}'; \
         e.dispatchEvent(new Event('input', {{ bubbles: true }})); \
         e.dispatchEvent(new Event('change', {{ bubbles: true }})); return e.value;"
    );
    assert_eq!(app.script(&script).await, serde_json::json!(value), "{css} did not take {value}");
}

/// Measures the read browser on a large store; needs `ANPR_E2E_LARGE_DATA` (e.g. a 100k-read
/// demo directory), so it runs only when asked: `cargo xtask e2e --large`.
#[tokio::test]
#[ignore = "needs ANPR_E2E_LARGE_DATA, a large demo store; run by `cargo xtask e2e --large`"]
async fn read_browser_first_page_on_a_large_store() {
    let data = env_path("ANPR_E2E_LARGE_DATA");
    let expected = visible_reads(&data).await;
    let app = App::start_on(&data).await;
    let startup = app.login_screen().await;
    record_timing(&format!("large store ({expected} reads): process start to interactive login screen"), startup);
    app.login("demo.investigator", DEMO_PASSWORD).await;
    app.wait_text("#home-reads", "the read count", |t| shows_number(t, expected)).await;
    let opened = Instant::now();
    app.click("#nav-reads").await;
    app.wait(".read-row[data-read-id]").await;
    record_timing(&format!("large store ({expected} reads): click to first page of rows"), opened.elapsed());
    wait_for_images_loaded(&app, "img.plate-thumb").await;
    record_timing(&format!("large store ({expected} reads): click to first page with thumbnails"), opened.elapsed());
    app.screenshot("10-read-browser-large").await;
    // Jump to the oldest read: the virtualised table must fetch and show a deep page quickly too.
    let scrolled = Instant::now();
    let jumped = app
        .script(
            "let e = document.querySelector('.read-row'); \
             while (e && !(e.scrollHeight > e.clientHeight && /(auto|scroll)/.test(getComputedStyle(e).overflowY))) \
               e = e.parentElement; \
             if (!e) return false; e.scrollTop = e.scrollHeight; return true;",
        )
        .await;
    assert_eq!(jumped, serde_json::json!(true), "found no scrolling container around the read rows");
    app.wait(&format!(".read-row[data-read-id][aria-rowindex='{expected}']")).await;
    record_timing(&format!("large store ({expected} reads): jump to the last read, its row shown"), scrolled.elapsed());
    wait_for_images_loaded(&app, "img.plate-thumb").await;
    record_timing(
        &format!("large store ({expected} reads): jump to the last read, thumbnails shown"),
        scrolled.elapsed(),
    );
    app.screenshot("11-read-browser-large-end").await;
    app.close().await;
}

/// Every file under `dir` as lossy text, to look for what must not be stored.
fn walk_text(dir: &Path) -> String {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| String::from_utf8_lossy(&std::fs::read(e.path()).unwrap_or_default()).into_owned())
        .collect()
}

/// Unlocks an account through the core as the demo administrator (the harness's own restore,
/// so the lockout test can run again on the same store).
async fn unlock(username: &str) {
    let data = env_path("ANPR_E2E_DATA");
    let clock = std::sync::Arc::new(anpr_core::SystemClock);
    let ws = anpr_core::Workstation::unlock(&data, clock, "demo.admin", DEMO_PASSWORD)
        .await
        .expect("opening the demo store");
    let admin = ws.login("demo.admin", DEMO_PASSWORD).await.expect("demo.admin logs in");
    admin.unlock_user(username).await.expect("unlocking the account");
    ws.close().await;
}

/// Waits until `css` (an image, or an element holding one) has a decoded image; returns its width.
async fn wait_for_natural_width(app: &App, css: &str) -> u64 {
    let script = format!(
        "const e = document.querySelector('{css}'); \
         const img = e && (e.tagName === 'IMG' ? e : e.querySelector('img')); \
         return img && img.complete ? img.naturalWidth : 0;"
    );
    let deadline = Instant::now() + anpr_e2e::PATIENCE;
    loop {
        let width = app.script(&script).await.as_u64().unwrap_or(0);
        if width > 0 || Instant::now() > deadline {
            return width;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the images matching `css` have all loaded and been decoded and painted (so a
/// screenshot shows them), and asserts at least one of them loaded.
async fn wait_for_images_loaded(app: &App, css: &str) {
    let script = format!(
        "const all = [...document.querySelectorAll('{css}')]; \
         return [all.length, all.filter(i => i.complete && i.naturalWidth > 0).length, \
                 all.filter(i => i.complete).length];"
    );
    let deadline = Instant::now() + anpr_e2e::PATIENCE;
    loop {
        let counts = app.script(&script).await;
        let n = |i: usize| counts[i].as_u64().unwrap_or(0);
        if n(0) > 0 && n(2) == n(0) {
            assert!(n(1) > 0, "none of the {} {css} images loaded", n(0));
            let painted = format!(
                "const done = arguments[arguments.length - 1]; \
                 Promise.all([...document.querySelectorAll('{css}')].map(i => i.decode().catch(() => null))) \
                   .then(() => requestAnimationFrame(() => requestAnimationFrame(() => done(true))));"
            );
            app.client.execute_async(&painted, vec![]).await.expect("waiting for the images to be painted");
            return;
        }
        assert!(Instant::now() < deadline, "{css} images did not finish loading: {counts}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Issue 7: an engineer records an evaluation of the demo kit's video, steps through it and
/// marks three vehicles from the keyboard (listed, in order, saved at once); then records a
/// second evaluation with the kit's truth and read log, lets the workstation find the clock
/// offset, scores it and sees the verdict and the report's charts.
#[tokio::test]
async fn an_engineer_marks_vehicles_on_the_demo_video_and_scores_the_demo_kit() {
    let kit = demo_eval_kit();
    let app = App::start().await;
    app.login("demo.engineer", DEMO_PASSWORD).await;
    app.click("#nav-evaluations").await;
    new_evaluation(&app, &kit, "first marks by hand").await;
    app.wait_text("#eval-frame", "the first frame", |_| true).await;
    let frame = || async { app.wait("#eval-frame").await.attr("data-frame").await.ok().flatten().unwrap_or_default() };
    assert_eq!(wait_for_natural_width(&app, "#eval-frame").await, kit.width, "the frame as decoded");
    assert_eq!(frame().await, "0");

    // Step: three frames, then a second (Shift+->), then one frame back.
    app.press(&[RIGHT, RIGHT, RIGHT]).await;
    app.keys(vec![down(SHIFT), down(RIGHT), up(RIGHT), up(SHIFT)]).await;
    app.press(&[LEFT]).await;
    let expected = (3 + kit.fps - 1).to_string();
    app.wait_text("#eval-position", "the frame stepped to", |t| t.starts_with(&format!("Frame {expected} "))).await;
    assert_eq!(frame().await, expected);
    let shown_at = app.wait("#eval-frame").await.attr("data-frame").await.ok().flatten();
    assert_eq!(shown_at.as_deref(), Some(expected.as_str()));

    // Three vehicles in lane 1, each a few frames on.
    for _ in 0..3 {
        app.press(&['1']).await;
        app.press(&[RIGHT; 5]).await;
    }
    app.wait_text("#eval-marks", "three marks", |_| true).await;
    let marks = app
        .script(
            "return [...document.querySelectorAll('#eval-marks .mark-row')].map(r => [Number(r.dataset.vehicle), Number(r.dataset.ms)]);",
        )
        .await;
    let marks: Vec<(u64, i64)> = serde_json::from_value(marks).unwrap_or_default();
    assert_eq!(marks.iter().map(|m| m.0).collect::<Vec<_>>(), [1, 2, 3], "{marks:?}");
    let step_ms = 5 * 1000 / kit.fps as i64;
    let first_ms = (3 + kit.fps - 1) as i64 * 1000 / kit.fps as i64;
    assert_eq!(marks.iter().map(|m| m.1).collect::<Vec<_>>(), [first_ms, first_ms + step_ms, first_ms + 2 * step_ms]);

    // Assisted marking: the lane's read line dragged across the frame (the kit's road at
    // y = 250 of 360, x 140 to 500), passes proposed over the whole video, then reviewed from
    // the keyboard: a, a, r.
    app.click("#assist-draw-1").await;
    let frame_box = app
        .script("const r = document.querySelector('#eval-frame').getBoundingClientRect(); return [r.left, r.top, r.width, r.height];")
        .await;
    let [left, top, width, height]: [f64; 4] = serde_json::from_value(frame_box).unwrap();
    let scale = width / kit.width as f64;
    assert!((height / scale - 360.0).abs() < 2.0, "the frame keeps the video's shape: {width} x {height}");
    app.drag("#eval-frame", (left + 140.0 * scale, top + 246.0 * scale), (left + 500.0 * scale, top + 254.0 * scale))
        .await;
    let band = app.wait("#eval-frame-wrap .read-band[data-lane='1']").await;
    let typed: String =
        app.script("return document.querySelector('#assist-band-1').value").await.as_str().unwrap_or("").into();
    let rect: Vec<f64> = typed.split(',').filter_map(|v| v.parse().ok()).collect();
    assert_eq!(rect.len(), 4, "{typed}");
    for (got, want) in rect.iter().zip([140.0, 246.0, 360.0, 8.0]) {
        assert!(
            (got - want).abs() <= 2.0 / scale.min(1.0) + 1.0,
            "the band drawn is {typed}, dragged over 140,246,360,8"
        );
    }
    assert!(band.attr("style").await.ok().flatten().is_some_and(|s| s.contains("left:")));
    app.click("#assist-propose").await;
    let counts = app.wait_text("#assist-counts", "passes proposed", |t| t.contains("proposed")).await;
    let proposed = numbers_in(&counts)[0];
    assert!(proposed >= kit.vehicles * 9 / 10, "{counts} for {} vehicles", kit.vehicles);
    app.press(&['a', 'a', 'r']).await;
    app.wait_text("#assist-counts", "three decisions", |t| t.contains("2 accepted · 1 rejected")).await;
    let decided = app
        .script("return [...document.querySelectorAll('#assist-proposals .proposal')].slice(0, 3).map(r => [r.dataset.decision, Number(r.dataset.ms)]);")
        .await;
    let decided: Vec<(String, i64)> = serde_json::from_value(decided).unwrap_or_default();
    assert_eq!(decided.iter().map(|d| d.0.as_str()).collect::<Vec<_>>(), ["accepted", "accepted", "rejected"]);
    // The accepted passes are marked vehicles at the proposed times, with the three by hand.
    app.wait_text("#eval-marks", "five marks", |_| true).await;
    let marked = || async {
        let ms = app
            .script("return [...document.querySelectorAll('#eval-marks .mark-row')].map(r => Number(r.dataset.ms));")
            .await;
        serde_json::from_value::<Vec<i64>>(ms).unwrap_or_default()
    };
    let mut waited = 0;
    while marked().await.len() < 5 && waited < 100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }
    let marked = marked().await;
    assert_eq!(marked.len(), 5, "{marked:?}");
    assert!(
        marked.contains(&decided[0].1) && marked.contains(&decided[1].1) && !marked.contains(&decided[2].1),
        "{marked:?}"
    );
    let to_assist = "const m = document.querySelector('.app-main'); const a = document.querySelector('#assist'); \
                     m.scrollTop += a.getBoundingClientRect().top - m.getBoundingClientRect().top - 8; \
                     return [m.scrollTop, m.scrollHeight, m.clientHeight];";
    eprintln!("scrolled to the assisted marking: {}", app.script(to_assist).await);
    app.screenshot("31-evaluation-assisted").await;
    app.script("document.querySelector('#eval-player').scrollIntoView(); return true;").await;
    app.screenshot("29-evaluation-marking").await;

    // The kit scored: its truth and read log, the clock offset found and confirmed.
    app.click("#eval-back").await;
    new_evaluation(&app, &kit, "the demo kit's truth").await;
    app.fill("#eval-truth-path", &kit.folder.join("truth.csv").display().to_string()).await;
    app.click("#eval-truth-import").await;
    app.wait_text("#eval-score-message", "the truth imported", |t| {
        t.contains(&format!("{} vehicles marked", kit.vehicles))
    })
    .await;
    app.fill("#eval-reads-path", &kit.folder.join("reads.csv").display().to_string()).await;
    app.click("#eval-reads-import").await;
    app.wait_text("#eval-score-message", "the read log imported", |t| t.contains("reads of camera")).await;
    app.click("#eval-offset-estimate").await;
    let estimate = app.wait_text("#eval-score-message", "the offset found", |t| t.starts_with("Best offset")).await;
    let found: f64 = estimate.split_whitespace().nth(2).and_then(|s| s.parse().ok()).unwrap_or(f64::NAN);
    let offset = kit.camera_clock_offset_s;
    assert!((found - offset).abs() <= 0.1, "{estimate} (the kit's camera runs {offset} s ahead)");
    app.click("#eval-offset-confirm").await;
    app.wait_text("#eval-score-message", "the offset set", |t| t.starts_with("Clock offset set")).await;
    app.click("#eval-score").await;
    let verdict = app.wait_text("#eval-verdict", "the verdict", |t| t.starts_with("Verdict:")).await;
    assert!(verdict.contains("Pass") || verdict.contains("Fail"), "{kit:?} gives a decided verdict: {verdict}");
    let overall = app.wait_text("#eval-rates tr.overall", "the overall rates", |_| true).await;
    assert!(overall.contains(&format!("/{} = ", kit.visible)), "capture over the kit's visible vehicles: {overall}");
    // The charts are the core's plotters PNGs (1200 x 600), drawn for this scoring.
    assert_eq!(wait_for_natural_width(&app, "#eval-chart-rates").await, 1200);
    assert_eq!(wait_for_natural_width(&app, "#eval-chart-confusions").await, 1200);
    app.script("document.querySelector('#eval-results').scrollIntoView(); return true;").await;
    app.screenshot("30-evaluation-scored").await;
    app.close().await;
}

/// Fills and submits the new-evaluation form for the kit's camera and video; the marking
/// screen opens.
async fn new_evaluation(app: &App, kit: &DemoEvalKit, notes: &str) {
    app.fill("#new-eval-camera", &kit.camera_id).await;
    app.choose("#new-eval-type", "static").await;
    app.choose("#new-eval-condition", "day").await;
    app.fill("#new-eval-date", &kit.date).await;
    app.fill("#new-eval-engineer", &format!("Demo Engineer ({notes})")).await;
    app.fill("#new-eval-video", &kit.folder.join("video.mp4").display().to_string()).await;
    app.click("#new-eval-create").await;
    app.wait("#eval-player").await;
}

/// Issue 8 (webview hardening): the page reaches nothing but the app's own commands and image
/// protocol. A listener on this machine sees no connection from fetch, XHR, WebSocket, an image
/// or a script pointed at it; files and the asset protocol are refused; Tauri plugins the app
/// does not grant (file system, shell, HTTP) and unknown commands are rejected; the image
/// protocol answers nothing outside its own paths.
#[tokio::test]
async fn the_page_reaches_no_network_files_or_commands_beyond_its_own() {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = App::start().await;
    app.login("demo.investigator", DEMO_PASSWORD).await;
    let probe = format!(
        r#"const done = arguments[arguments.length - 1];
        const url = 'http://127.0.0.1:{port}/';
        const outcome = p => p.then(r => 'reached ' + (r && r.status), e => 'refused');
        const load = (tag, attr, src) => new Promise(res => {{
            const e = document.createElement(tag);
            e.onload = () => res('reached'); e.onerror = () => res('refused');
            e[attr] = src; document.body.appendChild(e); setTimeout(() => res('refused (no answer)'), 3000);
        }});
        const ws = () => new Promise(res => {{
            try {{ const s = new WebSocket('ws://127.0.0.1:{port}/'); s.onopen = () => res('reached');
                   s.onerror = () => res('refused'); }} catch (e) {{ res('refused'); }}
        }});
        const xhr = () => new Promise(res => {{
            try {{ const x = new XMLHttpRequest(); x.open('GET', url); x.onload = () => res('reached');
                   x.onerror = () => res('refused'); x.send(); }} catch (e) {{ res('refused'); }}
        }});
        const invoke = (cmd, args) => outcome(window.__TAURI__.core.invoke(cmd, args || {{}}));
        Promise.all([
            outcome(fetch(url)), xhr(), ws(), load('img', 'src', url + 'a.png'), load('script', 'src', url + 'a.js'),
            outcome(fetch('https://example.com/')),
            outcome(fetch('file:///etc/hostname')), load('img', 'src', 'file:///usr/share/pixmaps/debian-logo.png'),
            outcome(fetch('asset://localhost/etc/hostname')), outcome(fetch('http://asset.localhost/etc/hostname')),
            invoke('plugin:fs|read_text_file', {{ path: '/etc/hostname' }}),
            invoke('plugin:shell|open', {{ path: 'https://example.com/' }}),
            invoke('plugin:http|fetch', {{ clientConfig: {{ url: 'https://example.com/', method: 'GET' }} }}),
            invoke('read_any_file', {{ path: '/etc/hostname' }}),
            load('img', 'src', 'anpr-image://localhost/..%2F..%2Fetc%2Fhostname'),
            load('img', 'src', 'anpr-image://localhost/video/1/0'),
            load('img', 'src', 'anpr-image://localhost/chart/1/rates'),
            invoke('session_info'),
        ]).then(done, e => done(['probe failed: ' + e]));"#
    );
    let results = app.client.execute_async(&probe, vec![]).await.unwrap_or_else(|e| panic!("probe: {e}"));
    let results: Vec<String> = serde_json::from_value(results.clone()).unwrap_or_else(|_| panic!("{results}"));
    let names = [
        "fetch to a local port",
        "XHR to a local port",
        "WebSocket to a local port",
        "image from a local port",
        "script from a local port",
        "fetch to the internet",
        "fetch of a file",
        "image from a file",
        "asset protocol",
        "asset protocol (http form)",
        "file system plugin",
        "shell plugin",
        "HTTP plugin",
        "a command the app does not have",
        "image protocol path escape",
        "a video frame of an evaluation this user did not open",
        "an evaluation chart (not an engineer)",
    ];
    // The control: the app's own command answers through the same probe.
    assert_eq!(results.last().map(String::as_str), Some("reached undefined"), "{results:?}");
    let results = &results[..results.len() - 1];
    assert_eq!(results.len(), names.len(), "{results:?}");
    for (name, result) in names.iter().zip(results) {
        assert!(result.starts_with("refused"), "{name}: {result}");
    }
    // Nothing arrived at the listener, not even a refused request.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let arrived = listener.accept();
    assert!(arrived.is_err(), "the page connected to 127.0.0.1:{port}: {arrived:?}");
    app.close().await;
}

/// Issue 8 (first run after installing): on an empty data directory the app offers only the
/// first-run form; a password based on the organisation is refused with its clause (Appendix
/// A 8); the first administrator is created, logged in and lands on Users; the next start of
/// the app asks for a login.
#[tokio::test]
async fn the_first_run_creates_the_first_administrator() {
    let stamp = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis();
    let data = env_path("ANPR_E2E_DATA").with_file_name(format!("first-run-{stamp}"));
    let app = App::start_on(&data).await;
    app.wait("#first-run").await;
    app.screenshot("00-first-run").await;
    app.fill("#setup-username", "admin.first").await;
    app.fill("#setup-full-name", "Alex First").await;
    app.fill("#setup-organisation", "Fenshire Police").await;
    for field in ["#setup-password", "#setup-confirm"] {
        app.fill(field, "Fenshire-Police-2026!").await;
    }
    app.click("#setup-submit").await;
    let refusal = app.wait_text("#setup-message", "the refusal", |t| t.contains("NASPLE")).await;
    assert!(refusal.contains("Appendix A"), "{refusal}");
    for field in ["#setup-password", "#setup-confirm"] {
        app.fill(field, "Kestrel-harbour-lantern-58").await;
    }
    app.click("#setup-submit").await;
    // The new store is encrypted: its recovery key is shown this once, and kept nowhere.
    let key = app.wait_text("#recovery-key", "the recovery key", |t| t.trim().len() == 64).await;
    assert!(anpr_core::keyring::RecoveryKey::parse(&key).is_some(), "{key}");
    app.screenshot("00-first-run-recovery-key").await;
    let stored: String = walk_text(&data);
    assert!(!stored.contains(key.trim()), "the recovery key is stored in the data directory");
    app.click("#recovery-key-recorded").await;
    app.click("#recovery-key-done").await;
    app.wait_text("#users-title", "the Users page", |t| t.contains("Users")).await;
    let listed = app.wait_text("#users-table", "the administrator listed", |t| t.contains("admin.first")).await;
    assert!(listed.contains("Alex First"), "{listed}");
    let state = app.wait_text("#encryption-state", "the store's encryption", |t| !t.is_empty()).await;
    assert!(state.starts_with("Encrypted"), "{state}");
    app.close().await;

    // Restarted: the encrypted store opens with the administrator's password, not another.
    let again = App::start_on(&data).await;
    again.login_screen().await;
    let offered = again.script("return document.querySelector('#first-run') !== null").await;
    assert_eq!(offered, serde_json::json!(false), "the first-run form once an account exists");
    again.submit_login("admin.first", "Kestrel-harbour-lantern-59").await;
    again.wait_text("#login-message", "the wrong password refused", |t| t.contains("attempt")).await;
    again.login("admin.first", "Kestrel-harbour-lantern-58").await;
    again.close().await;
    let _ = std::fs::remove_dir_all(&data);
}

// Multi-threaded: sqlx finishes closing the plain store's connections in background tasks,
// which a single-threaded runtime would not run while the test waits on a child process, and
// encrypting needs the only connection to the file.
#[tokio::test(flavor = "multi_thread")]
async fn an_administrator_encrypts_a_store_made_before_encryption_and_everyone_keeps_their_password() {
    let stamp = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis();
    let data = env_path("ANPR_E2E_DATA").with_file_name(format!("unencrypted-{stamp}"));
    let plain = anpr_core::Workstation::open(&data, std::sync::Arc::new(anpr_core::SystemClock)).await.unwrap();
    plain.create_demo_accounts().await.unwrap();
    plain.close().await;

    let app = App::start_on(&data).await;
    app.login("demo.admin", DEMO_PASSWORD).await;
    app.click("#nav-users").await;
    let state = app.wait_text("#encryption-state", "the store's encryption", |t| !t.is_empty()).await;
    assert!(state.starts_with("Not encrypted"), "{state}");
    app.click("#encrypt-store").await;
    app.click("#encrypt-confirm").await;
    let key = app.wait_text("#recovery-key", "the recovery key", |t| t.trim().len() == 64).await;
    assert!(anpr_core::keyring::RecoveryKey::parse(&key).is_some(), "{key}");
    assert!(data.join("keyring.json").is_file(), "the store is encrypted");
    app.screenshot("09b-store-encrypted-recovery-key").await;
    app.click("#recovery-key-recorded").await;
    app.click("#recovery-key-done").await;
    // Everyone logs in again, each with the password they had.
    app.login("demo.investigator", DEMO_PASSWORD).await;
    app.close().await;
    let reopened = anpr_core::Workstation::unlock(
        &data,
        std::sync::Arc::new(anpr_core::SystemClock),
        "demo.auditor",
        DEMO_PASSWORD,
    )
    .await
    .unwrap();
    assert!(reopened.check_store().await.unwrap().ok());
    reopened.close().await;
    let _ = std::fs::remove_dir_all(&data);
}
