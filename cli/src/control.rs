//! The change-control subcommands' dispatch (`change`, `versions`,
//! `review`): each to the local state's workflow, or with `--server` to the
//! shared server.

use crate::{Actor, ChangeCommand, ReviewCommand, VerdictArg, VersionsCommand, remote, workflow};
use std::process::ExitCode;

pub(crate) fn change(command: ChangeCommand) -> Result<ExitCode, clearance_core::Error> {
    use workflow::Step;
    let step = |id: &str, s: Step, a: &Actor| match a.remote() {
        Some(remote) => remote::step(&remote?, id, s, &a.comment),
        None => workflow::step(&a.db, id, s, a.who(), &a.comment, a.at.as_deref()),
    };
    match command {
        ChangeCommand::Propose { changes, actor: a, records } => match a.remote() {
            Some(remote) => remote::propose(&remote?, &changes, &a.comment, records.as_deref()),
            None => workflow::propose(&a.db, &changes, a.who(), &a.comment, records.as_deref(), a.at.as_deref()),
        },
        ChangeCommand::Approve { id, actor } => step(&id, Step::Approve, &actor),
        ChangeCommand::Reject { id, actor } => step(&id, Step::Reject, &actor),
        ChangeCommand::Apply { id, actor } => step(&id, Step::Apply, &actor),
        ChangeCommand::Review { id, actor } => step(&id, Step::Review, &actor),
        ChangeCommand::Show { id, source } => match &source.server {
            Some(url) => remote::show(&remote::Remote::new(url, None, None)?, id.as_deref()),
            None => workflow::show(&source.db, id.as_deref()),
        },
    }
}

pub(crate) fn versions(command: VersionsCommand) -> Result<ExitCode, clearance_core::Error> {
    match command {
        VersionsCommand::Init { policy, actor: a } => {
            a.local_only("versions init")?;
            workflow::init(&a.db, &policy, a.who(), a.at.as_deref())
        }
        VersionsCommand::List { source } => match &source.server {
            Some(url) => remote::print(&remote::Remote::new(url, None, None)?.get("/v1/versions")?),
            None => workflow::versions(&source.db),
        },
        VersionsCommand::Diff { a, b, records, db } => workflow::versions_diff(&db.db, &a, &b, &records),
        VersionsCommand::Restore { version, actor: a } => match a.remote() {
            Some(remote) => remote::print(&remote?.post(&format!("/v1/versions/{version}/restore"), &remote::comment(&a.comment))?),
            None => workflow::restore(&a.db, &version, a.who(), &a.comment, a.at.as_deref()),
        },
    }
}

pub(crate) fn review(command: ReviewCommand) -> Result<ExitCode, clearance_core::Error> {
    use clearance_core::change::review::Verdict;
    let verdict_of = |v: VerdictArg| if v == VerdictArg::Keep { Verdict::Keep } else { Verdict::Revoke };
    match command {
        ReviewCommand::Start { due, reviewer, actor: a } => match a.remote() {
            Some(remote) => remote::print(&remote?.post("/v1/reviews", &serde_json::json!({"due": due, "reviewer": reviewer}))?),
            None => workflow::review_start(&a.db, a.who(), &due, reviewer.as_deref(), a.at.as_deref()),
        },
        ReviewCommand::Decide { campaign, item, verdict, actor: a } => match a.remote() {
            Some(remote) => {
                let body = serde_json::json!({"verdict": verdict_of(verdict), "comment": a.comment});
                remote::print(&remote?.post(&format!("/v1/reviews/{campaign}/items/{item}"), &body)?)
            }
            None => workflow::review_decide(&a.db, &campaign, item, verdict_of(verdict), a.who(), &a.comment, a.at.as_deref()),
        },
        ReviewCommand::Show { campaign, source, at } => match &source.server {
            Some(url) => remote::print(&remote::Remote::new(url, None, at.as_deref())?.get(&format!("/v1/reviews/{campaign}"))?),
            None => workflow::review_show(&source.db, &campaign, at.as_deref()),
        },
        ReviewCommand::Close { campaign, actor: a } => match a.remote() {
            Some(remote) => remote::print(&remote?.post(&format!("/v1/reviews/{campaign}/close"), &serde_json::json!({}))?),
            None => workflow::review_close(&a.db, &campaign, a.who(), a.at.as_deref()),
        },
    }
}
