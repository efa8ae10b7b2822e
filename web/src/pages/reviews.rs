//! Access reviews: start a campaign, keep or revoke each item as its
//! reviewer, close it into a change request — on the server as the
//! signed-in admin (who judges every step), or in the sandbox as the acting
//! user.

use crate::components::problems::Problems;
use crate::components::table_head::TableHead;
use crate::state::AppState;
use crate::state::i18n;
use clearance_core::Problem;
use clearance_core::change::review::{Campaign, Grant, Reviewers, Verdict};
use leptos::prelude::*;

/// One step of a review, taken on the server or in the sandbox.
#[derive(Clone)]
enum Act {
    Start { due: String, reviewer: Option<String> },
    Decide { campaign: String, item: u32, verdict: Verdict },
    Close { campaign: String },
}

/// Takes `act` where the page runs: on the server (then reads the
/// campaigns again), or in the sandbox's ledger as the acting user.
fn take(state: AppState, act: Act, campaigns: RwSignal<Vec<Campaign>>, problems: RwSignal<Vec<Problem>>) {
    if !state.on_server() {
        let result = state.control.act(state, |ledger, actor, at| match &act {
            Act::Start { due, reviewer } => {
                let reviewers = reviewer.clone().map_or(Reviewers::Manager, Reviewers::Named);
                ledger.start_review(actor, due, &reviewers, at).map(|_| ())
            }
            Act::Decide { campaign, item, verdict } => ledger.decide(campaign, *item, *verdict, actor, "", at),
            Act::Close { campaign } => ledger.close_review(campaign, actor, at).map(|_| ()),
        });
        problems.set(result.err().map(|e| e.into_problems()).unwrap_or_default());
        return;
    }
    leptos::task::spawn_local(async move {
        let server = state.server;
        let result = match &act {
            Act::Start { due, reviewer } => server.start_review(due, reviewer.as_deref()).await,
            Act::Decide { campaign, item, verdict } => server.decide_item(campaign, *item, *verdict).await,
            Act::Close { campaign } => server.close_review(state, campaign).await,
        };
        problems.set(result.err().unwrap_or_default());
        load(state, campaigns, problems).await;
    });
}

/// Reads the server's campaigns into `campaigns`.
async fn load(state: AppState, campaigns: RwSignal<Vec<Campaign>>, problems: RwSignal<Vec<Problem>>) {
    match state.server.campaigns().await {
        Ok(list) => campaigns.set(list),
        Err(refused) => problems.set(refused),
    }
}

/// Why the signed-in admin may not take a step (code, reason in the page's
/// language), by the campaign's own rules; `None` in the sandbox, whose
/// refusals show on click, or when the rules allow it.
fn refusal(state: AppState, rule: impl FnOnce(&str) -> Result<(), clearance_core::Error>) -> Option<(String, String)> {
    let actor = state.server.mode.with(|m| m.session().map(|s| s.user.clone()))?;
    i18n::refusal_of(state.lang.get(), &rule(&actor).err()?)
}

/// The text key of a grant under review.
fn grant_key(grant: Grant) -> &'static str {
    match grant {
        Grant::Profile => "rev.grant_profile",
        Grant::PermissionSet => "rev.grant_permission_set",
        Grant::Group => "rev.grant_group",
    }
}

/// The page.
#[component]
pub fn ReviewsPage() -> impl IntoView {
    let state = AppState::get();
    let problems = RwSignal::new(Vec::<Problem>::new());
    let campaigns = RwSignal::new(Vec::<Campaign>::new());
    let due = RwSignal::new("2026-12-31T00:00:00Z".to_owned());
    let reviewer = RwSignal::new(String::new());
    if state.on_server() {
        leptos::task::spawn_local(load(state, campaigns, problems));
    } else {
        Effect::new(move |_| campaigns.set(state.control.ledger.with(|l| l.as_ref().map(|l| l.campaigns.clone()).unwrap_or_default())));
    }
    let act = move |act: Act| take(state, act, campaigns, problems);
    let start = move |_| {
        let named = reviewer.get_untracked().trim().to_owned();
        act(Act::Start { due: due.get_untracked(), reviewer: (!named.is_empty()).then_some(named) });
    };
    view! {
        <div class="page" data-testid="page-reviews">
            <section>
                <label>{move || state.t("rev.due")}" "<input data-testid="review-due" prop:value=move || due.get() on:input=move |ev| due.set(event_target_value(&ev))/></label>
                <label>{move || state.t("rev.named")}" "<input data-testid="review-reviewer" on:input=move |ev| reviewer.set(event_target_value(&ev))/></label>
                <button data-testid="review-start" on:click=start>{move || state.t("rev.start")}</button>
                {move || (!problems.get().is_empty()).then(|| view! { <Problems problems=problems.get()/> })}
            </section>
            {move || campaigns.get().into_iter().rev().map(|campaign| view! { <CampaignView campaign act/> }).collect_view()}
        </div>
    }
}

/// One campaign: its items with their verdicts and steps, and closing it.
#[component]
fn CampaignView(campaign: Campaign, act: impl Fn(Act) + Copy + Send + Sync + 'static) -> impl IntoView {
    let state = AppState::get();
    let id = campaign.id.clone();
    let items = campaign
        .items
        .iter()
        .map(|item| {
            let n = item.id;
            let step = |verdict: Verdict, testid: &'static str, key: &'static str| {
                let (code, reason) = refusal(state, |actor| campaign.may_decide(n, actor)).unzip();
                let decide = Act::Decide { campaign: id.clone(), item: n, verdict };
                view! {
                    <button data-testid=testid disabled=code.is_some() data-refusal=code title=reason on:click=move |_| act(decide.clone())>
                        {move || state.t(key)}
                    </button>
                }
            };
            let verdict = item.verdict.map(|v| if v == Verdict::Keep { "rev.keep" } else { "rev.revoke" });
            let grant = grant_key(item.grant);
            view! {
                <tr data-testid="review-item" data-user=item.user.clone() data-value=item.value.clone() data-item=n>
                    <td>{item.reviewer.clone()}</td>
                    <td>{item.user.clone()}</td>
                    <td>{move || state.t(grant)}" "<code>{item.value.clone()}</code></td>
                    <td data-testid="review-verdict">{move || verdict.map(|key| state.t(key))}</td>
                    <td>{step(Verdict::Keep, "review-keep", "rev.keep")}{step(Verdict::Revoke, "review-revoke", "rev.revoke")}</td>
                </tr>
            }
        })
        .collect_view();
    let overdue = campaign.overdue(&crate::state::control::now()).len();
    let (code, reason) = refusal(state, |actor| campaign.may_close(actor)).unzip();
    let close = Act::Close { campaign: id.clone() };
    let closed_at = campaign.closed_at.clone();
    let closed = move || closed_at.clone().map(|at| format!(" · {} {at}", state.t("rev.closed")));
    view! {
        <section data-testid="campaign" data-campaign=id.clone() data-closed=if campaign.closed_at.is_some() { "true" } else { "false" }>
            <h3>{id.clone()}" · "{campaign.due.clone()}{closed}</h3>
            <p data-testid="review-overdue">{move || format!("{overdue} {}", state.t("rev.overdue"))}</p>
            <button data-testid="review-close" disabled=code.is_some() data-refusal=code title=reason on:click=move |_| act(close.clone())>
                {move || state.t("rev.close")}
            </button>
            <table>
                <TableHead keys=&["rev.col_reviewer", "rev.col_user", "rev.col_access", "rev.col_verdict", "rev.col_steps"]/>
                <tbody>{items}</tbody>
            </table>
        </section>
    }
}
