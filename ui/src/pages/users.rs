//! Accounts, for administrators: the list with each account's state, a form for a new account
//! with a temporary password, and per-account unlock, suspend, reactivate and role/rank change.

use crate::api::{self, ApiResult};
use crate::app::use_app;
use crate::components::field::{TextField, current_value, selected_value};
use crate::components::outcome::{Outcome, OutcomeMessage, act};
use crate::components::problem::Problem;
use crate::components::recovery::RecoveryKeyNotice;
use crate::format::{rank_label, role_label, utc_short};
use anpr_types::{ApiError, NewUserRequest, Rank, Role, UserInfo};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::future::Future;

/// The account's state in words, for the table.
pub fn state_label(user: &UserInfo) -> &'static str {
    if user.suspended {
        "Suspended"
    } else if user.locked {
        "Locked"
    } else if user.must_change_password {
        "Must change password"
    } else {
        "Active"
    }
}

/// A row key that changes whenever anything shown in the row changes.
fn row_key(u: &UserInfo) -> String {
    format!(
        "{}|{}|{}|{}|{}|{}|{}|{:?}",
        u.username, u.full_name, u.role, u.rank, u.locked, u.suspended, u.must_change_password, u.last_login
    )
}

#[derive(Debug, Clone, Copy)]
struct Accounts {
    app: crate::app::AppState,
    users: RwSignal<Vec<UserInfo>>,
    outcome: RwSignal<Option<Outcome>>,
}

