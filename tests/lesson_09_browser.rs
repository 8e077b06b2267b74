//! Lesson 9 in a real browser: lesson 4's `/seven` page through nginx's TLS and HTTP/2
//! listener. Over HTTP/1.1 the seventh `EventSource` waits for one of the browser's six
//! connections to the origin; over HTTP/2 every stream is a stream of one connection, and
//! all seven open. Needs Chromium, node and playwright-core (as `lesson_browser.rs`), and
//! nginx and openssl (as `lesson_09_nginx.rs`).

mod common;
#[path = "../examples/support/nginx.rs"]
mod nginx;
#[path = "browser/support.rs"]
mod support;

use common::process::{runs, tools_present};
use support::{Server, TempFile, browser_available, drive_at, example, string_field};

#[test]
fn over_http2_at_nginx_all_seven_streams_of_the_seven_page_open() {
    let Some(_lock) = browser_available() else {
        return;
    };
    let mut missing = Vec::new();
    if let Err(why) = nginx::binary() {
        missing.push(why);
    }
    if !runs("openssl", &["version"]) {
        missing.push("openssl".into());
    }
    if !tools_present("the HTTP/2 browser test", &missing) {
        return;
    }
    let journal = TempFile::new("lesson_09_seven.journal");
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
    let upstream = server
        .url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let proxy = nginx::Nginx::start("good", &[upstream]).unwrap();
    let url = format!("https://{}/seven", proxy.tls.as_deref().unwrap());
    let report = drive_at(&url, &server, "seven-h2", "seven over HTTP/2");
    assert_eq!(string_field(&report, "protocol"), Some("h2"), "{report}");
    assert!(
        report.contains(r#""seven":["open","open","open","open","open","open","open"]"#),
        "{report}"
    );
}
