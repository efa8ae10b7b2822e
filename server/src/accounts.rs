//! Admin accounts: the org's own users with a password (Argon2id, a random
//! salt per password, the parameters inside the stored PHC string so they
//! can be raised later). Failed sign-ins are counted in the database, so a
//! lockout survives restarts; every sign-in, failure and lockout is an
//! audit entry.

use crate::clock;
use crate::tx::Tx;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use clearance_core::Error;
use clearance_core::change::steps;
use clearance_core::policy::sign_in::PasswordRules;

/// Stable codes of signing in.
pub mod code {
    /// Unknown user or wrong password (the answer does not say which).
    pub const BAD_CREDENTIALS: clearance_core::Code = clearance_core::Code::BadCredentials;
    /// Too many failures: the account is locked for a while.
    pub const LOCKED_OUT: clearance_core::Code = clearance_core::Code::LockedOut;
    /// The password is older than the policy allows: change it first.
    pub const PASSWORD_EXPIRED: clearance_core::Code = clearance_core::Code::PasswordExpired;
    /// A password the policy's rules refuse.
    pub use clearance_core::policy::sign_in::WEAK_PASSWORD;
}

/// The passwords refused as common (`sign_in.password.reject_common`).
const COMMON: &str = include_str!("../data/common-passwords.txt");

/// Whether a lowercased password is on the shipped list.
pub fn is_common(password: &str) -> bool {
    static LIST: std::sync::OnceLock<std::collections::HashSet<&'static str>> = std::sync::OnceLock::new();
    LIST.get_or_init(|| COMMON.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()).contains(password)
}

/// The current policy's password rules (its defaults when it has none).
pub fn rules(engine: &clearance_core::Engine) -> PasswordRules {
    engine.sign_in().map(|s| s.password.clone()).unwrap_or_default()
}

/// How many old passwords are kept, whatever the rules say now, so raising `history` takes effect at once.
const KEPT: usize = 24;

/// Argon2id at OWASP's first recommendation (19 MiB, two passes, one lane):
/// bench/README.md has the sign-in time it gives here.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn internal(what: &str) -> Error {
    Error::one("", crate::db::INTERNAL, format!("cannot {what}"))
}

/// A password's PHC string.
///
/// # Errors
/// `internal` when no randomness is available.
pub fn hash_password(password: &str) -> Result<String, Error> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| internal("read random bytes"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|_| internal("encode a salt"))?;
    Ok(hasher().hash_password(password.as_bytes(), &salt).map_err(|_| internal("hash a password"))?.to_string())
}

/// Whether `password` matches `phc` (constant time inside Argon2).
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| hasher().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// What an unknown user's sign-in is checked against, so it takes as long
/// as a known user's.
fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("not a password of anyone").unwrap_or_default())
}

/// Sets `user`'s password (creating the account), recorded as done by
/// `actor`, under the current policy's password rules.
///
/// # Errors
/// `unknown_user` when `user` is not a user of the current policy;
/// `weak_password` naming every broken rule (reuse included); `db_error`.
pub fn set_password(s: &mut dyn Tx, user: &str, password: &str, actor: &str, now_ms: i64) -> Result<(), Error> {
    let (_, engine) = steps::current(s)?;
    steps::known(&engine, user)?;
    let rules = rules(&engine);
    rules.check(user, password, is_common)?;
    let mut history: Vec<String> = Vec::new();
    if let Some(old) = s.first(r#"SELECT phc, history FROM accounts WHERE "user" = $1"#, &[user.into()])? {
        history.push(old.text(0)?);
        history.extend(serde_json::from_str::<Vec<String>>(&old.text(1)?).unwrap_or_default());
    }
    if history.iter().take(rules.history as usize).any(|phc| verify_password(password, phc)) {
        return Err(Error::one("/password", code::WEAK_PASSWORD, format!("a password may not be one of the last {} used", rules.history)));
    }
    history.truncate(KEPT);
    let phc = hash_password(password)?;
    s.exec(
        r#"INSERT INTO accounts ("user", phc, failures, locked_until_ms, password_set_ms, history) VALUES ($1, $2, 0, 0, $3, $4)
           ON CONFLICT ("user") DO UPDATE SET phc = excluded.phc, failures = 0, locked_until_ms = 0,
               password_set_ms = excluded.password_set_ms, history = excluded.history"#,
        &[user.into(), phc.into(), now_ms.into(), serde_json::to_string(&history).unwrap_or_default().into()],
    )?;
    let at = clock::stamp(now_ms, s.last_entry()?.as_ref());
    steps::record(s, &at, actor, "password_set", user, serde_json::json!({}))?;
    Ok(())
}

