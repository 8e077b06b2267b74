//! One cell of the table: publish at one rate to every server at once, wait for every
//! client to have every event, and turn what changed into figures per delivered event.
//!
//! Every figure is a difference between a reading before the cell and one after it: the
//! clients' own ledger (bytes they sent and read, requests they made, handshakes and
//! heartbeats included), the server's `/stats` (CPU time), and the events each client
//! noted (latency, lost, repeated). A lost event is one a client never got; a repeated
//! one, one it got twice. Both must be 0.

use std::collections::HashSet;
use std::error::Error;
use std::sync::{Arc, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use realtime::http::client::HttpClient;
use realtime::ledger::{Meter, Snapshot, Transport};

use crate::clients::{Group, Technique, now_us};
use crate::servers::{ServerStats, children_cpu_ms, own_cpu_ms, server_stats};

/// How long the clients get, after the last publish, to have every event.
const DRAIN: Duration = Duration::from_secs(4);

/// One technique at one rate.
#[derive(Debug, Clone)]
pub struct Row {
    pub technique: Technique,
    pub delay_ms: u64,
    pub rate: f64,
    pub clients: usize,
    pub published: usize,
    /// (client, event) pairs delivered, each counted once.
    pub delivered: u64,
    pub lost: u64,
    pub dup: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Bytes from server to client, per delivered event.
    pub down_per_event: f64,
    /// Bytes from client to server, per delivered event.
    pub up_per_event: f64,
    pub requests_per_event: f64,
    /// HTTP requests the clients made in the cell (a WebSocket handshake counts one).
    pub requests: u64,
    pub server_threads: u64,
    pub server_connections: u64,
    /// Server CPU time per delivered event, µs (10 ms resolution over the cell).
    pub server_us_per_event: f64,
    /// The server's voluntary context switches per delivered event.
    pub server_switches_per_event: f64,
    /// The server's resident memory per client: its growth since before the clients
    /// connected, divided by their number (KiB).
    pub server_kib_per_client: f64,
    /// The generator's CPU over the cell, % of one core (all techniques together).
    pub generator_cpu_pct: f64,
    /// A proxy's CPU (`--proxy-pid`: its workers) per delivered event, µs; 0 without.
    pub proxy_us_per_event: f64,
}

/// The newest id of the server at `addr`: the `last_id` of `GET /poll?since=0`, which is
/// the last field of the answer. (Not a cursor far ahead, which a lesson 10 server, a copy
/// of a shared log, would wait for.)
pub fn last_id(addr: &str) -> Option<u64> {
    let mut http = HttpClient::connect(addr, Duration::from_secs(5), Meter::none()).ok()?;
    let json = http.get("/poll?since=0", &[]).ok()?.text();
    let rest = json.rsplit_once("\"last_id\":")?.1;
    rest[..rest.find(|c: char| !c.is_ascii_digit())?]
        .parse()
        .ok()
}

/// A reading of one group's ledger and its server's `/stats`: the start of a cell.
pub type Reading = (Snapshot, ServerStats);

/// The reading before a group's first cell: taken before its clients connect, so that
/// connecting (handshakes, the first requests) counts in the first cell.
pub fn baseline(server: &str, technique: Technique) -> Result<Reading, Box<dyn Error>> {
    Ok((
        Snapshot::default(),
        server_stats(server, technique.transport())?,
    ))
}

/// What one cell runs at.
#[derive(Debug, Clone, Copy)]
pub struct CellAt<'a> {
    /// Events per second, and how many.
    pub rate: f64,
    pub events: usize,
    /// The relay's delay each way.
    pub delay_ms: u64,
    /// A proxy's master PID, to read its workers' CPU.
    pub proxy: Option<u32>,
    /// Where to read `/stats` instead of the target (`--stats-from a,b,c`).
    pub stats: Option<&'a str>,
}

