//! The large org off the main thread: the protocol between the page and the
//! Web Worker (`src/worker_main.rs`), the worker's computation (tested
//! natively), and the page's side, which spawns the worker and turns its
//! replies into signals.

use clearance_core::change::{self, Operation};
use clearance_core::diff::{Change, Summary};
use clearance_core::generate::{Params, generate};
use clearance_core::{Dataset, Engine, Problem};
use serde::{Deserialize, Serialize};

/// How many changes a reply lists (the summary counts all of them).
pub const LISTED: usize = 200;

/// Page → worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Records of the generated org.
    pub records: usize,
    /// The staged edits.
    pub staged: Vec<Operation>,
    /// A number the reply repeats, so stale replies are ignored.
    pub id: u64,
    /// What is asked (default: the diff).
    #[serde(default)]
    pub question: Question,
}

/// What the page asks the worker.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "ask", rename_all = "snake_case")]
pub enum Question {
    /// Who gains and loses what with the staged edits.
    #[default]
    Diff,
    /// The records a user may read (with the staged edits), per object, explained.
    UserRecords {
        /// User id.
        user: String,
        /// `en` or `zh`.
        lang: String,
    },
    /// The record ids holding what is typed (the record field's suggestions).
    Records {
        /// What the admin typed.
        typed: String,
    },
    /// Who may take `action` on `record` (with the staged edits), and, when
    /// a user is picked too, that user's decision.
    Record {
        /// Record id.
        record: String,
        /// User id, or empty.
        user: String,
        /// Action name.
        action: String,
        /// `en` or `zh`.
        lang: String,
    },
}

/// The kinds of question: the page keeps the latest of each, and a reply
/// to an older one of its kind is stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// [`Question::Diff`].
    Diff,
    /// [`Question::UserRecords`].
    UserRecords,
    /// [`Question::Records`].
    Records,
    /// [`Question::Record`].
    Record,
}

impl Kind {
    /// How many kinds there are (the page keeps one latest id per kind).
    pub const COUNT: usize = 4;

    /// Its place among the [`Kind::COUNT`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl Question {
    /// Which of the page's answers this question replaces.
    pub fn kind(&self) -> Kind {
        match self {
            Question::Diff => Kind::Diff,
            Question::UserRecords { .. } => Kind::UserRecords,
            Question::Records { .. } => Kind::Records,
            Question::Record { .. } => Kind::Record,
        }
    }
}

/// Record ids suggested at most per `Records` answer.
pub const SUGGESTED: usize = 20;

/// Users listed at most in a `Record` answer (its count says how many may).
pub const LISTED_USERS: usize = 1000;

/// Records listed per object in a `UserRecords` answer.
pub const LISTED_PER_OBJECT: usize = 50;

/// Worker → page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reply {
    /// The worker runs and takes requests.
    Ready,
    /// A step of the work: `generate`, `load`, `compile`, `diff`.
    Progress {
        /// The step.
        step: String,
        /// Steps done.
        done: u32,
        /// Steps in all.
        total: u32,
    },
    /// The diff of the staged edits.
    Result {
        /// The request's id.
        id: u64,
        /// Counts.
        summary: Summary,
        /// The first [`LISTED`] changes.
        changes: Vec<Change>,
        /// Milliseconds the diff took (not the generation).
        diff_ms: f64,
    },
    /// A user's readable records per object: `(object, count, first rows)`.
    UserRecords {
        /// The request's id.
        id: u64,
        /// The user.
        user: String,
        /// Per object: name, how many, the first [`LISTED_PER_OBJECT`].
        objects: Vec<(String, usize, Vec<crate::state::model::RecordRow>)>,
    },
    /// The record ids holding `typed`, at most [`SUGGESTED`].
    Records {
        /// The request's id.
        id: u64,
        /// What was typed.
        typed: String,
        /// The ids, those that start with `typed` first.
        ids: Vec<String>,
    },
    /// A record's users and, with a user picked, the decision.
    Record {
        /// The request's id.
        id: u64,
        /// The record (absent from the org: no users, no decision).
        record: String,
        /// The user asked about, or empty.
        user: String,
        /// The action.
        action: String,
        /// How many users may.
        count: usize,
        /// The first [`LISTED_USERS`] of them, each explained.
        users: Vec<crate::state::model::UserRow>,
        /// The picked user's decision.
        decision: Option<crate::state::model::DecisionRow>,
    },
    /// The question could not be answered (the staged edits do not apply).
    Failed {
        /// The question's kind and id (none when the question could not
        /// even be read): the failure shows where its answer would have.
        about: Option<(Kind, u64)>,
        /// Every problem.
        problems: Vec<Problem>,
    },
}

