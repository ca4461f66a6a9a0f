//! "Export CSV" and "Export KML" for a search's or analysis's results (docs/export.md), shown
//! only to accounts holding the export privilege (8.11.3; the core refuses anyone else
//! regardless). The core runs the search or analysis again and writes the file, marked
//! OFFICIAL-SENSITIVE and audited; this only names the file.
//!
//! With the file box empty, an export button opens the save-file picker first. A file named
//! for the other format (or for none) gets the button's extension, so a KML after a CSV of
//! the same results lands beside it.

use crate::api;
use crate::app::use_app;
use crate::components::field::{CheckField, current_value};
use crate::components::outcome::{Outcome, fail};
use crate::components::problem::Problem;
use crate::format::thousands;
use anpr_types::{ExportFormat, ExportReport, ExportRequest, ExportSource, MARKING};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// `file` with `format`'s extension: kept, swapped for the other format's, or added.
pub fn with_extension(file: &str, format: ExportFormat) -> String {
    let file = file.trim();
    match ExportFormat::of_file(file) {
        Some(f) if f == format => file.to_owned(),
        Some(_) => format!("{}.{format}", &file[..file.len() - format_len(file)]),
        None => format!("{file}.{format}"),
    }
}

/// The length of a file name's extension (without the dot).
fn format_len(file: &str) -> usize {
    file.rsplit_once('.').map_or(0, |(_, ext)| ext.len() + 1)
}

/// A name for the save-file picker: what was exported, in letters, digits and dashes.
pub fn suggested_name(text: &str) -> String {
    let name: String = text.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let name = name.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    if name.is_empty() { "anpr-export".to_owned() } else { name }
}

/// The export controls under results; `id` prefixes their ids (`{id}-file`, `{id}-csv`,
/// `{id}-kml`, `{id}-result`), `name` suggests the file's name.
#[component]
pub fn ExportButtons(
    id: &'static str,
    #[prop(into)] source: Signal<Option<ExportSource>>,
    #[prop(into)] name: Signal<String>,
) -> impl IntoView {
    let app = use_app();
    let file = RwSignal::new(String::new());
    let replace = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Outcome>);
    let report = RwSignal::new(None::<ExportReport>);
    let file_id = move || format!("{id}-file");

    let run = move |format: ExportFormat| {
        let Some(source) = source.get_untracked() else { return };
        let path = with_extension(&current_value(&file_id(), file), format);
        file.set(path.clone());
        let request = ExportRequest { source, format, file: path, overwrite: replace.get_untracked() };
        busy.set(true);
        report.set(None);
        outcome.set(None);
        spawn_local(async move {
            let result = api::export_results(&request).await;
            if busy.try_get_untracked().is_none() {
                return;
            }
            busy.set(false);
            match result {
                Ok(written) => report.set(Some(written)),
                Err(e) => fail(app, outcome, e),
            }
        });
    };
    // The picker, then (`then_export`) the export to the file chosen.
    let choose = move |format: ExportFormat, then_export: bool| {
        let title = format!("Export the results as {}", format.as_str().to_uppercase());
        let default = with_extension(&suggested_name(&name.get_untracked()), format);
        spawn_local(async move {
            let kind = format.as_str().to_uppercase();
            match api::pick_save_file(&title, &default, &kind, format.as_str()).await {
                Ok(Some(chosen)) => {
                    file.set(chosen);
                    // The picker has asked before replacing a file.
                    replace.set(true);
                    if then_export {
                        run(format);
                    }
                }
                Ok(None) => {}
                Err(e) => fail(app, outcome, e),
            }
        });
    };
    let export = move |format: ExportFormat| {
        if current_value(&file_id(), file).trim().is_empty() {
            choose(format, true);
        } else {
            run(format);
        }
    };

    view! {
        <Show when=move || app.may_export()>
            <div id=id class="panel export-panel" aria-label="Export the results">
                <div class="input-row">
                    <label for=file_id()>"Export to"</label>
                    <input
                        id=file_id()
                        type="text"
                        class="mono"
                        spellcheck="false"
                        placeholder="/path/to/file.csv"
                        prop:value=move || file.get()
                        on:input=move |ev| file.set(event_target_value(&ev))
                    />
                    <button
                        id=format!("{id}-choose")
                        type="button"
                        class="btn"
                        on:click=move |_| choose(ExportFormat::Csv, false)
                    >
                        "Choose file…"
                    </button>
                    <CheckField id=format!("{id}-replace") label="Replace an existing file" value=replace />
                    <button
                        id=format!("{id}-csv")
                        type="button"
                        class="btn"
                        disabled=move || busy.get() || source.with(Option::is_none)
                        on:click=move |_| export(ExportFormat::Csv)
                    >
                        "Export CSV"
                    </button>
                    <button
                        id=format!("{id}-kml")
                        type="button"
                        class="btn"
                        disabled=move || busy.get() || source.with(Option::is_none)
                        on:click=move |_| export(ExportFormat::Kml)
                    >
                        "Export KML"
                    </button>
                </div>
                <p class="muted small">
                    {format!(
                        "Every matching read, not just this page. The file is marked {MARKING}, holds precise positions \
                         and is not evidence (use an evidence package for disclosure); the export is audited.",
                    )}
                </p>
                <div id=format!("{id}-message") role="status" aria-live="polite">
                    {move || match outcome.get() {
                        Some(Outcome::Failed(e)) => Some(view! { <Problem error=e /> }),
                        _ => None,
                    }}
                </div>
                {move || {
                    report
                        .get()
                        .map(|r| {
                            view! {
                                <p
                                    id=format!("{id}-result")
                                    class="msg msg-note"
                                    role="status"
                                    data-rows=r.rows
                                    data-sha256=r.sha256.clone()
                                    data-file=r.file.clone()
                                >
                                    {format!(
                                        "Exported {} read(s) as {} to {} (SHA-256 {}).",
                                        thousands(r.rows),
                                        r.format.as_str().to_uppercase(),
                                        r.file,
                                        r.sha256,
                                    )}
                                </p>
                            }
                        })
                }}
            </div>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_takes_the_buttons_format() {
        assert_eq!(with_extension("/tmp/out.csv", ExportFormat::Csv), "/tmp/out.csv");
        assert_eq!(with_extension("/tmp/out.csv", ExportFormat::Kml), "/tmp/out.kml");
        assert_eq!(with_extension("/tmp/out.KML", ExportFormat::Csv), "/tmp/out.csv");
        assert_eq!(with_extension(" /tmp/out ", ExportFormat::Kml), "/tmp/out.kml");
        assert_eq!(with_extension("/tmp/out.txt", ExportFormat::Csv), "/tmp/out.txt.csv");
    }

    #[test]
    fn suggested_names_are_plain() {
        assert_eq!(suggested_name("NS-PV-0001 search AB12*"), "NS-PV-0001-search-AB12");
        assert_eq!(suggested_name(" ** "), "anpr-export");
    }
}
