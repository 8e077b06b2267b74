//! Lesson 10 with a real redis-server (Debian's, started by each test on a free loopback
//! port, stopped by PID) and servers in this process, each with its own event log fed from
//! one Redis stream: a publish on one reaches every transport on the others; four
//! publishers on three servers give every reader 1..2000 once, in order; a Redis restart
//! loses nothing and a publish in the gap gets 503; a Redis that comes back empty never
//! reuses an id; a log per server gives a resuming client the wrong events; a server
//! behind another makes a cursor from the future wait; a quiet stream keeps its reader.
//! Without redis-server the tests skip loudly, except under CI.

mod common;
#[path = "../examples/support/redis.rs"]
mod redis;

use std::net::SocketAddr;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use common::process::tools_present;
use common::readers::Reader;
use common::{get, post};
use realtime::event_log::EventLog;
use realtime::http::ServerConfig;
use realtime::publish::Publish;
use realtime::redis::client::RedisClient;
use realtime::redis::shared_log::{GUARD, SharedLog};

fn redis_installed() -> bool {
    let missing: Vec<String> = redis::binary().err().into_iter().collect();
    tools_present("lesson 10's Redis tests", &missing)
}

/// A server in this process whose log is the stream `key` of the Redis at `redis`.
fn server_on(redis: &str, key: &str) -> SocketAddr {
    let log = Arc::new(EventLog::mirror(10_000));
    let shared: Arc<dyn Publish> = SharedLog::start(redis, key, 10_000, Arc::clone(&log));
    let router = realtime::playground::router_publishing(
        log,
        shared,
        Default::default(),
        Default::default(),
        Default::default(),
        Default::default(),
    );
    common::start(router, ServerConfig::default())
}

/// Reads with every transport on each of `servers` until `last`; returns what each got.
fn read_everywhere(
    servers: &[SocketAddr],
    last: u64,
) -> Vec<thread::JoinHandle<(String, Vec<u64>)>> {
    servers
        .iter()
        .flat_map(|server| Reader::ALL.map(|reader| (server.to_string(), reader)))
        .map(|(addr, reader)| {
            thread::spawn(move || {
                let (ids, _) = reader.read_until(&addr, last, Duration::from_secs(60));
                (format!("{reader:?} on {addr}"), ids)
            })
        })
        .collect()
}

fn expect_every(readers: Vec<thread::JoinHandle<(String, Vec<u64>)>>, last: u64) {
    let every: Vec<u64> = (1..=last).collect();
    for reader in readers {
        let (who, ids) = reader.join().unwrap();
        assert_eq!(ids, every, "{who}");
    }
}

#[test]
fn a_publish_on_one_server_reaches_every_transport_on_the_others() {
    if !redis_installed() {
        return;
    }
    let redis = redis::Redis::start().unwrap();
    let [a, b, c] = [(); 3].map(|_| server_on(&redis.addr, "realtime:events"));
    let readers = read_everywhere(&[b, c], 3);
    for text in ["one", "two", "three"] {
        assert_eq!(post(a, "/publish", text).status, 200);
    }
    expect_every(readers, 3);
}

#[test]
fn four_publishers_on_three_servers_give_every_reader_every_id_once_and_in_order() {
    if !redis_installed() {
        return;
    }
    let redis = redis::Redis::start().unwrap();
    let servers = [(); 3].map(|_| server_on(&redis.addr, "realtime:events"));
    let readers = read_everywhere(&servers, 2000);
    let publishers: Vec<_> = (0..4)
        .map(|p| {
            let server = servers[p % 3];
            thread::spawn(move || {
                let mut http = realtime::http::client::HttpClient::connect(
                    &server.to_string(),
                    Duration::from_secs(10),
                    realtime::ledger::Meter::none(),
                )
                .unwrap();
                for i in 0..500 {
                    let answer = http
                        .post("/publish", format!("p{p} {i}").as_bytes())
                        .unwrap();
                    assert_eq!(answer.status, 200, "{}", answer.text());
                }
            })
        })
        .collect();
    for publisher in publishers {
        publisher.join().unwrap();
    }
    expect_every(readers, 2000);
}

