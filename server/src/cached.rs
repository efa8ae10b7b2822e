//! The server's store as the sequencer sees it: the SQLite store's rows,
//! with the compiled policy the app keeps, so a step reuses it instead of
//! compiling the current version again (on the 10k-user org, a compile is
//! most of a step's time and memory), and a version an apply just made is
//! kept for the requests that follow.

use crate::App;
use crate::tx::Tx;
use clearance_core::audit::Entry;
use clearance_core::change::request::ChangeRequest;
use clearance_core::change::review::Campaign;
use clearance_core::change::steps::{IdKind, Storage, Version};
use clearance_core::{Engine, Error};
use std::sync::Arc;

/// A store and the app whose compiled policy it shares.
pub struct Cached<'a> {
    /// The rows.
    pub store: &'a mut dyn Tx,
    /// The compiled policy's keeper.
    pub app: &'a App,
}

impl Storage for Cached<'_> {
    fn current(&self) -> Result<Option<Version>, Error> {
        Storage::current(&*self.store)
    }

    fn versions(&self) -> Result<Vec<Version>, Error> {
        Storage::versions(&*self.store)
    }

    fn add_version(&mut self, version: &Version) -> Result<(), Error> {
        self.store.add_version(version)
    }

    fn next_id(&mut self, kind: IdKind) -> Result<String, Error> {
        self.store.next_id(kind)
    }

    fn request(&self, id: &str) -> Result<ChangeRequest, Error> {
        self.store.request(id)
    }

    fn save_request(&mut self, request: &ChangeRequest) -> Result<(), Error> {
        self.store.save_request(request)
    }

    fn campaign(&self, id: &str) -> Result<Campaign, Error> {
        self.store.campaign(id)
    }

    fn save_campaign(&mut self, campaign: &Campaign) -> Result<(), Error> {
        self.store.save_campaign(campaign)
    }

    fn last_entry(&self) -> Result<Option<Entry>, Error> {
        self.store.last_entry()
    }

    fn append(&mut self, entry: &Entry) -> Result<(), Error> {
        self.store.append(entry)
    }

    fn compiled(&self, version: &Version) -> Result<Arc<Engine>, Error> {
        self.app.compiled_for(version)
    }

    fn remember(&mut self, hash: &str, engine: Engine) {
        self.app.keep(hash, Arc::new(engine));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearance_core::change::steps::{self, Step};

    #[test]
    fn steps_reuse_the_kept_policy_and_an_apply_keeps_the_version_it_made() {
        let dir = std::env::temp_dir().join(format!("clearance-cached-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let app = App::new(crate::db::Db::create(&dir).unwrap(), crate::Keys { checkpoint: [1; 32], bundle: [2; 32] }, false, Vec::new());
        let policy = clearance_core::parse_policy(clearance_core::generate::REFERENCE_ORG).unwrap();
        app.db
            .run_now(|s| {
                let mut store = Cached { store: s, app: &app };
                let first = steps::init(&mut store, policy, "admin_ivy", "2026-12-01T10:00:00Z")?;
                let kept = app.compiled_for(&first)?;
                assert!(Arc::ptr_eq(&kept, &app.compiled_for(&first)?), "compiled once per version");
                let (_, current) = steps::current(&store)?;
                assert!(Arc::ptr_eq(&kept, &current), "the sequencer's current policy is the kept one");
                let ops = vec![clearance_core::change::Operation::MoveUser {
                    user: "rep_east_bob".into(),
                    role: Some("sales_rep_west".into()),
                    department: None,
                }];
                let id = steps::propose(&mut store, "mgr_east_mike", ops, "", "2026-12-01T10:01:00Z")?.id;
                steps::step(&mut store, &id, Step::Approve, "admin_ivy", "", "2026-12-01T10:02:00Z")?;
                let applied = steps::step(&mut store, &id, Step::Apply, "fin_mgr_fiona", "", "2026-12-01T10:03:00Z")?;
                let hash = applied.applied_version.unwrap();
                let made = app.kept(Some(&hash)).expect("the apply kept the version it made");
                assert!(Arc::ptr_eq(&made, &app.engine_in(store.store)?), "the next request reads it without compiling");
                assert!(app.kept(Some(&first.hash)).is_none(), "one version kept at a time");
                // The request list is rendered once per audit head: the same bytes until the log moves.
                let listed = app.request_list(store.store)?;
                assert_eq!(app.request_list(store.store)?.as_ptr(), listed.as_ptr(), "rendered once");
                steps::propose(&mut store, "mgr_east_mike", vec![], "", "2026-12-01T10:04:00Z")?;
                let grown = app.request_list(store.store)?;
                assert_ne!(grown.as_ptr(), listed.as_ptr());
                assert_eq!(serde_json::from_slice::<Vec<serde_json::Value>>(&grown).unwrap().len(), 2);
                Ok(())
            })
            .unwrap();
    }
}
