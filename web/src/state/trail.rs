//! The server's audit log judged in the browser: its hash chain, the
//! checkpoint the server signs of its head, and the checkpoint this browser
//! kept from its last visit. A database writer without the signing key can
//! rewrite the chain consistently and drop its tail; the checkpoint kept
//! here still names the entry it saw, so such a rewrite shows as broken.

use clearance_core::Problem;
use clearance_core::audit::{self, Entry};
use clearance_core::checkpoint::Checkpoint;

/// Every check, first failure first: the chain ends at `head`; the
/// checkpoint is signed by the key it names and covers the log; the kept
/// checkpoint (if any) names the same key, is signed, and is still covered.
///
/// # Errors
/// The first problem found (`broken_chain`, `bad_signature`, `bad_key`, `key_changed`).
pub fn judge(entries: &[Entry], head: Option<&str>, checkpoint: &Checkpoint, kept: Option<&Checkpoint>) -> Result<(), Problem> {
    let first = |e: clearance_core::Error| {
        e.problems().first().cloned().unwrap_or_else(|| Problem::new("", clearance_core::Code::BrokenChain, "unverified"))
    };
    audit::verify(entries, head).map_err(first)?;
    let key = clearance_core::bundle::parse_hex_key(&checkpoint.key).map_err(first)?;
    checkpoint.verify(&key).map_err(first)?;
    checkpoint.covers(entries).map_err(first)?;
    if let Some(kept) = kept {
        if kept.key != checkpoint.key {
            return Err(Problem::new(
                "/key",
                clearance_core::Code::KeyChanged,
                "the server signs with another key than on your last visit: ask its operator whether the key was rotated",
            ));
        }
        kept.verify(&key).map_err(first)?;
        kept.covers(entries).map_err(first)?;
    }
    Ok(())
}

/// The checkpoint to keep after a visit: the newer of the two (a server's
/// checkpoint never names an earlier entry than one it signed before).
pub fn to_keep(checkpoint: &Checkpoint, kept: Option<&Checkpoint>) -> Checkpoint {
    match kept {
        Some(kept) if kept.seq > checkpoint.seq => kept.clone(),
        _ => checkpoint.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(n: usize) -> Vec<Entry> {
        let mut entries: Vec<Entry> = Vec::new();
        for i in 0..n {
            entries.push(audit::next(entries.last(), "2026-12-06T00:00:00Z", "admin_ivy", "step", &format!("R{i}"), serde_json::json!({})));
        }
        entries
    }

    const SEED: [u8; 32] = [7; 32];

    fn code(result: Result<(), Problem>) -> String {
        result.err().map_or("ok".to_owned(), |p| p.code)
    }

    #[test]
    fn a_consistent_rewrite_or_a_dropped_tail_is_caught_by_the_checkpoint_kept_from_the_last_visit() {
        let full = log(5);
        let signed = Checkpoint::sign(&full[4], "2026-12-06T00:01:00Z", &SEED);
        let head = Some(full[4].hash.as_str());
        assert_eq!(code(judge(&full, head, &signed, None)), "ok");
        assert_eq!(code(judge(&full, head, &signed, Some(&signed))), "ok");
        // The tail dropped, and the server (which signs whatever its head is) signing the shorter log.
        let short = &full[..3];
        let resigned = Checkpoint::sign(&short[2], "2026-12-06T00:02:00Z", &SEED);
        assert_eq!(code(judge(short, Some(&short[2].hash), &resigned, None)), "ok", "alone, a shorter log looks whole");
        let caught = judge(short, Some(&short[2].hash), &resigned, Some(&signed)).unwrap_err();
        assert_eq!(caught.code, "broken_chain");
        assert!(caught.message.contains("tail was deleted"), "{}", caught.message);
        // An edited entry breaks the chain itself.
        let mut edited = full.clone();
        edited[1].actor = "someone_else".into();
        assert_eq!(code(judge(&edited, head, &signed, None)), "broken_chain");
        // A checkpoint whose signature does not match, or signed by another key than last time.
        let mut forged = signed.clone();
        forged.head = full[3].hash.clone();
        assert_eq!(code(judge(&full, head, &forged, None)), "bad_signature");
        let other = Checkpoint::sign(&full[4], "2026-12-06T00:03:00Z", &[9; 32]);
        assert_eq!(code(judge(&full, head, &other, Some(&signed))), "key_changed");
        assert_eq!(code(judge(&full, head, &signed, Some(&forged))), "bad_signature", "a kept checkpoint is checked too");
        assert_eq!(code(judge(&full, Some("beef"), &signed, None)), "broken_chain", "the log must end at its head");
    }

    #[test]
    fn the_newer_checkpoint_is_kept() {
        let full = log(4);
        let (old, new) = (Checkpoint::sign(&full[1], "a", &SEED), Checkpoint::sign(&full[3], "b", &SEED));
        assert_eq!(to_keep(&new, Some(&old)), new);
        assert_eq!(to_keep(&old, Some(&new)), new);
        assert_eq!(to_keep(&old, None), old);
        let resigned = Checkpoint::sign(&full[3], "c", &SEED);
        assert_eq!(to_keep(&resigned, Some(&new)), resigned, "the same entry: the latest signature is kept");
    }
}
