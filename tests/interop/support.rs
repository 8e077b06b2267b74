//! The interop tests' machinery: finding the Python that has the third-party client
//! (`websockets`, `httpx-sse`), skipping or failing when it is missing, and running a
//! script with a deadline. Used by `tests/lesson_07_interop.rs` and
//! `tests/lesson_04_interop.rs`.
#![allow(dead_code)] // each test file uses a different part of this

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The script `name` (`websockets_client.py`), next to this file.
pub fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/interop")
        .join(name)
}

/// The interpreter of the virtualenv that has the clients: `$REALTIME_PYTHON`, or
/// `target/interop-venv/bin/python` (what `.ci/run` creates).
pub fn python() -> PathBuf {
    std::env::var_os("REALTIME_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/interop-venv/bin/python")
        })
}

/// Whether the interpreter runs and imports `module` (`websockets.sync.client`), which the
/// package `package` (`websockets`) provides. If not: a failure under CI, else a loud skip
/// (the policy of tests/browser/support.rs).
pub fn available(python: &Path, module: &str, package: &str) -> bool {
    let imports = Command::new(python)
        .args(["-c", &format!("import {module}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if imports.is_ok_and(|status| status.success()) {
        return true;
    }
    let why = format!(
        "the interop test needs {} with the `{package}` package (python3 -m venv \
         target/interop-venv && target/interop-venv/bin/pip install {package}, or set \
         REALTIME_PYTHON; .ci/run pins the versions)",
        python.display()
    );
    let ci = std::env::var("CI").unwrap_or_default();
    if !ci.is_empty() && ci != "0" && ci != "false" {
        panic!("{why}; CI is set, so this is a failure, not a skip");
    }
    // Straight to the stderr handle: libtest captures `eprintln!` of a passing test.
    let _ = writeln!(std::io::stderr(), "\n*** skipped: {why} ***\n");
    false
}

/// Runs `python script args` for at most `limit`; returns its status and output. The child
/// is killed (by its own handle) if it runs longer.
pub fn run_bounded(python: &Path, args: &[&str], limit: Duration) -> (ExitStatus, String, String) {
    let mut child = Command::new(python)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start python");
    let pipe = |mut reader: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut text = String::new();
            let _ = reader.read_to_string(&mut text);
            text
        })
    };
    let stdout = pipe(Box::new(child.stdout.take().expect("piped stdout")));
    let stderr = pipe(Box::new(child.stderr.take().expect("piped stderr")));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for python") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the interop script still ran after {limit:?}, killed; stdout so far is lost");
        }
        thread::sleep(Duration::from_millis(20));
    };
    (status, stdout.join().unwrap(), stderr.join().unwrap())
}
