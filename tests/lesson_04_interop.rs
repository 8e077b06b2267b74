//! Lesson 4 against a third-party client: Python's `httpx-sse`
//! (`tests/interop/httpx_sse_client.py`) reading `/events` while events are published around
//! heartbeats. Needs `$REALTIME_PYTHON` or `target/interop-venv/bin/python` with `httpx` and
//! `httpx-sse`; see `tests/interop/support.rs`.
//!
//! httpx-sse 0.4.3 yields every block that an empty line ends, data or not, with the last id
//! it saw. A browser does not (a block with an empty data buffer is not dispatched), and the
//! server's `retry:` and `: keep-alive` lines come with no empty line after them, so this
//! client too sees exactly the published events.

mod common;
#[path = "interop/support.rs"]
mod interop;

use std::io::{Read, Write};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::process::{KillOnDrop, collect};
use realtime::event_log::EventLog;
use realtime::http::ServerConfig;
use realtime::sse::StreamOptions;

/// Several heartbeats fit between two publishes.
const HEARTBEAT: Duration = Duration::from_millis(50);
const BETWEEN_PUBLISHES: Duration = Duration::from_millis(300);
/// How long Python may take to start, import httpx and open the stream.
const STARTUP: Duration = Duration::from_secs(30);

#[test]
fn httpx_sse_yields_exactly_the_published_events_each_once_with_numeric_ids() {
    let python = interop::python();
    if !interop::available(&python, "httpx_sse", "httpx-sse") {
        return;
    }
    let log = Arc::new(EventLog::new(100));
    let options = StreamOptions {
        heartbeat: HEARTBEAT,
        ..StreamOptions::default()
    };
    let router = realtime::playground::router(
        Arc::clone(&log),
        options,
        Default::default(),
        Default::default(),
    );
    let addr = common::start(router, ServerConfig::default());
    // Replayed when a stream opens: it follows `retry:` in the stream's first write.
    log.publish("one");

    // A raw stream beside the client, to show the bytes both of them were sent.
    let mut raw = common::connect(addr);
    raw.write_all(b"GET /events HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    assert_eq!(common::read_answer(&mut raw, true).status, 200);

    let script = interop::script("httpx_sse_client.py");
    let address = addr.to_string();
    let mut child = std::process::Command::new(&python)
        .args([script.to_str().expect("a UTF-8 path"), &address, "last"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start python");
    let stdout = collect(child.stdout.take().expect("piped stdout"));
    let stderr = collect(child.stderr.take().expect("piped stderr"));
    let mut child = KillOnDrop(child);
    let context = || format!("stdout:\n{}\nstderr:\n{}", stdout.so_far(), stderr.so_far());
    let started = Instant::now();
    while !stdout.so_far().contains('\n') {
        let exited = child.0.try_wait().expect("wait for python").is_some();
        assert!(
            !exited && started.elapsed() < STARTUP,
            "the client did not open the stream\n{}",
            context()
        );
        thread::sleep(Duration::from_millis(20));
    }
    assert!(
        stdout.so_far().starts_with("open 200 text/event-stream\n"),
        "{}",
        context()
    );

    // Heartbeats after the first event, between the live ones, and before the last.
    for text in ["two", "three", "last"] {
        thread::sleep(BETWEEN_PUBLISHES);
        log.publish(text);
    }
    let status = loop {
        if let Some(status) = child.0.try_wait().expect("wait for python") {
            break status;
        }
        assert!(
            started.elapsed() < STARTUP + Duration::from_secs(30),
            "the client still ran; killed\n{}",
            context()
        );
        thread::sleep(Duration::from_millis(20));
    };
    let output = stdout.all();
    let context = format!("stdout:\n{output}\nstderr:\n{}", stderr.all());
    assert!(status.success(), "the client failed ({status})\n{context}");

    let wire = read_raw_until(&mut raw, b"data: last\n\n");
    for (before, after) in [("one", "2"), ("two", "3"), ("three", "4")] {
        let from = wire.find(&format!("data: {before}\n\n")).unwrap();
        let to = wire.find(&format!("id: {after}\n")).unwrap();
        assert!(
            wire[from..to].contains(": keep-alive\n"),
            "no heartbeat between {before:?} and event {after} in {wire:?}"
        );
    }

    let events: Vec<Vec<&str>> = output
        .lines()
        .filter_map(|line| line.strip_prefix("event\t"))
        .map(|fields| fields.split('\t').collect())
        .collect();
    for event in &events {
        // Each field is a JSON string; these have no escapes to undo.
        let [id, _, data] = event[..] else {
            panic!("not three fields: {event:?}\n{context}")
        };
        assert_ne!(data, "\"\"", "an event with empty data\n{context}");
        assert!(
            id.trim_matches('"').parse::<u64>().is_ok(),
            "an id that is not a number: {id}\n{context}"
        );
    }
    let published: Vec<Vec<String>> = log
        .since(0)
        .events
        .iter()
        .map(|e| {
            let quote = realtime::json::string;
            vec![quote(&e.id.to_string()), quote("message"), quote(&e.data)]
        })
        .collect();
    assert_eq!(
        events, published,
        "not exactly the published events, each once\n{context}"
    );
}

/// Reads the raw stream until its bytes contain `end`; fails after the read timeout.
fn read_raw_until(stream: &mut std::net::TcpStream, end: &[u8]) -> String {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    while !bytes.windows(end.len()).any(|w| w == end) {
        let n = stream.read(&mut chunk).expect("read the raw stream");
        assert!(n > 0, "the raw stream ended");
        bytes.extend_from_slice(&chunk[..n]);
    }
    String::from_utf8(bytes).expect("UTF-8")
}
