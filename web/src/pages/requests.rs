//! Change requests: propose the staged edits for approval, and approve,
//! reject, apply or review requests — on the server as the signed-in admin
//! (who judges every step), or in the sandbox as the acting user.

use crate::components::problems::Problems;
use crate::state::AppState;
use crate::state::model::name_of;
use clearance_core::Problem;
use clearance_core::change::ledger::Step;
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
                let (a, b, c, d) = (id.clone(), id.clone(), id.clone(), id.clone());
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
                        <td>
                            <button data-testid="request-approve" on:click=move |_| step(a.clone(), Step::Approve)>{state.t("req.approve")}</button>
                            <button data-testid="request-reject" on:click=move |_| step(b.clone(), Step::Reject)>{state.t("req.reject")}</button>
                            <button data-testid="request-apply" on:click=move |_| step(c.clone(), Step::Apply)>{state.t("req.apply")}</button>
                            <button data-testid="request-review" on:click=move |_| step(d.clone(), Step::Review)>{state.t("req.review")}</button>
                        </td>
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
                <table>{list}</table>
            </section>
        </div>
    }
}
