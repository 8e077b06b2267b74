//! Lesson 11, who may connect: a server started with `--publish-token` refuses publishes
//! without the token on both paths (`401` with a `Bearer` challenge on `POST /publish`,
//! close 1008 on `/ws`), keeps reading open to everyone, and answers the CORS preflight
//! of a page on another origin. Without the token, a cross-site `text/plain` POST is a
//! simple request that publishes: the hole the token closes.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{Answer, connect, get, read_answer};
use realtime::ledger::Meter;
use realtime::options::Options;
use realtime::websocket::connect::connect as ws_connect;
use realtime::websocket::{Config, Message};
use std::io::Write;

const TOKEN: &str = "s3cret";

/// The playground with `args` (`--publish-token …`, `--allow-origin …`).
fn server(args: &[&str]) -> SocketAddr {
    let options = Options::parse("127.0.0.1:0", args.iter().map(|a| a.to_string())).unwrap();
    let (log, publish) = options.event_log();
    let router = realtime::playground::router_publishing(
        log,
        publish,
        options.stream_options(),
        options.websocket(),
        options.handshake(),
        options.breaks,
    );
    common::start(router, options.server_config())
}

/// A `POST /publish` of `body` with `fields` (field lines without CR LF).
fn publish(addr: SocketAddr, body: &str, fields: &[&str]) -> Answer {
    let mut stream = connect(addr);
    let mut head = format!(
        "POST /publish HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n",
        body.len()
    );
    for field in fields {
        head.push_str(field);
        head.push_str("\r\n");
    }
    stream
        .write_all(format!("{head}\r\n{body}").as_bytes())
        .unwrap();
    read_answer(&mut stream, false)
}

fn events(addr: SocketAddr) -> String {
    get(addr, "/poll?since=0").text()
}

#[test]
fn a_publish_without_the_token_gets_401_with_a_bearer_challenge_and_is_not_stored() {
    let addr = server(&["--publish-token", TOKEN]);
    for fields in [
        &[][..],
        &["Authorization: Bearer wrong"],
        &["Authorization: Basic czNjcmV0"],
    ] {
        let refused = publish(addr, "not stored", fields);
        assert_eq!(refused.status, 401, "{fields:?}");
        assert_eq!(
            refused.field("www-authenticate"),
            Some("Bearer realm=\"publish\"")
        );
    }
    assert_eq!(events(addr), r#"{"events":[],"last_id":0}"#);
    let stored = publish(addr, "stored", &["Authorization: Bearer s3cret"]);
    assert_eq!(
        (stored.status, stored.text().as_str()),
        (200, r#"{"id":1}"#)
    );
}

#[test]
fn a_cross_site_text_plain_post_publishes_unless_a_token_is_required() {
    // What a page on any site can make a browser send, without a preflight.
    let forged = ["Origin: https://evil.example", "Content-Type: text/plain"];
    let open = server(&[]);
    assert_eq!(publish(open, "forged", &forged).status, 200, "the hole");
    assert!(events(open).contains("forged"));
    let guarded = server(&["--publish-token", TOKEN]);
    assert_eq!(publish(guarded, "forged", &forged).status, 401);
    assert!(!events(guarded).contains("forged"));
}

#[test]
fn the_preflight_allows_post_with_authorization_from_the_allowed_origin() {
    let addr = server(&[
        "--publish-token",
        TOKEN,
        "--allow-origin",
        "https://app.example",
    ]);
    let mut stream = connect(addr);
    stream
        .write_all(
            b"OPTIONS /publish HTTP/1.1\r\nHost: t\r\nOrigin: https://app.example\r\n\
              Access-Control-Request-Method: POST\r\n\
              Access-Control-Request-Headers: authorization\r\n\r\n",
        )
        .unwrap();
    let answer = read_answer(&mut stream, false);
    assert_eq!(answer.status, 204);
    assert_eq!(
        answer.field("access-control-allow-origin"),
        Some("https://app.example")
    );
    assert_eq!(answer.field("access-control-allow-methods"), Some("POST"));
    let allowed = answer
        .field("access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    assert!(allowed.contains("authorization"), "{allowed}");
    assert!(answer.body.is_empty());
    // The POST that follows, from that page, can read its answer.
    let origin = [
        "Origin: https://app.example",
        "Authorization: Bearer s3cret",
    ];
    let posted = publish(addr, "from the app", &origin);
    assert_eq!(posted.status, 200);
    assert_eq!(
        posted.field("access-control-allow-origin"),
        Some("https://app.example")
    );
}

/// A `/ws` client of `addr`, and the first message the server sent.
fn socket(addr: SocketAddr) -> (realtime::websocket::WebSocket, Message) {
    let url = format!("ws://{addr}/ws");
    let mut ws = ws_connect(
        &url,
        &[],
        Duration::from_secs(5),
        Config::default(),
        Meter::none(),
    )
    .unwrap();
    let first = ws.recv().unwrap();
    (ws, first)
}

#[test]
fn on_ws_reading_needs_no_token_and_a_message_without_it_gets_close_1008() {
    let addr = server(&["--publish-token", TOKEN]);
    let (mut ws, challenge) = socket(addr);
    assert_eq!(challenge, Message::Text(r#"{"auth":"Bearer"}"#.into()));
    assert_eq!(
        publish(addr, "read by all", &["Authorization: Bearer s3cret"]).status,
        200
    );
    assert_eq!(
        ws.recv().unwrap(),
        Message::Text(r#"{"id":1,"data":"read by all"}"#.into())
    );
    ws.send(&Message::Text("no token".into())).unwrap();
    let ending = ws.recv().unwrap_err();
    assert_eq!(ending.code().0, 1008, "{ending:?}");
    let (mut wrong, _) = socket(addr);
    wrong.send(&Message::Text("Bearer wrong".into())).unwrap();
    // Event 1 comes first (the history), then the close.
    assert_eq!(
        wrong.recv().unwrap(),
        Message::Text(r#"{"id":1,"data":"read by all"}"#.into())
    );
    assert_eq!(wrong.recv().unwrap_err().code().0, 1008);
    assert!(!events(addr).contains("no token"));
}

#[test]
fn on_ws_the_token_as_first_message_lets_what_follows_be_published() {
    let addr = server(&["--publish-token", TOKEN]);
    let (mut ws, _) = socket(addr);
    ws.send(&Message::Text("Bearer s3cret".into())).unwrap();
    ws.send(&Message::Text("hello".into())).unwrap();
    assert_eq!(
        ws.recv().unwrap(),
        Message::Text(r#"{"id":1,"data":"hello"}"#.into())
    );
    assert!(
        !events(addr).contains("s3cret"),
        "the token is not an event"
    );
}

#[test]
fn without_a_token_nothing_changes_on_ws() {
    let addr = server(&[]);
    let url = format!("ws://{addr}/ws");
    let mut ws = ws_connect(
        &url,
        &[],
        Duration::from_secs(5),
        Config::default(),
        Meter::none(),
    )
    .unwrap();
    ws.send(&Message::Text("first".into())).unwrap();
    assert_eq!(
        ws.recv().unwrap(),
        Message::Text(r#"{"id":1,"data":"first"}"#.into())
    );
}
