//! Lesson 4 lab sheet: Server-Sent Events, the stock ticker and a server clock.
//!
//! Run it:
//!
//! ```text
//! cargo run --example 04_sse                   # listening on http://127.0.0.1:8084
//! cargo run --example 04_sse -- --break sse-buffer   # the wrong ways (Pitfalls);
//! cargo run --example 04_sse -- --break no-replay    # `--help` lists every break
//! ```
//!
//! Poke it:
//!
//! ```text
//! curl -N http://127.0.0.1:8084/events                          # the live stream; Ctrl-C to stop
//! curl -N -H 'Last-Event-ID: 5' http://127.0.0.1:8084/events    # resume after event 5
//! curl -N http://127.0.0.1:8084/events/typed                    # the same, with `event: ACME` …
//! curl -N http://127.0.0.1:8084/clock                           # the server's time, every second
//! curl -d 'hello' http://127.0.0.1:8084/publish                 # appears on every open stream
//! cargo run --example 04_sse_client -- http://127.0.0.1:8084/events   # a terminal EventSource
//! ```
//!
//! Open http://127.0.0.1:8084 for the page; stop this example (Ctrl-C) and start it again
//! while the page is open: it reconnects by itself and resumes, since `--journal` (default
//! `04_sse.journal` in the system's temp directory) keeps the log across restarts.
//! http://127.0.0.1:8084/seven shows the browser's six-connections-per-origin limit.
//! `cargo run --example 04_sse_clock` is the clock as the sources wrote it (port 4000, JSON,
//! no ids, a client on another origin); its lab sheet compares it with `/clock`.
//! Read alongside: `src/sse/mod.rs`, `encode.rs`, `stream.rs`, `hub.rs`, `parse.rs`, then
//! `src/fanout.rs`, `src/outbox.rs`, `src/journal.rs`.

use std::error::Error;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use realtime::event_log::EventLog;
use realtime::http::{Router, Server};
use realtime::options::Options;
use realtime::sse::{self, StreamOptions};
use realtime::stats;
use realtime::{journal, pages, publish, ticker};

fn main() -> Result<(), Box<dyn Error>> {
    let options = Options::from_env("127.0.0.1:8084");
    let (log, publish) = options.event_log(); // publish: this log, or Redis with --redis
    if options.redis.is_none() {
        // A shared log in Redis outlives the server by itself: no journal then.
        let journal = options
            .journal
            .clone()
            .unwrap_or_else(|| std::env::temp_dir().join("04_sse.journal"));
        let restored = journal::restore(&log, &journal)?;
        eprintln!("journal {}: {restored} events restored", journal.display());
    }
    ticker::spawn(Arc::clone(&publish), options.tick);

    let plain = options.stream_options();
    let typed = StreamOptions {
        event_type: Some(ticker::symbol_of),
        ..plain
    };
    let clock = StreamOptions {
        event_type: Some(|_| Some("clock")),
        ..plain
    };
    let router = pages::shared_assets(Router::new())
        .get("/", pages::html(include_str!("pages/04_sse.html")))
        .get("/seven", pages::html(include_str!("pages/04_seven.html")))
        .post("/publish", publish::handler(publish))
        .get("/events", sse::handler(Arc::clone(&log), plain))
        .get("/events/typed", sse::handler(log, typed))
        .get("/clock", sse::handler(spawn_clock(), clock));
    let server = Server::bind(&options.addr, options.server_config())?;
    server.announce()?;
    // Every server answers GET /stats: its ledger (lesson 8).
    let stats = stats::handler(server.ledger());
    server.run(router.get("/stats", stats))
}

/// A log of its own that gets the time of day (UTC, `HH:MM:SS`) every second.
fn spawn_clock() -> Arc<EventLog> {
    let clock = Arc::new(EventLog::new(1));
    let writer = Arc::clone(&clock);
    thread::spawn(move || {
        loop {
            let secs = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            writer.publish(format!(
                "{:02}:{:02}:{:02}",
                secs / 3600 % 24,
                secs / 60 % 60,
                secs % 60
            ));
            thread::sleep(Duration::from_secs(1));
        }
    });
    clock
}
