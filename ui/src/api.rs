//! The only place that talks to the desktop shell (docs/desktop-api.md): typed wrappers over
//! `window.__TAURI__.core.invoke`, the `import-progress` event, the native folder picker, image
//! URLs and the clipboard. Every failure comes back as an [`ApiError`].

// `ApiError` is the contract's one boundary error, returned as it is (docs/desktop-api.md); errors
// are rare and never on a hot path, so its size does not matter.
#![allow(clippy::result_large_err)]

use anpr_types::{
    AnalysisRequest, AnalysisResult, ApiError, Authority, AuthorityRequest, CameraInfo, Consent, CorrectionRequest,
    Disclosure, EscalationRequest, EvidencePackage, ExportReport, ExportRequest, ImportProgress, ImportSummary,
    Investigation, IssueReport, IssueRequest, MapCamera, MapSettings, NewCamera, NewConsent, NewInvestigation,
    NewUserRequest, Offence, Overview, PasswordRule, PreviewPages, Rank, ReadDetail, ReadPage, RestrictionChange,
    RetainRequest, RetentionOutlook, RetentionReport, Role, SearchRequest, SearchResults, SessionInfo, UserInfo,
    VerifyReport,
};
use anpr_types::{
    CameraEvaluationStatus, EvaluationDetail, EvaluationMark, EvaluationReport, EvaluationSummary, EvaluationVideo,
    LaneBand, MarkInput, NewEvaluation, OffsetEstimate, ProposedPass, VideoProgress,
};
use anpr_types::{EncryptProgress, EncryptedStore, FirstRun, StoreStatus};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = invoke, catch)]
    async fn tauri_invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], js_name = listen, catch)]
    async fn tauri_listen(event: &str, handler: &Closure<dyn FnMut(JsValue)>) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "dialog"], js_name = open, catch)]
    async fn tauri_dialog_open(options: JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "dialog"], js_name = save, catch)]
    async fn tauri_dialog_save(options: JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["navigator", "clipboard"], js_name = writeText, catch)]
    async fn clipboard_write_text(text: &str) -> Result<JsValue, JsValue>;
}

pub type ApiResult<T> = Result<T, ApiError>;

/// An error made on this side of the boundary (code `internal`).
pub fn internal(message: impl Into<String>) -> ApiError {
    ApiError {
        code: "internal".to_owned(),
        message: message.into(),
        clause: None,
        needs: None,
        remaining_attempts: None,
        files: Vec::new(),
    }
}

/// A form the UI itself does not accept (code `invalid`): nothing was sent.
pub fn invalid(message: impl Into<String>) -> ApiError {
    ApiError { code: "invalid".to_owned(), ..internal(message) }
}

fn js_string(value: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(value, &JsValue::from_str(key)).ok().and_then(|v| v.as_string())
}

/// A rejection as an [`ApiError`]: the shell's own, or anything else wrapped with code `internal`.
fn to_api_error(value: JsValue) -> ApiError {
    if let Ok(err) = serde_wasm_bindgen::from_value::<ApiError>(value.clone()) {
        return err;
    }
    if let Some(text) = value.as_string() {
        return internal(text);
    }
    if value.is_object() {
        // An ApiError with fields missing (e.g. `files`), or a JavaScript Error.
        if let (Some(code), Some(message)) = (js_string(&value, "code"), js_string(&value, "message")) {
            let mut err = internal(message);
            err.code = code;
            err.clause = js_string(&value, "clause");
            err.needs = js_string(&value, "needs");
            err.remaining_attempts = js_sys::Reflect::get(&value, &JsValue::from_str("remaining_attempts"))
                .ok()
                .and_then(|v| v.as_f64())
                .map(|n| n as u32);
            return err;
        }
        if let Some(message) = js_string(&value, "message") {
            return internal(message);
        }
    }
    internal(format!("unexpected answer from the desktop shell: {value:?}"))
}

fn to_js<A: Serialize>(args: &A) -> ApiResult<JsValue> {
    args.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| internal(format!("could not encode the request: {e}")))
}

async fn invoke<T: DeserializeOwned, A: Serialize>(cmd: &str, args: &A) -> ApiResult<T> {
    let value = tauri_invoke(cmd, to_js(args)?).await.map_err(to_api_error)?;
    serde_wasm_bindgen::from_value(value).map_err(|e| internal(format!("could not read the answer to {cmd}: {e}")))
}

