//! Login, and the change-password form a login leads to when the password must change
//! (first use of a temporary password, expiry: NASPLE Appendix A).

use crate::api;
use crate::app::{Page, use_app};
use crate::components::field::{TextField, current_value, focus_later};
use crate::components::recovery::RecoveryKeyNotice;
use crate::format::{login_failure, sentence};
use anpr_types::{ApiError, FirstRun, PasswordRule, SessionInfo};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Mode {
    Login,
    ChangePassword {
        username: String,
        reason: String,
    },
    /// An empty store: the first administrator is created here.
    FirstRun,
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let mode = RwSignal::new(Mode::Login);
    spawn_local(async move {
        if let Ok(true) = api::first_run().await {
            mode.set(Mode::FirstRun);
        }
    });
    view! {
        <div class="login-screen">
            <div class="login-card" class:wide=move || !matches!(mode.get(), Mode::Login)>
                <div class="login-brand">
                    <span class="brand-mark" aria-hidden="true">"ANPR"</span>
                    <div>
                        <h1>"ANPR Workstation"</h1>
                        <p class="muted">"Authorised users only. Every action is audited."</p>
                    </div>
                </div>
                {move || match mode.get() {
                    Mode::Login => view! { <LoginForm mode=mode /> }.into_any(),
                    Mode::ChangePassword { username, reason } => {
                        view! { <ChangePasswordForm mode=mode username=username reason=reason /> }.into_any()
                    }
                    Mode::FirstRun => view! { <FirstRunForm /> }.into_any(),
                }}
            </div>
        </div>
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Message {
    Note(String),
    Error(String),
}

fn message_view(message: Option<Message>) -> impl IntoView {
    match message {
        None => ().into_any(),
        Some(Message::Note(text)) => view! { <span class="msg msg-note">{text}</span> }.into_any(),
        Some(Message::Error(text)) => view! { <span class="msg msg-error">{text}</span> }.into_any(),
    }
}

#[component]
fn LoginForm(mode: RwSignal<Mode>) -> impl IntoView {
    let state = use_app();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let message = RwSignal::new(state.login_note.get_untracked().map(Message::Note));
    focus_later("login-username");

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let user = current_value("login-username", username).trim().to_owned();
        let pass = current_value("login-password", password);
        if user.is_empty() || pass.is_empty() {
            message.set(Some(Message::Error("Enter your user name and password.".into())));
            return;
        }
        busy.set(true);
        message.set(None);
        spawn_local(async move {
            match api::login(&user, &pass).await {
                Ok(info) => {
                    state.login_note.set(None);
                    state.page.set(Page::Home);
                    state.session.set(Some(info));
                }
                Err(err) if err.code == "password_change_required" => {
                    state.login_note.set(None);
                    mode.set(Mode::ChangePassword { username: user, reason: sentence(&err.message) });
                }
                Err(err) => {
                    password.set(String::new());
                    message.set(Some(Message::Error(login_failure(&err))));
                    busy.set(false);
                }
            }
        });
    };

    view! {
        <form class="form" on:submit=submit novalidate>
            <h2>"Log in"</h2>
            <TextField id="login-username" label="User name" value=username kind="text" autocomplete="username" />
            <TextField id="login-password" label="Password" value=password kind="password" autocomplete="current-password" />
            <div id="login-message" class="form-message" role="status" aria-live="polite">
                {move || message_view(message.get())}
            </div>
            <div class="form-actions">
                <button id="login-submit" type="submit" class="btn btn-primary" disabled=move || busy.get()>
                    {move || if busy.get() { "Logging in…" } else { "Log in" }}
                </button>
            </div>
        </form>
    }
}

#[component]
fn ChangePasswordForm(mode: RwSignal<Mode>, username: String, reason: String) -> impl IntoView {
    let state = use_app();
    let rules = RwSignal::new(Vec::<PasswordRule>::new());
    let failed = RwSignal::new(Vec::<String>::new());
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let hint = RwSignal::new(None::<String>);
    focus_later("cp-current");
    load_rules(rules);

    let user = username.clone();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (cur, new_pw, conf) =
            (current_value("cp-current", current), current_value("cp-new", new), current_value("cp-confirm", confirm));
        error.set(None);
        if cur.is_empty() || new_pw.is_empty() {
            hint.set(Some("Enter your current password and a new one.".into()));
            return;
        }
        if new_pw != conf {
            hint.set(Some("The new password and its confirmation differ.".into()));
            return;
        }
        hint.set(None);
        busy.set(true);
        let user = user.clone();
        spawn_local(async move {
            match api::change_password(&user, &cur, &new_pw).await {
                Ok(()) => {
                    state.login_note.set(Some("Password changed: log in with your new password.".into()));
                    mode.set(Mode::Login);
                }
                Err(err) => {
                    note_failed_rule(failed, &err);
                    if err.code == "authentication_failed" {
                        hint.set(Some(login_failure(&err)));
                    } else {
                        error.set(Some(err));
                    }
                    busy.set(false);
                }
            }
        });
    };

    let back = move |_| {
        state.login_note.set(None);
        mode.set(Mode::Login);
    };

    view! {
        <form class="form" on:submit=submit novalidate>
            <h2>"Change your password"</h2>
            <p class="muted">
                {format!("Account {username}: ")}
                {reason}
            </p>
            <div class="cp-columns">
            <RulesList rules=rules failed=failed />
            <div class="cp-fields">
            <TextField id="cp-current" label="Current (or temporary) password" value=current kind="password" autocomplete="current-password" />
            <TextField id="cp-new" label="New password" value=new kind="password" autocomplete="new-password" />
            <TextField id="cp-confirm" label="New password again" value=confirm kind="password" autocomplete="new-password" />
            <div id="cp-message" class="form-message" role="status" aria-live="polite">
                {move || hint.get().map(|h| view! { <span class="msg msg-error">{h}</span> })}
                {move || error.get().map(|e| view! { <Refusal error=e /> })}
            </div>
            <div class="form-actions">
                <button id="cp-submit" type="submit" class="btn btn-primary" disabled=move || busy.get()>
                    {move || if busy.get() { "Changing…" } else { "Change password" }}
                </button>
                <button id="cp-cancel" type="button" class="btn" on:click=back>
                    "Back to login"
                </button>
            </div>
            </div>
            </div>
        </form>
    }
}

