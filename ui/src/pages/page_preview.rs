//! Page previews of a package before it is issued (issue 6): every page of the bundle and of the
//! schedule of sensitive material, rendered by the core from the very PDFs issuing would write.
//! A strip of small pages to choose from and the chosen page large, with previous and next.

use crate::api;
use crate::format::plural;
use anpr_types::PreviewPages;
use leptos::prelude::*;

/// Which document is shown, and its page count.
fn pages_of(preview: &PreviewPages, document: &str) -> usize {
    if document == "schedule" { preview.schedule_pages } else { preview.bundle_pages }
}

fn document_title(document: &str) -> &'static str {
    if document == "schedule" { "Schedule of sensitive material" } else { "Bundle" }
}

/// The page after stepping `by` from `page` (from 1), kept within 1..=`pages`.
pub fn stepped(page: usize, by: isize, pages: usize) -> usize {
    page.saturating_add_signed(by).clamp(1, pages.max(1))
}

#[component]
pub fn PagePreviews(preview: PreviewPages) -> impl IntoView {
    let preview = StoredValue::new(preview);
    let document = RwSignal::new("bundle");
    let page = RwSignal::new(1usize);
    let count = move || preview.with_value(|p| pages_of(p, document.get()));
    let url = move |n: usize| preview.with_value(|p| api::preview_page_url(&p.token, document.get(), n));
    let choose = move |d: &'static str| {
        document.set(d);
        page.set(1);
    };
    let step = move |by: isize| page.update(|p| *p = stepped(*p, by, count()));
    let summary = preview.with_value(|p| {
        format!(
            "Rendered from the PDFs that issuing now would write: {}, the bundle in {} pages and the schedule in \
             {}. Nothing has been written or disclosed. Change a level or an exhibit and preview again.",
            plural(p.exhibits, "exhibit"),
            p.bundle_pages,
            p.schedule_pages
        )
    });
    let tab = move |d: &'static str, id: &'static str| {
        let label = move || preview.with_value(|p| format!("{} ({} pages)", document_title(d), pages_of(p, d)));
        view! {
            <button
                type="button"
                id=id
                class="btn btn-small"
                class:btn-primary=move || document.get() == d
                aria-pressed=move || (document.get() == d).to_string()
                on:click=move |_| choose(d)
            >
                {label}
            </button>
        }
    };
    view! {
        <section
            id="page-previews"
            class="previews"
            aria-labelledby="previews-title"
            data-token=preview.with_value(|p| p.token.clone())
        >
            <h3 id="previews-title">"Page previews"</h3>
            <p class="muted">{summary}</p>
            <div class="preview-tabs" role="group" aria-label="Document">
                {tab("bundle", "preview-bundle")}
                {tab("schedule", "preview-schedule")}
            </div>
            <div class="preview-strip" id="preview-strip">
                {move || {
                    (1..=count())
                        .map(|n| {
                            view! {
                                <button
                                    type="button"
                                    class="preview-thumb"
                                    class:chosen=move || page.get() == n
                                    aria-label=format!("Page {n}")
                                    on:click=move |_| page.set(n)
                                >
                                    <img src=url(n) alt=format!("Page {n}") loading="lazy" />
                                    <span>{n}</span>
                                </button>
                            }
                        })
                        .collect_view()
                }}
            </div>
            <figure class="preview-page">
                <div class="preview-nav">
                    <button
                        type="button"
                        id="preview-prev"
                        class="btn btn-small"
                        disabled=move || { page.get() <= 1 }
                        on:click=move |_| step(-1)
                    >
                        "Previous page"
                    </button>
                    <span id="preview-caption">
                        {move || format!("{}: page {} of {}", document_title(document.get()), page.get(), count())}
                    </span>
                    <button
                        type="button"
                        id="preview-next"
                        class="btn btn-small"
                        disabled=move || { page.get() >= count() }
                        on:click=move |_| step(1)
                    >
                        "Next page"
                    </button>
                </div>
                <img
                    id="preview-page"
                    src=move || url(page.get())
                    alt=move || format!("{} page {} of {}", document_title(document.get()), page.get(), count())
                />
            </figure>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stepping_stays_within_the_document() {
        assert_eq!(stepped(1, -1, 5), 1);
        assert_eq!(stepped(1, 1, 5), 2);
        assert_eq!(stepped(5, 1, 5), 5);
        assert_eq!(stepped(3, -1, 5), 2);
        assert_eq!(stepped(1, 1, 0), 1);
    }

    #[test]
    fn each_document_has_its_own_count_and_title() {
        let p = PreviewPages { token: "1".into(), exhibits: 3, bundle_pages: 6, schedule_pages: 2 };
        assert_eq!(pages_of(&p, "bundle"), 6);
        assert_eq!(pages_of(&p, "schedule"), 2);
        assert_eq!(document_title("schedule"), "Schedule of sensitive material");
    }
}