/// Publishes `at.events` events at `at.rate` to each server (one thread each, all at once) and
/// measures each group of clients from its reading in `readings`, which it then moves to
/// the end of this cell.
pub fn cell(
    groups: &[Arc<Group>],
    servers: &[&str],
    starts: &[Reading],
    readings: &mut [Reading],
    at: CellAt<'_>,
) -> Result<Vec<Row>, Box<dyn Error>> {
    let (cpu_before, started) = (own_cpu_ms(), Instant::now());
    let CellAt {
        rate,
        events,
        delay_ms,
        proxy,
        ..
    } = at;
    let proxy_before = proxy.map_or(0, children_cpu_ms);
    let publishers: Vec<_> = servers
        .iter()
        .map(|&addr| {
            let addr = addr.to_owned();
            thread::spawn(move || publish(&addr, rate, events))
        })
        .collect();
    let mut ids = Vec::new();
    for publisher in publishers {
        ids.push(publisher.join().map_err(|_| "a publisher panicked")??);
    }
    let during: Vec<ServerStats> = groups
        .iter()
        .zip(servers)
        .map(|(g, s)| server_stats(at.stats.unwrap_or(s), g.technique.transport()))
        .collect::<Result<_, _>>()?;
    let deadline = Instant::now() + DRAIN;
    while Instant::now() < deadline
        && !groups
            .iter()
            .zip(&ids)
            .all(|(g, ids)| g.all_have(*ids.last().unwrap_or(&0)))
    {
        thread::sleep(Duration::from_millis(10));
    }
    let generator_cpu_pct =
        (own_cpu_ms() - cpu_before) as f64 / started.elapsed().as_millis().max(1) as f64 * 100.0;
    let proxy_ms = proxy
        .map_or(0, children_cpu_ms)
        .saturating_sub(proxy_before);
    let mut rows = Vec::new();
    for (i, group) in groups.iter().enumerate() {
        let transport = group.technique.transport();
        let after = (
            group.ledger.snapshot(Transport::Other),
            server_stats(at.stats.unwrap_or(servers[i]), transport)?,
        );
        let mut row = figures(group, &ids[i], &readings[i], &after, &during[i]);
        let grown = during[i].rss_kib.saturating_sub(starts[i].1.rss_kib);
        row.server_kib_per_client = grown as f64 / group.clients.len().max(1) as f64;
        (row.rate, row.delay_ms, row.generator_cpu_pct) = (rate, delay_ms, generator_cpu_pct);
        // With one group (one technique a pass, as with --target) it is that group's.
        row.proxy_us_per_event = (proxy_ms * 1000) as f64 / row.delivered.max(1) as f64;
        rows.push(row);
        readings[i] = after;
    }
    Ok(rows)
}

/// Publishes `events` events at `rate` on one keep-alive connection; returns their ids.
fn publish(addr: &str, rate: f64, events: usize) -> Result<Vec<u64>, String> {
    let mut http = HttpClient::connect(addr, Duration::from_secs(10), Meter::none())
        .map_err(|e| e.to_string())?;
    let start = Instant::now();
    let mut ids = Vec::with_capacity(events);
    for seq in 0..events {
        let due = start + Duration::from_secs_f64(seq as f64 / rate);
        thread::sleep(due.saturating_duration_since(Instant::now()));
        let body = format!("ev {seq} t={}", now_us());
        let answer = http
            .post("/publish", body.as_bytes())
            .map_err(|e| e.to_string())?;
        let text = answer.text();
        let id = text
            .trim_start_matches("{\"id\":")
            .trim_end_matches('}')
            .parse()
            .map_err(|_| format!("publish answered {} {text}", answer.status))?;
        ids.push(id);
    }
    Ok(ids)
}

fn figures(
    group: &Group,
    ids: &[u64],
    before: &(Snapshot, ServerStats),
    after: &(Snapshot, ServerStats),
    during: &ServerStats,
) -> Row {
    let wanted: HashSet<u64> = ids.iter().copied().collect();
    let (mut delivered, mut lost, mut dup, mut latencies) = (0, 0, 0, Vec::new());
    for client in &group.clients {
        let arrivals = client
            .arrivals
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut got = HashSet::new();
        for arrival in arrivals.iter().filter(|a| wanted.contains(&a.id)) {
            if got.insert(arrival.id) {
                latencies.push(arrival.latency_us);
            } else {
                dup += 1;
            }
        }
        delivered += got.len() as u64;
        lost += (wanted.len() - got.len()) as u64;
    }
    latencies.sort_unstable();
    let per_event = |n: u64| n as f64 / delivered.max(1) as f64;
    let (client_before, client_after) = (&before.0, &after.0);
    Row {
        technique: group.technique,
        delay_ms: 0,
        rate: 0.0,
        clients: group.clients.len(),
        published: ids.len(),
        delivered,
        lost,
        dup,
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
        max_ms: latencies.last().map_or(0.0, |&us| us as f64 / 1000.0),
        down_per_event: per_event(client_after.bytes_read - client_before.bytes_read),
        up_per_event: per_event(client_after.bytes_written - client_before.bytes_written),
        requests_per_event: per_event(client_after.requests - client_before.requests),
        requests: client_after.requests - client_before.requests,
        server_threads: during.threads,
        server_connections: during.open,
        server_us_per_event: per_event((after.1.cpu_ms - before.1.cpu_ms) * 1000),
        server_switches_per_event: per_event(after.1.switches.saturating_sub(before.1.switches)),
        server_kib_per_client: 0.0,
        generator_cpu_pct: 0.0,
        proxy_us_per_event: 0.0,
    }
}

/// The `q` quantile of sorted microseconds, in milliseconds (nearest rank).
fn percentile(sorted_us: &[u64], q: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted_us.len() as f64).ceil() as usize).clamp(1, sorted_us.len());
    sorted_us[rank - 1] as f64 / 1000.0
}
