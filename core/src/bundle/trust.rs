//! Which bundles a loader accepts: signed by one of its trusted keys (each
//! possibly retired from a date: a key rotation), not older than the
//! revision it was told to expect (a replayed old bundle would bring back
//! what a later version revoked), not past its `not_after`, and whole — the
//! policy section's digest is checked at load like everything else.

use super::{Parts, Stamp, bad, check_signature, code, decode, keep_policy, key_id, sha512, split};
use crate::engine::Engine;
use crate::error::Error;

/// A public key a loader trusts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedKey {
    /// The Ed25519 public key.
    pub key: [u8; 32],
    /// From this time on (ms since the Unix epoch), bundles it signed are
    /// refused; `None`: trusted until removed.
    pub retired_at_ms: Option<i64>,
}

/// What a loader accepts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trust {
    /// The trusted keys (none: only unsigned bundles, and only with `allow_unsigned`).
    pub keys: Vec<TrustedKey>,
    /// Whether an unsigned bundle may load.
    pub allow_unsigned: bool,
    /// The oldest revision accepted.
    pub min_revision: u64,
    /// Now (ms since the Unix epoch), for `not_after` and key retirement;
    /// `None` (no clock): a bundle with a `not_after` or a retired key is refused.
    pub now_ms: Option<i64>,
}

/// Loads a bundle that `trust` accepts; the engine and the bundle's stamp.
///
/// # Errors
/// `bad_bundle`; `unsigned_bundle`, `bad_key`, `unknown_key`,
/// `retired_key`, `bad_signature`; `bundle_version`; `stale_bundle`,
/// `expired_bundle`.
pub fn open_trusted(bytes: Vec<u8>, trust: &Trust) -> Result<(Engine, Stamp), Error> {
    let parts = split(&bytes)?;
    check_signature(&parts, signer(&parts, trust)?, trust.allow_unsigned)?;
    // The policy section is covered through its digest: checked now, so a
    // changed byte there is refused at load, not at first use.
    if sha512(parts.policy) != parts.digest {
        return Err(match parts.signature {
            Some(_) => Error::one("", code::BAD_SIGNATURE, "the bundle's policy section does not match its signature: it was altered"),
            None => bad("the bundle's policy section does not match its digest"),
        });
    }
    let stamp = parts.header.stamp.clone();
    if stamp.revision < trust.min_revision {
        let message = format!(
            "the bundle is revision {}, older than the revision {} expected: an old bundle replayed",
            stamp.revision, trust.min_revision
        );
        return Err(Error::one("", code::STALE_BUNDLE, message));
    }
    if stamp.not_after_ms.is_some_and(|end| trust.now_ms.is_none_or(|now| now > end)) {
        return Err(Error::one("", code::EXPIRED_BUNDLE, "the bundle is past its `not_after`: fetch a current one"));
    }
    let mut engine = decode(&parts)?;
    if parts.signature.is_some() && parts.header.with_policy {
        let policy_at = parts.policy_at.clone();
        keep_policy(&mut engine, bytes, policy_at);
    }
    Ok((engine, stamp))
}

/// The trusted key a signed bundle names, if it may still sign; `None` for
/// an unsigned bundle or a loader without keys (the signature check then
/// refuses or allows the bundle as it says).
fn signer<'a>(parts: &Parts<'_>, trust: &'a Trust) -> Result<Option<&'a [u8; 32]>, Error> {
    if parts.signature.is_none() || trust.keys.is_empty() {
        return Ok(None);
    }
    let named = parts.header.stamp.key_id.as_deref().unwrap_or_default();
    let Some(trusted) = trust.keys.iter().find(|k| key_id(&k.key) == named) else {
        return Err(Error::one("", code::UNKNOWN_KEY, format!("the bundle was signed by key `{named}`, which is not trusted here")));
    };
    if trusted.retired_at_ms.is_some_and(|retired| trust.now_ms.is_none_or(|now| now >= retired)) {
        return Err(Error::one("", code::RETIRED_KEY, format!("the bundle was signed by key `{named}`, which is retired")));
    }
    Ok(Some(&trusted.key))
}