#[test]
fn a_redis_restart_loses_nothing_and_a_publish_while_it_is_down_gets_503() {
    if !redis_installed() {
        return;
    }
    let redis = redis::Redis::start().unwrap();
    let (a, b) = (server_on(&redis.addr, "k"), server_on(&redis.addr, "k"));
    let readers = read_everywhere(&[b], 20);
    // Both servers publish, so both keep a pooled connection to this Redis.
    for i in 1..=10 {
        let server = [a, b][i % 2];
        assert_eq!(post(server, "/publish", &format!("before {i}")).status, 200);
    }
    let (dir, port) = redis.stop();
    let refused = post(a, "/publish", "while Redis is down");
    assert_eq!(
        refused.status, 503,
        "never a 200 for an event that was not stored"
    );
    assert_eq!(refused.field("retry-after"), Some("1"));
    let redis = redis::Redis::start_in(dir, port).unwrap(); // from its append-only file
    // At once, on `b` too: its connection pooled before the restart, which Redis closed,
    // is not used (only `a`'s was dropped, by the failed publish).
    for i in 1..=10 {
        let server = [b, a][i % 2];
        assert_eq!(
            post(server, "/publish", &format!("after {i}")).status,
            200,
            "after {i}"
        );
    }
    expect_every(readers, 20);
    drop(redis);
}

#[test]
fn a_redis_that_comes_back_empty_never_reuses_an_id_and_readers_are_told() {
    if !redis_installed() {
        return;
    }
    let redis = redis::Redis::start().unwrap();
    let (a, b) = (server_on(&redis.addr, "k"), server_on(&redis.addr, "k"));
    (1..=5).for_each(|i| assert_eq!(post(a, "/publish", &format!("kept {i}")).status, 200));
    common::eventually(Duration::from_secs(5), || {
        (common::poll_ids(&get(b, "/poll?since=0").text()).1 == 5).then_some(())
    });
    let mut direct = RedisClient::connect(&redis.addr, Duration::from_secs(2)).unwrap();
    direct.command(&[b"FLUSHALL"]).unwrap(); // its data lost
    let answer = post(b, "/publish", "after the loss").text();
    assert_eq!(
        answer,
        format!("{{\"id\":{}}}", 5 + GUARD + 1),
        "above every id seen, with the guard"
    );
    let poll = common::eventually(Duration::from_secs(5), || {
        let text = get(a, "/poll?since=5").text();
        text.contains("after the loss").then_some(text)
    });
    assert!(poll.contains("\"missed\":true"), "{poll}");
}

#[test]
fn with_a_log_per_server_a_client_resuming_elsewhere_gets_the_wrong_events() {
    // The wrong way (`10_scale_out --break local-log`): each server its own log.
    let (a, _) = common::start_playground(100);
    let (b, _) = common::start_playground(100);
    ["a1", "a2", "a3"]
        .iter()
        .for_each(|t| _ = post(a, "/publish", t));
    ["b1", "b2", "b3", "b4"]
        .iter()
        .for_each(|t| _ = post(b, "/publish", t));
    // A client had 1 and 2 from A; its next request lands on B.
    let resumed = get(b, "/poll?since=2").text();
    assert!(
        resumed.contains("\"data\":\"b3\""),
        "B's event 3 is another event: {resumed}"
    );
    assert!(
        !resumed.contains("a3"),
        "A's event 3 is lost to this client: {resumed}"
    );
}

