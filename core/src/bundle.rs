//! Bundles: a compiled policy in a compact binary form, signed with Ed25519,
//! so edge functions start from the compiled engine instead of compiling.
//!
//! Layout (integers little-endian):
//!
//! | bytes | content |
//! |---|---|
//! | 8 | magic `CLRBNDL4` |
//! | 1 | flags: bit 0 = signed, bit 1 = without the policy section |
//! | 2 + n | engine version (length, UTF-8): the compiled form is internal, so a bundle loads only in the engine that wrote it |
//! | 4 + n | the [`Stamp`]: revision (u64), issued-at (i64 ms), not-after (1 + i64: present, ms), key id (1 + 8: present, bytes), policy hash (2 + n, UTF-8) |
//! | 4 + n | the compiled engine (postcard) |
//! | 64 | SHA-512 of the policy section |
//! | 64 | signed bundles: Ed25519 signature of every byte above |
//! | 4 + n | the policy's JSON, checked against its digest and decoded only when lint or diff need it |
//!
//! The signature covers the header and the stamp too, so flipping the
//! `signed` flag or replaying an old revision under a new number is
//! tampering like any other; it covers the policy through its digest, which
//! loading checks, so a changed byte anywhere is refused at load.

mod trust;

use crate::engine::{Engine, SourcePolicy};
use crate::error::Error;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
pub use trust::{Trust, TrustedKey, open_trusted};

/// The bundle's magic bytes.
const MAGIC: &[u8; 8] = b"CLRBNDL4";
const SIGNED: u8 = 1;
/// Flag: the policy section is left out (an edge's bundle).
const NO_POLICY_SECTION: u8 = 2;
const SIGNATURE_LEN: usize = 64;
const DIGEST_LEN: usize = 64;

/// SHA-512 of `bytes`.
pub(crate) fn sha512(bytes: &[u8]) -> [u8; 64] {
    use sha2::Digest;
    sha2::Sha512::digest(bytes).into()
}

/// Stable error codes of bundles.
pub mod code {
    /// Not a bundle, or truncated, or its parts do not decode; and the
    /// bundle was written without its policy, which lint and diff need
    /// (defined with the engine's codes: an engine reports them).
    pub use crate::error::code::{BAD_BUNDLE, NO_POLICY};
    /// The signature does not match the bundle and key: tampered, or another key.
    pub const BAD_SIGNATURE: crate::error::Code = crate::error::Code::BadSignature;
    /// The bundle is unsigned and the caller did not accept unsigned bundles.
    pub const UNSIGNED_BUNDLE: crate::error::Code = crate::error::Code::UnsignedBundle;
    /// A key is malformed (length, encoding) or missing.
    pub const BAD_KEY: crate::error::Code = crate::error::Code::BadKey;
    /// The bundle was written by another engine version.
    pub const BUNDLE_VERSION: crate::error::Code = crate::error::Code::BundleVersion;
    /// The bundle's revision is older than the one the loader expects (a replay).
    pub const STALE_BUNDLE: crate::error::Code = crate::error::Code::StaleBundle;
    /// The bundle's `not_after` has passed.
    pub const EXPIRED_BUNDLE: crate::error::Code = crate::error::Code::ExpiredBundle;
    /// The bundle was signed by a key that is not among the trusted ones.
    pub const UNKNOWN_KEY: crate::error::Code = crate::error::Code::UnknownKey;
    /// The bundle was signed by a trusted key whose retirement date has passed.
    pub const RETIRED_KEY: crate::error::Code = crate::error::Code::RetiredKey;
}

/// What a bundle says about itself, covered by its signature: which
/// applied version of the policy it is, when it was made and until when it
/// may be used, and which key signed it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stamp {
    /// The policy revision: one more for every version the control plane applies.
    pub revision: u64,
    /// The policy version's content hash (as change control names versions).
    pub policy_hash: String,
    /// When the bundle was made (ms since the Unix epoch).
    pub issued_at_ms: i64,
    /// After this (ms since the Unix epoch) the bundle is refused; `None`: no end.
    pub not_after_ms: Option<i64>,
    /// The signing key's id ([`key_id`]), set by [`write`]; `None` when unsigned.
    pub key_id: Option<String>,
}

