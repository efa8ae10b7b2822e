//! Said on the pages that still keep their steps in this browser when the
//! app is signed in to a server (activity findings, state import): their
//! steps are the local sandbox's, not the server's.

use crate::state::AppState;
use leptos::prelude::*;

/// The note, shown only on a server.
#[component]
pub fn SandboxNote() -> impl IntoView {
    let state = AppState::get();
    move || state.on_server().then(|| view! { <p class="notice" data-testid="sandbox-note">{state.t("sandbox.note")}</p> })
}
