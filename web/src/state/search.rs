//! Search as you type: the large org's pickers suggest a few matches for
//! what is typed instead of listing ten thousand users.

use clearance_core::Dataset;
use clearance_core::policy::{Policy, User};

/// At most `limit` users whose id or name holds `typed` (ignoring case):
/// those whose id starts with it first, then in the policy's order. What
/// the large org's user field suggests as the admin types.
pub fn search_users(policy: &Policy, typed: &str, limit: usize) -> Vec<(String, String)> {
    let named = |u: &User| u.name.clone().unwrap_or_else(|| u.id.clone());
    let found = first_matches(policy.users.iter(), |u| (&u.id, u.name.as_deref()), typed, limit);
    found.into_iter().map(|u| (u.id.clone(), named(u))).collect()
}

/// At most `limit` record ids holding `typed` (ignoring case), those that
/// start with it first: what the large org's record field suggests (its
/// records live in the Web Worker, which answers this).
pub fn search_records(dataset: &Dataset, typed: &str, limit: usize) -> Vec<String> {
    first_matches(dataset.records(), |r| (r.id(), None), typed, limit).into_iter().map(|r| r.id().to_owned()).collect()
}

/// The one search both fields use: items whose id (or name) holds
/// `typed`, ignoring case; ids that start with it first, then in the given
/// order; nothing for blank text. Stops at `limit` ids that start with it.
fn first_matches<T>(items: impl Iterator<Item = T>, keys: impl Fn(&T) -> (&str, Option<&str>), typed: &str, limit: usize) -> Vec<T> {
    let typed = typed.trim().to_lowercase();
    if typed.is_empty() {
        return Vec::new();
    }
    let (mut first, mut then) = (Vec::new(), Vec::new());
    for item in items {
        let (id, name) = keys(&item);
        if starts_ignoring_case(id, &typed) {
            first.push(item);
            if first.len() >= limit {
                break;
            }
        } else if then.len() != limit && (holds_ignoring_case(id, &typed) || name.is_some_and(|n| holds_ignoring_case(n, &typed))) {
            then.push(item);
        }
    }
    first.into_iter().chain(then).take(limit).collect()
}

/// Whether `text` starts with `lower` (already lowercase), ignoring case.
fn starts_ignoring_case(text: &str, lower: &str) -> bool {
    if text.is_ascii() {
        text.len() >= lower.len() && text.as_bytes()[..lower.len()].eq_ignore_ascii_case(lower.as_bytes())
    } else {
        text.to_lowercase().starts_with(lower)
    }
}

/// Whether `text` holds `lower` (already lowercase), ignoring case; ASCII
/// text (every generated id) without allocating, a million times a keystroke.
fn holds_ignoring_case(text: &str, lower: &str) -> bool {
    if text.is_ascii() {
        text.as_bytes().windows(lower.len().max(1)).any(|w| w.eq_ignore_ascii_case(lower.as_bytes()))
    } else {
        text.to_lowercase().contains(lower)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_start_with_the_text_come_first_then_any_id_or_name_holding_it() {
        let (policy, _) =
            clearance_core::generate::generate(&clearance_core::generate::Params { users: 300, records: 10, ..Default::default() });
        let found = search_users(&policy, "USER_2", 5);
        assert_eq!(found.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), ["user_2", "user_20", "user_21", "user_22", "user_23"]);
        assert!(search_users(&policy, "  ", 5).is_empty(), "nothing typed, nothing suggested");
        assert!(search_users(&policy, "nobody", 5).is_empty());
        let reference = clearance_core::parse_policy(clearance_core::generate::REFERENCE_ORG).unwrap();
        let by_name = search_users(&reference, "bob", 10);
        assert_eq!(by_name.first().map(|(id, _)| id.as_str()), Some("rep_east_bob"));
        let (id, name) = &by_name[0];
        assert!(name.to_lowercase().contains("bob") && id != name, "suggested with the user's name");
        let middle = search_users(&policy, "_1", 300);
        assert!(middle.iter().all(|(id, _)| id.contains("_1")) && middle.len() > 100, "anywhere in the id: {}", middle.len());
        assert_eq!(search_users(&policy, "_1", 3).len(), 3, "at most the limit");
    }

    #[test]
    fn record_ids_are_found_as_typed_starting_ones_first() {
        let (policy, inputs) =
            clearance_core::generate::generate(&clearance_core::generate::Params { users: 50, records: 400, ..Default::default() });
        let engine = clearance_core::Engine::compile(policy).unwrap();
        let dataset = engine.load_records(&serde_json::to_value(&inputs).unwrap()).unwrap();
        let found = search_records(&dataset, "ACC_1", 4);
        assert_eq!(found, ["acc_1", "acc_10", "acc_11", "acc_12"]);
        let inside = search_records(&dataset, "c_3", 500);
        assert!(!inside.is_empty() && inside.iter().all(|id| id.contains("c_3")), "{inside:?}");
        assert!(inside.iter().any(|id| id.starts_with("opp")) || inside.iter().any(|id| id.starts_with("acc")));
        assert!(search_records(&dataset, "", 4).is_empty());
        assert!(search_records(&dataset, "zzz", 4).is_empty());
        assert!(search_records(&dataset, "é", 4).is_empty(), "a letter no ascii id holds");
    }

    #[test]
    fn case_is_ignored_in_ascii_and_beyond() {
        assert!(starts_ignoring_case("Acc_1", "acc") && !starts_ignoring_case("ac", "acc"));
        assert!(holds_ignoring_case("Big ACC_1", "acc_") && !holds_ignoring_case("ab", "abc"));
        assert!(holds_ignoring_case("Élodie Durand", "élo") && starts_ignoring_case("Élodie", "élo"));
        assert!(!holds_ignoring_case("Élodie", "zed") && !starts_ignoring_case("Élodie", "lod"));
    }
}
