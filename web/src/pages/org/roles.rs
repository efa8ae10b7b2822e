//! The role tree: each role renamed, moved under another or deleted, and a new role added.

use super::stage;
use super::{ROLE_LIST_LIMIT, tree};
use crate::components::options::options;
use crate::state::AppState;
use clearance_core::Problem;
use clearance_core::change::Operation;
use clearance_core::policy::Policy;
use leptos::prelude::*;

/// The tree and the form that adds a role; every edit is staged.
#[component]
pub fn Roles(problems: RwSignal<Vec<Problem>>) -> impl IntoView {
    let state = AppState::get();
    let new_role = RwSignal::new(String::new());
    let new_parent = RwSignal::new(String::new());
    move || {
        let p: Policy = state.current_policy();
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
                                    aria-label=format!("{} · {id}", state.t("org.name"))
                                    value=name
                                    on:change=move |ev| stage(state, problems, Operation::RenameRole { role: rename_id.clone(), name: event_target_value(&ev) })
                                />
                                " "<code>{id.clone()}</code>" "
                                {if others.len() > ROLE_LIST_LIMIT {
                                    // Large trees: the parent is typed (a list per role would be a million options).
                                    view! {
                                        <input class="inline" aria-label=format!("{} · {id}", state.t("org.parent")) value=parent.clone().unwrap_or_default() on:change=move |ev| {
                                            let parent = Some(event_target_value(&ev)).filter(|p| !p.is_empty());
                                            stage(state, problems, Operation::ReparentRole { role: move_id.clone(), parent })
                                        }/>
                                    }
                                    .into_any()
                                } else {
                                    view! {
                                        <select
                                            data-testid="role-parent"
                                            aria-label=format!("{} · {id}", state.t("org.parent"))
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
                <input data-testid="new-role" aria-label=state.t("org.new_role") placeholder=state.t("org.new_role") on:input=move |ev| new_role.set(event_target_value(&ev))/>
                <select aria-label=state.t("org.new_parent") on:change=move |ev| new_parent.set(event_target_value(&ev))>{options(ids.clone(), None, true)}</select>
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
    }
}
