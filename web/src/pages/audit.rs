//! The audit log with its verified / broken badge.

use crate::state::AppState;
use crate::state::control::Badge;
use leptos::prelude::*;

/// The page.
#[component]
pub fn AuditPage() -> impl IntoView {
    let state = AppState::get();
    let badge = move || match state.control.badge.get() {
        Badge::Loading => view! { <span class="badge" data-testid="audit-badge" data-state="loading">"…"</span> }.into_any(),
        Badge::Verified => {
            view! { <span class="badge ok" data-testid="audit-badge" data-state="verified">{state.t("audit.verified")}</span> }.into_any()
        }
        Badge::Broken(why) => {
            view! { <span class="badge broken" data-testid="audit-badge" data-state="broken">{state.t("audit.broken")}": "{why}</span> }
                .into_any()
        }
    };
    let rows = move || {
        let entries = state.control.ledger.with(|l| l.as_ref().map(|l| l.audit.clone()).unwrap_or_default());
        entries
            .into_iter()
            .rev()
            .map(|e| {
                view! {
                    <tr data-testid="audit-entry" data-action=e.action.clone()>
                        <td>{e.seq}</td>
                        <td>{e.at.clone()}</td>
                        <td>{e.actor.clone()}</td>
                        <td>{e.action.clone()}</td>
                        <td><code>{e.subject[..e.subject.len().min(16)].to_owned()}</code></td>
                        <td><code>{e.hash[..12].to_owned()}</code></td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <div class="page" data-testid="page-audit">
            <section>
                <h2>{move || state.t("nav.audit")}" "{badge}</h2>
                <table>{rows}</table>
            </section>
        </div>
    }
}
