//! The policy an engine was compiled from: at hand after compiling, or kept
//! as JSON text (from a bundle, whose digest loading checked) and decoded
//! the first time lint or diff need it; absent from a bundle written
//! without it (an edge's bundle: smaller, and faster to load). The bundle
//! hands over its decoder with the text, so the compiled form knows no
//! policy decoding of its own.

use crate::error::{Error, code};
use crate::policy::Policy;
use std::ops::Range;
use std::sync::OnceLock;

/// Turns a policy section's JSON into a policy (`None`: it does not decode).
pub(crate) type Decode = fn(&str) -> Option<Policy>;

/// See the module's documentation.
#[derive(Debug, Clone, Default)]
pub(crate) struct SourcePolicy {
    policy: OnceLock<Option<Policy>>,
    /// A bundle's policy section, kept as bytes: checking its UTF-8 at load
    /// would cost the cold start a pass over the whole text.
    json: Option<(Box<[u8]>, Range<usize>, Decode)>,
}

impl SourcePolicy {
    /// A policy at hand.
    pub fn ready(policy: Policy) -> SourcePolicy {
        SourcePolicy { policy: OnceLock::from(Some(policy)), json: None }
    }

    /// A policy decoded by `decode` on first use from JSON, `bytes[at]`
    /// (the rest of `bytes`, a bundle, is kept rather than copied out).
    pub fn lazy(bytes: Box<[u8]>, at: Range<usize>, decode: Decode) -> SourcePolicy {
        SourcePolicy { policy: OnceLock::new(), json: Some((bytes, at, decode)) }
    }

    /// The policy's JSON text (for bundles).
    ///
    /// # Errors
    /// As [`SourcePolicy::get`].
    pub fn json(&self) -> Result<String, Error> {
        match &self.json {
            Some((bytes, at, _)) => Ok(String::from_utf8_lossy(bytes.get(at.clone()).unwrap_or_default()).into_owned()),
            None => Ok(serde_json::to_string(self.get()?).unwrap_or_default()),
        }
    }

    /// The policy.
    ///
    /// # Errors
    /// `no_policy` for a bundle written without it; `bad_bundle` for a
    /// policy section that does not decode (its signer wrote it so).
    pub fn get(&self) -> Result<&Policy, Error> {
        let Some((bytes, at, decode)) = &self.json else {
            return self.policy.get().and_then(Option::as_ref).ok_or_else(|| {
                Error::one(
                    "",
                    code::NO_POLICY,
                    "the bundle was written without its policy (for edges): lint and diff need a bundle with it",
                )
            });
        };
        let policy = self.policy.get_or_init(|| decode(std::str::from_utf8(bytes.get(at.clone())?).ok()?));
        policy.as_ref().ok_or_else(|| Error::one("", code::BAD_BUNDLE, "the bundle's policy section is not a valid policy"))
    }
}