async fn invoke_unit<A: Serialize>(cmd: &str, args: &A) -> ApiResult<()> {
    tauri_invoke(cmd, to_js(args)?).await.map(|_| ()).map_err(to_api_error)
}

#[derive(Serialize)]
struct NoArgs {}

#[derive(Serialize)]
struct Login<'a> {
    username: &'a str,
    password: &'a str,
}

#[derive(Serialize)]
struct ChangePassword<'a> {
    username: &'a str,
    current: &'a str,
    new: &'a str,
}

#[derive(Serialize)]
struct Path<'a> {
    path: &'a str,
}

#[derive(Serialize)]
struct Browse {
    offset: u64,
    limit: u64,
}

#[derive(Serialize)]
struct Id {
    id: i64,
}

/// The one `request` argument most commands take.
#[derive(Serialize)]
struct Request<'a, T> {
    request: &'a T,
}

#[derive(Serialize)]
struct SetOpen<'a> {
    reference: &'a str,
    open: bool,
}

#[derive(Serialize)]
struct Decide<'a> {
    reference: &'a str,
    approve: bool,
    note: &'a str,
}

#[derive(Serialize)]
struct AddCamera<'a> {
    camera: &'a NewCamera,
}

#[derive(Serialize)]
struct Change<'a> {
    change: &'a RestrictionChange,
}

#[derive(Serialize)]
struct Restrict<'a> {
    change: &'a RestrictionChange,
    restricted: bool,
}

#[derive(Serialize)]
struct Username<'a> {
    username: &'a str,
}

#[derive(Serialize)]
struct SetRole<'a> {
    username: &'a str,
    role: Role,
    rank: Rank,
}

#[derive(Serialize)]
struct ForInvestigation<'a> {
    investigation: &'a str,
}

#[derive(Serialize)]
struct Exhibits<'a> {
    package: i64,
    reads: &'a [i64],
}

#[derive(Serialize)]
struct Dir<'a> {
    dir: &'a str,
}

#[derive(Serialize)]
struct RecordConsent<'a> {
    consent: &'a NewConsent,
}

#[derive(Serialize)]
struct TileServer<'a> {
    template: Option<&'a str>,
}

// --- session ---

pub async fn login(username: &str, password: &str) -> ApiResult<SessionInfo> {
    invoke("login", &Login { username, password }).await
}

/// Whether the store has no account yet (the first run).
pub async fn first_run() -> ApiResult<bool> {
    invoke("first_run", &NoArgs {}).await
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FirstAdministrator<'a> {
    username: &'a str,
    full_name: &'a str,
    organisation: &'a str,
    password: &'a str,
}

/// Creates the encrypted store and its first administrator, and logs them in.
pub async fn create_first_administrator(
    username: &str,
    full_name: &str,
    organisation: &str,
    password: &str,
) -> ApiResult<FirstRun> {
    invoke("create_first_administrator", &FirstAdministrator { username, full_name, organisation, password }).await
}

pub async fn change_password(username: &str, current: &str, new: &str) -> ApiResult<()> {
    invoke_unit("change_password", &ChangePassword { username, current, new }).await
}

pub async fn logout() -> ApiResult<()> {
    invoke_unit("logout", &NoArgs {}).await
}

pub async fn session_info() -> ApiResult<Option<SessionInfo>> {
    invoke("session_info", &NoArgs {}).await
}

pub async fn password_rules() -> ApiResult<Vec<PasswordRule>> {
    invoke("password_rules", &NoArgs {}).await
}

pub async fn overview() -> ApiResult<Overview> {
    invoke("overview", &NoArgs {}).await
}

// --- import ---

pub async fn import_bundle(path: &str) -> ApiResult<ImportSummary> {
    invoke("import_bundle", &Path { path }).await
}

pub async fn cancel_import() -> ApiResult<()> {
    invoke_unit("cancel_import", &NoArgs {}).await
}

// --- reads ---

/// A page of reads, newest first; `limit` is capped at 500 by the shell.
pub async fn browse_reads(offset: u64, limit: u64) -> ApiResult<ReadPage> {
    invoke("browse_reads", &Browse { offset, limit: limit.min(500) }).await
}

pub async fn read_detail(id: i64) -> ApiResult<ReadDetail> {
    invoke("read_detail", &Id { id }).await
}

// --- administration ---

/// Whether the store is encrypted at rest.
pub async fn store_status() -> ApiResult<StoreStatus> {
    invoke("store_status", &NoArgs {}).await
}

/// Encrypts a store made before encryption at rest (administrators); everyone logs in again.
pub async fn encrypt_store() -> ApiResult<EncryptedStore> {
    invoke("encrypt_store", &NoArgs {}).await
}

