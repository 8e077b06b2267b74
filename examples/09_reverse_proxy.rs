//! Lesson 9 lab sheet: the playground behind a real nginx.
//!
//! Run it (Debian's nginx: `sudo apt-get install nginx`; the example starts its own, in a
//! folder of its own, on loopback, and stops it when it ends):
//!
//! ```text
//! cargo run --example 09_reverse_proxy                          # listening on http://127.0.0.1:8089
//! cargo run --example 09_reverse_proxy -- --config buffered     # or no-upgrade, http10, short-timeout
//! ```
//!
//! Open http://127.0.0.1:8089 (through nginx) and https://127.0.0.1:8449 (TLS and HTTP/2
//! at nginx, a self-signed certificate made with `openssl`; accept it once). The server
//! itself listens on a free port, printed on stderr. The configs are files:
//! `examples/nginx/base.conf` (what all share) and one site config each, every directive
//! commented: `good.conf`, `buffered.conf`, `no-upgrade.conf`, `http10.conf`,
//! `short-timeout.conf`. Poke it:
//!
//! ```text
//! curl -N http://127.0.0.1:8089/events                           # the stream, through nginx
//! curl -i -H 'Connection: Upgrade' -H 'Upgrade: websocket' \
//!      -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' -H 'Sec-WebSocket-Version: 13' \
//!      http://127.0.0.1:8089/ws/echo                             # 101 through good, 400 through no-upgrade
//! curl -i 'http://127.0.0.1:8089/long-poll?timeout_ms=10000'     # 504 through short-timeout
//! curl -kN --http2 https://127.0.0.1:8449/events                 # the stream over HTTP/2
//! ```
//!
//! The playground's options (`--tick-ms`, `--heartbeat-ms`, `--max-stream-ms`, …) go to the
//! server; `--config NAME` and `--addr 127.0.0.1:PORT` (nginx's port) are this example's.
//! Read alongside: `examples/nginx/*.conf`, `examples/support/nginx.rs`.

#[path = "support/nginx.rs"]
mod nginx;

use std::error::Error;
use std::sync::Arc;

use realtime::http::Server;
use realtime::options::Options;
use realtime::{playground, stats, ticker};

/// nginx's plain and TLS ports when free; 0 picks any.
const PORT: u16 = 8089;
const TLS_PORT: u16 = 8449;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let config = take_value(&mut args, "--config").unwrap_or_else(|| "good".into());
    let port = match take_value(&mut args, "--addr") {
        Some(addr) => addr.rsplit(':').next().unwrap_or("0").parse()?,
        None => PORT,
    };
    let options = Options::from_args("127.0.0.1:0", args);
    let (log, publish) = options.event_log();
    ticker::spawn(Arc::clone(&publish), options.tick);
    let server = Server::bind(&options.addr, options.server_config())?;
    let stats = stats::handler(server.ledger());
    let router = playground::router_publishing(
        log,
        publish,
        options.stream_options(),
        options.websocket(),
        options.handshake(),
        options.breaks,
    );
    let upstream = server.spawn(router.get("/stats", stats))?.to_string();
    let proxy =
        match nginx::Nginx::start_on(&config, std::slice::from_ref(&upstream), port, TLS_PORT) {
            Ok(proxy) => proxy,
            Err(e) => return Err(format!("09_reverse_proxy: {e}").into()),
        };
    println!("listening on {}", proxy.http);
    eprintln!(
        "nginx (config {config}, PID {}) → the server on http://{upstream}",
        proxy.pid
    );
    if let Some(tls) = &proxy.tls {
        eprintln!("TLS and HTTP/2 on https://{tls} (self-signed: accept the certificate)");
    }
    eprintln!(
        "nginx's folder: {} (site.conf, error.log, access.log)",
        proxy.dir.display()
    );
    loop {
        std::thread::park();
    }
}

/// Removes `--flag VALUE` from `args` and returns VALUE.
fn take_value(args: &mut Vec<String>, flag: &str) -> Option<String> {
    let at = args.iter().position(|a| a == flag)?;
    args.remove(at);
    (at < args.len()).then(|| args.remove(at))
}
