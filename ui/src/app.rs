//! The application: protective marking, login or the workspace (header, navigation, the current
//! page), the session's end on `not_logged_in`, and the idle lock.

use crate::api;
use crate::components::marking::Marking;
use crate::format::{rank_label, role_label};
use crate::pages::{
    analysis::AnalysisPage, authorisations::AuthorisationsPage, cameras::CamerasPage, disclosures::DisclosuresPage,
    evaluations::EvaluationsPage, evidence::EvidencePage, home::HomePage, import::ImportPage,
    investigations::InvestigationsPage, login::LoginPage, reads::ReadsPage, retention::RetentionPage,
    search::SearchPage, users::UsersPage,
};
use anpr_types::{ApiError, Rank, Role, SessionInfo};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// The screens after login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Page {
    Home,
    Import,
    Reads,
    Investigations,
    Search,
    Analysis,
    Evidence,
    Disclosures,
    Authorisations,
    Retention,
    Cameras,
    Users,
    Evaluations,
}

impl Page {
    pub const ALL: [Page; 13] = [
        Page::Home,
        Page::Import,
        Page::Reads,
        Page::Investigations,
        Page::Search,
        Page::Analysis,
        Page::Evidence,
        Page::Disclosures,
        Page::Authorisations,
        Page::Retention,
        Page::Cameras,
        Page::Users,
        Page::Evaluations,
    ];

    /// Whether an account of `role` and `rank` is offered this page. Convenience only: the core
    /// enforces every action.
    pub fn offered_to(self, role: Role, rank: Rank) -> bool {
        let data_user = matches!(role, Role::Investigator | Role::EvidenceOfficer);
        match self {
            Page::Home => true,
            Page::Import => data_user || role == Role::Engineer,
            Page::Reads | Page::Investigations | Page::Search | Page::Analysis | Page::Retention => data_user,
            Page::Evidence | Page::Disclosures => role == Role::EvidenceOfficer,
            // Ranked accounts decide requests; data users see their own.
            Page::Authorisations => data_user || rank != Rank::None,
            Page::Cameras | Page::Users => role == Role::Administrator,
            Page::Evaluations => role == Role::Engineer,
        }
    }

    /// The navigation button's id and label.
    fn nav(self) -> (&'static str, &'static str) {
        match self {
            Page::Home => ("nav-home", "Home"),
            Page::Import => ("nav-import", "Import"),
            Page::Reads => ("nav-reads", "Reads"),
            Page::Investigations => ("nav-investigations", "Investigations"),
            Page::Search => ("nav-search", "Search"),
            Page::Analysis => ("nav-analysis", "Analysis"),
            Page::Evidence => ("nav-evidence", "Evidence"),
            Page::Disclosures => ("nav-disclosures", "Disclosures"),
            Page::Authorisations => ("nav-authorisations", "Authorisations"),
            Page::Retention => ("nav-retention", "Retention"),
            Page::Cameras => ("nav-cameras", "Cameras"),
            Page::Users => ("nav-users", "Users"),
            Page::Evaluations => ("nav-evaluations", "Evaluations"),
        }
    }
}

/// After this long without mouse or keyboard input the session is closed.
const IDLE_LOCK_MS: f64 = 15.0 * 60.0 * 1000.0;
pub const IDLE_LOCK_NOTE: &str = "Locked after 15 minutes idle";

/// State shared by every screen (signals are `Copy`).
#[derive(Debug, Clone, Copy)]
pub struct AppState {
    pub session: RwSignal<Option<SessionInfo>>,
    pub page: RwSignal<Page>,
    /// Why the login screen is showing (logged out, idle lock, password changed, ...).
    pub login_note: RwSignal<Option<String>>,
    /// The startup `session_info` check has answered.
    pub ready: RwSignal<bool>,
}

impl AppState {
    fn new() -> Self {
        AppState {
            session: RwSignal::new(None),
            page: RwSignal::new(Page::Home),
            login_note: RwSignal::new(None),
            ready: RwSignal::new(false),
        }
    }

