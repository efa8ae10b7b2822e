//! Activity: the decision logs — on a server the fleet's, shipped by its
//! edges and analyzed there; in the sandbox imported files — as a timeline,
//! the busiest users and objects, and the findings with their evidence;
//! turn a finding into a change request.

use crate::components::problems::Problems;
use crate::components::sentence::Sentence;
use crate::state::AppState;
use crate::state::activity::{self, Log};
use clearance_core::Lang;
use clearance_core::activity::{DayTally, Finding, NamedTally, Report};
use clearance_core::change::summarize;
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsCast;

/// The timeline: one bar per day, the denied part in red.
fn timeline(days: &[DayTally]) -> impl IntoView + use<> {
    let max = days.iter().map(|d| d.tally.events).max().unwrap_or(1).max(1) as f64;
    let width = (days.len().max(1) * 14) as f64;
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let x = (i * 14) as f64;
            let h = d.tally.events as f64 / max * 100.0;
            let hd = d.tally.denied as f64 / max * 100.0;
            let title = format!("{}: {} / {}", d.day, d.tally.events, d.tally.denied);
            view! {
                <g data-testid="timeline-day" data-day=d.day.clone() data-events=d.tally.events>
                    <title>{title}</title>
                    <rect x=x y=100.0 - h width=11 height=h class="day"></rect>
                    <rect x=x y=100.0 - hd width=11 height=hd class="denied"></rect>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="timeline" data-testid="activity-timeline" viewBox=format!("0 0 {width} 100") preserveAspectRatio="none">
            {bars}
        </svg>
    }
}

fn tallies(rows: &[NamedTally], id: &'static str) -> impl IntoView + use<> {
    let rows =
        rows.iter().map(|r| view! { <tr><td>{r.name.clone()}</td><td>{r.tally.events}</td><td>{r.tally.denied}</td></tr> }).collect_view();
    view! { <table data-testid=id>{rows}</table> }
}

/// The page.
#[component]
pub fn ActivityPage() -> impl IntoView {
    let state = AppState::get();
    let local = activity::report(state);
    let fleet = RwSignal::new(Arc::new(activity::analyze(None, &[])));
    let on_server = state.on_server();
    let report = Signal::derive(move || if on_server { fleet.get() } else { local.get() });
    let problems = RwSignal::new(Vec::<clearance_core::Problem>::new());
    let proposed = RwSignal::new(None::<String>);
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let Some(files) = input.files() else { return };
        for i in 0..files.length() {
            let Some(file) = files.get(i) else { continue };
            leptos::task::spawn_local(async move {
                let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|v| v.as_string()).unwrap_or_default();
                state.activity.add(Log { name: file.name(), text });
            });
        }
    };
    let demo = move |_| {
        let compiled = state.compiled.get_untracked();
        if let Ok(c) = compiled.0.as_ref() {
            state.activity.add(activity::demo_month(&c.current, &c.current_records));
        }
    };
    let analyze_fleet = move |_| {
        leptos::task::spawn_local(async move {
            match state.server.analyze_fleet().await {
                Ok(report) => {
                    problems.set(Vec::new());
                    fleet.set(Arc::new(report));
                }
                Err(refused) => problems.set(refused),
            }
        });
    };
    let react = move |finding: Finding| {
        let comment = format!("reaction to {}: {}", finding.id, finding.message.en);
        if on_server {
            leptos::task::spawn_local(async move {
                match state.server.propose_changes(&finding.changes, &comment).await {
                    Ok(id) => {
                        problems.set(Vec::new());
                        proposed.set(Some(id));
                        state.server.refresh(state).await;
                    }
                    Err(refused) => problems.set(refused),
                }
            });
            return;
        }
        let result = state.control.act(state, |ledger, actor, at| ledger.propose(actor, finding.changes.clone(), &comment, at));
        match result {
            Ok(id) => {
                problems.set(Vec::new());
                proposed.set(Some(id));
            }
            Err(error) => problems.set(error.into_problems()),
        }
    };
    let summary = move || summary_line(state, &report.get(), on_server);
    let skipped = move || {
        report
            .get()
            .skipped
            .iter()
            .map(|p| view! { <li data-testid="activity-skipped" data-line=p.line>{format!("{}:{}: {}: {}", p.source, p.line, p.code, p.message)}</li> })
            .collect_view()
    };
    view! {
        <div class="page" data-testid="page-activity">
            <section>
                <h2>{move || state.t("nav.activity")}</h2>
                {if on_server {
                    view! { <button data-testid="activity-fleet" on:click=analyze_fleet>{move || state.t("act.analyze_fleet")}</button> }.into_any()
                } else {
                    view! {
                        <label>{move || state.t("act.import")}" "<input type="file" multiple accept=".jsonl,.json,.log,text/plain" data-testid="activity-import" on:change=on_file/></label>
                        " "
                        <button data-testid="activity-demo" on:click=demo>{move || state.t("act.demo")}</button>
                        " "
                        <button data-testid="activity-clear" on:click=move |_| state.activity.clear()>{move || state.t("act.clear")}</button>
                    }.into_any()
                }}
                <p data-testid="activity-summary">{summary}</p>
                <ul>{skipped}</ul>
                {move || view! { <Problems problems=problems.get()/> }}
                {move || proposed.get().map(|id| view! { <p data-testid="activity-proposed">{state.t("act.proposed")}" "<code>{id}</code></p> })}
            </section>
            <section>
                <h3>{move || state.t("act.timeline")}</h3>
                {move || timeline(&report.get().timeline)}
            </section>
            <section class="columns">
                <div><h3>{move || state.t("act.top_users")}</h3>{move || tallies(&report.get().top_users, "top-users")}</div>
                <div><h3>{move || state.t("act.top_objects")}</h3>{move || tallies(&report.get().top_objects, "top-objects")}</div>
            </section>
            <section>
                <h3>{move || state.t("act.findings")}" ("{move || report.get().findings.len()}")"</h3>
                <FindingsTable report react/>
            </section>
        </div>
    }
}

