//! The in-memory ledger as a [`Storage`]: what the admin app keeps in
//! IndexedDB runs the same sequencer as the CLI's and the server's databases.

use super::ledger::Ledger;
use super::request::ChangeRequest;
use super::review::Campaign;
use super::steps::{IdKind, Storage, Version};
use crate::audit::Entry;
use crate::error::Error;

impl Storage for Ledger {
    fn current(&self) -> Result<Option<Version>, Error> {
        Ok(self.versions.last().cloned())
    }

    fn versions(&self) -> Result<Vec<Version>, Error> {
        Ok(self.versions.clone())
    }

    fn add_version(&mut self, version: &Version) -> Result<(), Error> {
        self.versions.push(version.clone());
        Ok(())
    }

    fn next_id(&mut self, kind: IdKind) -> Result<String, Error> {
        let taken = match kind {
            IdKind::Request => self.requests.len(),
            IdKind::Campaign => self.campaigns.len(),
        };
        Ok(format!("{}{}", kind.prefix(), taken + 1))
    }

    fn request(&self, id: &str) -> Result<ChangeRequest, Error> {
        self.requests
            .iter()
            .find(|r| r.id == id)
            .cloned()
            .ok_or_else(|| Error::one("", crate::Code::UnknownRequest, format!("no change request `{id}`")))
    }

    fn save_request(&mut self, request: &ChangeRequest) -> Result<(), Error> {
        match self.requests.iter_mut().find(|r| r.id == request.id) {
            Some(kept) => *kept = request.clone(),
            None => self.requests.push(request.clone()),
        }
        Ok(())
    }

    fn campaign(&self, id: &str) -> Result<Campaign, Error> {
        self.campaigns
            .iter()
            .find(|c| c.id == id)
            .cloned()
            .ok_or_else(|| Error::one("", crate::Code::UnknownCampaign, format!("no review campaign `{id}`")))
    }

    fn save_campaign(&mut self, campaign: &Campaign) -> Result<(), Error> {
        match self.campaigns.iter_mut().find(|c| c.id == campaign.id) {
            Some(kept) => *kept = campaign.clone(),
            None => self.campaigns.push(campaign.clone()),
        }
        Ok(())
    }

    fn last_entry(&self) -> Result<Option<Entry>, Error> {
        Ok(self.audit.last().cloned())
    }

    fn append(&mut self, entry: &Entry) -> Result<(), Error> {
        self.audit.push(entry.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::Operation;
    use crate::change::request::codes::{NOT_AN_APPROVER, SELF_APPLY};
    use crate::change::review::Reviewers;
    use crate::change::steps::*;
    use crate::error::code;
    use crate::policy::Policy;

    fn reference() -> Policy {
        crate::parse_policy(crate::generate::REFERENCE_ORG).unwrap()
    }

    fn approved_by_fiona(policy: Policy, author: &str) -> (Ledger, String) {
        let mut ledger = Ledger::empty();
        init(&mut ledger, policy, "admin_ivy", "2026-12-01T10:00:00Z").unwrap();
        let ops = vec![Operation::MoveUser { user: "rep_east_bob".into(), role: Some("sales_rep_west".into()), department: None }];
        let id = propose(&mut ledger, author, ops, "", "2026-12-01T10:01:00Z").unwrap().id;
        step(&mut ledger, &id, Step::Approve, "fin_mgr_fiona", "", "2026-12-01T10:02:00Z").unwrap();
        (ledger, id)
    }

    #[test]
    fn only_an_approver_other_than_the_author_applies_unless_the_policy_allows_the_author() {
        let (mut ledger, id) = approved_by_fiona(reference(), "admin_ivy");
        let before = ledger.clone();
        let refused = step(&mut ledger, &id, Step::Apply, "admin_ivy", "", "2026-12-01T10:03:00Z").unwrap_err();
        assert!(refused.has_code(SELF_APPLY), "{refused:?}");
        let refused = step(&mut ledger, &id, Step::Apply, "rep_east_alice", "", "2026-12-01T10:03:00Z").unwrap_err();
        assert!(refused.has_code(NOT_AN_APPROVER), "{refused:?}");
        assert_eq!(ledger.audit, before.audit, "a refused apply records nothing");
        step(&mut ledger, &id, Step::Apply, "fin_mgr_fiona", "", "2026-12-01T10:03:00Z").unwrap();
        assert_eq!(ledger.versions.len(), 2);

        let mut lenient = reference();
        lenient.change_control.get_or_insert_with(Default::default).author_may_apply = true;
        let (mut ledger, id) = approved_by_fiona(lenient, "admin_ivy");
        step(&mut ledger, &id, Step::Apply, "admin_ivy", "", "2026-12-01T10:03:00Z").unwrap();
        assert_eq!(ledger.versions.len(), 2);
    }

    #[test]
    fn ids_follow_what_is_stored_and_every_step_is_one_chained_entry() {
        let mut ledger = Ledger::empty();
        assert!(current(&ledger).unwrap_err().has_code(crate::Code::NoVersion));
        assert!(init(&mut ledger, reference(), "nobody", "2026-12-01T10:00:00Z").unwrap_err().has_code(code::UNKNOWN_USER));
        init(&mut ledger, reference(), "admin_ivy", "2026-12-01T10:00:00Z").unwrap();
        assert!(init(&mut ledger, reference(), "admin_ivy", "2026-12-01T10:00:00Z").unwrap_err().has_code(crate::Code::HasVersion));
        let first = propose(&mut ledger, "mgr_east_mike", Vec::new(), "", "2026-12-01T10:01:00Z").unwrap();
        let second = propose(&mut ledger, "mgr_east_mike", Vec::new(), "", "2026-12-01T10:02:00Z").unwrap();
        let review = start_review(&mut ledger, "admin_ivy", "2026-12-31T00:00:00Z", &Reviewers::Manager, "2026-12-01T10:03:00Z").unwrap();
        assert_eq!((first.id.as_str(), second.id.as_str(), review.id.as_str()), ("R1", "R2", "C1"));
        let actions: Vec<&str> = ledger.audit.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["version_created", "request_submitted", "request_submitted", "review_started"]);
        assert!(crate::audit::verify(&ledger.audit, ledger.audit.last().map(|e| e.hash.as_str())).is_ok());
        assert!(ledger.check(None).is_ok());
        assert!(restore(&mut ledger, "zz", "mgr_east_mike", "", "2026-12-01T10:04:00Z").unwrap_err().has_code(crate::Code::UnknownVersion));
        let hash = ledger.versions[0].hash.clone();
        let restored = restore(&mut ledger, &hash[..6], "mgr_east_mike", "", "2026-12-01T10:04:00Z").unwrap();
        assert_eq!(restored.history[0].comment, format!("restore version {}", &hash[..12]));
    }
}
