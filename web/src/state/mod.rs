//! The app's reactive state, shared through context: the model (persisted
//! in `localStorage` after every change, so staged edits survive a reload),
//! its compiled form, the language and the page.

pub mod activity;
pub mod api;
pub mod change_rows;
pub mod control;
pub mod i18n;
pub mod idb;
pub mod listing;
pub mod model;
pub mod password;
pub mod previews;
pub mod qr;
pub mod record_rows;
pub mod requests;
pub mod reviews;
pub mod route;
pub mod rule_form;
pub mod search;
pub mod sentence;
pub mod server;
pub mod server_activity;
pub mod simulation;
pub mod trail;
pub mod versions;
pub mod worker;

use clearance_core::{Error, Lang};
use leptos::prelude::*;
use model::{Compiled, Model};
use std::sync::Arc;

const STORAGE_KEY: &str = "clearance.model";
const LANG_KEY: &str = "clearance.lang";
const ACTOR_KEY: &str = "clearance.actor";

/// The pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// Who can see what.
    Who,
    /// Staged edits and their effect.
    Simulate,
    /// Roles, departments, users.
    Org,
    /// Bundles, rules, baselines.
    Permissions,
    /// Lint findings.
    Lint,
    /// Import and export.
    Data,
    /// Change requests and approvals.
    Requests,
    /// Policy versions.
    Versions,
    /// The audit log.
    Audit,
    /// Access reviews.
    Reviews,
    /// Activity logs and their findings.
    Activity,
    /// The signed-in admin's own account (on a server).
    Account,
    /// The edges and the revision each runs (on a server).
    Fleet,
}

/// The page that edits what a JSON path (a lint finding's) points at.
pub fn page_of(path: &str) -> Option<Page> {
    let first = path.split('/').nth(1)?;
    match first {
        "users" | "roles" | "departments" | "groups" => Some(Page::Org),
        "bundles" | "sharing_rules" | "forbid" | "schema" => Some(Page::Permissions),
        _ => None,
    }
}

/// The compiled model, compared by identity (engines have no equality).
#[derive(Clone)]
pub struct Shared(pub Arc<Result<Compiled, Error>>);

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The policy with the staged edits, compared by identity: comparing the
/// large org's 10,000 users on every edit took longer than applying it.
#[derive(Clone)]
pub struct StagedPolicy(pub Arc<clearance_core::policy::Policy>);

impl PartialEq for StagedPolicy {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Everything the pages share.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The model.
    pub model: RwSignal<Model>,
    /// The model compiled (recomputed when the model changes and read).
    pub compiled: Memo<Shared>,
    /// The policy with the staged edits applied, not compiled (the policy
    /// itself while they do not apply): what lists of users and roles read,
    /// so that staging an edit of the large org compiles nothing here.
    pub staged_policy: Memo<StagedPolicy>,
    /// UI language.
    pub lang: RwSignal<Lang>,
    /// Current page.
    pub page: RwSignal<Page>,
    /// The address: the page and the things it shows (`route.rs`).
    pub route: RwSignal<route::Route>,
    /// The address the app was opened at (settings such as `?records=N` for
    /// the large org hold for the visit, whatever page it moves to).
    pub opened: StoredValue<route::Route>,
    /// The large org's worker and its answers.
    pub large: worker::page::Large,
    /// The user the admin acts as (change requests, approvals, reviews).
    pub actor: RwSignal<String>,
    /// The change-control ledger.
    pub control: control::Control,
    /// Imported activity logs.
    pub activity: activity::Activity,
    /// The control plane, when the app is served by one (else the sandbox).
    pub server: server::Server,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

impl AppState {
    /// Restores the stored model (or the demo) and saves every change.
    pub fn provide() -> AppState {
        let stored = storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten()).and_then(|text| Model::restore(&text));
        let model = RwSignal::new(stored.unwrap_or_else(Model::demo));
        let lang = storage().and_then(|s| s.get_item(LANG_KEY).ok().flatten()).and_then(|l| Lang::parse(&l)).unwrap_or(Lang::En);
        let lang = RwSignal::new(lang);
        let compiled = Memo::new(move |_| Shared(Arc::new(model.with(Model::compile))));
        let staged_policy = Memo::new(move |_| StagedPolicy(Arc::new(model.with(Model::staged_policy))));
        Effect::new(move |_| {
            let text = model.with(Model::stored);
            if let Some(s) = storage() {
                let _ = s.set_item(STORAGE_KEY, &text);
            }
        });
        Effect::new(move |_| {
            let code = lang.get().code();
            if let Some(s) = storage() {
                let _ = s.set_item(LANG_KEY, code);
            }
        });
        let first = model.with_untracked(|m| m.policy.users.first().map(|u| u.id.clone()).unwrap_or_default());
        let actor = RwSignal::new(storage().and_then(|s| s.get_item(ACTOR_KEY).ok().flatten()).unwrap_or(first));
        Effect::new(move |_| {
            let id = actor.get();
            if let Some(s) = storage() {
                let _ = s.set_item(ACTOR_KEY, &id);
            }
        });
        let state = AppState {
            model,
            compiled,
            staged_policy,
            lang,
            page: RwSignal::new(Page::Who),
            route: RwSignal::new(route::Route::page(Page::Who)),
            opened: StoredValue::new(route::Route::page(Page::Who)),
            large: worker::page::Large::new(),
            actor,
            control: control::Control::load(),
            activity: activity::Activity::load(),
            server: server::Server::new(),
        };
        provide_context(state);
        state.server.probe(state);
        state
    }

    /// Shows `value` as the current view's `key` (empty: none): in the
    /// address bar too, replacing the entry (Back goes to the previous page,
    /// not the previous pick), so a copied link opens the same view.
    pub fn show(&self, key: &str, value: &str) {
        let next = self.route.get_untracked().with(key, value);
        #[cfg(target_arch = "wasm32")]
        route::history::replace(&next);
        self.route.set(next);
    }

    /// Opens `route` as a new history entry (Back returns to this view):
    /// a tab, a link to one request.
    pub fn go(&self, route: route::Route) {
        #[cfg(target_arch = "wasm32")]
        if route::history::current() != route {
            route::history::push(&route);
        }
        self.page.set(route.page);
        self.route.set(route);
    }

    /// The state provided by the app root.
    pub fn get() -> AppState {
        use_context::<AppState>().unwrap_or_else(AppState::provide)
    }

    /// The policy with the staged edits (empty while they do not compile).
    pub fn current_policy(&self) -> clearance_core::policy::Policy {
        self.compiled.with(|c| c.0.as_ref().as_ref().ok().and_then(|c| c.current.policy().ok().cloned()).unwrap_or_default())
    }

    /// Whether change control runs on a server (identity from the session)
    /// rather than in the browser's sandbox.
    pub fn on_server(&self) -> bool {
        self.server.mode.with(|m| matches!(m, api::Mode::Server(_)))
    }

    /// A text of the UI in the current language.
    pub fn t(&self, key: &'static str) -> &'static str {
        i18n::t(self.lang.get(), key)
    }
}
