//! A route's query string: the parameters it knows, decoded; any other is
//! a coded error, so a misspelt filter is refused instead of silently
//! answering everything.

use clearance_core::Error;
use clearance_core::error::code;

/// The `(key, value)` pairs of `query`, percent-decoded, in order.
///
/// # Errors
/// `unknown_key` at `/query/KEY` for a key outside `known`.
pub fn params(query: Option<&str>, known: &[&str]) -> Result<Vec<(String, String)>, Error> {
    let mut pairs = Vec::new();
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if !known.contains(&key.as_ref()) {
            return Err(Error::one(format!("/query/{key}"), code::UNKNOWN_KEY, format!("unknown parameter `{key}`")));
        }
        pairs.push((key.into_owned(), value.into_owned()));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_parameters_are_decoded_and_others_refused_at_their_path() {
        let pairs = params(Some("request=R%37&wait=3"), &["request", "wait"]).unwrap();
        assert_eq!(pairs, [("request".to_owned(), "R7".to_owned()), ("wait".to_owned(), "3".to_owned())]);
        assert!(params(None, &["wait"]).unwrap().is_empty());
        assert!(params(Some(""), &["wait"]).unwrap().is_empty());
        let refused = params(Some("wait=1&reqest=R7"), &["wait", "request"]).unwrap_err();
        assert!(refused.has_code(code::UNKNOWN_KEY));
        assert_eq!(refused.problems()[0].path, "/query/reqest");
        assert!(refused.problems()[0].message.contains("`reqest`"));
    }
}
