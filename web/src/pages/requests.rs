//! Change requests: the list (propose the staged edits; filter, sort, take
//! a step) at `/requests`, and one request's whole story at `/requests/R7`
//! — on the server as the signed-in admin (who judges every step), or in
//! the sandbox as the acting user.

mod list;
mod one;

use crate::state::AppState;
use crate::state::route::Route;
use clearance_core::change::request::{ChangeRequest, State};
use leptos::prelude::*;

/// Every request, oldest first: the server's or the sandbox ledger's.
fn all(state: AppState) -> Vec<ChangeRequest> {
    if state.on_server() {
        state.server.requests.get()
    } else {
        state.control.ledger.with(|l| l.as_ref().map(|l| l.requests.clone()).unwrap_or_default())
    }
}

/// A state's text key.
fn state_key(state: State) -> &'static str {
    match state {
        State::Draft => "req.state_draft",
        State::Pending => "req.state_pending",
        State::Approved => "req.state_approved",
        State::Rejected => "req.state_rejected",
        State::Applied => "req.state_applied",
        State::Reviewed => "req.state_reviewed",
    }
}

/// A request's state as a chip, in the page's language.
#[component]
fn StateChip(state: State) -> impl IntoView {
    let app = AppState::get();
    let name = crate::state::model::name_of(&state);
    view! { <span class=format!("chip state-{name}") data-testid="request-state">{move || app.t(state_key(state))}</span> }
}

/// A link to `route` that opens it in the app (and, as a link, can be copied or opened elsewhere).
#[component]
fn Link(route: Route, testid: &'static str, children: Children) -> impl IntoView {
    let state = AppState::get();
    let href = route.address();
    view! {
        <a
            href=href
            data-testid=testid
            on:click=move |ev| {
                ev.prevent_default();
                state.go(route.clone());
            }
        >
            {children()}
        </a>
    }
}

/// The page: one request when the address names one, else the list.
#[component]
pub fn RequestsPage() -> impl IntoView {
    let state = AppState::get();
    let id = Memo::new(move |_| state.route.with(|r| r.get("id")));
    move || match id.get() {
        id if id.is_empty() => view! { <list::RequestList/> }.into_any(),
        id => view! { <one::RequestPage id/> }.into_any(),
    }
}