pub async fn list_users() -> ApiResult<Vec<UserInfo>> {
    invoke("list_users", &NoArgs {}).await
}

pub async fn add_user(request: &NewUserRequest) -> ApiResult<UserInfo> {
    invoke("add_user", &Request { request }).await
}

pub async fn unlock_user(username: &str) -> ApiResult<UserInfo> {
    invoke("unlock_user", &Username { username }).await
}

pub async fn suspend_user(username: &str) -> ApiResult<UserInfo> {
    invoke("suspend_user", &Username { username }).await
}

pub async fn reactivate_user(username: &str) -> ApiResult<UserInfo> {
    invoke("reactivate_user", &Username { username }).await
}

pub async fn set_user_role(username: &str, role: Role, rank: Rank) -> ApiResult<UserInfo> {
    invoke("set_user_role", &SetRole { username, role, rank }).await
}

// --- casework ---

pub async fn offences() -> ApiResult<Vec<Offence>> {
    invoke("offences", &NoArgs {}).await
}

pub async fn list_investigations() -> ApiResult<Vec<Investigation>> {
    invoke("list_investigations", &NoArgs {}).await
}

pub async fn create_investigation(request: &NewInvestigation) -> ApiResult<Investigation> {
    invoke("create_investigation", &Request { request }).await
}

pub async fn escalate_investigation(request: &EscalationRequest) -> ApiResult<Investigation> {
    invoke("escalate_investigation", &Request { request }).await
}

pub async fn set_investigation_open(reference: &str, open: bool) -> ApiResult<Investigation> {
    invoke("set_investigation_open", &SetOpen { reference, open }).await
}

pub async fn request_authority(request: &AuthorityRequest) -> ApiResult<Authority> {
    invoke("request_authority", &Request { request }).await
}

pub async fn list_authorities() -> ApiResult<Vec<Authority>> {
    invoke("list_authorities", &NoArgs {}).await
}

pub async fn decide_authority(reference: &str, approve: bool, note: &str) -> ApiResult<Authority> {
    invoke("decide_authority", &Decide { reference, approve, note }).await
}

// --- search and corrections ---

/// A category-bounded search; `limit` is capped at 500 by the shell.
pub async fn search(request: &SearchRequest) -> ApiResult<SearchResults> {
    invoke("search", &Request { request }).await
}

/// Writes a search's or analysis's results to a CSV or KML file (export privilege, 8.11.3).
pub async fn export_results(request: &ExportRequest) -> ApiResult<ExportReport> {
    invoke("export_results", &Request { request }).await
}

// --- analysis and the map ---

/// An analysis under Annex C; a refusal is `refused` with clause and needs, as for a search.
pub async fn analyse(request: &AnalysisRequest) -> ApiResult<AnalysisResult> {
    invoke("analyse", &Request { request }).await
}

/// The cameras this user may see, with positions (restricted ones only if granted, 8.8).
pub async fn map_cameras() -> ApiResult<Vec<MapCamera>> {
    invoke("map_cameras", &NoArgs {}).await
}

pub async fn map_settings() -> ApiResult<MapSettings> {
    invoke("map_settings", &NoArgs {}).await
}

/// Sets or (with `None`) clears the force tile server; administrators.
pub async fn set_tile_server(template: Option<&str>) -> ApiResult<MapSettings> {
    invoke("set_tile_server", &TileServer { template }).await
}

/// `None`: the read was deleted as incorrect.
pub async fn correct_read(request: &CorrectionRequest) -> ApiResult<Option<ReadDetail>> {
    invoke("correct_read", &Request { request }).await
}

// --- retention ---

pub async fn retention_outlook() -> ApiResult<RetentionOutlook> {
    invoke("retention_outlook", &NoArgs {}).await
}

/// The number of reads newly retained.
pub async fn retain_reads(request: &RetainRequest) -> ApiResult<u64> {
    invoke("retain_reads", &Request { request }).await
}

pub async fn run_retention() -> ApiResult<RetentionReport> {
    invoke("run_retention", &NoArgs {}).await
}

// --- cameras ---

pub async fn camera_register() -> ApiResult<Vec<CameraInfo>> {
    invoke("camera_register", &NoArgs {}).await
}

pub async fn add_camera(camera: &NewCamera) -> ApiResult<CameraInfo> {
    invoke("add_camera", &AddCamera { camera }).await
}

