//! The Clearance admin app (Leptos, client-side): edit and inspect the org,
//! preview who can see what, simulate changes before applying them. The
//! logic lives in `state::model` (tested natively); pages and components
//! only render it. `main.rs` only mounts [`App`].

pub mod components;
pub mod pages;
pub mod state;

use leptos::prelude::*;
use state::{AppState, Page};

/// The app root.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::provide();
    #[cfg(target_arch = "wasm32")]
    follow_the_address(state);
    view! {
        <components::nav::Nav/>
        <main data-testid="app" lang=move || state.lang.get().code()>
            {move || match state.server.mode.get() {
                state::api::Mode::Probing => None,
                state::api::Mode::Server(None) => Some(view! { <pages::sign_in::SignInPage/> }.into_any()),
                state::api::Mode::Server(Some(session)) if session.mfa_enrollment_required => Some(view! { <pages::enroll::EnrollPage/> }.into_any()),
                state::api::Mode::Sandbox | state::api::Mode::Server(Some(_)) => Some(page(state.page.get())),
            }}
        </main>
    }
}

/// Opens the view the address names, follows Back and Forward, and gives
/// every page change its own history entry.
#[cfg(target_arch = "wasm32")]
fn follow_the_address(state: AppState) {
    use state::route::{Route, history};
    let start = history::current();
    state.opened.set_value(start.clone());
    state.page.set(start.page);
    state.route.set(start);
    history::on_move(move |route| {
        state.page.set(route.page);
        state.route.set(route);
    });
    Effect::new(move |_| {
        let page = state.page.get();
        if history::current().page != page {
            let route = Route::page(page);
            history::push(&route);
            state.route.set(route);
        }
    });
}

/// The view of `page`.
fn page(page: Page) -> AnyView {
    match page {
        Page::Who => view! { <pages::who::WhoPage/> }.into_any(),
        Page::Simulate => view! { <pages::simulate::SimulatePage/> }.into_any(),
        Page::Org => view! { <pages::org::OrgPage/> }.into_any(),
        Page::Permissions => view! { <pages::permissions::PermissionsPage/> }.into_any(),
        Page::Lint => view! { <pages::lint::LintPage/> }.into_any(),
        Page::Data => view! { <pages::data::DataPage/> }.into_any(),
        Page::Requests => view! { <pages::requests::RequestsPage/> }.into_any(),
        Page::Versions => view! { <pages::versions::VersionsPage/> }.into_any(),
        Page::Audit => view! { <pages::audit::AuditPage/> }.into_any(),
        Page::Reviews => view! { <pages::reviews::ReviewsPage/> }.into_any(),
        Page::Activity => view! { <pages::activity::ActivityPage/> }.into_any(),
        Page::Account => view! { <pages::account::AccountPage/> }.into_any(),
        Page::Fleet => view! { <pages::fleet::FleetPage/> }.into_any(),
    }
}

/// Mounts the app on the page's body.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
