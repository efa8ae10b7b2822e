//! Policy versions: each applied change's hash; restore any (a request).

use crate::components::problems::Problems;
use crate::state::AppState;
use clearance_core::Problem;
use leptos::prelude::*;

/// The page.
#[component]
pub fn VersionsPage() -> impl IntoView {
    let state = AppState::get();
    let problems = RwSignal::new(Vec::<Problem>::new());
    let rows = move || {
        let versions = state.control.ledger.with(|l| l.as_ref().map(|l| l.versions.clone()).unwrap_or_default());
        versions
            .into_iter()
            .rev()
            .map(|v| {
                let hash = v.hash.clone();
                view! {
                    <tr data-testid="version" data-version=v.hash.clone()>
                        <td>{v.seq}</td>
                        <td><code>{v.hash[..12.min(v.hash.len())].to_owned()}</code></td>
                        <td>{v.at.clone()}</td>
                        <td>{v.author.clone()}</td>
                        <td>{v.request.clone().unwrap_or_default()}</td>
                        <td>
                            <button data-testid="version-restore" on:click=move |_| {
                                let result = state.control.act(state, |ledger, actor, at| ledger.restore(&hash, actor, at).map(|_| ()));
                                problems.set(result.err().map(|e| e.into_problems()).unwrap_or_default());
                            }>{state.t("ver.restore")}</button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <div class="page" data-testid="page-versions">
            {move || (!problems.get().is_empty()).then(|| view! { <Problems problems=problems.get()/> })}
            <section>
                <h2>{move || state.t("nav.versions")}</h2>
                <table>{rows}</table>
            </section>
        </div>
    }
}
