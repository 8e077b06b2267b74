//! Lesson 9 with a real nginx (Debian's, started by each test on free loopback ports,
//! stopped by PID): through the good config every transport delivers every event once,
//! in order; each broken config fails the way the lesson shows. Without nginx (or
//! openssl) the tests skip loudly, except under CI, where they fail.

mod common;
#[path = "../examples/support/nginx.rs"]
mod nginx;

use std::io::Read;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::process::{runs, tools_present};
use common::readers::Reader;
use nginx::Nginx;
use realtime::http::client::HttpClient;
use realtime::ledger::Meter;
use realtime::websocket::client::ClientError;
use realtime::websocket::connect::connect;

fn nginx_installed() -> bool {
    let mut missing = Vec::new();
    if let Err(why) = nginx::binary() {
        missing.push(why);
    }
    if !runs("openssl", &["version"]) {
        missing.push("openssl (on Debian, `sudo apt-get install openssl`)".into());
    }
    tools_present("lesson 9's nginx tests", &missing)
}

/// The playground, and nginx with `config` in front of it.
fn behind(config: &str) -> (String, Nginx) {
    let (server, _) = common::start_playground(10_000);
    let proxy = Nginx::start(config, &[server.to_string()]).unwrap();
    (server.to_string(), proxy)
}

fn publish(addr: &str, texts: impl IntoIterator<Item = String>) {
    let mut http = HttpClient::connect(addr, Duration::from_secs(10), Meter::none()).unwrap();
    for text in texts {
        assert_eq!(http.post("/publish", text.as_bytes()).unwrap().status, 200);
    }
}

#[test]
fn through_the_good_config_every_transport_gets_every_event_once_and_in_order() {
    if !nginx_installed() {
        return;
    }
    let (_, proxy) = behind("good");
    let addr = proxy.addr().to_owned();
    let readers: Vec<_> = Reader::ALL
        .into_iter()
        .map(|reader| {
            let addr = addr.clone();
            thread::spawn(move || {
                (
                    reader,
                    reader.read_until(&addr, 1000, Duration::from_secs(60)),
                )
            })
        })
        .collect();
    let publishers: Vec<_> = (0..4)
        .map(|p| {
            let addr = addr.clone();
            thread::spawn(move || publish(&addr, (0..250).map(move |i| format!("p{p} {i}"))))
        })
        .collect();
    for publisher in publishers {
        publisher.join().unwrap();
    }
    let every: Vec<u64> = (1..=1000).collect();
    for reader in readers {
        let (reader, (ids, _)) = reader.join().unwrap();
        assert_eq!(
            ids,
            every,
            "{reader:?} through nginx\n{}",
            proxy.error_log()
        );
    }
}

#[test]
fn a_buffering_proxy_holds_sse_events_back_until_its_buffer_fills() {
    if !nginx_installed() {
        return;
    }
    let (server, proxy) = behind("buffered");
    let http = HttpClient::connect(proxy.addr(), Duration::from_secs(30), Meter::none()).unwrap();
    let (arrived, first) = mpsc::channel();
    thread::spawn(move || {
        let Ok((_, mut body)) = http.open_stream("/events", &[]) else {
            return;
        };
        let mut byte = [0u8];
        if body.read(&mut byte).is_ok_and(|n| n == 1) {
            let _ = arrived.send(Instant::now());
        }
    });
    // Events of about 100 bytes, one every 50 ms, straight to the server, until the first
    // byte of the stream gets through nginx (or 20 s pass).
    let started = Instant::now();
    let mut published = 0;
    let at = loop {
        publish(&server, [format!("event {published} {}", "x".repeat(90))]);
        published += 1;
        if let Ok(at) = first.recv_timeout(Duration::from_millis(50)) {
            break at;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "nothing came through nginx"
        );
    };
    // Not the first event: nginx held the stream (its head, `retry:`, the events) until
    // its 4 KiB buffer filled. Seconds, not milliseconds.
    assert!(
        published > 10,
        "the first byte came after only {published} events"
    );
    assert!(
        at - started >= Duration::from_secs(1),
        "held for only {:?}",
        at - started
    );
}

