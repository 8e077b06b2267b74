//! The wrong ways, run on purpose (`--break NAME`, `src/breaks.rs`), each beside the right
//! way: every test runs one scenario against the playground with the break and without,
//! and shows what the break loses that the default keeps. Over real sockets, every read
//! bounded by a timeout. (`fixed-pool`'s test is in `tests/lesson_03_long_polling.rs`,
//! lesson 10's `local-log` in `tests/lesson_10_scale_out.rs`.)

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use common::ws::{self, FIN, TEXT, Ws};
use common::{READ_TIMEOUT, connect, poll_ids, read_answer};
use realtime::breaks::SSE_BUFFER_BYTES;
use realtime::event_log::EventLog;
use realtime::options::Options;
use realtime::publish::Publish;

/// How long "does not arrive" is waited for: far longer than an answer takes here.
const QUIET: Duration = Duration::from_millis(300);

/// The playground as `cargo run -- ARGS` builds it (no ticker), on a free port.
fn playground(args: &[&str]) -> (SocketAddr, Arc<EventLog>) {
    let args = args.iter().map(|a| a.to_string());
    let options = Options::parse("127.0.0.1:0", args).unwrap();
    let log = Arc::new(EventLog::new(options.history));
    let publish: Arc<dyn Publish> = Arc::clone(&log) as Arc<dyn Publish>;
    let router = realtime::playground::router_publishing(
        Arc::clone(&log),
        publish,
        options.stream_options(),
        options.websocket(),
        options.handshake(),
        options.breaks,
    );
    (common::start(router, options.server_config()), log)
}

/// Sends `GET target` on a new connection, without reading.
fn send_get(addr: SocketAddr, target: &str, fields: &str) -> TcpStream {
    let mut stream = connect(addr);
    let request = format!("GET {target} HTTP/1.1\r\nHost: t\r\n{fields}\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    stream
}

/// Whether nothing arrives on `stream` within [`QUIET`] (nothing is consumed).
fn stays_quiet(stream: &TcpStream) -> bool {
    stream.set_read_timeout(Some(QUIET)).unwrap();
    let quiet = stream.peek(&mut [0u8]).is_err();
    stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    quiet
}

/// A reader that saw event 1 with a long poll, then asks for what follows it after event 2
/// was published while it had no request parked; returns the second answer's ids and
/// `last_id`. Event 3 is published only if that request is parked.
fn second_long_poll(args: &[&str]) -> (Vec<u64>, u64) {
    let (addr, log) = playground(args);
    let mut first = send_get(addr, "/long-poll?since=0&timeout_ms=2000", "");
    assert!(stays_quiet(&first), "nothing to answer yet: parked");
    log.publish("seen");
    assert_eq!(
        poll_ids(&read_answer(&mut first, false).text()),
        (vec![1], 1)
    );
    log.publish("between two polls");
    let mut second = send_get(addr, "/long-poll?since=1&timeout_ms=2000", "");
    if stays_quiet(&second) {
        log.publish("after");
    }
    poll_ids(&read_answer(&mut second, false).text())
}

#[test]
fn break_no_cursor_loses_the_event_published_between_two_long_polls() {
    let (ids, last_id) = second_long_poll(&["--break", "no-cursor"]);
    assert!(
        !ids.contains(&2) && last_id == 3,
        "the cursor moves past event 2 without it: {ids:?}, last_id {last_id}"
    );
    assert_eq!(second_long_poll(&[]), (vec![2], 2), "the default sends it");
}

/// Opens `GET /events` (with `fields`) and reads the head.
fn open_stream(addr: SocketAddr, fields: &str) -> TcpStream {
    let mut stream = send_get(addr, "/events", fields);
    assert_eq!(read_answer(&mut stream, true).status, 200);
    stream
}

/// Reads `stream` into `raw` until `raw` contains `needle`; panics if a read times out.
fn read_until(stream: &mut TcpStream, raw: &mut Vec<u8>, needle: &str) {
    let mut chunk = [0u8; 64 * 1024];
    while !String::from_utf8_lossy(raw).contains(needle) {
        let n = stream.read(&mut chunk).expect("the stream stalled");
        assert!(n > 0, "the server closed the stream");
        raw.extend_from_slice(&chunk[..n]);
    }
}

#[test]
fn break_sse_buffer_holds_events_until_8_kib_have_gathered() {
    let (addr, log) = playground(&["--break", "sse-buffer"]);
    let mut stream = open_stream(addr, "");
    log.publish("held back");
    assert!(stays_quiet(&stream), "not even retry: arrives before 8 KiB");
    let filler = "x".repeat(100);
    while log.last_id() * 100 < SSE_BUFFER_BYTES as u64 {
        log.publish(filler.as_str());
    }
    let mut raw = Vec::new();
    read_until(&mut stream, &mut raw, "data: held back\n");
    assert!(
        raw.starts_with(b"retry: "),
        "late, and in one lump with the rest"
    );

    let (addr, log) = playground(&[]);
    let mut stream = open_stream(addr, "");
    log.publish("at once");
    stream.set_read_timeout(Some(QUIET)).unwrap(); // each read of it waits at most that
    read_until(&mut stream, &mut Vec::new(), "data: at once\n");
}

/// A client that saw event 1, went away while 2 and 3 were published, and came back with
/// `Last-Event-ID: 1`; returns the ids it got by the time event 4 arrived.
fn ids_after_reconnect(args: &[&str]) -> Vec<String> {
    let (addr, log) = playground(args);
    let mut first = open_stream(addr, "");
    read_until(&mut first, &mut Vec::new(), "retry: 2000\n"); // the stream has its cursor
    log.publish("seen");
    read_until(&mut first, &mut Vec::new(), "id: 1\n");
    drop(first);
    log.publish("missed while away");
    log.publish("also missed");
    let mut again = open_stream(addr, "Last-Event-ID: 1\r\n");
    let mut raw = Vec::new();
    read_until(&mut again, &mut raw, "retry: 2000\n");
    log.publish("after the reconnect");
    read_until(&mut again, &mut raw, "id: 4\n");
    let text = String::from_utf8(raw).unwrap();
    let ids = text.lines().filter_map(|l| l.strip_prefix("id: "));
    ids.map(str::to_owned).collect()
}

#[test]
fn break_no_replay_loses_what_was_published_while_the_client_was_away() {
    assert_eq!(ids_after_reconnect(&["--break", "no-replay"]), ["4"]);
    assert_eq!(
        ids_after_reconnect(&[]),
        ["2", "3", "4"],
        "the default replays"
    );
}

/// RFC 6455 §5.7, "A single-frame unmasked text message": "Hello", as a server sends it.
const UNMASKED_HELLO: [u8; 7] = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];

