//! Lesson 4 over real sockets: the stream's head, delivery without buffering, resume with
//! `Last-Event-ID`, `missed`, heartbeats, and clients that vanish or stop reading.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::{Answer, READ_TIMEOUT, connect, eventually, get, read_answer};
use realtime::event_log::EventLog;
use realtime::http::ServerConfig;
use realtime::sse::StreamOptions;
use realtime::sse::parse::{MessageEvent, Parser};

fn start(history: usize, heartbeat: Duration, config: ServerConfig) -> (SocketAddr, Arc<EventLog>) {
    let log = Arc::new(EventLog::new(history));
    let options = StreamOptions {
        heartbeat,
        ..StreamOptions::default()
    };
    let addr = common::start(
        realtime::playground::router(
            Arc::clone(&log),
            options,
            Default::default(),
            Default::default(),
        ),
        config,
    );
    (addr, log)
}

fn server() -> (SocketAddr, Arc<EventLog>) {
    start(10_000, Duration::from_secs(15), ServerConfig::default())
}

/// A stream's first bytes: the reconnection time, one line with no empty line after it.
const RETRY: &[u8] = b"retry: 2000\n";
/// The heartbeat: one comment line, no empty line either.
const KEEP_ALIVE: &[u8] = b": keep-alive\n";

/// An event-stream client: the raw bytes it read and the events the parser dispatched.
struct Stream {
    socket: TcpStream,
    parser: Parser,
    raw: Vec<u8>,
    events: Vec<MessageEvent>,
}

impl Stream {
    fn open(addr: SocketAddr, target: &str, last_event_id: Option<u64>) -> (Stream, Answer) {
        let mut socket = connect(addr);
        let resume = last_event_id.map_or(String::new(), |id| format!("Last-Event-ID: {id}\r\n"));
        socket
            .write_all(format!("GET {target} HTTP/1.1\r\nHost: t\r\n{resume}\r\n").as_bytes())
            .unwrap();
        let head = read_answer(&mut socket, true);
        (
            Stream {
                socket,
                parser: Parser::new(),
                raw: Vec::new(),
                events: Vec::new(),
            },
            head,
        )
    }

    /// Reads until `done(self)` holds; fails the test after the read timeout.
    fn read_until(&mut self, done: impl Fn(&Stream) -> bool) {
        let deadline = Instant::now() + READ_TIMEOUT;
        let mut chunk = [0u8; 4096];
        while !done(self) {
            assert!(
                Instant::now() < deadline,
                "stream stalled after {:?}",
                String::from_utf8_lossy(&self.raw)
            );
            let n = self.socket.read(&mut chunk).expect("read from the stream");
            assert!(n > 0, "the server closed the stream");
            self.raw.extend_from_slice(&chunk[..n]);
            self.events.extend(self.parser.feed(&chunk[..n]));
        }
    }

    fn ids(&self) -> Vec<u64> {
        self.events
            .iter()
            .filter(|e| e.event_type == "message")
            .map(|e| e.last_event_id.parse().unwrap())
            .collect()
    }

    fn last_id(&self) -> u64 {
        self.ids().last().copied().unwrap_or(0)
    }
}

#[test]
fn the_stream_is_event_stream_no_store_unbuffered_close_delimited_and_starts_with_retry() {
    let (addr, log) = server();
    log.publish("first");
    let (mut stream, head) = Stream::open(addr, "/events", None);
    assert_eq!(head.status, 200);
    assert_eq!(head.field("content-type"), Some("text/event-stream"));
    assert_eq!(head.field("cache-control"), Some("no-store"));
    assert_eq!(head.field("x-accel-buffering"), Some("no"));
    assert_eq!(head.field("connection"), Some("close"));
    assert_eq!(head.field("content-length"), None);
    assert_eq!(head.field("access-control-allow-origin"), Some("*"));
    // `retry:` and the replay, with no empty line between them (lesson 4, Pitfalls).
    let expected = "retry: 2000\nid: 1\ndata: first\n\n";
    stream.read_until(|s| s.raw.len() >= expected.len());
    assert_eq!(String::from_utf8_lossy(&stream.raw), expected);
}

