//! Addresses: one per page (`/org`, `/permissions`, …) and per thing shown
//! (`/who?user=bob&record=acc_1&action=read`, `/versions/3..5`), so
//! Back and Forward move between views and a copied link opens the same
//! one. Parsing and writing addresses is plain logic, tested natively; the
//! browser's history is reached in `history` (wasm only).

use super::Page;

/// Where the app is: a page and the things it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The page.
    pub page: Page,
    /// The query's pairs, in order (`user`, `record`, `action`, …).
    pub query: Vec<(String, String)>,
}

const SLUGS: [(Page, &str); 13] = [
    (Page::Who, "who"),
    (Page::Simulate, "simulate"),
    (Page::Org, "org"),
    (Page::Permissions, "permissions"),
    (Page::Lint, "lint"),
    (Page::Data, "data"),
    (Page::Requests, "requests"),
    (Page::Versions, "versions"),
    (Page::Audit, "audit"),
    (Page::Reviews, "reviews"),
    (Page::Activity, "activity"),
    (Page::Account, "account"),
    (Page::Fleet, "fleet"),
];

impl Page {
    /// The page's path segment.
    pub fn slug(self) -> &'static str {
        SLUGS.iter().find(|(p, _)| *p == self).map_or("who", |(_, s)| s)
    }

    /// The page a path segment names.
    pub fn from_slug(slug: &str) -> Option<Page> {
        SLUGS.iter().find(|(_, s)| *s == slug).map(|(p, _)| *p)
    }
}

impl Route {
    /// A page with nothing picked.
    pub fn page(page: Page) -> Route {
        Route { page, query: Vec::new() }
    }

    /// The route an address names (`path` as `/org`, `search` as `?a=b` or
    /// empty). An address naming no page opens the first one; a second
    /// segment (`/requests/R7`) is the query's `id`, and a range
    /// (`/versions/3..5`) its `from` and `to`.
    pub fn parse(path: &str, search: &str) -> Route {
        let mut segments = path.trim_matches('/').split('/').filter(|s| !s.is_empty());
        let page = segments.next().and_then(Page::from_slug).unwrap_or(Page::Who);
        let mut query: Vec<(String, String)> = search
            .trim_start_matches('?')
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (decode(key), decode(value))
            })
            .filter(|(key, _)| !key.is_empty())
            .collect();
        if let Some(id) = segments.next() {
            let id = decode(id);
            match id.split_once("..") {
                Some((from, to)) if !from.is_empty() && !to.is_empty() => {
                    query.retain(|(key, _)| key != "from" && key != "to");
                    query.splice(0..0, [("from".to_owned(), from.to_owned()), ("to".to_owned(), to.to_owned())]);
                }
                _ => query.insert(0, ("id".to_owned(), id)),
            }
        }
        Route { page, query }
    }

    /// The address: `/page` (then `/id` when the route names one thing,
    /// `/from..to` when it names two) and the other non-empty pairs as a query.
    pub fn address(&self) -> String {
        let (id, from, to) = (self.get("id"), self.get("from"), self.get("to"));
        // A range reads back only when neither end has a dot of its own.
        let range = id.is_empty() && [&from, &to].iter().all(|end| !end.is_empty() && !end.contains('.'));
        let in_path = |key: &str| key == "id" || (range && (key == "from" || key == "to"));
        let pairs: Vec<String> =
            self.query.iter().filter(|(k, v)| !v.is_empty() && !in_path(k)).map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
        let path = match (id.is_empty(), range) {
            (false, _) => format!("/{}/{}", self.page.slug(), encode(&id)),
            (true, true) => format!("/{}/{}..{}", self.page.slug(), encode(&from), encode(&to)),
            (true, false) => format!("/{}", self.page.slug()),
        };
        if pairs.is_empty() { path } else { format!("{path}?{}", pairs.join("&")) }
    }

    /// The value of `key`, or empty.
    pub fn get(&self, key: &str) -> String {
        self.query.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// This route with `key` set to `value` (removed when empty), others kept in order.
    pub fn with(&self, key: &str, value: &str) -> Route {
        let mut query: Vec<(String, String)> = self.query.iter().filter(|(k, _)| k != key).cloned().collect();
        if !value.is_empty() {
            let at = self.query.iter().position(|(k, _)| k == key).unwrap_or(query.len()).min(query.len());
            query.insert(at, (key.to_owned(), value.to_owned()));
        }
        Route { page: self.page, query }
    }
}

