//! The engine's sentences mark user input and names in backticks (the
//! CLI prints them as they are); the app shows those parts as code instead
//! of showing the backticks. Split here, natively testable; the component
//! `components::sentence::Sentence` renders the parts.

/// A run of a sentence: plain text, or a name to show as code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part<'a> {
    /// Plain text.
    Text(&'a str),
    /// Between a pair of backticks.
    Code(&'a str),
}

/// The parts of a sentence. A backtick with no partner is kept as text, so
/// nothing of the sentence is lost.
pub fn parts(sentence: &str) -> Vec<Part<'_>> {
    let mut out = Vec::new();
    let mut rest = sentence;
    while let Some(open) = rest.find('`') {
        let Some(close) = rest[open + 1..].find('`') else { break };
        if open > 0 {
            out.push(Part::Text(&rest[..open]));
        }
        out.push(Part::Code(&rest[open + 1..open + 1 + close]));
        rest = &rest[open + 1 + close + 1..];
    }
    if !rest.is_empty() {
        out.push(Part::Text(rest));
    }
    out
}

/// The sentence as plain text, its names without their backticks (a CSV
/// cell, a spreadsheet's reader).
pub fn plain(sentence: &str) -> String {
    parts(sentence)
        .into_iter()
        .map(|p| match p {
            Part::Text(t) | Part::Code(t) => t,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_backticks_become_code_and_nothing_is_lost() {
        assert_eq!(
            parts("Bob Li (`rep_east_bob`) may read Account `acc_eu_1`: he owns it"),
            vec![
                Part::Text("Bob Li ("),
                Part::Code("rep_east_bob"),
                Part::Text(") may read Account "),
                Part::Code("acc_eu_1"),
                Part::Text(": he owns it"),
            ]
        );
        assert_eq!(parts("`a``b`"), vec![Part::Code("a"), Part::Code("b")]);
        assert_eq!(parts("no names"), vec![Part::Text("no names")]);
        assert_eq!(parts("odd ` tick"), vec![Part::Text("odd ` tick")]);
        assert_eq!(parts("`x` and ` one"), vec![Part::Code("x"), Part::Text(" and ` one")]);
        assert_eq!(parts("用户 `张三` 可以读取"), vec![Part::Text("用户 "), Part::Code("张三"), Part::Text(" 可以读取")]);
        assert!(parts("").is_empty());
        assert_eq!(parts("``"), vec![Part::Code("")]);
        assert_eq!(plain("Bob Li (`rep_east_bob`) may read `acc_eu_1`"), "Bob Li (rep_east_bob) may read acc_eu_1");
        assert_eq!(plain("odd ` tick"), "odd ` tick");
    }
}
