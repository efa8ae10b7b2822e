//! Reading inputs from files (or stdin) into the engine's types.

use clearance_core::error::code;
use clearance_core::suite::{Case, Source, Suite};
use clearance_core::{Dataset, Engine, Error, Problem, parse_json};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Code for files that cannot be read.
pub const IO_ERROR: clearance_core::Code = clearance_core::Code::IoError;

/// Reads a file, or stdin for `-`.
///
/// # Errors
/// `io_error` naming the file.
pub fn read_text(path: &Path) -> Result<String, Error> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| Error::one("", IO_ERROR, format!("cannot read stdin: {e}")))?;
        return Ok(text);
    }
    std::fs::read_to_string(path)
        .map_err(|e| Error::one("", IO_ERROR, format!("cannot read `{}`: {}", path.display(), e.to_string().to_lowercase())))
}

/// Reads and compiles a policy file.
///
/// # Errors
/// I/O, syntax, structure and reference problems.
pub fn load_policy(path: &Path) -> Result<Engine, Error> {
    Engine::from_json(&read_text(path)?)
}

/// Parses records text: a JSON array, or JSON Lines (one record per line).
///
/// # Errors
/// `json_syntax` with the line for JSON Lines.
pub fn parse_records(text: &str) -> Result<serde_json::Value, Error> {
    clearance_core::parse_records(text)
}

/// Reads and loads a dataset for the engine (see [`Engine::load_records_text`]).
///
/// # Errors
/// I/O, syntax and record problems (paths like `/3/owner`).
pub fn load_records(engine: &Engine, path: &Path) -> Result<Dataset, Error> {
    engine.load_records_text(&read_text(path)?)
}

/// A test file with its policy compiled and its records loaded.
pub struct LoadedSuite {
    /// The compiled policy.
    pub engine: Engine,
    /// The records, if the file names any.
    pub dataset: Option<Dataset>,
    /// The cases.
    pub cases: Vec<Case>,
}

/// Reads a test file and everything it refers to (paths relative to it).
///
/// # Errors
/// Problems in the test file, its policy or its records; paths are prefixed
/// with what they belong to (`policy: …`).
pub fn load_suite(path: &Path) -> Result<LoadedSuite, Error> {
    let value = parse_json(&read_text(path)?)?;
    let suite: Suite = serde_json::from_value(value).map_err(|e| Error::one("", code::BAD_VALUE, format!("not a test file: {e}")))?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let policy = source_json(&suite.policy, &base)?;
    let engine = Engine::from_value(&policy).map_err(|e| prefix(e, "policy"))?;
    let dataset = match &suite.records {
        None => None,
        Some(source) => {
            let records = match source {
                Source::Path(p) => parse_records(&read_text(&base.join(p))?)?,
                Source::Inline(value) => value.clone(),
            };
            Some(engine.load_records(&records).map_err(|e| prefix(e, "records"))?)
        }
    };
    let mut cases = suite.cases;
    for case in &mut cases {
        if let Some(diff) = &mut case.diff
            && let Source::Path(p) = &diff.after
        {
            diff.after = Source::Inline(parse_json(&read_text(&base.join(p))?).map_err(|e| prefix(e, "diff after"))?);
        }
    }
    Ok(LoadedSuite { engine, dataset, cases })
}

fn source_json(source: &Source, base: &Path) -> Result<serde_json::Value, Error> {
    match source {
        Source::Path(p) => parse_json(&read_text(&PathBuf::from(base).join(p))?),
        Source::Inline(value) => Ok(value.clone()),
    }
}

fn prefix(error: Error, what: &str) -> Error {
    Error::new(error.into_problems().into_iter().map(|p| Problem { message: format!("{what}: {}", p.message), ..p }).collect())
}

fn cannot_write(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::one("", IO_ERROR, format!("cannot write `{}`: {e}", path.display()))
}

/// Writes a fresh Ed25519 key pair: the secret seed (hex) to `out`, readable
/// by its owner only where the OS has modes, and the public key to
/// `out.pub`, whose path is returned. Bundles and audit checkpoints are
/// signed with such keys.
///
/// # Errors
/// `io_error` when there is no random source or a file cannot be written.
pub fn write_key_pair(out: &Path) -> Result<std::path::PathBuf, Error> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| Error::one("", IO_ERROR, format!("no random source: {e}")))?;
    let public = clearance_core::bundle::public_key(&secret);
    let public_path = std::path::PathBuf::from(format!("{}.pub", out.display()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(out).map_err(cannot_write(out))?;
    std::io::Write::write_all(&mut file, format!("{}\n", clearance_core::bundle::hex_key(&secret)).as_bytes())
        .map_err(cannot_write(out))?;
    std::fs::write(&public_path, format!("{}\n", clearance_core::bundle::hex_key(&public))).map_err(cannot_write(&public_path))?;
    Ok(public_path)
}

/// A checkpoint file, its signature checked against the public key file
/// (`audit verify --checkpoint`, and the server's `verify`).
///
/// # Errors
/// `io_error`; `bad_value` for a file that is not a checkpoint; `bad_signature`.
pub fn read_checkpoint((file, key): (&Path, &Path)) -> Result<clearance_core::checkpoint::Checkpoint, Error> {
    let key = clearance_core::bundle::parse_hex_key(&read_text(key)?).map_err(|e| e.at("/public_key"))?;
    let checkpoint: clearance_core::checkpoint::Checkpoint = serde_json::from_value(clearance_core::parse_json(&read_text(file)?)?)
        .map_err(|e| Error::one("/checkpoint", clearance_core::error::code::BAD_VALUE, format!("not a checkpoint: {e}")))?;
    checkpoint.verify(&key).map_err(|e| e.at("/checkpoint"))?;
    Ok(checkpoint)
}
