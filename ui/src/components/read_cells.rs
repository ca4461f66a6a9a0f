//! A read as a table row: the column headings and one read's cells (plate patch, VRM, time,
//! camera, area, lane, direction, confidence), shared by the read browser and the search results.

use crate::api::image_url;
use crate::format::{confidence, utc_short};
use anpr_types::{ReadSummary, VrmMatch};
use leptos::prelude::*;

/// The column headings (`.read-head` in styles.css).
#[component]
pub fn ReadHead() -> impl IntoView {
    view! {
        <div class="read-head" role="row">
            <div class="cell c-plate" role="columnheader">"Plate patch"</div>
            <div class="cell c-vrm" role="columnheader">"VRM"</div>
            <div class="cell c-time" role="columnheader">"Time (UK)"</div>
            <div class="cell c-camera" role="columnheader">"Camera"</div>
            <div class="cell c-area" role="columnheader">"General area"</div>
            <div class="cell num c-lane" role="columnheader">"Lane"</div>
            <div class="cell c-dir" role="columnheader">"Direction"</div>
            <div class="cell num c-conf" role="columnheader">"Confidence"</div>
        </div>
    }
}

/// A plate patch at thumbnail size, or "no patch".
#[component]
pub fn PlateThumb(sha: Option<String>, alt: String) -> impl IntoView {
    match sha {
        Some(sha) => view! {
            <img class="plate-thumb" src=image_url(&sha, false) alt=alt width="120" height="26" decoding="async" />
        }
        .into_any(),
        None => view! { <span class="plate-none muted">"no patch"</span> }.into_any(),
    }
}

/// A misread-tolerant match in words: `8->B at 2, -E at 7`; empty for the VRM itself.
pub fn match_text(m: &VrmMatch) -> String {
    m.edits.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// One read's cells, in the columns of [`ReadHead`].
#[component]
pub fn ReadCells(read: ReadSummary) -> impl IntoView {
    let alt = if read.not_read { "Plate patch (not read)".to_owned() } else { format!("Plate patch of {}", read.vrm) };
    let vrm = if read.not_read {
        view! { <span class="badge badge-warn">"NOT READ"</span> }.into_any()
    } else {
        // A misread-tolerant match shows how it differs; a VRM no UK layout fits is flagged.
        let edits = read.vrm_match.as_ref().map(match_text).filter(|t| !t.is_empty());
        view! {
            <span class="vrm">{read.vrm.clone()}</span>
            {read
                .likely_misread
                .then(|| {
                    view! {
                        <span class="badge badge-warn misread" title="Fits no UK registration layout">
                            "likely misread"
                        </span>
                    }
                })}
            {edits.map(|t| view! { <span class="vrm-edits small muted">{t}</span> })}
        }
        .into_any()
    };
    view! {
        <div class="cell c-plate" role="gridcell">
            <PlateThumb sha=read.plate_image.clone() alt=alt />
        </div>
        <div class="cell c-vrm" role="gridcell">
            {vrm}
        </div>
        <div class="cell nowrap c-time" role="gridcell" title=utc_short(&read.read_time)>
            {read.read_time_uk.clone()}
        </div>
        <div class="cell ellipsis c-camera" role="gridcell" title=read.camera_id.clone()>
            {read.camera_name.clone()}
        </div>
        <div class="cell ellipsis c-area" role="gridcell">
            {read.general_area.clone()}
        </div>
        <div class="cell num c-lane" role="gridcell">
            {read.lane.map(|l| l.to_string()).unwrap_or_else(|| "—".into())}
        </div>
        <div class="cell ellipsis c-dir" role="gridcell">
            {read.direction.clone().unwrap_or_else(|| "—".into())}
        </div>
        <div class="cell num c-conf" role="gridcell">
            {confidence(read.confidence)}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anpr_types::VrmEdit;

    #[test]
    fn a_match_in_words() {
        let edit = |position, read, query| VrmEdit { position, read, query };
        let m = VrmMatch {
            cost: 4,
            layout: Some("current".into()),
            edits: vec![edit(2, Some('8'), Some('B')), edit(7, None, Some('E'))],
        };
        assert_eq!(match_text(&m), "8->B at 2, -E at 7");
        assert_eq!(match_text(&VrmMatch { cost: 0, layout: None, edits: Vec::new() }), "");
    }
}
