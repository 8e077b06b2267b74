//! The servers measured, and what they say about themselves.
//!
//! Each technique gets a server of its own in a child process (this example run again
//! with `--serve`: `cargo run --example` does not build the crate's main binary), so each
//! server's CPU time and threads in its `/stats` are that technique's alone. With
//! `--delay-ms D`, a child `--relay` in front of each server holds every piece of data D
//! ms each way ([`realtime::relay`]); it runs in its own process so that its CPU is not
//! counted as the server's. Children are stopped by PID when dropped.

use std::error::Error;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use realtime::http::Server;
use realtime::http::client::HttpClient;
use realtime::ledger::{Meter, Transport};
use realtime::options::Options;
use realtime::relay::{Faults, Relay};
use realtime::{playground, stats};

/// A child process that printed `listening on http://ADDR`.
pub struct Process {
    child: Child,
    pub addr: String,
}

impl Process {
    /// Runs this example again with `args` and waits for its start-up line.
    pub fn spawn(args: &[&str]) -> Result<Process, Box<dyn Error>> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .ok_or_else(|| format!("unexpected start-up line {line:?}"))?
            .to_owned();
        Ok(Process { child, addr })
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill(); // SIGKILL, by PID
        let _ = self.child.wait();
    }
}

/// `--serve`: the playground's endpoints and `/stats`, no ticker; `args` as for every
/// server (`--addr`, `--history`, …).
pub fn serve(args: &[String]) -> Result<(), Box<dyn Error>> {
    let options = Options::parse("127.0.0.1:0", args.iter().cloned())?;
    let (log, publish) = options.event_log(); // --redis: a shared log (lesson 10)
    let server = Server::bind(&options.addr, options.server_config())?;
    let router = playground::router_publishing(
        log,
        publish,
        options.stream_options(),
        options.websocket(),
        options.handshake(),
        options.breaks,
    );
    server.announce()?;
    let stats = stats::handler(server.ledger());
    server.run(router.get("/stats", stats))
}

/// `--relay UPSTREAM DELAY_MS`: a relay on a free port, announced like a server.
pub fn relay(args: &[String]) -> Result<(), Box<dyn Error>> {
    let [upstream, delay_ms] = args else {
        return Err("usage: --relay UPSTREAM DELAY_MS".into());
    };
    let faults = Faults {
        delay: Duration::from_millis(delay_ms.parse()?),
        ..Faults::default()
    };
    let relay = Relay::start(upstream.parse()?, faults)?;
    println!("listening on http://{}", relay.addr());
    loop {
        std::thread::park();
    }
}

/// What a server's `/stats` says, the parts the report uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct ServerStats {
    pub cpu_ms: u64,
    pub threads: u64,
    /// Open connections counted as the technique's transport.
    pub open: u64,
    /// Voluntary context switches of the server's threads alive now.
    pub switches: u64,
    pub rss_kib: u64,
}

/// Reads `/stats` of the server at `addr` (on a connection of its own, which the server
/// counts as `other`); for `a,b,c`, of each of them, summed (`--stats-from`: several
/// servers behind one balancer, lesson 10).
pub fn server_stats(addr: &str, transport: Transport) -> Result<ServerStats, Box<dyn Error>> {
    let mut sum = ServerStats::default();
    for one in addr.split(',') {
        let s = one_server_stats(one.trim(), transport)?;
        sum.cpu_ms += s.cpu_ms;
        sum.threads += s.threads;
        sum.open += s.open;
        sum.switches += s.switches;
        sum.rss_kib += s.rss_kib;
    }
    Ok(sum)
}

fn one_server_stats(addr: &str, transport: Transport) -> Result<ServerStats, Box<dyn Error>> {
    let mut http = HttpClient::connect(addr, Duration::from_secs(10), Meter::none())?;
    let json = http.get("/stats", &[])?.text();
    let number = |within: &str, name: &str| -> u64 {
        within
            .split_once(&format!("\"{name}\":"))
            .and_then(|(_, rest)| {
                let end = rest
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(rest.len());
                rest[..end].parse().ok()
            })
            .unwrap_or(0)
    };
    let section = json
        .split_once(&format!("\"{}\":{{", transport.name()))
        .map_or("", |(_, rest)| rest);
    Ok(ServerStats {
        cpu_ms: number(&json, "cpu_user_ms") + number(&json, "cpu_system_ms"),
        threads: number(&json, "threads"),
        open: number(section, "open"),
        switches: number(&json, "voluntary_context_switches"),
        rss_kib: number(&json, "rss_kib"),
    })
}

/// The CPU time, in ms, of the children of process `master` (nginx's workers), from
/// `/proc/PID/stat`: `../shared/bench`-style tools would measure the master, which only
/// holds the listening socket.
pub fn children_cpu_ms(master: u32) -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .flatten()
        .filter_map(|entry| std::fs::read_to_string(entry.path().join("stat")).ok())
        .filter_map(|stat| {
            let after = &stat[stat.rfind(')')? + 1..];
            let fields: Vec<&str> = after.split_whitespace().collect();
            // Field 4 is the parent's PID, 14 and 15 the user and system ticks.
            let parent: u32 = fields.get(1)?.parse().ok()?;
            let ticks: u64 =
                fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
            (parent == master).then_some(ticks * 10)
        })
        .sum()
}

/// The generator's own CPU time, in ms, from `/proc/self/stat`.
pub fn own_cpu_ms() -> u64 {
    realtime::stats::process_stats().map_or(0, |p| p.cpu_user_ms + p.cpu_system_ms)
}