#[test]
fn break_no_mask_check_echoes_an_unmasked_frame_the_default_closes_1002() {
    let (addr, _) = playground(&["--break", "no-mask-check"]);
    let mut broken = Ws::open(addr, "/ws/echo");
    broken.send_raw(&UNMASKED_HELLO);
    assert_eq!(broken.read_frame().text(), "Hello");

    let (addr, _) = playground(&[]);
    let mut right = Ws::open(addr, "/ws/echo");
    right.expect_failure(&UNMASKED_HELLO, 1002); // RFC 6455 §5.1: Protocol Error
}

/// Sends two frames in one write, and a third once the first is echoed; returns what comes
/// back second.
fn echo_after_two_frames_in_one_write(args: &[&str]) -> String {
    let (addr, _) = playground(args);
    let mut ws = Ws::open(addr, "/ws/echo");
    let mut two = ws::frame(FIN | TEXT, b"first");
    two.extend(ws::frame(FIN | TEXT, b"second"));
    ws.send_raw(&two);
    assert_eq!(ws.read_frame().text(), "first");
    ws.send(FIN | TEXT, b"third"); // after the echo: in a read of its own
    ws.read_frame().text().to_owned()
}

#[test]
fn break_one_read_one_frame_loses_the_second_of_two_frames_in_one_write() {
    let broken = echo_after_two_frames_in_one_write(&["--break", "one-read-one-frame"]);
    assert_eq!(
        broken, "third",
        "\"second\" was dropped with the rest of its read"
    );
    assert_eq!(echo_after_two_frames_in_one_write(&[]), "second");
}
