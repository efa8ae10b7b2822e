//! A table's column headers, named in the page's language: every table
//! says what its columns are (screen readers announce them per cell).

use crate::state::AppState;
use leptos::prelude::*;

/// `<thead>` with one column header per text key.
#[component]
pub fn TableHead(
    /// The columns' text keys (`state::i18n`), in order.
    keys: &'static [&'static str],
) -> impl IntoView {
    let state = AppState::get();
    view! {
        <thead>
            <tr>{keys.iter().map(|&key| view! { <th scope="col">{move || state.t(key)}</th> }).collect_view()}</tr>
        </thead>
    }
}
