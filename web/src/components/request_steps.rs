//! The steps a change request's state allows, as buttons: a refused one is
//! disabled with the reason (in the page's language) as its title and, with
//! `explain`, written beside it. Taking a step asks the server as the
//! signed-in admin, or the sandbox's ledger as the acting user; the
//! refusal, if any, lands in `problems`.

use crate::state::requests::offered;
use crate::state::{AppState, i18n};
use clearance_core::Problem;
use clearance_core::change::ledger::Step;
use clearance_core::change::request::ChangeRequest;
use leptos::prelude::*;

/// Who takes the steps: the signed-in admin, or the sandbox's acting user.
fn actor(state: AppState) -> String {
    state.server.mode.with(|m| m.session().map(|s| s.user.clone())).unwrap_or_else(|| state.actor.get())
}

/// The button's text key and test id.
fn named(step: Step) -> (&'static str, &'static str) {
    match step {
        Step::Approve => ("req.approve", "request-approve"),
        Step::Reject => ("req.reject", "request-reject"),
        Step::Apply => ("req.apply", "request-apply"),
        Step::Review => ("req.review", "request-review"),
    }
}

/// Takes `step` on request `id` with `comment`.
fn take(state: AppState, id: String, step: Step, comment: String, problems: RwSignal<Vec<Problem>>) {
    if state.on_server() {
        leptos::task::spawn_local(
            async move { problems.set(state.server.step(state, &id, step, &comment).await.err().unwrap_or_default()) },
        );
    } else {
        let result = state.control.act(state, |ledger, actor, at| ledger.step(&id, step, actor, &comment, at).map(|_| ()));
        problems.set(result.err().map(clearance_core::Error::into_problems).unwrap_or_default());
    }
}

/// The buttons.
#[component]
pub fn RequestSteps(
    /// The request.
    request: ChangeRequest,
    /// The comment sent with a step.
    #[prop(into)]
    comment: Signal<String>,
    /// Where a refusal is shown.
    problems: RwSignal<Vec<Problem>>,
    /// Whether each refusal's reason is written beside its button.
    #[prop(optional)]
    explain: bool,
) -> impl IntoView {
    let state = AppState::get();
    move || {
        let (who, lang) = (actor(state), state.lang.get());
        // The policy in force (before the staged edits), by the core's own rules.
        let staged = state.model.with_untracked(|m| !m.staged.is_empty());
        let steps = state.compiled.with_untracked(|c| {
            let compiled = c.0.as_ref().as_ref().ok();
            let applied = compiled.and_then(|c| if staged { c.base.as_ref().map(|b| &b.0) } else { Some(c.current.as_ref()) });
            offered(&request, applied, &who)
        });
        steps
            .into_iter()
            .map(|o| {
                let (key, testid) = named(o.step);
                let code = o.refusal.as_ref().map(|p| p.code.clone());
                let reason = o.refusal.map(|p| i18n::refusal(lang, &p.code).map_or(p.message, str::to_owned));
                let (id, step) = (request.id.clone(), o.step);
                let why = (explain && reason.is_some())
                    .then(|| view! { <span class="why" data-testid="request-step-why">{reason.clone()}</span> });
                view! {
                    <span class="step">
                        <button
                            data-testid=testid
                            disabled=code.is_some()
                            data-refusal=code
                            title=reason.clone()
                            on:click=move |_| take(state, id.clone(), step, comment.get_untracked(), problems)
                        >
                            {i18n::t(lang, key)}
                        </button>
                        {why}
                    </span>
                }
            })
            .collect_view()
    }
}