#[cfg(test)]
mod tests {
    use super::super::{public_key, write};
    use super::*;

    const OLD: [u8; 32] = [7; 32];
    const NEW: [u8; 32] = [9; 32];
    const NOW: i64 = 1_800_000_000_000;

    fn bundle(secret: Option<&[u8; 32]>, revision: u64, not_after_ms: Option<i64>) -> Vec<u8> {
        let engine = Engine::from_json(include_str!("../../../examples/reference-org.json")).unwrap();
        let stamp = Stamp { revision, policy_hash: "v1".into(), issued_at_ms: NOW - 1000, not_after_ms, key_id: None };
        write(&engine, secret, &stamp, true).unwrap()
    }

    fn trust(keys: &[([u8; 32], Option<i64>)], min_revision: u64) -> Trust {
        let keys =
            keys.iter().map(|(secret, retired_at_ms)| TrustedKey { key: public_key(secret), retired_at_ms: *retired_at_ms }).collect();
        Trust { keys, allow_unsigned: false, min_revision, now_ms: Some(NOW) }
    }

    fn refusal(bytes: &[u8], trust: &Trust) -> String {
        open_trusted(bytes.to_vec(), trust).err().map(|e| e.problems()[0].code.clone()).unwrap_or_default()
    }

    #[test]
    fn the_stamp_is_signed_read_back_and_names_its_key() {
        let bytes = bundle(Some(&OLD), 7, Some(NOW + 1));
        let (_, stamp) = open_trusted(bytes.clone(), &trust(&[(OLD, None)], 7)).unwrap();
        assert_eq!((stamp.revision, stamp.policy_hash.as_str(), stamp.not_after_ms), (7, "v1", Some(NOW + 1)));
        assert_eq!(stamp.key_id, Some(key_id(&public_key(&OLD))));
        assert_eq!(stamp.key_id.as_deref().map(str::len), Some(16));
        assert_eq!(super::super::inspect(&bytes).unwrap().stamp, stamp);
        // The revision is the stamp's first byte (after magic, flags, version and the section's length): a replay renumbered is refused.
        let mut renumbered = bytes.clone();
        renumbered[8 + 1 + 2 + env!("CARGO_PKG_VERSION").len() + 4] = 9;
        assert_eq!(super::super::inspect(&renumbered).unwrap().stamp.revision, 9);
        assert_eq!(refusal(&renumbered, &trust(&[(OLD, None)], 8)), code::BAD_SIGNATURE);
    }

    #[test]
    fn an_older_revision_than_expected_is_a_replay() {
        let bytes = bundle(Some(&OLD), 4, None);
        assert_eq!(refusal(&bytes, &trust(&[(OLD, None)], 5)), code::STALE_BUNDLE);
        assert!(open_trusted(bytes.clone(), &trust(&[(OLD, None)], 4)).is_ok(), "the expected revision itself loads");
        let unsigned = bundle(None, 4, None);
        assert_eq!(refusal(&unsigned, &Trust { allow_unsigned: true, ..trust(&[], 5) }), code::STALE_BUNDLE);
    }

    #[test]
    fn a_bundle_past_its_end_or_without_a_clock_to_hold_it_to_is_refused() {
        assert!(open_trusted(bundle(Some(&OLD), 1, Some(NOW)), &trust(&[(OLD, None)], 0)).is_ok(), "valid through its last millisecond");
        let expired = bundle(Some(&OLD), 1, Some(NOW - 1));
        assert_eq!(refusal(&expired, &trust(&[(OLD, None)], 0)), code::EXPIRED_BUNDLE);
        let no_clock = Trust { now_ms: None, ..trust(&[(OLD, None)], 0) };
        assert_eq!(refusal(&bundle(Some(&OLD), 1, Some(i64::MAX)), &no_clock), code::EXPIRED_BUNDLE);
        assert!(open_trusted(bundle(Some(&OLD), 1, None), &no_clock).is_ok());
    }

