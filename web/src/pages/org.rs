//! The organisation: role and department trees, and the users. Every edit
//! is staged (and previewed on the Simulate page) before it is applied.

use crate::components::options::options;
use crate::components::problems::Problems;
use crate::state::AppState;
use clearance_core::Problem;
use clearance_core::change::Operation;
use clearance_core::policy::Policy;
use leptos::prelude::*;

/// `(depth, id, name)` of a tree's nodes in pre-order, roots in file order.
fn tree(nodes: &[(String, Option<String>, Option<String>)]) -> Vec<(usize, String, String)> {
    fn walk(
        nodes: &[(String, Option<String>, Option<String>)],
        parent: Option<&str>,
        depth: usize,
        out: &mut Vec<(usize, String, String)>,
    ) {
        for (id, name, p) in nodes.iter().filter(|(_, _, p)| p.as_deref() == parent) {
            out.push((depth, id.clone(), name.clone().unwrap_or_else(|| id.clone())));
            if depth < 64 {
                walk(nodes, Some(id), depth + 1, out);
            }
            let _ = p;
        }
    }
    let mut out = Vec::new();
    walk(nodes, None, 0, &mut out);
    out
}

/// Above this many roles, parents are typed rather than picked.
const ROLE_LIST_LIMIT: usize = 200;
/// Users shown at once (the large org has ten thousand).
const USER_ROWS: usize = 100;

/// Stages an edit; its problems (if refused) go to `problems`.
///
/// Checking the edit (which compiles the policy) and re-rendering the pages
/// run as two tasks, so on the large org neither holds the page long.
pub(crate) fn stage(state: AppState, problems: RwSignal<Vec<Problem>>, op: Operation) {
    let mut next = state.model.get_untracked();
    match next.stage(op) {
        Ok(()) => {
            problems.set(Vec::new());
            set_timeout(move || state.model.set(next), std::time::Duration::ZERO);
        }
        Err(error) => problems.set(error.into_problems()),
    }
}

