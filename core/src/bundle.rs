//! Bundles: a compiled policy in a compact binary form, signed with Ed25519,
//! so edge functions start from the compiled engine instead of compiling.
//!
//! Layout (integers little-endian):
//!
//! | bytes | content |
//! |---|---|
//! | 8 | magic `CLRBNDL1` |
//! | 1 | flags: bit 0 = signed |
//! | 2 + n | engine version (length, UTF-8): the compiled form is internal, so a bundle loads only in the engine that wrote it |
//! | 4 + n | the compiled engine (postcard) |
//! | 4 + n | the policy's JSON (decoded only when lint or diff need it) |
//! | 64 | signed bundles: Ed25519 signature of every byte before it |
//!
//! The signature covers the header too, so flipping the `signed` flag is
//! tampering like any other.

use crate::engine::{Engine, SourcePolicy};
use crate::error::Error;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

/// The bundle's magic bytes.
const MAGIC: &[u8; 8] = b"CLRBNDL1";
const SIGNED: u8 = 1;
const SIGNATURE_LEN: usize = 64;

/// Stable error codes of bundles.
pub mod code {
    /// Not a bundle, or truncated, or its parts do not decode.
    pub const BAD_BUNDLE: &str = "bad_bundle";
    /// The signature does not match the bundle and key: tampered, or another key.
    pub const BAD_SIGNATURE: &str = "bad_signature";
    /// The bundle is unsigned and the caller did not accept unsigned bundles.
    pub const UNSIGNED_BUNDLE: &str = "unsigned_bundle";
    /// A key is malformed (length, encoding) or missing.
    pub const BAD_KEY: &str = "bad_key";
    /// The bundle was written by another engine version.
    pub const BUNDLE_VERSION: &str = "bundle_version";
}

fn bad(message: impl Into<String>) -> Error {
    Error::one("", code::BAD_BUNDLE, message)
}

/// An Ed25519 key pair from a 32-byte secret seed.
pub fn public_key(secret: &[u8; 32]) -> [u8; 32] {
    SigningKey::from_bytes(secret).verifying_key().to_bytes()
}

/// Writes a bundle of `engine`, signed with the 32-byte secret seed when given.
pub fn write(engine: &Engine, secret: Option<&[u8; 32]>) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.push(if secret.is_some() { SIGNED } else { 0 });
    let version = env!("CARGO_PKG_VERSION").as_bytes();
    out.extend_from_slice(&u16::try_from(version.len()).unwrap_or(0).to_le_bytes());
    out.extend_from_slice(version);
    // Serialising plain data into a Vec cannot fail.
    let compiled = postcard::to_allocvec(engine).unwrap_or_default();
    push_section(&mut out, &compiled);
    push_section(&mut out, engine.source.json().as_bytes());
    if let Some(secret) = secret {
        let signature = SigningKey::from_bytes(secret).sign(&out);
        out.extend_from_slice(&signature.to_bytes());
    }
    out
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
    /// Bytes of the compiled engine.
    pub engine_bytes: usize,
    /// Bytes of the policy JSON.
    pub policy_bytes: usize,
}

struct Parts<'a> {
    header: Header,
    engine: &'a [u8],
    policy: &'a [u8],
    /// Signed bytes and their signature.
    signature: Option<(&'a [u8], &'a [u8])>,
}

