//! `change`, `versions`, `audit`, `review` and `state`: change control
//! against the SQLite state database (see `clearance_cli::store`). Every
//! command runs in one transaction and records what it did in the audit log.

use crate::commands::report;
use clearance_cli::load::{load_policy, parse_records, read_checkpoint, read_text};
use clearance_cli::store::{Export, Store};
use clearance_core::change::request::ChangeRequest;
use clearance_core::change::review::{Reviewers, Verdict};
use clearance_core::change::steps::{self, Storage};
use clearance_core::change::{self, Operation};
use clearance_core::{Engine, Error, Lang};
use serde_json::json;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// The time of an action: `--at`, else `CLEARANCE_NOW`, else the clock (UTC, RFC 3339).
pub fn now(at: Option<&str>) -> String {
    if let Some(at) = at {
        return at.to_owned();
    }
    if let Ok(at) = std::env::var("CLEARANCE_NOW") {
        return at;
    }
    // Whole seconds, as the audit log has always written them.
    let text = clearance_core::format_rfc3339(crate::commands::now_ms().div_euclid(1000) * 1000);
    format!("{}Z", &text[..19])
}

fn print(value: &serde_json::Value) -> Result<ExitCode, Error> {
    let _ = writeln!(std::io::stdout(), "{}", serde_json::to_string_pretty(value).unwrap_or_default());
    Ok(ExitCode::SUCCESS)
}

/// The acting user must be a user of the policy: every recorded step names
/// a real person (the sequencer checks it too; this says which flag names it).
fn as_flag(error: Error) -> Error {
    if error.has_code(clearance_core::error::code::UNKNOWN_USER) {
        let message = error.problems().first().map(|p| p.message.clone()).unwrap_or_default();
        return Error::one("/as", clearance_core::error::code::UNKNOWN_USER, format!("{message}: `--as` names a user of the policy"));
    }
    error
}

fn request_json(request: &ChangeRequest) -> serde_json::Value {
    json!({
        "id": request.id, "state": request.state, "author": request.author, "base": request.base,
        "approvals_needed": request.approvals_needed, "two_approvals_because": request.two_approvals_because,
        "approvers": request.approvers, "applied_version": request.applied_version,
        "summary": change::summarize(&request.changes, Lang::En), "summary_zh": change::summarize(&request.changes, Lang::Zh),
        "changes": request.changes, "history": request.history,
    })
}

/// `versions init POLICY`: the first version.
pub fn init(db: &Path, policy: &Path, actor: &str, at: Option<&str>) -> Result<ExitCode, Error> {
    let policy = load_policy(policy)?.policy()?.clone();
    let at = now(at);
    let version = Store::create(db)?.transaction(|s| steps::init(s, policy, actor, &at)).map_err(as_flag)?;
    print(&json!({"version": version.hash, "seq": version.seq}))
}

/// `change propose CHANGES`: draft and submit a request; with `records`, preview its diff.
pub fn propose(db: &Path, changes: &Path, actor: &str, comment: &str, records: Option<&Path>, at: Option<&str>) -> Result<ExitCode, Error> {
    let ops = change::decode(&clearance_core::parse_json(&read_text(changes)?)?)?;
    propose_ops(db, ops, actor, comment, records, at)
}

