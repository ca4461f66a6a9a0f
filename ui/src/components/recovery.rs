//! The recovery key of an encrypted store, shown once (at the first run, or when an
//! administrator encrypts an existing store): the store keeps no copy of it.

use leptos::prelude::*;

/// The key, what it is for, and a confirmation before `on_done` lets the user go on.
#[component]
pub fn RecoveryKeyNotice(
    key: String,
    on_done: impl Fn() + Send + Sync + 'static,
    done_label: &'static str,
) -> impl IntoView {
    let recorded = RwSignal::new(false);
    view! {
        <div id="recovery-key-notice" class="panel recovery-notice" role="alert">
            <h2>"Recovery key"</h2>
            <p>
                "The store's database and images are encrypted. Each account opens them with its own password. "
                "If every administrator password is ever lost, this key is the only way back in ("
                <code>"anpr recover"</code>
                "). It is shown only now and is kept nowhere on this computer."
            </p>
            <p id="recovery-key" class="recovery-key">{key}</p>
            <p class="muted">
                "Write it down or print it, and keep it sealed, apart from this computer, as OFFICIAL-SENSITIVE material."
            </p>
            <label class="check">
                <input
                    id="recovery-key-recorded"
                    type="checkbox"
                    on:change=move |ev| recorded.set(event_target_checked(&ev))
                />
                " I have recorded the recovery key and will keep it sealed"
            </label>
            <div class="form-actions">
                <button
                    id="recovery-key-done"
                    type="button"
                    class="btn btn-primary"
                    disabled=move || !recorded.get()
                    on:click=move |_| on_done()
                >
                    {done_label}
                </button>
            </div>
        </div>
    }
}
