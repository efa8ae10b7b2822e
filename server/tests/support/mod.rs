//! A real `clearance-server` on loopback, started from its binary over a
//! fresh data directory, and HTTP clients that sign in to it like admins.
#![allow(dead_code, reason = "each test file uses part of the support")]

use reqwest::blocking::{Client, Response};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

pub use clearance_server::tx::Tx;

/// Where clients say they are (through the trusted proxy): inside the reference org's office ranges.
pub const OFFICE: &str = "10.0.0.7";

pub const PASSWORD: &str = "correct horse battery";
/// The reference org's users with an admin account in every test server.
pub const ADMINS: [&str; 4] = ["admin_ivy", "mgr_east_mike", "fin_mgr_fiona", "rep_east_alice"];

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_clearance-server")
}

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn scratch(name: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("clearance-server-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The PostgreSQL this run's servers keep their state in, when the suite
/// runs on PostgreSQL (`CLEARANCE_SERVER_DATABASE=postgres`, with
/// `CLEARANCE_POSTGRES` the server's connection string, as
/// `scripts/test.sh` sets them); `None`: SQLite in the data directory.
pub fn postgres() -> Option<String> {
    match std::env::var("CLEARANCE_SERVER_DATABASE").as_deref() {
        Ok("postgres") => Some(std::env::var("CLEARANCE_POSTGRES").expect("CLEARANCE_POSTGRES names the PostgreSQL to use")),
        _ => None,
    }
}

/// A fresh schema of its own for one server, and the connection string that selects it.
fn fresh_schema(url: &str, dir: &Path) -> String {
    let name = format!("srv_{}", dir.file_name().unwrap().to_str().unwrap().replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
    let mut admin = postgres::Client::connect(url, postgres::NoTls).unwrap();
    admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name};")).unwrap();
    format!("{url} options='-c search_path={name}'")
}

pub struct Server {
    pub dir: PathBuf,
    /// The state's PostgreSQL connection string, or `None` for SQLite in `DIR/data`.
    pub database: Option<String>,
    pub url: String,
    child: Child,
    /// Each enrolled admin's TOTP secret (base32) and the last step used.
    secrets: Mutex<HashMap<String, (String, u64)>>,
}

impl Server {
    /// `init` on the reference org (admin_ivy), accounts for [`ADMINS`], then
    /// `serve` on a free port behind a trusted proxy (loopback).
    pub fn start(name: &str) -> Server {
        Server::start_with(name, &repo().join("examples/reference-org.json"), true)
    }

    /// [`Server::start`] on another policy, with or without loopback as a trusted proxy.
    pub fn start_with(name: &str, policy: &Path, trust_loopback: bool) -> Server {
        let dir = scratch(name);
        let password = dir.join("password");
        std::fs::write(&password, format!("{PASSWORD}\n")).unwrap();
        let data = dir.join("data");
        if let Some(url) = postgres() {
            std::fs::write(dir.join("database"), fresh_schema(&url, &dir)).unwrap();
        }
        let database = database_args(&dir);
        let database: Vec<&str> = database.iter().map(String::as_str).collect();
        let init = ["init", "--data", s(&data), "--policy", s(policy), "--admin", "admin_ivy", "--password-file", s(&password)];
        run_ok(&[&init[..], &database].concat());
        for user in &ADMINS[1..] {
            run_ok(&[&["password", "--data", s(&data), "--user", user, "--password-file", s(&password)][..], &database].concat());
        }
        Server::serve(dir, trust_loopback)
    }

    /// `serve` on the data directory inside `dir`.
    pub fn serve(dir: PathBuf, trust_loopback: bool) -> Server {
        Server::serve_with(dir, trust_loopback, &[])
    }

    /// [`Server::serve`] with more arguments.
    pub fn serve_with(dir: PathBuf, trust_loopback: bool, extra: &[&str]) -> Server {
        let data = dir.join("data");
        let database = database_args(&dir);
        let mut args = vec!["serve", "--data", s(&data), "--listen", "127.0.0.1:0", "--log-json"];
        args.extend(database.iter().map(String::as_str));
        args.extend_from_slice(extra);
        if trust_loopback {
            args.extend(["--trusted-proxy", "127.0.0.1"]);
        }
        // The logs go to DIR/server.log (appended across restarts), for the tests that read them.
        let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("server.log")).unwrap();
        let mut child = Command::new(binary()).args(&args).stdout(Stdio::piped()).stderr(log).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("unexpected first line {line:?}")).to_owned();
        let database = database_args(&dir).pop();
        Server { dir, database, url, child, secrets: Mutex::default() }
    }

    /// Runs a command of the server's console (`password`, `verify`, …)
    /// on this server's state: `--data` and `--database` are added.
    pub fn console(&self, args: &[&str]) -> std::process::Output {
        let data = self.dir.join("data");
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--data", s(&data)]);
        all.extend(self.database.iter().flat_map(|url| ["--database", url.as_str()]));
        Command::new(binary()).args(all).output().unwrap()
    }

    /// A fresh, empty PostgreSQL schema's connection string (PostgreSQL runs only).
    pub fn empty_database(name: &str) -> Option<String> {
        postgres().map(|url| fresh_schema(&url, &scratch(name)))
    }

    /// The state's database, opened as the server opens it (SQLite or PostgreSQL).
    pub fn db(&self) -> clearance_server::db::Db {
        match &self.database {
            Some(url) => clearance_server::db::Db::open_postgres(url).unwrap(),
            None => clearance_server::db::Db::open(&self.dir.join("data")).unwrap(),
        }
    }

    /// `f` in one transaction on the state, committed.
    pub fn state<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, clearance_core::Error>) -> T {
        self.db().run_now(f).unwrap_or_else(|e| panic!("{:?}", e.problems()))
    }

    /// `f` in one transaction on the state, rolled back: what a writer of
    /// the database could do, tried without keeping it.
    pub fn trial<T>(&self, f: impl FnOnce(&mut dyn Tx) -> T) -> T {
        let mut answer = None;
        let _ = self.db().run_now(|s| {
            answer = Some(f(s));
            Err::<(), _>(clearance_core::Error::one("", clearance_core::Code::RolledBack, "tried, not kept"))
        });
        answer.unwrap()
    }

    /// A client whose requests come, through the proxy, from `address`.
    pub fn client_from(&self, address: &str) -> Admin {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-forwarded-for", address.parse().unwrap());
        let http = Client::builder().cookie_store(true).default_headers(headers).build().unwrap();
        Admin { http, url: self.url.clone(), csrf: String::new() }
    }

    pub fn client(&self) -> Admin {
        self.client_from(OFFICE)
    }

    /// A client signed in as `user` from the office, passing (and if needed
    /// enrolling) a second factor with codes computed here.
    pub fn sign_in(&self, user: &str) -> Admin {
        let mut admin = self.client();
        let enrolled = self.secrets.lock().unwrap().contains_key(user);
        let code = enrolled.then(|| self.code(user));
        let (status, body) = answer(admin.sign_in_with(user, PASSWORD, code.as_deref()));
        assert_eq!(status, 200, "{user} signs in: {body}");
        admin.csrf = body["csrf"].as_str().unwrap().to_owned();
        if body["mfa_enrollment_required"] == true {
            self.enroll(&admin, user);
        }
        admin
    }

    /// Enrolls `user`'s second factor on a signed-in client; returns the recovery codes.
    pub fn enroll(&self, admin: &Admin, user: &str) -> Vec<String> {
        let (status, enrollment) = answer(admin.post("/v1/mfa/enroll", &json!({})));
        assert_eq!(status, 200, "{enrollment}");
        let secret = enrollment["secret"].as_str().unwrap().to_owned();
        self.secrets.lock().unwrap().insert(user.to_owned(), (secret, 0));
        let (status, confirmed) = answer(admin.post("/v1/mfa/confirm", &json!({"code": self.code(user)})));
        assert_eq!(status, 200, "{confirmed}");
        confirmed["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect()
    }

    /// A TOTP code for `user` of a step not used before (the server accepts
    /// each step once, one step either side of now; this waits when needed).
    pub fn code(&self, user: &str) -> String {
        let mut secrets = self.secrets.lock().unwrap();
        let (secret, last) = secrets.get_mut(user).unwrap();
        loop {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() / 30;
            let step = (*last + 1).max(now.saturating_sub(1));
            if step <= now + 1 {
                *last = step;
                return totp(secret).generate(step * 30).to_string();
            }
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the server to exit; its exit code.
    pub fn wait(&mut self) -> Option<i32> {
        self.child.wait().unwrap().code()
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `--database URL` when the server in `dir` keeps its state in PostgreSQL.
fn database_args(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("database")).map(|url| vec!["--database".to_owned(), url]).unwrap_or_default()
}

pub fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

pub fn run_ok(args: &[&str]) -> String {
    let out = Command::new(binary()).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// An HTTP client with its cookie jar and CSRF token.
pub struct Admin {
    pub http: Client,
    pub url: String,
    pub csrf: String,
}

/// The TOTP of a base32 secret, as an authenticator app computes it.
pub fn totp(secret: &str) -> totp_rs::Totp {
    let bytes = totp_rs::Secret::try_from_base32(secret).unwrap();
    totp_rs::Builder::new().with_secret(bytes).build().unwrap()
}

impl Admin {
    pub fn sign_in(&self, user: &str, password: &str) -> Response {
        self.sign_in_with(user, password, None)
    }

    pub fn sign_in_with(&self, user: &str, password: &str, code: Option<&str>) -> Response {
        let mut body = json!({"user": user, "password": password});
        if let Some(code) = code {
            body["code"] = json!(code);
        }
        self.http.post(format!("{}/v1/session", self.url)).json(&body).send().unwrap()
    }

    pub fn get(&self, path: &str) -> Response {
        self.http.get(format!("{}{path}", self.url)).send().unwrap()
    }

    pub fn post(&self, path: &str, body: &Value) -> Response {
        self.http.post(format!("{}{path}", self.url)).header("x-csrf-token", &self.csrf).json(body).send().unwrap()
    }

    pub fn delete(&self, path: &str) -> Response {
        self.http.delete(format!("{}{path}", self.url)).header("x-csrf-token", &self.csrf).send().unwrap()
    }
}

/// The status and JSON body of a response.
pub fn answer(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().unwrap_or(Value::Null))
}

/// Asserts a refusal: its status and code.
pub fn refused(response: Response, status: u16, code: &str) -> Value {
    let (got, body) = answer(response);
    assert_eq!((got, body["code"].as_str().unwrap_or_default()), (status, code), "{body}");
    assert!(body["errors"].as_array().is_some_and(|e| !e.is_empty()), "{body}");
    body
}

pub fn move_bob() -> Value {
    json!({"changes": [{"op": "move_user", "user": "rep_east_bob", "role": "sales_rep_west"}], "comment": "bob moves west"})
}
