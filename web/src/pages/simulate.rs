//! Simulate: stage edits without applying them; the preview of who gains
//! and loses what updates after each one; apply or discard them all.

mod effect;

use crate::components::problems::Problems;
use crate::components::sentence::Sentence;
use crate::components::user_picker::UserPicker;
use crate::state::AppState;
use clearance_core::Problem;
use clearance_core::change::{Operation, summarize};
use effect::Effect;
use leptos::prelude::*;

/// The page.
#[component]
pub fn SimulatePage() -> impl IntoView {
    let state = AppState::get();
    let problems = RwSignal::new(Vec::<Problem>::new());
    view! {
        <div class="page" data-testid="page-simulate">
            <section>
                <h2>{move || state.t("sim.stage_title")}</h2>
                <StageForms problems/>
                {move || (!problems.get().is_empty()).then(|| view! { <Problems problems=problems.get()/> })}
            </section>
            <section>
                <h2>{move || state.t("sim.staged")}</h2>
                <StagedEdits problems/>
            </section>
            <Effect/>
        </div>
    }
}

/// The quick edits this page stages itself: move a user to a role, (de)activate a user.
#[component]
fn StageForms(problems: RwSignal<Vec<Problem>>) -> impl IntoView {
    let state = AppState::get();
    let move_user = RwSignal::new(String::new());
    let move_role = RwSignal::new(String::new());
    let toggle_user = RwSignal::new(String::new());
    let stage = move |op: Operation| super::org::stage(state, problems, op);
    let role_options = move || {
        let roles = state.staged_policy.with(|p| p.0.roles.iter().map(|r| r.id.clone()).collect::<Vec<_>>());
        roles.into_iter().map(|id| view! { <option value=id.clone()>{id.clone()}</option> }).collect_view()
    };
    view! {
        <div class="form">
            {move || state.t("sim.move_user")}
            <UserPicker testid="sim-user" on_pick=Callback::new(move |id| move_user.set(id))/>
            <label>
                {move || state.t("sim.to_role")}" "
                <select data-testid="sim-role" on:change=move |ev| move_role.set(event_target_value(&ev))>
                    <option value="">"—"</option>
                    {role_options}
                </select>
            </label>
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
    }
}

/// The staged edits in sentences, each removable; apply or discard them all.
#[component]
fn StagedEdits(problems: RwSignal<Vec<Problem>>) -> impl IntoView {
    let state = AppState::get();
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
                                <Sentence text/>" "
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
    view! {
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
    }
}
