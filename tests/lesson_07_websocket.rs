//! Lesson 7 over real sockets: messages over frames (fragments, pings between them, UTF-8
//! checked across fragments), both closing handshakes, pings from the server, and clients that
//! vanish. The `/ws` feed is in `tests/lesson_07_feed.rs`; a third-party client against the
//! same server in `tests/lesson_07_interop.rs`.

mod common;

use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::eventually;
use common::ws::{self, BINARY, CLOSE, CONTINUATION, FIN, PING, PONG, TEXT, Ws};
use realtime::event_log::EventLog;
use realtime::http::ServerConfig;

fn server() -> (SocketAddr, Arc<EventLog>) {
    common::start_playground(10_000)
}

/// A server with short timers: pings after `ping_interval` of silence, a dead peer after
/// `pong_timeout`, and at most `max_connections` open connections.
fn quick_server(
    ping_interval: Duration,
    pong_timeout: Duration,
    max_connections: usize,
) -> SocketAddr {
    let server = ServerConfig {
        max_connections,
        ..ServerConfig::default()
    };
    ws::start(
        ws::quick(ping_interval, pong_timeout),
        Default::default(),
        server,
    )
    .0
}

/// Opens `path`; `None` when the server is full (`503`).
fn try_open(addr: SocketAddr, path: &str) -> Option<Ws> {
    let (ws, answer) = Ws::open_raw(addr, ws::handshake(path).as_bytes());
    match answer.status {
        101 => Some(ws),
        503 => None,
        other => panic!("unexpected {other}: {}", answer.head),
    }
}

// ---- fragments and control frames between them (RFC 6455 §5.4) ----

#[test]
fn pings_between_fragments_are_answered_at_once_and_the_message_comes_back_whole() {
    let (addr, _) = server();
    let mut ws = Ws::open(addr, "/ws/echo");
    ws.send(TEXT, b"Hel");
    ws.send(FIN | PING, b"first");
    // The pong comes while the message is still unfinished: control frames are not queued
    // behind a message (§5.4).
    let pong = ws.read_frame();
    assert_eq!(
        (pong.first, pong.payload.as_slice()),
        (FIN | PONG, &b"first"[..])
    );
    ws.send(CONTINUATION, b"lo, ");
    ws.send(FIN | PING, b"second");
    let pong = ws.read_frame();
    assert_eq!(
        (pong.first, pong.payload.as_slice()),
        (FIN | PONG, &b"second"[..])
    );
    ws.send(FIN | CONTINUATION, b"world");
    let echo = ws.read_frame();
    assert_eq!((echo.first, echo.text()), (FIN | TEXT, "Hello, world"));
    // A pong from the client is a heartbeat: nothing comes back for it.
    ws.send(FIN | PONG, b"unsolicited");
    ws.send(FIN | TEXT, b"next");
    assert_eq!(ws.read_frame().text(), "next");
}

#[test]
fn a_binary_message_in_many_fragments_some_empty_comes_back_as_one_frame() {
    let (addr, _) = server();
    let mut ws = Ws::open(addr, "/ws/echo");
    let payload: Vec<u8> = (0..=255).collect();
    ws.send(BINARY, &[]);
    for chunk in payload.chunks(50) {
        ws.send(CONTINUATION, chunk);
    }
    ws.send(FIN | CONTINUATION, &[]);
    let echo = ws.read_frame();
    assert_eq!(echo.first, FIN | BINARY);
    assert_eq!(echo.payload, payload);
}

#[test]
fn a_continuation_with_no_message_started_gets_1002() {
    let (addr, _) = server();
    let mut ws = Ws::open(addr, "/ws/echo");
    ws.expect_failure(&ws::frame(FIN | CONTINUATION, b"orphan"), 1002);
}

#[test]
fn a_new_data_frame_before_the_last_fragment_gets_1002() {
    let (addr, _) = server();
    for second in [FIN | TEXT, FIN | BINARY, TEXT] {
        let mut ws = Ws::open(addr, "/ws/echo");
        ws.send(TEXT, b"unfinished");
        ws.expect_failure(&ws::frame(second, b"interleaved"), 1002);
    }
}

// ---- UTF-8 (RFC 6455 §8.1) ----

#[test]
fn text_that_is_not_utf8_gets_1007() {
    let (addr, _) = server();
    let cases: [&[u8]; 5] = [
        b"\xff",
        b"\xc0\xaf",                                                 // overlong "/"
        b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80", // ends in a surrogate
        b"\xf4\x90\x80\x80",                                         // past U+10FFFF
        b"abc\xce",                                                  // cut off at the end
    ];
    for payload in cases {
        Ws::open(addr, "/ws/echo").expect_failure(&ws::frame(FIN | TEXT, payload), 1007);
    }
}

