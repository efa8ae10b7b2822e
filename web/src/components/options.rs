//! `<option>`s for a `<select>`, the current value selected.

use leptos::prelude::*;

/// One option per value, with a leading "—" (empty value) when `none`.
pub fn options(values: Vec<String>, selected: Option<String>, none: bool) -> impl IntoView {
    let none = none.then(|| view! { <option value="" selected=selected.is_none()>"—"</option> });
    let rest = values
        .into_iter()
        .map(|v| {
            let is = selected.as_deref() == Some(v.as_str());
            view! { <option value=v.clone() selected=is>{v.clone()}</option> }
        })
        .collect_view();
    (none, rest)
}
