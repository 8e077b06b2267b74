//! Lesson 1 lab sheet: a bare HTTP/1.1 server, hand-written on `std::net` threads.
//!
//! Run it:
//!
//! ```text
//! cargo run --example 01_http                  # listening on http://127.0.0.1:8081
//! cargo run --example 01_http -- --break fixed-pool   # the wrong way: 4 threads (Pitfalls)
//! ```
//!
//! Poke it:
//!
//! ```text
//! curl -v http://127.0.0.1:8081/hello                              # status line, fields, body
//! curl -v http://127.0.0.1:8081/hello --next http://127.0.0.1:8081/hello   # one connection, two requests
//! curl -d 'hi there' http://127.0.0.1:8081/echo                    # see your request as the server read it
//! printf 'GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | nc -q1 127.0.0.1 8081   # raw bytes
//! ```
//!
//! Open http://127.0.0.1:8081 for a page that sends a message to `/echo` and shows the
//! request your browser really sent. Read alongside: `src/http/mod.rs`, then
//! `connection.rs`, `request.rs`, `response.rs`, `reply.rs`, `router.rs`, `server.rs`.

use std::error::Error;

use realtime::http::request::Version;
use realtime::http::{Reply, Request, Response, Router, Server, Status};
use realtime::options::Options;
use realtime::pages;
use realtime::stats;

fn main() -> Result<(), Box<dyn Error>> {
    let options = Options::from_env("127.0.0.1:8081");
    let router = Router::new()
        .get("/", pages::html(include_str!("pages/01_http.html")))
        .get("/hello", |_: &Request| {
            Response::text(Status::OK, "hello, world\n").into()
        })
        .get("/echo", echo)
        .post("/echo", echo);
    let server = Server::bind(&options.addr, options.server_config())?;
    server.announce()?;
    // Every server answers GET /stats: its ledger (lesson 8).
    let stats = stats::handler(server.ledger());
    server.run(router.get("/stats", stats))
}

/// Answers with the request as the server parsed it: request line, field lines, the
/// empty line, then the body.
fn echo(request: &Request) -> Reply {
    let version = match request.version {
        Version::Http10 => "HTTP/1.0",
        Version::Http11 => "HTTP/1.1",
    };
    let mut text = format!("{} {} {version}\r\n", request.method, request.target);
    for field in &request.fields {
        text.push_str(&format!(
            "{}: {}\r\n",
            field.name,
            String::from_utf8_lossy(&field.value)
        ));
    }
    text.push_str("\r\n");
    text.push_str(&String::from_utf8_lossy(&request.body));
    Response::text(Status::OK, text)
        .with_field("Cache-Control", "no-store")
        .into()
}
