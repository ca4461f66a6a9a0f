//! The protective marking shown at the top and bottom of every screen.

use anpr_types::MARKING;
use leptos::prelude::*;

#[component]
pub fn Marking(id: &'static str, position: &'static str) -> impl IntoView {
    view! {
        <div id=id class=format!("marking marking-{position}") role="note" aria-label="Protective marking">
            {MARKING}
        </div>
    }
}
