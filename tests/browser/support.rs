//! The browser test's machinery: starting a server binary, running `drive.mjs`, skipping
//! or failing when the browser is missing, and a second origin for a page. Used by
//! `tests/lesson_browser.rs`, `tests/lesson_09_browser.rs` and `tests/lesson_10_browser.rs`.
#![allow(dead_code, unused_imports)] // each browser test file uses a part

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use realtime::http::response::HTML;
use realtime::http::{Request, Response, Router, ServerConfig, Status};

use crate::common::process::{KillOnDrop, collect, runs, tools_present};
pub use crate::common::process::{Server, TempFile, example};
/// `drive.mjs` gives up after 30 s on its own; this is the backstop.
const DRIVER_DEADLINE: Duration = Duration::from_secs(60);

static ONE_BROWSER_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Takes the one-browser lock if everything the browser test needs is
/// installed. Otherwise: fails under `CI`, or prints why it skips and
/// returns `None`.
pub fn browser_available() -> Option<std::sync::MutexGuard<'static, ()>> {
    let chromium = chromium();
    let mut missing = Vec::new();
    if !chromium.is_file() {
        missing.push(format!("Chromium at {}", chromium.display()));
    }
    if !runs("node", &["--version"]) {
        missing.push("`node` on PATH".to_string());
    }
    if !browser_dir().join("node_modules/playwright-core").is_dir() {
        missing.push("tests/browser/node_modules (run `npm ci` there)".to_string());
    }
    if !tools_present("browser test", &missing) {
        return None;
    }
    // A test that panicked while holding the lock leaves nothing to clean up (its guards
    // killed its processes), so go on.
    Some(
        ONE_BROWSER_AT_A_TIME
            .lock()
            .unwrap_or_else(PoisonError::into_inner),
    )
}

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Runs `drive.mjs` on the server's page at `path` (`""` for `/`) and returns
/// its JSON report after checking that it succeeded and saw `message`.
pub fn drive(server: &Server, path: &str, mode: &str, message: &str) -> String {
    drive_at(&format!("{}{path}", server.url), server, mode, message)
}

/// Like [`drive`], on a page at `url` that another server serves (a second origin);
/// `server`'s stderr goes into the report of a failure.
pub fn drive_at(url: &str, server: &Server, mode: &str, message: &str) -> String {
    let no_questions = |question: &str| -> String {
        panic!("mode {mode} asked {question:?}, and this test answers nothing")
    };
    let context = || format!("server stderr:\n{}", server.stderr());
    drive_asking(url, mode, message, no_questions, context)
}

/// Like [`drive_at`], for a mode that asks the test to act halfway (lesson 10: "kill s2"):
/// `drive.ask(QUESTION)` in `drive.mjs` prints a line `ask QUESTION` and waits for one
/// line on its stdin, which is what `answer(QUESTION)` returns. `context()` is added to
/// the report of a failure (the servers' stderr).
pub fn drive_asking(
    url: &str,
    mode: &str,
    message: &str,
    mut answer: impl FnMut(&str) -> String,
    context: impl Fn() -> String,
) -> String {
    let chromium = chromium();
    let mut child = Command::new("node")
        .current_dir(browser_dir())
        .arg("drive.mjs")
        .args([url, mode, message])
        .env("CHROMIUM", &chromium)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start node");
    let mut answers = child.stdin.take().expect("piped stdin");
    let lines = lines_of(child.stdout.take().expect("piped stdout"));
    let stderr = collect(child.stderr.take().expect("piped stderr"));
    let mut driver = KillOnDrop(child);

    // The report is every line that is not a question (one JSON line, as a rule).
    let mut report = Vec::new();
    let mut take = |line: String, answers: &mut dyn Write| match line.strip_prefix("ask ") {
        Some(question) => {
            let reply = answer(question);
            // A driver that already ended cannot read it; its status says why.
            let _ = writeln!(answers, "{reply}").and_then(|()| answers.flush());
        }
        None => report.push(line),
    };
    let started = Instant::now();
    let status = loop {
        match lines.recv_timeout(Duration::from_millis(100)) {
            Ok(line) => take(line, &mut answers),
            Err(RecvTimeoutError::Timeout) => {}
            // Its stdout is closed: it is ending; wait for its status below.
            Err(RecvTimeoutError::Disconnected) => thread::sleep(Duration::from_millis(50)),
        }
        if let Some(status) = driver.0.try_wait().expect("wait for node") {
            break Some(status);
        }
        if started.elapsed() > DRIVER_DEADLINE {
            break None;
        }
    };
    drop(driver); // kills node if it is still running; closes its pipes
    // What it printed last may still be on its way.
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(2)) {
        take(line, &mut std::io::sink());
    }

    let (report, errors) = (report.join("\n"), stderr.all());
    let context = format!(
        "url: {url}\ndrive.mjs stdout:\n{report}\ndrive.mjs stderr:\n{errors}\n{}",
        context()
    );
    match status {
        None => panic!("drive.mjs still running after {DRIVER_DEADLINE:?}, killed\n{context}"),
        Some(status) => assert!(status.success(), "drive.mjs failed ({status})\n{context}"),
    }
    let report = report.trim().to_string();
    eprintln!("drive.mjs: {report}");
    assert!(report.starts_with('{'), "no JSON report\n{context}");
    assert!(report.contains("\"ok\":true"), "{context}");
    assert!(report.contains("\"console_errors\":[]"), "{context}");
    assert!(
        report.contains(&json_string(message)),
        "report does not name the message\n{context}"
    );
    report
}

