//! Sign-in attempts per client address: a token bucket per address (ten
//! attempts at once, then one every six seconds), so one address cannot
//! guess passwords across many accounts (the per-account lockout stops
//! guessing one). Kept in memory: a restart forgets, and replicas each
//! count their own share; the account lockout lives in the database.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Attempts an address may make at once.
pub const BURST: f64 = 10.0;
/// Attempts regained per second.
pub const PER_SECOND: f64 = 1.0 / 6.0;
/// Addresses remembered before the idle ones are forgotten.
const REMEMBERED: usize = 100_000;

/// The buckets.
#[derive(Default)]
pub struct SignInLimit {
    buckets: Mutex<HashMap<IpAddr, (f64, i64)>>,
}

impl SignInLimit {
    /// Takes one attempt for `address` at `now_ms`; `Err(seconds)` says when the next is allowed.
    pub fn take(&self, address: IpAddr, now_ms: i64) -> Result<(), u64> {
        let mut buckets = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= REMEMBERED {
            // Full buckets say nothing: forget them first.
            buckets.retain(|_, (tokens, at)| refill(*tokens, *at, now_ms) < BURST);
        }
        let (tokens, at) = buckets.entry(address).or_insert((BURST, now_ms));
        let available = refill(*tokens, *at, now_ms);
        if available < 1.0 {
            // Under one attempt left: the seconds until one is back (at least 1, at most 6).
            return Err(((1.0 - available) / PER_SECOND).ceil() as u64);
        }
        *tokens = available - 1.0;
        *at = now_ms;
        Ok(())
    }
}

fn refill(tokens: f64, at: i64, now_ms: i64) -> f64 {
    let seconds = now_ms.saturating_sub(at).max(0) as f64 / 1000.0;
    (tokens + seconds * PER_SECOND).min(BURST)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_a_burst_then_one_attempt_every_six_seconds() {
        let limit = SignInLimit::default();
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        for _ in 0..10 {
            assert!(limit.take(a, 0).is_ok());
        }
        assert_eq!(limit.take(a, 0), Err(6));
        assert_eq!(limit.take(a, 3_000), Err(3));
        assert!(limit.take(b, 0).is_ok(), "another address has its own bucket");
        assert!(limit.take(a, 6_000).is_ok());
        assert_eq!(limit.take(a, 6_000), Err(6));
        assert!(limit.take(a, 1_000_000).is_ok(), "a long pause refills the bucket");
    }

    #[test]
    fn a_full_table_forgets_the_addresses_whose_buckets_are_full_again() {
        let limit = SignInLimit::default();
        let hot: IpAddr = "10.9.9.9".parse().unwrap();
        for _ in 0..10 {
            assert!(limit.take(hot, 0).is_ok());
        }
        for n in 0..(REMEMBERED as u32 - 1) {
            assert!(limit.take(IpAddr::from(n.to_be_bytes()), 0).is_ok());
        }
        assert_eq!(limit.buckets.lock().unwrap().len(), REMEMBERED);
        // Ten seconds later the others are full again (they took one), the hot one is not (it took ten).
        assert!(limit.take("10.8.8.8".parse().unwrap(), 10_000).is_ok());
        let buckets = limit.buckets.lock().unwrap();
        assert_eq!(buckets.len(), 2, "the full buckets were forgotten, the hot one and the new one kept");
        assert!(buckets.contains_key(&hot));
    }
}
