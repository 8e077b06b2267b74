//! Lesson 5 over real sockets: the opening handshake written by hand. The RFC 6455 sample
//! key, each broken rule and its status, origins, and the bytes a client sends right
//! after its handshake.

mod common;

use std::io::Write;
use std::net::SocketAddr;

use common::ws::{self, CLOSE, FIN, PING, PONG, TEXT, Ws};
use common::{Answer, exchange};
use realtime::http::ServerConfig;
use realtime::websocket::handshake::HandshakeConfig;

fn server() -> SocketAddr {
    common::start_playground(10).0
}

/// The sample handshake of RFC 6455 §1.3 with `from` replaced by `to`.
fn sample_with(from: &str, to: &str) -> String {
    let head = ws::handshake("/ws/echo");
    assert!(head.contains(from), "{from:?} is not in the sample");
    head.replacen(from, to, 1)
}

fn refused(answer: &Answer, status: u16, case: &str) {
    assert_eq!(answer.status, status, "{case}: {}", answer.head);
    assert_eq!(answer.field("upgrade"), None, "{case}");
    assert_eq!(answer.field("sec-websocket-accept"), None, "{case}");
}

#[test]
fn the_rfc_sample_key_gets_101_with_the_rfc_accept_value() {
    let (mut ws, answer) = Ws::open_raw(server(), ws::handshake("/ws/echo").as_bytes());
    assert!(
        answer
            .head
            .starts_with("HTTP/1.1 101 Switching Protocols\r\n"),
        "{}",
        answer.head
    );
    // RFC 6455 §1.3: dGhlIHNhbXBsZSBub25jZQ== gives s3pPLMBiTxaQ9kYGzzhZRbK+xOo=.
    assert_eq!(
        answer.field("sec-websocket-accept"),
        Some(ws::SAMPLE_ACCEPT)
    );
    assert_eq!(answer.field("upgrade"), Some("websocket"));
    assert_eq!(answer.field("connection"), Some("Upgrade"));
    let connections = answer
        .head
        .to_ascii_lowercase()
        .matches("\r\nconnection:")
        .count();
    assert_eq!(connections, 1, "one Connection field: {}", answer.head);
    assert_eq!(answer.field("content-length"), None, "a 101 has no body");
    assert_eq!(
        answer.field("sec-websocket-extensions"),
        None,
        "no extension is agreed"
    );
    // From the next byte on, frames: a Close is answered with a Close.
    ws.send(FIN | CLOSE, &ws::close_payload(1000, ""));
    ws.expect_close(1000);
    ws.assert_closed();
}

#[test]
fn tokens_and_field_names_are_compared_without_case_and_within_lists() {
    let head = sample_with("Upgrade: websocket", "upgrade: WebSocket").replacen(
        "Connection: Upgrade",
        "CONNECTION: keep-alive, Upgrade",
        1,
    );
    let (_, answer) = Ws::open_raw(server(), head.as_bytes());
    assert_eq!(answer.status, 101, "{}", answer.head);
}

#[test]
fn a_handshake_that_breaks_a_rule_gets_400_and_no_upgrade() {
    let addr = server();
    let key_field = format!("Sec-WebSocket-Key: {}\r\n", ws::SAMPLE_KEY);
    let cases = [
        ("no key", sample_with(&key_field, "")),
        (
            "a key of 15 bytes",
            sample_with(ws::SAMPLE_KEY, "dGhlIHNhbXBsZSBub25j"),
        ),
        (
            "a key of 17 bytes",
            sample_with(ws::SAMPLE_KEY, "dGhlIHNhbXBsZSBub25jZSE="),
        ),
        (
            "a key that is not base64",
            sample_with(ws::SAMPLE_KEY, "not base64 at all!!!!!=="),
        ),
        (
            "no upgrade token in Connection",
            sample_with("Connection: Upgrade", "Connection: keep-alive"),
        ),
        (
            "no Connection field",
            sample_with("Connection: Upgrade\r\n", ""),
        ),
        (
            "no Upgrade field",
            sample_with("Upgrade: websocket\r\n", ""),
        ),
        ("HTTP/1.0", sample_with("HTTP/1.1", "HTTP/1.0")),
        ("no Host field", sample_with("Host: 127.0.0.1\r\n", "")),
    ];
    for (case, head) in cases {
        refused(&exchange(addr, head.as_bytes()), 400, case);
    }
}