impl Accounts {
    /// Runs an account change and puts the changed account in its row.
    fn change(self, what: String, call: impl Future<Output = ApiResult<UserInfo>> + 'static) {
        act(self.app, self.outcome, call, move |user| {
            self.users.update(|list| match list.iter_mut().find(|u| u.username == user.username) {
                Some(slot) => *slot = user.clone(),
                None => list.push(user.clone()),
            });
            Some(format!("{what}: {}", user.username))
        });
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let state = use_app();
    let accounts = Accounts { app: state, users: RwSignal::new(Vec::new()), outcome: RwSignal::new(None) };
    let load_error = RwSignal::new(None::<ApiError>);
    let loaded = RwSignal::new(false);

    let load = move || {
        spawn_local(async move {
            match api::list_users().await {
                Ok(list) => {
                    accounts.users.set(list);
                    load_error.set(None);
                }
                Err(e) => load_error.set(state.check(e)),
            }
            loaded.set(true);
        });
    };
    load();

    view! {
        <section id="users" class="page" aria-labelledby="users-title">
            <div class="page-head">
                <h1 id="users-title">"Users"</h1>
                <span class="muted">"Accounts on this workstation (NASPLE 9.3)"</span>
                <span class="spacer"></span>
                <button id="users-refresh" type="button" class="btn" on:click=move |_| load()>
                    "Refresh"
                </button>
            </div>
            {move || load_error.get().map(|e| view! { <Problem error=e id="users-error" /> })}
            <OutcomeMessage outcome=accounts.outcome id="user-message" />
            <div class="table-wrap panel">
                <table id="users-table" class="table table-compact">
                    <thead>
                        <tr>
                            <th scope="col">"User name"</th>
                            <th scope="col">"Full name"</th>
                            <th scope="col">"State"</th>
                            <th scope="col">"Last login / password expires (UTC)"</th>
                            <th scope="col">"Role and rank"</th>
                            <th scope="col">"Actions"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || accounts.users.get() key=row_key let:user>
                            <UserRow user=user accounts=accounts />
                        </For>
                    </tbody>
                </table>
                <Show when=move || loaded.get() && accounts.users.with(Vec::is_empty)>
                    <p class="muted">"No accounts."</p>
                </Show>
            </div>
            <NewUserForm accounts=accounts />
            <EncryptionPanel />
        </section>
    }
}

fn role_options(selected: Role) -> impl IntoView {
    Role::ALL
        .iter()
        .map(|r| view! { <option value=r.as_str() selected=*r == selected>{role_label(*r)}</option> })
        .collect_view()
}

fn rank_options(selected: Rank) -> impl IntoView {
    Rank::ALL
        .iter()
        .map(|r| view! { <option value=r.as_str() selected=*r == selected>{rank_label(*r)}</option> })
        .collect_view()
}

#[component]
fn UserRow(user: UserInfo, accounts: Accounts) -> impl IntoView {
    let name = user.username.clone();
    let role = RwSignal::new(user.role);
    let rank = RwSignal::new(user.rank);
    let changed = move || role.get() != user.role || rank.get() != user.rank;
    let state = state_label(&user);
    let state_class = format!("badge badge-{}", state.split(' ').next().unwrap_or("active").to_lowercase());

    let n = name.clone();
    let unlock = move |_| {
        accounts.change("Unlocked".into(), {
            let n = n.clone();
            async move { api::unlock_user(&n).await }
        })
    };
    let n = name.clone();
    let suspend = move |_| {
        accounts.change("Suspended".into(), {
            let n = n.clone();
            async move { api::suspend_user(&n).await }
        })
    };
    let n = name.clone();
    let reactivate = move |_| {
        accounts.change("Reactivated".into(), {
            let n = n.clone();
            async move { api::reactivate_user(&n).await }
        })
    };
    let n = name.clone();
    let save_role = move |_| {
        let (n, r, k) = (n.clone(), role.get_untracked(), rank.get_untracked());
        accounts.change("Role and rank changed".into(), async move { api::set_user_role(&n, r, k).await });
    };

    let role_id = format!("user-role-{name}");
    let rank_id = format!("user-rank-{name}");
    view! {
        <tr class="user-row" data-username=name.clone() id=format!("user-row-{name}")>
            <td class="mono">{name.clone()}</td>
            <td>{user.full_name.clone()}</td>
            <td>
                <span class=state_class data-state=state>
                    {state}
                </span>
            </td>
            <td class="nowrap small-cell">
                <span class="user-last-login">
                    {user.last_login.as_deref().map(utc_short).unwrap_or_else(|| "never logged in".into())}
                </span>
                <br />
                <span class="muted user-expires">{format!("expires {}", utc_short(&user.password_expires))}</span>
            </td>
            <td class="role-cell">
                <label class="visually-hidden" for=role_id.clone()>
                    {format!("Role of {name}")}
                </label>
                <select
                    id=role_id
                    class="user-role"
                    on:change=move |ev| {
                        if let Ok(r) = event_target_value(&ev).parse() {
                            role.set(r);
                        }
                    }
                >
                    {role_options(user.role)}
                </select>
                <label class="visually-hidden" for=rank_id.clone()>
                    {format!("Rank of {name}")}
                </label>
                <select
                    id=rank_id
                    class="user-rank"
                    on:change=move |ev| {
                        if let Ok(r) = event_target_value(&ev).parse() {
                            rank.set(r);
                        }
                    }
                >
                    {rank_options(user.rank)}
                </select>
                <button
                    id=format!("user-save-role-{name}")
                    type="button"
                    class="btn btn-small user-save-role"
                    disabled=move || !changed()
                    on:click=save_role
                >
                    "Save"
                </button>
            </td>
            <td class="actions">
                {user
                    .locked
                    .then(|| {
                        view! {
                            <button
                                id=format!("user-unlock-{name}")
                                type="button"
                                class="btn btn-small user-unlock"
                                on:click=unlock.clone()
                            >
                                "Unlock"
                            </button>
                        }
                    })}
                {if user.suspended {
                    view! {
                        <button
                            id=format!("user-reactivate-{name}")
                            type="button"
                            class="btn btn-small user-reactivate"
                            on:click=reactivate.clone()
                        >
                            "Reactivate"
                        </button>
                    }
                        .into_any()
                } else {
                    view! {
                        <button
                            id=format!("user-suspend-{name}")
                            type="button"
                            class="btn btn-small btn-danger user-suspend"
                            on:click=suspend.clone()
                        >
                            "Suspend"
                        </button>
                    }
                        .into_any()
                }}
            </td>
        </tr>
    }
}

/// Encryption at rest: the state of the store and, for a store made before encryption, the way
/// to encrypt it (every account keeps its password; everyone logs in again afterwards).
#[component]
fn EncryptionPanel() -> impl IntoView {
    let state = use_app();
    let encrypted = RwSignal::new(None::<bool>);
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let progress = RwSignal::new(None::<(u64, u64)>);
    let error = RwSignal::new(None::<ApiError>);
    let key = RwSignal::new(None::<String>);
    spawn_local(async move {
        match api::store_status().await {
            Ok(status) => encrypted.set(Some(status.encrypted)),
            Err(e) => error.set(state.check(e)),
        }
    });
    let encrypt = move |_| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let subscription = api::listen_encrypt_progress(move |p| progress.set(Some((p.done, p.total)))).await;
            match api::encrypt_store().await {
                Ok(done) => {
                    encrypted.set(Some(true));
                    key.set(Some(done.recovery_key));
                }
                Err(e) => {
                    error.set(state.check(e));
                    busy.set(false);
                }
            }
            drop(subscription);
        });
    };
    let log_in_again = move || state.end_session("The store is encrypted. Log in again with your password.");
    view! {
        <section id="encryption" class="panel" aria-labelledby="encryption-title">
            <h2 id="encryption-title">"Encryption at rest"</h2>
            {move || match encrypted.get() {
                None => ().into_any(),
                Some(true) => view! {
                    <p id="encryption-state">
                        "Encrypted: the database (SQLCipher) and every image (XChaCha20-Poly1305). Each account opens the store with its own password."
                    </p>
                }.into_any(),
                Some(false) => view! {
                    <p id="encryption-state" class="msg msg-error">
                        "Not encrypted: this store was made before encryption at rest. Anyone with a copy of its folder can read it (NASPLE 8.11.4)."
                    </p>
                }.into_any(),
            }}
            {move || error.get().map(|e| view! { <Problem error=e id="encryption-error" /> })}
            {move || match key.get() {
                Some(key) => view! {
                    <RecoveryKeyNotice key=key on_done=log_in_again done_label="Log in again" />
                }.into_any(),
                None if encrypted.get() == Some(false) && !confirming.get() => view! {
                    <button id="encrypt-store" type="button" class="btn" on:click=move |_| confirming.set(true)>
                        "Encrypt the store…"
                    </button>
                }.into_any(),
                None if encrypted.get() == Some(false) => view! {
                    <p>
                        "Every account keeps its password. The store is copied encrypted beside the original, which is then deleted; an interruption loses nothing. Everyone, you too, logs in again afterwards."
                    </p>
                    <div class="form-actions">
                        <button id="encrypt-confirm" type="button" class="btn btn-primary" disabled=move || busy.get() on:click=encrypt>
                            {move || match (busy.get(), progress.get()) {
                                (true, Some((done, total))) => format!("Encrypting images {done} / {total}…"),
                                (true, None) => "Encrypting…".to_owned(),
                                (false, _) => "Encrypt now".to_owned(),
                            }}
                        </button>
                        <button type="button" class="btn" disabled=move || busy.get() on:click=move |_| confirming.set(false)>
                            "Cancel"
                        </button>
                    </div>
                }.into_any(),
                None => ().into_any(),
            }}
        </section>
    }
}

