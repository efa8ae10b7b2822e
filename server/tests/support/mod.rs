//! A real `clearance-server` on loopback, started from its binary over a
//! fresh data directory, and HTTP clients that sign in to it like admins.
#![allow(dead_code, reason = "each test file uses part of the support")]

use reqwest::blocking::{Client, Response};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

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
    let dir = std::env::temp_dir().join(format!("clearance-server-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub struct Server {
    pub dir: PathBuf,
    pub url: String,
    child: Child,
}

impl Server {
    /// `init` on the reference org (admin_ivy), accounts for [`ADMINS`], then `serve` on a free port.
    pub fn start(name: &str) -> Server {
        let dir = scratch(name);
        let password = dir.join("password");
        std::fs::write(&password, format!("{PASSWORD}\n")).unwrap();
        let data = dir.join("data");
        let policy = repo().join("examples/reference-org.json");
        run_ok(&["init", "--data", s(&data), "--policy", s(&policy), "--admin", "admin_ivy", "--password-file", s(&password)]);
        for user in &ADMINS[1..] {
            run_ok(&["password", "--data", s(&data), "--user", user, "--password-file", s(&password)]);
        }
        Server::serve(dir)
    }

    /// `serve` on the data directory inside `dir`.
    pub fn serve(dir: PathBuf) -> Server {
        let mut child = Command::new(binary())
            .args(["serve", "--data", s(&dir.join("data")), "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("unexpected first line {line:?}")).to_owned();
        Server { dir, url, child }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.join("data/state.db")
    }

    pub fn client(&self) -> Admin {
        Admin { http: Client::builder().cookie_store(true).build().unwrap(), url: self.url.clone(), csrf: String::new() }
    }

    /// A client signed in as `user`.
    pub fn sign_in(&self, user: &str) -> Admin {
        let mut admin = self.client();
        let answer = admin.sign_in(user, PASSWORD);
        assert_eq!(answer.status(), 200, "{user} signs in");
        admin.csrf = answer.json::<Value>().unwrap()["csrf"].as_str().unwrap().to_owned();
        admin
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

impl Admin {
    pub fn sign_in(&self, user: &str, password: &str) -> Response {
        self.http.post(format!("{}/v1/session", self.url)).json(&json!({"user": user, "password": password})).send().unwrap()
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
