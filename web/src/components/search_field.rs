//! A field that suggests as the admin types: the large org's user and
//! record pickers (thousands of `<option>`s would stall the page).

use crate::state::AppState;
use leptos::prelude::*;

/// The field and its suggestions (`(value, text)`, shown in a `datalist`
/// `{testid}-suggestions`); `on_type` hears each keystroke, `on_pick` the
/// value picked or left in the field.
#[component]
pub fn SearchField(
    /// `data-testid` of the field.
    testid: &'static str,
    /// i18n key of its accessible name.
    label: &'static str,
    /// i18n key of its placeholder.
    placeholder: &'static str,
    /// The value shown as picked.
    selected: Signal<String>,
    /// The suggestions for what is typed.
    suggestions: Signal<Vec<(String, String)>>,
    /// Each keystroke's text.
    on_type: Callback<String>,
    /// The picked value.
    on_pick: Callback<String>,
) -> impl IntoView {
    let state = AppState::get();
    let list = format!("{testid}-suggestions");
    let options = move || suggestions.get().into_iter().map(|(value, text)| view! { <option value=value>{text}</option> }).collect_view();
    view! {
        <input
            data-testid=testid
            aria-label=move || state.t(label)
            list=list.clone()
            autocomplete="off"
            prop:value=selected
            placeholder=move || state.t(placeholder)
            on:input=move |ev| on_type.run(event_target_value(&ev))
            on:change=move |ev| on_pick.run(event_target_value(&ev))
        />
        <datalist id=list data-testid=format!("{testid}-suggestions")>{options}</datalist>
    }
}
