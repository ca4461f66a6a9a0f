//! A compact table in a panel: its column headings and, as children, its rows.

use leptos::prelude::*;

#[component]
pub fn DataTable(id: &'static str, heads: &'static [&'static str], children: Children) -> impl IntoView {
    view! {
        <div class="table-wrap panel">
            <table id=id class="table table-compact">
                <thead>
                    <tr>{heads.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}</tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
