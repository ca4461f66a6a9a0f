//! Generates the Tauri context and the app's command permissions. Declaring the commands here
//! makes each one need an explicit `allow-<command>` in `capabilities/default.json`: without an
//! app manifest Tauri would let any window call every command.

/// Every command registered in `main.rs`'s `invoke_handler`, in the same order.
const COMMANDS: &[&str] = &[
    "login",
    "change_password",
    "logout",
    "session_info",
    "password_rules",
    "overview",
    "import_bundle",
    "cancel_import",
    "browse_reads",
    "read_detail",
    "list_users",
    "add_user",
    "unlock_user",
    "suspend_user",
    "reactivate_user",
    "set_user_role",
    "offences",
    "list_investigations",
    "create_investigation",
    "escalate_investigation",
    "set_investigation_open",
    "check_access",
    "request_authority",
    "list_authorities",
    "decide_authority",
    "search",
    "camera_register",
    "add_camera",
    "set_camera_restricted",
    "grant_camera",
    "revoke_camera",
    "retention_outlook",
    "retain_reads",
    "run_retention",
    "correct_read",
    "list_packages",
    "create_package",
    "set_exhibits",
    "preview_package",
    "issue_package",
    "verify_package",
    "list_consents",
    "record_consent",
    "list_disclosures",
    "analyse",
    "map_cameras",
    "map_settings",
    "set_tile_server",
];

fn main() {
    let attributes = tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {e:#}");
    }
}