pub async fn set_camera_restricted(change: &RestrictionChange, restricted: bool) -> ApiResult<CameraInfo> {
    invoke("set_camera_restricted", &Restrict { change, restricted }).await
}

pub async fn grant_camera(change: &RestrictionChange) -> ApiResult<CameraInfo> {
    invoke("grant_camera", &Change { change }).await
}

pub async fn revoke_camera(change: &RestrictionChange) -> ApiResult<CameraInfo> {
    invoke("revoke_camera", &Change { change }).await
}

// --- evidence ---

/// Newest first.
pub async fn list_packages() -> ApiResult<Vec<EvidencePackage>> {
    invoke("list_packages", &NoArgs {}).await
}

/// A new draft package for the investigation.
pub async fn create_package(investigation: &str) -> ApiResult<EvidencePackage> {
    invoke("create_package", &ForInvestigation { investigation }).await
}

/// The package's exhibits, as these store ids in this order (adds, removes and reorders).
pub async fn set_exhibits(package: i64, reads: &[i64]) -> ApiResult<EvidencePackage> {
    invoke("set_exhibits", &Exhibits { package, reads }).await
}

pub async fn preview_package(request: &IssueRequest) -> ApiResult<PreviewPages> {
    invoke("preview_package", &Request { request }).await
}

pub async fn issue_package(request: &IssueRequest) -> ApiResult<IssueReport> {
    invoke("issue_package", &Request { request }).await
}

pub async fn verify_package(dir: &str) -> ApiResult<VerifyReport> {
    invoke("verify_package", &Dir { dir }).await
}

pub async fn list_consents() -> ApiResult<Vec<Consent>> {
    invoke("list_consents", &NoArgs {}).await
}

pub async fn record_consent(consent: &NewConsent) -> ApiResult<Consent> {
    invoke("record_consent", &RecordConsent { consent }).await
}

/// Newest first.
pub async fn list_disclosures() -> ApiResult<Vec<Disclosure>> {
    invoke("list_disclosures", &NoArgs {}).await
}

// --- events ---

/// A live subscription to a shell event; dropping it (or [`Subscription::stop`]) unsubscribes.
pub struct Subscription {
    unlisten: Option<js_sys::Function>,
    _handler: Closure<dyn FnMut(JsValue)>,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription").field("active", &self.unlisten.is_some()).finish()
    }
}

impl Subscription {
    pub fn stop(mut self) {
        self.unsubscribe();
    }

    fn unsubscribe(&mut self) {
        if let Some(f) = self.unlisten.take() {
            let _ = f.call0(&JsValue::NULL);
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.unsubscribe();
    }
}

/// Calls `on_progress` for every `encrypt-progress` event (images encrypted) until dropped.
pub async fn listen_encrypt_progress(on_progress: impl FnMut(EncryptProgress) + 'static) -> ApiResult<Subscription> {
    listen("encrypt-progress", on_progress).await
}

/// Calls `on_progress` for every `import-progress` event until the subscription is dropped.
pub async fn listen_import_progress(on_progress: impl FnMut(ImportProgress) + 'static) -> ApiResult<Subscription> {
    listen("import-progress", on_progress).await
}

/// Calls `on_progress` for every `passes-progress` event (frames decoded while passes are
/// proposed) until the subscription is dropped.
pub async fn listen_passes_progress(on_progress: impl FnMut(VideoProgress) + 'static) -> ApiResult<Subscription> {
    listen("passes-progress", on_progress).await
}

async fn listen<T: DeserializeOwned + 'static>(
    event: &str,
    mut on_payload: impl FnMut(T) + 'static,
) -> ApiResult<Subscription> {
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let payload = js_sys::Reflect::get(&event, &JsValue::from_str("payload")).unwrap_or(JsValue::UNDEFINED);
        if let Ok(payload) = serde_wasm_bindgen::from_value::<T>(payload) {
            on_payload(payload);
        }
    });
    let unlisten = tauri_listen(event, &handler).await.map_err(to_api_error)?;
    Ok(Subscription { unlisten: unlisten.dyn_into::<js_sys::Function>().ok(), _handler: handler })
}

// --- camera evaluations ---

#[derive(Serialize)]
struct Camera<'a> {
    camera: Option<&'a str>,
}

#[derive(Serialize)]
struct Mark<'a> {
    id: i64,
    mark: &'a MarkInput,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MarkChange<'a> {
    id: i64,
    mark_id: i64,
    mark: &'a MarkInput,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MarkId {
    id: i64,
    mark_id: i64,
}