/// A public key's id: the first 8 bytes of its SHA-512, as 16 hex digits.
/// Bundles name their key by it, so a loader with several trusted keys
/// (a rotation) knows which one to verify with.
pub fn key_id(public_key: &[u8; 32]) -> String {
    crate::hex::hex(&sha512(public_key)[..8])
}

fn bad(message: impl Into<String>) -> Error {
    Error::one("", code::BAD_BUNDLE, message)
}

/// An Ed25519 key pair from a 32-byte secret seed.
pub fn public_key(secret: &[u8; 32]) -> [u8; 32] {
    SigningKey::from_bytes(secret).verifying_key().to_bytes()
}

/// Writes a bundle of `engine` with `stamp` (its key id set here), signed
/// with the 32-byte secret seed when given, with the policy's JSON unless
/// `with_policy` is false (an edge's bundle: edges decide, they neither
/// lint nor diff; loading it skips hashing the policy, the larger half).
///
/// # Errors
/// As [`Engine::policy`], for an engine loaded from a tampered bundle.
pub fn write(engine: &Engine, secret: Option<&[u8; 32]>, stamp: &Stamp, with_policy: bool) -> Result<Vec<u8>, Error> {
    let policy = if with_policy { engine.source.json()? } else { String::new() };
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.push(if secret.is_some() { SIGNED } else { 0 } | if with_policy { 0 } else { NO_POLICY_SECTION });
    let version = env!("CARGO_PKG_VERSION").as_bytes();
    out.extend_from_slice(&u16::try_from(version.len()).unwrap_or(0).to_le_bytes());
    out.extend_from_slice(version);
    let stamp = Stamp { key_id: secret.map(|s| key_id(&public_key(s))), ..stamp.clone() };
    // Serialising plain data into a Vec cannot fail.
    push_section(&mut out, &stamp_bytes(&stamp));
    let compiled = postcard::to_allocvec(engine).unwrap_or_default();
    push_section(&mut out, &compiled);
    out.extend_from_slice(&sha512(policy.as_bytes()));
    if let Some(secret) = secret {
        let signature = SigningKey::from_bytes(secret).sign(&out);
        out.extend_from_slice(&signature.to_bytes());
    }
    push_section(&mut out, policy.as_bytes());
    Ok(out)
}

/// The stamp's bytes (a fixed layout: no decoder in the package for it).
fn stamp_bytes(stamp: &Stamp) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&stamp.revision.to_le_bytes());
    out.extend_from_slice(&stamp.issued_at_ms.to_le_bytes());
    out.push(u8::from(stamp.not_after_ms.is_some()));
    out.extend_from_slice(&stamp.not_after_ms.unwrap_or_default().to_le_bytes());
    let id = stamp.key_id.as_deref().and_then(parse_hex::<8>);
    out.push(u8::from(id.is_some()));
    out.extend_from_slice(&id.unwrap_or_default());
    let hash = stamp.policy_hash.as_bytes();
    out.extend_from_slice(&u16::try_from(hash.len()).unwrap_or(0).to_le_bytes());
    out.extend_from_slice(hash.get(..usize::from(u16::MAX)).unwrap_or(hash));
    out
}