/// Each line of `pipe`, as it comes, from a thread: the channel closes with the pipe.
fn lines_of(pipe: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (line, lines) = mpsc::channel();
    thread::spawn(move || {
        for text in BufReader::new(pipe).lines().map_while(Result::ok) {
            if line.send(text).is_err() {
                break;
            }
        }
    });
    lines
}

/// `text` as a JSON string literal, the way `JSON.stringify` writes it for
/// the plain text these tests use (no quotes, backslashes or controls).
fn json_string(text: &str) -> String {
    format!("\"{text}\"")
}

/// The value of the string field `"name":"..."` in the flat JSON report, for
/// the plain values these tests compare (ids, short texts without quotes).
pub fn string_field<'a>(report: &'a str, name: &str) -> Option<&'a str> {
    let start = report.find(&format!("\"{name}\":\""))? + name.len() + 4;
    let len = report[start..].find('"')?;
    Some(&report[start..start + len])
}

/// A second origin: a server of its own on a free port of 127.0.0.1 that answers `GET /`
/// with `html`. Returns its address.
pub fn serve_page(html: String) -> SocketAddr {
    let router = Router::new().get("/", move |_: &Request| {
        Response::new(Status::OK)
            .with_body(HTML, html.clone())
            .into()
    });
    crate::common::start(router, ServerConfig::default())
}

/// The address a started server announced (`http://HOST:PORT/`).
pub fn address_of(server: &Server) -> SocketAddr {
    let url = server
        .url
        .trim_start_matches("http://")
        .trim_end_matches('/');
    url.parse()
        .unwrap_or_else(|_| panic!("not HOST:PORT: {url}"))
}

/// How far `HH:MM:SS` is from the time of day now, UTC, in seconds (either way, across
/// midnight too).
pub fn seconds_from_now(time: &str) -> u64 {
    let parts: Vec<u64> = time.split(':').map(|p| p.parse().expect(time)).collect();
    assert_eq!(parts.len(), 3, "{time}");
    let shown = parts[0] * 3600 + parts[1] * 60 + parts[2];
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        % 86_400;
    let apart = shown.abs_diff(now);
    apart.min(86_400 - apart)
}

/// The counter `name` of `transport` in a `/stats` answer (`"sse":{"requests":1,…}`).
pub fn stats_count(stats: &str, transport: &str, name: &str) -> u64 {
    let counters = &stats[stats.find(&format!("\"{transport}\":")).expect(transport)..];
    let at = counters.find(&format!("\"{name}\":")).expect(name) + name.len() + 3;
    let digits = counters[at..].split(|c: char| !c.is_ascii_digit()).next();
    digits.and_then(|d| d.parse().ok()).expect(name)
}
