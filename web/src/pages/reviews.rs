//! Access reviews: start a campaign, keep or revoke each item as its
//! reviewer, close it into a change request.

use crate::components::problems::Problems;
use crate::state::AppState;
use clearance_core::Problem;
use clearance_core::change::review::{Reviewers, Verdict};
use leptos::prelude::*;

/// The page.
#[component]
pub fn ReviewsPage() -> impl IntoView {
    let state = AppState::get();
    let problems = RwSignal::new(Vec::<Problem>::new());
    let due = RwSignal::new("2026-12-31T00:00:00Z".to_owned());
    let reviewer = RwSignal::new(String::new());
    let report = move |result: Result<(), clearance_core::Error>| problems.set(result.err().map(|e| e.into_problems()).unwrap_or_default());
    let campaigns = move || {
        let list = state.control.ledger.with(|l| l.as_ref().map(|l| l.campaigns.clone()).unwrap_or_default());
        list.into_iter()
            .rev()
            .map(|c| {
                let id = c.id.clone();
                let close_id = id.clone();
                let items = c
                    .items
                    .iter()
                    .map(|item| {
                        let (keep_c, revoke_c, n) = (id.clone(), id.clone(), item.id);
                        let verdict = item.verdict.map(|v| format!("{v:?}").to_lowercase()).unwrap_or_default();
                        view! {
                            <tr data-testid="review-item" data-user=item.user.clone() data-value=item.value.clone()>
                                <td>{item.reviewer.clone()}</td>
                                <td>{item.user.clone()}</td>
                                <td>{format!("{:?}", item.grant).to_lowercase()}" "<code>{item.value.clone()}</code></td>
                                <td>{verdict}</td>
                                <td>
                                    <button on:click=move |_| report(state.control.act(state, |l, actor, at| l.decide(&keep_c, n, Verdict::Keep, actor, "", at)))>{state.t("rev.keep")}</button>
                                    <button data-testid="review-revoke" on:click=move |_| report(state.control.act(state, |l, actor, at| l.decide(&revoke_c, n, Verdict::Revoke, actor, "", at)))>{state.t("rev.revoke")}</button>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view();
                let overdue = c.overdue(&crate::state::control::now()).len();
                view! {
                    <section data-testid="campaign" data-campaign=id.clone()>
                        <h3>{id.clone()}" · "{c.due.clone()}{c.closed_at.clone().map(|at| format!(" · closed {at}"))}</h3>
                        <p data-testid="review-overdue">{format!("{overdue} {}", state.t("rev.overdue"))}</p>
                        <button data-testid="review-close" on:click=move |_| report(state.control.act(state, |l, actor, at| l.close_review(&close_id, actor, at).map(|_| ())))>{state.t("rev.close")}</button>
                        <table>{items}</table>
                    </section>
                }
            })
            .collect_view()
    };
    view! {
        <div class="page" data-testid="page-reviews">
            <crate::components::sandbox_note::SandboxNote/>
            <section>
                <input prop:value=move || due.get() on:input=move |ev| due.set(event_target_value(&ev))/>
                <input data-testid="review-reviewer" placeholder=move || state.t("rev.named") on:input=move |ev| reviewer.set(event_target_value(&ev))/>
                <button data-testid="review-start" on:click=move |_| {
                    let due = due.get_untracked();
                    let named = reviewer.get_untracked();
                    let reviewers = if named.trim().is_empty() { Reviewers::Manager } else { Reviewers::Named(named.trim().to_owned()) };
                    report(state.control.act(state, |l, actor, at| l.start_review(actor, &due, &reviewers, at).map(|_| ())))
                }>{move || state.t("rev.start")}</button>
                {move || (!problems.get().is_empty()).then(|| view! { <Problems problems=problems.get()/> })}
            </section>
            {campaigns}
        </div>
    }
}