    #[test]
    fn a_rotation_accepts_the_old_key_until_its_date_then_only_the_new() {
        let (old, new) = (bundle(Some(&OLD), 1, None), bundle(Some(&NEW), 2, None));
        let rotating = trust(&[(OLD, Some(NOW + 1)), (NEW, None)], 0);
        assert!(open_trusted(old.clone(), &rotating).is_ok() && open_trusted(new.clone(), &rotating).is_ok());
        let retired = trust(&[(OLD, Some(NOW)), (NEW, None)], 0);
        assert_eq!(refusal(&old, &retired), code::RETIRED_KEY);
        assert!(open_trusted(new.clone(), &retired).is_ok());
        assert_eq!(refusal(&old, &Trust { now_ms: None, ..rotating.clone() }), code::RETIRED_KEY, "no clock: a retiring key is refused");
        assert_eq!(refusal(&new, &trust(&[(OLD, None)], 0)), code::UNKNOWN_KEY);
        assert_eq!(refusal(&new, &trust(&[], 0)), code::BAD_KEY, "a signed bundle needs a key");
        assert_eq!(refusal(&bundle(None, 1, None), &rotating), code::UNSIGNED_BUNDLE);
    }

    #[test]
    fn a_changed_policy_section_is_refused_at_load() {
        for secret in [Some(&OLD), None] {
            let mut bytes = bundle(secret, 1, None);
            let at = bytes.len() - 3;
            bytes[at] ^= 0x20;
            let trust = Trust { allow_unsigned: true, ..trust(&[(OLD, None)], 0) };
            let expected = if secret.is_some() { code::BAD_SIGNATURE } else { code::BAD_BUNDLE };
            assert_eq!(refusal(&bytes, &trust), expected);
        }
    }

    #[test]
    fn an_edge_bundle_decides_without_its_policy_and_says_so_when_asked_for_it() {
        let original = Engine::from_json(include_str!("../../../examples/reference-org.json")).unwrap();
        let stamp = Stamp { revision: 2, ..Stamp::default() };
        let (full, edge) = (write(&original, Some(&OLD), &stamp, true).unwrap(), write(&original, Some(&OLD), &stamp, false).unwrap());
        assert!(edge.len() < full.len() / 2, "{} against {}", edge.len(), full.len());
        let header = super::super::inspect(&edge).unwrap();
        assert!(!header.with_policy && header.policy_bytes == 0 && super::super::inspect(&full).unwrap().with_policy);
        let (engine, _) = open_trusted(edge.clone(), &trust(&[(OLD, None)], 2)).unwrap();
        assert!(engine.same_compiled_form(&original));
        assert!(engine.lint().unwrap_err().has_code(code::NO_POLICY));
        assert!(engine.policy().unwrap_err().has_code(code::NO_POLICY));
        let request = crate::parse_json(r#"{"user": "rep_east_alice", "action": "read", "object": "Account", "record": {"id": "a", "object": "Account", "owner": "rep_east_alice"}}"#).unwrap();
        assert!(engine.answer_check(&request, None).unwrap().allowed);
        // Unsigned, nothing vouches for its compiled section: refused.
        let unsigned = write(&original, None, &stamp, false).unwrap();
        assert_eq!(refusal(&unsigned, &Trust { allow_unsigned: true, ..trust(&[], 0) }), code::BAD_BUNDLE);
        // The flag set on a bundle with a policy section, or an unknown flag: not a bundle.
        for flags in [full[8] | 2, full[8] | 4] {
            let mut odd = full.clone();
            odd[8] = flags;
            assert!(super::super::inspect(&odd).unwrap_err().has_code(code::BAD_BUNDLE), "flags {flags}");
        }
    }
}
