//! Search as you type: the large org's pickers suggest a few matches for
//! what is typed instead of listing ten thousand users.

use clearance_core::policy::{Policy, User};

/// At most `limit` users whose id or name holds `typed` (ignoring case):
/// those whose id starts with it first, then in the policy's order. What
/// the large org's user field suggests as the admin types.
pub fn search_users(policy: &Policy, typed: &str, limit: usize) -> Vec<(String, String)> {
    let typed = typed.trim().to_lowercase();
    if typed.is_empty() {
        return Vec::new();
    }
    let named = |u: &User| u.name.clone().unwrap_or_else(|| u.id.clone());
    let holds = |u: &&User| u.id.to_lowercase().contains(&typed) || named(u).to_lowercase().contains(&typed);
    let (mut first, mut then): (Vec<_>, Vec<_>) = (Vec::new(), Vec::new());
    for user in policy.users.iter().filter(holds) {
        if user.id.to_lowercase().starts_with(&typed) {
            first.push(user)
        } else {
            then.push(user)
        }
        if first.len() >= limit {
            break;
        }
    }
    first.into_iter().chain(then).take(limit).map(|u| (u.id.clone(), named(u))).collect()
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
}