/// The password rules of NASPLE Appendix A, the ones a refusal cited marked.
#[component]
fn RulesList(rules: RwSignal<Vec<PasswordRule>>, failed: RwSignal<Vec<String>>) -> impl IntoView {
    view! {
        <section class="rules" aria-labelledby="cp-rules-title">
            <h3 id="cp-rules-title">"The password must follow NASPLE Appendix A"</h3>
            <ul id="cp-rules">
                <For
                    each=move || rules.get()
                    key=|r| format!("{}|{}", r.clause, r.text)
                    children=move |r| {
                        let clause = r.clause.clone();
                        let is_failed = move || failed.with(|f| f.contains(&clause));
                        view! {
                            <li class="rule" class:failed=is_failed data-clause=r.clause.clone()>
                                <span class="rule-clause">{r.clause.clone()}</span>
                                <span class="rule-text">{r.text.clone()}</span>
                            </li>
                        }
                    }
                />
            </ul>
        </section>
    }
}

/// Loads the password rules into `rules`.
fn load_rules(rules: RwSignal<Vec<PasswordRule>>) {
    spawn_local(async move {
        if let Ok(list) = api::password_rules().await {
            rules.set(list);
        }
    });
}

/// Marks the rule a refusal cited.
fn note_failed_rule(failed: RwSignal<Vec<String>>, err: &ApiError) {
    if let Some(clause) = err.clause.clone() {
        failed.update(|f| {
            if !f.contains(&clause) {
                f.push(clause);
            }
        });
    }
}

