//! A list of problems, each with its JSON path and code.

use crate::components::sentence::Sentence;
use crate::state::{AppState, i18n};
use clearance_core::Problem;
use leptos::prelude::*;

/// Every problem of a refused input.
#[component]
pub fn Problems(
    /// The problems to list.
    problems: Vec<Problem>,
) -> impl IntoView {
    let state = AppState::get();
    view! {
        <ul class="problems" data-testid="problems">
            {problems
                .into_iter()
                .map(|p| {
                    let path = if p.path.is_empty() { "/".to_owned() } else { p.path };
                    let (code, shown) = (p.code.clone(), p.code.clone());
                    let reason = move || i18n::refusal(state.lang.get(), &code).map(|r| view! { <span data-testid="problem-reason">{r}" "</span> });
                    view! {
                        <li data-testid="problem" data-code=shown>
                            {reason}<code>{path}</code>" "<b>{p.code}</b>": "<Sentence text=p.message/>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
