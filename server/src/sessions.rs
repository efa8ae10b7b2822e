//! Sessions: an opaque random token in an HttpOnly, SameSite=Strict cookie,
//! stored only as its SHA-256; a CSRF token per session that every
//! state-changing request must echo in a header; idle and absolute
//! timeouts enforced here; sign-out of one session or of all a user's.

use crate::tx::Tx;
use clearance_core::Error;
use sha2::Digest;

/// The session cookie's name.
pub const COOKIE: &str = "clearance_session";
/// The header a state-changing request carries its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
pub use clearance_core::policy::sign_in::SessionTimeouts;

/// How often a session's last use is written, at most (and a quarter of
/// the idle timeout when that is shorter, so a busy session never looks idle).
const SEEN_EVERY_MS: i64 = 60 * 1000;

/// `n unit`, plural unless one.
fn counted(n: u32, unit: &str) -> String {
    if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") }
}

/// The org's session timeouts (the policy's `sign_in.session`, else the defaults).
pub fn timeouts(engine: &clearance_core::Engine) -> SessionTimeouts {
    engine.sign_in().map(|s| s.session).unwrap_or_default()
}

/// Stable codes of sessions.
pub mod code {
    /// No session, or one that does not exist (forged, signed out).
    pub const UNAUTHENTICATED: clearance_core::Code = clearance_core::Code::Unauthenticated;
    /// The session ended (idle or absolute timeout).
    pub const SESSION_EXPIRED: clearance_core::Code = clearance_core::Code::SessionExpired;
    /// A state-changing request without the session's CSRF token.
    pub const CSRF_REFUSED: clearance_core::Code = clearance_core::Code::CsrfRefused;
}

/// A signed-in admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The user id (from the session, never from the request).
    pub user: String,
    /// The token state-changing requests must echo.
    pub csrf: String,
    /// Whether the sign-in passed a second factor (a one-time code).
    pub mfa: bool,
}

/// 32 random bytes as hex.
///
/// # Errors
/// `internal` when no randomness is available.
pub fn random_token() -> Result<String, Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|_| Error::one("", crate::db::INTERNAL, "cannot read random bytes"))?;
    Ok(clearance_core::change::hex(&bytes))
}

/// A token as the database keeps it (its SHA-256, hex): a copy of the
/// database does not sign anyone in.
pub fn digest(token: &str) -> String {
    clearance_core::change::hex(&sha2::Sha256::digest(token.as_bytes()))
}

/// Starts a session for `user` (`mfa`: the sign-in passed a second
/// factor); returns its token (for the cookie) and CSRF token.
///
/// # Errors
/// `db_error`; `internal`.
pub fn start(s: &dyn Tx, user: &str, mfa: bool, now_ms: i64, ends: SessionTimeouts) -> Result<(String, String), Error> {
    let (token, csrf) = (random_token()?, random_token()?);
    // Every sign-in clears the sessions that ended (idle or old), whoever's:
    // an ended session is refused anyway, and its row is not kept forever.
    s.exec(
        "DELETE FROM sessions WHERE seen_ms < $1 OR created_ms < $2",
        &[now_ms.saturating_sub(ends.idle_ms()).into(), now_ms.saturating_sub(ends.absolute_ms()).into()],
    )?;
    s.exec(
        r#"INSERT INTO sessions (token_hash, "user", csrf, mfa, created_ms, seen_ms) VALUES ($1, $2, $3, $4, $5, $5)"#,
        &[digest(&token).into(), user.into(), (&csrf).into(), mfa.into(), now_ms.into()],
    )?;
    Ok((token, csrf))
}

/// Marks a session as having passed a second factor (its admin just
/// proved one by confirming an enrollment).
///
/// # Errors
/// `db_error`.
pub fn passed_mfa(s: &dyn Tx, token: &str) -> Result<(), Error> {
    s.exec("UPDATE sessions SET mfa = 1 WHERE token_hash = $1", &[digest(token).into()])?;
    Ok(())
}

/// A session's row: who, its CSRF token, its second factor, and when it
/// was made and last marked as used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    session: Session,
    created_ms: i64,
    seen_ms: i64,
}

