//! Lesson 6 lab sheet: the WebSocket echo, with every frame on stderr.
//!
//! Run it:
//!
//! ```text
//! cargo run --example 06_websocket_echo -- --trace     # listening on http://127.0.0.1:8086
//! cargo run --example 06_websocket_echo -- --break no-mask-check       # the wrong ways
//! cargo run --example 06_websocket_echo -- --break one-read-one-frame  # (Pitfalls; --help)
//! ```
//!
//! Poke it:
//!
//! ```text
//! open http://127.0.0.1:8086                            # the page: send text, binary, a ping
//! cargo run --example 07_websocket_client -- ws://127.0.0.1:8086/ws/echo
//! bash tests/autobahn/run.sh                             # the conformance suite, cases 1–10
//! ```
//!
//! With `--trace`, each frame is printed as it crosses the wire: the header bytes, FIN,
//! RSV, opcode, MASK, the length form and the masking key, then the payload masked and
//! unmasked. Read alongside: `src/websocket/frame.rs`, `mask.rs`, `close.rs`, `trace.rs`.

use std::error::Error;

use realtime::http::{Router, Server};
use realtime::options::Options;
use realtime::pages;
use realtime::stats;
use realtime::websocket::endpoints;

fn main() -> Result<(), Box<dyn Error>> {
    let options = Options::from_env("127.0.0.1:8086");
    let router = pages::shared_assets(Router::new())
        .get(
            "/",
            pages::html(include_str!("pages/06_websocket_echo.html")),
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