/// The stamp in its section; `None` when it is not exactly one.
fn read_stamp(bytes: &[u8]) -> Option<Stamp> {
    let mut reader = Reader { bytes, at: 0 };
    let mut word = || reader.take(8).ok().and_then(|b| <[u8; 8]>::try_from(b).ok());
    let (revision, issued_at) = (u64::from_le_bytes(word()?), i64::from_le_bytes(word()?));
    let flag = |reader: &mut Reader<'_>| match reader.take(1).ok()? {
        [0] => Some(false),
        [1] => Some(true),
        _ => None,
    };
    let has_end = flag(&mut reader)?;
    let end = i64::from_le_bytes(reader.take(8).ok()?.try_into().ok()?);
    let has_key = flag(&mut reader)?;
    let key: [u8; 8] = reader.take(8).ok()?.try_into().ok()?;
    let len = reader.take(2).ok()?;
    let hash = std::str::from_utf8(reader.take(usize::from(u16::from_le_bytes([len[0], len[1]]))).ok()?).ok()?;
    (reader.at == bytes.len()).then(|| Stamp {
        revision,
        policy_hash: hash.to_owned(),
        issued_at_ms: issued_at,
        not_after_ms: has_end.then_some(end),
        key_id: has_key.then(|| crate::hex::hex(&key)),
    })
}

fn push_section(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// What [`inspect`] finds in a bundle without trusting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Whether a signature is present.
    pub signed: bool,
    /// The engine version that wrote it.
    pub version: String,
    /// What the bundle says about itself.
    pub stamp: Stamp,
    /// Whether it carries the policy's JSON (lint and diff need it; edges do not).
    pub with_policy: bool,
    /// Bytes of the compiled engine.
    pub engine_bytes: usize,
    /// Bytes of the policy JSON.
    pub policy_bytes: usize,
}

struct Parts<'a> {
    header: Header,
    engine: &'a [u8],
    digest: [u8; DIGEST_LEN],
    policy: &'a [u8],
    /// Where `policy` is in the bundle.
    policy_at: std::ops::Range<usize>,
    /// Signed bytes and their signature.
    signature: Option<(&'a [u8], &'a [u8])>,
}

/// Reads the bundle front to back, checking lengths; nothing is trusted yet.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self.at.checked_add(n).filter(|&end| end <= self.bytes.len()).ok_or_else(|| bad("the bundle is truncated"))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn section(&mut self) -> Result<&'a [u8], Error> {
        let len = self.take(4)?;
        let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
        self.take(len)
    }
}

fn split(bytes: &[u8]) -> Result<Parts<'_>, Error> {
    let mut reader = Reader { bytes, at: 0 };
    if reader.take(MAGIC.len()).ok() != Some(MAGIC.as_slice()) {
        return Err(bad("not a clearance bundle (bad magic bytes)"));
    }
    let flags = reader.take(1)?[0];
    if flags & !(SIGNED | NO_POLICY_SECTION) != 0 {
        return Err(bad("the bundle has unknown flags"));
    }
    let (signed, with_policy) = (flags & SIGNED != 0, flags & NO_POLICY_SECTION == 0);
    let version_len = reader.take(2)?;
    let version = reader.take(u16::from_le_bytes([version_len[0], version_len[1]]) as usize)?;
    let version = String::from_utf8(version.to_vec()).map_err(|_| bad("the bundle's version is not utf-8"))?;
    let stamp = read_stamp(reader.section()?).ok_or_else(|| bad("the bundle's stamp does not decode"))?;
    let engine = reader.section()?;
    let mut digest = [0u8; DIGEST_LEN];
    digest.copy_from_slice(reader.take(DIGEST_LEN)?);
    let signed_len = reader.at;
    let signature = if signed { Some((&bytes[..signed_len], reader.take(SIGNATURE_LEN)?)) } else { None };
    let policy = reader.section()?;
    let policy_at = reader.at - policy.len()..reader.at;
    if reader.at != bytes.len() {
        return Err(bad("the bundle has trailing bytes"));
    }
    if !with_policy && !policy.is_empty() {
        return Err(bad("a bundle without its policy has a policy section"));
    }
    Ok(Parts {
        header: Header { signed, version, stamp, with_policy, engine_bytes: engine.len(), policy_bytes: policy.len() },
        engine,
        digest,
        policy,
        policy_at,
        signature,
    })
}

