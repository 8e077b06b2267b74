//! `cargo run`: the playground. Serves the page and every endpoint of the contract
//! (LESSONS.md, Appendix: the wire contract) over one event log fed by a stock ticker; open
//! http://127.0.0.1:8080 and watch the four panels (short polling, long polling,
//! Server-Sent Events, WebSocket) and the comparison beside them. LESSONS.md, "The
//! playground", says what each counter means. `cargo run -- --help` lists the options,
//! and the `--break` names that run a lesson's wrong way on purpose.

use std::error::Error;
use std::sync::Arc;

use realtime::http::Server;
use realtime::options::Options;
use realtime::stats;
use realtime::{playground, ticker};

fn main() -> Result<(), Box<dyn Error>> {
    let options = Options::from_env("127.0.0.1:8080");
    // With --redis, `log` is a copy of the shared stream and `publish` goes to Redis.
    let (log, publish) = options.event_log();
    ticker::spawn(Arc::clone(&publish), options.tick);
    let server = Server::bind(&options.addr, options.server_config())?;
    server.announce()?;
    let router = playground::router_publishing(
        log,
        publish,
        options.stream_options(),
        options.websocket(),
        options.handshake(),
        options.breaks,
    );
    // Every server answers GET /stats: its ledger (lesson 8).
    let stats = stats::handler(server.ledger());
    server.run(router.get("/stats", stats))
}