#[test]
fn an_event_arrives_within_100_ms_of_its_publish() {
    let (addr, log) = server();
    let (mut stream, _) = Stream::open(addr, "/events", None);
    stream.read_until(|s| s.raw.ends_with(RETRY));
    let published = Instant::now();
    log.publish("fresh");
    stream.read_until(|s| !s.events.is_empty());
    let delay = published.elapsed();
    assert_eq!(
        (
            stream.events[0].data.as_str(),
            stream.events[0].last_event_id.as_str()
        ),
        ("fresh", "1")
    );
    assert!(
        delay < Duration::from_millis(100),
        "arrived {delay:?} after the publish"
    );
}

#[test]
fn last_event_id_resumes_after_it_and_wins_over_since() {
    let (addr, log) = server();
    (1..=5).for_each(|n| _ = log.publish(format!("e{n}")));
    let (mut stream, _) = Stream::open(addr, "/events?since=1", Some(3));
    stream.read_until(|s| s.last_id() == 5);
    assert_eq!(stream.ids(), [4, 5]);
    let (mut by_query, _) = Stream::open(addr, "/events?since=4", None);
    by_query.read_until(|s| s.last_id() == 5);
    assert_eq!(by_query.ids(), [5]);
    assert_eq!(Stream::open(addr, "/events", Some(u64::MAX)).1.status, 200);
    let bad = common::exchange(
        addr,
        b"GET /events HTTP/1.1\r\nHost: t\r\nLast-Event-ID: five\r\n\r\n",
    );
    assert_eq!(bad.status, 400);
}

#[test]
fn reconnecting_with_last_event_id_under_concurrent_publishers_loses_and_repeats_nothing() {
    const TOTAL: u64 = 600;
    let (addr, _) = server();
    let publishers: Vec<_> = (0..2)
        .map(|p| {
            thread::spawn(move || {
                let mut client = common::Client::new(addr);
                (0..TOTAL / 2).for_each(|n| {
                    assert_eq!(client.post("/publish", &format!("p{p} {n}")).status, 200)
                });
            })
        })
        .collect();
    let mut seen = Vec::new();
    let mut last = None;
    // Four connections, each dropped after a share of the events, as a flaky network would.
    for round in 1..=4u64 {
        let (mut stream, _) = Stream::open(addr, "/events", last);
        let target = if round == 4 { TOTAL } else { round * TOTAL / 5 };
        stream.read_until(|s| s.last_id() >= target);
        seen.extend(stream.ids());
        last = Some(stream.last_id());
    }
    publishers.into_iter().for_each(|p| p.join().unwrap());
    assert_eq!(
        seen,
        (1..=TOTAL).collect::<Vec<_>>(),
        "a gap, a repeat or a reordering"
    );
}

#[test]
fn a_cursor_older_than_the_history_gets_a_missed_event_first() {
    let (addr, log) = start(3, Duration::from_secs(15), ServerConfig::default());
    (1..=5).for_each(|n| _ = log.publish(format!("e{n}")));
    let (mut stream, _) = Stream::open(addr, "/events?since=0", None);
    stream.read_until(|s| s.last_id() == 5);
    assert_eq!(
        (
            stream.events[0].event_type.as_str(),
            stream.events[0].data.as_str()
        ),
        ("missed", "3")
    );
    assert_eq!(stream.ids(), [3, 4, 5]);
}

