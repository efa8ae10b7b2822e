//! Lint findings of the policy with the staged edits.

use crate::components::sentence::Sentence;
use crate::state::AppState;
use crate::state::model::name_of;
use leptos::prelude::*;

/// The page.
#[component]
pub fn LintPage() -> impl IntoView {
    let state = AppState::get();
    let findings = move || state.compiled.with(|c| c.0.as_ref().as_ref().ok().and_then(|c| c.current.lint().ok()).unwrap_or_default());
    view! {
        <div class="page" data-testid="page-lint">
            <h2>{move || state.t("lint.title")}</h2>
            {move || {
                let list = findings();
                if list.is_empty() {
                    return view! { <p>{state.t("lint.none")}</p> }.into_any();
                }
                view! {
                    <ul>
                        {list
                            .into_iter()
                            .map(|f| {
                                let severity = name_of(&f.severity);
                                let class = severity.clone();
                                let target = crate::state::page_of(&f.path);
                                view! {
                                    <li data-testid="lint-finding" class=class>
                                        <b>{severity}</b>" "<code>{f.code}</code>" "
                                        {match target {
                                            Some(page) => view! { <a href="#" data-testid="lint-link" on:click=move |ev| { ev.prevent_default(); state.page.set(page) }><code>{f.path.clone()}</code></a> }.into_any(),
                                            None => view! { <code>{f.path.clone()}</code> }.into_any(),
                                        }}
                                        ": "<Sentence text=f.message/>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </div>
    }
}