#[test]
fn with_the_shared_log_a_client_resuming_elsewhere_gets_exactly_what_followed() {
    if !redis_installed() {
        return;
    }
    let redis = redis::Redis::start().unwrap();
    let (a, b) = (server_on(&redis.addr, "k"), server_on(&redis.addr, "k"));
    ["e1", "e2", "e3"]
        .iter()
        .for_each(|t| assert_eq!(post(a, "/publish", t).status, 200));
    let resumed = common::eventually(Duration::from_secs(5), || {
        let text = get(b, "/poll?since=2").text();
        text.contains("e3").then_some(text)
    });
    assert_eq!(resumed, r#"{"events":[{"id":3,"data":"e3"}],"last_id":3}"#);
}

/// The `open` count of `transport` in a `/stats` answer.
fn open(stats: &str, transport: &str) -> u64 {
    let at = stats.find(&format!("\"{transport}\":{{")).unwrap();
    let rest = &stats[at..];
    let value = &rest[rest.find("\"open\":").unwrap() + 7..];
    value[..value.find(',').unwrap()].parse().unwrap()
}

#[test]
fn on_a_server_behind_another_a_cursor_ahead_waits_and_nothing_repeats() {
    // No Redis: a mirror fed by hand is a server whose reader thread is behind.
    let log = Arc::new(EventLog::mirror(100));
    log.append(1, "seen everywhere");
    let publish: Arc<dyn Publish> = Arc::clone(&log) as Arc<dyn Publish>;
    let router = realtime::playground::router_publishing(
        Arc::clone(&log),
        publish,
        Default::default(),
        Default::default(),
        Default::default(),
        Default::default(),
    );
    let server = common::start(router, ServerConfig::default());
    // Every reader brings cursor 3 from a server that had read further.
    let readers: Vec<_> = Reader::ALL
        .map(|reader| {
            thread::spawn(move || {
                let (ids, _) = reader.read_from(&server.to_string(), 3, 5, Duration::from_secs(20));
                (format!("{reader:?}"), ids)
            })
        })
        .into();
    common::eventually(Duration::from_secs(10), || {
        let stats = get(server, "/stats").text();
        let parked = ["long-poll", "sse", "ws"].map(|t| open(&stats, t));
        (parked == [1, 1, 1] && !stats.contains("\"poll\":{\"requests\":0,")).then_some(())
    });
    for (id, text) in [(2, "b"), (3, "c"), (4, "d"), (5, "e")] {
        log.append(id, text); // the copy catches up, then goes past
    }
    for reader in readers {
        let (who, ids) = reader.join().unwrap();
        assert_eq!(
            ids,
            [4, 5],
            "{who}: neither 1 again, nor 2 and 3, which it had"
        );
    }
}

#[test]
fn a_quiet_stream_keeps_its_reader_connected_across_timed_out_blocks() {
    if !redis_installed() {
        return;
    }
    // XREAD BLOCK 5000 answers `*-1` after 5 s of silence; the reader's read timeout is
    // longer, so it asks again on the same connection rather than taking Redis for dead.
    let redis = redis::Redis::start().unwrap();
    let server = server_on(&redis.addr, "quiet");
    let mut admin = RedisClient::connect(&redis.addr, Duration::from_secs(2)).unwrap();
    let age_of_reader = |admin: &mut RedisClient| {
        let list = admin.command(&[b"CLIENT", b"LIST"]).unwrap();
        let list = list.as_text().unwrap_or_default().to_owned();
        list.lines()
            .filter(|line| line.contains("cmd=xread"))
            .find_map(|line| {
                line.split(' ')
                    .find_map(|f| f.strip_prefix("age=")?.parse::<u64>().ok())
            })
    };
    let age = common::eventually(Duration::from_secs(15), || {
        age_of_reader(&mut admin).filter(|&age| age >= 7)
    });
    assert!(
        age >= 7,
        "one connection through at least one timed-out block"
    );
    assert_eq!(post(server, "/publish", "after the quiet").status, 200);
    let poll = common::eventually(Duration::from_secs(5), || {
        let text = get(server, "/poll?since=0").text();
        text.contains("after the quiet").then_some(text)
    });
    assert!(!poll.contains("missed"), "{poll}");
}