/// Reads a bundle's header, checking its structure but not its signature.
///
/// # Errors
/// `bad_bundle` when it is not a well-formed bundle.
pub fn inspect(bytes: &[u8]) -> Result<Header, Error> {
    split(bytes).map(|parts| parts.header)
}

fn check_signature(parts: &Parts<'_>, public_key: Option<&[u8; 32]>, allow_unsigned: bool) -> Result<(), Error> {
    match (parts.signature, public_key) {
        (None, _) if allow_unsigned => Ok(()),
        (None, _) => Err(Error::one(
            "",
            code::UNSIGNED_BUNDLE,
            "the bundle is unsigned; sign it with `clearance bundle --key` or accept unsigned bundles explicitly",
        )),
        (Some(_), None) => Err(Error::one("", code::BAD_KEY, "a public key is needed to verify this signed bundle")),
        (Some((signed, signature)), Some(key)) => {
            let key =
                VerifyingKey::from_bytes(key).map_err(|_| Error::one("", code::BAD_KEY, "the public key is not a valid ed25519 key"))?;
            let signature =
                Signature::from_slice(signature).map_err(|_| Error::one("", code::BAD_SIGNATURE, "the signature is malformed"))?;
            key.verify(signed, &signature).map_err(|_| {
                Error::one("", code::BAD_SIGNATURE, "the bundle's signature does not match: it was altered, or signed with another key")
            })
        }
    }
}

/// Loads an engine from a bundle trusting one key (or, with
/// `allow_unsigned`, none): structure, signature, version, then the
/// compiled engine. No revision floor; a bundle with a `not_after` is
/// refused, as there is no clock here to hold it to (see [`open_trusted`]).
///
/// # Errors
/// `bad_bundle`, `unsigned_bundle`, `bad_key`, `bad_signature`, `bundle_version`, `expired_bundle`.
pub fn open(bytes: &[u8], public_key: Option<&[u8; 32]>, allow_unsigned: bool) -> Result<Engine, Error> {
    let keys = public_key.map(|key| TrustedKey { key: *key, retired_at_ms: None }).into_iter().collect();
    open_trusted(bytes.to_vec(), &Trust { keys, allow_unsigned, min_revision: 0, now_ms: None }).map(|(engine, _)| engine)
}

/// The engine in a bundle whose signature (or, unsigned, whose policy
/// section) the caller checked: the version, then the compiled engine. A
/// signed bundle's engine still needs its policy section ([`keep_policy`]).
fn decode(parts: &Parts<'_>) -> Result<Engine, Error> {
    if parts.header.version != env!("CARGO_PKG_VERSION") {
        return Err(Error::one(
            "",
            code::BUNDLE_VERSION,
            format!("the bundle was written by engine `{}`, this is `{}`: rebuild it", parts.header.version, env!("CARGO_PKG_VERSION")),
        ));
    }
    // The decoder's own words (which byte, what it expected) say nothing a
    // user can act on and cost the package their text: one message.
    let mut engine: Engine =
        postcard::from_bytes(parts.engine).map_err(|_| bad("the compiled policy does not decode: the bundle is corrupted"))?;
    // Not in the compiled form: rebuilt, so its keys are not hashed twice.
    engine.user_index = crate::id_index::IdIndex::build(engine.user_ids.len(), |u| engine.user_ids.get(u).as_bytes());
    (engine.users_by_role, engine.users_by_department) =
        crate::engine::users_by_role_and_department(&engine.users, engine.roles.len(), engine.departments.len());
    if parts.signature.is_none() {
        let compiled = compile_unsigned(parts)?;
        if !engine.same_compiled_form(&compiled) {
            return Err(bad("the compiled section does not match the bundle's policy: it was altered or corrupted"));
        }
        return Ok(compiled);
    }
    engine.id = Engine::next_id();
    Ok(engine)
}

