//! The subcommands. Each returns the exit code, or an error that `main`
//! reports with exit status 1.

use clearance_cli::load::{load_policy, load_records, load_suite, read_text};
use clearance_core::{Engine, Error, Lang, Request, explain};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

/// Prints problems: JSON to stdout, or lines to stderr.
pub fn report(error: &Error, json: bool) {
    if json {
        println!("{}", serde_json::to_string(error.problems()).unwrap_or_default());
    } else {
        for problem in error.problems() {
            eprintln!("error: {problem}");
        }
    }
}

pub fn validate(policy: &Path, json: bool) -> Result<ExitCode, Error> {
    match load_policy(policy) {
        Ok(_) => {
            if json {
                println!("[]");
            } else {
                println!("{}: valid", policy.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            report(&error, json);
            Ok(ExitCode::from(1))
        }
    }
}

/// `check` (no `lang`) and `explain` (with `lang`): one output line per request line.
pub fn check(policy: &Path, records: Option<&Path>, requests: &Path, lang: Option<Lang>, json: bool) -> Result<ExitCode, Error> {
    let engine = load_policy(policy)?;
    let dataset = records.map(|r| load_records(&engine, r)).transpose()?;
    let text = read_text(requests)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut failed = false;
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let line_text = match decide(&engine, dataset.as_ref(), line, lang, json) {
            Ok(text) => text,
            Err(error) => {
                failed = true;
                let problems: Vec<_> = error
                    .problems()
                    .iter()
                    .map(|p| serde_json::json!({"line": n + 1, "path": p.path, "code": p.code, "message": p.message}))
                    .collect();
                serde_json::json!({ "error": problems }).to_string()
            }
        };
        writeln!(out, "{line_text}").map_err(|e| Error::one("", "io_error", format!("cannot write output: {e}")))?;
    }
    out.flush().map_err(|e| Error::one("", "io_error", format!("cannot write output: {e}")))?;
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn decide(engine: &Engine, dataset: Option<&clearance_core::Dataset>, line: &str, lang: Option<Lang>, json: bool) -> Result<String, Error> {
    let value = clearance_core::parse_json(line)?;
    let request = Request::from_value(&value)?;
    let prepared = engine.prepare(&request, dataset)?;
    let query = prepared.query(dataset);
    let decision = engine.check_query(&query);
    let out = engine.render(&decision, &query);
    Ok(match lang {
        None => serde_json::to_string(&out).unwrap_or_default(),
        Some(lang) => {
            let sentence = explain(&out, &engine.subject(&decision, &query), lang);
            if json { serde_json::json!({ "decision": out, "explanation": sentence }).to_string() } else { sentence }
        }
    })
}

pub fn test(files: &[std::path::PathBuf], json: bool) -> Result<ExitCode, Error> {
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut reports = Vec::new();
    for file in files {
        let suite = match load_suite(file) {
            Ok(suite) => suite,
            Err(error) => {
                failed += 1;
                eprintln!("error: {}: cannot load test file", file.display());
                report(&error, false);
                continue;
            }
        };
        for outcome in clearance_core::suite::run(&suite.engine, suite.dataset.as_ref(), &suite.cases) {
            if outcome.passed() {
                passed += 1;
                if !json {
                    println!("ok   {} :: {}", file.display(), outcome.name);
                }
            } else {
                failed += 1;
                if !json {
                    println!("FAIL {} :: {}", file.display(), outcome.name);
                    for failure in &outcome.failures {
                        println!("       {failure}");
                    }
                    println!("       actual: {}", outcome.actual);
                }
            }
            reports.push(serde_json::json!({"file": file.display().to_string(), "case": outcome.name, "passed": outcome.passed(), "failures": outcome.failures, "actual": outcome.actual}));
        }
    }
    if json {
        println!("{}", serde_json::json!({"passed": passed, "failed": failed, "cases": reports}));
    } else {
        println!("{passed} passed, {failed} failed");
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

pub fn schema() -> Result<ExitCode, Error> {
    println!("{}", serde_json::to_string_pretty(&clearance_core::policy_json_schema()).unwrap_or_default());
    Ok(ExitCode::SUCCESS)
}

pub fn generate(params: &clearance_core::generate::Params, out: &Path) -> Result<ExitCode, Error> {
    let io = |e: std::io::Error| Error::one("", clearance_cli::load::IO_ERROR, format!("cannot write to `{}`: {e}", out.display()));
    let (policy, dataset) = clearance_core::generate::generate(params);
    std::fs::create_dir_all(out).map_err(io)?;
    let policy_text = serde_json::to_string_pretty(&policy).unwrap_or_default();
    std::fs::write(out.join("policy.json"), policy_text).map_err(io)?;
    let mut file = BufWriter::new(std::fs::File::create(out.join("records.jsonl")).map_err(io)?);
    for record in &dataset {
        writeln!(file, "{}", serde_json::to_string(record).unwrap_or_default()).map_err(io)?;
    }
    file.flush().map_err(io)?;
    println!("wrote {} users and {} records to {}", policy.users.len(), dataset.len(), out.display());
    Ok(ExitCode::SUCCESS)
}
