//! The page's side of the large org's Web Worker: one worker, spawned on
//! first use, its replies as signals; a reply to an older question of its
//! kind is dropped.

use super::{Kind, Question, Reply, Request};
use clearance_core::change::Operation;
use leptos::prelude::*;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

thread_local! {
    static WORKER: RefCell<Option<web_sys::Worker>> = const { RefCell::new(None) };
    static READY: RefCell<bool> = const { RefCell::new(false) };
    static PENDING: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// What the large-org pages show.
#[derive(Clone, Copy)]
pub struct Large {
    /// The latest progress step `(step, done, total)`.
    pub progress: RwSignal<Option<(String, u32, u32)>>,
    /// The latest diff answer (or failure, also of a question that could not be read).
    pub reply: RwSignal<Option<Reply>>,
    /// The latest user-records answer (or failure).
    pub user_reply: RwSignal<Option<Reply>>,
    /// The latest record-search answer (or failure).
    pub found: RwSignal<Option<Reply>>,
    /// The latest answer about one record (or failure).
    pub record_reply: RwSignal<Option<Reply>>,
    next: RwSignal<u64>,
    /// Per question kind, the id of the latest asked: older replies are dropped.
    latest: RwSignal<[u64; Kind::COUNT]>,
}

impl Large {
    /// Signals with nothing asked yet.
    pub fn new() -> Large {
        Large {
            progress: RwSignal::new(None),
            reply: RwSignal::new(None),
            user_reply: RwSignal::new(None),
            found: RwSignal::new(None),
            record_reply: RwSignal::new(None),
            next: RwSignal::new(0),
            latest: RwSignal::new([0; Kind::COUNT]),
        }
    }

    /// Asks the worker for the diff of `staged` on the generated org with `records` records.
    pub fn ask(&self, records: usize, staged: Vec<Operation>) {
        self.send(Request { records, staged, id: 0, question: Question::Diff });
    }

    /// Asks the worker for a user's readable records.
    pub fn ask_user(&self, records: usize, staged: Vec<Operation>, user: String, lang: &str) {
        self.send(Request { records, staged, id: 0, question: Question::UserRecords { user, lang: lang.to_owned() } });
    }

    /// Asks the worker for the record ids holding `typed`.
    pub fn search_records(&self, records: usize, typed: String) {
        self.send(Request { records, staged: Vec::new(), id: 0, question: Question::Records { typed } });
    }

    /// Asks the worker who may take `action` on `record`, and `user`'s decision.
    pub fn ask_record(&self, records: usize, staged: Vec<Operation>, question: Question) {
        self.send(Request { records, staged, id: 0, question });
    }

    fn send(&self, mut request: Request) {
        let id = self.next.get_untracked() + 1;
        self.next.set(id);
        request.id = id;
        let kind = request.question.kind();
        self.latest.update(|latest| latest[kind.index()] = id);
        let text = serde_json::to_string(&request).unwrap_or_default();
        let this = *self;
        let ready = READY.with(|r| *r.borrow());
        if WORKER.with(|w| w.borrow().is_none()) {
            spawn(move |reply| this.receive(reply));
        }
        if ready {
            WORKER.with(|w| w.borrow().as_ref().map(|w| w.post_message(&JsValue::from_str(&text))));
        } else {
            // Every question waits for the worker to start (each kind's answer is awaited).
            PENDING.with(|p| p.borrow_mut().push(text));
        }
        // A search is a keystroke: it shows no progress.
        if !matches!(request.question, Question::Records { .. }) {
            self.progress.set(Some(("queued".to_owned(), 0, 4)));
        }
    }

    /// Whether `id` is the latest question of its kind (a failure shown for
    /// an older one would speak of what is no longer asked).
    pub fn is_latest(&self, kind: Kind, id: u64) -> bool {
        self.latest.with(|latest| latest[kind.index()] == id)
    }

    /// The signal a kind's answers (and failures) go to.
    fn slot(&self, kind: Option<Kind>) -> RwSignal<Option<Reply>> {
        match kind {
            Some(Kind::UserRecords) => self.user_reply,
            Some(Kind::Records) => self.found,
            Some(Kind::Record) => self.record_reply,
            Some(Kind::Diff) | None => self.reply,
        }
    }

    fn receive(&self, reply: Reply) {
        let answers = reply.answers();
        if let Some((kind, id)) = answers {
            // Answers to older questions are dropped.
            if !untrack(|| self.is_latest(kind, id)) {
                return;
            }
        }
        match reply {
            Reply::Ready => {
                READY.with(|r| *r.borrow_mut() = true);
                for text in PENDING.with(|p| std::mem::take(&mut *p.borrow_mut())) {
                    WORKER.with(|w| w.borrow().as_ref().map(|w| w.post_message(&JsValue::from_str(&text))));
                }
            }
            Reply::Progress { step, done, total } => self.progress.set(Some((step, done, total))),
            reply => {
                let kind = answers.map(|(kind, _)| kind);
                // A search is a keystroke: it showed no progress.
                if kind != Some(Kind::Records) {
                    self.progress.set(None);
                }
                self.slot(kind).set(Some(reply));
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