/// An evaluation and a file of it (a read log or a truth file).
#[derive(Serialize)]
struct EvaluationFile<'a> {
    id: i64,
    path: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SetOffset {
    id: i64,
    offset_s: f64,
}

pub async fn list_evaluations(camera: Option<&str>) -> ApiResult<Vec<EvaluationSummary>> {
    invoke("list_evaluations", &Camera { camera }).await
}

pub async fn evaluation_overview() -> ApiResult<Vec<CameraEvaluationStatus>> {
    invoke("evaluation_overview", &NoArgs {}).await
}

pub async fn create_evaluation(request: &NewEvaluation) -> ApiResult<EvaluationSummary> {
    invoke("create_evaluation", &Request { request }).await
}

pub async fn evaluation_detail(id: i64) -> ApiResult<EvaluationDetail> {
    invoke("evaluation_detail", &Id { id }).await
}

pub async fn open_evaluation_video(id: i64) -> ApiResult<EvaluationVideo> {
    invoke("open_evaluation_video", &Id { id }).await
}

pub async fn add_mark(id: i64, mark: &MarkInput) -> ApiResult<Vec<EvaluationMark>> {
    invoke("add_mark", &Mark { id, mark }).await
}

pub async fn update_mark(id: i64, mark_id: i64, mark: &MarkInput) -> ApiResult<Vec<EvaluationMark>> {
    invoke("update_mark", &MarkChange { id, mark_id, mark }).await
}

pub async fn delete_mark(id: i64, mark_id: i64) -> ApiResult<Vec<EvaluationMark>> {
    invoke("delete_mark", &MarkId { id, mark_id }).await
}

pub async fn import_read_log(id: i64, path: &str) -> ApiResult<EvaluationSummary> {
    invoke("import_read_log", &EvaluationFile { id, path }).await
}

pub async fn read_log_from_store(id: i64) -> ApiResult<EvaluationSummary> {
    invoke("read_log_from_store", &Id { id }).await
}

pub async fn estimate_offset(id: i64) -> ApiResult<OffsetEstimate> {
    invoke("estimate_offset", &Id { id }).await
}

pub async fn set_evaluation_offset(id: i64, offset_s: f64) -> ApiResult<EvaluationSummary> {
    invoke("set_evaluation_offset", &SetOffset { id, offset_s }).await
}

/// Marks every vehicle of a ground-truth file; refused while the evaluation has marks.
pub async fn import_truth(id: i64, path: &str) -> ApiResult<Vec<EvaluationMark>> {
    invoke("import_truth", &EvaluationFile { id, path }).await
}

#[derive(Serialize)]
struct PassRequest<'a> {
    id: i64,
    bands: &'a [LaneBand],
}

/// Candidate vehicle passes over the whole video from the bands drawn per lane (default
/// detector parameters); progress through [`listen_passes_progress`].
pub async fn propose_passes(id: i64, bands: &[LaneBand]) -> ApiResult<Vec<ProposedPass>> {
    invoke("propose_passes", &PassRequest { id, bands }).await
}

pub async fn score_evaluation(id: i64) -> ApiResult<EvaluationReport> {
    invoke("score_evaluation", &Id { id }).await
}

/// Frame `frame` (from 0) of the evaluation video the user opened.
pub fn video_frame_url(evaluation: i64, frame: u64) -> String {
    format!("{}video/{evaluation}/{frame}", image_base(is_windows()))
}

/// A chart (`rates` or `confusions`) of the evaluation's scoring as it stands; `fresh` makes
/// each scoring's URL differ, so the webview never shows an earlier chart.
pub fn evaluation_chart_url(evaluation: i64, kind: &str, fresh: u64) -> String {
    format!("{}chart/{evaluation}/{kind}?{fresh}", image_base(is_windows()))
}

// --- native dialogs ---

#[derive(Serialize)]
struct OpenOptions<'a> {
    directory: bool,
    multiple: bool,
    title: &'a str,
}

/// The native folder picker; `None` when the user cancels.
pub async fn pick_folder(title: &str) -> ApiResult<Option<String>> {
    pick(title, true).await
}

/// The native file picker (one file), e.g. another system's read file to import.
pub async fn pick_file(title: &str) -> ApiResult<Option<String>> {
    pick(title, false).await
}

