//! Policy versions: each applied change's hash; restore any (a request);
//! who gains and loses what between any two — the server's versions when
//! signed in to one, else the sandbox's.

use crate::components::paged_table::PagedTable;
use crate::components::problems::Problems;
use crate::components::table_head::TableHead;
use crate::state::AppState;
use crate::state::api::VersionRow;
use crate::state::change_rows::{COLUMNS, change_rows, objects_of};
use crate::state::requests::preview;
use crate::state::versions::{picked, policy_of, short};
use clearance_core::Problem;
use clearance_core::policy::Policy;
use leptos::prelude::*;

/// The page.
#[component]
pub fn VersionsPage() -> impl IntoView {
    let state = AppState::get();
    let problems = RwSignal::new(Vec::<Problem>::new());
    let listed = RwSignal::new(Vec::<VersionRow>::new());
    let on_server = state.on_server();
    let load = move || {
        leptos::task::spawn_local(async move {
            match state.server.versions().await {
                Ok(list) => listed.set(list),
                Err(refused) => problems.set(refused),
            }
        });
    };
    if on_server {
        load();
    } else {
        Effect::new(move |_| {
            let versions = state.control.ledger.with(|l| l.as_ref().map(|l| l.versions.clone()).unwrap_or_default());
            listed.set(
                versions
                    .into_iter()
                    .map(|v| VersionRow { seq: v.seq, version: v.hash, at: v.at, author: v.author, request: v.request })
                    .collect(),
            );
        });
    }
    let restore = move |hash: String| {
        if on_server {
            leptos::task::spawn_local(async move {
                problems.set(state.server.restore(state, &hash, "").await.err().unwrap_or_default());
            });
        } else {
            let result = state.control.act(state, |ledger, actor, at| ledger.restore(&hash, actor, at).map(|_| ()));
            problems.set(result.err().map(|e| e.into_problems()).unwrap_or_default());
        }
    };
    let rows = move || {
        listed
            .get()
            .into_iter()
            .rev()
            .map(|v| {
                let hash = v.version.clone();
                view! {
                    <tr data-testid="version" data-version=v.version.clone() data-seq=v.seq>
                        <td>{v.seq}</td>
                        <td><code>{short(&v.version)}</code></td>
                        <td>{v.at.clone()}</td>
                        <td>{v.author.clone()}</td>
                        <td>{v.request.clone().unwrap_or_default()}</td>
                        <td>
                            <button data-testid="version-restore" on:click=move |_| restore(hash.clone())>{state.t("ver.restore")}</button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <div class="page" data-testid="page-versions">
            <VersionsDiff listed problems/>
            {move || (!problems.get().is_empty()).then(|| view! { <Problems problems=problems.get()/> })}
            <section>
                <h2>{move || state.t("nav.versions")}</h2>
                <table>
                    <TableHead keys=&["ver.col_seq", "ver.col_hash", "ver.col_at", "ver.col_author", "ver.col_request", "ver.col_steps"]/>
                    <tbody>{rows}</tbody>
                </table>
            </section>
        </div>
    }
}

/// Who gains and loses what between two versions picked from `listed`: the
/// sandbox's policies from its ledger, the server's asked for.
#[component]
fn VersionsDiff(listed: RwSignal<Vec<VersionRow>>, problems: RwSignal<Vec<Problem>>) -> impl IntoView {
    let state = AppState::get();
    // The two versions live in the address by number (`/versions/3..5`).
    let pick = move |key: &'static str| Signal::derive(move || state.route.with(|r| r.get(key)));
    let (a, b) = (pick("from"), pick("to"));
    let picker = move |target: Signal<String>, query: &'static str, testid: &'static str, key: &'static str| {
        view! {
            <label>
                {move || state.t(key)}" "
                <select data-testid=testid on:change=move |ev| state.show(query, &event_target_value(&ev))>
                    <option value="">"—"</option>
                    {move || {
                        let chosen = listed.with(|l| picked(l, &target.get()).map(|v| v.seq));
                        listed
                            .get()
                            .into_iter()
                            .map(|v| {
                                let label = format!("{} · {}", v.seq, short(&v.version));
                                view! { <option value=v.seq.to_string() selected=chosen == Some(v.seq)>{label}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
        }
    };
    let pair = RwSignal::new(None::<(Policy, Policy)>);
    let hashes = move || listed.with(|l| Some((picked(l, &a.get())?.version.clone(), picked(l, &b.get())?.version.clone())));
    Effect::new(move |_| {
        let wanted = hashes();
        pair.set(None);
        let Some((x, y)) = wanted.clone() else { return };
        leptos::task::spawn_local(async move {
            let both = (policy_of(state, &x).await, policy_of(state, &y).await);
            // A later pick supersedes this one.
            if untrack(hashes) != wanted {
                return;
            }
            match both {
                (Ok(before), Ok(after)) => pair.set(Some(((*before).clone(), (*after).clone()))),
                (Err(refused), _) | (_, Err(refused)) => problems.set(refused),
            }
        });
    });
    let diff = move || {
        let (before, after) = pair.get()?;
        let records = state.model.with(|m| m.records.clone());
        let d = preview(&before, Some(&after), &[], &records).ok()?;
        let counts = format!("+{} / −{}", d.summary.total.gained, d.summary.total.lost);
        let objects = objects_of(&records);
        let changes = d.changes;
        let listed = Signal::derive(move || change_rows(&changes, &objects, state.t("sim.gained"), state.t("sim.lost")));
        Some(view! {
            <div data-testid="versions-diff">
                <p>{counts}</p>
                <PagedTable keys=COLUMNS rows=listed testid="version-change" file="version-changes.csv"/>
            </div>
        })
    };
    view! {
        <section>
            <h2>{move || state.t("ver.diff")}</h2>
            {picker(a, "from", "versions-a", "ver.from")}" → "{picker(b, "to", "versions-b", "ver.to")}
            {diff}
        </section>
    }
}
