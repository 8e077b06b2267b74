//! Lesson 3 lab sheet: long polling, a request the server holds until there is news.
//!
//! Run it:
//!
//! ```text
//! cargo run --example 03_long_polling          # listening on http://127.0.0.1:8083
//! cargo run --example 03_long_polling -- --break no-cursor    # the wrong ways (Pitfalls);
//! cargo run --example 03_long_polling -- --break fixed-pool   # `--help` lists every break
//! ```
//!
//! Poke it (two terminals):
//!
//! ```text
//! time curl 'http://127.0.0.1:8083/long-poll?since=N&timeout_ms=10000'   # waits…
//! curl -d 'wake up' http://127.0.0.1:8083/publish                         # …and this answers it
//! time curl 'http://127.0.0.1:8083/long-poll?since=N&timeout_ms=2000'    # nothing new: "events":[] after 2 s
//! ```
//!
//! Use the `last_id` of `curl http://127.0.0.1:8083/long-poll?timeout_ms=0` as N. Open
//! http://127.0.0.1:8083 to see a page that always keeps one request parked. Add
//! `--tick-ms 0` to stop the ticker. Read alongside: `src/long_poll.rs`,
//! `src/event_log.rs` (`wait_since`), `src/http/server.rs` (why a thread per connection).

use std::error::Error;
use std::sync::Arc;

use realtime::http::{Router, Server};
use realtime::options::Options;
use realtime::stats;
use realtime::{long_poll, pages, publish, ticker};

fn main() -> Result<(), Box<dyn Error>> {
    let options = Options::from_env("127.0.0.1:8083");
    let (log, publish) = options.event_log(); // publish: this log, or Redis with --redis
    ticker::spawn(Arc::clone(&publish), options.tick);
    let router = pages::shared_assets(Router::new())
        .get("/", pages::html(include_str!("pages/03_long_polling.html")))
        .post("/publish", publish::handler(publish))
        .get("/long-poll", long_poll::handler(log, options.breaks));
    let server = Server::bind(&options.addr, options.server_config())?;
    server.announce()?;
    // Every server answers GET /stats: its ledger (lesson 8).
    let stats = stats::handler(server.ledger());
    server.run(router.get("/stats", stats))
}