/// The page: trees and users; every edit is staged (see Simulate).
#[component]
pub fn OrgPage() -> impl IntoView {
    let state = AppState::get();
    let problems = RwSignal::new(Vec::<Problem>::new());
    let policy = move || state.current_policy();
    let new_role = RwSignal::new(String::new());
    let new_parent = RwSignal::new(String::new());

    let roles = move || {
        let p: Policy = policy();
        let ids: Vec<String> = p.roles.iter().map(|r| r.id.clone()).collect();
        let rows = tree(&p.roles.iter().map(|r| (r.id.clone(), r.name.clone(), r.parent.clone())).collect::<Vec<_>>());
        let parents: std::collections::BTreeMap<String, Option<String>> =
            p.roles.iter().map(|r| (r.id.clone(), r.parent.clone())).collect();
        view! {
            <ul class="tree" data-testid="role-tree">
                {rows
                    .into_iter()
                    .map(|(depth, id, name)| {
                        let parent = parents.get(&id).cloned().flatten();
                        let others: Vec<String> = ids.iter().filter(|r| **r != id).cloned().collect();
                        let (rename_id, move_id, delete_id) = (id.clone(), id.clone(), id.clone());
                        view! {
                            <li style=format!("margin-left: {}em", depth * 2) data-testid="role" data-role=id.clone()>
                                <input
                                    class="inline"
                                    value=name
                                    on:change=move |ev| stage(state, problems, Operation::RenameRole { role: rename_id.clone(), name: event_target_value(&ev) })
                                />
                                " "<code>{id.clone()}</code>" "
                                {if others.len() > ROLE_LIST_LIMIT {
                                    // Large trees: the parent is typed (a list per role would be a million options).
                                    view! {
                                        <input class="inline" value=parent.clone().unwrap_or_default() on:change=move |ev| {
                                            let parent = Some(event_target_value(&ev)).filter(|p| !p.is_empty());
                                            stage(state, problems, Operation::ReparentRole { role: move_id.clone(), parent })
                                        }/>
                                    }
                                    .into_any()
                                } else {
                                    view! {
                                        <select
                                            data-testid="role-parent"
                                            on:change=move |ev| {
                                                let parent = Some(event_target_value(&ev)).filter(|p| !p.is_empty());
                                                stage(state, problems, Operation::ReparentRole { role: move_id.clone(), parent })
                                            }
                                        >
                                            {options(others, parent, true)}
                                        </select>
                                    }
                                    .into_any()
                                }}
                                <button data-testid="role-delete" on:click=move |_| stage(state, problems, Operation::RemoveRole { role: delete_id.clone() })>
                                    {state.t("org.delete")}
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <div class="form">
                <input data-testid="new-role" placeholder=state.t("org.new_role") on:input=move |ev| new_role.set(event_target_value(&ev))/>
                <select on:change=move |ev| new_parent.set(event_target_value(&ev))>{options(ids.clone(), None, true)}</select>
                <button
                    data-testid="add-role"
                    on:click=move |_| {
                        let role = clearance_core::policy::Role {
                            id: new_role.get(),
                            name: None,
                            parent: Some(new_parent.get()).filter(|p| !p.is_empty()),
                            peers_see_each_other: false,
                        };
                        stage(state, problems, Operation::AddRole { role })
                    }
                >
                    {state.t("org.add")}
                </button>
            </div>
        }
    };
    let new_department = RwSignal::new(String::new());
    let departments = move || {
        let p: Policy = policy();
        let ids: Vec<String> = p.departments.iter().map(|d| d.id.clone()).collect();
        let parents: std::collections::BTreeMap<String, Option<String>> =
            p.departments.iter().map(|d| (d.id.clone(), d.parent.clone())).collect();
        let rows = tree(&p.departments.iter().map(|d| (d.id.clone(), d.name.clone(), d.parent.clone())).collect::<Vec<_>>());
        view! {
            <ul class="tree" data-testid="department-tree">
                {rows
                    .into_iter()
                    .map(|(depth, id, name)| {
                        let others: Vec<String> = ids.iter().filter(|d| **d != id).cloned().collect();
                        let parent = parents.get(&id).cloned().flatten();
                        let (move_id, delete_id, rename_id) = (id.clone(), id.clone(), id.clone());
                        view! {
                            <li style=format!("margin-left: {}em", depth * 2) data-testid="department" data-department=id.clone()>
                                <input
                                    class="inline"
                                    data-testid="department-name"
                                    value=name
                                    on:change=move |ev| stage(state, problems, Operation::RenameDepartment { department: rename_id.clone(), name: event_target_value(&ev) })
                                />
                                " "<code>{id.clone()}</code>" "
                                <select on:change=move |ev| {
                                    let parent = Some(event_target_value(&ev)).filter(|p| !p.is_empty());
                                    stage(state, problems, Operation::ReparentDepartment { department: move_id.clone(), parent })
                                }>
                                    {options(others, parent, true)}
                                </select>
                                <button data-testid="department-delete" on:click=move |_| stage(state, problems, Operation::RemoveDepartment { department: delete_id.clone() })>
                                    {state.t("org.delete")}
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <div class="form">
                <input placeholder=state.t("org.new_department") on:input=move |ev| new_department.set(event_target_value(&ev))/>
                <button on:click=move |_| {
                    let department = clearance_core::policy::Department { id: new_department.get(), name: None, parent: None };
                    stage(state, problems, Operation::AddDepartment { department })
                }>{state.t("org.add_department")}</button>
            </div>
        }
    };
    let new_group = RwSignal::new(String::new());
    let groups = move || {
        let p: Policy = policy();
        let group_rows = p
            .groups
            .iter()
            .map(|g| {
                let id = g.id.clone();
                let members = g
                    .members
                    .iter()
                    .map(|m| {
                        let (group, member) = (id.clone(), m.clone());
                        let label = serde_json::to_string(m).unwrap_or_default();
                        view! {
                            <span class="chip">
                                {label}
                                <button title="remove" on:click=move |_| stage(state, problems, Operation::RemoveGroupMember { group: group.clone(), member: member.clone() })>"×"</button>
                            </span>
                        }
                    })
                    .collect_view();
                let kind = RwSignal::new("user".to_owned());
                let value = RwSignal::new(String::new());
                let (add_id, delete_id) = (id.clone(), id.clone());
                view! {
                    <tr data-testid="group" data-group=id.clone()>
                        <td><code>{id.clone()}</code></td>
                        <td>{members}</td>
                        <td>
                            <select on:change=move |ev| kind.set(event_target_value(&ev))>
                                {["user", "group", "role", "role_and_subordinates", "department", "department_tree"].map(|k| view! { <option value=k>{k}</option> })}
                            </select>
                            <input data-testid="group-member" placeholder="id" on:input=move |ev| value.set(event_target_value(&ev))/>
                            <button data-testid="group-add-member" on:click=move |_| {
                                let json = serde_json::json!({ kind.get(): value.get() });
                                match serde_json::from_value::<clearance_core::policy::Recipient>(json) {
                                    Ok(member) => stage(state, problems, Operation::AddGroupMember { group: add_id.clone(), member }),
                                    Err(e) => problems.set(vec![Problem::new("/member", "bad_value", e.to_string())]),
                                }
                            }>"+"</button>
                            <button on:click=move |_| stage(state, problems, Operation::RemoveGroup { group: delete_id.clone() })>{state.t("org.delete")}</button>
                        </td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table data-testid="groups">{group_rows}</table>
            <div class="form">
                <input placeholder=state.t("org.new_group") on:input=move |ev| new_group.set(event_target_value(&ev))/>
                <button on:click=move |_| {
                    let group = clearance_core::policy::Group { id: new_group.get(), name: None, members: Vec::new() };
                    stage(state, problems, Operation::AddGroup { group })
                }>{state.t("org.add_group")}</button>
            </div>
        }
    };
    let users = move || {
        let p: Policy = policy();
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
                                <button title="remove" on:click=move |_| stage(state, problems, Operation::SetUserAttribute { user: user.clone(), name: key.clone(), value: None })>"×"</button>
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
                                    title="revoke"
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
                            <select data-testid="user-role" on:change=move |ev| stage(state, problems, Operation::MoveUser { user: i1.clone(), role: Some(event_target_value(&ev)), department: None })>
                                {options(roles.clone(), u.role.clone(), u.role.is_none())}
                            </select>
                        </td>
                        <td>
                            <select on:change=move |ev| stage(state, problems, Operation::MoveUser { user: i2.clone(), role: None, department: Some(event_target_value(&ev)) })>
                                {options(departments.clone(), u.department.clone(), u.department.is_none())}
                            </select>
                        </td>
                        <td>
                            <select on:change=move |ev| stage(state, problems, Operation::SetProfile { user: i3.clone(), profile: Some(event_target_value(&ev)).filter(|p| !p.is_empty()) })>
                                {options(profiles.clone(), u.profile.clone(), true)}
                            </select>
                        </td>
                        <td>
                            {held}
                            <select on:change=move |ev| {
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
    };
    view! {
        <div class="page" data-testid="page-org">
            <p class="hint">{move || state.t("org.hint")}</p>
            {move || (!problems.get().is_empty()).then(|| view! { <Problems problems=problems.get()/> })}
            <div class="columns">
                <section><h2>{move || state.t("org.roles")}</h2>{roles}</section>
                <section><h2>{move || state.t("org.departments")}</h2>{departments}</section>
            </div>
            <section>
                <h2>{move || state.t("org.groups")}</h2>
                {groups}
            </section>
            <section>
                <h2>{move || state.t("org.users")}</h2>
                <table>
                    <tr>
                        <th>{move || state.t("org.users")}</th>
                        <th>{move || state.t("org.role")}</th>
                        <th>{move || state.t("org.department")}</th>
                        <th>{move || state.t("org.profile")}</th>
                        <th>{move || state.t("org.permission_sets")}</th>
                        <th>{move || state.t("org.attributes")}</th>
                        <th>{move || state.t("org.active")}</th>
                    </tr>
                    {users}
                </table>
            </section>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trees_are_listed_in_pre_order_with_depth() {
        let nodes = vec![
            ("ceo".to_owned(), None, None),
            ("rep".to_owned(), None, Some("mgr".to_owned())),
            ("mgr".to_owned(), Some("Manager".to_owned()), Some("ceo".to_owned())),
        ];
        let rows = tree(&nodes);
        assert_eq!(rows, [(0, "ceo".into(), "ceo".into()), (1, "mgr".into(), "Manager".into()), (2, "rep".into(), "rep".into())]);
    }
}
