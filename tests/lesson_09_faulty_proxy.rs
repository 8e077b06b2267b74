//! Lesson 9's faulty proxy (`realtime::relay`) in front of the playground: every transport
//! survives its requests and answers cut into one-byte pieces both ways, and a connection
//! killed for being idle, resuming with nothing lost; and a stream whose client vanished
//! without a FIN is ended at its maximum lifetime instead of holding its place for the
//! quarter of an hour TCP would take.

mod common;

use std::io::Write;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use common::readers::Reader;
use common::{READ_TIMEOUT, connect, eventually, get, post};
use realtime::event_log::EventLog;
use realtime::http::ServerConfig;
use realtime::ledger::Meter;
use realtime::relay::{Faults, Relay};
use realtime::sse::StreamOptions;
use realtime::websocket::Message;
use realtime::websocket::connect::connect as ws_connect;

/// The playground behind a relay with `faults`: (the relay's address, the server's).
fn behind(faults: Faults) -> (String, std::net::SocketAddr) {
    let (server, _) = common::start_playground(10_000);
    let relay = Relay::start(server, faults).unwrap();
    (relay.addr().to_string(), server)
}

/// Reads with every transport at once while `publish` runs; returns each reader's ids and
/// reconnections.
fn read_all_while(addr: &str, last: u64, publish: impl FnOnce()) -> Vec<(Reader, Vec<u64>, usize)> {
    let readers: Vec<_> = Reader::ALL
        .into_iter()
        .map(|reader| {
            let addr = addr.to_owned();
            thread::spawn(move || {
                let (ids, reconnects) = reader.read_until(&addr, last, Duration::from_secs(30));
                (reader, ids, reconnects)
            })
        })
        .collect();
    publish();
    readers.into_iter().map(|r| r.join().unwrap()).collect()
}

#[test]
fn every_transport_survives_one_byte_pieces_both_ways() {
    let (relay, _) = behind(Faults {
        pieces: Some(1),
        ..Faults::default()
    });
    let results = read_all_while(&relay, 20, || {
        for i in 1..=20 {
            // The publish goes through the relay too: its request arrives byte by byte.
            assert_eq!(post_via(&relay, &format!("piece {i}")), 200);
        }
    });
    for (reader, ids, _) in results {
        assert_eq!(ids, (1..=20).collect::<Vec<u64>>(), "{reader:?}");
    }
}

fn post_via(addr: &str, body: &str) -> u16 {
    let mut http =
        realtime::http::client::HttpClient::connect(addr, READ_TIMEOUT, Meter::none()).unwrap();
    http.post("/publish", body.as_bytes()).unwrap().status
}

#[test]
fn a_websocket_echo_of_every_length_form_survives_one_byte_pieces() {
    let (relay, _) = behind(Faults {
        pieces: Some(1),
        ..Faults::default()
    });
    let url = format!("ws://{relay}/ws/echo");
    let mut ws = ws_connect(&url, &[], READ_TIMEOUT, Default::default(), Meter::none()).unwrap();
    // 7-bit lengths up to 125, 16-bit from 126, 64-bit from 65 536.
    for len in [0, 125, 126, 1000, 65_536] {
        let message = Message::Binary((0..len).map(|i| (i * 7) as u8).collect());
        ws.send(&message).unwrap();
        assert_eq!(ws.recv().unwrap(), message, "{len} bytes");
    }
    let text = Message::Text("héllo, one byte at a time".into());
    ws.send(&text).unwrap();
    assert_eq!(ws.recv().unwrap(), text);
}

#[test]
fn after_an_idle_kill_every_transport_resumes_with_nothing_lost() {
    let (relay, server) = behind(Faults {
        idle_kill: Some(Duration::from_millis(300)),
        ..Faults::default()
    });
    let server = server.to_string();
    let results = read_all_while(&relay, 3, || {
        for i in 1..=3 {
            // Straight to the server; between two events every idle connection is killed.
            post(
                server.parse().unwrap(),
                "/publish",
                &format!("after a kill {i}"),
            );
            thread::sleep(Duration::from_millis(700));
        }
    });
    for (reader, ids, reconnects) in results {
        assert_eq!(ids, [1, 2, 3], "{reader:?}: nothing lost, nothing twice");
        if reader != Reader::Poll {
            // A poller talks every 20 ms and is never idle; the others were cut.
            assert!(reconnects >= 1, "{reader:?} was never cut");
        }
    }
}

/// The playground with fast heartbeats and streams that live `max_lifetime`.
fn with_lifetime(max_lifetime: Duration) -> std::net::SocketAddr {
    let options = StreamOptions {
        heartbeat: Duration::from_millis(100),
        max_lifetime,
        ..StreamOptions::default()
    };
    let log = Arc::new(EventLog::new(100));
    let router = realtime::playground::router(log, options, Default::default(), Default::default());
    common::start(router, ServerConfig::default())
}

/// Opens `/events` through a relay that goes silent after 200 ms, as a client whose
/// cable was pulled: no more bytes either way, and no FIN.
fn open_and_vanish(server: std::net::SocketAddr) -> std::net::TcpStream {
    let frozen = Faults {
        freeze_after: Some(Duration::from_millis(200)),
        ..Faults::default()
    };
    let relay = Relay::start(server, frozen).unwrap();
    let mut client = connect(relay.addr());
    client
        .write_all(b"GET /events HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    client
}

fn open_streams(server: std::net::SocketAddr) -> u64 {
    let json = get(server, "/stats").text();
    let sse = json.split("\"sse\":{").nth(1).unwrap();
    let open = sse.split("\"open\":").nth(1).unwrap();
    open.chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

#[test]
fn a_stream_whose_client_vanished_is_ended_at_its_lifetime_and_its_place_freed() {
    let server = with_lifetime(Duration::from_millis(500));
    let _client = open_and_vanish(server);
    eventually(Duration::from_secs(2), || {
        (open_streams(server) == 1).then_some(())
    });
    // The server's heartbeats go into a socket nobody reads; the lifetime ends it anyway.
    eventually(Duration::from_secs(3), || {
        (open_streams(server) == 0).then_some(())
    });
}

#[test]
fn without_a_lifetime_the_vanished_clients_stream_keeps_its_place() {
    let server = with_lifetime(Duration::ZERO);
    let _client = open_and_vanish(server);
    eventually(Duration::from_secs(2), || {
        (open_streams(server) == 1).then_some(())
    });
    thread::sleep(Duration::from_millis(1500)); // three times the lifetime of the test above
    assert_eq!(
        open_streams(server),
        1,
        "nothing told the server the client is gone"
    );
}