async fn pick(title: &str, directory: bool) -> ApiResult<Option<String>> {
    let options = to_js(&OpenOptions { directory, multiple: false, title })?;
    let chosen = tauri_dialog_open(options).await.map_err(to_api_error)?;
    Ok(chosen.as_string())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SaveOptions<'a> {
    title: &'a str,
    default_path: &'a str,
    filters: [FileFilter<'a>; 1],
}

#[derive(Serialize)]
struct FileFilter<'a> {
    name: &'a str,
    extensions: [&'a str; 1],
}

/// The native save-file picker offering `default_name`, files ending in `extension` listed
/// under `kind`; `None` when the user cancels.
pub async fn pick_save_file(title: &str, default_name: &str, kind: &str, extension: &str) -> ApiResult<Option<String>> {
    let filters = [FileFilter { name: kind, extensions: [extension] }];
    let options = to_js(&SaveOptions { title, default_path: default_name, filters })?;
    let chosen = tauri_dialog_save(options).await.map_err(to_api_error)?;
    Ok(chosen.as_string())
}

// --- images ---

fn is_windows() -> bool {
    web_sys::window().and_then(|w| w.navigator().user_agent().ok()).is_some_and(|ua| ua.contains("Windows"))
}

/// The URL of an image held by the core (original, or an overview image's derived thumbnail).
pub fn image_url(sha256: &str, thumbnail: bool) -> String {
    image_url_for(sha256, thumbnail, is_windows())
}

fn image_base(windows: bool) -> &'static str {
    if windows { "http://anpr-image.localhost/" } else { "anpr-image://localhost/" }
}

fn image_url_for(sha256: &str, thumbnail: bool, windows: bool) -> String {
    let sha: String = sha256.chars().filter(char::is_ascii_hexdigit).collect();
    format!("{}{sha}{}", image_base(windows), if thumbnail { "?thumbnail" } else { "" })
}

/// The URL template of the map's tiles, fetched by the shell from the force tile server.
pub fn tile_url_template() -> String {
    format!("{}tile/{{z}}/{{x}}/{{y}}", image_base(is_windows()))
}

/// Page `page` (from 1) of the package preview `token`, `document` being `bundle` or `schedule`.
pub fn preview_page_url(token: &str, document: &str, page: usize) -> String {
    preview_page_url_for(token, document, page, is_windows())
}

fn preview_page_url_for(token: &str, document: &str, page: usize, windows: bool) -> String {
    let token: String = token.chars().filter(char::is_ascii_digit).collect();
    let document = if document == "schedule" { "schedule" } else { "bundle" };
    format!("{}preview/{token}/{document}/{page}", image_base(windows))
}

// --- clipboard ---

/// Puts `text` on the clipboard: the asynchronous clipboard API, else the older copy command.
pub async fn copy_text(text: &str) -> ApiResult<()> {
    if clipboard_write_text(text).await.is_ok() {
        return Ok(());
    }
    copy_with_command(text).ok_or_else(|| internal("the clipboard is not available"))
}

fn copy_with_command(text: &str) -> Option<()> {
    let document = web_sys::window()?.document()?;
    let area: web_sys::HtmlTextAreaElement = document.create_element("textarea").ok()?.dyn_into().ok()?;
    area.set_value(text);
    area.set_attribute("readonly", "").ok()?;
    area.set_class_name("offscreen");
    let body = document.body()?;
    body.append_child(&area).ok()?;
    area.select();
    let copied = document.dyn_ref::<web_sys::HtmlDocument>().and_then(|d| d.exec_command("copy").ok()).unwrap_or(false);
    area.remove();
    copied.then_some(())
}

/// Milliseconds since the epoch, from the page's clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_urls() {
        let sha = "ab".repeat(32);
        assert_eq!(image_url_for(&sha, false, false), format!("anpr-image://localhost/{sha}"));
        assert_eq!(image_url_for(&sha, true, false), format!("anpr-image://localhost/{sha}?thumbnail"));
        assert_eq!(image_url_for(&sha, false, true), format!("http://anpr-image.localhost/{sha}"));
        // Nothing but the hash reaches the URL.
        assert_eq!(image_url_for("../etc/passwd", false, false), "anpr-image://localhost/ecad");
    }

    #[test]
    fn preview_page_urls() {
        assert_eq!(preview_page_url_for("7", "bundle", 3, false), "anpr-image://localhost/preview/7/bundle/3");
        assert_eq!(preview_page_url_for("7", "schedule", 1, true), "http://anpr-image.localhost/preview/7/schedule/1");
        // Only digits of the token and the two documents reach the URL.
        assert_eq!(preview_page_url_for("7/../x", "../etc", 1, false), "anpr-image://localhost/preview/7/bundle/1");
    }
}