/// Gives a signed bundle's engine its policy section: the bundle's bytes,
/// kept instead of copied, decoded (UTF-8, JSON) on first use.
fn keep_policy(engine: &mut Engine, bytes: Vec<u8>, policy_at: std::ops::Range<usize>) {
    engine.source = SourcePolicy::lazy(bytes.into_boxed_slice(), policy_at, decode_section);
}

/// A policy section's JSON as a policy: through the same decoder as
/// `Engine::from_json`, so the wasm binary holds one copy of the policy's
/// deserialisation code, not two.
fn decode_section(json: &str) -> Option<crate::policy::Policy> {
    crate::policy::decode_policy(&crate::json::parse_json(json).ok()?).ok()
}

/// An unsigned bundle's policy section, compiled: what its compiled section
/// must equal, since no signature vouches for it (its digest was checked).
fn compile_unsigned(parts: &Parts<'_>) -> Result<Engine, Error> {
    if !parts.header.with_policy {
        return Err(bad("an unsigned bundle must carry its policy: nothing else vouches for its compiled section"));
    }
    let text = std::str::from_utf8(parts.policy).map_err(|_| bad("the bundle's policy section is not utf-8"))?;
    Engine::from_json(text).map_err(|e| {
        bad(format!("the bundle's policy section is not a valid policy: {}", e.problems().first().map_or("", |p| p.message.as_str())))
    })
}

/// Parses a key written as 64 hex digits (surrounding whitespace ignored).
///
/// # Errors
/// `bad_key`.
pub fn parse_hex_key(text: &str) -> Result<[u8; 32], Error> {
    parse_hex::<32>(text.trim()).ok_or_else(|| Error::one("", code::BAD_KEY, "a key must be 64 hex digits (32 bytes)"))
}

/// `N` bytes written as `2N` hex digits.
fn parse_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    // Hex digits only: `from_str_radix` alone would take a sign (`+a` is 10).
    if text.len() != 2 * N || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut bytes = [0u8; N];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(bytes)
}

