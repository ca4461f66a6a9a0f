//! ANPR Workstation desktop UI: Leptos (client-side rendering) inside the Tauri shell.
//! See docs/desktop-api.md for the contract with the shell; `api` is the only module that calls it.

mod analysis_view;
mod api;
mod app;
mod components;
mod format;
mod import_errors;
mod pages;
mod virtual_rows;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
