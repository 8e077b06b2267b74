//! Lesson 11 in a real browser: the playground of a server started with
//! `--publish-token`. The publish form gets `401`, asks for the token and sends again with
//! `Authorization: Bearer`; the WebSocket panel, asked with `{"auth":"Bearer"}`, sends the
//! token first and then the message. Needs Chromium, node and playwright-core (as
//! `lesson_browser.rs`).

mod common;
#[path = "browser/support.rs"]
mod support;

use std::path::Path;

use support::{Server, browser_available, drive};

#[test]
fn the_playground_asks_for_the_token_once_and_publishes_on_both_paths() {
    let Some(_lock) = browser_available() else {
        return;
    };
    let token = "tok3n-of-the-test";
    let server = Server::start(
        Path::new(env!("CARGO_BIN_EXE_realtime")),
        &[
            "--addr",
            "127.0.0.1:0",
            "--tick-ms",
            "0",
            "--publish-token",
            token,
        ],
    );
    let report = drive(&server, "", "token", token);
    assert!(report.contains("\"ok\":true"), "{report}");
    assert!(
        report.contains("\"asked\":1,"),
        "one prompt, for both paths: {report}"
    );
    assert!(
        report.contains("\"leaked\":false"),
        "the token is never an event: {report}"
    );
}
