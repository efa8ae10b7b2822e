//! Picks a user: a list for small orgs, a typed id for large ones (ten
//! thousand `<option>`s would stall the page on every render).

use crate::state::AppState;
use crate::state::model::users;
use leptos::prelude::*;

/// Above this many users the picker is a text field.
pub const LIST_LIMIT: usize = 1000;

/// The picker; `testid` names it for tests, `on_pick` receives the user id.
#[component]
pub fn UserPicker(
    /// `data-testid` of the control.
    testid: &'static str,
    /// Receives the picked user id (empty for none).
    on_pick: Callback<String>,
    /// The user shown as picked (an address can name one).
    #[prop(optional, into)]
    selected: Option<Signal<String>>,
) -> impl IntoView {
    let selected = move || selected.map(|s| s.get()).unwrap_or_default();
    let state = AppState::get();
    // No list at all past the limit: the large org's 10,000 names would be
    // built again on every staged edit, to be shown nowhere.
    let list = Memo::new(move |_| state.staged_policy.with(|p| (p.0.users.len() <= LIST_LIMIT).then(|| users(&p.0))));
    move || {
        let Some(all) = list.get() else {
            return view! {
                <input data-testid=testid aria-label=state.t("who.user") prop:value=selected placeholder=state.t("who.type_user") on:change=move |ev| on_pick.run(event_target_value(&ev))/>
            }
            .into_any();
        };
        view! {
            <select data-testid=testid aria-label=state.t("who.user") on:change=move |ev| on_pick.run(event_target_value(&ev))>
                <option value="">{state.t("who.pick_user")}</option>
                {all
                    .into_iter()
                    .map(|(id, name)| {
                        let is = id.clone();
                        view! { <option value=id.clone() selected=move || selected() == is>{format!("{name} ({id})")}</option> }
                    })
                    .collect_view()}
            </select>
        }
        .into_any()
    }
}
