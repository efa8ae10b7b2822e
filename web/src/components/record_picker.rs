//! Picks a record: a list for the demo-sized org; for the large one (a
//! million records, which live in the Web Worker) a field whose
//! suggestions the worker finds as the admin types.

use crate::components::search_field::SearchField;
use crate::state::AppState;
use crate::state::worker::Reply;
use leptos::prelude::*;

/// The picker; `on_pick` receives the record id (empty for none).
#[component]
pub fn RecordPicker(
    /// `data-testid` of the control.
    testid: &'static str,
    /// Receives the picked record id.
    on_pick: Callback<String>,
    /// The record shown as picked (an address can name one).
    selected: Signal<String>,
) -> impl IntoView {
    let state = AppState::get();
    move || {
        if let Some(records) = state.model.with(|m| m.large) {
            return view! { <RecordSearch testid records on_pick selected/> }.into_any();
        }
        let options = state.compiled.with(|c| match &*c.0 {
            Ok(c) => c.current_records.records().map(|r| r.id().to_owned()).collect::<Vec<_>>(),
            Err(_) => Vec::new(),
        });
        view! {
            <select data-testid=testid aria-label=state.t("who.record") on:change=move |ev| on_pick.run(event_target_value(&ev))>
                <option value="">{state.t("who.pick_record")}</option>
                {options
                    .into_iter()
                    .map(|id| {
                        let is = id.clone();
                        view! { <option value=id.clone() selected=move || selected.get() == is>{id.clone()}</option> }
                    })
                    .collect_view()}
            </select>
        }
        .into_any()
    }
}

/// The large org's record field: each keystroke asks the worker for the
/// ids holding what is typed, and the latest answer is offered.
#[component]
fn RecordSearch(testid: &'static str, records: usize, on_pick: Callback<String>, selected: Signal<String>) -> impl IntoView {
    let state = AppState::get();
    let suggestions = Signal::derive(move || match state.large.found.get() {
        Some(Reply::Records { ids, .. }) => ids.into_iter().map(|id| (id.clone(), id)).collect(),
        _ => Vec::new(),
    });
    let on_type = Callback::new(move |typed: String| state.large.search_records(records, typed));
    view! { <SearchField testid label="who.record" placeholder="who.type_record" selected suggestions on_type on_pick/> }
}
