//! A simulation's address: `/simulate?edits=[…]` carries the staged edits
//! (the change set's JSON, written in place as edits are staged), so a
//! copied link opens the same preview. Opening such a link never
//! drops what this browser had staged: with nothing staged the link's edits
//! are staged; with other edits staged the page offers the link's and
//! keeps the admin's until they choose.

use super::route::Route;
use clearance_core::change::Operation;
use clearance_core::{Code, Error, Problem};

/// The address's key for the staged edits.
pub const KEY: &str = "edits";

/// The address's value for `staged` (empty: no edits, no key).
pub fn param(staged: &[Operation]) -> String {
    if staged.is_empty() { String::new() } else { serde_json::to_string(staged).unwrap_or_default() }
}

/// What opening `route` means for the edits staged here.
#[derive(Debug, Clone, PartialEq)]
pub enum Arrival {
    /// The address names no edits, or the ones staged.
    Same,
    /// Nothing is staged: stage the address's edits.
    Stage(Vec<Operation>),
    /// Other edits are staged: offer the address's, keep these meanwhile.
    Offer(Vec<Operation>),
    /// The address's edits cannot be read (a truncated or edited link).
    Unreadable(Error),
}

/// What opening `route` with `staged` staged here should do.
pub fn arrival(route: &Route, staged: &[Operation]) -> Arrival {
    let text = route.get(KEY);
    if text.is_empty() {
        return Arrival::Same;
    }
    match decode(&text) {
        Err(error) => Arrival::Unreadable(error),
        Ok(edits) if edits == staged => Arrival::Same,
        Ok(edits) if staged.is_empty() => Arrival::Stage(edits),
        Ok(edits) => Arrival::Offer(edits),
    }
}

/// The edits an address carries, each problem at its path under `/edits`.
/// (Read element by element from an owned JSON value, as the saved state
/// is: the app's wasm holds one decoder of edits, not two.)
fn decode(text: &str) -> Result<Vec<Operation>, Error> {
    let syntax = |e: serde_json::Error| Error::one(format!("/{KEY}"), Code::JsonSyntax, format!("the link's edits are not json: {e}"));
    let serde_json::Value::Array(items) = serde_json::from_str::<serde_json::Value>(text).map_err(syntax)? else {
        return Err(Error::one(format!("/{KEY}"), Code::BadType, "the link's edits are not a list"));
    };
    let mut problems = Vec::new();
    let mut edits = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        match serde_json::from_value::<Operation>(item) {
            Ok(edit) => edits.push(edit),
            Err(e) => problems.push(Problem::new(format!("/{KEY}/{i}"), Code::BadValue, format!("not an edit: {e}"))),
        }
    }
    if problems.is_empty() { Ok(edits) } else { Err(Error::new(problems)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Page;

    fn moved(user: &str) -> Operation {
        Operation::MoveUser { user: user.to_owned(), role: Some("sales_rep_west".to_owned()), department: None }
    }

    fn opened(edits: &[Operation]) -> Route {
        let address = Route::page(Page::Simulate).with(KEY, &param(edits)).address();
        let (path, search) = address.split_once('?').unwrap_or((&address, ""));
        Route::parse(path, search)
    }

    #[test]
    fn a_link_stages_its_edits_only_where_nothing_else_is_staged() {
        let (bob, alice) = (vec![moved("rep_east_bob")], vec![moved("rep_east_alice")]);
        assert_eq!(param(&[]), "", "no edits: no key in the address");
        assert_eq!(Route::page(Page::Simulate).with(KEY, &param(&[])).address(), "/simulate");
        assert_eq!(arrival(&opened(&bob), &[]), Arrival::Stage(bob.clone()), "the edits survive the address");
        assert_eq!(arrival(&opened(&bob), &bob), Arrival::Same);
        assert_eq!(arrival(&opened(&bob), &alice), Arrival::Offer(bob.clone()), "the admin's own edits are kept");
        assert_eq!(arrival(&opened(&[]), &alice), Arrival::Same, "an address without edits leaves them");
    }

    #[test]
    fn an_unreadable_link_says_where() {
        let route = |text: &str| Route::page(Page::Simulate).with(KEY, text);
        let Arrival::Unreadable(error) = arrival(&route("[{\"op\": \"move_user\""), &[]) else { panic!("read") };
        assert_eq!((error.problems()[0].path.as_str(), error.problems()[0].code.as_str()), ("/edits", "json_syntax"));
        let Arrival::Unreadable(error) = arrival(&route("[{\"op\": \"move_user\", \"user\": \"bob\"}, {\"op\": \"fly\"}]"), &[]) else {
            panic!("read")
        };
        let paths: Vec<_> = error.problems().iter().map(|p| (p.path.as_str(), p.code.as_str())).collect();
        assert_eq!(paths, [("/edits/1", "bad_value")], "{error:?}");
        assert!(error.problems()[0].message.contains("fly"), "{error:?}");
        let Arrival::Unreadable(error) = arrival(&route("{\"op\": \"move_user\"}"), &[]) else { panic!("read") };
        assert_eq!((error.problems()[0].path.as_str(), error.problems()[0].code.as_str()), ("/edits", "bad_type"));
    }
}
