//! Picks a user: a list for small orgs; for large ones a field that
//! suggests the first matches as the admin types (ten thousand `<option>`s
//! would stall the page on every render).

use crate::components::search_field::SearchField;
use crate::state::AppState;
use crate::state::model::users;
use crate::state::search::search_users;
use leptos::prelude::*;

/// Above this many users the picker is a text field.
pub const LIST_LIMIT: usize = 1000;

/// Suggestions shown at most while typing.
const SUGGESTED: usize = 20;

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
            return view! { <UserSearch testid on_pick selected=Signal::derive(selected)/> }.into_any();
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

/// The large org's user field: up to [`SUGGESTED`] matches of what is
/// typed (by id or name) offered as the admin types; picking one, or
/// leaving the field, picks that id.
#[component]
fn UserSearch(testid: &'static str, on_pick: Callback<String>, selected: Signal<String>) -> impl IntoView {
    let state = AppState::get();
    let typed = RwSignal::new(String::new());
    let suggestions = Signal::derive(move || {
        let found = state.staged_policy.with(|p| typed.with(|t| search_users(&p.0, t, SUGGESTED)));
        found.into_iter().map(|(id, name)| (id.clone(), format!("{name} ({id})"))).collect()
    });
    view! {
        <SearchField testid label="who.user" placeholder="who.type_user" selected suggestions on_type=Callback::new(move |t| typed.set(t)) on_pick/>
    }
}