/// The findings, most severe first, each with its evidence and reaction.
#[component]
fn FindingsTable(report: Signal<Arc<Report>>, react: impl Fn(Finding) + Copy + Send + Sync + 'static) -> impl IntoView {
    let state = AppState::get();
    move || {
        let lang = state.lang.get();
        let r = report.get();
        if r.findings.is_empty() {
            return view! { <p class="hint" data-testid="no-findings">{state.t("act.none")}</p> }.into_any();
        }
        let rows = r
            .findings
            .iter()
            .map(|f| {
                let message = if lang == Lang::Zh { f.message.zh.clone() } else { f.message.en.clone() };
                let evidence = f.events.iter().map(|e| format!("{}:{}", e.source, e.line)).collect::<Vec<_>>().join(", ");
                let finding = f.clone();
                let reacts = !f.changes.is_empty();
                view! {
                    <tr data-testid="finding" data-kind=f.kind.as_str() data-user=f.user.clone() data-severity=f.severity.as_str()>
                        <td><span class=format!("badge {}", f.severity.as_str())>{f.severity.as_str()}</span></td>
                        <td><Sentence text=message/></td>
                        <td>{format!("{} – {}", f.from, f.to)}</td>
                        <td><code>{evidence}</code></td>
                        <td><Sentence text=summarize(&f.changes, lang).join("; ")/></td>
                        <td>
                            {reacts.then(|| view! {
                                <button data-testid="finding-react" on:click=move |_| react(finding.clone())>{state.t("act.react")}</button>
                            })}
                        </td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table data-testid="findings">
                <tr><th>{state.t("act.severity")}</th><th></th><th>{state.t("act.window")}</th><th>{state.t("act.evidence")}</th><th>{state.t("act.reaction")}</th><th></th></tr>
                {rows}
            </table>
        }
        .into_any()
    }
}

/// What was analyzed: whose logs, how many events and users, the span, the lines skipped.
fn summary_line(state: AppState, r: &Report, on_server: bool) -> String {
    let logs = if on_server {
        state.t("act.fleet_logs").to_owned()
    } else {
        format!("{} {}", state.activity.logs.with(Vec::len), state.t("act.logs"))
    };
    format!(
        "{logs} · {} {} · {} {} · {} – {} · {} {}",
        r.events,
        state.t("act.events"),
        r.users,
        state.t("act.users"),
        r.from.as_deref().unwrap_or("–"),
        r.to.as_deref().unwrap_or("–"),
        r.skipped_count,
        state.t("act.skipped"),
    )
}
