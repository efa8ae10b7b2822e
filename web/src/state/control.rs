//! The change-control ledger in the app: the acting user, the ledger loaded
//! from IndexedDB and checked (the audit badge), and one way to take a step
//! — on a copy, kept and stored only when it succeeds. An applied request's
//! version becomes the policy the other pages show.

use super::AppState;
use super::idb;
use clearance_core::Error;
use clearance_core::change::ledger::Ledger;
use leptos::prelude::*;

/// Whether the stored log verified.
#[derive(Debug, Clone, PartialEq)]
pub enum Badge {
    /// Not read yet.
    Loading,
    /// Chain intact (or nothing recorded yet).
    Verified,
    /// The first problem found.
    Broken(String),
}

/// The ledger's signals.
#[derive(Clone, Copy)]
pub struct Control {
    /// The ledger; `None` until the first step creates it.
    pub ledger: RwSignal<Option<Ledger>>,
    /// The audit badge.
    pub badge: RwSignal<Badge>,
}

/// Now, RFC 3339 (UTC).
pub fn now() -> String {
    js_sys::Date::new_0().to_iso_string().as_string().unwrap_or_default()
}

impl Control {
    /// Loads the stored ledger and verifies it.
    pub fn load() -> Control {
        let control = Control { ledger: RwSignal::new(None), badge: RwSignal::new(Badge::Loading) };
        leptos::task::spawn_local(async move {
            let text = idb::get(idb::LEDGER).await;
            let ledger = text.as_deref().map(serde_json::from_str::<Ledger>);
            match ledger {
                None => control.badge.set(Badge::Verified),
                Some(Err(e)) => control.badge.set(Badge::Broken(format!("the stored ledger does not decode: {e}"))),
                Some(Ok(ledger)) => {
                    let badge = match ledger.check(None) {
                        Ok(()) => Badge::Verified,
                        Err(error) => {
                            Badge::Broken(error.problems().first().map(|p| format!("{}: {}", p.path, p.message)).unwrap_or_default())
                        }
                    };
                    control.badge.set(badge);
                    control.ledger.set(Some(ledger));
                }
            }
        });
        control
    }

    /// Replaces the ledger with an export (the CLI's `state export` format)
    /// under the CLI's rule ([`Ledger::admit_import`]): checked whole, the
    /// acting user an approver, the history extending the current one, and
    /// the import recorded in the audit log; nothing changes when it is refused.
    ///
    /// # Errors
    /// Every problem, with its path; the refusal.
    pub fn import(&self, state: AppState, text: &str) -> Result<(), Error> {
        let value = clearance_core::parse_json(text)?;
        let incoming: Ledger = serde_json::from_value(value)
            .map_err(|e| Error::one("", clearance_core::error::code::BAD_VALUE, format!("not a clearance state export: {e}")))?;
        let current = self.ledger.get_untracked().unwrap_or_else(Ledger::empty);
        let ledger = current.admit_import(incoming, &state.actor.get_untracked(), &now(), false)?;
        self.badge.set(Badge::Verified);
        self.commit(state, ledger, true);
        Ok(())
    }

    /// Takes a step as the acting user on a copy of the ledger (created from
    /// the current policy on first use); keeps and stores it on success.
    ///
    /// # Errors
    /// The step's refusal; nothing changes then.
    pub fn act<T>(&self, state: AppState, f: impl FnOnce(&mut Ledger, &str, &str) -> Result<T, Error>) -> Result<T, Error> {
        let (actor, at) = (state.actor.get_untracked(), now());
        let mut ledger = match self.ledger.get_untracked() {
            Some(ledger) => ledger,
            None => Ledger::new(state.model.with_untracked(|m| m.policy.clone()), &actor, &at)?,
        };
        let versions = ledger.versions.len();
        let value = f(&mut ledger, &actor, &at)?;
        let new_version = ledger.versions.len() != versions;
        self.commit(state, ledger, new_version);
        Ok(value)
    }

    /// Keeps and stores `ledger`; with `adopt`, its current version becomes
    /// the policy every page shows (staged edits are dropped).
    fn commit(&self, state: AppState, ledger: Ledger, adopt: bool) {
        if let (true, Some(current)) = (adopt, ledger.current()) {
            let policy = current.policy.clone();
            state.model.update(|m| {
                m.policy = policy;
                m.staged.clear();
            });
        }
        let text = serde_json::to_string(&ledger).unwrap_or_default();
        self.ledger.set(Some(ledger));
        leptos::task::spawn_local(async move {
            let _ = idb::put(idb::LEDGER, &text).await;
        });
    }
}
