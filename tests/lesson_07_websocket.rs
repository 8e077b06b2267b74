//! Lesson 7 over real sockets: messages over frames (fragments, pings between them, UTF-8
//! checked across fragments), both closing handshakes, pings from the server, clients that
//! vanish, `/ws` under concurrent publishers and `?since=N`; then a third-party client, the
//! Python `websockets` package, against the same server (tests/interop).

mod common;
#[path = "interop/support.rs"]
mod interop;

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::ws::{self, BINARY, CLOSE, CONTINUATION, FIN, PING, PONG, TEXT, Ws};
use common::{eventually, post};
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

// ---- /ws: the event log as a WebSocket feed ----

/// Reads `/ws` events until the one with id `last`; every frame must be a text event.
fn read_events(ws: &mut Ws, last: u64) -> Vec<(u64, String)> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut events: Vec<(u64, String)> = Vec::new();
    while events.last().is_none_or(|e| e.0 < last) {
        assert!(Instant::now() < deadline, "stalled at {:?}", events.last());
        let frame = ws.read_frame();
        assert_eq!(
            (frame.first, frame.masked),
            (FIN | TEXT, false),
            "{frame:?}"
        );
        events.push(ws::event(frame.text()));
    }
    events
}

#[test]
fn ws_since_n_resumes_after_n() {
    let (addr, log) = server();
    (1..=5).for_each(|n| _ = log.publish(format!("e{n}")));
    let mut ws = Ws::open(addr, "/ws?since=3");
    let history = read_events(&mut ws, 5);
    assert_eq!(history, [(4, "e4".to_owned()), (5, "e5".to_owned())]);
    log.publish("e6");
    assert_eq!(read_events(&mut ws, 6), [(6, "e6".to_owned())]);
    let mut all = Ws::open(addr, "/ws");
    let ids: Vec<u64> = read_events(&mut all, 6).iter().map(|e| e.0).collect();
    assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
    let mut current = Ws::open(addr, "/ws?since=6");
    log.publish("e7");
    assert_eq!(read_events(&mut current, 7), [(7, "e7".to_owned())]);
}

#[test]
fn ws_clients_each_get_every_event_once_and_in_order_under_concurrent_publishers() {
    const PER_PUBLISHER: u64 = 150;
    const TOTAL: u64 = 3 * PER_PUBLISHER;
    let (addr, log) = server();
    // Three readers before the first publish; one of them also publishes over its socket.
    let mut readers: Vec<Ws> = (0..3).map(|_| Ws::open(addr, "/ws")).collect();
    let mut sender = readers[0].stream.try_clone().unwrap();
    let mut publishers: Vec<_> = (0..2)
        .map(|p| {
            thread::spawn(move || {
                let mut client = common::Client::new(addr);
                for n in 0..PER_PUBLISHER {
                    assert_eq!(client.post("/publish", &format!("http{p} {n}")).status, 200);
                }
            })
        })
        .collect();
    publishers.push(thread::spawn(move || {
        for n in 0..PER_PUBLISHER {
            sender
                .write_all(&ws::frame(FIN | TEXT, format!("ws {n}").as_bytes()))
                .unwrap();
        }
    }));
    let readers: Vec<_> = readers
        .drain(..)
        .map(|mut ws| thread::spawn(move || read_events(&mut ws, TOTAL)))
        .collect();
    // A reader that joins halfway with ?since=0, and one that drops halfway and resumes.
    eventually(Duration::from_secs(30), || {
        (log.last_id() >= TOTAL / 3).then_some(())
    });
    let late = thread::spawn(move || read_events(&mut Ws::open(addr, "/ws"), TOTAL));
    let resumed = thread::spawn(move || {
        let mut first = read_events(&mut Ws::open(addr, "/ws"), TOTAL / 2);
        let since = format!("/ws?since={}", first.last().unwrap().0);
        first.extend(read_events(&mut Ws::open(addr, &since), TOTAL));
        first
    });
    publishers.into_iter().for_each(|p| p.join().unwrap());
    let mut seen: Vec<Vec<(u64, String)>> =
        readers.into_iter().map(|r| r.join().unwrap()).collect();
    seen.push(late.join().unwrap());
    seen.push(resumed.join().unwrap());

    let reference = &seen[0];
    let ids: Vec<u64> = reference.iter().map(|e| e.0).collect();
    assert_eq!(
        ids,
        (1..=TOTAL).collect::<Vec<_>>(),
        "a gap, a repeat or a reordering"
    );
    for (i, events) in seen.iter().enumerate() {
        assert!(events == reference, "reader {i} saw something else");
    }
    // Each publisher's events are in its own order, and every one is there.
    for prefix in ["http0 ", "http1 ", "ws "] {
        let ns: Vec<u64> = reference
            .iter()
            .filter_map(|(_, data)| data.strip_prefix(prefix)?.parse().ok())
            .collect();
        assert_eq!(ns, (0..PER_PUBLISHER).collect::<Vec<_>>(), "{prefix}");
    }
}

#[test]
fn a_ws_client_slow_to_start_reading_a_long_history_still_gets_all_of_it() {
    const EVENTS: u64 = 10_000;
    let (addr, log) = server();
    let data = "x".repeat(1000);
    (0..EVENTS).for_each(|_| _ = log.publish(data.as_str()));
    let mut ws = Ws::open(addr, "/ws");
    // About 10 MB of history (the default 10 000 events of 1 KB): more than the socket
    // buffers hold, so the replay stalls until the client reads. A client that is busy
    // for a moment (a browser tab in the background, a loaded machine) must not lose it.
    thread::sleep(Duration::from_millis(300));
    let ids: Vec<u64> = read_events(&mut ws, EVENTS).iter().map(|e| e.0).collect();
    assert_eq!(ids, (1..=EVENTS).collect::<Vec<_>>());
    assert_eq!(post(addr, "/publish", "after").status, 200);
    assert_eq!(read_events(&mut ws, EVENTS + 1).last().unwrap().1, "after");
}

// ---- interoperability: Python's `websockets` package (tests/interop) ----

#[test]
fn the_python_websockets_client_interoperates_with_the_server() {
    let python = interop::python();
    if !interop::available(&python) {
        return;
    }
    let (addr, log) = ws::start(
        ws::quick(Duration::from_millis(150), Duration::from_millis(500)),
        Default::default(),
        ServerConfig::default(),
    );
    log.publish("history one");
    log.publish("history two");
    let script = interop::script();
    let address = addr.to_string();
    let (status, stdout, stderr) = interop::run_bounded(
        &python,
        &[script.to_str().expect("a UTF-8 path"), &address],
        Duration::from_secs(60),
    );
    let context = format!("stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        status.success(),
        "the interop script failed ({status})\n{context}"
    );
    for check in [
        "ok permessage-deflate offered and not agreed",
        "ok echo text",
        "ok echo empty text",
        "ok echo binary",
        "ok echo 1 MiB binary",
        "ok ping answered by a pong with its payload",
        "ok fragmented text",
        "ok fragmented binary",
        "ok server pings answered by the client",
        "ok clean close, the server echoed 1000 (got 1000)",
        "ok history on /ws",
        "ok a text message sent on /ws is published",
        "ok POST /publish",
        "ok a published event arrives on /ws",
        "ok clean close of /ws",
        "ok /ws?since=3 resumes after 3",
        "all ok",
    ] {
        assert!(
            stdout.lines().any(|line| line == check),
            "missing {check:?}\n{context}"
        );
    }
    let data: Vec<String> = log.since(2).events.iter().map(|e| e.data.clone()).collect();
    assert_eq!(data, ["from python", "posted"]);
}
