//! Who gains and loses what by a change request (`state::requests::preview`):
//! from the version it was drafted against to the version its apply made,
//! or, before that, to its changes applied there. `+gained / −lost`, and
//! with `full` the changes themselves as a paged, filterable table with a
//! CSV download. The large org's diff is the Simulate page's.

use crate::components::paged_table::PagedTable;
use crate::state::AppState;
use crate::state::change_rows::{COLUMNS, change_rows, objects_of};
use crate::state::previews::{self, Previews};
use crate::state::requests::preview;
use crate::state::versions::policy_of;
use clearance_core::change::request::ChangeRequest;
use clearance_core::diff::Diff;
use leptos::prelude::*;
use std::cell::RefCell;

thread_local! {
    /// Previews already computed on this page load.
    static PREVIEWS: RefCell<Previews> = RefCell::new(Previews::default());
}

/// The preview: the one computed before from the same versions, changes
/// and records, or computed once its versions are at hand (and kept).
async fn computed(state: AppState, request: &ChangeRequest) -> Option<Diff> {
    let key = previews::key(request);
    // A kept preview is found without copying the records (a copy only to compute).
    if let Some(kept) = state.model.with_untracked(|m| PREVIEWS.with(|p| p.borrow().get(&key, &m.records))) {
        return Some(kept);
    }
    let records = state.model.with_untracked(|m| m.records.clone());
    let base = policy_of(state, &request.base).await.ok()?;
    let applied = match &request.applied_version {
        Some(hash) => Some(policy_of(state, hash).await.ok()?),
        None => None,
    };
    let diff = preview(&base, applied.as_deref(), &request.changes, &records).ok()?;
    PREVIEWS.with(|p| p.borrow_mut().put(key, &records, diff.clone()));
    Some(diff)
}

/// The counts, and with `full` the changes.
#[component]
pub fn RequestPreview(
    /// The request.
    request: ChangeRequest,
    /// Whether the changes are listed too.
    #[prop(optional)]
    full: bool,
) -> impl IntoView {
    let state = AppState::get();
    let shown = RwSignal::new(None::<Option<Diff>>);
    // The large org's records live in its worker: its preview is the Simulate page's.
    let large = state.model.with_untracked(|m| m.large.is_some());
    if large {
        shown.set(Some(None));
    } else {
        leptos::task::spawn_local(async move { shown.set(Some(computed(state, &request).await)) });
    }
    let counts = move || match shown.get() {
        None => "…".to_owned(),
        Some(None) => "—".to_owned(),
        Some(Some(d)) => format!("+{} / −{}", d.summary.total.gained, d.summary.total.lost),
    };
    let changes = move || {
        let diff = shown.get().flatten().filter(|_| full)?;
        // Gained and lost in the page's language (the CSV too).
        let objects = state.model.with_untracked(|m| objects_of(&m.records));
        let changes = diff.changes;
        let listed = Signal::derive(move || change_rows(&changes, &objects, state.t("sim.gained"), state.t("sim.lost")));
        Some(view! {
            <PagedTable keys=COLUMNS rows=listed testid="request-change" file="request-changes.csv"/>
        })
    };
    let why = move || large.then(|| state.t("req.preview_large"));
    view! {
        <span data-testid="request-diff" title=why>{counts}</span>
        {move || (large && full).then(|| view! { <p class="hint" data-testid="request-diff-large">{why}</p> })}
        {changes}
    }
}
