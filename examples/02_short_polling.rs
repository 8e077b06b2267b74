//! Lesson 2 lab sheet: short polling over one event log.
//!
//! Run it:
//!
//! ```text
//! cargo run --example 02_short_polling         # listening on http://127.0.0.1:8082
//! ```
//!
//! Poke it:
//!
//! ```text
//! curl -d 'hello' http://127.0.0.1:8082/publish                  # {"id":N}
//! curl -i 'http://127.0.0.1:8082/poll?since=0'                   # every event so far, ETag: "N"
//! curl -i -H 'If-None-Match: "N"' 'http://127.0.0.1:8082/poll?since=N'   # 304 while nothing is new
//! ```
//!
//! Open http://127.0.0.1:8082 to watch a page poll every second, with counters for the
//! requests, the empty answers and the bytes. Add `--tick-ms 0` to stop the ticker.
//! Read alongside: `src/event_log.rs`, `src/publish.rs`, `src/poll.rs`.

use std::error::Error;
use std::sync::Arc;

use realtime::http::{Router, Server};
use realtime::options::Options;
use realtime::stats;
use realtime::{pages, poll, publish, ticker};

fn main() -> Result<(), Box<dyn Error>> {
    let options = Options::from_env("127.0.0.1:8082");
    let (log, publish) = options.event_log(); // publish: this log, or Redis with --redis
    ticker::spawn(Arc::clone(&publish), options.tick);
    let router = pages::shared_assets(Router::new())
        .get(
            "/",
            pages::html(include_str!("pages/02_short_polling.html")),
        )
        .post("/publish", publish::handler(publish))
        .get("/poll", poll::handler(log));
    let server = Server::bind(&options.addr, options.server_config())?;
    server.announce()?;
    // Every server answers GET /stats: its ledger (lesson 8).
    let stats = stats::handler(server.ledger());
    server.run(router.get("/stats", stats))
}
