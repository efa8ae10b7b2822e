//! A long list as a table a page at a time: a filter by any words (user,
//! object, action, record…), the page's rows, previous and next, and the
//! whole filtered list as a CSV download. Cells are sentences (names in
//! backticks show as code; the CSV has them plain); the logic lives in
//! `state::listing`.

use crate::components::sentence::Sentence;
use crate::components::table_head::TableHead;
use crate::state::AppState;
use crate::state::listing::{PAGE_ROWS, csv, csv_href, matching, page_range, pages};
use crate::state::sentence::plain;
use leptos::prelude::*;

/// The table, its filter and pager, and its CSV link.
#[component]
pub fn PagedTable(
    /// The columns' text keys (`state::i18n`), in order.
    keys: &'static [&'static str],
    /// The rows, one text cell per column.
    rows: Signal<Vec<Vec<String>>>,
    /// Prefix of the test ids; each row is `{testid}-row`.
    testid: &'static str,
    /// The CSV file's name.
    file: &'static str,
    /// A column whose cell each row also carries as `data-key` (what a
    /// test or a style picks rows by).
    #[prop(optional)]
    key_column: Option<usize>,
) -> impl IntoView {
    let state = AppState::get();
    let filter = RwSignal::new(String::new());
    let page = RwSignal::new(0_usize);
    let kept = Memo::new(move |_| rows.with(|r| matching(r, &filter.get())));
    let count = move || kept.with(Vec::len);
    let shown = move || {
        let range = page_range(count(), page.get());
        rows.with(|all| {
            kept.with(|kept| {
                kept[range]
                    .iter()
                    .map(|&i| {
                        let cells = all[i].iter().map(|c| view! { <td><Sentence text=c.clone()/></td> }).collect_view();
                        let key = key_column.and_then(|k| all[i].get(k).cloned());
                        view! { <tr data-testid=format!("{testid}-row") data-key=key>{cells}</tr> }
                    })
                    .collect_view()
            })
        })
    };
    let download = move || {
        let header: Vec<&str> = keys.iter().map(|&k| state.t(k)).collect();
        let text = rows.with(|all| kept.with(|kept| csv(&header, kept.iter().map(|&i| all[i].iter().map(|c| plain(c)).collect()))));
        csv_href(&text)
    };
    let on_last = move || page.get() + 1 >= pages(count());
    let status = move || {
        let (n, p) = (count(), page.get().min(pages(count()) - 1));
        format!(
            "{} {}–{} / {n} · {} {} / {}",
            state.t("list.rows"),
            if n == 0 { 0 } else { p * PAGE_ROWS + 1 },
            page_range(n, p).end,
            state.t("list.page"),
            p + 1,
            pages(n)
        )
    };
    view! {
        <div class="paged" data-testid=testid>
            <div class="form">
                <label>
                    {move || state.t("list.filter")}" "
                    <input type="search" data-testid=format!("{testid}-filter") prop:value=move || filter.get() on:input=move |ev| { filter.set(event_target_value(&ev)); page.set(0); }/>
                </label>
                <a data-testid=format!("{testid}-csv") download=file href=download>{move || state.t("list.csv")}</a>
            </div>
            <table>
                <TableHead keys/>
                <tbody>{shown}</tbody>
            </table>
            <nav class="pager" aria-label=move || state.t("list.pages")>
                <button data-testid=format!("{testid}-prev") disabled=move || page.get() == 0 on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>{move || state.t("list.prev")}</button>
                <span data-testid=format!("{testid}-status") aria-live="polite">{status}</span>
                <button data-testid=format!("{testid}-next") disabled=on_last on:click=move |_| page.update(|p| *p += 1)>{move || state.t("list.next")}</button>
            </nav>
        </div>
    }
}
