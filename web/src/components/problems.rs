//! A list of problems, each with its JSON path and code.

use crate::components::sentence::Sentence;
use clearance_core::Problem;
use leptos::prelude::*;

/// Every problem of a refused input.
#[component]
pub fn Problems(
    /// The problems to list.
    problems: Vec<Problem>,
) -> impl IntoView {
    view! {
        <ul class="problems" data-testid="problems">
            {problems
                .into_iter()
                .map(|p| {
                    let path = if p.path.is_empty() { "/".to_owned() } else { p.path };
                    view! {
                        <li data-testid="problem">
                            <code>{path}</code>" "<b>{p.code}</b>": "<Sentence text=p.message/>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
