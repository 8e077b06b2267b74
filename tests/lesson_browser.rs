//! The lesson pages in a real browser: headless Chromium, driven by
//! `tests/browser/drive.mjs` (Node and playwright-core).
//!
//! Each test starts one server on a free port, runs
//! `node tests/browser/drive.mjs URL MODE MESSAGE`, and checks that the page
//! showed the message: on every panel (`panels`), in the echoed request
//! (`echo`), on the SSE panel with its id as the last event ID (`sse`), or in
//! the one shared stream after seven streams met the browser's limit of six
//! connections per origin (`seven`). What the script checks is written at its
//! top.
//!
//! Needs Chromium (`$CHROMIUM` or `/usr/bin/chromium`), `node`, and
//! `tests/browser/node_modules` (`cd tests/browser && npm ci`). Without them
//! the tests print `skipped: ...` and pass, except under `CI=true`, where a
//! skipped browser test would hide a broken page, so they fail instead.
//!
//! The tests take a lock and run one at a time: each starts a browser, and
//! four at once on a small machine make timeouts flaky for no gain.

#[path = "browser/support.rs"]
mod support;

use std::path::Path;

use support::{Server, TempFile, browser_available, drive, example, string_field};

#[test]
fn playground_page_shows_a_published_message_on_all_three_panels() {
    let Some(_lock) = browser_available() else {
        return;
    };
    let server = Server::start(
        Path::new(env!("CARGO_BIN_EXE_realtime")),
        &["--addr", "127.0.0.1:0", "--tick-ms", "0"],
    );
    let report = drive(&server, "", "panels", "playground says hé ✓");
    assert_eq!(report.matches("\"transport\":").count(), 3, "{report}");
    assert!(report.contains("\"transport\":\"poll\""), "{report}");
    assert!(report.contains("\"transport\":\"long-poll\""), "{report}");
    assert!(report.contains("\"transport\":\"sse\""), "{report}");
}

#[test]
fn lesson_01_page_fetches_hello_and_shows_the_echoed_request() {
    let Some(_lock) = browser_available() else {
        return;
    };
    let server = Server::start(&example("01_http"), &["--addr", "127.0.0.1:0"]);
    let report = drive(&server, "", "echo", "lesson one says hé ✓");
    assert!(report.contains("hello, world"), "{report}");
    // The echo shows the head the browser wrote, not only our body.
    assert!(report.contains("POST /echo HTTP/1.1"), "{report}");
}

#[test]
fn lesson_02_page_shows_a_published_message_on_the_short_polling_panel() {
    let Some(_lock) = browser_available() else {
        return;
    };
    let server = Server::start(
        &example("02_short_polling"),
        &["--addr", "127.0.0.1:0", "--tick-ms", "0"],
    );
    let report = drive(&server, "", "panels", "lesson two says hé ✓");
    assert!(report.contains("\"transport\":\"poll\""), "{report}");
}

#[test]
fn lesson_03_page_shows_a_published_message_on_the_long_polling_panel() {
    let Some(_lock) = browser_available() else {
        return;
    };
    let server = Server::start(
        &example("03_long_polling"),
        &["--addr", "127.0.0.1:0", "--tick-ms", "0"],
    );
    let report = drive(&server, "", "panels", "lesson three says hé ✓");
    assert!(report.contains("\"transport\":\"long-poll\""), "{report}");
}

#[test]
fn lesson_04_page_shows_a_published_message_and_its_id_as_the_last_event_id() {
    let Some(_lock) = browser_available() else {
        return;
    };
    let journal = TempFile::new("lesson_04_page.journal");
    // No ticker: the published message is then the newest event, so the
    // last event ID the page shows must be the id the publish answer gave.
    let server = Server::start(
        &example("04_sse"),
        &[
            "--addr",
            "127.0.0.1:0",
            "--tick-ms",
            "0",
            "--journal",
            journal.arg(),
        ],
    );
    let report = drive(&server, "", "sse", "lesson four says hé ✓");
    assert!(report.contains("\"state\":\"open\""), "{report}");
    let published = string_field(&report, "published_id");
    assert!(published.is_some(), "{report}");
    assert_eq!(string_field(&report, "shown_id"), published, "{report}");
    assert_eq!(
        string_field(&report, "last_event_id"),
        published,
        "{report}"
    );
}

#[test]
fn lesson_04_seven_streams_page_stalls_the_seventh_then_shares_one_stream() {
    let Some(_lock) = browser_available() else {
        return;
    };
    let journal = TempFile::new("lesson_04_seven.journal");
    // A fast ticker, so the shared stream's named types get events at once.
    let server = Server::start(
        &example("04_sse"),
        &[
            "--addr",
            "127.0.0.1:0",
            "--tick-ms",
            "200",
            "--journal",
            journal.arg(),
        ],
    );
    let report = drive(&server, "seven", "seven", "seven streams say hé ✓");
    // HTTP/1.1: six connections per origin, so six streams open and the
    // seventh waits in the browser, still not open 2.5 s later.
    assert!(report.contains("\"seven_open\":6,"), "{report}");
    assert!(report.contains("\"seven_stalled\":1,"), "{report}");
    assert!(report.contains("\"shared_state\":\"open\""), "{report}");
    let published = string_field(&report, "published_id").expect("published_id");
    let shown = string_field(&report, "shared_message").expect("shared_message");
    assert!(shown.starts_with(&format!("#{published} ")), "{report}");
}
