//! `activity analyze|generate|findings|react`: decision logs in, findings
//! out, kept with the rest of the CLI's state in its SQLite database, and a
//! finding turned into a change request (or a change set file).

use crate::workflow;
use crate::{Db, Format};
use clearance_cli::load::IO_ERROR;
use clearance_cli::load::{load_policy, load_records};
use clearance_cli::store::Store;
use clearance_core::activity::synth::{self, Params};
use clearance_core::activity::{Analyzer, Finding, Report};
use clearance_core::{Error, Lang};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn io(what: &str, e: &std::io::Error) -> Error {
    Error::one("", IO_ERROR, format!("cannot {what}: {}", e.to_string().to_lowercase()))
}

/// Streams lines into the analyzer as lines `first + 1, first + 2, …` of
/// `source`, handing each line that parsed to `keep` (to store it). Returns
/// the number of lines read.
fn stream(
    analyzer: &mut Analyzer<'_>,
    source: u32,
    reader: impl Read,
    name: &str,
    mut keep: impl FnMut(&str) -> Result<(), Error>,
) -> Result<u64, Error> {
    let mut reader = BufReader::with_capacity(1 << 20, reader);
    let mut line = String::new();
    let mut number = 0u64;
    loop {
        line.clear();
        if reader.read_line(&mut line).map_err(|e| io(&format!("read `{name}`"), &e))? == 0 {
            break;
        }
        number += 1;
        let text = line.trim_end_matches(['\n', '\r']);
        let before = analyzer.skipped_count();
        analyzer.push_line(source, number, text);
        if analyzer.skipped_count() == before && !text.trim().is_empty() {
            keep(text)?;
        }
    }
    Ok(number)
}

fn open(path: &Path) -> Result<Box<dyn Read>, Error> {
    if path == Path::new("-") {
        return Ok(Box::new(std::io::stdin()));
    }
    Ok(Box::new(std::fs::File::open(path).map_err(|e| io(&format!("read `{}`", path.display()), &e))?))
}

/// Files this large are read on every core, each core a part, and the
/// parts' analyzers merged.
const SPLIT_BYTES: u64 = 16 << 20;

/// Where each of `parts` parts of a file starts: after a newline, so that
/// every part holds whole lines.
fn part_starts(path: &Path, parts: usize) -> Result<Vec<u64>, Error> {
    use std::io::{Seek, SeekFrom};
    let name = path.display().to_string();
    let size = std::fs::metadata(path).map_err(|e| io(&format!("read `{name}`"), &e))?.len();
    let mut starts = vec![0];
    if size < SPLIT_BYTES {
        return Ok(starts);
    }
    let mut file = std::fs::File::open(path).map_err(|e| io(&format!("read `{name}`"), &e))?;
    for k in 1..parts as u64 {
        file.seek(SeekFrom::Start(size * k / parts as u64)).map_err(|e| io(&format!("read `{name}`"), &e))?;
        let mut skipped = Vec::new();
        BufReader::new(&mut file).read_until(b'\n', &mut skipped).map_err(|e| io(&format!("read `{name}`"), &e))?;
        let start = size * k / parts as u64 + skipped.len() as u64;
        if start < size && starts.last().is_some_and(|&last| start > last) {
            starts.push(start);
        }
    }
    Ok(starts)
}

/// Analyses files on every core: core `k` reads part `k` of each file; the
/// analyzers are then merged, later parts' line numbers shifted.
fn analyze_files<'o>(engine: Option<&'o clearance_core::Engine>, logs: &[PathBuf]) -> Result<Analyzer<'o>, Error> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    let starts: Vec<Vec<u64>> = logs.iter().map(|log| part_starts(log, cores)).collect::<Result<_, _>>()?;
    let parts = starts.iter().map(Vec::len).max().unwrap_or(1);
    let run = |part: usize| -> Result<(Analyzer<'o>, Vec<u64>), Error> {
        use std::io::{Seek, SeekFrom};
        let mut analyzer = Analyzer::for_org(engine);
        let mut lines = Vec::new();
        for (log, starts) in logs.iter().zip(&starts) {
            let name = log.display().to_string();
            let source = analyzer.source(&name);
            let Some(&start) = starts.get(part) else {
                lines.push(0);
                continue;
            };
            let read = if starts.len() == 1 {
                stream(&mut analyzer, source, open(log)?, &name, |_| Ok(()))?
            } else {
                let mut file = std::fs::File::open(log).map_err(|e| io(&format!("read `{name}`"), &e))?;
                file.seek(SeekFrom::Start(start)).map_err(|e| io(&format!("read `{name}`"), &e))?;
                let end = starts.get(part + 1).copied().unwrap_or(u64::MAX);
                stream(&mut analyzer, source, file.take(end - start), &name, |_| Ok(()))?
            };
            lines.push(read);
        }
        Ok((analyzer, lines))
    };
    let results: Vec<Result<(Analyzer<'o>, Vec<u64>), Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (1..parts).map(|part| scope.spawn(move || run(part))).collect();
        let mut results = vec![run(0)];
        results.extend(handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err(Error::one("", IO_ERROR, "a reader thread failed")))));
        results
    });
    let mut results = results.into_iter();
    let (mut whole, mut before) = results.next().unwrap_or_else(|| Ok((Analyzer::for_org(engine), vec![0; logs.len()])))?;
    for result in results {
        let (analyzer, lines) = result?;
        whole.merge(analyzer, &before);
        for (b, l) in before.iter_mut().zip(lines) {
            *b += l;
        }
    }
    Ok(whole)
}

