//! A principal a rule names: its kind (user, group, role, …) and its id,
//! each with its own label.

use crate::state::AppState;
use crate::state::rule_form::PRINCIPAL_KINDS;
use leptos::prelude::*;

/// Two labelled controls bound to `kind` and `id`; `testid` prefixes their test ids.
#[component]
pub fn PrincipalPicker(
    /// The i18n key of what the principal is for ("Share with", "Owned by").
    label: &'static str,
    /// The principal's kind (one of `PRINCIPAL_KINDS`).
    kind: RwSignal<String>,
    /// The principal's id.
    id: RwSignal<String>,
    /// Prefix of the controls' test ids.
    testid: &'static str,
) -> impl IntoView {
    let state = AppState::get();
    let kinds = move || {
        PRINCIPAL_KINDS
            .iter()
            .map(|k| {
                let key = k.to_string();
                view! { <option value=key.clone() selected=move || kind.get() == key>{state.t(principal_key(k))}</option> }
            })
            .collect_view()
    };
    view! {
        <fieldset class="principal">
            <legend>{move || state.t(label)}</legend>
            <label>
                {move || state.t("rule.principal_kind")}" "
                <select data-testid=format!("{testid}-kind") on:change=move |ev| kind.set(event_target_value(&ev))>{kinds}</select>
            </label>
            <label>
                {move || state.t("rule.principal_id")}" "
                <input data-testid=format!("{testid}-id") prop:value=move || id.get() on:input=move |ev| id.set(event_target_value(&ev))/>
            </label>
        </fieldset>
    }
}

/// The i18n key naming a principal kind.
pub fn principal_key(kind: &str) -> &'static str {
    match kind {
        "user" => "rule.kind.user",
        "group" => "rule.kind.group",
        "role_and_subordinates" => "rule.kind.role_and_subordinates",
        "department" => "rule.kind.department",
        "department_tree" => "rule.kind.department_tree",
        _ => "rule.kind.role",
    }
}
