//! Signed checkpoints of the audit log: the control plane signs "the entry
//! at position `seq` has hash `head`" with an Ed25519 key kept outside the
//! database. Whoever keeps a checkpoint can later prove that the log still
//! holds that entry: a rewritten chain (every hash recomputed), a deleted
//! tail, and — through what the entries commit to — an edited version or
//! request no longer match it.

use crate::audit::{Entry, code::BROKEN_CHAIN};
use crate::bundle::{code::BAD_KEY, code::BAD_SIGNATURE, hex_key, parse_hex_key};
use crate::error::Error;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

/// The checkpoint format's name.
pub const FORMAT: &str = "clearance-checkpoint/1";

/// A signed statement of the audit log's head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// [`FORMAT`].
    pub format: String,
    /// The position of the entry it names (from 1).
    pub seq: u64,
    /// That entry's hash.
    pub head: String,
    /// When it was signed (RFC 3339).
    pub at: String,
    /// The signer's public key (64 hex digits).
    pub key: String,
    /// The Ed25519 signature of [`Checkpoint::message`] (128 hex digits).
    pub signature: String,
}

impl Checkpoint {
    /// What is signed: the format, position, hash and time, one per line.
    pub fn message(&self) -> String {
        format!("{FORMAT}\n{}\n{}\n{}", self.seq, self.head, self.at)
    }

    /// Signs the log's newest entry with a 32-byte secret seed.
    pub fn sign(last: &Entry, at: &str, secret: &[u8; 32]) -> Checkpoint {
        let key = SigningKey::from_bytes(secret);
        let mut checkpoint = Checkpoint {
            format: FORMAT.to_owned(),
            seq: last.seq,
            head: last.hash.clone(),
            at: at.to_owned(),
            key: hex_key(&key.verifying_key().to_bytes()),
            signature: String::new(),
        };
        checkpoint.signature = crate::hex::hex(&key.sign(checkpoint.message().as_bytes()).to_bytes());
        checkpoint
    }

    /// Checks the signature against the trusted public key (the key the
    /// checkpoint names must be that one).
    ///
    /// # Errors
    /// `bad_key` for another key; `bad_signature`; `bad_value` for another format.
    pub fn verify(&self, trusted: &[u8; 32]) -> Result<(), Error> {
        if self.format != FORMAT {
            return Err(Error::one(
                "/format",
                crate::error::code::BAD_VALUE,
                format!("expected format `{FORMAT}`, found `{}`", self.format),
            ));
        }
        if parse_hex_key(&self.key).ok().as_ref() != Some(trusted) {
            return Err(Error::one("/key", BAD_KEY, "the checkpoint was signed by another key than the trusted one"));
        }
        let bad_signature = || Error::one("/signature", BAD_SIGNATURE, "the checkpoint's signature does not match it");
        let bytes = unhex64(&self.signature).ok_or_else(bad_signature)?;
        let key = VerifyingKey::from_bytes(trusted).map_err(|_| Error::one("/key", BAD_KEY, "the trusted key is not an ed25519 key"))?;
        key.verify(self.message().as_bytes(), &Signature::from_bytes(&bytes)).map_err(|_| bad_signature())
    }

    /// Whether `audit` still holds the entry this checkpoint names.
    ///
    /// # Errors
    /// `broken_chain`: the log is shorter (a deleted tail) or holds another
    /// entry there (a rewritten chain).
    pub fn covers(&self, audit: &[Entry]) -> Result<(), Error> {
        let index = usize::try_from(self.seq).unwrap_or(usize::MAX).saturating_sub(1);
        match audit.get(index) {
            None => Err(Error::one(
                "/audit",
                BROKEN_CHAIN,
                format!(
                    "the log has {} entries, the checkpoint of {} names entry {}: its tail was deleted",
                    audit.len(),
                    self.at,
                    self.seq
                ),
            )),
            Some(entry) if entry.hash != self.head => Err(Error::one(
                format!("/audit/{index}"),
                BROKEN_CHAIN,
                format!("entry {} is not the one the checkpoint of {} signed: the chain was rewritten", self.seq, self.at),
            )),
            Some(_) => Ok(()),
        }
    }
}

fn unhex64(text: &str) -> Option<[u8; 64]> {
    let mut out = [0u8; 64];
    if text.len() != 128 || !text.is_ascii() {
        return None;
    }
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::next;

    fn log(n: usize) -> Vec<Entry> {
        let mut entries: Vec<Entry> = Vec::new();
        for i in 0..n {
            entries.push(next(entries.last(), "2026-12-01T10:00:00Z", "ivy", "step", &format!("R{i}"), serde_json::Value::Null));
        }
        entries
    }

    #[test]
    fn a_checkpoint_verifies_with_its_key_only_and_covers_the_log_it_signed() {
        let entries = log(5);
        let secret = [9u8; 32];
        let public = crate::bundle::public_key(&secret);
        let checkpoint = Checkpoint::sign(&entries[3], "2026-12-01T10:05:00Z", &secret);
        assert_eq!(checkpoint.seq, 4);
        assert!(checkpoint.verify(&public).is_ok());
        assert!(checkpoint.covers(&entries).is_ok(), "a log that grew still holds it");
        assert!(checkpoint.covers(&entries[..4]).is_ok());
        assert!(checkpoint.verify(&crate::bundle::public_key(&[8u8; 32])).unwrap_err().has_code(BAD_KEY));
        for field in ["seq", "head", "at", "signature"] {
            let mut forged = checkpoint.clone();
            match field {
                "seq" => forged.seq = 2,
                "head" => forged.head = entries[1].hash.clone(),
                "at" => forged.at = "2026-12-02T00:00:00Z".into(),
                _ => forged.signature = "00".repeat(64),
            }
            assert!(forged.verify(&public).unwrap_err().has_code(BAD_SIGNATURE), "{field}");
        }
        let mut other_format = checkpoint.clone();
        other_format.format = "x".into();
        assert!(other_format.verify(&public).is_err());
        let mut short_signature = checkpoint.clone();
        short_signature.signature = "abc".into();
        assert!(short_signature.verify(&public).unwrap_err().has_code(BAD_SIGNATURE));
        let mut long_signature = checkpoint.clone();
        long_signature.signature.push_str("00");
        assert!(long_signature.verify(&public).unwrap_err().has_code(BAD_SIGNATURE), "a valid signature with more after it");
        let mut wide_signature = checkpoint.clone();
        wide_signature.signature.replace_range(..2, "é");
        assert!(wide_signature.verify(&public).unwrap_err().has_code(BAD_SIGNATURE));

        let truncated = checkpoint.covers(&entries[..3]).unwrap_err();
        assert!(truncated.has_code(BROKEN_CHAIN) && truncated.problems()[0].message.contains("deleted"), "{truncated:?}");
        // Rewritten from entry 2 on, every hash recomputed: a valid chain, but not the signed one.
        let mut rewritten = entries[..1].to_vec();
        for i in 1..5 {
            rewritten.push(next(rewritten.last(), "2026-12-01T10:00:00Z", "mallory", "step", &format!("R{i}"), serde_json::Value::Null));
        }
        assert!(crate::audit::verify(&rewritten, None).is_ok());
        assert_eq!(checkpoint.covers(&rewritten).unwrap_err().problems()[0].path, "/audit/3");
    }
}
