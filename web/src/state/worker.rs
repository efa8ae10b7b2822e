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
}

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
    /// The staged edits do not apply.
    Failed {
        /// Every problem.
        problems: Vec<Problem>,
    },
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
    const STEPS: u32 = 4;
    if cache.as_ref().is_none_or(|c| c.records != request.records) {
        progress("generate", 0, STEPS);
        let (policy, inputs) = generate(&Params::large(request.records));
        progress("load", 1, STEPS);
        let loaded = Engine::compile(policy).and_then(|engine| load(&engine, &inputs).map(|dataset| (engine, dataset)));
        match loaded {
            Ok((engine, dataset)) => *cache = Some(Large { records: request.records, engine, dataset, inputs }),
            Err(e) => return Reply::Failed { problems: e.into_problems() },
        }
    }
    let Some(large) = cache.as_ref() else { return Reply::Failed { problems: Vec::new() } };
    progress("compile", 2, STEPS);
    let Ok(policy) = large.engine.policy() else { return Reply::Failed { problems: Vec::new() } };
    let after = match change::apply(policy, &request.staged) {
        Ok((_, engine)) => engine,
        Err(e) => return Reply::Failed { problems: e.into_problems() },
    };
    let rebound = after.rebind(&large.dataset, &large.engine).map(Ok);
    let after_dataset = match rebound.unwrap_or_else(|| load(&after, &large.inputs)) {
        Ok(dataset) => dataset,
        Err(e) => return Reply::Failed { problems: e.into_problems() },
    };
    if let Question::UserRecords { user, lang } = &request.question {
        let lang = clearance_core::Lang::parse(lang).unwrap_or(clearance_core::Lang::En);
        let objects = crate::state::model::user_view(&after, &after_dataset, user, lang)
            .into_iter()
            .map(|(object, rows)| {
                let count = rows.len();
                (object, count, rows.into_iter().take(LISTED_PER_OBJECT).collect())
            })
            .collect();
        return Reply::UserRecords { id: request.id, user: user.clone(), objects };
    }
    progress("diff", 3, STEPS);
    let start = now_ms();
    match clearance_core::diff::diff_loaded(&large.engine, &large.dataset, &after, &after_dataset, &Default::default()) {
        Ok(diff) => Reply::Result {
            id: request.id,
            summary: diff.summary,
            changes: diff.changes.into_iter().take(LISTED).collect(),
            diff_ms: now_ms() - start,
        },
        Err(e) => Reply::Failed { problems: e.into_problems() },
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
        assert!(matches!(large_diff(&mut cache, &bad, &mut |_, _, _| {}), Reply::Failed { .. }));
        let ask = Request { question: Question::UserRecords { user: "user_5".into(), lang: "en".into() }, ..request };
        let Reply::UserRecords { objects, .. } = large_diff(&mut cache, &ask, &mut |_, _, _| {}) else { panic!("user records") };
        assert!(objects.iter().any(|(_, count, rows)| *count > 0 && rows.len() == (*count).min(LISTED_PER_OBJECT)));
    }
}

/// The page's side: one worker, spawned on first use, its replies as signals.
pub mod page {
    use super::{Reply, Request};
    use clearance_core::change::Operation;
    use leptos::prelude::*;
    use std::cell::RefCell;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;

    thread_local! {
        static WORKER: RefCell<Option<web_sys::Worker>> = const { RefCell::new(None) };
        static READY: RefCell<bool> = const { RefCell::new(false) };
        static PENDING: RefCell<Option<String>> = const { RefCell::new(None) };
    }

    /// What the large-org pages show.
    #[derive(Clone, Copy)]
    pub struct Large {
        /// The latest progress step `(step, done, total)`.
        pub progress: RwSignal<Option<(String, u32, u32)>>,
        /// The latest diff answer.
        pub reply: RwSignal<Option<Reply>>,
        /// The latest user-records answer.
        pub user_reply: RwSignal<Option<Reply>>,
        next: RwSignal<u64>,
        latest_diff: RwSignal<u64>,
        latest_user: RwSignal<u64>,
    }

