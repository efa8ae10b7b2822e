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
    view! {
        <components::nav::Nav/>
        <main data-testid="app" lang=move || if state.lang.get() == clearance_core::Lang::Zh { "zh" } else { "en" }>
            {move || match state.server.mode.get() {
                state::api::Mode::Probing => None,
                state::api::Mode::Server(None) => Some(view! { <pages::sign_in::SignInPage/> }.into_any()),
                state::api::Mode::Server(Some(session)) if session.mfa_enrollment_required => Some(view! { <pages::enroll::EnrollPage/> }.into_any()),
                state::api::Mode::Sandbox | state::api::Mode::Server(Some(_)) => Some(page(state.page.get())),
            }}
        </main>
    }
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
