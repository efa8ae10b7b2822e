//! `clearance`: validate policies, decide requests, explain decisions and run
//! policy test files. Exit status: 0 success (a deny is a success), 1 invalid
//! input or failing tests, 2 usage errors.

mod activity;
mod commands;
mod control;
mod remote;
mod workflow;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Clearance: access control for CRM records and fields, with reasons.
#[derive(Parser)]
#[command(name = "clearance", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// For people.
    Text,
    /// For machines.
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Check a policy file and report every problem with its JSON path and code.
    Validate {
        /// The policy file.
        policy: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Decide requests (JSON Lines in, one decision per line out, in order).
    Check {
        /// The policy file.
        policy: PathBuf,
        /// Records (JSON array or JSON Lines) that requests name by `record_id`.
        #[arg(long)]
        records: Option<PathBuf>,
        /// Requests, one JSON object per line; `-` reads stdin.
        #[arg(long)]
        requests: PathBuf,
        /// Append a decision event per request to this activity log (JSON Lines).
        #[arg(long)]
        log: Option<PathBuf>,
    },
    /// Decide requests and print each decision as a sentence.
    Explain {
        /// The policy file.
        policy: PathBuf,
        /// Records (JSON array or JSON Lines) that requests name by `record_id`.
        #[arg(long)]
        records: Option<PathBuf>,
        /// Requests, one JSON object per line; `-` reads stdin.
        #[arg(long)]
        requests: PathBuf,
        /// Language of the sentences.
        #[arg(long, default_value = "en", value_parser = ["en", "zh"])]
        lang: String,
        /// `json` prints `{decision, explanation}` per line.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Run policy test files (a policy, records, and requests with expected decisions).
    Test {
        /// Test files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print the ids of the records a user may access with an action, as a JSON array.
    Filter {
        /// The policy file.
        policy: PathBuf,
        /// Records (JSON array or JSON Lines).
        #[arg(long)]
        records: PathBuf,
        /// The user id.
        #[arg(long)]
        user: String,
        /// The action.
        #[arg(long)]
        action: String,
        /// The object type.
        #[arg(long)]
        object: String,
        /// The request context as JSON (default `{}`: gates that need context deny).
        #[arg(long, default_value = "{}")]
        context: String,
        /// Print `[{id, reasons}]` instead of ids.
        #[arg(long)]
        reasons: bool,
    },
    /// Print the users who may access a record with an action: `[{user, reasons}]`.
    WhoCan {
        /// The policy file.
        policy: PathBuf,
        /// Records (JSON array or JSON Lines).
        #[arg(long)]
        records: PathBuf,
        /// The record id.
        #[arg(long)]
        record: String,
        /// The action.
        #[arg(long)]
        action: String,
        /// The request context as JSON (default `{}`).
        #[arg(long, default_value = "{}")]
        context: String,
    },
    /// Report findings on a policy: unused items, empty or redundant rules,
    /// broad grants on sensitive objects, separation-of-duty conflicts.
    Lint {
        /// The policy file.
        policy: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Compare two versions of a policy on a dataset: who gains and loses which access.
    Diff {
        /// The policy before the change.
        before: PathBuf,
        /// The policy after the change.
        after: PathBuf,
        /// Records (JSON array or JSON Lines).
        #[arg(long)]
        records: PathBuf,
        /// The request context as JSON (default `{}`).
        #[arg(long, default_value = "{}")]
        context: String,
    },
    /// Print a parameterised SQL query selecting the records a user may access: `{sql, params}`.
    Plan {
        /// The policy file.
        policy: PathBuf,
        /// The user id.
        #[arg(long, required_unless_present = "ddl")]
        user: Option<String>,
        /// The action.
        #[arg(long, required_unless_present = "ddl")]
        action: Option<String>,
        /// The object type.
        #[arg(long, required_unless_present = "ddl")]
        object: Option<String>,
        /// SQL dialect.
        #[arg(long, default_value = "postgres", value_parser = ["postgres"])]
        dialect: String,
        /// The object's table (default: the object name in lower case).
        #[arg(long)]
        table: Option<String>,
        /// The request context as JSON (default `{}`).
        #[arg(long, default_value = "{}")]
        context: String,
        /// Print the expected database schema (DDL) instead.
        #[arg(long)]
        ddl: bool,
    },
    /// Print the JSON Schema of the policy file.
    Schema,
    /// Generate a deterministic org and dataset shaped like the reference org.
    Generate {
        /// Number of users.
        #[arg(long, default_value_t = 1000)]
        users: usize,
        /// Number of records.
        #[arg(long, default_value_t = 10_000)]
        records: usize,
        /// Number of roles (the tree is at least 8 levels deep).
        #[arg(long, default_value_t = 100)]
        roles: usize,
        /// Number of departments.
        #[arg(long, default_value_t = 50)]
        departments: usize,
        /// Number of groups.
        #[arg(long, default_value_t = 20)]
        groups: usize,
        /// Number of sharing rules.
        #[arg(long, default_value_t = 20)]
        sharing_rules: usize,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Directory to write `policy.json` and `records.jsonl` into.
        #[arg(long)]
        out: PathBuf,
    },
    /// Run the control plane (`clearance-server`, installed beside this binary): `clearance serve -- --data DIR`, or `clearance serve init|password|serve …`.
    #[command(disable_help_flag = true)]
    Serve {
        /// The arguments for `clearance-server` (`serve --data DIR` when they start with an option).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Create an Ed25519 key pair for signing bundles: `FILE` (secret) and `FILE.pub`.
    Keygen {
        /// Where to write the secret key (64 hex digits); the public key goes to `FILE.pub`.
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Compile a policy into a signed bundle for `Engine.fromBundle`.
    Bundle {
        /// The policy file.
        policy: PathBuf,
        /// The secret key file written by `keygen`.
        #[arg(long, required_unless_present = "unsigned")]
        key: Option<PathBuf>,
        /// Write an unsigned bundle (loaders refuse it unless told to accept unsigned bundles).
        #[arg(long, conflicts_with = "key")]
        unsigned: bool,
        /// The policy revision the bundle carries (loaders told to expect a newer one refuse it).
        #[arg(long, default_value_t = 0)]
        revision: u64,
        /// After this time (RFC 3339) loaders refuse the bundle.
        #[arg(long)]
        not_after: Option<String>,
        /// Leave the policy's JSON out (an edge's bundle: decides, but cannot lint or diff; less than half the size, faster to load).
        #[arg(long)]
        without_policy: bool,
        /// The bundle file to write.
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Change requests against the state database: propose, approve, reject, apply, review, show.
    Change {
        #[command(subcommand)]
        command: ChangeCommand,
    },
    /// Policy versions: init, list, diff, restore.
    Versions {
        #[command(subcommand)]
        command: VersionsCommand,
    },
    /// The hash-chained audit log: verify, export.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Access reviews: start, decide, show, close.
    Review {
        #[command(subcommand)]
        command: ReviewCommand,
    },
    /// Activity monitoring: analyse decision logs, generate a synthetic month, react to findings.
    Activity {
        #[command(subcommand)]
        command: activity::ActivityCommand,
    },
    /// The whole state database as JSON: export, import.
    State {
        #[command(subcommand)]
        command: StateCommand,
    },
    /// Verify a bundle's signature with a public key; prints its header as JSON.
    Verify {
        /// The bundle file.
        bundle: PathBuf,
        /// The public key file (`FILE.pub` from `keygen`).
        #[arg(long)]
        public_key: PathBuf,
        /// Refuse a bundle older than this revision (`stale_bundle`).
        #[arg(long, default_value_t = 0)]
        min_revision: u64,
    },
}

/// Where the state lives and who acts when.
#[derive(clap::Args)]
struct Actor {
    /// The state database (SQLite): one person's local state.
    #[arg(long, default_value = "clearance.db")]
    db: PathBuf,
    /// A shared `clearance-server` instead (its URL): the admin is the one the API token in `CLEARANCE_TOKEN` belongs to.
    #[arg(long, conflicts_with = "db")]
    server: Option<String>,
    /// The acting user (a user id of the policy; the local state only).
    #[arg(long = "as", required_unless_present = "server")]
    actor: Option<String>,
    /// The time of the action (RFC 3339; default: `CLEARANCE_NOW`, else now).
    #[arg(long)]
    at: Option<String>,
    /// A comment recorded with the step.
    #[arg(long, default_value = "")]
    comment: String,
}

/// The state database alone.
#[derive(clap::Args)]
struct Db {
    /// The state database (SQLite).
    #[arg(long, default_value = "clearance.db")]
    db: PathBuf,
}

/// The state to read: a local database, or a shared server.
#[derive(clap::Args)]
struct Source {
    /// The state database (SQLite): one person's local state.
    #[arg(long, default_value = "clearance.db")]
    db: PathBuf,
    /// A shared `clearance-server` instead (its URL), read with the API token in `CLEARANCE_TOKEN`.
    #[arg(long, conflicts_with = "db")]
    server: Option<String>,
}

impl Actor {
    /// The acting user of a local step (clap requires `--as` without `--server`).
    fn who(&self) -> &str {
        self.actor.as_deref().unwrap_or_default()
    }

    /// Refuses `--server` for commands the server does not offer yet.
    fn local_only(&self, what: &str) -> Result<(), clearance_core::Error> {
        match self.server {
            Some(_) => Err(clearance_core::Error::one(
                "/server",
                clearance_core::error::code::BAD_VALUE,
                format!("`{what}` works on a local state only (start a server's state with `clearance-server init`)"),
            )),
            None => Ok(()),
        }
    }

    /// The server to act on, if any (refusing `--as` and `--at` with it).
    fn remote(&self) -> Option<Result<remote::Remote, clearance_core::Error>> {
        self.server.as_deref().map(|url| remote::Remote::new(url, self.actor.as_deref(), self.at.as_deref()))
    }
}

#[derive(Subcommand)]
enum ChangeCommand {
    /// Draft and submit a change set (a JSON list of operations) for approval.
    Propose {
        /// The change set file.
        changes: PathBuf,
        #[command(flatten)]
        actor: Actor,
        /// Records to preview the change's effect on (who gains and loses access).
        #[arg(long)]
        records: Option<PathBuf>,
    },
    /// Approve a pending request (not its author; needs the approver permission).
    Approve {
        /// Request id.
        id: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// Reject a pending request.
    Reject {
        /// Request id.
        id: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// Apply an approved request: a new version.
    Apply {
        /// Request id.
        id: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// Mark an applied request reviewed.
    Review {
        /// Request id.
        id: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// Show one request, or all.
    Show {
        /// Request id.
        id: Option<String>,
        #[command(flatten)]
        source: Source,
    },
}

#[derive(Subcommand)]
enum VersionsCommand {
    /// Start the state from a policy file (its first version).
    Init {
        /// The policy file.
        policy: PathBuf,
        #[command(flatten)]
        actor: Actor,
    },
    /// List versions.
    List {
        #[command(flatten)]
        source: Source,
    },
    /// Who gains and loses what between two versions (hash prefixes).
    Diff {
        /// The earlier version.
        a: String,
        /// The later version.
        b: String,
        /// Records (JSON array or JSON Lines).
        #[arg(long)]
        records: PathBuf,
        #[command(flatten)]
        db: Db,
    },
    /// Propose restoring a version (a change request like any other).
    Restore {
        /// The version (hash prefix).
        version: String,
        #[command(flatten)]
        actor: Actor,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify the hash chain; exit 1 naming the first bad entry.
    Verify {
        #[command(flatten)]
        db: Db,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// A checkpoint the server signed (`GET /v1/audit/checkpoint`): the log must still hold the entry it names.
        #[arg(long, requires = "public_key")]
        checkpoint: Option<PathBuf>,
        /// The server's checkpoint public key file (64 hex digits).
        #[arg(long, requires = "checkpoint")]
        public_key: Option<PathBuf>,
    },
    /// Print the log as JSON Lines.
    Export {
        #[command(flatten)]
        db: Db,
    },
}

/// A reviewer's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum VerdictArg {
    /// Keep the grant.
    Keep,
    /// Revoke it when the campaign closes.
    Revoke,
}

#[derive(Subcommand)]
enum ReviewCommand {
    /// Start a campaign over every active user's profile, permission sets and groups.
    Start {
        /// Due date (RFC 3339).
        #[arg(long)]
        due: String,
        /// One reviewer for everyone (default: each user's manager by role hierarchy).
        #[arg(long)]
        reviewer: Option<String>,
        #[command(flatten)]
        actor: Actor,
    },
    /// Record a verdict on an item (its reviewer only).
    Decide {
        /// Campaign id.
        campaign: String,
        /// Item number.
        item: u32,
        /// Keep or revoke.
        #[arg(value_enum)]
        verdict: VerdictArg,
        #[command(flatten)]
        actor: Actor,
    },
    /// Show a campaign with its overdue items.
    Show {
        /// Campaign id.
        campaign: String,
        #[command(flatten)]
        source: Source,
        /// The time to judge overdue items at (default: now).
        #[arg(long)]
        at: Option<String>,
    },
    /// Close a campaign (its owner): revocations become a change request.
    Close {
        /// Campaign id.
        campaign: String,
        #[command(flatten)]
        actor: Actor,
    },
}

#[derive(Subcommand)]
enum StateCommand {
    /// Print the whole state as JSON.
    Export {
        #[command(flatten)]
        db: Db,
    },
    /// Replace the state with an export, after checking all of it: the actor
    /// needs the approver permission, and the import is recorded in the audit log.
    Import {
        /// The export file.
        file: PathBuf,
        #[command(flatten)]
        db: Db,
        /// The acting user (an approver under the current policy, or under the
        /// imported one when the state is empty).
        #[arg(long = "as")]
        actor: String,
        /// Replace a history the import does not extend (shorter or different).
        #[arg(long)]
        force: bool,
        /// The time of the import (RFC 3339; default: `CLEARANCE_NOW`, else now).
        #[arg(long)]
        at: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate { policy, format } => commands::validate(&policy, format == Format::Json),
        Command::Check { policy, records, requests, log } => {
            commands::check(&policy, records.as_deref(), &requests, None, false, log.as_deref())
        }
        Command::Explain { policy, records, requests, lang, format } => {
            let lang = clearance_core::Lang::parse(&lang).unwrap_or(clearance_core::Lang::En);
            commands::check(&policy, records.as_deref(), &requests, Some(lang), format == Format::Json, None)
        }
        Command::Test { files, format } => commands::test(&files, format == Format::Json),
        Command::Filter { policy, records, user, action, object, context, reasons } => {
            commands::filter(&policy, &records, &user, &action, &object, &context, reasons)
        }
        Command::WhoCan { policy, records, record, action, context } => commands::who_can(&policy, &records, &record, &action, &context),
        Command::Lint { policy, format } => commands::lint(&policy, format == Format::Json),
        Command::Diff { before, after, records, context } => commands::diff(&before, &after, &records, &context),
        Command::Plan { policy, user, action, object, dialect: _, table, context, ddl } => {
            commands::plan(&policy, user.as_deref(), action.as_deref(), object.as_deref(), table.as_deref(), &context, ddl)
        }
        Command::Schema => commands::schema(),
        Command::Generate { users, records, roles, departments, groups, sharing_rules, seed, out } => {
            let params =
                clearance_core::generate::Params { users, records, roles, role_depth: 8, departments, groups, sharing_rules, seed };
            commands::generate(&params, &out)
        }
        Command::Serve { args } => commands::serve(&args),
        Command::Keygen { out } => commands::keygen(&out),
        Command::Bundle { policy, key, unsigned: _, revision, not_after, without_policy, out } => {
            let stamp = commands::BundleStamp { revision, not_after: not_after.as_deref(), with_policy: !without_policy };
            commands::bundle(&policy, key.as_deref(), &stamp, &out)
        }
        Command::Verify { bundle, public_key, min_revision } => commands::verify(&bundle, &public_key, min_revision),
        Command::Change { command } => control::change(command),
        Command::Versions { command } => control::versions(command),
        Command::Audit { command: AuditCommand::Verify { db, format, checkpoint, public_key } } => {
            let checkpoint = checkpoint.zip(public_key);
            workflow::audit_verify(&db.db, checkpoint.as_ref().map(|(c, k)| (c.as_path(), k.as_path())), format == Format::Json)
        }
        Command::Audit { command: AuditCommand::Export { db } } => workflow::audit_export(&db.db),
        Command::Review { command } => control::review(command),
        Command::Activity { command } => activity::run(command),
        Command::State { command: StateCommand::Export { db } } => workflow::state_export(&db.db),
        Command::State { command: StateCommand::Import { file, db, actor, force, at } } => {
            workflow::state_import(&db.db, &file, &actor, force, at.as_deref())
        }
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            commands::report(&error, false);
            ExitCode::from(1)
        }
    }
}
