//! ANPR Workstation desktop shell: a window over `anpr-core`. Everything here is wiring: the
//! commands (one core call each) are in `commands/`, the image protocol in `images.rs`, the
//! state in `state.rs`. No SQL and no policy live in this crate.

// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod images;
mod state;
mod tiles;

use anpr_core::{StoreState, SystemClock, Workstation};
use state::AppState;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::Manager;

fn main() {
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .register_asynchronous_uri_scheme_protocol(images::SCHEME, images::handle)
        .setup(|app| {
            let data_dir = data_dir(app.handle())?;
            // An encrypted store (and a new one) opens at the first login; one made before
            // encryption opens now. Opening migrates the schema: quick, and before any command.
            let workstation = match Workstation::state(&data_dir)? {
                StoreState::Plain => {
                    Some(tauri::async_runtime::block_on(Workstation::open(&data_dir, Arc::new(SystemClock)))?)
                }
                StoreState::Empty | StoreState::Encrypted => None,
            };
            app.manage(AppState::new(data_dir, workstation));
            retention_runs(app.handle().clone());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::session::login,
            commands::session::first_run,
            commands::session::create_first_administrator,
            commands::session::change_password,
            commands::session::logout,
            commands::session::session_info,
            commands::session::password_rules,
            commands::session::overview,
            commands::import::import_bundle,
            commands::import::cancel_import,
            commands::reads::browse_reads,
            commands::reads::read_detail,
            commands::admin::list_users,
            commands::admin::add_user,
            commands::admin::unlock_user,
            commands::admin::suspend_user,
            commands::admin::reactivate_user,
            commands::admin::set_user_role,
            commands::admin::encrypt_store,
            commands::session::store_status,
            commands::casework::offences,
            commands::casework::list_investigations,
            commands::casework::create_investigation,
            commands::casework::escalate_investigation,
            commands::casework::set_investigation_open,
            commands::casework::check_access,
            commands::casework::request_authority,
            commands::casework::list_authorities,
            commands::casework::decide_authority,
            commands::casework::search,
            commands::records::camera_register,
            commands::records::add_camera,
            commands::records::set_camera_restricted,
            commands::records::grant_camera,
            commands::records::revoke_camera,
            commands::records::retention_outlook,
            commands::records::retain_reads,
            commands::records::run_retention,
            commands::records::correct_read,
            commands::evidence::list_packages,
            commands::evidence::create_package,
            commands::evidence::set_exhibits,
            commands::evidence::preview_package,
            commands::evidence::issue_package,
            commands::evidence::verify_package,
            commands::evidence::list_consents,
            commands::evidence::record_consent,
            commands::evidence::list_disclosures,
            commands::evaluation::list_evaluations,
            commands::evaluation::evaluation_overview,
            commands::evaluation::create_evaluation,
            commands::evaluation::evaluation_detail,
            commands::evaluation::open_evaluation_video,
            commands::evaluation::add_mark,
            commands::evaluation::update_mark,
            commands::evaluation::delete_mark,
            commands::evaluation::import_read_log,
            commands::evaluation::read_log_from_store,
            commands::evaluation::import_truth,
            commands::evaluation::propose_passes,
            commands::evaluation::estimate_offset,
            commands::evaluation::set_evaluation_offset,
            commands::evaluation::score_evaluation,
            commands::export::export_results,
            commands::analysis::analyse,
            commands::analysis::map_cameras,
            commands::analysis::map_settings,
            commands::analysis::set_tile_server,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = app {
        eprintln!("ANPR Workstation could not start: {e}");
        std::process::exit(1);
    }
}

/// Applies the retention rules as soon as the store is open and every hour after while the app
/// runs (8.9.4, 9.5.1), in the background so a large store does not delay anyone. Each run is
/// audited. An encrypted store opens only at a login, so this looks every minute.
fn retention_runs(app: tauri::AppHandle) {
    use std::time::{Duration, Instant};
    tauri::async_runtime::spawn(async move {
        let mut last_run: Option<Instant> = None;
        loop {
            let due = last_run.is_none_or(|t| t.elapsed() >= Duration::from_secs(60 * 60));
            if let Some(workstation) = app.state::<AppState>().workstation().filter(|_| due) {
                last_run = Some(Instant::now());
                if let Err(e) = workstation.run_retention().await {
                    eprintln!("retention run failed (it will be tried again in an hour): {e}");
                }
            }
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
    });
}

/// `ANPR_DATA_DIR` (as the CLI reads it), else `<platform data dir>/anpr-workstation`, the
/// CLI's default too, so both faces open the same store.
fn data_dir(app: &tauri::AppHandle) -> tauri::Result<PathBuf> {
    match std::env::var_os("ANPR_DATA_DIR") {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ => Ok(app.path().data_dir()?.join("anpr-workstation")),
    }
}
