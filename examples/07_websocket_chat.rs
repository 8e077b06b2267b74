//! Lesson 7 lab sheet: a chat room over one WebSocket per tab.
//!
//! Run it:
//!
//! ```text
//! cargo run --example 07_websocket_chat              # listening on http://127.0.0.1:8087
//! ```
//!
//! Poke it:
//!
//! ```text
//! open http://127.0.0.1:8087 in two tabs                      # type in one, read in both
//! cargo run --example 07_websocket_client -- ws://127.0.0.1:8087/ws     # join from a terminal
//! curl -d 'server: hello room' http://127.0.0.1:8087/publish           # appears everywhere
//! curl 'http://127.0.0.1:8087/poll?since=0'                            # the history as JSON
//! ```
//!
//! Every message a tab sends is one event of the log; every tab gets every event as
//! `{"id":N,"data":"..."}`, and a tab that joins late gets the history first (`/ws?since=0`).
//! Add `--trace` to see each frame, and `--ping-ms 2000` to watch the server's pings.
//! Read alongside: `src/websocket/socket.rs`, `reader.rs`, `message.rs`, `utf8.rs`,
//! `liveness.rs`, `closing.rs`, `writer.rs`, `broadcast.rs`, `endpoints.rs`.

use std::error::Error;
use std::sync::Arc;

use realtime::http::{Router, Server};
use realtime::options::Options;
use realtime::stats;
use realtime::websocket::endpoints;
use realtime::{pages, poll, publish};

fn main() -> Result<(), Box<dyn Error>> {
    let options = Options::from_env("127.0.0.1:8087");
    // A chat has no ticker: the log holds what people said (`--tick-ms` is ignored).
    let (log, publish) = options.event_log(); // publish: this log, or Redis with --redis
    let router = pages::shared_assets(Router::new())
        .get(
            "/",
            pages::html(include_str!("pages/07_websocket_chat.html")),
        )
        .post("/publish", publish::handler(Arc::clone(&publish)))
        .get("/poll", poll::handler(Arc::clone(&log)))
        .get(
            "/ws",
            endpoints::feed(
                Arc::clone(&log),
                publish,
                options.websocket(),
                options.handshake(),
            ),
        )
        .get(
            "/ws/echo",
            endpoints::echo(options.websocket(), options.handshake()),
        );
    let server = Server::bind(&options.addr, options.server_config())?;
    server.announce()?;
    // Every server answers GET /stats: its ledger (lesson 8).
    let stats = stats::handler(server.ledger());
    server.run(router.get("/stats", stats))
}
