//! Lesson 8's ledger over real sockets: `GET /stats` counts exactly the bytes a raw client
//! sent and read, per transport, for a poll, a `304`, an event-stream replay and a
//! WebSocket echo.

mod common;

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::ws::{CLOSE, FIN, TEXT, Ws, close_payload, frame, handshake};
use common::{Client, connect, eventually, get, post, read_answer};

/// One transport's counters from `/stats`: requests, bytes read, bytes written, open
/// connections, events delivered.
#[derive(Debug, PartialEq, Eq)]
struct Counters {
    requests: u64,
    read: u64,
    written: u64,
    open: u64,
    events: u64,
}

fn counters(addr: SocketAddr, transport: &str) -> Counters {
    let json = get(addr, "/stats").text();
    let section = json
        .split(&format!("\"{transport}\":{{"))
        .nth(1)
        .unwrap_or_else(|| panic!("no {transport} in {json}"));
    let number = |name: &str| -> u64 {
        let rest = section.split(&format!("\"{name}\":")).nth(1).unwrap();
        rest.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap()
    };
    Counters {
        requests: number("requests"),
        read: number("bytes_read"),
        written: number("bytes_written"),
        open: number("open"),
        events: number("events"),
    }
}

/// The counters reach `expected`: a write is counted just after it returns, which may be
/// a moment after the client has read its bytes.
fn expect_counters(addr: SocketAddr, transport: &str, expected: Counters) {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let got = counters(addr, transport);
        if got == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{transport}: {got:?}, expected {expected:?}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_poll_and_a_304_are_counted_byte_for_byte_as_poll() {
    let (addr, _) = common::start_playground(100);
    post(addr, "/publish", "a");
    post(addr, "/publish", "b");
    let mut client = Client::new(addr);
    let first = "GET /poll?since=0 HTTP/1.1\r\nHost: t\r\n\r\n";
    client.0.write_all(first.as_bytes()).unwrap();
    let answer = read_answer(&mut client.0, false);
    assert_eq!(answer.status, 200);
    let second = "GET /poll?since=2 HTTP/1.1\r\nHost: t\r\nIf-None-Match: \"2\"\r\n\r\n";
    client.0.write_all(second.as_bytes()).unwrap();
    let not_modified = read_answer(&mut client.0, false);
    assert_eq!(not_modified.status, 304);
    expect_counters(
        addr,
        "poll",
        Counters {
            requests: 2,
            read: (first.len() + second.len()) as u64,
            written: (answer.head.len() + answer.body.len() + not_modified.head.len()) as u64,
            open: 1,
            events: 2,
        },
    );
}

#[test]
fn an_event_stream_replay_is_counted_byte_for_byte_as_sse() {
    let (addr, _) = common::start_playground(100);
    for text in ["a", "b", "c"] {
        post(addr, "/publish", text);
    }
    let mut stream = connect(addr);
    let request = "GET /events?since=1 HTTP/1.1\r\nHost: t\r\n\r\n";
    stream.write_all(request.as_bytes()).unwrap();
    let head = read_answer(&mut stream, true);
    // 42 bytes: `retry:` is one line (12, no empty line after it), then two events of 15.
    let expected = "retry: 2000\nid: 2\ndata: b\n\nid: 3\ndata: c\n\n";
    let mut body = vec![0u8; expected.len()];
    stream.read_exact(&mut body).unwrap();
    assert_eq!(String::from_utf8(body).unwrap(), expected);
    expect_counters(
        addr,
        "sse",
        Counters {
            requests: 1,
            read: request.len() as u64,
            written: (head.head.len() + expected.len()) as u64,
            open: 1,
            events: 2,
        },
    );
}

#[test]
fn a_websocket_echo_and_its_closing_handshake_are_counted_byte_for_byte_as_ws() {
    let (addr, _) = common::start_playground(100);
    let request = handshake("/ws/echo");
    let (mut ws, answer) = Ws::open_raw(addr, request.as_bytes());
    assert_eq!(answer.status, 101);
    let hello = frame(FIN | TEXT, b"hello");
    ws.send_raw(&hello);
    let echo = ws.read_frame();
    assert_eq!(echo.text(), "hello");
    let close = frame(FIN | CLOSE, &close_payload(1000, ""));
    ws.send_raw(&close);
    ws.expect_close(1000);
    ws.assert_closed();
    expect_counters(
        addr,
        "ws",
        Counters {
            requests: 1,
            read: (request.len() + hello.len() + close.len()) as u64,
            // 101 head, then an unmasked echo (2 + 5) and Close 1000 (2 + 2).
            written: (answer.head.len() + 7 + 4) as u64,
            open: 0,
            events: 0,
        },
    );
}

#[test]
fn stats_names_the_process_threads_and_cpu_time() {
    let (addr, _) = common::start_playground(100);
    let json = get(addr, "/stats").text();
    for field in [
        "\"threads\":",
        "\"cpu_user_ms\":",
        "\"cpu_system_ms\":",
        "\"voluntary_context_switches\":",
        "\"rss_kib\":",
    ] {
        assert!(json.contains(field), "{field} in {json}");
    }
    let answer = get(addr, "/stats");
    assert_eq!(answer.field("access-control-allow-origin"), Some("*"));
    assert_eq!(answer.field("content-type"), Some("application/json"));
    let other = eventually(Duration::from_secs(2), || {
        let c = counters(addr, "other");
        (c.requests >= 3).then_some(c)
    });
    assert!(other.read > 0 && other.written > 0);
}