#[test]
fn without_the_upgrade_fields_a_websocket_handshake_gets_400_and_polls_still_work() {
    if !nginx_installed() {
        return;
    }
    let (_, proxy) = behind("no-upgrade");
    let url = format!("ws://{}/ws/echo", proxy.addr());
    match connect(
        &url,
        &[],
        Duration::from_secs(5),
        Default::default(),
        Meter::none(),
    ) {
        Err(ClientError::Refused(400, head)) => assert!(head.contains("nginx"), "{head}"),
        other => panic!("expected 400, got {:?}", other.map(|_| "a WebSocket")),
    }
    publish(proxy.addr(), ["one".to_owned()]);
    let (ids, _) = Reader::Poll.read_until(proxy.addr(), 1, Duration::from_secs(10));
    assert_eq!(ids, [1]);
}

#[test]
fn over_http_1_0_upstream_a_websocket_gets_400_and_an_event_stream_still_works() {
    if !nginx_installed() {
        return;
    }
    let (_, proxy) = behind("http10");
    let url = format!("ws://{}/ws", proxy.addr());
    let refused = connect(
        &url,
        &[],
        Duration::from_secs(5),
        Default::default(),
        Meter::none(),
    );
    assert!(
        matches!(refused, Err(ClientError::Refused(400, _))),
        "{:?}",
        refused.err()
    );
    let addr = proxy.addr().to_owned();
    let reader = thread::spawn(move || Reader::Sse.read_until(&addr, 3, Duration::from_secs(20)));
    publish(proxy.addr(), (1..=3).map(|i| format!("over HTTP/1.0 {i}")));
    assert_eq!(reader.join().unwrap().0, [1, 2, 3]);
}

#[test]
fn a_short_read_timeout_gives_a_held_long_poll_504_and_cuts_a_stream_that_resumes() {
    if !nginx_installed() {
        return;
    }
    let (_, proxy) = behind("short-timeout"); // proxy_read_timeout 5s
    publish(proxy.addr(), ["before the cut".to_owned()]);
    let addr = proxy.addr().to_owned();
    let long_poll = thread::spawn(move || {
        let mut http = HttpClient::connect(&addr, Duration::from_secs(30), Meter::none()).unwrap();
        http.get("/long-poll?since=1&timeout_ms=10000", &[])
            .unwrap()
            .status
    });
    let addr = proxy.addr().to_owned();
    let stream = thread::spawn(move || Reader::Sse.read_until(&addr, 2, Duration::from_secs(30)));
    thread::sleep(Duration::from_secs(6)); // past nginx's 5 s without a byte
    publish(proxy.addr(), ["after the cut".to_owned()]);
    // The long poll asked to be held 10 s; nginx gave up after 5 s.
    assert_eq!(long_poll.join().unwrap(), 504);
    let (ids, reconnects) = stream.join().unwrap();
    assert_eq!(ids, [1, 2], "nothing lost, nothing twice");
    assert!(reconnects >= 1, "the stream was cut and resumed");
}

#[test]
fn the_tls_listener_speaks_http2_to_curl() {
    if !nginx_installed() || !tools_present("the HTTP/2 test", &curl_missing()) {
        return;
    }
    let (_, proxy) = behind("good");
    let url = format!("https://{}/poll", proxy.tls.as_deref().unwrap());
    let out = std::process::Command::new("curl")
        .args([
            "-sk",
            "--http2",
            "-o",
            "/dev/null",
            "-w",
            "%{http_version} %{http_code}",
            &url,
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "2 200");
}

fn curl_missing() -> Vec<String> {
    if runs("curl", &["--version"]) {
        Vec::new()
    } else {
        vec!["curl".into()]
    }
}