    /// Back to the login screen with a note.
    pub fn end_session(&self, note: impl Into<String>) {
        self.login_note.set(Some(note.into()));
        self.page.set(Page::Home);
        self.session.set(None);
    }

    /// Handles the errors every screen treats alike: `not_logged_in` returns to the login screen
    /// (`None`); anything else comes back for the screen to show.
    pub fn check(&self, err: ApiError) -> Option<ApiError> {
        if err.code == "not_logged_in" {
            self.end_session("Your session has ended: log in again.");
            None
        } else {
            Some(err)
        }
    }

    pub fn role(&self) -> Option<Role> {
        self.session.with(|s| s.as_ref().map(|s| s.role))
    }

    /// Whether the logged-in account holds the export privilege (8.11.3; the core checks again).
    pub fn may_export(&self) -> bool {
        self.session.with(|s| s.as_ref().is_some_and(|s| s.may_export))
    }

    /// Whether the logged-in account holds a rank (Inspector or Superintendent).
    pub fn ranked(&self) -> bool {
        self.session.with(|s| s.as_ref().is_some_and(|s| s.rank != Rank::None))
    }
}

pub fn use_app() -> AppState {
    expect_context::<AppState>()
}

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);

    spawn_local(async move {
        if let Ok(Some(info)) = api::session_info().await {
            state.session.set(Some(info));
        }
        state.ready.set(true);
    });
    watch_idle(state);

    let logged_in = Memo::new(move |_| state.session.with(Option::is_some));
    view! {
        <Marking id="marking-top" position="top" />
        <div class="app-frame">
            <Show
                when=move || state.ready.get()
                fallback=|| view! { <p class="starting">"Starting…"</p> }
            >
                <Show when=move || logged_in.get() fallback=|| view! { <LoginPage /> }>
                    <Workspace />
                </Show>
            </Show>
        </div>
        <Marking id="marking-bottom" position="bottom" />
    }
}

/// The idle limit, overridable for tests with `window.__ANPR_IDLE_LOCK_MS` (a number).
fn idle_limit_ms() -> f64 {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"__ANPR_IDLE_LOCK_MS".into()).ok())
        .and_then(|v| v.as_f64())
        .filter(|ms| *ms > 0.0)
        .unwrap_or(IDLE_LOCK_MS)
}

fn watch_idle(state: AppState) {
    let last_input = StoredValue::new(api::now_ms());
    let touch = move || last_input.set_value(api::now_ms());
    // The handles live as long as the page; the listeners are never removed.
    let _ = window_event_listener(leptos::ev::mousemove, move |_| touch());
    let _ = window_event_listener(leptos::ev::mousedown, move |_| touch());
    let _ = window_event_listener(leptos::ev::keydown, move |_| touch());
    let _ = window_event_listener(leptos::ev::wheel, move |_| touch());
    let _ = window_event_listener(leptos::ev::touchstart, move |_| touch());
    set_interval(
        move || {
            if state.session.with_untracked(Option::is_none) {
                touch();
                return;
            }
            if api::now_ms() - last_input.get_value() >= idle_limit_ms() {
                touch();
                spawn_local(async move {
                    let _ = api::logout().await;
                });
                state.end_session(IDLE_LOCK_NOTE);
            }
        },
        Duration::from_secs(1),
    );
}

