//! How the org's admins sign in to the control plane, set in the policy
//! file under `sign_in` (every key optional): the password rules (length,
//! character classes, reuse, age, lockout, common passwords) and which
//! system permissions require a second factor whatever the bundles' session
//! rules say. The rules are checked here, so every refusal says why.

use crate::error::{Error, Problems, code, join};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Code of a password the rules refuse.
pub const WEAK_PASSWORD: crate::error::Code = crate::error::Code::WeakPassword;

/// The `sign_in` section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SignIn {
    /// Password rules.
    pub password: PasswordRules,
    /// Holders of any of these system permissions pass a second factor
    /// (TOTP) to act as admins, whatever their bundles' session rules say.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mfa_for_system_permissions: Vec<String>,
    /// How long an admin's session lasts on the control plane.
    #[serde(skip_serializing_if = "SessionTimeouts::is_default")]
    pub session: SessionTimeouts,
}

/// When an admin's session ends (OWASP's session guidance: a short idle
/// timeout, a bounded lifetime however busy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SessionTimeouts {
    /// Minutes without a request that end a session (1 to 1440).
    pub idle_minutes: u32,
    /// Hours after sign-in that end a session, however busy (1 to 168).
    pub absolute_hours: u32,
}

impl Default for SessionTimeouts {
    fn default() -> Self {
        SessionTimeouts { idle_minutes: 30, absolute_hours: 12 }
    }
}

impl SessionTimeouts {
    fn is_default(&self) -> bool {
        *self == SessionTimeouts::default()
    }

    /// The idle timeout in milliseconds.
    pub fn idle_ms(&self) -> i64 {
        i64::from(self.idle_minutes) * 60_000
    }

    /// The absolute timeout in milliseconds.
    pub fn absolute_ms(&self) -> i64 {
        i64::from(self.absolute_hours) * 3_600_000
    }
}

/// A character class a password must contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CharClass {
    /// `a`–`z` (and other lowercase letters).
    Lower,
    /// `A`–`Z` (and other uppercase letters).
    Upper,
    /// `0`–`9`.
    Digit,
    /// Anything else: punctuation, spaces, symbols.
    Symbol,
}

impl CharClass {
    fn name(self) -> &'static str {
        match self {
            CharClass::Lower => "a lowercase letter",
            CharClass::Upper => "an uppercase letter",
            CharClass::Digit => "a digit",
            CharClass::Symbol => "a symbol",
        }
    }

    fn holds(self, c: char) -> bool {
        match self {
            CharClass::Lower => c.is_lowercase(),
            CharClass::Upper => c.is_uppercase(),
            CharClass::Digit => c.is_ascii_digit(),
            CharClass::Symbol => !c.is_alphanumeric(),
        }
    }
}

/// Password rules (NIST SP 800-63B's defaults: length and a common-password
/// check rather than forced classes or expiry, both available).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PasswordRules {
    /// The fewest characters (8 to 128).
    pub min_length: u32,
    /// Classes every password must contain.
    pub require: Vec<CharClass>,
    /// A new password may not be any of the last this many (0 to 24).
    pub history: u32,
    /// Days a password lasts before it must be changed (0: forever).
    pub max_age_days: u32,
    /// Failed sign-ins in a row that lock an account (1 to 100) …
    pub lockout_after: u32,
    /// … for this many minutes (1 to 1440).
    pub lockout_minutes: u32,
    /// Refuse passwords on the shipped list of common ones.
    pub reject_common: bool,
}

impl Default for PasswordRules {
    fn default() -> Self {
        PasswordRules {
            min_length: 12,
            require: Vec::new(),
            history: 5,
            max_age_days: 0,
            lockout_after: 5,
            lockout_minutes: 15,
            reject_common: true,
        }
    }
}

impl SignIn {
    /// Reports settings outside their range.
    pub(crate) fn validate(&self, path: &str, problems: &mut Problems) {
        let mut out_of_range = |section: &str, key: &str, ok: bool, range: &str| {
            if !ok {
                problems.push(join(&join(path, section), key), code::BAD_VALUE, format!("`{key}` must be {range}"));
            }
        };
        let (rules, session) = (&self.password, &self.session);
        out_of_range("password", "min_length", (8..=128).contains(&rules.min_length), "between 8 and 128");
        out_of_range("password", "history", rules.history <= 24, "between 0 and 24");
        out_of_range("password", "max_age_days", rules.max_age_days <= 3650, "between 0 and 3650");
        out_of_range("password", "lockout_after", (1..=100).contains(&rules.lockout_after), "between 1 and 100");
        out_of_range("password", "lockout_minutes", (1..=1440).contains(&rules.lockout_minutes), "between 1 and 1440");
        out_of_range("session", "idle_minutes", (1..=1440).contains(&session.idle_minutes), "between 1 and 1440");
        out_of_range("session", "absolute_hours", (1..=168).contains(&session.absolute_hours), "between 1 and 168");
    }
}