#[test]
fn a_keep_alive_comment_arrives_at_the_configured_interval() {
    let (addr, _) = start(100, Duration::from_millis(50), ServerConfig::default());
    let (mut stream, _) = Stream::open(addr, "/events", None);
    let opened = Instant::now();
    // Whole lines only: `retry:`, then one or more heartbeats (a slow read may get two).
    stream.read_until(|s| {
        s.raw.len() > RETRY.len() && (s.raw.len() - RETRY.len()) % KEEP_ALIVE.len() == 0
    });
    assert!(
        opened.elapsed() < Duration::from_secs(1),
        "took {:?}",
        opened.elapsed()
    );
    let (retry, heartbeats) = stream.raw.split_at(RETRY.len());
    assert!(
        retry == RETRY && heartbeats.chunks(KEEP_ALIVE.len()).all(|c| c == KEEP_ALIVE),
        "{:?}",
        String::from_utf8_lossy(&stream.raw)
    );
    assert!(stream.events.is_empty(), "a comment dispatches nothing");
}

#[test]
fn a_client_that_vanishes_is_noticed_at_the_next_heartbeat_and_its_place_freed() {
    let config = ServerConfig {
        max_connections: 1,
        ..ServerConfig::default()
    };
    let (addr, _) = start(100, Duration::from_millis(50), config);
    let (mut stream, _) = Stream::open(addr, "/events", None);
    stream.read_until(|s| s.raw.len() >= RETRY.len());
    assert_eq!(
        get(addr, "/poll").status,
        503,
        "the open stream holds the only place"
    );
    drop(stream);
    eventually(READ_TIMEOUT, || {
        (get(addr, "/poll").status == 200).then_some(())
    });
}

#[test]
fn head_gets_the_stream_head_and_a_close() {
    let (addr, _) = server();
    let mut socket = connect(addr);
    socket
        .write_all(b"HEAD /events HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    assert_eq!(
        read_answer(&mut socket, true).field("content-type"),
        Some("text/event-stream")
    );
    assert!(common::is_closed(&mut socket));
}

#[test]
fn a_client_that_stops_reading_does_not_hold_up_the_others() {
    let (addr, log) = server();
    let (mut stalled, _) = Stream::open(addr, "/events", None);
    let (mut reader, _) = Stream::open(addr, "/events", None);
    stalled
        .socket
        .set_read_timeout(Some(Duration::from_millis(1)))
        .unwrap();
    let big = "x".repeat(60 * 1024);
    // 15 MiB: more than loopback's socket buffers (they grow to a few MiB) and the hub's
    // queue. The reader takes each event before the next is published, as a healthy
    // client keeps up; the stalled one reads nothing.
    for id in 1..=250 {
        log.publish(big.as_str());
        reader.read_until(|s| s.last_id() == id);
    }
    assert_eq!(reader.ids(), (1..=250).collect::<Vec<_>>());
    // The stalled one is cut off once it is too far behind; its browser would resume.
    stalled.socket.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    let mut sink = vec![0u8; 1 << 16];
    let ended = loop {
        match stalled.socket.read(&mut sink) {
            Ok(0) => break true,
            Ok(_) => continue,
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break true,
            Err(_) => break false,
        }
    };
    assert!(
        ended,
        "the server must drop a client that is over a MiB behind"
    );
}

#[test]
fn a_typed_stream_names_each_ticker_event_by_its_symbol() {
    let log = Arc::new(EventLog::new(100));
    let typed = StreamOptions {
        event_type: Some(realtime::ticker::symbol_of),
        ..StreamOptions::default()
    };
    let router = realtime::http::Router::new().get(
        "/events/typed",
        realtime::sse::handler(Arc::clone(&log), typed),
    );
    let addr = common::start(router, ServerConfig::default());
    log.publish("ACME 101.23 +0.45 t=1");
    log.publish("hello");
    let (mut stream, _) = Stream::open(addr, "/events/typed", None);
    stream.read_until(|s| s.events.len() == 2);
    let types: Vec<&str> = stream
        .events
        .iter()
        .map(|e| e.event_type.as_str())
        .collect();
    assert_eq!(types, ["ACME", "message"]);
}