/// `activity analyze LOG…`: with `db`, the logs' events are stored and the
/// analysis covers every stored event, whose findings replace the stored ones.
pub fn analyze(logs: &[PathBuf], policy: Option<&Path>, db: Option<&Path>, json: bool, lang: Lang) -> Result<ExitCode, Error> {
    let engine = policy.map(load_policy).transpose()?;
    let report = match db {
        None if !logs.iter().any(|l| l == Path::new("-")) => analyze_files(engine.as_ref(), logs)?.finish(),
        None => {
            let mut analyzer = Analyzer::for_org(engine.as_ref());
            for log in logs {
                let name = log.display().to_string();
                let source = analyzer.source(&name);
                stream(&mut analyzer, source, open(log)?, &name, |_| Ok(()))?;
            }
            analyzer.finish()
        }
        Some(db) => {
            let mut analyzer = Analyzer::for_org(engine.as_ref());
            Store::create(db)?.transaction(move |s| {
                let source = analyzer.source(&format!("{}#events", db.display()));
                s.each_event(|seq, line| analyzer.push_line(source, seq, line))?;
                for log in logs {
                    let name = log.display().to_string();
                    let source = analyzer.source(&name);
                    // One prepared statement inside the one transaction: no batching needed.
                    stream(&mut analyzer, source, open(log)?, &name, |line| s.add_events([line]).map(drop))?;
                }
                let report = analyzer.finish();
                s.replace_findings(&report.findings)?;
                Ok(report)
            })?
        }
    };
    print_report(&report, json, lang)
}

fn print_report(report: &Report, json: bool, lang: Lang) -> Result<ExitCode, Error> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let write = |out: &mut BufWriter<_>, text: String| writeln!(out, "{text}").map_err(|e| io("write output", &e));
    if json {
        write(&mut out, serde_json::to_string_pretty(report).unwrap_or_default())?;
    } else {
        for problem in &report.skipped {
            eprintln!("warning: {}:{}: {}: {} (line skipped)", problem.source, problem.line, problem.code, problem.message);
        }
        write(
            &mut out,
            format!(
                "{} events from {} users, {} to {}; {} lines skipped; {} findings",
                report.events,
                report.users,
                report.from.as_deref().unwrap_or("-"),
                report.to.as_deref().unwrap_or("-"),
                report.skipped_count,
                report.findings.len()
            ),
        )?;
        for finding in &report.findings {
            let message = if lang == Lang::Zh { &finding.message.zh } else { &finding.message.en };
            let cites: Vec<String> = finding.events.iter().map(|e| format!("{}:{}", e.source, e.line)).collect();
            write(&mut out, format!("[{}] {}: {} ({})", finding.severity.as_str(), finding.id, message, cites.join(", ")))?;
        }
    }
    out.flush().map_err(|e| io("write output", &e))?;
    Ok(ExitCode::SUCCESS)
}

/// What `activity generate` makes.
pub struct GenerateArgs<'a> {
    /// The policy file.
    pub policy: &'a Path,
    /// The records file.
    pub records: &'a Path,
    /// Generation parameters.
    pub params: Params,
    /// Where to write the injected anomalies (JSON).
    pub injected: Option<&'a Path>,
}