/// What the database holds for a sign-in: the stored hash (the decoy for
/// an unknown user) and when the lockout ends.
pub struct Stored {
    /// The PHC string to verify against.
    pub phc: String,
    /// Whether the user has an account.
    pub exists: bool,
    /// The lockout's end (0: not locked).
    pub locked_until_ms: i64,
    /// When the password was set.
    pub set_ms: i64,
}

/// Reads what a sign-in verifies against.
///
/// # Errors
/// `db_error`.
pub fn stored(s: &dyn Tx, user: &str) -> Result<Stored, Error> {
    let row = s.first(r#"SELECT phc, locked_until_ms, password_set_ms FROM accounts WHERE "user" = $1"#, &[user.into()])?;
    Ok(match row {
        Some(row) => Stored { phc: row.text(0)?, exists: true, locked_until_ms: row.int(1)?, set_ms: row.int(2)? },
        None => Stored { phc: decoy().to_owned(), exists: false, locked_until_ms: 0, set_ms: 0 },
    })
}

/// Records a sign-in's outcome: a success clears the failures; a failure
/// counts, and the rules' `lockout_after`th in a row locks the account for
/// `lockout_minutes`. Every outcome is an audit entry. Returns the
/// lockout's end, if any.
///
/// # Errors
/// `db_error`.
pub fn record_outcome(
    s: &mut dyn Tx,
    rules: &PasswordRules,
    user: &str,
    ok: bool,
    address: &str,
    now_ms: i64,
) -> Result<Option<i64>, Error> {
    let at = clock::stamp(now_ms, s.last_entry()?.as_ref());
    let details = serde_json::json!({"address": address});
    if ok {
        s.exec(r#"UPDATE accounts SET failures = 0, locked_until_ms = 0 WHERE "user" = $1"#, &[user.into()])?;
        steps::record(s, &at, user, "signed_in", user, details)?;
        return Ok(None);
    }
    steps::record(s, &at, user, "sign_in_failed", user, details)?;
    let failures = s
        .first(r#"UPDATE accounts SET failures = failures + 1 WHERE "user" = $1 RETURNING failures"#, &[user.into()])?
        .map(|r| r.int(0))
        .transpose()?;
    if failures.is_some_and(|n| n >= i64::from(rules.lockout_after)) {
        let until = now_ms.saturating_add(i64::from(rules.lockout_minutes) * 60_000);
        s.exec(r#"UPDATE accounts SET failures = 0, locked_until_ms = $2 WHERE "user" = $1"#, &[user.into(), until.into()])?;
        steps::record(s, &at, user, "account_locked", user, serde_json::json!({"until_ms": until}))?;
        return Ok(Some(until));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_against_their_own_hash_only_and_salts_differ() {
        let a = hash_password("correct horse battery").unwrap();
        let b = hash_password("correct horse battery").unwrap();
        assert_ne!(a, b, "a fresh salt per password");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert!(verify_password("correct horse battery", &a));
        assert!(!verify_password("correct horse batterY", &a));
        assert!(!verify_password("correct horse battery", "not a phc string"));
        assert!(!verify_password("not a password of anyone", "") && verify_password("not a password of anyone", decoy()));
    }

    #[test]
    fn the_shipped_list_knows_common_passwords() {
        assert!(is_common("password") && is_common("qwerty123") && is_common("woaini"));
        assert!(!is_common("correct horse battery") && !is_common("") && !is_common("# the most common passwords"));
        let rules = PasswordRules::default();
        assert!(rules.check("admin_ivy", "Password123456!", is_common).is_err());
        assert!(rules.check("admin_ivy", "correct horse battery", is_common).is_ok());
    }
}
