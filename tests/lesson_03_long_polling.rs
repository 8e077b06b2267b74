//! Lesson 3 over real sockets: a parked request answered by a publish, the timeout, no loss
//! under concurrent publishers, and why a fixed thread pool is the wrong shape
//! (`--break fixed-pool`).

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::{Client, connect, get, poll_ids, read_answer, start_playground};
use realtime::breaks::{Break, Breaks};
use realtime::event_log::EventLog;
use realtime::http::ServerConfig;

/// Sends a long poll and checks it is parked: no answer within 50 ms.
fn park(addr: SocketAddr, since: u64) -> TcpStream {
    park_target(addr, &format!("/long-poll?since={since}&timeout_ms=10000"))
}

/// Sends `GET target` and checks it is parked: no answer within 50 ms.
fn park_target(addr: SocketAddr, target: &str) -> TcpStream {
    let mut stream = connect(addr);
    stream
        .write_all(format!("GET {target} HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes())
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    assert!(
        stream.read(&mut [0u8]).is_err(),
        "a long poll with nothing new must wait"
    );
    stream.set_read_timeout(Some(common::READ_TIMEOUT)).unwrap();
    stream
}

#[test]
fn a_parked_long_poll_is_answered_within_100_ms_of_a_publish() {
    let (addr, log) = start_playground(100);
    let mut parked = park(addr, 0);
    let published = Instant::now();
    log.publish("wake up");
    let answer = read_answer(&mut parked, false);
    let delay = published.elapsed();
    assert_eq!(
        answer.text(),
        r#"{"events":[{"id":1,"data":"wake up"}],"last_id":1}"#
    );
    assert_eq!(answer.field("cache-control"), Some("no-store"));
    assert!(
        delay < Duration::from_millis(100),
        "answered {delay:?} after the publish"
    );
}

#[test]
fn a_long_poll_with_nothing_new_returns_empty_at_timeout_ms() {
    let (addr, log) = start_playground(100);
    log.publish("old news");
    let started = Instant::now();
    let answer = get(addr, "/long-poll?since=1&timeout_ms=50");
    let waited = started.elapsed();
    assert_eq!(answer.text(), r#"{"events":[],"last_id":1}"#);
    assert!(
        waited >= Duration::from_millis(50) && waited < Duration::from_secs(2),
        "waited {waited:?}"
    );
    assert_eq!(get(addr, "/long-poll?timeout_ms=soon").status, 400);
}

/// Reads every event up to `last` through `target` ("/poll" or "/long-poll"), following
/// the cursor; returns the ids in the order they arrived.
fn read_all(addr: SocketAddr, target: &'static str, last: u64) -> Vec<u64> {
    let mut client = Client::new(addr);
    let (mut seen, mut cursor) = (Vec::new(), 0);
    let deadline = Instant::now() + Duration::from_secs(30);
    while cursor < last {
        assert!(
            Instant::now() < deadline,
            "{target} reader stuck at {cursor}"
        );
        let (ids, last_id) = poll_ids(
            &client
                .get(&format!("{target}?since={cursor}&timeout_ms=1000"))
                .text(),
        );
        seen.extend(ids);
        cursor = last_id;
        if target == "/poll" {
            thread::sleep(Duration::from_millis(2)); // the polling interval
        }
    }
    seen
}

#[test]
fn four_publishers_and_polling_readers_lose_and_repeat_nothing() {
    const PUBLISHERS: u64 = 4;
    const EACH: u64 = 500;
    let (addr, _) = start_playground(10_000);
    let total = PUBLISHERS * EACH;
    let readers: Vec<_> = ["/poll", "/long-poll", "/poll", "/long-poll"]
        .into_iter()
        .map(|target| thread::spawn(move || (target, read_all(addr, target, total))))
        .collect();
    let publishers: Vec<_> = (0..PUBLISHERS)
        .map(|p| {
            thread::spawn(move || {
                let mut client = Client::new(addr);
                (0..EACH).for_each(|n| {
                    assert_eq!(client.post("/publish", &format!("p{p} n{n}")).status, 200)
                });
            })
        })
        .collect();
    publishers.into_iter().for_each(|p| p.join().unwrap());
    let expected: Vec<u64> = (1..=total).collect();
    for reader in readers {
        let (target, seen) = reader.join().unwrap();
        assert_eq!(
            seen, expected,
            "{target} saw a gap, a repeat or a reordering"
        );
    }
}

#[test]
fn more_parked_long_polls_than_a_fixed_pool_has_threads_still_complete() {
    let (addr, log) = start_playground(100);
    let mut parked: Vec<TcpStream> = (0..8).map(|_| park(addr, 0)).collect();
    assert_eq!(
        get(addr, "/").status,
        200,
        "the page is served while 8 requests are parked"
    );
    log.publish("everyone");
    for stream in &mut parked {
        assert_eq!(poll_ids(&read_answer(stream, false).text()), (vec![1], 1));
    }
}

/// The Rust Book's shape, shown once to see it fail: the playground served with
/// `--break fixed-pool`, four workers taking connections from a queue, each serving its
/// connection to the end (`Server::run_fixed_pool` in `src/http/server.rs`).
fn start_fixed_pool_of_4(log: Arc<EventLog>) -> SocketAddr {
    let router = realtime::playground::router(
        log,
        Default::default(),
        Default::default(),
        Default::default(),
    );
    let config = ServerConfig {
        breaks: Breaks::NONE.with(Break::FixedPool),
        ..ServerConfig::default()
    };
    common::start(router, config)
}

#[test]
fn a_fixed_pool_of_4_is_exhausted_by_4_parked_long_polls() {
    let log = Arc::new(EventLog::new(100));
    let addr = start_fixed_pool_of_4(Arc::clone(&log));
    let mut parked: Vec<TcpStream> = (0..4).map(|_| park(addr, 0)).collect();
    let mut fifth = connect(addr);
    fifth
        .write_all(b"GET /poll HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    fifth
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    assert!(
        fifth.read(&mut [0u8]).is_err(),
        "no worker is free to answer the fifth client"
    );
    log.publish("frees the pool");
    for stream in &mut parked {
        read_answer(stream, false);
    }
    drop(parked); // the workers see the close and take the next connection
    fifth.set_read_timeout(Some(common::READ_TIMEOUT)).unwrap();
    assert_eq!(read_answer(&mut fifth, false).status, 200);
}

#[test]
fn timeout_ms_above_60_s_is_lowered_to_60_s_not_refused() {
    let (addr, _) = start_playground(100);
    // Parked like any long poll: an error answer would come at once.
    park_target(addr, "/long-poll?since=0&timeout_ms=999999999");
}
