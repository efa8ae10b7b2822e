//! Second factor: TOTP (RFC 6238: SHA-1, six digits, 30-second steps, one
//! step of skew) with enrollment confirmed by a first code, each step
//! accepted once, and ten one-time recovery codes shown once and stored
//! hashed. Enrolling, and using a recovery code, are audit entries.

use crate::clock;
use crate::tx::Tx;
use clearance_core::Error;
use clearance_core::change::steps;
use sha2::Digest;
use totp_rs::{Builder, Totp};

/// Stable codes of the second factor.
pub mod code {
    /// The account has a second factor and the sign-in gave no code.
    pub const CODE_REQUIRED: clearance_core::Code = clearance_core::Code::MfaCodeRequired;
    /// A code that is not the current one (or was used already).
    pub const BAD_CODE: clearance_core::Code = clearance_core::Code::BadCode;
    /// Confirming with no enrollment begun.
    pub const NOT_ENROLLING: clearance_core::Code = clearance_core::Code::NotEnrolling;
}

/// How many recovery codes an enrollment gives.
pub const RECOVERY_CODES: usize = 10;

fn totp(secret: Vec<u8>, user: &str) -> Result<Totp, Error> {
    Builder::new()
        .with_secret(secret)
        .with_account_name(user.replace(':', "_"))
        .with_issuer(Some("Clearance"))
        .build()
        .map_err(|e| Error::one("", crate::db::INTERNAL, format!("cannot set up a one-time code: {e}")))
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len() / 2).filter_map(|i| text.get(2 * i..2 * i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect()
}

fn secrets(s: &dyn Tx, user: &str) -> Result<(Option<String>, Option<String>, i64), Error> {
    match s.first(r#"SELECT totp_secret, totp_pending, totp_last_step FROM accounts WHERE "user" = $1"#, &[user.into()])? {
        Some(row) => Ok((row.opt_text(0)?, row.opt_text(1)?, row.int(2)?)),
        None => Ok((None, None, 0)),
    }
}

/// Whether `user` has a second factor.
///
/// # Errors
/// `db_error`.
pub fn enrolled(s: &dyn Tx, user: &str) -> Result<bool, Error> {
    Ok(secrets(s, user)?.0.is_some())
}

/// Begins an enrollment: a fresh secret, kept pending until a code confirms
/// it. Returns the secret in base32 and its `otpauth://` address (for a QR code).
///
/// # Errors
/// `internal`; `db_error`.
pub fn begin(s: &dyn Tx, user: &str) -> Result<(String, String), Error> {
    let mut secret = [0u8; 20];
    getrandom::fill(&mut secret).map_err(|_| Error::one("", crate::db::INTERNAL, "cannot read random bytes"))?;
    let totp = totp(secret.to_vec(), user)?;
    let url = totp.to_url().map_err(|e| Error::one("", crate::db::INTERNAL, format!("cannot write the otpauth address: {e}")))?;
    s.exec(r#"UPDATE accounts SET totp_pending = $2 WHERE "user" = $1"#, &[user.into(), clearance_core::change::hex(&secret).into()])?;
    Ok((totp.secret().to_base32(), url))
}

fn recovery_hash(code: &str) -> String {
    let normal: String = code.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
    clearance_core::change::hex(&sha2::Sha256::digest(normal.as_bytes()))
}

/// Confirms the pending enrollment with a current code; returns the
/// recovery codes (shown once: only their hashes are kept).
///
/// # Errors
/// `not_enrolling`, `bad_code`, `db_error`.
pub fn confirm(s: &mut dyn Tx, user: &str, code: &str, now_ms: i64) -> Result<Vec<String>, Error> {
    let (_, pending, _) = secrets(s, user)?;
    let pending = pending.ok_or_else(|| Error::one("", code::NOT_ENROLLING, "begin an enrollment first"))?;
    let step = current_step(&totp(unhex(&pending), user)?, code, now_ms).ok_or_else(bad_code)?;
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let token = crate::sessions::random_token()?;
        codes.push(format!("{}-{}", token.get(..5).unwrap_or_default(), token.get(5..10).unwrap_or_default()));
    }
    let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
    s.exec(
        r#"UPDATE accounts SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $2, recovery = $3 WHERE "user" = $1"#,
        &[user.into(), step.into(), serde_json::to_string(&hashes).unwrap_or_default().into()],
    )?;
    let at = clock::stamp(now_ms, s.last_entry()?.as_ref());
    steps::record(s, &at, user, "mfa_enrolled", user, serde_json::json!({"recovery_codes": RECOVERY_CODES}))?;
    Ok(codes)
}

fn bad_code() -> Error {
    Error::one("/code", code::BAD_CODE, "that code is not valid now")
}

fn current_step(totp: &Totp, code: &str, now_ms: i64) -> Option<i64> {
    let seconds = u64::try_from(now_ms.div_euclid(1000)).ok()?;
    totp.check(code.trim(), seconds).and_then(|step| i64::try_from(step).ok())
}

/// Checks a sign-in's code: a TOTP code of a step not used before, or an
/// unused recovery code (which is then spent).
///
/// # Errors
/// `bad_code`; `db_error`.
pub fn verify(s: &mut dyn Tx, user: &str, code: &str, now_ms: i64) -> Result<(), Error> {
    let (Some(secret), _, last_step) = secrets(s, user)? else {
        return Err(bad_code());
    };
    if let Some(step) = current_step(&totp(unhex(&secret), user)?, code, now_ms) {
        if step <= last_step {
            return Err(Error::one("/code", code::BAD_CODE, "that code was used already: wait for the next one"));
        }
        s.exec(r#"UPDATE accounts SET totp_last_step = $2 WHERE "user" = $1"#, &[user.into(), step.into()])?;
        return Ok(());
    }
    let stored =
        s.first(r#"SELECT recovery FROM accounts WHERE "user" = $1"#, &[user.into()])?.map(|r| r.text(0)).transpose()?.unwrap_or_default();
    let mut hashes: Vec<String> = serde_json::from_str(&stored).unwrap_or_default();
    let hash = recovery_hash(code);
    let Some(position) = hashes.iter().position(|h| crate::sessions::same_token(h, &hash)) else {
        return Err(bad_code());
    };
    hashes.remove(position);
    s.exec(
        r#"UPDATE accounts SET recovery = $2 WHERE "user" = $1"#,
        &[user.into(), serde_json::to_string(&hashes).unwrap_or_default().into()],
    )?;
    let at = clock::stamp(now_ms, s.last_entry()?.as_ref());
    steps::record(s, &at, user, "recovery_code_used", user, serde_json::json!({"left": hashes.len()}))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_round_trip_and_recovery_codes_normalise() {
        let bytes: Vec<u8> = (0u8..20).collect();
        assert_eq!(unhex(&clearance_core::change::hex(&bytes)), bytes);
        assert_eq!(recovery_hash("AbCde-12345"), recovery_hash("abcde 12345"));
        assert_ne!(recovery_hash("abcde-12345"), recovery_hash("abcde-12346"));
        let totp = totp(bytes, "admin:ivy").unwrap();
        let now_ms = 1_764_583_200_000;
        let code = totp.generate(1_764_583_200).to_string();
        assert_eq!(current_step(&totp, &code, now_ms), Some(1_764_583_200 / 30));
        assert_eq!(current_step(&totp, &code, now_ms + 31_000), Some(1_764_583_200 / 30), "one step of skew");
        assert_eq!(current_step(&totp, &code, now_ms + 91_000), None);
        assert_eq!(current_step(&totp, "12345x", now_ms), None);
        assert!(totp.to_url().unwrap().starts_with("otpauth://totp/Clearance:admin_ivy?"));
    }
}