/// Writes a key as 64 lowercase hex digits.
pub fn hex_key(key: &[u8; 32]) -> String {
    crate::hex::hex(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        Engine::from_json(include_str!("../../examples/reference-org.json")).unwrap()
    }

    const SECRET: [u8; 32] = [7; 32];

    #[test]
    fn round_trip_decides_like_the_original() {
        let original = engine();
        let bytes = write(&original, Some(&SECRET), &Stamp::default(), true).unwrap();
        let loaded = open(&bytes, Some(&public_key(&SECRET)), false).unwrap();
        assert_ne!(loaded.id, original.id);
        assert_eq!(loaded.policy().unwrap(), original.policy().unwrap());
        assert_eq!(loaded.lint().unwrap(), original.lint().unwrap());
    }

    #[test]
    fn every_flipped_byte_is_refused() {
        let bytes = write(&engine(), Some(&SECRET), &Stamp::default(), true).unwrap();
        let key = public_key(&SECRET);
        // Every 97th byte, plus the flag byte and the last one: each flip must fail.
        let mut positions: Vec<usize> = (0..bytes.len()).step_by(97).collect();
        positions.extend([8, bytes.len() - 1]);
        for at in positions {
            let mut tampered = bytes.clone();
            tampered[at] ^= 0x01;
            // Refused at load, the policy section included.
            assert!(open(&tampered, Some(&key), false).is_err(), "byte {at} flipped was accepted");
        }
    }

    /// Loads a mutated unsigned bundle: refused with a bundle code, or the
    /// very engine the reference policy compiles to, which then decides.
    fn refused_or_faithful(bytes: &[u8], original: &Engine) {
        match open(bytes, None, true) {
            Err(error) => assert!(
                [code::BAD_BUNDLE, code::BUNDLE_VERSION, code::UNSIGNED_BUNDLE, code::BAD_KEY].into_iter().any(|c| error.has_code(c)),
                "{error:?}"
            ),
            Ok(engine) => {
                assert!(engine.same_compiled_form(original), "a mutated bundle loaded as another engine");
                let request = crate::parse_json(r#"{"user": "rep_east_alice", "action": "read", "object": "Account", "record": {"id": "a", "object": "Account", "owner": "rep_east_alice"}}"#).unwrap();
                assert!(engine.answer_check(&request, None).unwrap().allowed);
            }
        }
    }

    #[test]
    fn every_corrupted_byte_of_an_unsigned_compiled_section_is_refused_at_load() {
        let original = engine();
        let bytes = write(&original, None, &Stamp::default(), true).unwrap();
        let parts = split(&bytes).unwrap();
        let start = parts.engine.as_ptr() as usize - bytes.as_ptr() as usize;
        let section = start..start + parts.engine.len();
        let mut refused = 0;
        for at in section.clone() {
            let mut mutated = bytes.clone();
            mutated[at] ^= 1 << (at % 8);
            refused += usize::from(open(&mutated, None, true).is_err());
            refused_or_faithful(&mutated, &original);
        }
        assert_eq!(refused, section.len(), "every changed byte of the compiled section changes the engine");
    }

    /// The stable stand-in for `fuzz/fuzz_targets/bundle_open.rs` (cargo-fuzz
    /// needs nightly): deterministic random flips, insertions, deletions,
    /// overwrites with extreme bytes and truncations anywhere in an unsigned
    /// bundle never panic and never load a different engine.
    #[test]
    fn mutated_unsigned_bundles_never_panic_nor_load_another_engine() {
        let original = engine();
        let bytes = write(&original, None, &Stamp::default(), true).unwrap();
        let mut rng = crate::generate::Rng::new(0x5eed_b0d1e);
        for _ in 0..1500 {
            let mut mutated = bytes.clone();
            for _ in 0..1 + rng.below(3) {
                let at = rng.below(mutated.len());
                match rng.below(5) {
                    0 => mutated[at] ^= 1 << rng.below(8),
                    1 => mutated.insert(at, rng.next_u64() as u8),
                    2 => drop(mutated.remove(at)),
                    3 => mutated[at] = [0, 0x7f, 0x80, 0xff][rng.below(4)],
                    _ => mutated.truncate(at),
                }
                if mutated.is_empty() {
                    break;
                }
            }
            refused_or_faithful(&mutated, &original);
        }
    }

    #[test]
    fn truncated_unsigned_and_wrong_key_are_refused() {
        let bytes = write(&engine(), Some(&SECRET), &Stamp::default(), true).unwrap();
        let key = public_key(&SECRET);
        for len in [0, 4, 8, 20, bytes.len() / 2, bytes.len() - 1] {
            assert!(open(&bytes[..len], Some(&key), false).unwrap_err().has_code(code::BAD_BUNDLE), "len {len}");
        }
        let unsigned = write(&engine(), None, &Stamp::default(), true).unwrap();
        assert!(open(&unsigned, Some(&key), false).unwrap_err().has_code(code::UNSIGNED_BUNDLE));
        assert!(open(&unsigned, None, true).is_ok());
        assert!(open(&bytes, Some(&public_key(&[8; 32])), false).unwrap_err().has_code(code::UNKNOWN_KEY));
        assert!(open(&bytes, None, true).unwrap_err().has_code(code::BAD_KEY));
    }

    #[test]
    fn hex_keys_round_trip() {
        let key = public_key(&SECRET);
        assert_eq!(parse_hex_key(&hex_key(&key)).unwrap(), key);
        assert!(parse_hex_key("abc").unwrap_err().has_code(code::BAD_KEY));
        assert!(parse_hex_key(&"zz".repeat(32)).unwrap_err().has_code(code::BAD_KEY));
        assert!(parse_hex_key(&"+a".repeat(32)).unwrap_err().has_code(code::BAD_KEY), "a sign is not a hex digit");
        assert!(parse_hex_key(&"é".repeat(32)).unwrap_err().has_code(code::BAD_KEY));
    }
}