impl Row {
    /// Whether the session is live at `now_ms`: the session, and whether
    /// its last use is due to be written (at most once a minute, the idle
    /// timeout's precision: a busy session's reads write nothing).
    ///
    /// # Errors
    /// `session_expired`.
    pub fn judge(&self, now_ms: i64, ends: SessionTimeouts) -> Result<(Session, bool), Error> {
        if now_ms.saturating_sub(self.seen_ms) > ends.idle_ms() {
            let idle = counted(ends.idle_minutes, "minute");
            return Err(Error::one("", code::SESSION_EXPIRED, format!("the session was idle for more than {idle}: sign in again")));
        }
        if now_ms.saturating_sub(self.created_ms) > ends.absolute_ms() {
            let age = counted(ends.absolute_hours, "hour");
            return Err(Error::one("", code::SESSION_EXPIRED, format!("the session is older than {age}: sign in again")));
        }
        let due = now_ms.saturating_sub(self.seen_ms) >= SEEN_EVERY_MS.min(ends.idle_ms() / 4);
        Ok((self.session.clone(), due))
    }
}

/// The live session a token names, marked as seen now when due; an ended
/// one is refused (and deleted at the next sign-in, see [`start`]: a
/// refusal's transaction is rolled back). Returns the row as it now stands,
/// for [`crate::snapshot`] to keep.
///
/// # Errors
/// `unauthenticated`, `session_expired`, `db_error`.
pub fn find(s: &dyn Tx, token: &str, now_ms: i64, ends: SessionTimeouts) -> Result<(Session, Row), Error> {
    let hash = digest(token);
    let row = s.first(r#"SELECT "user", csrf, mfa, created_ms, seen_ms FROM sessions WHERE token_hash = $1"#, &[(&hash).into()])?;
    let Some(row) = row else {
        return Err(Error::one("", code::UNAUTHENTICATED, "sign in first"));
    };
    let session = Session { user: row.text(0)?, csrf: row.text(1)?, mfa: row.int(2)? != 0 };
    let mut row = Row { session, created_ms: row.int(3)?, seen_ms: row.int(4)? };
    let (session, due) = row.judge(now_ms, ends)?;
    if due {
        s.exec("UPDATE sessions SET seen_ms = $2 WHERE token_hash = $1", &[hash.into(), now_ms.into()])?;
        row.seen_ms = now_ms;
    }
    Ok((session, row))
}

/// Ends one session.
///
/// # Errors
/// `db_error`.
pub fn end(s: &dyn Tx, token: &str) -> Result<(), Error> {
    s.exec("DELETE FROM sessions WHERE token_hash = $1", &[digest(token).into()])?;
    Ok(())
}

/// Ends every session of `user`; returns how many.
///
/// # Errors
/// `db_error`.
pub fn end_all(s: &dyn Tx, user: &str) -> Result<u64, Error> {
    s.exec(r#"DELETE FROM sessions WHERE "user" = $1"#, &[user.into()])
}

/// Whether two tokens are equal, in time that does not depend on where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `Set-Cookie` value of a session (`Secure` when served over TLS).
pub fn cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/{secure}")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn cleared_cookie() -> String {
    format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0")
}

/// The session token in a `Cookie` header, if any.
pub fn token_in(cookie_header: &str) -> Option<&str> {
    cookie_header.split(';').filter_map(|pair| pair.trim().split_once('=')).find(|(name, _)| *name == COOKIE).map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_whole_and_cookies_are_read_by_name() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd") && !same_token("abc", "ab") && !same_token("", "a"));
        assert_eq!(token_in("a=1; clearance_session=xyz; b=2"), Some("xyz"));
        assert_eq!(token_in("xclearance_session=xyz"), None);
        assert_eq!(cookie("t", true), "clearance_session=t; HttpOnly; SameSite=Strict; Path=/; Secure");
        assert!(!cookie("t", false).contains("Secure"));
        assert_eq!(random_token().unwrap().len(), 64);
        assert_ne!(random_token().unwrap(), random_token().unwrap());
    }

    #[test]
    fn the_timeouts_are_the_policys_own_or_the_defaults() {
        let mut policy = clearance_core::parse_policy(clearance_core::generate::REFERENCE_ORG).unwrap();
        let engine = clearance_core::Engine::compile(policy.clone()).unwrap();
        assert_eq!(timeouts(&engine), SessionTimeouts::default());
        let short = SessionTimeouts { idle_minutes: 5, absolute_hours: 1 };
        policy.sign_in = Some(clearance_core::policy::sign_in::SignIn { session: short, ..Default::default() });
        assert_eq!(timeouts(&clearance_core::Engine::compile(policy).unwrap()), short);
    }

    #[test]
    fn sessions_end_when_idle_or_old_and_busy_ones_write_once_a_minute() {
        let dir = std::env::temp_dir().join(format!("clearance-sessions-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let db = crate::db::Db::create(&dir).unwrap();
        let d = SessionTimeouts::default();
        let (idle, absolute) = (d.idle_ms(), d.absolute_ms());
        let seen = |s: &dyn Tx| s.first("SELECT seen_ms FROM sessions", &[])?.map_or(Ok(-1), |r| r.int(0));
        db.run_now(|s| {
            let (token, csrf) = start(s, "ivy", true, 0, d)?;
            let (session, _) = find(s, &token, SEEN_EVERY_MS - 1, d)?;
            assert_eq!((session.user.as_str(), session.csrf.as_str(), session.mfa), ("ivy", csrf.as_str(), true));
            assert_eq!(seen(s)?, 0, "used within the minute: nothing written");
            find(s, &token, SEEN_EVERY_MS, d)?;
            assert_eq!(seen(s)?, SEEN_EVERY_MS);
            assert!(find(s, &token, SEEN_EVERY_MS + idle + 1, d).unwrap_err().has_code(code::SESSION_EXPIRED));
            let count = |s: &dyn Tx| s.first("SELECT COUNT(*) FROM sessions", &[])?.map_or(Ok(-1), |r| r.int(0));
            // Idle exactly as long as allowed: still kept by the next sign-in.
            start(s, "fiona", false, SEEN_EVERY_MS + idle, d)?;
            assert_eq!(count(s)?, 2);
            start(s, "fiona", false, SEEN_EVERY_MS + idle + 1, d)?;
            assert_eq!(count(s)?, 2, "the ended session was cleared, the two new ones kept");
            assert!(find(s, &token, SEEN_EVERY_MS, d).unwrap_err().has_code(code::UNAUTHENTICATED), "an ended session is gone");
            s.exec("DELETE FROM sessions", &[])?;
            // Busy all along, it still ends at the absolute timeout.
            let (busy, _) = start(s, "ivy", false, 0, d)?;
            let mut now = 0;
            while now + idle / 2 < absolute {
                now += idle / 2;
                find(s, &busy, now, d)?;
            }
            assert!(find(s, &busy, absolute, d).is_ok(), "live through its last millisecond");
            assert!(find(s, &busy, absolute + 1, d).unwrap_err().has_code(code::SESSION_EXPIRED));
            let (quiet, _) = start(s, "ivy", false, absolute, d)?;
            assert!(find(s, &quiet, absolute + idle, d).is_ok(), "idle exactly as long as allowed: still live");
            s.exec("DELETE FROM sessions", &[])?;
            let (a, _) = start(s, "ivy", false, 0, d)?;
            start(s, "fiona", false, 0, d)?;
            assert_eq!(end_all(s, "ivy")?, 1);
            assert!(find(s, &a, 1, d).is_err());
            // The org's own timeouts: one idle minute (the last use then written every 15 s), two hours in all.
            let short = SessionTimeouts { idle_minutes: 1, absolute_hours: 2 };
            s.exec("DELETE FROM sessions", &[])?;
            let (t, _) = start(s, "ivy", false, 0, short)?;
            find(s, &t, 15_000, short)?;
            assert_eq!(seen(s)?, 15_000, "a quarter of the idle minute");
            let idle_end = find(s, &t, 75_001, short).unwrap_err();
            assert!(idle_end.has_code(code::SESSION_EXPIRED) && idle_end.problems()[0].message.contains("idle for more than 1 minute:"));
            let (busy, _) = start(s, "ivy", false, 0, short)?;
            let mut now = 0;
            while now < 2 * 3_600_000 {
                now += 30_000;
                find(s, &busy, now, short)?;
            }
            let old = find(s, &busy, now + 1, short).unwrap_err();
            assert!(old.problems()[0].message.contains("older than 2 hours"), "{old:?}");
            Ok(())
        })
        .unwrap();
    }
}
