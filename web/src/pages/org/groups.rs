//! Groups: members added (any kind of principal) and removed, groups added and deleted.

use super::stage;
use crate::components::principal_picker::principal_key;
use crate::state::AppState;
use crate::state::rule_form::{PRINCIPAL_KINDS, recipient};
use clearance_core::Problem;
use clearance_core::change::Operation;
use clearance_core::policy::Policy;
use leptos::prelude::*;

/// The groups and the form that adds one; every edit is staged.
#[component]
pub fn Groups(problems: RwSignal<Vec<Problem>>) -> impl IntoView {
    let state = AppState::get();
    let new_group = RwSignal::new(String::new());
    move || {
        let p: Policy = state.current_policy();
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
                        let label_again = label.clone();
                        view! {
                            <span class="chip">
                                {label}
                                <button title=state.t("org.remove") aria-label=format!("{} · {label_again}", state.t("org.remove")) on:click=move |_| stage(state, problems, Operation::RemoveGroupMember { group: group.clone(), member: member.clone() })>"×"</button>
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
                            <select aria-label=format!("{} · {id}", state.t("rule.principal_kind")) on:change=move |ev| kind.set(event_target_value(&ev))>
                                {PRINCIPAL_KINDS.map(|k| view! { <option value=k>{state.t(principal_key(k))}</option> })}
                            </select>
                            <input data-testid="group-member" aria-label=format!("{} · {id}", state.t("rule.principal_id")) placeholder="id" on:input=move |ev| value.set(event_target_value(&ev))/>
                            <button data-testid="group-add-member" aria-label=format!("{} · {id}", state.t("org.add_member")) on:click=move |_| {
                                stage(state, problems, Operation::AddGroupMember { group: add_id.clone(), member: recipient(&kind.get(), &value.get()) })
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
                <input aria-label=state.t("org.new_group") placeholder=state.t("org.new_group") on:input=move |ev| new_group.set(event_target_value(&ev))/>
                <button on:click=move |_| {
                    let group = clearance_core::policy::Group { id: new_group.get(), name: None, members: Vec::new() };
                    stage(state, problems, Operation::AddGroup { group })
                }>{state.t("org.add_group")}</button>
            </div>
        }
    }
}
