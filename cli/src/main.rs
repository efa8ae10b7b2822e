//! `clearance`: validate policies, decide requests, explain decisions and run
//! policy test files. Exit status: 0 success (a deny is a success), 1 invalid
//! input or failing tests, 2 usage errors.

mod commands;

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
        /// The bundle file to write.
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Verify a bundle's signature with a public key; prints its header as JSON.
    Verify {
        /// The bundle file.
        bundle: PathBuf,
        /// The public key file (`FILE.pub` from `keygen`).
        #[arg(long)]
        public_key: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate { policy, format } => commands::validate(&policy, format == Format::Json),
        Command::Check { policy, records, requests } => commands::check(&policy, records.as_deref(), &requests, None, false),
        Command::Explain { policy, records, requests, lang, format } => {
            let lang = clearance_core::Lang::parse(&lang).unwrap_or(clearance_core::Lang::En);
            commands::check(&policy, records.as_deref(), &requests, Some(lang), format == Format::Json)
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
        Command::Keygen { out } => commands::keygen(&out),
        Command::Bundle { policy, key, unsigned: _, out } => commands::bundle(&policy, key.as_deref(), &out),
        Command::Verify { bundle, public_key } => commands::verify(&bundle, &public_key),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            commands::report(&error, false);
            ExitCode::from(1)
        }
    }
}
