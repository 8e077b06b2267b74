//! The lesson pages in a real browser: headless Chromium, driven by
//! `tests/browser/drive.mjs` (Node and playwright-core).
//!
//! Each test starts one server on a free port (the clock's test two: the clock,
//! and a second origin that serves its client), runs
//! `node tests/browser/drive.mjs URL MODE MESSAGE`, and checks that the page
//! showed the message: on every panel (`panels`), in the echoed request
//! (`echo`), on the SSE panel with its id as the last event ID (`sse`), in
//! the one shared stream after seven streams met the browser's limit of six
//! connections per origin (`seven`), echoed over a WebSocket the page opened
//! (`handshake`), echoed intact as text and as binary of two length forms
//! (`ws-echo`), or in every tab of the chat, a late one included (`chat`); or,
//! with no message to show, that the source's clock client, served from a second
//! origin, shows the clock server's time (`clock`).
//! What each mode checks is written at the top of its file in `tests/browser/pages/`.
//!
//! Needs Chromium (`$CHROMIUM` or `/usr/bin/chromium`), `node`, and
//! `tests/browser/node_modules` (`cd tests/browser && npm ci`). Without them
//! the tests print `skipped: ...` and pass, except under `CI=true`, where a
//! skipped browser test would hide a broken page, so they fail instead.
//!
//! The tests take a lock and run one at a time: each starts a browser, and
//! four at once on a small machine make timeouts flaky for no gain.

mod common;
#[path = "browser/support.rs"]
mod support;

use std::path::Path;

use realtime::websocket::handshake::accept_key;
use support::{
    Server, TempFile, address_of, browser_available, drive, drive_at, example, seconds_from_now,
    serve_page, stats_count, string_field,
};