#[component]
fn NewUserForm(accounts: Accounts) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let full_name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Investigator);
    let rank = RwSignal::new(Rank::None);
    let password = RwSignal::new(String::new());

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let request = NewUserRequest {
            username: current_value("user-new-username", username).trim().to_owned(),
            full_name: current_value("user-new-fullname", full_name).trim().to_owned(),
            role: selected_value("user-new-role").and_then(|v| v.parse().ok()).unwrap_or(role.get_untracked()),
            rank: selected_value("user-new-rank").and_then(|v| v.parse().ok()).unwrap_or(rank.get_untracked()),
            temporary_password: current_value("user-new-password", password),
        };
        if request.username.is_empty() || request.full_name.is_empty() || request.temporary_password.is_empty() {
            accounts
                .outcome
                .set(Some(Outcome::Failed(api::invalid("Enter a user name, the full name and a temporary password."))));
            return;
        }
        password.set(String::new());
        accounts.change("Account created (the password must be changed at first login)".into(), async move {
            let created = api::add_user(&request).await;
            if created.is_ok() {
                username.set(String::new());
                full_name.set(String::new());
            }
            created
        });
    };

    view! {
        <form class="panel form new-user" on:submit=submit aria-labelledby="new-user-title">
            <h2 id="new-user-title">"New account"</h2>
            <p class="muted">
                "The temporary password must follow NASPLE Appendix A; the user changes it at first login. "
                "An administrator account cannot also use ANPR data (NASPLE 9.3.2)."
            </p>
            <div class="form-grid">
                <TextField id="user-new-username" label="User name" value=username kind="text" autocomplete="off" />
                <TextField id="user-new-fullname" label="Full name" value=full_name kind="text" autocomplete="off" />
                <div class="field">
                    <label for="user-new-role">"Role"</label>
                    <select
                        id="user-new-role"
                        on:change=move |ev| {
                            if let Ok(r) = event_target_value(&ev).parse() {
                                role.set(r);
                            }
                        }
                    >
                        {role_options(Role::Investigator)}
                    </select>
                </div>
                <div class="field">
                    <label for="user-new-rank">"Rank"</label>
                    <select
                        id="user-new-rank"
                        on:change=move |ev| {
                            if let Ok(r) = event_target_value(&ev).parse() {
                                rank.set(r);
                            }
                        }
                    >
                        {rank_options(Rank::None)}
                    </select>
                </div>
                <TextField id="user-new-password" label="Temporary password" value=password kind="password" autocomplete="new-password" />
            </div>
            <div class="form-actions">
                <button id="user-create" type="submit" class="btn btn-primary">
                    "Create account"
                </button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> UserInfo {
        UserInfo {
            username: "demo.investigator".into(),
            full_name: "Demo Investigator".into(),
            role: Role::Investigator,
            rank: Rank::None,
            locked: false,
            suspended: false,
            must_change_password: false,
            last_login: None,
            password_expires: "2027-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn states_in_words() {
        let mut u = user();
        assert_eq!(state_label(&u), "Active");
        u.must_change_password = true;
        assert_eq!(state_label(&u), "Must change password");
        u.locked = true;
        assert_eq!(state_label(&u), "Locked");
        u.suspended = true;
        assert_eq!(state_label(&u), "Suspended");
    }

    #[test]
    fn row_key_changes_with_state() {
        let a = user();
        let mut b = user();
        b.locked = true;
        assert_ne!(row_key(&a), row_key(&b));
    }
}
