//! The subcommands. Each returns the exit code, or an error that `main`
//! reports with exit status 1.

use clearance_cli::load::{IO_ERROR, load_policy, load_records, load_suite, read_text};
use clearance_core::{Engine, Error, Lang, Request, explain};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Prints a line to stdout; a closed pipe (`| head`) ends the output quietly
/// instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {{
        let mut stdout = std::io::stdout().lock();
        if writeln!(stdout, $($arg)*).is_err() {
            return Ok(ExitCode::SUCCESS);
        }
    }};
}

/// Prints problems: JSON to stdout, or lines to stderr.
pub fn report(error: &Error, json: bool) {
    if json {
        let _ = writeln!(std::io::stdout(), "{}", serde_json::to_string(error.problems()).unwrap_or_default());
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
                say!("[]");
            } else {
                say!("{}: valid", policy.display());
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
pub fn check(
    policy: &Path,
    records: Option<&Path>,
    requests: &Path,
    lang: Option<Lang>,
    json: bool,
    log: Option<&Path>,
) -> Result<ExitCode, Error> {
    let engine = load_policy(policy)?;
    let dataset = records.map(|r| load_records(&engine, r)).transpose()?;
    let text = read_text(requests)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut failed = false;
    let mut log = log.map(open_log).transpose()?;
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let line_text = match decide(&engine, dataset.as_ref(), line, lang, json) {
            Ok((text, event)) => {
                if let Some(log) = &mut log {
                    writeln!(log, "{}", event.to_line()).map_err(|e| Error::one("", IO_ERROR, format!("cannot write the log: {e}")))?;
                }
                text
            }
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
        writeln!(out, "{line_text}").map_err(|e| Error::one("", clearance_core::Code::IoError, format!("cannot write output: {e}")))?;
    }
    out.flush().map_err(|e| Error::one("", clearance_core::Code::IoError, format!("cannot write output: {e}")))?;
    if let Some(log) = &mut log {
        log.flush().map_err(|e| Error::one("", IO_ERROR, format!("cannot write the log: {e}")))?;
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Opens an activity log for appending (created when absent).
fn open_log(path: &Path) -> Result<BufWriter<std::fs::File>, Error> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map(BufWriter::new)
        .map_err(|e| Error::one("", IO_ERROR, format!("cannot open `{}`: {}", path.display(), e.to_string().to_lowercase())))
}

/// One request line decided: the output line and the decision's event
/// (timed by the request's `context.time`, else now).
fn decide(
    engine: &Engine,
    dataset: Option<&clearance_core::Dataset>,
    line: &str,
    lang: Option<Lang>,
    json: bool,
) -> Result<(String, clearance_core::activity::Event<'static>), Error> {
    let value = clearance_core::parse_json(line)?;
    let request = Request::from_value(&value)?;
    let prepared = engine.prepare(&request, dataset)?;
    let query = prepared.query(dataset);
    let decision = engine.check_query(&query);
    let out = engine.render(&decision, &query);
    let event = engine.event(&query, &decision, now_ms())?;
    let text = match lang {
        None => serde_json::to_string(&out).unwrap_or_default(),
        Some(lang) => {
            let sentence = explain(&out, &engine.subject(&decision, &query), lang);
            if json { serde_json::json!({ "decision": out, "explanation": sentence }).to_string() } else { sentence }
        }
    };
    Ok((text, event))
}

/// Milliseconds since the epoch by the system clock.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0))
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
                    let _ = writeln!(std::io::stdout(), "ok   {} :: {}", file.display(), outcome.name);
                }
            } else {
                failed += 1;
                if !json {
                    let _ = writeln!(std::io::stdout(), "FAIL {} :: {}", file.display(), outcome.name);
                    for failure in &outcome.failures {
                        let _ = writeln!(std::io::stdout(), "       {failure}");
                    }
                    let _ = writeln!(std::io::stdout(), "       actual: {}", outcome.actual);
                }
            }
            reports.push(serde_json::json!({"file": file.display().to_string(), "case": outcome.name, "passed": outcome.passed(), "failures": outcome.failures, "actual": outcome.actual}));
        }
    }
    if json {
        let _ = writeln!(std::io::stdout(), "{}", serde_json::json!({"passed": passed, "failed": failed, "cases": reports}));
    } else {
        let _ = writeln!(std::io::stdout(), "{passed} passed, {failed} failed");
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

pub fn schema() -> Result<ExitCode, Error> {
    say!("{}", serde_json::to_string_pretty(&clearance_core::policy_json_schema()).unwrap_or_default());
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
    say!("wrote {} users and {} records to {}", policy.users.len(), dataset.len(), out.display());
    Ok(ExitCode::SUCCESS)
}

/// Parses `--context JSON` into a context object (validated by the query).
fn context_arg(text: &str) -> Result<clearance_core::api::ContextMap, Error> {
    let value = clearance_core::parse_json(text).map_err(|e| e.at("/context"))?;
    serde_json::from_value(value)
        .map_err(|_| Error::one("/context", clearance_core::error::code::BAD_TYPE, "`--context` must be a JSON object"))
}

pub fn filter(
    policy: &Path,
    records: &Path,
    user: &str,
    action: &str,
    object: &str,
    context: &str,
    reasons: bool,
) -> Result<ExitCode, Error> {
    let engine = load_policy(policy)?;
    let dataset = load_records(&engine, records)?;
    let query = clearance_core::api::FilterQuery {
        user: user.to_owned(),
        action: action.to_owned(),
        object: object.to_owned(),
        context: context_arg(context)?,
        reasons,
    };
    let items = engine.answer_filter(&dataset, &query)?;
    say!("{}", serde_json::to_string(&items).unwrap_or_default());
    Ok(ExitCode::SUCCESS)
}

pub fn who_can(policy: &Path, records: &Path, record: &str, action: &str, context: &str) -> Result<ExitCode, Error> {
    let engine = load_policy(policy)?;
    let dataset = load_records(&engine, records)?;
    let query = clearance_core::api::WhoCanQuery { record: record.to_owned(), action: action.to_owned(), context: context_arg(context)? };
    let hits = engine.answer_who_can(&dataset, &query)?;
    say!("{}", serde_json::to_string(&hits).unwrap_or_default());
    Ok(ExitCode::SUCCESS)
}

pub fn lint(policy: &Path, json: bool) -> Result<ExitCode, Error> {
    let engine = match load_policy(policy) {
        Ok(engine) => engine,
        Err(error) => {
            report(&error, json);
            return Ok(ExitCode::from(1));
        }
    };
    let findings = engine.lint()?;
    if json {
        say!("{}", serde_json::to_string(&findings).unwrap_or_default());
    } else {
        for finding in &findings {
            let severity = serde_json::to_value(finding.severity).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            say!("{severity}: {}: {} [{}]", if finding.path.is_empty() { "/" } else { &finding.path }, finding.message, finding.code);
        }
        say!("{} findings", findings.len());
    }
    Ok(ExitCode::SUCCESS)
}

pub fn diff(before: &Path, after: &Path, records: &Path, context: &str) -> Result<ExitCode, Error> {
    let old = load_policy(before).map_err(|e| e.at(""))?;
    let new = load_policy(after)?;
    let records = clearance_cli::load::parse_records(&read_text(records)?)?;
    let context = clearance_core::api::context(&context_arg(context)?)?;
    let result = clearance_core::diff::diff(&old, &new, &records, &context)?;
    say!("{}", serde_json::to_string(&result).unwrap_or_default());
    Ok(ExitCode::SUCCESS)
}

pub fn plan(
    policy: &Path,
    user: Option<&str>,
    action: Option<&str>,
    object: Option<&str>,
    table: Option<&str>,
    context: &str,
    ddl: bool,
) -> Result<ExitCode, Error> {
    let engine = load_policy(policy)?;
    let mut mapping = clearance_core::plan::Mapping::default();
    if let (Some(object), Some(table)) = (object, table) {
        mapping.tables.insert(object.to_owned(), table.to_owned());
    }
    if ddl {
        say!("{}", engine.postgres_ddl(&mapping));
        return Ok(ExitCode::SUCCESS);
    }
    let query = clearance_core::api::PlanQuery {
        user: user.unwrap_or_default().to_owned(),
        action: action.unwrap_or_default().to_owned(),
        object: object.unwrap_or_default().to_owned(),
        context: context_arg(context)?,
        table: None,
        mapping: Some(clearance_core::api::MappingInput { tables: mapping.tables, ..Default::default() }),
    };
    let plan = engine.answer_plan(query)?;
    say!("{}", serde_json::to_string(&plan).unwrap_or_default());
    Ok(ExitCode::SUCCESS)
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::one("", clearance_cli::load::IO_ERROR, format!("cannot write `{}`: {e}", path.display()))
}

/// `serve …`: runs `clearance-server` from beside this binary (or the
/// `PATH`) with the same arguments; `clearance serve --data DIR` is
/// `clearance-server serve --data DIR`.
pub fn serve(args: &[String]) -> Result<ExitCode, Error> {
    let beside = std::env::current_exe().ok().map(|exe| exe.with_file_name("clearance-server")).filter(|p| p.is_file());
    let program = beside.unwrap_or_else(|| PathBuf::from("clearance-server"));
    let subcommands = ["init", "password", "serve", "help", "--help", "-h", "--version", "-V"];
    let mut full: Vec<String> = Vec::new();
    if !args.first().is_some_and(|a| subcommands.contains(&a.as_str())) {
        full.push("serve".to_owned());
    }
    full.extend(args.iter().cloned());
    let status = std::process::Command::new(&program).args(&full).status().map_err(|e| {
        Error::one(
            "",
            clearance_cli::load::IO_ERROR,
            format!("cannot run `{}`: {e} (build it with `cargo build --release -p clearance-server`)", program.display()),
        )
    })?;
    Ok(ExitCode::from(u8::try_from(status.code().unwrap_or(1)).unwrap_or(1)))
}

/// `keygen`: a fresh Ed25519 seed from the OS's random source.
pub fn keygen(out: &Path) -> Result<ExitCode, Error> {
    let public_path = clearance_cli::load::write_key_pair(out)?;
    say!("wrote the secret key to {} and the public key to {}", out.display(), public_path.display());
    Ok(ExitCode::SUCCESS)
}

/// What `bundle` stamps on a bundle, and whether it carries the policy.
pub struct BundleStamp<'a> {
    /// The policy revision.
    pub revision: u64,
    /// The end of its validity (RFC 3339).
    pub not_after: Option<&'a str>,
    /// Whether the policy's JSON goes in.
    pub with_policy: bool,
}

