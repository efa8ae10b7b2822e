//! A horizontal bar chart of gained and lost access.

use leptos::prelude::*;

/// One bar per row: `(label, gained, lost)`.
#[component]
pub fn Bars(
    /// `(label, gained, lost)` per bar.
    rows: Vec<(String, usize, usize)>,
) -> impl IntoView {
    let max = rows.iter().map(|(_, g, l)| g.max(l)).copied().max().unwrap_or(1).max(1);
    let width = move |n: usize| format!("width: {}%", n * 100 / max);
    view! {
        <div class="bars" data-testid="chart">
            {rows
                .into_iter()
                .map(|(label, gained, lost)| {
                    view! {
                        <div class="bar-row">
                            <span class="bar-label">{label}</span>
                            <span class="bar gained" style=width(gained)>{format!("+{gained}")}</span>
                            <span class="bar lost" style=width(lost)>{format!("−{lost}")}</span>
                        </div>
                    }
                })
                .collect_view()}
        </div>
    }
}
