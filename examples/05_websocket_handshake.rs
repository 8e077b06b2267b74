//! Lesson 5 lab sheet: the opening handshake, printed as it happens, then an echo.
//!
//! Run it:
//!
//! ```text
//! cargo run --example 05_websocket_handshake         # listening on http://127.0.0.1:8085
//! ```
//!
//! Poke it (the key is RFC 6455's own sample, so the accept value can be checked by hand):
//!
//! ```text
//! curl -i -N -H 'Connection: Upgrade' -H 'Upgrade: websocket' \
//!      -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' -H 'Sec-WebSocket-Version: 13' \
//!      http://127.0.0.1:8085/ws/echo                          # 101, then frames (Ctrl-C)
//! curl -i -H 'Connection: Upgrade' -H 'Upgrade: websocket' \
//!      -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' -H 'Sec-WebSocket-Version: 8' \
//!      http://127.0.0.1:8085/ws/echo                          # 426 and the version to use
//! printf '%s' 'dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11' \
//!      | openssl sha1 -binary | base64                        # s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
//! ```
//!
//! Open http://127.0.0.1:8085 for the page: it connects, and this example prints the
//! browser's request and the answer on stderr. Read alongside:
//! `src/websocket/handshake.rs`, `src/websocket/client.rs`.

use std::error::Error;

use realtime::http::request::Version;
use realtime::http::{Request, Router, Server};
use realtime::options::Options;
use realtime::pages;
use realtime::stats;
use realtime::websocket::endpoints;

fn main() -> Result<(), Box<dyn Error>> {
    let options = Options::from_env("127.0.0.1:8085");
    let echo = endpoints::echo(options.websocket(), options.handshake());
    let router = pages::shared_assets(Router::new())
        .get(
            "/",
            pages::html(include_str!("pages/05_websocket_handshake.html")),
        )
        .get("/ws/echo", move |request: &Request| {
            print_request(request);
            let answer = echo(request);
            eprintln!("→ HTTP/1.1 {}", answer.head().status);
            for (name, value) in &answer.head().fields {
                eprintln!("→ {name}: {value}");
            }
            eprintln!();
            answer
        });
    let server = Server::bind(&options.addr, options.server_config())?;
    server.announce()?;
    // Every server answers GET /stats: its ledger (lesson 8).
    let stats = stats::handler(server.ledger());
    server.run(router.get("/stats", stats))
}

/// The request head as it arrived, field by field.
fn print_request(request: &Request) {
    let version = match request.version {
        Version::Http10 => "HTTP/1.0",
        Version::Http11 => "HTTP/1.1",
    };
    eprintln!("← {} {} {version}", request.method, request.target);
    for field in &request.fields {
        eprintln!(
            "← {}: {}",
            field.name,
            String::from_utf8_lossy(&field.value)
        );
    }
}
