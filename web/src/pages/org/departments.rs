//! The department tree: each department renamed, moved or deleted, and a new one added.

use super::stage;
use super::tree;
use crate::components::options::options;
use crate::state::AppState;
use clearance_core::Problem;
use clearance_core::change::Operation;
use clearance_core::policy::Policy;
use leptos::prelude::*;

/// The tree and the form that adds a department; every edit is staged.
#[component]
pub fn Departments(problems: RwSignal<Vec<Problem>>) -> impl IntoView {
    let state = AppState::get();
    let new_department = RwSignal::new(String::new());
    move || {
        let p: Policy = state.current_policy();
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
                                    aria-label=format!("{} · {id}", state.t("org.name"))
                                    value=name
                                    on:change=move |ev| stage(state, problems, Operation::RenameDepartment { department: rename_id.clone(), name: event_target_value(&ev) })
                                />
                                " "<code>{id.clone()}</code>" "
                                <select aria-label=format!("{} · {id}", state.t("org.parent")) on:change=move |ev| {
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
                <input aria-label=state.t("org.new_department") placeholder=state.t("org.new_department") on:input=move |ev| new_department.set(event_target_value(&ev))/>
                <button on:click=move |_| {
                    let department = clearance_core::policy::Department { id: new_department.get(), name: None, parent: None };
                    stage(state, problems, Operation::AddDepartment { department })
                }>{state.t("org.add_department")}</button>
            </div>
        }
    }
}
