//! The audit log with its verified / broken badge: the sandbox's ledger
//! in IndexedDB, or the server's log judged here against the checkpoint it
//! signs and the one this browser kept from its last visit.

use crate::components::paged_table::PagedTable;
use crate::components::problems::Problems;
use crate::state::AppState;
use crate::state::control::Badge;
use clearance_core::audit::Entry;
use clearance_core::checkpoint::Checkpoint;
use leptos::prelude::*;

/// Where this browser keeps the newest checkpoint it verified.
const KEPT: &str = "clearance.checkpoint";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The page.
#[component]
pub fn AuditPage() -> impl IntoView {
    let state = AppState::get();
    let entries = RwSignal::new(Vec::<Entry>::new());
    let badge = RwSignal::new(Badge::Loading);
    let checkpoint = RwSignal::new(None::<Checkpoint>);
    let problems = RwSignal::new(Vec::new());
    if state.on_server() {
        leptos::task::spawn_local(async move {
            match state.server.audit().await {
                Ok((log, signed)) => {
                    let kept = storage().and_then(|s| s.get_item(KEPT).ok().flatten()).and_then(|t| serde_json::from_str(&t).ok());
                    let judged = crate::state::trail::judge(&log.entries, log.head.as_deref(), &signed, kept.as_ref());
                    // A broken log keeps the checkpoint that caught it.
                    if judged.is_ok()
                        && let (Some(s), Ok(text)) =
                            (storage(), serde_json::to_string(&crate::state::trail::to_keep(&signed, kept.as_ref())))
                    {
                        let _ = s.set_item(KEPT, &text);
                    }
                    badge.set(judged.map_or_else(|p| Badge::Broken(format!("{}: {}", p.code, p.message)), |()| Badge::Verified));
                    entries.set(log.entries);
                    checkpoint.set(Some(signed));
                }
                Err(refused) => problems.set(refused),
            }
        });
    } else {
        Effect::new(move |_| {
            badge.set(state.control.badge.get());
            entries.set(state.control.ledger.with(|l| l.as_ref().map(|l| l.audit.clone()).unwrap_or_default()));
        });
    }
    let shown = move || match badge.get() {
        Badge::Loading => view! { <span class="badge" data-testid="audit-badge" data-state="loading">"…"</span> }.into_any(),
        Badge::Verified => {
            view! { <span class="badge ok" data-testid="audit-badge" data-state="verified">{state.t("audit.verified")}</span> }.into_any()
        }
        Badge::Broken(why) => {
            view! { <span class="badge broken" data-testid="audit-badge" data-state="broken">{state.t("audit.broken")}": "{why}</span> }
                .into_any()
        }
    };
    let signed = move || {
        checkpoint.get().map(|c| {
            view! {
                <p class="hint" data-testid="audit-checkpoint" data-seq=c.seq>
                    {format!("{} {} · {} · ", state.t("audit.checkpoint"), c.seq, c.at)}
                    {state.t("audit.key")}" "<code>{c.key[..16.min(c.key.len())].to_owned()}</code>
                </p>
            }
        })
    };
    // Newest first; the subject and the entry's hash as the log holds them.
    let rows = Signal::derive(move || {
        entries.with(|all| {
            all.iter()
                .rev()
                .map(|e| vec![e.seq.to_string(), e.at.clone(), e.actor.clone(), e.action.clone(), e.subject.clone(), e.hash.clone()])
                .collect()
        })
    });
    view! {
        <div class="page" data-testid="page-audit">
            <section>
                <h2>{move || state.t("nav.audit")}" "{shown}</h2>
                {signed}
                {move || (!problems.get().is_empty()).then(|| view! { <Problems problems=problems.get()/> })}
                <PagedTable
                    keys=&["req.col_seq", "req.col_when", "req.col_who", "req.col_what", "audit.subject", "audit.hash"]
                    rows
                    testid="audit-entry"
                    file="audit-log.csv"
                    key_column=3
                />
            </section>
        </div>
    }
}
