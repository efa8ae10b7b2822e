//! The policy's password rules as a checklist an admin reads before
//! choosing a new password, in the page's language (the server, which
//! judges the password, answers each rule broken).

use clearance_core::Lang;
use clearance_core::policy::sign_in::{CharClass, PasswordRules};

fn class_name(class: CharClass, lang: Lang) -> &'static str {
    match (class, lang) {
        (CharClass::Lower, Lang::Zh) => "小写字母",
        (CharClass::Upper, Lang::Zh) => "大写字母",
        (CharClass::Digit, Lang::Zh) => "数字",
        (CharClass::Symbol, Lang::Zh) => "符号",
        (CharClass::Lower, _) => "a lowercase letter",
        (CharClass::Upper, _) => "an uppercase letter",
        (CharClass::Digit, _) => "a digit",
        (CharClass::Symbol, _) => "a symbol",
    }
}

/// One line per rule a new password must follow under `rules`.
pub fn checklist(rules: &PasswordRules, lang: Lang) -> Vec<String> {
    let zh = lang == Lang::Zh;
    let mut lines =
        vec![if zh { format!("至少 {} 个字符", rules.min_length) } else { format!("at least {} characters", rules.min_length) }];
    for &class in &rules.require {
        let name = class_name(class, lang);
        lines.push(if zh { format!("包含{name}") } else { format!("contains {name}") });
    }
    lines.push(if zh { "不包含您的用户 ID".to_owned() } else { "does not contain your user id".to_owned() });
    if rules.history > 0 {
        let n = rules.history;
        lines.push(if zh { format!("不能与最近 {n} 个密码相同") } else { format!("not one of your last {n} passwords") });
    }
    if rules.reject_common {
        lines.push(if zh { "不在常见密码列表中".to_owned() } else { "not on the list of common passwords".to_owned() });
    }
    if rules.max_age_days > 0 {
        let n = rules.max_age_days;
        lines.push(if zh { format!("{n} 天后需要更换") } else { format!("must be changed after {n} days") });
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_set_has_its_line_in_both_languages() {
        let default = PasswordRules::default();
        assert_eq!(
            checklist(&default, Lang::En),
            [
                "at least 12 characters",
                "does not contain your user id",
                "not one of your last 5 passwords",
                "not on the list of common passwords"
            ]
        );
        let lax = PasswordRules { history: 0, reject_common: false, ..PasswordRules::default() };
        assert_eq!(checklist(&lax, Lang::En), ["at least 12 characters", "does not contain your user id"]);
        assert_eq!(checklist(&lax, Lang::Zh), ["至少 12 个字符", "不包含您的用户 ID"]);
        let strict = PasswordRules {
            min_length: 16,
            require: vec![CharClass::Upper, CharClass::Digit],
            history: 5,
            max_age_days: 90,
            reject_common: false,
            ..PasswordRules::default()
        };
        assert_eq!(
            checklist(&strict, Lang::En),
            [
                "at least 16 characters",
                "contains an uppercase letter",
                "contains a digit",
                "does not contain your user id",
                "not one of your last 5 passwords",
                "must be changed after 90 days"
            ]
        );
        assert_eq!(
            checklist(&strict, Lang::Zh),
            ["至少 16 个字符", "包含大写字母", "包含数字", "不包含您的用户 ID", "不能与最近 5 个密码相同", "90 天后需要更换"]
        );
        let every_class = PasswordRules { require: vec![CharClass::Lower, CharClass::Symbol], ..default };
        assert_eq!(checklist(&every_class, Lang::Zh)[1..3], ["包含小写字母", "包含符号"]);
        assert_eq!(checklist(&every_class, Lang::En)[1..3], ["contains a lowercase letter", "contains a symbol"]);
    }
}