    impl Large {
        /// Signals with nothing asked yet.
        pub fn new() -> Large {
            Large {
                progress: RwSignal::new(None),
                reply: RwSignal::new(None),
                user_reply: RwSignal::new(None),
                next: RwSignal::new(0),
                latest_diff: RwSignal::new(0),
                latest_user: RwSignal::new(0),
            }
        }

        /// Asks the worker for the diff of `staged` on the generated org with `records` records.
        pub fn ask(&self, records: usize, staged: Vec<Operation>) {
            self.send(Request { records, staged, id: 0, question: super::Question::Diff });
        }

        /// Asks the worker for a user's readable records.
        pub fn ask_user(&self, records: usize, staged: Vec<Operation>, user: String, lang: &str) {
            self.send(Request { records, staged, id: 0, question: super::Question::UserRecords { user, lang: lang.to_owned() } });
        }

        fn send(&self, mut request: Request) {
            let id = self.next.get_untracked() + 1;
            self.next.set(id);
            request.id = id;
            match request.question {
                super::Question::Diff => self.latest_diff.set(id),
                super::Question::UserRecords { .. } => self.latest_user.set(id),
            }
            let text = serde_json::to_string(&request).unwrap_or_default();
            let this = *self;
            let ready = READY.with(|r| *r.borrow());
            if WORKER.with(|w| w.borrow().is_none()) {
                spawn(move |reply| this.receive(reply));
            }
            if ready {
                WORKER.with(|w| w.borrow().as_ref().map(|w| w.post_message(&JsValue::from_str(&text))));
            } else {
                PENDING.with(|p| *p.borrow_mut() = Some(text));
            }
            self.progress.set(Some(("queued".to_owned(), 0, 4)));
        }

        fn receive(&self, reply: Reply) {
            match reply {
                Reply::Ready => {
                    READY.with(|r| *r.borrow_mut() = true);
                    if let Some(text) = PENDING.with(|p| p.borrow_mut().take()) {
                        WORKER.with(|w| w.borrow().as_ref().map(|w| w.post_message(&JsValue::from_str(&text))));
                    }
                }
                Reply::Progress { step, done, total } => self.progress.set(Some((step, done, total))),
                // Answers to older questions are dropped.
                Reply::Result { id, .. } if id != self.latest_diff.get_untracked() => {}
                Reply::UserRecords { id, .. } if id != self.latest_user.get_untracked() => {}
                reply @ Reply::UserRecords { .. } => {
                    self.progress.set(None);
                    self.user_reply.set(Some(reply));
                }
                other => {
                    self.progress.set(None);
                    self.reply.set(Some(other));
                }
            }
        }
    }

    impl Default for Large {
        fn default() -> Self {
            Large::new()
        }
    }

    /// Starts the worker Trunk built (`clearance-worker.js`, no-modules).
    fn spawn(on_reply: impl Fn(Reply) + 'static) {
        let Some(window) = web_sys::window() else { return };
        // The app is served at the site's root (its own addresses, `/who`,
        // `/requests/R7`, are not folders), so the worker's files are too.
        let Ok(origin) = window.location().origin() else { return };
        let base = format!("{origin}/");
        let script = format!(r#"importScripts("{base}clearance-worker.js"); wasm_bindgen("{base}clearance-worker_bg.wasm");"#);
        let parts = js_sys::Array::of1(&JsValue::from_str(&script));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("text/javascript");
        let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else { return };
        let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
        let Ok(worker) = web_sys::Worker::new(&url) else { return };
        let onmessage = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |message: web_sys::MessageEvent| {
            if let Some(reply) = message.data().as_string().and_then(|text| serde_json::from_str::<Reply>(&text).ok()) {
                on_reply(reply);
            }
        });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        onmessage.forget();
        WORKER.with(|w| *w.borrow_mut() = Some(worker));
    }
}
