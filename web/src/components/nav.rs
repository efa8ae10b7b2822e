//! The page tabs and the language switch.

use crate::state::api::Mode;
use crate::state::route::Route;
use crate::state::{AppState, Page};
use clearance_core::Lang;
use leptos::prelude::*;

/// Opens `page` from its tab: a new page, or the list from one of its
/// items (`/requests/R7`); the page already shown keeps its picks.
fn open(state: AppState, page: Page) {
    if state.page.get_untracked() != page || state.route.with_untracked(|r| !r.get("id").is_empty()) {
        state.go(Route::page(page));
    }
}

/// The top bar.
#[component]
pub fn Nav() -> impl IntoView {
    let state = AppState::get();
    let tab = move |page: Page, key: &'static str, id: &'static str| {
        view! {
            <button
                data-testid=id
                class:active=move || state.page.get() == page
                on:click=move |_| open(state, page)
            >
                {move || state.t(key)}
            </button>
        }
    };
    view! {
        <header>
            <h1 data-testid="title">{move || state.t("title")}</h1>
            <nav>
                {tab(Page::Who, "nav.who", "nav-who")}
                {tab(Page::Simulate, "nav.simulate", "nav-simulate")}
                {tab(Page::Org, "nav.org", "nav-org")}
                {tab(Page::Permissions, "nav.permissions", "nav-permissions")}
                {tab(Page::Lint, "nav.lint", "nav-lint")}
                {tab(Page::Data, "nav.data", "nav-data")}
                {tab(Page::Requests, "nav.requests", "nav-requests")}
                {tab(Page::Versions, "nav.versions", "nav-versions")}
                {tab(Page::Audit, "nav.audit", "nav-audit")}
                {tab(Page::Reviews, "nav.reviews", "nav-reviews")}
                {tab(Page::Activity, "nav.activity", "nav-activity")}
                {move || state.on_server().then(|| tab(Page::Fleet, "nav.fleet", "nav-fleet"))}
                {move || state.on_server().then(|| tab(Page::Account, "nav.account", "nav-account"))}
            </nav>
            {move || match state.server.mode.get() {
                Mode::Server(Some(session)) => Some(view! { <SignedIn user=session.user/> }.into_any()),
                Mode::Sandbox => Some(view! { <Acting/> }.into_any()),
                Mode::Server(None) | Mode::Probing => None,
            }}
            <button
                data-testid="lang-switch"
                on:click=move |_| state.lang.update(|l| *l = if *l == Lang::En { Lang::Zh } else { Lang::En })
            >
                {move || state.t("lang.switch")}
            </button>
        </header>
    }
}

/// The sandbox's acting user: any id, as this browser's change control is a
/// demonstration (on a server, identity comes from the session).
#[component]
fn Acting() -> impl IntoView {
    let state = AppState::get();
    view! {
        <span class="sandbox" data-testid="sandbox-badge" title=move || state.t("nav.sandbox_hint")>{move || state.t("nav.sandbox")}</span>
        <label class="acting">
            {move || state.t("nav.acting")}" "
            <input
                data-testid="acting-user"
                size="14"
                prop:value=move || state.actor.get()
                on:change=move |ev| state.actor.set(event_target_value(&ev))
            />
        </label>
    }
}

/// Who is signed in to the server, and signing out.
#[component]
fn SignedIn(
    /// The signed-in admin's user id.
    user: String,
) -> impl IntoView {
    let state = AppState::get();
    let sign_out = move |_| leptos::task::spawn_local(state.server.sign_out());
    view! {
        <span class="acting" data-testid="signed-in-as">{move || state.t("nav.signed_in_as")}" "<b>{user.clone()}</b></span>
        <button data-testid="sign-out" on:click=sign_out>{move || state.t("nav.sign_out")}</button>
    }
}
