//! Lesson 7's `/ws` feed over real sockets: `?since=N`, many readers under concurrent
//! publishers (over HTTP and over the socket itself), and a reader slow to start on a long
//! history. Frames, closing handshakes and pings are in `tests/lesson_07_websocket.rs`.

mod common;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::ws::{self, FIN, TEXT, Ws};
use common::{eventually, post};
use realtime::event_log::EventLog;

fn server() -> (SocketAddr, Arc<EventLog>) {
    common::start_playground(10_000)
}

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
