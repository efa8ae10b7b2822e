//! The effect of the staged edits: who gains and loses what, by object and
//! action, and every change as a paged, filterable list with a CSV
//! download. On the large org the diff comes from the Web Worker, asked
//! again after every staged edit.

use crate::components::bars::Bars;
use crate::components::paged_table::PagedTable;
use crate::components::problems::Problems;
use crate::state::AppState;
use crate::state::change_rows::{COLUMNS, change_rows};
use crate::state::model::simulate;
use crate::state::worker::Reply;
use clearance_core::diff::{ChangeKind, Diff};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// What the staged edits do (who gains and loses what), for the demo org or the large one.
#[component]
pub fn Outcome() -> impl IntoView {
    let state = AppState::get();
    Effect::new(move |_| {
        let (large, staged) = state.model.with(|m| (m.large, m.staged.clone()));
        if let Some(records) = large {
            state.large.ask(records, staged);
        }
    });
    move || {
        if state.model.with(|m| m.large.is_some()) {
            return view! { <LargeEffect/> }.into_any();
        }
        match simulate(&state.model.get()) {
            Ok(diff) => view! { <SmallEffect diff/> }.into_any(),
            Err(e) => view! { <Problems problems=e.into_problems()/> }.into_any(),
        }
    }
}

/// Gained and lost counts.
fn totals(gained: usize, lost: usize) -> impl IntoView {
    let state = AppState::get();
    view! {
        <p>
            <span data-testid="diff-gained">{gained}</span>" "{state.t("sim.gained")}", "
            <span data-testid="diff-lost">{lost}</span>" "{state.t("sim.lost")}
        </p>
    }
}

/// The demo org's effect, computed on the page.
#[component]
fn SmallEffect(diff: Diff) -> impl IntoView {
    let state = AppState::get();
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
    let object_of = |record: &str| objects.get(record).cloned().unwrap_or_default();
    let mut by_slot: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for change in &diff.changes {
        let slot = by_slot.entry(format!("{} · {}", object_of(&change.record), change.action)).or_default();
        match change.change {
            ChangeKind::Gained => slot.0 += 1,
            ChangeKind::Lost => slot.1 += 1,
        }
    }
    let bars: Vec<(String, usize, usize)> = by_slot.into_iter().map(|(k, (g, l))| (k, g, l)).collect();
    let changes = diff.changes;
    let rows = Signal::derive(move || change_rows(&changes, &objects, state.t("sim.gained"), state.t("sim.lost")));
    view! {
        <section data-testid="effect">
            <h2>{state.t("sim.effect")}</h2>
            {totals(diff.summary.total.gained, diff.summary.total.lost)}
            <h3>{state.t("sim.by_object")}</h3>
            <Bars rows=bars/>
            <h3>{state.t("sim.changes")}</h3>
            <PagedTable keys=COLUMNS rows testid="changes" file="changes.csv"/>
        </section>
    }
}

/// The large org's effect, from the Web Worker: its progress, then the counts and the first changes.
#[component]
fn LargeEffect() -> impl IntoView {
    let state = AppState::get();
    let progress =
        move || {
            state.large.progress.get().map(
                |(step, done, total)| view! { <p data-testid="large-progress"><progress max=total value=done></progress>" "{step}</p> },
            )
        };
    let reply = move || match state.large.reply.get() {
        Some(Reply::Result { summary, changes, diff_ms, .. }) => {
            let rows = Signal::derive(move || change_rows(&changes, &BTreeMap::new(), state.t("sim.gained"), state.t("sim.lost")));
            view! {
                {totals(summary.total.gained, summary.total.lost)}
                <p class="hint" data-testid="large-diff-ms">{format!("{diff_ms:.0} ms")}</p>
                <PagedTable keys=COLUMNS rows testid="changes" file="changes.csv"/>
            }
            .into_any()
        }
        Some(Reply::Failed { problems, .. }) => view! { <Problems problems=problems/> }.into_any(),
        _ => ().into_any(),
    };
    view! { <section data-testid="effect"><h2>{state.t("sim.effect")}</h2>{progress}{reply}</section> }
}
