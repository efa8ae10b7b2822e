//! Change requests: propose the staged edits for approval, and approve,
//! reject, apply or review requests — on the server as the signed-in admin
//! (who judges every step), or in the sandbox as the acting user.

use crate::components::problems::Problems;
use crate::components::table_head::TableHead;
use crate::state::AppState;
use crate::state::i18n;
use crate::state::model::name_of;
use clearance_core::Problem;
use clearance_core::change::ledger::Step;
use clearance_core::change::request::ChangeRequest;
use clearance_core::change::steps::may_step;
use clearance_core::change::summarize;
use leptos::prelude::*;

/// What a request would change now: `+gained / −lost` on the current
/// policy and records (the large org's diff is the Simulate page's).
fn diff_preview(state: AppState, changes: &[clearance_core::change::Operation]) -> String {
    let (policy, records, large) = state.model.with_untracked(|m| (m.policy.clone(), m.records.clone(), m.large.is_some()));
    if large {
        return String::new();
    }
    let Ok(before) = clearance_core::Engine::compile(policy.clone()) else { return String::new() };
    let Ok((_, after)) = clearance_core::change::apply(&policy, changes) else { return "—".to_owned() };
    match clearance_core::diff::diff(&before, &after, &records, &Default::default()) {
        Ok(diff) => format!("+{} / −{}", diff.summary.total.gained, diff.summary.total.lost),
        Err(_) => "—".to_owned(),
    }
}

/// Why the signed-in admin may not take `step` on `request` now, by the
/// core's own rules on the applied policy (code, and the reason in the
/// page's language); `None` in the sandbox, whose refusals show on click,
/// or when the rules allow it. The server still judges the step.
fn refusal_of(state: AppState, request: &ChangeRequest, step: Step) -> Option<(String, String)> {
    let actor = state.server.mode.with_untracked(|m| m.session().map(|s| s.user.clone()))?;
    let staged = state.model.with_untracked(|m| !m.staged.is_empty());
    let error = state.compiled.with_untracked(|c| {
        let compiled = c.0.as_ref().as_ref().ok()?;
        let applied = if staged { &compiled.base.as_ref()?.0 } else { compiled.current.as_ref() };
        may_step(request, step, applied, &actor).err()
    })?;
    i18n::refusal_of(state.lang.get_untracked(), &error)
}

/// The page.
#[component]
pub fn RequestsPage() -> impl IntoView {
    let state = AppState::get();
    let problems = RwSignal::new(Vec::<Problem>::new());
    let comment = RwSignal::new(String::new());
    let report = move |result: Result<(), clearance_core::Error>| problems.set(result.err().map(|e| e.into_problems()).unwrap_or_default());
    let answered = move |result: Result<(), Vec<Problem>>| problems.set(result.err().unwrap_or_default());
    let propose = move |_| {
        let staged = state.model.with_untracked(|m| m.staged.clone());
        let text = comment.get_untracked();
        if state.on_server() {
            leptos::task::spawn_local(async move { answered(state.server.propose(state, &staged, &text).await) });
        } else {
            report(state.control.act(state, |ledger, actor, at| ledger.propose(actor, staged, &text, at).map(|_| ())));
        }
    };
    let step = move |id: String, step: Step| {
        let text = comment.get_untracked();
        if state.on_server() {
            leptos::task::spawn_local(async move { answered(state.server.step(state, &id, step, &text).await) });
        } else {
            report(state.control.act(state, |ledger, actor, at| ledger.step(&id, step, actor, &text, at)));
        }
    };
    let list = move || {
        let lang = state.lang.get();
        let requests = if state.on_server() {
            state.server.requests.get()
        } else {
            state.control.ledger.with(|l| l.as_ref().map(|l| l.requests.clone()).unwrap_or_default())
        };
        requests
            .into_iter()
            .rev()
            .map(|r| {
                let id = r.id.clone();
                let button = |step_of: Step, testid: &'static str, key: &'static str| {
                    let (id, refusal) = (id.clone(), refusal_of(state, &r, step_of));
                    let (code, reason) = refusal.map_or((None, None), |(c, r)| (Some(c), Some(r)));
                    view! {
                        <button data-testid=testid disabled=code.is_some() data-refusal=code title=reason on:click=move |_| step(id.clone(), step_of)>
                            {state.t(key)}
                        </button>
                    }
                };
                let buttons = (
                    button(Step::Approve, "request-approve", "req.approve"),
                    button(Step::Reject, "request-reject", "req.reject"),
                    button(Step::Apply, "request-apply", "req.apply"),
                    button(Step::Review, "request-review", "req.review"),
                );
                let state_name = name_of(&r.state);
                let shown = state_name.clone();
                let preview = diff_preview(state, &r.changes);
                view! {
                    <tr data-testid="request" data-request=id.clone() data-state=state_name>
                        <td><code>{id.clone()}</code></td>
                        <td>{shown}</td>
                        <td>{r.author.clone()}</td>
                        <td>{summarize(&r.changes, lang).join("; ")}</td>
                        <td data-testid="request-diff">{preview}</td>
                        <td>{format!("{}/{}", r.approvers.len(), r.approvals_needed)}</td>
                        <td>{buttons}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <div class="page" data-testid="page-requests">
            <section>
                <h2>{move || state.t("req.propose_title")}</h2>
                <p class="hint">{move || format!("{} {}", state.model.with(|m| m.staged.len()), state.t("req.staged"))}</p>
                <input data-testid="request-comment" placeholder=move || state.t("req.comment") on:input=move |ev| comment.set(event_target_value(&ev))/>
                <button data-testid="request-propose" on:click=propose>{move || state.t("req.propose")}</button>
                {move || (!problems.get().is_empty()).then(|| view! { <Problems problems=problems.get()/> })}
            </section>
            <section>
                <h2>{move || state.t("nav.requests")}</h2>
                <table>
                    <TableHead keys=&["req.col_id", "req.col_state", "req.col_author", "req.col_changes", "req.col_diff", "req.col_approvals", "req.col_steps"]/>
                    <tbody>{list}</tbody>
                </table>
            </section>
        </div>
    }
}
