//! Long lists a page shows a page at a time: the rows a filter keeps, the
//! page of them on screen, and the whole filtered list as CSV for a
//! spreadsheet. Outside the components, so it is tested natively.

/// Rows shown at once.
pub const PAGE_ROWS: usize = 50;

/// The rows whose cells contain every word of `filter` (case-insensitive,
/// each word in some cell), by index.
pub fn matching(rows: &[Vec<String>], filter: &str) -> Vec<usize> {
    let words: Vec<String> = filter.split_whitespace().map(str::to_lowercase).collect();
    rows.iter()
        .enumerate()
        .filter(|(_, row)| words.iter().all(|w| row.iter().any(|cell| cell.to_lowercase().contains(w.as_str()))))
        .map(|(i, _)| i)
        .collect()
}

/// The pages `count` rows fill (at least one, so an empty list has page 1 of 1).
pub fn pages(count: usize) -> usize {
    count.div_ceil(PAGE_ROWS).max(1)
}

/// The range of positions on page `page` (0-based, clamped to the last page).
pub fn page_range(count: usize, page: usize) -> std::ops::Range<usize> {
    let page = page.min(pages(count) - 1);
    let start = page * PAGE_ROWS;
    start..(start + PAGE_ROWS).min(count)
}

/// RFC 4180 CSV: a header line, then one line per row; a cell with a comma,
/// quote or line break is quoted, its quotes doubled. A cell starting with
/// `=`, `+`, `-` or `@` gets a leading `'`, so a spreadsheet never runs an
/// id as a formula.
pub fn csv(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    fn cell(text: &str) -> String {
        let text = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_owned() };
        if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
    }
    let mut out = header.iter().map(|h| cell(h)).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    for row in rows {
        out.push_str(&row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// A `data:` URL a download link can point at (percent-encoded as an address's parts are).
pub fn csv_href(text: &str) -> String {
    format!("data:text/csv;charset=utf-8,{}", super::route::encode(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize) -> Vec<Vec<String>> {
        (0..n).map(|i| vec![format!("user_{i}"), if i % 2 == 0 { "read".into() } else { "Edit".into() }]).collect()
    }

    #[test]
    fn a_filter_keeps_rows_with_every_word_in_some_cell() {
        let list = rows(12);
        assert_eq!(matching(&list, "").len(), 12);
        assert_eq!(matching(&list, "edit"), vec![1, 3, 5, 7, 9, 11]);
        assert_eq!(matching(&list, "user_1 EDIT"), vec![1, 11]);
        assert_eq!(matching(&list, "user_1 nothing"), Vec::<usize>::new());
    }

    #[test]
    fn pages_cover_every_row_once_and_clamp() {
        assert_eq!((pages(0), pages(1), pages(PAGE_ROWS), pages(PAGE_ROWS + 1)), (1, 1, 1, 2));
        assert_eq!(page_range(0, 0), 0..0);
        assert_eq!(page_range(120, 1), 50..100);
        assert_eq!(page_range(120, 2), 100..120);
        assert_eq!(page_range(120, 9), 100..120);
    }

    #[test]
    fn csv_quotes_what_needs_it_and_defuses_formulas() {
        let text = csv(&["user", "note"], [vec!["a,b".to_owned(), "say \"hi\"".to_owned()], vec!["=1+1".to_owned(), "x".to_owned()]]);
        assert_eq!(text, "user,note\r\n\"a,b\",\"say \"\"hi\"\"\"\r\n'=1+1,x\r\n");
    }

    #[test]
    fn a_csv_link_escapes_everything_but_plain_characters() {
        assert_eq!(csv_href("a b,中\r\n"), "data:text/csv;charset=utf-8,a%20b%2C%E4%B8%AD%0D%0A");
    }
}