fn split(bytes: &[u8]) -> Result<Parts<'_>, Error> {
    let mut rest = bytes.strip_prefix(MAGIC.as_slice()).ok_or_else(|| bad("not a clearance bundle (bad magic bytes)"))?;
    let take = |rest: &mut &[u8], n: usize| -> Result<Vec<u8>, Error> {
        if rest.len() < n {
            return Err(bad("the bundle is truncated"));
        }
        let (head, tail) = rest.split_at(n);
        *rest = tail;
        Ok(head.to_vec())
    };
    let flags = take(&mut rest, 1)?[0];
    let signed = flags & SIGNED != 0;
    let version_len = u16::from_le_bytes(take(&mut rest, 2)?.try_into().map_err(|_| bad("the bundle is truncated"))?);
    let version = String::from_utf8(take(&mut rest, version_len as usize)?).map_err(|_| bad("the bundle's version is not utf-8"))?;
    let section = |rest: &mut &[u8]| -> Result<(usize, usize), Error> {
        let len = u32::from_le_bytes(take(rest, 4)?.try_into().map_err(|_| bad("the bundle is truncated"))?) as usize;
        let start = bytes.len() - rest.len();
        take(rest, len)?;
        Ok((start, len))
    };
    let (engine_at, engine_len) = section(&mut rest)?;
    let (policy_at, policy_len) = section(&mut rest)?;
    let signed_len = bytes.len() - rest.len();
    let signature = if signed {
        if rest.len() != SIGNATURE_LEN {
            return Err(bad("the bundle is truncated or has trailing bytes after its signature"));
        }
        Some((&bytes[..signed_len], rest))
    } else {
        if !rest.is_empty() {
            return Err(bad("the bundle has trailing bytes"));
        }
        None
    };
    Ok(Parts {
        header: Header { signed, version, engine_bytes: engine_len, policy_bytes: policy_len },
        engine: &bytes[engine_at..engine_at + engine_len],
        policy: &bytes[policy_at..policy_at + policy_len],
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

/// Verifies a bundle's signature with a 32-byte public key.
///
/// # Errors
/// `bad_bundle`, `unsigned_bundle`, `bad_key`, `bad_signature`.
pub fn verify(bytes: &[u8], public_key: &[u8; 32]) -> Result<Header, Error> {
    let parts = split(bytes)?;
    check_signature(&parts, Some(public_key), false)?;
    Ok(parts.header)
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

/// Loads an engine from a bundle: structure, signature (unless it is
/// unsigned and `allow_unsigned`), version, then the compiled engine.
///
/// # Errors
/// `bad_bundle`, `unsigned_bundle`, `bad_key`, `bad_signature`, `bundle_version`.
pub fn open(bytes: &[u8], public_key: Option<&[u8; 32]>, allow_unsigned: bool) -> Result<Engine, Error> {
    let parts = split(bytes)?;
    check_signature(&parts, public_key, allow_unsigned)?;
    if parts.header.version != env!("CARGO_PKG_VERSION") {
        return Err(Error::one(
            "",
            code::BUNDLE_VERSION,
            format!("the bundle was written by engine `{}`, this is `{}`: rebuild it", parts.header.version, env!("CARGO_PKG_VERSION")),
        ));
    }
    let mut engine: Engine = postcard::from_bytes(parts.engine).map_err(|e| bad(format!("the compiled policy does not decode: {e}")))?;
    let policy = std::str::from_utf8(parts.policy).map_err(|_| bad("the policy section is not utf-8"))?;
    engine.source = SourcePolicy::lazy(policy.into());
    engine.id = crate::compile::next_engine_id();
    Ok(engine)
}

/// Parses a key written as 64 hex digits (surrounding whitespace ignored).
///
/// # Errors
/// `bad_key`.
pub fn parse_hex_key(text: &str) -> Result<[u8; 32], Error> {
    let text = text.trim();
    let bad_key = || Error::one("", code::BAD_KEY, "a key must be 64 hex digits (32 bytes)");
    if text.len() != 64 || !text.is_ascii() {
        return Err(bad_key());
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| bad_key())?;
    }
    Ok(key)
}

/// Writes a key as 64 lowercase hex digits.
pub fn hex_key(key: &[u8; 32]) -> String {
    key.iter().map(|b| format!("{b:02x}")).collect()
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
        let bytes = write(&original, Some(&SECRET));
        let loaded = open(&bytes, Some(&public_key(&SECRET)), false).unwrap();
        assert_ne!(loaded.id, original.id);
        assert_eq!(loaded.policy(), original.policy());
        assert_eq!(loaded.lint(), original.lint());
    }

    #[test]
    fn every_flipped_byte_is_refused() {
        let bytes = write(&engine(), Some(&SECRET));
        let key = public_key(&SECRET);
        // Every 97th byte, plus the flag byte and the last one: each flip must fail.
        let mut positions: Vec<usize> = (0..bytes.len()).step_by(97).collect();
        positions.extend([8, bytes.len() - 1]);
        for at in positions {
            let mut tampered = bytes.clone();
            tampered[at] ^= 0x01;
            assert!(open(&tampered, Some(&key), false).is_err(), "byte {at} flipped was accepted");
        }
    }

    #[test]
    fn truncated_unsigned_and_wrong_key_are_refused() {
        let bytes = write(&engine(), Some(&SECRET));
        let key = public_key(&SECRET);
        for len in [0, 4, 8, 20, bytes.len() / 2, bytes.len() - 1] {
            assert!(open(&bytes[..len], Some(&key), false).unwrap_err().has_code(code::BAD_BUNDLE), "len {len}");
        }
        let unsigned = write(&engine(), None);
        assert!(open(&unsigned, Some(&key), false).unwrap_err().has_code(code::UNSIGNED_BUNDLE));
        assert!(open(&unsigned, None, true).is_ok());
        assert!(open(&bytes, Some(&public_key(&[8; 32])), false).unwrap_err().has_code(code::BAD_SIGNATURE));
        assert!(open(&bytes, None, true).unwrap_err().has_code(code::BAD_KEY));
    }

    #[test]
    fn hex_keys_round_trip() {
        let key = public_key(&SECRET);
        assert_eq!(parse_hex_key(&hex_key(&key)).unwrap(), key);
        assert!(parse_hex_key("abc").unwrap_err().has_code(code::BAD_KEY));
        assert!(parse_hex_key(&"zz".repeat(32)).unwrap_err().has_code(code::BAD_KEY));
    }
}
