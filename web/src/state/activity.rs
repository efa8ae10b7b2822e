//! Activity logs in the app: decision-event logs imported from files (the
//! CLI's `check --log`, the npm package's `drainEventLines`) or generated for
//! the demo, kept in IndexedDB (key `activity`), and analysed against the
//! current policy by the core analyzer the CLI uses.

use super::idb;
use clearance_core::activity::{self, Report};
use clearance_core::{Dataset, Engine};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The IndexedDB key of the imported logs.
const KEY: &str = "activity";

/// One imported log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Log {
    /// Its file name.
    pub name: String,
    /// Its JSON Lines text.
    pub text: String,
}

/// The imported logs.
#[derive(Clone, Copy)]
pub struct Activity {
    /// Every log, in import order.
    pub logs: RwSignal<Vec<Log>>,
}

/// Analyses the logs: the same report `clearance activity analyze` prints.
pub fn analyze(engine: Option<&Engine>, logs: &[Log]) -> Report {
    let sources: Vec<(&str, &str)> = logs.iter().map(|l| (l.name.as_str(), l.text.as_str())).collect();
    activity::analyze_texts(engine, &sources)
}

/// A deterministic month of activity for the org and records, with one
/// anomaly of every kind the org allows (the CLI's `activity generate`).
pub fn demo_month(engine: &Engine, records: &Dataset) -> Log {
    let mut events = Vec::new();
    activity::synth::generate(engine, records, &activity::synth::Params::default(), |e| events.push(e));
    Log { name: "demo-month.jsonl".to_owned(), text: activity::to_lines(&events) }
}

impl Activity {
    /// Reads the stored logs.
    pub fn load() -> Activity {
        let activity = Activity { logs: RwSignal::new(Vec::new()) };
        leptos::task::spawn_local(async move {
            if let Some(logs) = idb::get(KEY).await.and_then(|text| serde_json::from_str::<Vec<Log>>(&text).ok()) {
                activity.logs.set(logs);
            }
        });
        activity
    }

    /// Adds a log and stores them all.
    pub fn add(&self, log: Log) {
        self.logs.update(|logs| logs.push(log));
        self.store();
    }

    /// Forgets every log.
    pub fn clear(&self) {
        self.logs.set(Vec::new());
        self.store();
    }

    fn store(&self) {
        let text = self.logs.with_untracked(|logs| serde_json::to_string(logs).unwrap_or_default());
        leptos::task::spawn_local(async move {
            let _ = idb::put(KEY, &text).await;
        });
    }
}

/// The report of the logs against the current policy, recomputed when either changes.
pub fn report(state: super::AppState) -> Memo<Arc<Report>> {
    Memo::new(move |_| {
        let compiled = state.compiled.get();
        let engine = compiled.0.as_ref().as_ref().ok().map(|c| c.current.clone());
        Arc::new(state.activity.logs.with(|logs| analyze(engine.as_deref(), logs)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::model::Model;
    use clearance_core::activity::Kind;

    #[test]
    fn the_demo_month_shows_findings_that_propose_changes() {
        let model = Model::demo();
        let compiled = model.compile().unwrap();
        let log = demo_month(&compiled.current, &compiled.current_records);
        let report = analyze(Some(&compiled.current), std::slice::from_ref(&log));
        assert_eq!(report.skipped_count, 0);
        let kinds: std::collections::BTreeSet<Kind> = report.findings.iter().map(|f| f.kind).collect();
        // The demo org has no login hours: every other kind is injected and found.
        assert_eq!(kinds.len(), Kind::ALL.len() - 1, "{kinds:?}");
        assert!(report.findings.iter().all(|f| !f.changes.is_empty()));
        // The server's analysis crosses as JSON: every finding, tally and change reads back the same.
        let text = serde_json::to_string(&report).unwrap();
        assert_eq!(serde_json::from_str::<clearance_core::activity::Report>(&text).unwrap(), report);
        // A bad line is reported with its number, the rest kept.
        let broken = Log { name: "broken.jsonl".into(), text: format!("{}\n{{oops\n", log.text.lines().next().unwrap()) };
        let report = analyze(Some(&compiled.current), &[broken]);
        assert_eq!((report.events, report.skipped_count, report.skipped[0].line), (1, 1, 2));
    }
}
