//! Activity monitoring: a synthetic month of the demo org with one injected
//! anomaly of every kind — each is found with the right user and window —
//! and the clean month's false positives stay under the documented bound.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

use clearance_core::activity::synth::{self, Injected, Params};
use clearance_core::activity::{self, Event, Finding, Kind, Report};
use clearance_core::{Dataset, Engine};

/// The documented bound: at most one false finding per 100 user-days.
const FALSE_POSITIVES_PER_USER_DAY: f64 = 0.01;

fn org() -> (Engine, Dataset) {
    let engine = Engine::from_json(include_str!("../orgs/activity-org.json")).unwrap();
    let records = engine.load_records_text(include_str!("../../examples/reference-records.json")).unwrap();
    (engine, records)
}

fn month(engine: &Engine, records: &Dataset, inject: bool) -> (String, Vec<Injected>) {
    let mut events: Vec<Event<'static>> = Vec::new();
    let injected = synth::generate(engine, records, &Params { inject, ..Params::default() }, |e| events.push(e));
    (activity::to_lines(&events), injected)
}

fn overlaps(finding: &Finding, injected: &Injected) -> bool {
    finding.from <= injected.to && injected.from <= finding.to
}

#[test]
fn every_injected_anomaly_is_found_with_its_user_and_window() {
    let (engine, records) = org();
    let (log, injected) = month(&engine, &records, true);
    let kinds: Vec<Kind> = injected.iter().map(|i| i.kind).collect();
    for kind in Kind::ALL {
        assert!(kinds.contains(&kind), "the demo month injects {kind:?}");
    }
    let report = activity::analyze_texts(Some(&engine), &[("month.jsonl", &log)]);
    assert_eq!(report.skipped_count, 0);
    for anomaly in &injected {
        let hit = report.findings.iter().find(|f| f.kind == anomaly.kind && f.user == anomaly.user && overlaps(f, anomaly));
        assert!(
            hit.is_some(),
            "{anomaly:?} not found among {:#?}",
            report.findings.iter().map(|f| (&f.kind, &f.user, &f.from, &f.to)).collect::<Vec<_>>()
        );
        let hit = hit.unwrap();
        assert!(!hit.events.is_empty() && hit.events.len() <= 5, "evidence cites events");
        assert!(!hit.message.en.is_empty() && !hit.message.zh.is_empty());
        assert!(!hit.changes.is_empty(), "every finding suggests a reaction");
    }
}

/// Findings on users nobody injected anything into.
fn false_positives(report: &Report, injected: &[Injected]) -> Vec<Finding> {
    report.findings.iter().filter(|f| !injected.iter().any(|i| i.user == f.user)).cloned().collect()
}

#[test]
fn the_clean_month_stays_under_the_false_positive_bound() {
    let (engine, records) = org();
    let (log, injected) = month(&engine, &records, false);
    assert!(injected.is_empty());
    let report = activity::analyze_texts(Some(&engine), &[("clean.jsonl", &log)]);
    let user_days: u64 = report.timeline.len() as u64 * report.users;
    let rate = report.findings.len() as f64 / user_days as f64;
    eprintln!("clean month: {} events, {} findings over {} user-days: rate {rate:.4}", report.events, report.findings.len(), user_days);
    assert!(rate <= FALSE_POSITIVES_PER_USER_DAY, "{:#?}", report.findings);
    // And with anomalies injected, nobody else is flagged beyond the bound either.
    let (log, injected) = month(&engine, &records, true);
    let report = activity::analyze_texts(Some(&engine), &[("month.jsonl", &log)]);
    assert!(false_positives(&report, &injected).len() as f64 <= FALSE_POSITIVES_PER_USER_DAY * user_days as f64);
}

/// The CLI reads a large log on every core and merges: the result must be
/// what one analyzer reading it all reports, wherever the log is split.
#[test]
fn analyzers_over_parts_merge_into_the_whole() {
    let (engine, records) = org();
    let (log, _) = month(&engine, &records, true);
    let mut lines: Vec<&str> = log.lines().collect();
    lines.insert(100, "not json");
    lines.insert(7000, r#"{"user": 3}"#);
    let whole = activity::analyze_texts(Some(&engine), &[("a.jsonl", &lines.join("\n"))]);
    for cuts in [vec![0], vec![1], vec![2500], vec![lines.len() / 2], vec![3000, 7001, 9000], vec![lines.len()]] {
        let mut parts = Vec::new();
        let mut start = 0;
        for &cut in cuts.iter().chain([&lines.len()]) {
            parts.push((start, &lines[start..cut]));
            start = cut;
        }
        let mut merged: Option<activity::Analyzer<'_>> = None;
        for (first, part) in parts {
            let mut analyzer = activity::Analyzer::for_org(Some(&engine));
            let source = analyzer.source("a.jsonl");
            for (n, line) in part.iter().enumerate() {
                analyzer.push_line(source, n as u64 + 1, line);
            }
            match &mut merged {
                None => merged = Some(analyzer),
                Some(all) => all.merge(analyzer, &[first as u64]),
            }
        }
        assert_eq!(merged.unwrap().finish(), whole, "split at {cuts:?}");
    }
}

#[test]
fn odd_parameters_generate_without_panicking() {
    let (engine, records) = org();
    for (days, min, max) in [(0, 20, 60), (1, 0, 0), (3, 5, 1), (40, 1, 1)] {
        let mut n = 0;
        synth::generate(&engine, &records, &Params { days, min_per_day: min, max_per_day: max, ..Params::default() }, |_| n += 1);
        assert!(days > 0 || n == 0);
    }
}