/// A refusal or error: the message, the clause it cites and what would make it allowed.
#[component]
fn Refusal(error: ApiError) -> impl IntoView {
    view! {
        <span class="msg msg-error">{sentence(&error.message)}</span>
        {error.clause.map(|c| view! { <span class="msg-clause">{format!("NASPLE {c}")}</span> })}
        {error.needs.map(|n| view! { <span class="msg-needs">{format!("Needs: {n}")}</span> })}
    }
}

/// The first run of an empty store: the first administrator (who then adds every other
/// account), with the organisation their passwords may not be based on (Appendix A 8).
#[component]
fn FirstRunForm() -> impl IntoView {
    let state = use_app();
    let rules = RwSignal::new(Vec::<PasswordRule>::new());
    let failed = RwSignal::new(Vec::<String>::new());
    let [username, full_name, organisation, password, confirm] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let hint = RwSignal::new(None::<String>);
    // The created administrator and the recovery key, shown once before going on.
    let created = RwSignal::new(None::<(SessionInfo, String)>);
    focus_later("setup-username");
    load_rules(rules);

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let user = current_value("setup-username", username).trim().to_owned();
        let name = current_value("setup-full-name", full_name).trim().to_owned();
        let org = current_value("setup-organisation", organisation).trim().to_owned();
        let (pw, conf) = (current_value("setup-password", password), current_value("setup-confirm", confirm));
        error.set(None);
        if user.is_empty() || name.is_empty() || org.is_empty() || pw.is_empty() {
            hint.set(Some("Every field is needed.".into()));
            return;
        }
        if pw != conf {
            hint.set(Some("The password and its confirmation differ.".into()));
            return;
        }
        hint.set(None);
        busy.set(true);
        spawn_local(async move {
            match api::create_first_administrator(&user, &name, &org, &pw).await {
                Ok(FirstRun { session, recovery_key: Some(key) }) => created.set(Some((session, key))),
                Ok(FirstRun { session, recovery_key: None }) => {
                    state.page.set(Page::Users);
                    state.session.set(Some(session));
                }
                Err(err) => {
                    note_failed_rule(failed, &err);
                    error.set(Some(err));
                    busy.set(false);
                }
            }
        });
    };

    let go_on = move || {
        if let Some((session, _)) = created.get_untracked() {
            state.page.set(Page::Users);
            state.session.set(Some(session));
        }
    };
    view! {
        {move || created.get().map(|(_, key)| view! {
            <RecoveryKeyNotice key=key on_done=go_on done_label="Continue to the Users screen" />
        })}
        <form id="first-run" class="form" on:submit=submit novalidate hidden=move || created.with(Option::is_some)>
            <h2>"Set up this workstation"</h2>
            <p class="muted">
                "No account exists yet. Create the first administrator: they add the other users, the camera register and the settings. Every action from here on is audited."
            </p>
            <div class="cp-columns">
                <RulesList rules=rules failed=failed />
                <div class="cp-fields">
                    <TextField id="setup-username" label="Administrator user name" value=username kind="text" autocomplete="username" />
                    <TextField id="setup-full-name" label="Full name" value=full_name kind="text" autocomplete="name" />
                    <TextField id="setup-organisation" label="Force or agency" value=organisation kind="text" autocomplete="organization" />
                    <TextField id="setup-password" label="Password" value=password kind="password" autocomplete="new-password" />
                    <TextField id="setup-confirm" label="Password again" value=confirm kind="password" autocomplete="new-password" />
                    <div id="setup-message" class="form-message" role="status" aria-live="polite">
                        {move || hint.get().map(|h| view! { <span class="msg msg-error">{h}</span> })}
                        {move || error.get().map(|e| view! { <Refusal error=e /> })}
                    </div>
                    <div class="form-actions">
                        <button id="setup-submit" type="submit" class="btn btn-primary" disabled=move || busy.get()>
                            {move || if busy.get() { "Creating…" } else { "Create the administrator" }}
                        </button>
                    </div>
                </div>
            </div>
        </form>
    }
}
