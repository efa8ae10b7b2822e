//! Import and export of the whole model; the demo and the large org. On a
//! server an imported policy is staged as one edit replacing the server's
//! (to be proposed, never applied here), and the server's history is its
//! own: the sandbox's change-control state and the sample orgs are not
//! offered there.

use crate::components::problems::Problems;
use crate::state::AppState;
use crate::state::model::Model;
use clearance_core::Problem;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Records of the large org: 1,000,000, or `?records=N` in the address the
/// app was opened at (on any page) or in the current one.
fn large_records(state: AppState) -> usize {
    let asked = |route: &crate::state::route::Route| route.get("records").parse().ok();
    state.route.with_untracked(asked).or_else(|| state.opened.with_value(asked)).unwrap_or(1_000_000)
}

/// The page.
#[component]
pub fn DataPage() -> impl IntoView {
    let state = AppState::get();
    let problems = RwSignal::new(Vec::<Problem>::new());
    let imported = RwSignal::new(false);

    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let Some(file) = input.files().and_then(|files| files.get(0)) else { return };
        // Cleared, so choosing the same file again (after a refusal) imports it again.
        input.set_value("");
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string()).unwrap_or_default();
            let current = state.model.get_untracked();
            let read = if state.on_server() { Model::import_as_change(&text, &current) } else { Model::import(&text, &current) };
            match read {
                Ok(model) => {
                    state.model.set(model);
                    problems.set(Vec::new());
                    imported.set(true);
                }
                Err(error) => {
                    problems.set(error.into_problems());
                    imported.set(false);
                }
            }
        });
    };
    let ledger_problems = RwSignal::new(Vec::<Problem>::new());
    let on_ledger = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let Some(file) = input.files().and_then(|files| files.get(0)) else { return };
        // Cleared, so choosing the same file again (after a refusal) imports it again.
        input.set_value("");
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string()).unwrap_or_default();
            match state.control.import(state, &text) {
                Ok(()) => ledger_problems.set(Vec::new()),
                Err(error) => ledger_problems.set(error.into_problems()),
            }
        });
    };
    let ledger_href = move || {
        let text =
            state.control.ledger.with(|l| l.as_ref().map(|l| serde_json::to_string_pretty(l).unwrap_or_default()).unwrap_or_default());
        format!("data:application/json;charset=utf-8,{}", js_sys::encode_uri_component(&text))
    };
    let export_href = move || {
        let text = state.model.with(Model::export);
        format!("data:application/json;charset=utf-8,{}", js_sys::encode_uri_component(&text))
    };
    view! {
        <div class="page" data-testid="page-data">
            <section>
                <h2>{move || state.t("data.import")}</h2>
                <label>
                    {move || state.t(if state.on_server() { "data.import_staged" } else { "data.import_file" })}" "
                    <input type="file" accept=".json,application/json" data-testid="import-file" on:change=on_file/>
                </label>
                {move || imported.get().then(|| view! { <p data-testid="import-ok">{state.t(if state.on_server() { "data.imported_staged" } else { "data.imported" })}</p> })}
                {move || {
                    let list = problems.get();
                    (!list.is_empty()).then(|| view! { <div data-testid="import-errors"><p>{state.t("data.errors")}</p><Problems problems=list/></div> })
                }}
            </section>
            <section>
                <h2>{move || state.t("data.export")}</h2>
                <a data-testid="export" download="clearance-export.json" href=export_href>{move || state.t("data.export")}</a>
            </section>
            {move || (!state.on_server()).then(|| view! {
                <section>
                    <h2>{state.t("data.ledger")}</h2>
                    <a data-testid="export-ledger" download="clearance-state.json" href=ledger_href>{state.t("data.export_ledger")}</a>
                    " "
                    <label>{state.t("data.import_ledger")}" "<input type="file" accept=".json,application/json" data-testid="import-ledger" on:change=on_ledger/></label>
                    {move || {
                        let list = ledger_problems.get();
                        (!list.is_empty()).then(|| view! { <div data-testid="ledger-errors"><p>{state.t("data.errors")}</p><Problems problems=list/></div> })
                    }}
                </section>
                <section>
                    <button data-testid="load-demo" on:click=move |_| state.model.set(Model::demo())>{state.t("data.demo")}</button>
                    <button data-testid="load-large" on:click=move |_| state.model.set(Model::large(large_records(state)))>{state.t("data.large")}</button>
                </section>
            })}
            {move || state.on_server().then(|| view! { <p class="hint" data-testid="server-history">{state.t("data.server_history")}</p> })}
        </div>
    }
}
