//! `clearance-server`: start a state, set an admin's password, serve.

use clap::{Parser, Subcommand};
use clearance_core::Error;
use clearance_server::{App, accounts, clock, db::Db};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// mimalloc instead of the system allocator: with glibc's, the server held
/// 210 MB after the benchmark on the 10k-user org where mimalloc holds
/// 153 MB, and served the 1,000 concurrent reads with a steadier p99
/// (bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "clearance-server",
    version,
    about = "The Clearance control plane: shared policy, change requests, versions and audit log"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Starts a state in DATA with its first policy version and its first admin.
    Init {
        /// The data directory (created when absent): the checkpoint key, and the state unless --database.
        #[arg(long)]
        data: PathBuf,
        /// Keep the state in PostgreSQL (a `postgres://` URL or a connection string) instead of SQLite in DATA.
        #[arg(long)]
        database: Option<String>,
        /// The policy file of the first version.
        #[arg(long)]
        policy: PathBuf,
        /// The first admin: a user of the policy.
        #[arg(long)]
        admin: String,
        /// A file holding the admin's password (`-`: standard input); never given on the command line.
        #[arg(long)]
        password_file: PathBuf,
    },
    /// Sets (or resets) a user's password, creating their admin account.
    Password {
        /// The data directory.
        #[arg(long)]
        data: PathBuf,
        /// Keep the state in PostgreSQL (a `postgres://` URL or a connection string) instead of SQLite in DATA.
        #[arg(long)]
        database: Option<String>,
        /// The user: a user of the current policy.
        #[arg(long)]
        user: String,
        /// A file holding the password (`-`: standard input).
        #[arg(long)]
        password_file: PathBuf,
    },
    /// Verifies the audit log (as `clearance audit verify` does a SQLite state), on either database.
    Verify {
        /// The data directory.
        #[arg(long)]
        data: PathBuf,
        /// The state's PostgreSQL, when it is kept there.
        #[arg(long)]
        database: Option<String>,
        /// A checkpoint the server signed (`GET /v1/audit/checkpoint`): the log must still hold its entry.
        #[arg(long, requires = "public_key")]
        checkpoint: Option<PathBuf>,
        /// The checkpoint key's public half (`DATA/checkpoint.key.pub`).
        #[arg(long, requires = "checkpoint")]
        public_key: Option<PathBuf>,
    },
    /// Serves the HTTP API.
    Serve {
        /// The data directory (started with `init`).
        #[arg(long)]
        data: PathBuf,
        /// Keep the state in PostgreSQL (a `postgres://` URL or a connection string) instead of SQLite in DATA.
        #[arg(long)]
        database: Option<String>,
        /// Address to listen on (port 0: any free port; the address is printed).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// A proxy whose `X-Forwarded-For` header names the client (repeat for several); others' headers are ignored.
        #[arg(long = "trusted-proxy")]
        trusted_proxies: Vec<std::net::IpAddr>,
        /// The checkpoint signing key (default: `DATA/checkpoint.key`, written by `init`); keep it away from the database's writers.
        #[arg(long)]
        checkpoint_key: Option<PathBuf>,
        /// The key edge bundles are signed with (default: `DATA/bundle.key`, written by `init`); edges trust its `.pub`.
        #[arg(long)]
        bundle_key: Option<PathBuf>,
        /// Log lines as JSON objects (default: text), on standard error.
        #[arg(long)]
        log_json: bool,
        /// Serve HTTPS with this certificate chain (PEM); with --tls-key.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key (PEM); with --tls-cert.
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Also serve the admin app built in this directory (`bash scripts/web.sh build` writes `dist/`), on the API's origin.
        #[arg(long)]
        app: Option<PathBuf>,
    },
}

fn read_password(path: &Path) -> Result<String, Error> {
    let mut text = String::new();
    let read = if path == Path::new("-") {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(path).map(|t| text = t)
    };
    read.map_err(|e| {
        Error::one(
            "/password_file",
            clearance_core::Code::IoError,
            format!("cannot read `{}`: {}", path.display(), e.to_string().to_lowercase()),
        )
    })?;
    Ok(text.trim_end_matches(['\r', '\n']).to_owned())
}

/// Who did it, for steps taken at the server's console rather than over HTTP.
const CONSOLE: &str = "console";

/// Where `init` writes the checkpoint signing key in the data directory.
const CHECKPOINT_KEY: &str = "checkpoint.key";

/// Where `init` writes the bundle signing key in the data directory.
const BUNDLE_KEY: &str = "bundle.key";