#[component]
fn Workspace() -> impl IntoView {
    let state = use_app();
    let page = Memo::new(move |_| state.page.get());
    let offered = move || {
        state.session.with(|s| {
            s.as_ref().map(|s| Page::ALL.into_iter().filter(|p| p.offered_to(s.role, s.rank)).collect::<Vec<_>>())
        })
    };
    // The import runs on even while the user looks at another page.
    provide_context(crate::pages::import::ImportJob::new());

    let full_name = move || state.session.with(|s| s.as_ref().map(|s| s.full_name.clone()).unwrap_or_default());
    let username = move || state.session.with(|s| s.as_ref().map(|s| s.username.clone()).unwrap_or_default());
    let role = move || state.session.with(|s| s.as_ref().map(|s| role_label(s.role)).unwrap_or_default());
    let rank = move || state.session.with(|s| s.as_ref().map(|s| rank_label(s.rank)).unwrap_or_default());

    let logout = move |_| {
        spawn_local(async move {
            let _ = api::logout().await;
            state.end_session("You have logged out.");
        });
    };

    view! {
        <div class="workspace">
            <header class="app-header">
                <div class="brand">
                    <span class="brand-mark" aria-hidden="true">"ANPR"</span>
                    <span class="brand-name">"ANPR Workstation"</span>
                </div>
                <div class="who" aria-label="Logged-in user">
                    <span id="user-full-name" class="who-name" title=username>
                        {full_name}
                    </span>
                    <span id="user-role" class="who-tag">
                        {role}
                    </span>
                    <span id="user-rank" class="who-tag">
                        {rank}
                    </span>
                    <button id="logout" type="button" class="btn btn-on-dark" on:click=logout>
                        "Log out"
                    </button>
                </div>
            </header>
            <nav class="app-nav" aria-label="Main">
                <For each=move || offered().unwrap_or_default() key=|p| *p let:page>
                    <NavButton page=page />
                </For>
                <p class="nav-foot">"Every action is audited (NASPLE 8.11.4)."</p>
            </nav>
            <main class="app-main">
                {move || match page.get() {
                    Page::Home => view! { <HomePage /> }.into_any(),
                    Page::Import => view! { <ImportPage /> }.into_any(),
                    Page::Reads => view! { <ReadsPage /> }.into_any(),
                    Page::Investigations => view! { <InvestigationsPage /> }.into_any(),
                    Page::Search => view! { <SearchPage /> }.into_any(),
                    Page::Analysis => view! { <AnalysisPage /> }.into_any(),
                    Page::Evidence => view! { <EvidencePage /> }.into_any(),
                    Page::Disclosures => view! { <DisclosuresPage /> }.into_any(),
                    Page::Authorisations => view! { <AuthorisationsPage /> }.into_any(),
                    Page::Retention => view! { <RetentionPage /> }.into_any(),
                    Page::Cameras => view! { <CamerasPage /> }.into_any(),
                    Page::Users => view! { <UsersPage /> }.into_any(),
                    Page::Evaluations => view! { <EvaluationsPage /> }.into_any(),
                }}
            </main>
        </div>
    }
}

#[component]
fn NavButton(page: Page) -> impl IntoView {
    let state = use_app();
    let (id, label) = page.nav();
    let active = move || state.page.get() == page;
    view! {
        <button
            id=id
            type="button"
            class="nav-item"
            class:active=active
            aria-current=move || active().then_some("page")
            on:click=move |_| state.page.set(page)
        >
            {label}
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(role: Role, rank: Rank) -> Vec<Page> {
        Page::ALL.into_iter().filter(|p| p.offered_to(role, rank)).collect()
    }

    #[test]
    fn navigation_follows_the_role_and_rank() {
        use Page::*;
        let casework = vec![Home, Import, Reads, Investigations, Search, Analysis, Authorisations, Retention];
        assert_eq!(offered(Role::Investigator, Rank::None), casework);
        assert_eq!(offered(Role::Investigator, Rank::Inspector), casework);
        let evidence = vec![
            Home,
            Import,
            Reads,
            Investigations,
            Search,
            Analysis,
            Evidence,
            Disclosures,
            Authorisations,
            Retention,
        ];
        assert_eq!(offered(Role::EvidenceOfficer, Rank::None), evidence);
        assert_eq!(offered(Role::Engineer, Rank::None), vec![Home, Import, Evaluations]);
        assert_eq!(offered(Role::Auditor, Rank::None), vec![Home]);
        assert_eq!(offered(Role::Auditor, Rank::Superintendent), vec![Home, Authorisations]);
        assert_eq!(offered(Role::Administrator, Rank::None), vec![Home, Cameras, Users]);
    }
}