pub fn propose_ops(
    db: &Path,
    ops: Vec<Operation>,
    actor: &str,
    comment: &str,
    records: Option<&Path>,
    at: Option<&str>,
) -> Result<ExitCode, Error> {
    let mut store = Store::open(db)?;
    let at = now(at);
    // The preview runs first, outside the transaction, so a failed preview
    // leaves no request behind; it counts the changes instead of keeping
    // each one, so its memory does not grow with how much changes.
    let preview = match records {
        Some(records) => {
            let (current, engine) = steps::current(&store)?;
            steps::known(&engine, actor).map_err(as_flag)?;
            let (_, after) = change::apply(&current.policy, &ops)?;
            let records = parse_records(&read_text(records)?)?;
            Some((current.hash, clearance_core::diff::diff_summary(&engine, &after, &records, &clearance_core::Context::default())?))
        }
        None => None,
    };
    let request = store
        .transaction(|s| {
            let base = s.current()?.map(|v| v.hash);
            if preview.as_ref().is_some_and(|(previewed, _)| Some(previewed) != base.as_ref()) {
                return Err(Error::one(
                    "",
                    clearance_core::change::request::codes::STALE_REQUEST,
                    "the policy changed while the preview ran: propose again",
                ));
            }
            steps::propose(s, actor, ops, comment, &at)
        })
        .map_err(as_flag)?;
    let mut out = request_json(&request);
    if let Some((_, summary)) = preview {
        let count = summary.total.gained + summary.total.lost;
        out["diff"] = json!({"summary": summary, "changes": count});
    }
    print(&out)
}

pub use clearance_core::change::steps::Step;

/// `change approve|reject|apply|review ID`.
pub fn step(db: &Path, id: &str, step: Step, actor: &str, comment: &str, at: Option<&str>) -> Result<ExitCode, Error> {
    let at = now(at);
    let request = Store::open(db)?.transaction(|s| steps::step(s, id, step, actor, comment, &at))?;
    print(&request_json(&request))
}

/// `change show [ID]`.
pub fn show(db: &Path, id: Option<&str>) -> Result<ExitCode, Error> {
    let store = Store::open(db)?;
    match id {
        Some(id) => print(&request_json(&store.request(id)?)),
        None => print(&json!(store.requests()?.iter().map(request_json).collect::<Vec<_>>())),
    }
}

/// `versions list`.
pub fn versions(db: &Path) -> Result<ExitCode, Error> {
    let store = Store::open(db)?;
    let list: Vec<_> = store
        .versions()?
        .iter()
        .map(|v| json!({"seq": v.seq, "version": v.hash, "at": v.at, "author": v.author, "request": v.request}))
        .collect();
    print(&json!(list))
}

/// `versions diff A B --records FILE`.
pub fn versions_diff(db: &Path, a: &str, b: &str, records: &Path) -> Result<ExitCode, Error> {
    let store = Store::open(db)?;
    let (before, after) = (Engine::compile(store.version(a)?.policy)?, Engine::compile(store.version(b)?.policy)?);
    let diff = clearance_core::diff::diff(&before, &after, &parse_records(&read_text(records)?)?, &clearance_core::Context::default())?;
    print(&serde_json::to_value(&diff).unwrap_or_default())
}

/// `versions restore V`: a change request replacing the policy with version V.
pub fn restore(db: &Path, version: &str, actor: &str, comment: &str, at: Option<&str>) -> Result<ExitCode, Error> {
    let at = now(at);
    let request = Store::open(db)?.transaction(|s| steps::restore(s, version, actor, comment, &at)).map_err(as_flag)?;
    print(&request_json(&request))
}

/// `audit verify [--checkpoint FILE --public-key FILE]`: exit 1 and the
/// first bad entry when the chain is broken, or (with a checkpoint) no
/// longer holds the entry the server signed.
pub fn audit_verify(db: &Path, checkpoint: Option<(&Path, &Path)>, json_out: bool) -> Result<ExitCode, Error> {
    let checkpoint = checkpoint.map(read_checkpoint).transpose()?;
    let store = Store::open(db)?;
    let head = store.audit_head()?;
    // The chain, and what it commits to: each version's policy and each request as stored.
    match store.verify(checkpoint.as_ref()) {
        Ok(n) => {
            let checkpoint = checkpoint.map(|c| json!({"seq": c.seq, "at": c.at}));
            print(&json!({"valid": true, "entries": n, "head": head, "checkpoint": checkpoint}))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            report(&error, json_out);
            Ok(ExitCode::from(1))
        }
    }
}