fn run(command: Command) -> Result<(), Error> {
    match command {
        Command::Init { data, database, policy, admin, password_file } => {
            let password = read_password(&password_file)?;
            let policy = clearance_cli::load::load_policy(&policy)?.policy()?.clone();
            let db = match &database {
                Some(url) => {
                    std::fs::create_dir_all(&data).map_err(|e| {
                        Error::one(
                            "/data",
                            clearance_core::Code::IoError,
                            format!("cannot create `{}`: {}", data.display(), e.to_string().to_lowercase()),
                        )
                    })?;
                    Db::create_postgres(url)?
                }
                None => Db::create(&data)?,
            };
            let now = clock::now_ms();
            let version = db.run_now(|s| {
                let version = clearance_core::change::steps::init(s, policy, &admin, &clock::stamp(now, None))?;
                accounts::set_password(s, &admin, &password, &admin, now)?;
                Ok(version)
            })?;
            let _ = writeln!(std::io::stdout(), "started {} with version {} and admin `{admin}`", data.display(), version.hash);
            for (file, what) in [(CHECKPOINT_KEY, "checkpoints"), (BUNDLE_KEY, "edge bundles")] {
                let public = clearance_cli::load::write_key_pair(&data.join(file))?;
                let _ = writeln!(
                    std::io::stdout(),
                    "{what} are signed with {}; its public key is {}",
                    data.join(file).display(),
                    public.display()
                );
            }
            Ok(())
        }
        Command::Password { data, database, user, password_file } => {
            let password = read_password(&password_file)?;
            open(&data, database.as_deref())?.run_now(|s| accounts::set_password(s, &user, &password, CONSOLE, clock::now_ms()))?;
            let _ = writeln!(std::io::stdout(), "password set for `{user}`");
            Ok(())
        }
        Command::Verify { data, database, checkpoint, public_key } => {
            let checkpoint =
                checkpoint.zip(public_key).map(|(file, key)| clearance_cli::load::read_checkpoint((&file, &key))).transpose()?;
            let (entries, head) = open(&data, database.as_deref())?.run_now(|s| Ok((s.verify(checkpoint.as_ref())?, s.audit_head()?)))?;
            let checkpoint = checkpoint.map(|c| serde_json::json!({"seq": c.seq, "at": c.at}));
            let report = serde_json::json!({"valid": true, "entries": entries, "head": head, "checkpoint": checkpoint});
            let _ = writeln!(std::io::stdout(), "{report}");
            Ok(())
        }
        Command::Serve { data, database, listen, trusted_proxies, checkpoint_key, bundle_key, log_json, tls_cert, tls_key, app } => {
            let _written_out_on_exit = clearance_server::logs::init(log_json);
            let site = app.map(|dir| clearance_server::site::Site::load(&dir).map_err(|e| e.at("/app"))).transpose()?;
            // The state first: a data directory never started is `no_state`, whatever keys it lacks.
            let db = open(&data, database.as_deref())?;
            let keys = clearance_server::Keys {
                checkpoint: read_key(&checkpoint_key.unwrap_or_else(|| data.join(CHECKPOINT_KEY)), "checkpoint")?,
                bundle: read_key(&bundle_key.unwrap_or_else(|| data.join(BUNDLE_KEY)), "bundle")?,
            };
            serve(db, &listen, keys, trusted_proxies, tls_cert.zip(tls_key), site)
        }
    }
}

/// The started state: in PostgreSQL when `database` names one, else in `data`.
fn open(data: &Path, database: Option<&str>) -> Result<Db, Error> {
    match database {
        Some(url) => Db::open_postgres(url),
        None => Db::open(data),
    }
}

/// A signing key (`what`: `checkpoint` or `bundle`). Fail closed: no key,
/// no server (checkpoints are how the log is trusted, bundles how edges
/// trust the policy).
fn read_key(path: &Path, what: &str) -> Result<[u8; 32], Error> {
    let text = clearance_cli::load::read_text(path).map_err(|_| {
        Error::one(
            format!("/{what}_key"),
            if what == "bundle" { clearance_core::Code::NoBundleKey } else { clearance_core::Code::NoCheckpointKey },
            format!(
                "no {what} key at `{}`: `init` writes one (`clearance keygen -o {}` for a state started before), or pass --{what}-key",
                path.display(),
                path.display()
            ),
        )
    })?;
    clearance_core::bundle::parse_hex_key(&text).map_err(|e| e.at(&format!("/{what}_key")))
}

fn serve(
    db: Db,
    listen: &str,
    keys: clearance_server::Keys,
    trusted_proxies: Vec<std::net::IpAddr>,
    tls: Option<(PathBuf, PathBuf)>,
    site: Option<clearance_server::site::Site>,
) -> Result<(), Error> {
    let app = App::new(db, keys, tls.is_some(), trusted_proxies);
    let app = match site {
        Some(site) => app.with_site(site),
        None => app,
    };
    // Database calls and password hashing run on blocking threads; a bounded
    // pool queues them under load instead of growing a thread (and its
    // stack) per request in flight.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(16)
        .build()
        .map_err(|e| Error::one("", clearance_core::Code::Internal, format!("cannot start: {e}")))?;
    let io = |e: std::io::Error| Error::one("", clearance_core::Code::IoError, e.to_string().to_lowercase());
    runtime.block_on(async {
        let listener = std::net::TcpListener::bind(listen).map_err(|e| {
            Error::one("/listen", clearance_core::Code::IoError, format!("cannot listen on `{listen}`: {}", e.to_string().to_lowercase()))
        })?;
        listener.set_nonblocking(true).map_err(io)?;
        let address = listener.local_addr().map_err(io)?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let _ = writeln!(std::io::stdout(), "listening on {scheme}://{address}");
        let _ = std::io::stdout().flush();
        tracing::info!(address = %address, scheme, "serving");
        let served = match &tls {
            Some((cert, key)) => clearance_server::serve_tls(listener, app, cert, key).await,
            None => clearance_server::serve(tokio::net::TcpListener::from_std(listener).map_err(io)?, app).await,
        };
        tracing::info!("stopped: the requests in flight were answered");
        served.map_err(io)
    })
}

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            for p in error.problems() {
                let _ = writeln!(std::io::stderr(), "error: {}: {} [{}]", if p.path.is_empty() { "/" } else { &p.path }, p.message, p.code);
            }
            ExitCode::from(1)
        }
    }
}
