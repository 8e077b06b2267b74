//! Lesson 8 lab sheet: the four techniques measured side by side, at several event rates.
//!
//! Run it (the release build: the generator must not be what it measures):
//!
//! ```text
//! cargo run --release --example 08_compare              # about 90 s: D = 0 and 25 ms, rates 1, 10, 100
//! cargo run --release --example 08_compare -- --quick   # about 20 s: D = 0, rates 1 and 10, 20 clients
//! cargo run --release --example 08_compare -- --full    # adds 0.2 and 1000 events/s (minutes)
//! ```
//!
//! It starts one server per technique (this example again, with `--serve`), `--clients`
//! clients per technique (default 100), and publishes `ev SEQ t=MICROS` events at each
//! rate of `--rates` to every server at once. It prints a table per technique and rate
//! (delivery latency p50/p99/max, bytes per delivered event both ways, HTTP requests per
//! event, the server's threads, connections and CPU per event, lost and repeated
//! events), writes `target/08_compare/results.csv` and `chart.svg` (`--out DIR`), and
//! serves its page on http://127.0.0.1:8088 (`--addr`; `--no-page` for none) with the
//! results and the run's progress over SSE. `--delay-ms 0,25` lists the relay delays:
//! loopback has no round trip, so a relay adds D ms each way. `--target HOST:PORT`
//! measures a running server instead (a proxy, lessons 9 and 10), one technique after
//! another; `--techniques sse,ws` picks some.
//!
//! Read alongside: `src/ledger.rs`, `src/stats.rs`, `src/http/client.rs`,
//! `src/relay.rs`, and this folder's `clients.rs`, `measure.rs`.

mod chart;
mod clients;
mod measure;
mod page;
mod plan;
mod report;
mod servers;
mod technique;

use std::error::Error;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use clients::{Group, Technique};
use measure::Row;
use page::Page;
use plan::Plan;
use servers::Process;

/// How long the clients may take to connect.
const CONNECT_WAIT: Duration = Duration::from_secs(20);
/// A moment for the last connections to be subscribed (a `/ws` socket is handed to the
/// broadcast thread just after its `101`; a long poll parks just after its request).
const SETTLE: Duration = Duration::from_millis(300);

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--serve") => return servers::serve(&args[1..]),
        Some("--relay") => return servers::relay(&args[1..]),
        _ => {}
    }
    let plan = Plan::parse(&args)?;
    clients::now_us(); // the events' clock starts now
    let page = plan.page_addr.as_deref().and_then(Page::start);
    let say = |text: String| page::say(page.as_ref(), text);
    let mut rows = Vec::new();
    for &delay in &plan.delays {
        let batches: Vec<Vec<Technique>> = match plan.target {
            None => vec![plan.techniques.clone()],
            Some(_) => plan.techniques.iter().map(|&t| vec![t]).collect(),
        };
        for techniques in batches {
            rows.extend(run_pass(&plan, &techniques, delay, &say)?);
            let results = report::csv(&rows);
            report::write_files(&plan.out, &results, &chart::svg(&rows))?;
            if let Some(page) = &page {
                page.show(&results, &chart::svg(&rows));
            }
        }
    }
    report::print_table(&rows);
    say(format!(
        "done: {} and {}",
        plan.out.join("results.csv").display(),
        plan.out.join("chart.svg").display()
    ));
    let (lost, dup): (u64, u64) = rows
        .iter()
        .fold((0, 0), |(l, d), r| (l + r.lost, d + r.dup));
    if lost + dup > 0 {
        return Err(format!("{lost} events lost and {dup} repeated: a bug to find").into());
    }
    if let Some(page) = page {
        eprintln!("results at http://{}  (Ctrl-C to stop)", page.addr());
        loop {
            thread::park();
        }
    }
    Ok(())
}

/// One pass: servers (and relays) for `techniques`, clients on them, then every rate.
fn run_pass(
    plan: &Plan,
    techniques: &[Technique],
    delay: u64,
    say: &dyn Fn(String),
) -> Result<Vec<Row>, Box<dyn Error>> {
    let mut processes = Vec::new();
    let mut targets = Vec::new(); // (server address, address clients use)
    for _ in techniques {
        let server = match &plan.target {
            Some(target) => target.clone(),
            None => {
                let child =
                    Process::spawn(&["--serve", "--addr", "127.0.0.1:0", "--tick-ms", "0"])?;
                let addr = child.addr.clone();
                processes.push(child);
                addr
            }
        };
        let client_side = match delay {
            0 => server.clone(),
            ms => {
                let relay = Process::spawn(&["--relay", &server, &ms.to_string()])?;
                let addr = relay.addr.clone();
                processes.push(relay);
                addr
            }
        };
        targets.push((server, client_side));
    }
    let mut readings = Vec::new();
    for (&technique, (server, _)) in techniques.iter().zip(&targets) {
        let stats = plan.stats_from.as_deref().unwrap_or(server);
        readings.push(measure::baseline(stats, technique)?);
    }
    let starts = readings.clone();
    let groups: Vec<Arc<Group>> = techniques
        .iter()
        .zip(&targets)
        .map(|(&t, (server, client_side))| {
            let since = measure::last_id(server).unwrap_or(0);
            Group::start(t, client_side, plan.clients, since)
        })
        .collect();
    let names: Vec<&str> = techniques.iter().map(|t| t.label()).collect();
    say(format!(
        "D = {delay} ms: {} clients each of {}: connecting",
        plan.clients,
        names.join(", ")
    ));
    let deadline = Instant::now() + CONNECT_WAIT;
    while !groups.iter().all(|g| g.all_ready()) {
        if Instant::now() > deadline {
            return Err("the clients did not all connect in time".into());
        }
        thread::sleep(Duration::from_millis(20));
    }
    thread::sleep(SETTLE);
    let mut rows = Vec::new();
    for &rate in &plan.rates {
        let events = plan.events_at(rate);
        say(format!(
            "D = {delay} ms, {rate} events/s: publishing {events} events"
        ));
        let servers: Vec<&str> = targets.iter().map(|(s, _)| s.as_str()).collect();
        let at = measure::CellAt {
            rate,
            events,
            delay_ms: delay,
            proxy: plan.proxy_pid,
            stats: plan.stats_from.as_deref(),
        };
        let cell = measure::cell(&groups, &servers, &starts, &mut readings, at)?;
        for row in &cell {
            say(report::progress_line(row));
        }
        rows.extend(cell);
    }
    for group in &groups {
        group.stop();
    }
    Ok(rows)
}