#[test]
fn a_character_split_across_fragments_at_any_byte_comes_back_whole() {
    let (addr, _) = server();
    let mut ws = Ws::open(addr, "/ws/echo");
    let text = "κόσμε 🌍"; // two-, three- and four-byte characters
    for split in 0..=text.len() {
        ws.send(TEXT, &text.as_bytes()[..split]);
        ws.send(FIN | CONTINUATION, &text.as_bytes()[split..]);
        assert_eq!(ws.read_frame().text(), text, "split at byte {split}");
    }
}

#[test]
fn invalid_bytes_in_a_middle_fragment_get_1007_before_the_final_fragment() {
    let (addr, _) = server();
    let middles: [&[u8]; 3] = [b"\xff\xfe", b"\xed\xa0\x80", b"\xf0\x9f"];
    let continuations: [&[u8]; 3] = [b"", b"", b"A"]; // a cut character continued wrongly
    for (middle, next) in middles.into_iter().zip(continuations) {
        let mut ws = Ws::open(addr, "/ws/echo");
        ws.send(TEXT, b"valid start ");
        ws.send(CONTINUATION, middle);
        if !next.is_empty() {
            ws.send(CONTINUATION, next);
        }
        // No final fragment is ever sent: the server must not wait for one.
        ws.expect_close(1007);
        ws.finish_close(1007);
    }
}

#[test]
fn a_character_cut_off_by_the_final_fragment_gets_1007() {
    let (addr, _) = server();
    let mut ws = Ws::open(addr, "/ws/echo");
    ws.send(TEXT, b"abc\xce"); // fine so far: the character may go on
    ws.expect_failure(&ws::frame(FIN | CONTINUATION, b""), 1007);
}

// ---- the closing handshake (RFC 6455 §5.5.1, §7) ----

#[test]
fn a_close_from_the_client_is_echoed_with_its_code_then_the_server_closes_tcp() {
    let (addr, _) = server();
    for (code, reason) in [(1000, "bye"), (1001, ""), (3000, "app"), (4999, "private")] {
        let mut ws = Ws::open(addr, "/ws/echo");
        ws.send(FIN | CLOSE, &ws::close_payload(code, reason));
        ws.expect_close(code);
        ws.assert_closed(); // the server closes TCP first (§7.1.1): we read EOF
    }
    let mut ws = Ws::open(addr, "/ws/echo");
    ws.send(FIN | CLOSE, b"");
    let close = ws.read_frame();
    assert_eq!(
        (close.first, close.payload.len()),
        (FIN | CLOSE, 0),
        "an empty Close is echoed empty"
    );
    ws.assert_closed();
}

#[test]
fn nothing_is_echoed_after_the_clients_close() {
    let (addr, log) = server();
    for path in ["/ws/echo", "/ws"] {
        let mut ws = Ws::open(addr, path);
        let mut bytes = ws::frame(FIN | CLOSE, &ws::close_payload(1000, ""));
        bytes.extend(ws::frame(FIN | TEXT, b"too late"));
        ws.send_raw(&bytes);
        ws.expect_close(1000);
        ws.assert_closed();
    }
    assert_eq!(log.last_id(), 0, "data after a Close is not published");
}

#[test]
fn a_malformed_close_gets_1002_or_1007() {
    let (addr, _) = server();
    let cases: [(&[u8], u16); 5] = [
        (b"\x03", 1002),                     // one byte: not even a code
        (&[0x03, 0xed], 1002),               // 1005 may never be sent
        (&[0x03, 0xee], 1002),               // nor 1006
        (&[0x03, 0xe7], 1002),               // 999 is not a close code
        (b"\x03\xe8\xce\xba\xe1\xbd", 1007), // a reason that is not UTF-8
    ];
    for (payload, code) in cases {
        let mut ws = Ws::open(addr, "/ws/echo");
        ws.send(FIN | CLOSE, payload);
        ws.expect_close(code);
        ws.assert_closed(); // the peer's Close came already: no Close is awaited
    }
}

