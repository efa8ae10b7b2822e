//! A sentence of the engine (a decision's message, a lint finding, a
//! problem) with the names it quotes in backticks shown as code.

use crate::state::sentence::{Part, parts};
use leptos::prelude::*;

/// Renders `text` with its backticked names as `<code>`.
#[component]
pub fn Sentence(
    /// The sentence, names in backticks.
    #[prop(into)]
    text: String,
) -> impl IntoView {
    parts(&text)
        .into_iter()
        .map(|part| match part {
            Part::Text(t) => t.to_owned().into_any(),
            Part::Code(c) => view! { <code>{c.to_owned()}</code> }.into_any(),
        })
        .collect_view()
}
