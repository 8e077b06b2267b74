//! Lesson 2 over real sockets: `/publish`, `/poll` JSON, the cursor, `ETag` and `304`.

mod common;

use std::io::Write;

use common::{Client, exchange, get, poll_ids, post, start_playground};

#[test]
fn publish_answers_the_id_and_poll_returns_every_event_after_the_cursor() {
    let (addr, _) = start_playground(100);
    assert_eq!(post(addr, "/publish", "one").text(), r#"{"id":1}"#);
    assert_eq!(post(addr, "/publish", "two").text(), r#"{"id":2}"#);
    let answer = get(addr, "/poll?since=1");
    assert_eq!(answer.field("content-type"), Some("application/json"));
    assert_eq!(
        answer.text(),
        r#"{"events":[{"id":2,"data":"two"}],"last_id":2}"#
    );
    assert_eq!(
        get(addr, "/poll").text(),
        r#"{"events":[{"id":1,"data":"one"},{"id":2,"data":"two"}],"last_id":2}"#
    );
    assert_eq!(
        get(addr, "/poll?since=2").text(),
        r#"{"events":[],"last_id":2}"#
    );
}

#[test]
fn event_text_is_escaped_as_a_json_string_on_the_wire() {
    let (addr, _) = start_playground(100);
    post(
        addr,
        "/publish",
        "quote \" backslash \\ tab \t nl \n nul \u{0} é 📈",
    );
    let expected = r#"{"events":[{"id":1,"data":"quote \" backslash \\ tab \t nl \n nul \u0000 é 📈"}],"last_id":1}"#;
    assert_eq!(get(addr, "/poll").text(), expected);
}

#[test]
fn an_etag_names_the_newest_id_and_if_none_match_gets_304_until_something_is_new() {
    let (addr, _) = start_playground(100);
    let mut client = Client::new(addr);
    client.post("/publish", "a");
    let first = client.get("/poll?since=0");
    assert_eq!(
        (first.field("etag"), first.field("cache-control")),
        (Some("\"1\""), Some("no-cache"))
    );
    let poll_with = |client: &mut Client, tag: &str| {
        client
            .0
            .write_all(
                format!("GET /poll?since=1 HTTP/1.1\r\nHost: t\r\nIf-None-Match: {tag}\r\n\r\n")
                    .as_bytes(),
            )
            .unwrap();
        common::read_answer(&mut client.0, false)
    };
    let unchanged = poll_with(&mut client, "\"1\"");
    assert_eq!(
        (
            unchanged.status,
            unchanged.body.len(),
            unchanged.field("etag")
        ),
        (304, 0, Some("\"1\""))
    );
    assert_eq!(
        poll_with(&mut client, "W/\"1\"").status,
        304,
        "weak comparison"
    );
    client.post("/publish", "b");
    let changed = poll_with(&mut client, "\"1\"");
    assert_eq!(
        (changed.status, changed.text().as_str()),
        (200, r#"{"events":[{"id":2,"data":"b"}],"last_id":2}"#)
    );
}

#[test]
fn a_cursor_older_than_the_history_sets_missed() {
    let (addr, _) = start_playground(3);
    for n in 1..=5 {
        post(addr, "/publish", &format!("e{n}"));
    }
    let answer = get(addr, "/poll?since=0").text();
    assert_eq!(poll_ids(&answer), (vec![3, 4, 5], 5));
    assert!(answer.ends_with(r#","missed":true}"#), "{answer}");
    assert!(!get(addr, "/poll?since=2").text().contains("missed"));
}

#[test]
fn a_since_that_is_not_a_number_and_a_body_that_is_not_utf8_get_400() {
    let (addr, _) = start_playground(100);
    assert_eq!(get(addr, "/poll?since=abc").status, 400);
    assert_eq!(get(addr, "/poll?since=-1").status, 400);
    let answer = exchange(
        addr,
        b"POST /publish HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n\xff\xfe",
    );
    assert_eq!(answer.status, 400);
}
