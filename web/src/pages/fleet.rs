//! The fleet: every edge enforcing the policy, the revision it runs, how
//! far behind the newest it is, and when and from where it last fetched.

use crate::components::problems::Problems;
use crate::components::table_head::TableHead;
use crate::state::AppState;
use crate::state::api::Fleet;
use clearance_core::Problem;
use leptos::prelude::*;

/// The page.
#[component]
pub fn FleetPage() -> impl IntoView {
    let state = AppState::get();
    let fleet = RwSignal::new(None::<Fleet>);
    let problems = RwSignal::new(Vec::<Problem>::new());
    let load = move || {
        leptos::task::spawn_local(async move {
            match state.server.fleet().await {
                Ok(read) => {
                    problems.set(Vec::new());
                    fleet.set(Some(read));
                }
                Err(refused) => problems.set(refused),
            }
        });
    };
    load();
    let rows = move || {
        fleet.get().map(|f| {
            f.edges
                .into_iter()
                .map(|e| {
                    let revision = e.revision.map_or_else(|| "—".to_owned(), |r| r.to_string());
                    let behind = e.behind.map_or_else(|| "—".to_owned(), |b| b.to_string());
                    let (edge, running, lag) = (e.name.clone(), revision.clone(), behind.clone());
                    view! {
                        <tr data-testid="edge" data-edge=edge data-revision=running data-behind=lag>
                            <td>{e.name}</td>
                            <td><code>{e.user}</code></td>
                            <td>{revision}</td>
                            <td class:behind=e.behind.is_some_and(|b| b > 0)>{behind}</td>
                            <td>{e.seen_at}</td>
                            <td>{e.address}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <div class="page" data-testid="page-fleet">
            <section>
                <h2>{move || state.t("fleet.title")}</h2>
                {move || fleet.with(|f| f.as_ref().map(|f| f.current)).map(|current| view! { <p class="hint" data-testid="fleet-current">{format!("{} {current}", state.t("fleet.current"))}</p> })}
                <button data-testid="fleet-refresh" on:click=move |_| load()>{move || state.t("fleet.refresh")}</button>
                <table>
                    <TableHead keys=&["fleet.edge", "fleet.owner", "fleet.revision", "fleet.behind", "fleet.seen", "fleet.address"]/>
                    <tbody>{rows}</tbody>
                </table>
                {move || fleet.with(|f| f.as_ref().is_some_and(|f| f.edges.is_empty())).then(|| view! { <p class="hint">{state.t("fleet.none")}</p> })}
                {move || (!problems.get().is_empty()).then(|| view! { <Problems problems=problems.get()/> })}
            </section>
        </div>
    }
}
