//! Simulate: stage edits without applying them; the preview of who gains
//! and loses what updates after each one; apply or discard them all.

use crate::components::bars::Bars;
use crate::components::problems::Problems;
use crate::components::user_picker::UserPicker;
use crate::state::AppState;
use crate::state::model::simulate;
use crate::state::worker::Reply;
use clearance_core::Problem;
use clearance_core::change::{Operation, summarize};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The page.
#[component]
pub fn SimulatePage() -> impl IntoView {
    let state = AppState::get();
    let problems = RwSignal::new(Vec::<Problem>::new());
    let move_user = RwSignal::new(String::new());
    let move_role = RwSignal::new(String::new());
    let toggle_user = RwSignal::new(String::new());

    let stage = move |op: Operation| super::org::stage(state, problems, op);
    let role_options = move || {
        let roles = state.staged_policy.with(|p| p.0.roles.iter().map(|r| r.id.clone()).collect::<Vec<_>>());
        roles.into_iter().map(|id| view! { <option value=id.clone()>{id.clone()}</option> }).collect_view()
    };

    let staged = move || {
        let lang = state.lang.get();
        let ops = state.model.with(|m| m.staged.clone());
        if ops.is_empty() {
            return view! { <p data-testid="no-staged">{state.t("sim.no_staged")}</p> }.into_any();
        }
        view! {
            <ol data-testid="staged">
                {summarize(&ops, lang)
                    .into_iter()
                    .enumerate()
                    .map(|(i, text)| {
                        view! {
                            <li data-testid="staged-item">
                                {text}" "
                                <button on:click=move |_| {
                                    let mut result = Ok(());
                                    state.model.update(|m| result = m.unstage(i));
                                    problems.set(result.err().map(|e| e.into_problems()).unwrap_or_default());
                                }>{state.t("sim.remove")}</button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        }
        .into_any()
    };

    // The large org: its diff comes from the Web Worker, asked again after every staged edit.
    Effect::new(move |_| {
        let (large, staged) = state.model.with(|m| (m.large, m.staged.clone()));
        if let Some(records) = large {
            state.large.ask(records, staged);
        }
    });
    let large_effect = move || {
        let progress = state.large.progress.get().map(|(step, done, total)| {
            view! { <p data-testid="large-progress"><progress max=total value=done></progress>" "{step}</p> }
        });
        let reply = match state.large.reply.get() {
            Some(Reply::Result { summary, changes, diff_ms, .. }) => view! {
                <p>
                    <span data-testid="diff-gained">{summary.total.gained}</span>" "{state.t("sim.gained")}", "
                    <span data-testid="diff-lost">{summary.total.lost}</span>" "{state.t("sim.lost")}
                    <span class="hint" data-testid="large-diff-ms">{format!(" ({diff_ms:.0} ms)")}</span>
                </p>
                <table>
                    {changes
                        .into_iter()
                        .map(|c| view! { <tr data-testid="change-row" data-user=c.user.clone() data-record=c.record.clone()><td>{c.user.clone()}</td><td>{c.action.clone()}</td><td>{c.record.clone()}</td></tr> })
                        .collect_view()}
                </table>
            }
            .into_any(),
            Some(Reply::Failed { problems }) => view! { <Problems problems=problems/> }.into_any(),
            _ => ().into_any(),
        };
        view! { <section data-testid="effect"><h2>{state.t("sim.effect")}</h2>{progress}{reply}</section> }
    };
    let effect = move || {
        if state.model.with(|m| m.large.is_some()) {
            return large_effect().into_any();
        }
        let model = state.model.get();
        let diff = match simulate(&model) {
            Ok(diff) => diff,
            Err(e) => return view! { <Problems problems=e.into_problems()/> }.into_any(),
        };
        let mut by_slot: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        let objects: BTreeMap<String, String> = state.compiled.with(|c| {
            c.0.as_ref()
                .as_ref()
                .map(|c| {
                    c.current_records
                        .records()
                        .filter_map(|r| c.current.object_name(r.object()).map(|o| (r.id().to_owned(), o.to_owned())))
                        .collect()
                })
                .unwrap_or_default()
        });
        for change in &diff.changes {
            let object = objects.get(&change.record).cloned().unwrap_or_default();
            let slot = by_slot.entry(format!("{object} · {}", change.action)).or_default();
            match change.change {
                clearance_core::diff::ChangeKind::Gained => slot.0 += 1,
                clearance_core::diff::ChangeKind::Lost => slot.1 += 1,
            }
        }
        let rows: Vec<(String, usize, usize)> = by_slot.into_iter().map(|(k, (g, l))| (k, g, l)).collect();
        view! {
            <section data-testid="effect">
                <h2>{state.t("sim.effect")}</h2>
                <p>
                    <span data-testid="diff-gained">{diff.summary.total.gained}</span>" "{state.t("sim.gained")}", "
                    <span data-testid="diff-lost">{diff.summary.total.lost}</span>" "{state.t("sim.lost")}
                </p>
                <h3>{state.t("sim.by_object")}</h3>
                <Bars rows=rows/>
                <h3>{state.t("sim.changes")}</h3>
                <table>
                    {diff
                        .changes
                        .into_iter()
                        .map(|c| {
                            let kind = if c.change == clearance_core::diff::ChangeKind::Gained { state.t("sim.gained") } else { state.t("sim.lost") };
                            view! {
                                <tr data-testid="change-row" data-user=c.user.clone() data-record=c.record.clone() data-action=c.action.clone()>
                                    <td>{c.user.clone()}</td>
                                    <td>{kind}</td>
                                    <td>{c.action.clone()}</td>
                                    <td>{c.record.clone()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </table>
            </section>
        }
        .into_any()
    };

    view! {
        <div class="page" data-testid="page-simulate">
            <section>
                <h2>{move || state.t("sim.stage_title")}</h2>
                <div class="form">
                    {move || state.t("sim.move_user")}
                    <UserPicker testid="sim-user" on_pick=Callback::new(move |id| move_user.set(id))/>
                    {move || state.t("sim.to_role")}
                    <select data-testid="sim-role" on:change=move |ev| move_role.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {role_options}
                    </select>
                    <button
                        data-testid="sim-stage"
                        on:click=move |_| stage(Operation::MoveUser { user: move_user.get(), role: Some(move_role.get()).filter(|r| !r.is_empty()), department: None })
                    >
                        {move || state.t("sim.stage")}
                    </button>
                </div>
                <div class="form">
                    {move || state.t("sim.set_active")}
                    <UserPicker testid="sim-active-user" on_pick=Callback::new(move |id| toggle_user.set(id))/>
                    <button
                        data-testid="sim-toggle"
                        on:click=move |_| {
                            let user = toggle_user.get();
                            let active = state.staged_policy.with_untracked(|p| p.0.users.iter().find(|u| u.id == user).map(|u| u.active));
                            stage(Operation::SetUserActive { user, active: !active.unwrap_or(true) })
                        }
                    >
                        {move || state.t("sim.toggle")}
                    </button>
                </div>
                {move || (!problems.get().is_empty()).then(|| view! { <Problems problems=problems.get()/> })}
            </section>
            <section>
                <h2>{move || state.t("sim.staged")}</h2>
                {staged}
                // Once change control is in use, edits reach the policy only through approved requests.
                <button
                    data-testid="sim-apply"
                    disabled=move || state.control.ledger.with(Option::is_some)
                    title=move || if state.control.ledger.with(Option::is_some) { state.t("sim.apply_via_request") } else { "" }
                    on:click=move |_| state.model.update(|m| { let _ = m.apply_staged(); })
                >
                    {move || state.t("sim.apply")}
                </button>
                <button data-testid="sim-discard" on:click=move |_| state.model.update(|m| m.staged.clear())>{move || state.t("sim.discard")}</button>
            </section>
            {effect}
        </div>
    }
}