impl Reply {
    /// The question kind and id this reply answers; `None` for progress,
    /// readiness and a question that could not be read.
    pub fn answers(&self) -> Option<(Kind, u64)> {
        match self {
            Reply::Result { id, .. } => Some((Kind::Diff, *id)),
            Reply::UserRecords { id, .. } => Some((Kind::UserRecords, *id)),
            Reply::Records { id, .. } => Some((Kind::Records, *id)),
            Reply::Record { id, .. } => Some((Kind::Record, *id)),
            Reply::Failed { about, .. } => *about,
            Reply::Ready | Reply::Progress { .. } => None,
        }
    }
}

/// The generated org, loaded once.
pub struct Large {
    records: usize,
    engine: Engine,
    dataset: Dataset,
    inputs: Vec<clearance_core::RecordInput>,
}

/// Loads records one by one (never one JSON tree of them all).
fn load(engine: &Engine, inputs: &[clearance_core::RecordInput]) -> Result<Dataset, clearance_core::Error> {
    let mut loader = engine.dataset_loader();
    for input in inputs {
        loader.push(&serde_json::to_value(input).unwrap_or_default());
    }
    loader.finish()
}

fn now_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
    }
}

/// Answers a request: generates and loads the org on first use (kept in
/// `cache`), applies the staged edits, and diffs — reporting each step.
pub fn large_diff(cache: &mut Option<Large>, request: &Request, progress: &mut dyn FnMut(&str, u32, u32)) -> Reply {
    answer(cache, request, progress)
        .unwrap_or_else(|problems| Reply::Failed { about: Some((request.question.kind(), request.id)), problems })
}

/// [`large_diff`], its failures as their problems.
fn answer(cache: &mut Option<Large>, request: &Request, progress: &mut dyn FnMut(&str, u32, u32)) -> Result<Reply, Vec<Problem>> {
    const STEPS: u32 = 4;
    let problems = clearance_core::Error::into_problems;
    let large = match cache {
        Some(large) if large.records == request.records => large,
        _ => {
            progress("generate", 0, STEPS);
            let (policy, inputs) = generate(&Params::large(request.records));
            progress("load", 1, STEPS);
            let engine = Engine::compile(policy).map_err(problems)?;
            let dataset = load(&engine, &inputs).map_err(problems)?;
            cache.insert(Large { records: request.records, engine, dataset, inputs })
        }
    };
    // Record ids do not change with the staged edits: no compile for a keystroke.
    if let Question::Records { typed } = &request.question {
        let ids = crate::state::search::search_records(&large.dataset, typed, SUGGESTED);
        return Ok(Reply::Records { id: request.id, typed: typed.clone(), ids });
    }
    progress("compile", 2, STEPS);
    let (_, after) = change::apply(large.engine.policy().map_err(problems)?, &request.staged).map_err(problems)?;
    let rebound = after.rebind(&large.dataset, &large.engine).map(Ok);
    let after_dataset = rebound.unwrap_or_else(|| load(&after, &large.inputs)).map_err(problems)?;
    if let Some(reply) = about_one(request, &after, &after_dataset) {
        return Ok(reply);
    }
    progress("diff", 3, STEPS);
    let start = now_ms();
    let diff =
        clearance_core::diff::diff_loaded(&large.engine, &large.dataset, &after, &after_dataset, &Default::default()).map_err(problems)?;
    Ok(Reply::Result {
        id: request.id,
        summary: diff.summary,
        changes: diff.changes.into_iter().take(LISTED).collect(),
        diff_ms: now_ms() - start,
    })
}

