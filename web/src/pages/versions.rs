//! Policy versions: each applied change's hash; restore any (a request) —
//! the server's versions when signed in to one, else the sandbox's, whose
//! versions also diff against each other here.

use crate::components::problems::Problems;
use crate::state::AppState;
use crate::state::api::VersionRow;
use clearance_core::Problem;
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
                    <tr data-testid="version" data-version=v.version.clone()>
                        <td>{v.seq}</td>
                        <td><code>{v.version[..12.min(v.version.len())].to_owned()}</code></td>
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
    let a = RwSignal::new(String::new());
    let b = RwSignal::new(String::new());
    let hashes = move || {
        state
            .control
            .ledger
            .with(|l| l.as_ref().map(|l| l.versions.iter().map(|v| (v.seq, v.hash.clone())).collect::<Vec<_>>()).unwrap_or_default())
    };
    let picker = move |target: RwSignal<String>, testid: &'static str| {
        view! {
            <select data-testid=testid on:change=move |ev| target.set(event_target_value(&ev))>
                <option value="">"—"</option>
                {move || hashes().into_iter().map(|(seq, h)| view! { <option value=h.clone()>{format!("{seq} · {}", &h[..12.min(h.len())])}</option> }).collect_view()}
            </select>
        }
    };
    let diff = move || {
        let (x, y) = (a.get(), b.get());
        if x.is_empty() || y.is_empty() {
            return ().into_any();
        }
        let records = state.model.with(|m| m.records.clone());
        let result = state.control.ledger.with(|l| {
            let l = l.as_ref()?;
            let before = clearance_core::Engine::compile(l.version(&x).ok()?.policy.clone()).ok()?;
            let after = clearance_core::Engine::compile(l.version(&y).ok()?.policy.clone()).ok()?;
            clearance_core::diff::diff(&before, &after, &records, &Default::default()).ok()
        });
        match result {
            Some(d) => view! {
                <div data-testid="versions-diff">
                    <p>{format!("+{} / −{}", d.summary.total.gained, d.summary.total.lost)}</p>
                    <ul>{d.changes.into_iter().take(50).map(|c| view! { <li>{format!("{} {:?} {} {}", c.user, c.change, c.action, c.record).to_lowercase()}</li> }).collect_view()}</ul>
                </div>
            }
            .into_any(),
            None => ().into_any(),
        }
    };
    view! {
        <div class="page" data-testid="page-versions">
            {(!on_server)
                .then(|| {
                    view! {
                        <section>
                            <h2>{move || state.t("ver.diff")}</h2>
                            {picker(a, "versions-a")}" → "{picker(b, "versions-b")}
                            {diff}
                        </section>
                    }
                })}
            {move || (!problems.get().is_empty()).then(|| view! { <Problems problems=problems.get()/> })}
            <section>
                <h2>{move || state.t("nav.versions")}</h2>
                <table>{rows}</table>
            </section>
        </div>
    }
}
