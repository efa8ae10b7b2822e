//! Simulate: stage edits without applying them; the preview of who gains
//! and loses what updates after each one; apply or discard them all.

mod effect;

use crate::components::problems::Problems;
use crate::components::sentence::Sentence;
use crate::components::user_picker::UserPicker;
use crate::state::simulation::{self, Arrival};
use crate::state::{AppState, Page};
use clearance_core::Problem;
use clearance_core::change::{Operation, summarize};
use effect::Outcome;
use leptos::prelude::*;

/// The page.
#[component]
pub fn SimulatePage() -> impl IntoView {
    let state = AppState::get();
    let problems = RwSignal::new(Vec::<Problem>::new());
    let offered = RwSignal::new(None::<Vec<Operation>>);
    follow_the_address(problems, offered);
    view! {
        <div class="page" data-testid="page-simulate">
            <LinkOffer problems offered/>
            <section>
                <h2>{move || state.t("sim.stage_title")}</h2>
                <StageForms problems/>
                {move || (!problems.get().is_empty()).then(|| view! { <Problems problems=problems.get()/> })}
            </section>
            <section>
                <h2>{move || state.t("sim.staged")}</h2>
                <StagedEdits problems/>
            </section>
            <Outcome/>
        </div>
    }
}

/// Keeps the staged edits and the address together: an address's edits
/// are staged when nothing else is (else offered, see [`LinkOffer`]), and
/// each change of the staged edits is written into the address.
fn follow_the_address(problems: RwSignal<Vec<Problem>>, offered: RwSignal<Option<Vec<Operation>>>) {
    let state = AppState::get();
    Effect::new(move |_| {
        let route = state.route.get();
        if route.page != Page::Simulate {
            return;
        }
        match simulation::arrival(&route, &state.model.with_untracked(|m| m.staged.clone())) {
            Arrival::Same => offered.set(None),
            Arrival::Stage(edits) => restage(problems, edits),
            Arrival::Offer(edits) => offered.set(Some(edits)),
            Arrival::Unreadable(error) => problems.set(error.into_problems()),
        }
    });
    Effect::new(move |_| {
        state.model.track();
        if offered.with_untracked(Option::is_none) {
            write_staged(state);
        }
    });
}

/// Writes the staged edits into the Simulate page's address (in place).
fn write_staged(state: AppState) {
    let param = state.model.with_untracked(|m| simulation::param(&m.staged));
    if state.route.with_untracked(|r| r.page == Page::Simulate && r.get(simulation::KEY) != param) {
        state.show(simulation::KEY, &param);
    }
}

/// Stages `edits` in place of the staged ones, or shows why not.
fn restage(problems: RwSignal<Vec<Problem>>, edits: Vec<Operation>) {
    let state = AppState::get();
    let mut result = Ok(());
    state.model.update(|m| result = m.restage(edits));
    problems.set(result.err().map(|e| e.into_problems()).unwrap_or_default());
}

/// A link's edits, when other edits were staged here: stage the link's, or
/// keep these (nothing staged is dropped without the admin's say).
#[component]
fn LinkOffer(problems: RwSignal<Vec<Problem>>, offered: RwSignal<Option<Vec<Operation>>>) -> impl IntoView {
    let state = AppState::get();
    move || {
        let edits = offered.get()?;
        let sentences = summarize(&edits, state.lang.get());
        Some(view! {
            <section class="notice" role="status" data-testid="sim-link-offer">
                <p>{state.t("sim.link_offer")}</p>
                <ol>{sentences.into_iter().map(|text| view! { <li><Sentence text/></li> }).collect_view()}</ol>
                <button data-testid="sim-link-use" on:click=move |_| {
                    offered.set(None);
                    restage(problems, edits.clone());
                }>{state.t("sim.link_use")}</button>
                <button data-testid="sim-link-keep" on:click=move |_| {
                    offered.set(None);
                    write_staged(state);
                }>{state.t("sim.link_keep")}</button>
            </section>
        })
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