/// The answers about one user or one record, on the org with the staged edits.
fn about_one(request: &Request, engine: &Engine, dataset: &Dataset) -> Option<Reply> {
    use crate::state::model::{decision_view, record_view, user_view};
    let lang = |lang: &str| clearance_core::Lang::parse(lang).unwrap_or(clearance_core::Lang::En);
    match &request.question {
        Question::UserRecords { user, lang: l } => {
            let objects = user_view(engine, dataset, user, lang(l))
                .into_iter()
                .map(|(object, rows)| {
                    let count = rows.len();
                    (object, count, rows.into_iter().take(LISTED_PER_OBJECT).collect())
                })
                .collect();
            Some(Reply::UserRecords { id: request.id, user: user.clone(), objects })
        }
        Question::Record { record, user, action, lang: l } => {
            let users = record_view(engine, dataset, record, action, lang(l));
            let decision = (!user.is_empty()).then(|| decision_view(engine, dataset, user, record, action, lang(l))).flatten();
            let count = users.len();
            let users = users.into_iter().take(LISTED_USERS).collect();
            Some(Reply::Record {
                id: request.id,
                record: record.clone(),
                user: user.clone(),
                action: action.clone(),
                count,
                users,
                decision,
            })
        }
        Question::Diff | Question::Records { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worker_diffs_a_user_move_and_reports_every_step() {
        let mut cache = None;
        let mut steps = Vec::new();
        let request = Request {
            records: 2_000,
            staged: vec![Operation::MoveUser { user: "user_5".into(), role: Some("role_1".into()), department: None }],
            id: 7,
            question: Question::Diff,
        };
        let reply = large_diff(&mut cache, &request, &mut |step, _, _| steps.push(step.to_owned()));
        assert_eq!(steps, ["generate", "load", "compile", "diff"]);
        let Reply::Result { id, summary, changes, .. } = reply else { panic!("{reply:?}") };
        assert_eq!(id, 7);
        assert!(changes.len() <= LISTED);
        assert!(summary.total.gained + summary.total.lost >= changes.len());
        // The org is generated once.
        steps.clear();
        large_diff(&mut cache, &request, &mut |step, _, _| steps.push(step.to_owned()));
        assert_eq!(steps, ["compile", "diff"]);
        let bad =
            Request { records: 2_000, staged: vec![Operation::RemoveUser { user: "nobody".into() }], id: 8, question: Question::Diff };
        let Reply::Failed { about, problems } = large_diff(&mut cache, &bad, &mut |_, _, _| {}) else { panic!("a failure") };
        assert_eq!((about, problems[0].code.as_str()), (Some((Kind::Diff, 8)), "unknown_user"));
        // A failed question about a user says so: the page shows it where that user's records would be.
        let user = Question::UserRecords { user: "user_5".into(), lang: "en".into() };
        let bad = Request { question: user.clone(), id: 9, ..bad };
        assert_eq!(large_diff(&mut cache, &bad, &mut |_, _, _| {}).answers(), Some((Kind::UserRecords, 9)));
        let ask = Request { question: user, ..request };
        let Reply::UserRecords { objects, .. } = large_diff(&mut cache, &ask, &mut |_, _, _| {}) else { panic!("user records") };
        assert!(objects.iter().any(|(_, count, rows)| *count > 0 && rows.len() == (*count).min(LISTED_PER_OBJECT)));
    }

    #[test]
    fn the_worker_finds_records_as_typed_without_compiling_and_answers_about_one_record() {
        let mut cache = None;
        let ask = |question| Request { records: 2_000, staged: Vec::new(), id: 9, question };
        let mut steps = Vec::new();
        let reply =
            large_diff(&mut cache, &ask(Question::Records { typed: "acc_1".into() }), &mut |step, _, _| steps.push(step.to_owned()));
        assert_eq!(steps, ["generate", "load"], "a keystroke compiles nothing");
        let Reply::Records { id: 9, typed, ids } = reply else { panic!("{reply:?}") };
        assert_eq!((typed.as_str(), ids.len(), ids[0].as_str()), ("acc_1", SUGGESTED, "acc_1"));
        assert_eq!(Reply::Records { id: 9, typed, ids }.answers(), Some((Question::Records { typed: String::new() }.kind(), 9)));
        let record = |user: &str| Question::Record { record: "acc_1".into(), user: user.into(), action: "read".into(), lang: "zh".into() };
        let Reply::Record { count, users, decision, user, .. } = large_diff(&mut cache, &ask(record("")), &mut |_, _, _| {}) else {
            panic!("record")
        };
        assert!(count > 0 && users.len() == count.min(LISTED_USERS) && decision.is_none() && user.is_empty());
        let reader = users[0].user.clone();
        let Reply::Record { decision: Some(d), count: again, .. } = large_diff(&mut cache, &ask(record(&reader)), &mut |_, _, _| {}) else {
            panic!("a decision")
        };
        assert!(d.allowed && again == count && d.message.contains(&reader), "{d:?}");
        let missing = Question::Record { record: "nope".into(), user: reader.clone(), action: "read".into(), lang: "en".into() };
        let Reply::Record { count: 0, decision: None, .. } = large_diff(&mut cache, &ask(missing), &mut |_, _, _| {}) else {
            panic!("none")
        };
        // The staged edits apply to the answer: a deactivated reader is no longer one.
        let staged = vec![Operation::SetUserActive { user: reader.clone(), active: false }];
        let reply = large_diff(&mut cache, &Request { staged, ..ask(record(&reader)) }, &mut |_, _, _| {});
        let Reply::Record { count: after, decision: Some(d), users, .. } = reply else { panic!("{reply:?}") };
        assert!(after == count - 1 && !d.allowed && users.iter().all(|u| u.user != reader), "{after} of {count}");
    }

    #[test]
    fn each_reply_answers_the_kind_of_its_question() {
        let kinds = [Question::Diff, Question::UserRecords { user: String::new(), lang: String::new() }].map(|q| q.kind());
        assert_eq!(kinds, [Kind::Diff, Kind::UserRecords]);
        let record = Question::Record { record: String::new(), user: String::new(), action: String::new(), lang: String::new() };
        assert_eq!(record.kind(), Kind::Record);
        assert_eq!([Kind::Diff, Kind::UserRecords, Kind::Records, Kind::Record].map(Kind::index), [0, 1, 2, 3]);
        assert_eq!(Kind::COUNT, 4);
        let result = Reply::Result { id: 4, summary: Default::default(), changes: Vec::new(), diff_ms: 0.0 };
        assert_eq!(result.answers(), Some((Kind::Diff, 4)));
        assert_eq!(Reply::UserRecords { id: 5, user: String::new(), objects: Vec::new() }.answers(), Some((Kind::UserRecords, 5)));
        let about = Reply::Record {
            id: 6,
            record: String::new(),
            user: String::new(),
            action: String::new(),
            count: 0,
            users: Vec::new(),
            decision: None,
        };
        assert_eq!(about.answers(), Some((Kind::Record, 6)));
        assert_eq!(Reply::Ready.answers(), None);
        assert_eq!(Reply::Progress { step: String::new(), done: 0, total: 0 }.answers(), None);
        assert_eq!(Reply::Failed { about: None, problems: Vec::new() }.answers(), None);
        assert_eq!(Reply::Failed { about: Some((Kind::Record, 7)), problems: Vec::new() }.answers(), Some((Kind::Record, 7)));
    }
}

/// The page's side: one worker, spawned on first use, its replies as signals.
pub mod page;
