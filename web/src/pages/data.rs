//! Import and export of the whole model; the demo and the large org.

use crate::components::problems::Problems;
use crate::state::AppState;
use crate::state::model::Model;
use clearance_core::Problem;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Records of the large org: 1,000,000, or `?records=N` in the address.
fn large_records() -> usize {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| q.trim_start_matches('?').split('&').find_map(|kv| kv.strip_prefix("records=").and_then(|n| n.parse().ok())))
        .unwrap_or(1_000_000)
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
            match Model::import(&text, &current) {
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
            <crate::components::sandbox_note::SandboxNote/>
            <section>
                <h2>{move || state.t("data.import")}</h2>
                <input type="file" accept=".json,application/json" data-testid="import-file" on:change=on_file/>
                {move || imported.get().then(|| view! { <p data-testid="import-ok">{state.t("data.imported")}</p> })}
                {move || {
                    let list = problems.get();
                    (!list.is_empty()).then(|| view! { <div data-testid="import-errors"><p>{state.t("data.errors")}</p><Problems problems=list/></div> })
                }}
            </section>
            <section>
                <h2>{move || state.t("data.export")}</h2>
                <a data-testid="export" download="clearance-export.json" href=export_href>{move || state.t("data.export")}</a>
            </section>
            <section>
                <h2>{move || state.t("data.ledger")}</h2>
                <a data-testid="export-ledger" download="clearance-state.json" href=ledger_href>{move || state.t("data.export_ledger")}</a>
                " "
                <input type="file" accept=".json,application/json" data-testid="import-ledger" on:change=on_ledger/>
                {move || {
                    let list = ledger_problems.get();
                    (!list.is_empty()).then(|| view! { <div data-testid="ledger-errors"><p>{state.t("data.errors")}</p><Problems problems=list/></div> })
                }}
            </section>
            <section>
                <button data-testid="load-demo" on:click=move |_| state.model.set(Model::demo())>{move || state.t("data.demo")}</button>
                <button data-testid="load-large" on:click=move |_| state.model.set(Model::large(large_records()))>{move || state.t("data.large")}</button>
            </section>
        </div>
    }
}
