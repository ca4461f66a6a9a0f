//! An error from the core shown as it is: the message, the NASPLE clause and what would make the
//! action allowed (refusals), or the files at fault (a refused bundle).

use crate::format::sentence;
use anpr_types::ApiError;
use leptos::prelude::*;

#[component]
pub fn Problem(error: ApiError, #[prop(optional)] id: Option<&'static str>) -> impl IntoView {
    let kind = if error.code == "refused" { "notice notice-refused" } else { "notice notice-error" };
    let heading = match error.code.as_str() {
        "refused" => "Refused",
        "bundle_refused" => "Bundle refused",
        "cancelled" => "Cancelled",
        "not_found" => "Not found",
        "invalid" => "Not accepted",
        _ => "Something went wrong",
    };
    // The core's messages often start with the same words ("refused: ...", "bundle refused: ...").
    let heading = (!error.message.to_lowercase().starts_with(&heading.to_lowercase())).then_some(heading);
    let files = error.files.clone();
    view! {
        <div id=id class=kind role="alert" data-code=error.code.clone()>
            {heading.map(|h| view! { <p class="notice-heading">{h}</p> })}
            <p class="notice-message">{sentence(&error.message)}</p>
            {error.clause.map(|c| view! { <p class="notice-clause">{format!("NASPLE {c}")}</p> })}
            {error.needs.map(|n| view! { <p class="notice-needs">{format!("Needs: {n}")}</p> })}
            {(!files.is_empty())
                .then(|| {
                    view! {
                        <ul class="notice-files">
                            {files.into_iter().map(|f| view! { <li class="mono">{f}</li> }).collect_view()}
                        </ul>
                    }
                })}
        </div>
    }
}