/// Percent-encodes all but unreserved characters (RFC 3986).
pub(crate) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes percent escapes and `+` (a malformed escape is kept as typed).
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|&b| char::from(b).to_digit(16));
        match bytes[i] {
            b'%' if hex(i + 1).is_some() && hex(i + 2).is_some() => {
                out.push(u8::try_from(hex(i + 1).unwrap_or(0) * 16 + hex(i + 2).unwrap_or(0)).unwrap_or(b'?'));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The browser's address bar and history.
#[cfg(target_arch = "wasm32")]
pub mod history {
    use super::Route;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    /// The route the address bar shows.
    pub fn current() -> Route {
        let Some(location) = web_sys::window().map(|w| w.location()) else { return Route::page(super::Page::Who) };
        Route::parse(&location.pathname().unwrap_or_default(), &location.search().unwrap_or_default())
    }

    fn write(route: &Route, push: bool) {
        let Some(history) = web_sys::window().and_then(|w| w.history().ok()) else { return };
        let address = route.address();
        let _ = if push {
            history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&address))
        } else {
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&address))
        };
    }

    /// A new entry (Back returns to the current one).
    pub fn push(route: &Route) {
        write(route, true);
    }

    /// The current entry, changed in place (picking a user is not a step Back undoes).
    pub fn replace(route: &Route) {
        write(route, false);
    }

    /// Calls `moved` with the route after every Back or Forward.
    pub fn on_move(moved: impl Fn(Route) + 'static) {
        let Some(window) = web_sys::window() else { return };
        let listener = Closure::<dyn Fn()>::new(move || moved(current()));
        let _ = window.add_event_listener_with_callback("popstate", listener.as_ref().unchecked_ref());
        // The app lives as long as the page: the listener with it.
        listener.forget();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_has_its_own_address_and_reads_back() {
        for (page, _) in SLUGS {
            let route = Route::page(page);
            assert_eq!(Route::parse(&route.address(), ""), route);
        }
        assert_eq!(Route::parse("/", "").page, Page::Who);
        assert_eq!(Route::parse("/no-such-page", "?x=1").page, Page::Who);
    }

    #[test]
    fn a_view_round_trips_through_its_address_names_and_all() {
        let route = Route::page(Page::Who).with("user", "bob li").with("record", "acc/1&2").with("action", "read");
        let address = route.address();
        assert_eq!(address, "/who?user=bob%20li&record=acc%2F1%262&action=read");
        let (path, search) = address.split_once('?').unwrap();
        assert_eq!(Route::parse(path, &format!("?{search}")), route);
        assert_eq!(Route::parse("/who", "?user=%E5%BC%A0%E4%B8%89").get("user"), "张三");
    }

    #[test]
    fn setting_keeps_order_and_an_empty_value_removes() {
        let route = Route::page(Page::Who).with("user", "a").with("record", "r");
        assert_eq!(route.with("user", "b").query, vec![("user".into(), "b".into()), ("record".into(), "r".into())]);
        assert_eq!(route.with("user", "").address(), "/who?record=r");
        assert_eq!(route.get("nothing"), "");
    }

    #[test]
    fn a_second_segment_is_the_id_and_bad_escapes_survive() {
        let route = Route::parse("/requests/R7/", "");
        assert_eq!((route.page, route.get("id")), (Page::Requests, "R7".to_owned()));
        assert_eq!(route.address(), "/requests/R7");
        assert_eq!(Route::page(Page::Requests).with("id", "R 8").with("state", "open").address(), "/requests/R%208?state=open");
        assert_eq!(Route::parse("/who", "?user=50%&x=%zz+y").query, vec![("user".into(), "50%".into()), ("x".into(), "%zz y".into())]);
        // Half an escape is kept as typed, too.
        assert_eq!(Route::parse("/who", "?x=%4z&y=%E").get("x"), "%4z");
        assert_eq!(Route::parse("/who", "?y=%E").get("y"), "%E");
    }

    #[test]
    fn two_things_compared_are_a_range_in_the_path() {
        let route = Route::parse("/versions/3..5", "");
        assert_eq!(route.query, vec![("from".into(), "3".into()), ("to".into(), "5".into())]);
        assert_eq!(route.address(), "/versions/3..5");
        // The path's range wins over the query's; other pairs stay in the query.
        let both = Route::parse("/versions/1..2", "?from=9&x=y");
        assert_eq!((both.get("from"), both.get("to"), both.address()), ("1".into(), "2".into(), "/versions/1..2?x=y".into()));
        // One end alone stays in the query; so does a route that also names one thing.
        assert_eq!(Route::page(Page::Versions).with("from", "3").address(), "/versions?from=3");
        assert_eq!(Route::page(Page::Requests).with("id", "R7").with("from", "a").with("to", "b").address(), "/requests/R7?from=a&to=b");
        // Half a range is an id, as typed.
        assert_eq!(Route::parse("/versions/3..", "").get("id"), "3..");
        assert_eq!(Route::parse("/versions/..5", "").get("id"), "..5");
        assert_eq!(Route::parse("/versions/a%2Eb..c", "").get("from"), "a.b");
        // Ends with dots of their own stay in the query, so they read back.
        let dotted = Route::page(Page::Versions).with("from", "a.").with("to", "b");
        assert_eq!(dotted.address(), "/versions?from=a.&to=b");
        assert_eq!(Route::parse("/versions", "?from=a.&to=b"), dotted);
    }
}