/// `bundle`: compile, encode, stamp, sign.
pub fn bundle(policy: &Path, key: Option<&Path>, given: &BundleStamp<'_>, out: &Path) -> Result<ExitCode, Error> {
    let engine = load_policy(policy)?;
    let secret = key.map(|k| read_text(k).and_then(|t| clearance_core::bundle::parse_hex_key(&t).map_err(|e| e.at("/key")))).transpose()?;
    let not_after_ms = given
        .not_after
        .map(|text| {
            clearance_core::parse_rfc3339(text).ok_or_else(|| {
                Error::one("/not_after", clearance_core::error::code::BAD_VALUE, format!("`{text}` is not an RFC 3339 time"))
            })
        })
        .transpose()?;
    let stamp = clearance_core::bundle::Stamp {
        revision: given.revision,
        policy_hash: clearance_core::change::version(engine.policy()?),
        issued_at_ms: now_ms(),
        not_after_ms,
        key_id: None,
    };
    let bytes = clearance_core::bundle::write(&engine, secret.as_ref(), &stamp, given.with_policy)?;
    std::fs::write(out, &bytes).map_err(io_error(out))?;
    let signed = if secret.is_some() { "signed" } else { "unsigned" };
    say!("wrote {} ({} bytes, {signed})", out.display(), bytes.len());
    Ok(ExitCode::SUCCESS)
}