#[test]
fn binary_on_ws_gets_1003_and_the_server_waits_for_our_close() {
    let (addr, log) = server();
    let mut ws = Ws::open(addr, "/ws");
    ws.send(FIN | BINARY, b"\x00\x01");
    ws.expect_close(1003);
    // The server waits for our Close: no EOF yet.
    ws.stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut byte = [0u8];
    let waiting = ws.stream.read(&mut byte);
    assert!(
        waiting.is_err(),
        "the server did not wait for our Close: {waiting:?}"
    );
    ws.stream
        .set_read_timeout(Some(common::READ_TIMEOUT))
        .unwrap();
    // Data we send after its Close is dropped, not published (§1.4).
    ws.send(FIN | TEXT, b"not published");
    ws.finish_close(1003);
    assert_eq!(log.last_id(), 0);
}

#[test]
fn a_client_that_never_answers_the_servers_close_is_closed_after_the_close_timeout() {
    let addr = quick_server(Duration::ZERO, Duration::from_secs(1), 100);
    let mut ws = Ws::open(addr, "/ws");
    ws.send(FIN | BINARY, b"\x00");
    ws.expect_close(1003);
    let sent = Instant::now();
    ws.assert_closed();
    assert!(
        sent.elapsed() >= Duration::from_millis(300),
        "closed after {:?}",
        sent.elapsed()
    );
}

#[test]
fn a_huge_frame_header_while_the_server_is_closing_ends_the_connection_not_the_server() {
    let (addr, _) = server();
    let mut ws = Ws::open(addr, "/ws");
    ws.send(FIN | BINARY, b"\x00");
    ws.expect_close(1003);
    let mut header = vec![FIN | BINARY];
    header.extend(ws::length_field(1 << 62, true));
    header.extend_from_slice(&ws::MASK);
    ws.send_raw(&header);
    ws.assert_closed();
    let mut ws = Ws::open(addr, "/ws/echo");
    ws.send(FIN | TEXT, b"still here");
    assert_eq!(ws.read_frame().text(), "still here");
}

// ---- peers that vanish or fall silent ----

#[test]
fn a_client_that_vanishes_without_a_close_frees_its_connection_slot() {
    let addr = quick_server(Duration::ZERO, Duration::from_secs(1), 1);
    for path in ["/ws/echo", "/ws"] {
        let ws = eventually(Duration::from_secs(5), || try_open(addr, path));
        assert!(try_open(addr, path).is_none(), "the one slot is taken: 503");
        drop(ws); // TCP closes, no Close frame
        let mut ws = eventually(Duration::from_secs(5), || try_open(addr, path));
        ws.send(FIN | CLOSE, &ws::close_payload(1000, ""));
        ws.expect_close(1000);
        ws.assert_closed();
    }
}

/// Reads the server's Ping; returns when it arrived.
fn read_ping(ws: &mut Ws) -> (Instant, Vec<u8>) {
    let ping = ws.read_frame();
    assert_eq!((ping.first, ping.masked), (FIN | PING, false), "{ping:?}");
    (Instant::now(), ping.payload)
}

#[test]
fn the_server_pings_a_silent_client_and_drops_it_after_the_pong_timeout() {
    let pong_timeout = Duration::from_millis(500);
    let addr = quick_server(Duration::from_millis(100), pong_timeout, 1);
    let mut ws = Ws::open(addr, "/ws/echo");
    let opened = Instant::now();
    let (pinged, _) = read_ping(&mut ws);
    assert!(
        pinged - opened >= Duration::from_millis(50),
        "pinged after {:?}",
        pinged - opened
    );
    // We never answer. The server gives up; it may say so with a Close, then closes TCP.
    if let Ok(close) = ws.try_read_frame() {
        assert_eq!(close.opcode(), CLOSE, "{close:?}");
    }
    ws.assert_closed();
    let waited = pinged.elapsed();
    assert!(
        waited >= pong_timeout - Duration::from_millis(200),
        "dropped {waited:?} after the ping"
    );
    assert!(
        waited < Duration::from_secs(3),
        "dropped {waited:?} after the ping"
    );
    // And its slot is free again.
    eventually(Duration::from_secs(5), || try_open(addr, "/ws/echo"));
}

#[test]
fn a_client_that_answers_the_servers_pings_stays_connected() {
    let pong_timeout = Duration::from_millis(300);
    let addr = quick_server(Duration::from_millis(100), pong_timeout, 100);
    let mut ws = Ws::open(addr, "/ws/echo");
    let start = Instant::now();
    for _ in 0..5 {
        let (_, payload) = read_ping(&mut ws);
        ws.send(FIN | PONG, &payload);
    }
    assert!(
        start.elapsed() > pong_timeout,
        "outlived several pong timeouts"
    );
    ws.send(FIN | TEXT, b"alive");
    assert_eq!(ws.read_frame().text(), "alive");
}