/// `activity generate POLICY --records FILE`: a synthetic month as JSON Lines on stdout.
pub fn generate(args: &GenerateArgs<'_>) -> Result<ExitCode, Error> {
    let engine = load_policy(args.policy)?;
    let records = load_records(&engine, args.records)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut failed = None;
    let injected = synth::generate(&engine, &records, &args.params, |event| {
        if failed.is_none()
            && let Err(e) = writeln!(out, "{}", event.to_line())
        {
            failed = Some(e);
        }
    });
    if let Some(e) = failed {
        return Err(io("write output", &e));
    }
    out.flush().map_err(|e| io("write output", &e))?;
    if let Some(path) = args.injected {
        let list: Vec<_> =
            injected.iter().map(|i| serde_json::json!({"kind": i.kind, "user": i.user, "from": i.from, "to": i.to})).collect();
        std::fs::write(path, serde_json::to_string_pretty(&list).unwrap_or_default())
            .map_err(|e| io(&format!("write `{}`", path.display()), &e))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `activity findings`: the stored findings as JSON.
pub fn findings(db: &Path) -> Result<ExitCode, Error> {
    let store = Store::open(db)?;
    let _ = writeln!(std::io::stdout(), "{}", serde_json::to_string_pretty(&store.findings()?).unwrap_or_default());
    Ok(ExitCode::SUCCESS)
}

fn stored(store: &Store, id: &str) -> Result<Finding, Error> {
    store.findings()?.into_iter().find(|f| f.id == id).ok_or_else(|| {
        Error::one(
            "/finding",
            clearance_core::Code::UnknownFinding,
            format!("unknown finding `{id}`: run `clearance activity findings` for the ids"),
        )
    })
}

/// `activity react ID`: with `--as`, proposes the finding's change set as a
/// change request; without, prints the change set (a file for `change propose`).
pub fn react(db: &Path, id: &str, actor: Option<&str>, comment: &str, at: Option<&str>) -> Result<ExitCode, Error> {
    let finding = stored(&Store::open(db)?, id)?;
    if finding.changes.is_empty() {
        return Err(Error::one("/finding", clearance_core::Code::NoReaction, format!("finding `{id}` suggests no change")));
    }
    match actor {
        Some(actor) => {
            let comment =
                if comment.is_empty() { format!("reaction to {}: {}", finding.id, finding.message.en) } else { comment.to_owned() };
            workflow::propose_ops(db, finding.changes, actor, &comment, None, at)
        }
        None => {
            let _ = writeln!(std::io::stdout(), "{}", serde_json::to_string_pretty(&finding.changes).unwrap_or_default());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `clearance activity …`.
#[derive(clap::Subcommand)]
pub enum ActivityCommand {
    /// Analyse decision logs (JSON Lines; `-` reads stdin): per-user baselines, findings.
    Analyze {
        /// The logs.
        #[arg(required_unless_present = "db")]
        logs: Vec<PathBuf>,
        /// The policy: login hours, sensitive fields, thresholds (`activity`), reactions.
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Store the events and findings in this state database and analyse every stored event.
        #[arg(long)]
        db: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Language of the sentences (text format).
        #[arg(long, default_value = "en", value_parser = ["en", "zh"])]
        lang: String,
    },
    /// Print a deterministic synthetic month of activity for an org (JSON Lines).
    Generate {
        /// The policy file.
        policy: PathBuf,
        /// Records the users work on.
        #[arg(long)]
        records: PathBuf,
        /// First day (UTC).
        #[arg(long, default_value = "2026-11-02")]
        start: String,
        /// Number of days.
        #[arg(long, default_value_t = 28)]
        days: u32,
        /// Fewest events per user and working day.
        #[arg(long, default_value_t = 20)]
        min_per_day: u32,
        /// Most events per user and working day.
        #[arg(long, default_value_t = 60)]
        max_per_day: u32,
        /// Do not inject anomalies.
        #[arg(long)]
        clean: bool,
        /// Write the injected anomalies (kind, user, window) to this JSON file.
        #[arg(long)]
        injected: Option<PathBuf>,
        /// Random seed.
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Print the findings of the last analysis stored in the state database.
    Findings {
        #[command(flatten)]
        db: Db,
    },
    /// Turn a stored finding into a change request (with `--as`), or print its change set.
    React {
        /// The finding's id.
        id: String,
        /// The state database.
        #[arg(long, default_value = "clearance.db")]
        db: PathBuf,
        /// Propose the change request as this user (without: print the change set).
        #[arg(long = "as")]
        actor: Option<String>,
        /// The time of the action (RFC 3339; default: `CLEARANCE_NOW`, else now).
        #[arg(long)]
        at: Option<String>,
        /// A comment recorded with the request.
        #[arg(long, default_value = "")]
        comment: String,
    },
}

/// Runs an `activity` subcommand.
pub fn run(command: ActivityCommand) -> Result<ExitCode, Error> {
    match command {
        ActivityCommand::Analyze { logs, policy, db, format, lang } => {
            let lang = clearance_core::Lang::parse(&lang).unwrap_or(clearance_core::Lang::En);
            analyze(&logs, policy.as_deref(), db.as_deref(), format == Format::Json, lang)
        }
        ActivityCommand::Generate { policy, records, start, days, min_per_day, max_per_day, clean, injected, seed } => {
            if min_per_day > max_per_day || max_per_day == 0 || days == 0 {
                return Err(Error::one(
                    "",
                    clearance_core::Code::Usage,
                    "`--days` and `--max-per-day` must be positive, and `--min-per-day` at most `--max-per-day`",
                ));
            }
            let params = clearance_core::activity::synth::Params { start, days, min_per_day, max_per_day, inject: !clean, seed };
            generate(&GenerateArgs { policy: &policy, records: &records, params, injected: injected.as_deref() })
        }
        ActivityCommand::Findings { db } => findings(&db.db),
        ActivityCommand::React { id, db, actor, at, comment } => react(&db, &id, actor.as_deref(), &comment, at.as_deref()),
    }
}
