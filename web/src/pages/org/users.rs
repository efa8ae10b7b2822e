//! The users (the first hundred of a large org): role, department,
//! profile, permission sets, attributes and whether active, each edited in
//! place.

use super::USER_ROWS;
use super::stage;
use crate::components::options::options;
use crate::state::AppState;
use clearance_core::Problem;
use clearance_core::change::Operation;
use clearance_core::policy::Policy;
use leptos::prelude::*;

/// One row per user, and a note when more exist than are shown.
#[component]
pub fn Users(problems: RwSignal<Vec<Problem>>) -> impl IntoView {
    let state = AppState::get();
    move || {
        let p: Policy = state.current_policy();
        let roles: Vec<String> = p.roles.iter().map(|r| r.id.clone()).collect();
        let departments: Vec<String> = p.departments.iter().map(|d| d.id.clone()).collect();
        let profiles: Vec<String> = p.bundles.profiles.keys().cloned().collect();
        let sets: Vec<String> = p.bundles.permission_sets.keys().cloned().collect();
        let total = p.users.len();
        let rows = p
            .users
            .into_iter()
            .take(USER_ROWS)
            .map(|u| {
                let id = u.id.clone();
                let (i1, i2, i3, i4, i5, i6) = (id.clone(), id.clone(), id.clone(), id.clone(), id.clone(), id.clone());
                let attributes = u
                    .attributes
                    .iter()
                    .map(|(name, value)| {
                        let (user, key) = (id.clone(), name.clone());
                        view! {
                            <span class="chip">
                                {format!("{name}={value}")}
                                <button title=state.t("org.remove") aria-label=format!("{} · {name}", state.t("org.remove")) on:click=move |_| stage(state, problems, Operation::SetUserAttribute { user: user.clone(), name: key.clone(), value: None })>"×"</button>
                            </span>
                        }
                    })
                    .collect_view();
                let grantable: Vec<String> = sets.iter().filter(|s| !u.permission_sets.contains(s)).cloned().collect();
                let held = u
                    .permission_sets
                    .iter()
                    .map(|set| {
                        let (user, set_id) = (id.clone(), set.clone());
                        view! {
                            <span class="chip">
                                {set.clone()}
                                <button
                                    title=state.t("perm.revoke")
                                    aria-label=format!("{} · {set}", state.t("perm.revoke"))
                                    on:click=move |_| stage(state, problems, Operation::RevokePermissionSet { user: user.clone(), permission_set: set_id.clone() })
                                >
                                    "×"
                                </button>
                            </span>
                        }
                    })
                    .collect_view();
                view! {
                    <tr data-testid="org-user" data-user=id.clone()>
                        <td>{u.name.clone().unwrap_or_default()}" "<code>{id.clone()}</code></td>
                        <td>
                            <select data-testid="user-role" aria-label=format!("{} · {id}", state.t("org.role")) on:change=move |ev| stage(state, problems, Operation::MoveUser { user: i1.clone(), role: Some(event_target_value(&ev)), department: None })>
                                {options(roles.clone(), u.role.clone(), u.role.is_none())}
                            </select>
                        </td>
                        <td>
                            <select aria-label=format!("{} · {id}", state.t("org.department")) on:change=move |ev| stage(state, problems, Operation::MoveUser { user: i2.clone(), role: None, department: Some(event_target_value(&ev)) })>
                                {options(departments.clone(), u.department.clone(), u.department.is_none())}
                            </select>
                        </td>
                        <td>
                            <select aria-label=format!("{} · {id}", state.t("org.profile")) on:change=move |ev| stage(state, problems, Operation::SetProfile { user: i3.clone(), profile: Some(event_target_value(&ev)).filter(|p| !p.is_empty()) })>
                                {options(profiles.clone(), u.profile.clone(), true)}
                            </select>
                        </td>
                        <td>
                            {held}
                            <select aria-label=format!("{} · {id}", state.t("org.grant_set")) on:change=move |ev| {
                                let set = event_target_value(&ev);
                                if !set.is_empty() {
                                    stage(state, problems, Operation::GrantPermissionSet { user: i4.clone(), permission_set: set })
                                }
                            }>
                                <option value="">"+"</option>
                                {options(grantable, None, false)}
                            </select>
                        </td>
                        <td>
                            {attributes}
                            <input
                                class="attr"
                                aria-label=format!("{} · {id}", state.t("org.set_attribute"))
                                placeholder="name=value"
                                on:change=move |ev| {
                                    let text = event_target_value(&ev);
                                    let (name, value) = text.split_once('=').unwrap_or((text.as_str(), ""));
                                    let value = serde_json::from_str(value).unwrap_or_else(|_| serde_json::Value::String(value.to_owned()));
                                    stage(state, problems, Operation::SetUserAttribute { user: i6.clone(), name: name.trim().to_owned(), value: Some(value) })
                                }
                            />
                        </td>
                        <td>
                            <input
                                type="checkbox"
                                data-testid="user-active"
                                aria-label=format!("{} · {id}", state.t("org.active"))
                                checked=u.active
                                on:change=move |ev| stage(state, problems, Operation::SetUserActive { user: i5.clone(), active: event_target_checked(&ev) })
                            />
                        </td>
                    </tr>
                }
            })
            .collect_view();
        let more = (total > USER_ROWS).then(|| view! { <tr><td colspan="7" class="hint">{format!("{USER_ROWS} / {total}")}</td></tr> });
        (rows, more)
    }
}