impl PasswordRules {
    /// Every rule `password` breaks for `user`, each with why (`/password`,
    /// `weak_password`). `is_common` says whether a (lowercased) password is
    /// on the list of common ones.
    ///
    /// # Errors
    /// `weak_password`, once per broken rule.
    pub fn check(&self, user: &str, password: &str, is_common: impl Fn(&str) -> bool) -> Result<(), Error> {
        let mut problems = Problems::default();
        let mut refuse = |message: String| problems.push("/password", WEAK_PASSWORD, message);
        if password.chars().count() < self.min_length as usize {
            refuse(format!("a password needs at least {} characters", self.min_length));
        }
        for class in &self.require {
            if !password.chars().any(|c| class.holds(c)) {
                refuse(format!("a password needs {}", class.name()));
            }
        }
        let lower = password.to_lowercase();
        if !user.is_empty() && lower.contains(&user.to_lowercase()) {
            refuse("a password must not contain the user id".to_owned());
        }
        // `Password123!` is as common as `password`: the list is checked with trailing digits and symbols dropped too.
        let stem = lower.trim_end_matches(|c: char| !c.is_alphabetic());
        if self.reject_common && (is_common(&lower) || (!stem.is_empty() && is_common(stem))) {
            refuse("that password is on the list of common passwords".to_owned());
        }
        problems.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn common(p: &str) -> bool {
        ["password", "letmein", "qwertyuiop"].contains(&p)
    }

    #[test]
    fn every_broken_rule_is_named() {
        let rules = PasswordRules { require: vec![CharClass::Upper, CharClass::Digit, CharClass::Symbol], ..PasswordRules::default() };
        let error = rules.check("admin_ivy", "short", common).unwrap_err();
        let messages: Vec<&str> = error.problems().iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "a password needs at least 12 characters",
                "a password needs an uppercase letter",
                "a password needs a digit",
                "a password needs a symbol"
            ]
        );
        assert!(error.problems().iter().all(|p| p.path == "/password" && p.code == WEAK_PASSWORD));
        assert!(rules.check("admin_ivy", "Tall Giraffe 42 eats", common).is_ok());
        assert!(rules.check("admin_ivy", "X1 admin_IVY rocks!", common).unwrap_err().problems()[0].message.contains("user id"));
        let plain = PasswordRules::default();
        assert!(plain.check("u", "correct horse battery", common).is_ok());
        for weak in ["Password1234567!", "QWERTYUIOP", "letmein!!!!!!!!!"] {
            assert!(plain.check("u", weak, common).unwrap_err().problems().iter().any(|p| p.message.contains("common")), "{weak}");
        }
        assert!(PasswordRules { reject_common: false, ..plain.clone() }.check("u", "Password1234567!", common).is_ok());
    }

    #[test]
    fn settings_outside_their_range_are_reported_with_paths() {
        let mut problems = Problems::default();
        let section = SignIn {
            password: PasswordRules {
                min_length: 4,
                history: 30,
                lockout_after: 0,
                lockout_minutes: 0,
                max_age_days: 5000,
                ..PasswordRules::default()
            },
            mfa_for_system_permissions: Vec::new(),
            session: SessionTimeouts { idle_minutes: 0, absolute_hours: 169 },
        };
        section.validate("/sign_in", &mut problems);
        let paths: Vec<String> = problems.into_result().unwrap_err().problems().iter().map(|p| p.path.clone()).collect();
        assert_eq!(
            paths,
            [
                "/sign_in/password/min_length",
                "/sign_in/password/history",
                "/sign_in/password/max_age_days",
                "/sign_in/password/lockout_after",
                "/sign_in/password/lockout_minutes",
                "/sign_in/session/idle_minutes",
                "/sign_in/session/absolute_hours"
            ]
        );
        let mut fine = Problems::default();
        SignIn::default().validate("/sign_in", &mut fine);
        let edges = SignIn { session: SessionTimeouts { idle_minutes: 1440, absolute_hours: 1 }, ..SignIn::default() };
        edges.validate("/sign_in", &mut fine);
        let edges = SignIn { session: SessionTimeouts { idle_minutes: 1, absolute_hours: 168 }, ..SignIn::default() };
        edges.validate("/sign_in", &mut fine);
        assert!(fine.into_result().is_ok());
    }

    #[test]
    fn session_timeouts_default_to_half_an_hour_idle_and_twelve_hours_and_stay_out_of_the_canonical_form() {
        let timeouts = SessionTimeouts::default();
        assert_eq!((timeouts.idle_ms(), timeouts.absolute_ms()), (30 * 60_000, 12 * 3_600_000));
        assert_eq!(
            serde_json::to_value(SignIn::default()).unwrap(),
            serde_json::json!({"password": serde_json::to_value(PasswordRules::default()).unwrap()})
        );
        let short = SignIn { session: SessionTimeouts { idle_minutes: 5, absolute_hours: 2 }, ..SignIn::default() };
        let text = serde_json::to_value(&short).unwrap();
        assert_eq!(text["session"], serde_json::json!({"idle_minutes": 5, "absolute_hours": 2}));
        assert_eq!(serde_json::from_value::<SignIn>(text).unwrap(), short);
        let partial: SignIn = serde_json::from_value(serde_json::json!({"session": {"idle_minutes": 10}})).unwrap();
        assert_eq!(partial.session, SessionTimeouts { idle_minutes: 10, absolute_hours: 12 });
    }
}