#[test]
fn version_8_gets_426_naming_version_13() {
    let head = sample_with("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8");
    let answer = exchange(server(), head.as_bytes());
    refused(&answer, 426, "version 8");
    assert_eq!(answer.field("sec-websocket-version"), Some("13"));
    let missing = sample_with("Sec-WebSocket-Version: 13\r\n", "");
    refused(&exchange(server(), missing.as_bytes()), 426, "no version");
}

#[test]
fn with_an_allowed_origin_a_foreign_origin_gets_403_and_the_allowed_one_101() {
    let handshake = HandshakeConfig {
        allowed_origin: Some("http://good.example".into()),
        ..HandshakeConfig::default()
    };
    let (addr, _) = ws::start(Default::default(), handshake, ServerConfig::default());
    let with_origin = |origin: &str| {
        let line = format!("Origin: {origin}");
        ws::handshake_with_key("/ws/echo", ws::SAMPLE_KEY, &[line.as_str()])
    };
    let foreign = exchange(addr, with_origin("http://evil.example").as_bytes());
    refused(&foreign, 403, "a foreign origin");
    let (_, feed) = Ws::open_raw(
        addr,
        with_origin("http://evil.example")
            .replace("/ws/echo", "/ws")
            .as_bytes(),
    );
    refused(&feed, 403, "a foreign origin on /ws");
    let (_, allowed) = Ws::open_raw(addr, with_origin("http://good.example").as_bytes());
    assert_eq!(allowed.status, 101, "{}", allowed.head);
    // Origin is what browsers send; a client without one is not a page and may connect.
    let (_, none) = Ws::open_raw(addr, ws::handshake("/ws/echo").as_bytes());
    assert_eq!(none.status, 101, "{}", none.head);
}

#[test]
fn without_an_allowed_origin_any_origin_gets_101() {
    let head = ws::handshake_with_key(
        "/ws/echo",
        ws::SAMPLE_KEY,
        &["Origin: http://anywhere.example"],
    );
    let (_, answer) = Ws::open_raw(server(), head.as_bytes());
    assert_eq!(answer.status, 101, "{}", answer.head);
}

#[test]
fn frames_sent_in_the_same_write_as_the_handshake_are_not_lost() {
    // One write: the head, a masked text frame, a masked ping. The server reads them
    // together; the bytes after the head are the first frames.
    let mut bytes = ws::handshake("/ws/echo").into_bytes();
    bytes.extend(ws::frame(FIN | TEXT, b"early"));
    bytes.extend(ws::frame(FIN | PING, b"p"));
    let (mut ws, answer) = Ws::open_raw(server(), &bytes);
    assert_eq!(answer.status, 101, "{}", answer.head);
    let echo = ws.read_frame();
    assert_eq!((echo.first, echo.text()), (FIN | TEXT, "early"));
    let pong = ws.read_frame();
    assert_eq!(
        (pong.first, pong.payload.as_slice()),
        (FIN | PONG, &b"p"[..])
    );
}

#[test]
fn a_message_sent_with_the_handshake_to_ws_is_published() {
    let (addr, log) = common::start_playground(10);
    let mut bytes = ws::handshake("/ws").into_bytes();
    bytes.extend(ws::frame(FIN | TEXT, b"hello from the handshake"));
    let (mut ws, answer) = Ws::open_raw(addr, &bytes);
    assert_eq!(answer.status, 101, "{}", answer.head);
    let texts = ws::read_texts(&mut ws, |t| !t.is_empty());
    assert_eq!(texts, [r#"{"id":1,"data":"hello from the handshake"}"#]);
    assert_eq!(log.last_id(), 1);
}

#[test]
fn an_upgrade_may_follow_an_ordinary_request_on_the_same_connection() {
    let mut client = common::Client::new(server());
    assert_eq!(client.get("/poll").status, 200);
    client
        .0
        .write_all(ws::handshake("/ws/echo").as_bytes())
        .unwrap();
    let answer = common::read_answer(&mut client.0, true);
    assert_eq!(answer.status, 101, "{}", answer.head);
    let mut ws = Ws { stream: client.0 };
    ws.send(FIN | TEXT, b"after a poll");
    assert_eq!(ws.read_frame().text(), "after a poll");
}

#[test]
fn a_since_that_is_not_a_number_gets_400_before_any_upgrade() {
    let (_, answer) = Ws::open_raw(server(), ws::handshake("/ws?since=five").as_bytes());
    refused(&answer, 400, "since=five");
}
