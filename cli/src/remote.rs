//! `--server URL`: change control against a shared `clearance-server`
//! instead of a local SQLite file. The admin is the one an API token (from
//! `CLEARANCE_TOKEN`, never the command line) belongs to: `--as` and `--at`
//! are refused, since the server takes who and when from the token and its
//! clock. The server's refusals come back as the CLI's own errors (path,
//! code, message).

use clearance_core::error::code;
use clearance_core::{Error, Problem};
use serde_json::{Value, json};
use std::io::Write;
use std::process::ExitCode;

/// The environment variable holding the API token.
pub const TOKEN_VAR: &str = "CLEARANCE_TOKEN";
/// The environment variable naming a PEM file of a CA to trust (a server with a private certificate).
pub const CA_VAR: &str = "CLEARANCE_CA_FILE";

/// A server and the token to act with.
pub struct Remote {
    url: String,
    token: String,
    http: reqwest::blocking::Client,
}

fn unreachable(url: &str, e: &reqwest::Error) -> Error {
    Error::one("/server", clearance_core::Code::ServerUnreachable, format!("cannot reach `{url}`: {}", e.to_string().to_lowercase()))
}

impl Remote {
    /// The server at `url`, acting with the token in `CLEARANCE_TOKEN`;
    /// `actor` and `at` must be absent (the server decides them).
    ///
    /// # Errors
    /// `missing_key` without a token; `bad_value` for `--as` or `--at`.
    pub fn new(url: &str, actor: Option<&str>, at: Option<&str>) -> Result<Remote, Error> {
        if actor.is_some() {
            return Err(Error::one("/as", code::BAD_VALUE, "with --server, the token's admin acts: drop --as"));
        }
        if at.is_some() {
            return Err(Error::one("/at", code::BAD_VALUE, "with --server, the server's clock times each step: drop --at"));
        }
        let token = std::env::var(TOKEN_VAR).ok().filter(|t| !t.trim().is_empty()).ok_or_else(|| {
            Error::one("/token", code::MISSING_KEY, format!("set {TOKEN_VAR} to an API token (`POST /v1/tokens` on the server)"))
        })?;
        let mut builder = reqwest::blocking::Client::builder().timeout(std::time::Duration::from_secs(120));
        // HTTPS trusts the system's roots, and the CA in `CLEARANCE_CA_FILE` (PEM) when given.
        if let Ok(file) = std::env::var(CA_VAR) {
            let pem = clearance_cli::load::read_text(std::path::Path::new(&file)).map_err(|e| e.at("/ca_file"))?;
            let ca = reqwest::Certificate::from_pem(pem.as_bytes())
                .map_err(|e| Error::one("/ca_file", code::BAD_VALUE, format!("`{file}` is not a pem certificate: {e}")))?;
            builder = builder.add_root_certificate(ca);
        }
        let http = builder.build().map_err(|e| unreachable(url, &e))?;
        Ok(Remote { url: url.trim_end_matches('/').to_owned(), token: token.trim().to_owned(), http })
    }

    fn send(&self, request: reqwest::blocking::RequestBuilder) -> Result<Value, Error> {
        let response = request.bearer_auth(&self.token).send().map_err(|e| unreachable(&self.url, &e))?;
        let status = response.status();
        let body: Value = response.json().unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(body);
        }
        let text = |p: &Value, key: &str| p[key].as_str().unwrap_or_default().to_owned();
        let problems: Vec<Problem> = body["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| Problem::decoded(text(p, "path"), text(p, "code"), text(p, "message")))
            .collect();
        if problems.is_empty() {
            return Err(Error::one("", clearance_core::Code::ServerError, format!("the server answered {status}")));
        }
        Err(Error::new(problems))
    }

    /// `GET path`.
    ///
    /// # Errors
    /// The server's refusal, or `server_unreachable`.
    pub fn get(&self, path: &str) -> Result<Value, Error> {
        self.send(self.http.get(format!("{}{path}", self.url)))
    }

    /// `POST path` with a JSON body.
    ///
    /// # Errors
    /// The server's refusal, or `server_unreachable`.
    pub fn post(&self, path: &str, body: &Value) -> Result<Value, Error> {
        self.send(self.http.post(format!("{}{path}", self.url)).json(body))
    }
}

/// Prints an answer as the local commands do.
pub fn print(value: &Value) -> Result<ExitCode, Error> {
    let _ = writeln!(std::io::stdout(), "{}", serde_json::to_string_pretty(value).unwrap_or_default());
    Ok(ExitCode::SUCCESS)
}

/// The body of a step with a comment.
pub fn comment(text: &str) -> Value {
    json!({"comment": text})
}

/// `change propose FILE --server URL [--records FILE]`: the change set is
/// checked here first; with records, its effect is previewed here against
/// the server's current policy (the request answers the version it was
/// drafted against, so a preview of another one shows).
///
/// # Errors
/// The change set's problems; the server's refusal.
pub fn propose(remote: &Remote, changes: &std::path::Path, comment: &str, records: Option<&std::path::Path>) -> Result<ExitCode, Error> {
    let text = clearance_cli::load::read_text(changes)?;
    let ops = clearance_core::change::decode(&clearance_core::parse_json(&text)?)?;
    let preview = match records {
        Some(records) => {
            let current = remote.get("/v1/versions/current")?;
            let policy = clearance_core::decode_policy(&current["policy"])?;
            let engine = clearance_core::Engine::compile(policy.clone())?;
            let (_, after) = clearance_core::change::apply(&policy, &ops)?;
            let records = clearance_cli::load::parse_records(&clearance_cli::load::read_text(records)?)?;
            let summary = clearance_core::diff::diff_summary(&engine, &after, &records, &clearance_core::Context::default())?;
            Some((current["hash"].clone(), summary))
        }
        None => None,
    };
    let mut out = remote.post("/v1/requests", &json!({"changes": serde_json::to_value(&ops).unwrap_or_default(), "comment": comment}))?;
    if let Some((base, summary)) = preview {
        let count = summary.total.gained + summary.total.lost;
        out["diff"] = json!({"summary": summary, "changes": count, "previewed_against": base});
    }
    print(&out)
}

/// `change approve|reject|apply|review ID --server URL`.
///
/// # Errors
/// The server's refusal.
pub fn step(remote: &Remote, id: &str, step: clearance_core::change::steps::Step, text: &str) -> Result<ExitCode, Error> {
    print(&remote.post(&format!("/v1/requests/{id}/{}", step.name()), &comment(text))?)
}

/// `change show [ID] --server URL`.
///
/// # Errors
/// The server's refusal.
pub fn show(remote: &Remote, id: Option<&str>) -> Result<ExitCode, Error> {
    match id {
        Some(id) => print(&remote.get(&format!("/v1/requests/{id}"))?),
        None => print(&remote.get("/v1/requests")?),
    }
}
