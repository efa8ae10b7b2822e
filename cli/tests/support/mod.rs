//! What the CLI's integration suites share: a scratch directory per test and
//! the binary run from the repository root at a fixed time.

use std::path::{Path, PathBuf};
use std::process::Command;

/// An empty directory for one test of one suite.
pub fn scratch(suite: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("clearance-{suite}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// The `clearance` binary, run from the repository root, its clock pinned.
pub fn clearance() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_clearance"));
    command.current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("..")).env("CLEARANCE_NOW", "2026-11-29T10:00:00Z");
    command
}
