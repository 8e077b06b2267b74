//! Lesson 10 with everything real: redis-server, three servers as processes of their own
//! (`10_scale_out --serve`), and nginx in front, round robin. A server killed mid-stream
//! (SIGKILL) loses its clients nothing: they come back through nginx to the others and
//! resume after their last id. And `10_scale_out --break local-log` shows why the log must
//! be shared: three publishes through the balancer, three events all called 1. Sticky
//! balancing, asked of nginx with curl from different loopback addresses and cookies:
//! `ip_hash` puts a whole /24 on one server, a hashed session cookie keeps a session on one.

mod common;
#[path = "../examples/support/nginx.rs"]
mod nginx;
#[path = "../examples/support/redis.rs"]
mod redis;

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::thread;
use std::time::Duration;

use common::process::{Server, example, tools_present};
use common::readers::Reader;
use realtime::http::client::HttpClient;
use realtime::ledger::Meter;

fn tools_installed() -> bool {
    let missing: Vec<String> = [redis::binary(), nginx::binary()]
        .into_iter()
        .filter_map(Result::err)
        .collect();
    tools_present("lesson 10's cluster tests", &missing)
}

/// Server `n` of a cluster on the Redis at `redis`.
fn server(n: usize, redis: &str) -> Server {
    let name = format!("s{n}");
    Server::start(
        &example("10_scale_out"),
        &[
            "--serve",
            "--addr",
            "127.0.0.1:0",
            "--name",
            &name,
            "--tick-ms",
            "0",
            "--redis",
            redis,
        ],
    )
}

fn addr_of(server: &Server) -> String {
    server
        .url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned()
}

#[test]
fn a_server_killed_mid_stream_loses_its_clients_nothing() {
    if !tools_installed() {
        return;
    }
    let redis = redis::Redis::start().unwrap();
    let mut servers: Vec<Option<Server>> = (1..=3).map(|n| Some(server(n, &redis.addr))).collect();
    let addrs: Vec<String> = servers.iter().flatten().map(addr_of).collect();
    let proxy = nginx::Nginx::start("good", &addrs).unwrap();
    // Two readers of each transport through nginx: round robin spreads them over the three.
    let readers: Vec<_> = Reader::ALL
        .into_iter()
        .chain(Reader::ALL)
        .map(|reader| {
            let addr = proxy.addr().to_owned();
            thread::spawn(move || {
                (
                    reader,
                    reader.read_until(&addr, 60, Duration::from_secs(60)),
                )
            })
        })
        .collect();
    let mut publisher =
        HttpClient::connect(&addrs[0], Duration::from_secs(10), Meter::none()).unwrap();
    for i in 1..=60 {
        if i == 21 {
            servers[1] = None; // SIGKILL, by PID: no Close, no FIN from the application
        }
        let answer = publisher
            .post("/publish", format!("event {i}").as_bytes())
            .unwrap();
        assert_eq!(answer.status, 200);
        thread::sleep(Duration::from_millis(20));
    }
    let every: Vec<u64> = (1..=60).collect();
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

/// `10_scale_out` with `args`, its stdin kept open (it reads commands from it); returns the
/// child, its stdin, and the address it prints.
fn cluster(args: &[&str]) -> (Child, ChildStdin, String) {
    let mut child = Command::new(example("10_scale_out"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap()
        .to_owned();
    (child, stdin, addr)
}

fn publish_three(addr: &str) -> Vec<String> {
    (1..=3)
        .map(|i| {
            // A new connection each time, so nginx's round robin picks the next server.
            let mut http =
                HttpClient::connect(addr, Duration::from_secs(10), Meter::none()).unwrap();
            http.post("/publish", format!("m{i}").as_bytes())
                .unwrap()
                .text()
        })
        .collect()
}

#[test]
fn break_local_log_gives_three_events_published_through_the_balancer_the_same_id() {
    if !tools_installed() {
        return;
    }
    let (mut broken, stdin, addr) = cluster(&["--break", "local-log"]);
    assert_eq!(
        publish_three(&addr),
        ["{\"id\":1}", "{\"id\":1}", "{\"id\":1}"],
        "an id that means three events"
    );
    drop(stdin); // `10_scale_out` ends with its input, and stops what it started
    let _ = broken.wait();
    let (mut fixed, stdin, addr) = cluster(&[]);
    assert_eq!(
        publish_three(&addr),
        ["{\"id\":1}", "{\"id\":2}", "{\"id\":3}"]
    );
    drop(stdin);
    let _ = fixed.wait();
}

fn curl_installed() -> bool {
    let missing: Vec<String> = match common::process::runs("curl", &["--version"]) {
        true => vec![],
        false => vec!["curl (`sudo apt-get install curl`)".into()],
    };
    tools_present("the balancing tests", &missing)
}

/// Which server nginx at `addr` sent curl's `GET /poll` to, curl given `options`.
fn server_for(addr: &str, options: &[&str]) -> String {
    let out = Command::new("curl")
        .args([
            "-s",
            "--max-time",
            "5",
            "-o",
            "/dev/null",
            "-w",
            "%header{x-server}",
        ])
        .args(options)
        .arg(format!("http://{addr}/poll"))
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

fn distinct(servers: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut servers: Vec<String> = servers.into_iter().collect();
    servers.sort();
    servers.dedup();
    servers
}

#[test]
fn ip_hash_sends_every_client_of_one_slash_24_to_one_server() {
    if !tools_installed() || !curl_installed() {
        return;
    }
    let (mut cluster, stdin, addr) = cluster(&["--break", "local-log", "--balance", "ip-hash"]);
    // All of 127.0.0.0/8 is this machine: curl can send from any of it.
    let one_network =
        distinct((1..=12).map(|n| server_for(&addr, &["--interface", &format!("127.0.0.{n}")])));
    let networks =
        distinct((1..=12).map(|n| server_for(&addr, &["--interface", &format!("127.0.{n}.1")])));
    drop(stdin);
    let _ = cluster.wait();
    assert_eq!(one_network.len(), 1, "127.0.0.1 to .12: {one_network:?}");
    assert!(networks.len() > 1, "127.0.1.1 to 127.0.12.1: {networks:?}");
}

#[test]
fn a_hashed_session_cookie_keeps_each_session_on_one_server() {
    if !tools_installed() || !curl_installed() {
        return;
    }
    let (mut cluster, stdin, addr) = cluster(&["--break", "local-log", "--balance", "cookie"]);
    let sessions: Vec<Vec<String>> = (1..=12)
        .map(|n| {
            let cookie = format!("session=user{n}");
            (0..3)
                .map(|_| server_for(&addr, &["-b", &cookie]))
                .collect()
        })
        .collect();
    let without = distinct((0..3).map(|_| server_for(&addr, &[])));
    drop(stdin);
    let _ = cluster.wait();
    for (n, servers) in sessions.iter().enumerate() {
        assert_eq!(
            distinct(servers.clone()).len(),
            1,
            "session user{}: {servers:?}",
            n + 1
        );
    }
    assert!(distinct(sessions.into_iter().map(|s| s[0].clone())).len() > 1);
    assert_eq!(without.len(), 3, "no cookie, an empty key: round robin");
}
