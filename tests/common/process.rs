//! Child processes for the tests: a built example or binary started on a free port and
//! killed (by its own PID) when dropped, and what a test does when a tool it needs is
//! missing.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// How long a server may take to print its `listening on` line.
const STARTUP_DEADLINE: Duration = Duration::from_secs(20);

/// Whether a test that needs `what` can run: `missing` lists what is not installed.
/// Under CI (`CI` set to anything but `0` or `false`) a missing tool is a failure, since a
/// skipped test would hide a broken feature; elsewhere the test says loudly that it skips.
pub fn tools_present(what: &str, missing: &[String]) -> bool {
    if missing.is_empty() {
        return true;
    }
    let why = format!("{what} needs {}", missing.join(", "));
    let ci = std::env::var("CI").unwrap_or_default();
    if !ci.is_empty() && ci != "0" && ci != "false" {
        panic!("{why}; CI is set, so this is a failure, not a skip");
    }
    // Straight to the stderr handle: libtest captures `eprintln!` of a passing test, and
    // a skip nobody sees is no warning at all.
    let _ = writeln!(std::io::stderr(), "\n*** skipped: {why} ***\n");
    false
}

/// Whether `program` runs (`program --version` or the given probe arguments succeed).
pub fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The path of a built example. `cargo test` builds the examples before it
/// runs the tests; `cargo test --test lesson_browser` does not, so build it
/// then.
pub fn example(name: &str) -> PathBuf {
    let path = examples_dir().join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if !path.is_file() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--example", name, "--manifest-path"])
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .status()
            .expect("run cargo build");
        assert!(status.success(), "cargo build --example {name} failed");
    }
    assert!(path.is_file(), "no example binary at {}", path.display());
    path
}

/// Where cargo puts the built examples: `target/<profile>/examples`.
pub fn examples_dir() -> PathBuf {
    // This test runs as target/<profile>/deps/lesson_browser-<hash>.
    let exe = std::env::current_exe().expect("path of the test binary");
    exe.parent()
        .and_then(Path::parent)
        .expect("the test binary sits in target/<profile>/deps")
        .join("examples")
}

/// A running server, killed when dropped, so a failed assertion does not
/// leave it behind.
pub struct Server {
    child: Child,
    /// `http://HOST:PORT/`.
    pub url: String,
    stderr: Captured,
}

impl Server {
    /// Starts `program` and waits for its first stdout line,
    /// `listening on http://HOST:PORT`.
    pub fn start(program: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", program.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = collect(child.stderr.take().expect("piped stderr"));
        // Guard first: from here on a panic still kills the child.
        let mut server = Server {
            child,
            url: String::new(),
            stderr,
        };

        // Read on a thread, so a server that never prints cannot hang the
        // test: the channel's timeout is the deadline.
        let (first_line, listening) = mpsc::channel();
        thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = first_line.send(lines.next());
            // Keep draining, so a chatty server never blocks on a full pipe.
            for _ in lines {}
        });
        let line = match listening.recv_timeout(STARTUP_DEADLINE) {
            Ok(Some(Ok(line))) => line,
            Ok(other) => panic!(
                "{} ended stdout without a first line ({other:?}); stderr:\n{}",
                program.display(),
                server.stderr()
            ),
            Err(_) => panic!(
                "{} printed nothing within {STARTUP_DEADLINE:?}; stderr:\n{}",
                program.display(),
                server.stderr()
            ),
        };
        let address = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line should be `listening on URL`, got {line:?}"));
        server.url = format!("{}/", address.trim_end_matches('/'));
        server
    }

    /// What the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.so_far()
    }

    /// The server's stderr once it contains `needle`, or as it is after 2 s: the
    /// reader thread may still be a write behind what the page already saw.
    pub fn stderr_with(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            let text = self.stderr();
            if text.contains(needle) || Instant::now() > deadline {
                return text;
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Child::kill sends SIGKILL to this child's PID only.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Kills a child process (by its own PID) when dropped.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Everything a pipe delivers, gathered on a thread so that neither a full
/// pipe nor a silent one can block the test.
pub struct Captured {
    bytes: Arc<Mutex<Vec<u8>>>,
    closed: mpsc::Receiver<()>,
}

pub fn collect(mut pipe: impl Read + Send + 'static) -> Captured {
    let bytes = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&bytes);
    let (closed_tx, closed) = mpsc::channel();
    thread::spawn(move || {
        let mut chunk = [0; 4096];
        while let Ok(n @ 1..) = pipe.read(&mut chunk) {
            let mut sink = sink.lock().unwrap_or_else(PoisonError::into_inner);
            sink.extend_from_slice(&chunk[..n]);
        }
        let _ = closed_tx.send(());
    });
    Captured { bytes, closed }
}

impl Captured {
    /// What arrived until now.
    pub fn so_far(&self) -> String {
        let bytes = self.bytes.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Everything, once the writer has closed the pipe (or 2 s passed).
    pub fn all(&self) -> String {
        let _ = self.closed.recv_timeout(Duration::from_secs(2));
        self.so_far()
    }
}

/// A path in the temp directory, unique to this test process, removed when
/// dropped (a file or a directory): each test server gets a journal of its own, empty
/// at the start.
pub struct TempFile(PathBuf);

impl TempFile {
    pub fn new(name: &str) -> TempFile {
        let path = std::env::temp_dir().join(format!("realtime-{}-{name}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        TempFile(path)
    }

    pub fn arg(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temp path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        let _ = std::fs::remove_dir_all(&self.0); // when a test made it a directory
    }
}