#[test]
fn playground_page_shows_a_published_message_on_all_four_panels() {
    let Some(_lock) = browser_available() else {
        return;
    };
    let server = Server::start(
        Path::new(env!("CARGO_BIN_EXE_realtime")),
        &["--addr", "127.0.0.1:0", "--tick-ms", "0"],
    );
    let report = drive(&server, "", "panels", "playground says hé ✓");
    assert_eq!(report.matches("\"transport\":").count(), 4, "{report}");
    assert!(report.contains("\"transport\":\"poll\""), "{report}");
    assert!(report.contains("\"transport\":\"long-poll\""), "{report}");
    assert!(report.contains("\"transport\":\"sse\""), "{report}");
    assert!(report.contains("\"transport\":\"websocket\""), "{report}");
    // The comparison under the panels: one row per transport, each with its figures (the
    // mode waits until every one is a number).
    assert!(report.contains("\"compare_rows\":4,"), "{report}");
    for row in ["poll", "long-poll", "sse", "websocket"] {
        assert!(
            report.contains(&format!("{{\"row\":\"{row}\",")),
            "{row}: {report}"
        );
    }
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
fn lesson_04_source_clock_client_on_another_origin_shows_the_servers_time() {
    let Some(_lock) = browser_available() else {
        return;
    };
    let clock = Server::start(&example("04_sse_clock"), &["--addr", "127.0.0.1:0"]);
    let clock_addr = address_of(&clock);

    // The second origin: a server of its own on another port, with one page, the
    // source's client as it is except for the port in its URL.
    let source = include_str!("../examples/pages/04_sse_clock_client.html");
    let url = "\"http://localhost:4000/events\"";
    assert_eq!(source.matches(url).count(), 1, "the source's URL, once");
    let port = clock_addr.port();
    let origin = serve_page(source.replace(url, &url.replace("4000", &port.to_string())));
    assert_ne!(origin.port(), port);

    let report = drive_at(&format!("http://{origin}/"), &clock, "clock", "clock");
    assert_eq!(
        string_field(&report, "origin"),
        Some(format!("http://{origin}").as_str()),
        "{report}"
    );
    // The page shows the clock server's time of day (UTC), and then the next tick.
    let first = string_field(&report, "first_time").expect("first_time");
    let next = string_field(&report, "next_time").expect("next_time");
    assert!(seconds_from_now(first) <= 5, "{first} is not now: {report}");
    assert_ne!(first, next, "{report}");

    // And it came from the clock: its ledger counts the stream and its events.
    let stats = common::get(clock_addr, "/stats").text();
    assert!(stats_count(&stats, "sse", "requests") >= 1, "{stats}");
    assert!(stats_count(&stats, "sse", "events") >= 2, "{stats}");
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

#[test]
fn lesson_05_page_opens_a_websocket_gets_an_echo_and_the_example_prints_the_handshake() {
    let Some(_lock) = browser_available() else {
        return;
    };
    let server = Server::start(
        &example("05_websocket_handshake"),
        &["--addr", "127.0.0.1:0"],
    );
    let message = "lesson five says hé ✓";
    let report = drive(&server, "", "handshake", message);
    assert!(report.contains("\"state\":\"open\""), "{report}");
    assert_eq!(
        string_field(&report, "echoed"),
        Some(format!("echo: {message}").as_str()),
        "{report}"
    );
    // The server agreed to no extension, so the browser uses none.
    assert!(report.contains(r#""extensions":"\"\" (none)""#), "{report}");

    // The example printed the browser's request and its 101, and the accept
    // value it sent is the one RFC 6455 §4.2.2 derives from that request's key.
    let stderr = server.stderr_with("Sec-WebSocket-Accept: ");
    assert!(stderr.contains("← GET /ws/echo "), "{stderr}");
    assert!(
        stderr.contains("→ HTTP/1.1 101 Switching Protocols"),
        "{stderr}"
    );
    let field = |name: &str| {
        stderr
            .lines()
            .find_map(|line| {
                line.split_once(&format!(" {name}: "))
                    .map(|(_, v)| v.trim())
            })
            .unwrap_or_else(|| panic!("no {name} in the example's stderr:\n{stderr}"))
    };
    assert_eq!(
        field("Sec-WebSocket-Accept"),
        accept_key(field("Sec-WebSocket-Key")),
        "{stderr}"
    );
}

#[test]
fn lesson_06_page_gets_text_and_binary_back_intact_and_closes_with_1000() {
    let Some(_lock) = browser_available() else {
        return;
    };
    let server = Server::start(
        &example("06_websocket_echo"),
        &["--addr", "127.0.0.1:0", "--trace"],
    );
    let message = "lesson six says hé ✓";
    let report = drive(&server, "", "ws-echo", message);
    // Oldest first; "identical" means the page compared every byte.
    let text = format!("text {} identical", message.len());
    assert_eq!(
        string_field(&report, "echo_0"),
        Some(text.as_str()),
        "{report}"
    );
    assert_eq!(
        string_field(&report, "echo_1"),
        Some("binary 300 identical"),
        "{report}"
    );
    assert_eq!(
        string_field(&report, "echo_2"),
        Some("binary 70000 identical"),
        "{report}"
    );
    // Our Close 1000 came back from the server: the closing handshake completed.
    assert_eq!(
        string_field(&report, "close_code"),
        Some("1000"),
        "{report}"
    );
    assert_eq!(
        string_field(&report, "close_clean"),
        Some("true"),
        "{report}"
    );

    // --trace shows the echoes went out in the 16-bit and the 64-bit length forms.
    let stderr = server.stderr_with("len=70000 (64-bit)");
    assert!(stderr.contains("MASK=0 len=300 (16-bit)"), "{stderr}");
    assert!(stderr.contains("MASK=0 len=70000 (64-bit)"), "{stderr}");
}

#[test]
fn lesson_07_chat_tabs_see_each_other_and_a_late_tab_gets_the_history() {
    let Some(_lock) = browser_available() else {
        return;
    };
    let server = Server::start(&example("07_websocket_chat"), &["--addr", "127.0.0.1:0"]);
    let message = "lesson seven says hé ✓";
    let report = drive(&server, "", "chat", message);
    // A fresh log: tab A's message is event 1, the POST /publish event 2.
    assert_eq!(string_field(&report, "published_id"), Some("2"), "{report}");
    for tab in ["ids_a", "ids_b", "ids_c"] {
        assert_eq!(string_field(&report, tab), Some("1,2"), "{tab}: {report}");
    }
    // Tab C opened after both were sent: it got them from the history.
    let late = string_field(&report, "tab_c").expect("tab_c");
    assert_eq!(
        late,
        format!("#1 ana: {message} | #2 server: {message}"),
        "{report}"
    );
}