/// `verify`: what a loader trusting `public_key` checks now — structure,
/// key, signature, every byte, revision and expiry.
pub fn verify(bundle: &Path, public_key: &Path, min_revision: u64) -> Result<ExitCode, Error> {
    use clearance_core::bundle::{Trust, TrustedKey};
    let key = clearance_core::bundle::parse_hex_key(&read_text(public_key)?).map_err(|e| e.at("/public_key"))?;
    let bytes = std::fs::read(bundle)
        .map_err(|e| Error::one("", clearance_cli::load::IO_ERROR, format!("cannot read `{}`: {e}", bundle.display())))?;
    let header = clearance_core::bundle::inspect(&bytes)?;
    let trust = Trust { keys: vec![TrustedKey { key, retired_at_ms: None }], allow_unsigned: false, min_revision, now_ms: Some(now_ms()) };
    let (_, stamp) = clearance_core::bundle::open_trusted(bytes, &trust)?;
    say!(
        "{}",
        serde_json::json!({"valid": true, "signed": header.signed, "version": header.version, "with_policy": header.with_policy,
            "engine_bytes": header.engine_bytes, "policy_bytes": header.policy_bytes,
            "revision": stamp.revision, "policy_hash": stamp.policy_hash, "key_id": stamp.key_id,
            "issued_at": clearance_core::format_rfc3339(stamp.issued_at_ms),
            "not_after": stamp.not_after_ms.map(clearance_core::format_rfc3339)})
    );
    Ok(ExitCode::SUCCESS)
}