/// `audit export`: the log as JSON Lines.
pub fn audit_export(db: &Path) -> Result<ExitCode, Error> {
    let store = Store::open(db)?;
    let mut out = std::io::stdout().lock();
    for entry in store.audit_log()? {
        if writeln!(out, "{}", serde_json::to_string(&entry).unwrap_or_default()).is_err() {
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `review start`.
pub fn review_start(db: &Path, actor: &str, due: &str, reviewer: Option<&str>, at: Option<&str>) -> Result<ExitCode, Error> {
    if clearance_core::parse_rfc3339(due).is_none() {
        return Err(Error::one("/due", clearance_core::error::code::BAD_VALUE, format!("`{due}` is not an rfc 3339 time")));
    }
    let at = now(at);
    let reviewers = reviewer.map_or(Reviewers::Manager, |r| Reviewers::Named(r.to_owned()));
    let campaign = Store::open(db)?.transaction(|s| steps::start_review(s, actor, due, &reviewers, &at)).map_err(as_flag)?;
    print(&serde_json::to_value(&campaign).unwrap_or_default())
}

/// `review decide CAMPAIGN ITEM keep|revoke`.
pub fn review_decide(
    db: &Path,
    id: &str,
    item: u32,
    verdict: Verdict,
    actor: &str,
    comment: &str,
    at: Option<&str>,
) -> Result<ExitCode, Error> {
    let at = now(at);
    let campaign = Store::open(db)?.transaction(|s| steps::decide(s, id, item, verdict, actor, comment, &at))?;
    let item = campaign.items.iter().find(|i| i.id == item).map(|i| serde_json::to_value(i).unwrap_or_default());
    print(&item.unwrap_or_default())
}

/// `review show CAMPAIGN`: items and the overdue ones.
pub fn review_show(db: &Path, id: &str, at: Option<&str>) -> Result<ExitCode, Error> {
    let campaign = Store::open(db)?.campaign(id)?;
    let overdue: Vec<u32> = campaign.overdue(&now(at)).iter().map(|i| i.id).collect();
    let mut out = serde_json::to_value(&campaign).unwrap_or_default();
    out["overdue"] = json!(overdue);
    print(&out)
}

/// `review close CAMPAIGN`: the revocations become a change request.
pub fn review_close(db: &Path, id: &str, actor: &str, at: Option<&str>) -> Result<ExitCode, Error> {
    let at = now(at);
    let (campaign, request) = Store::open(db)?.transaction(|s| steps::close_review(s, id, actor, &at))?;
    print(&json!({"campaign": campaign.id, "closed_at": campaign.closed_at, "request": request.as_ref().map(request_json)}))
}

/// `state export`.
pub fn state_export(db: &Path) -> Result<ExitCode, Error> {
    print(&serde_json::to_value(Store::open(db)?.export()?).unwrap_or_default())
}

/// `state import FILE --as ACTOR [--force]`: all or nothing. The export is
/// checked whole, the actor must be an approver, a history that does not
/// extend the current one needs `--force`, and the import is itself recorded
/// in the audit log (see `Ledger::admit_import`).
pub fn state_import(db: &Path, file: &Path, actor: &str, force: bool, at: Option<&str>) -> Result<ExitCode, Error> {
    let value = clearance_core::parse_json(&read_text(file)?)?;
    let incoming: Export = serde_json::from_value(value)
        .map_err(|e| Error::one("", clearance_core::error::code::BAD_VALUE, format!("not a state export: {e}")))?;
    let at = now(at);
    let next = Store::create(db)?.transaction(|s| {
        let next = s.export()?.admit_import(incoming, actor, &at, force)?;
        s.replace(&next)?;
        Ok(next)
    })?;
    print(
        &json!({"imported": true, "versions": next.versions.len(), "requests": next.requests.len(), "audit": next.audit.len(), "forced": force}),
    )
}
