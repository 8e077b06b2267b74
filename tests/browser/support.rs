//! The browser test's machinery: starting a server binary, running `drive.mjs`, skipping
//! or failing when the browser is missing. Used by `tests/lesson_browser.rs`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

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
    let chromium = chromium();
    let url = format!("{}{path}", server.url);
    let mut child = Command::new("node")
        .current_dir(browser_dir())
        .arg("drive.mjs")
        .args([url.as_str(), mode, message])
        .env("CHROMIUM", &chromium)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start node");
    let stdout = collect(child.stdout.take().expect("piped stdout"));
    let stderr = collect(child.stderr.take().expect("piped stderr"));
    let mut driver = KillOnDrop(child);

    let started = Instant::now();
    let status = loop {
        if let Some(status) = driver.0.try_wait().expect("wait for node") {
            break Some(status);
        }
        if started.elapsed() > DRIVER_DEADLINE {
            break None;
        }
        thread::sleep(Duration::from_millis(100));
    };
    drop(driver); // kills node if it is still running; closes its pipes

    let (report, errors) = (stdout.all(), stderr.all());
    let context = format!(
        "url: {url}\ndrive.mjs stdout:\n{report}\ndrive.mjs stderr:\n{errors}\nserver stderr:\n{}",
        server.stderr()
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
