//! Lesson 4 lab sheet: a terminal `EventSource`, built on the crate's event-stream parser.
//!
//! Run it (with `cargo run --example 04_sse` in another terminal):
//!
//! ```text
//! cargo run --example 04_sse_client -- http://127.0.0.1:8084/events
//! ```
//!
//! It does what a browser does: one `GET` with `Accept: text/event-stream`, the body fed
//! to [`realtime::sse::parse::Parser`] as it arrives, each dispatched event printed. When
//! the connection drops (stop the server, start it again) it waits the reconnection time
//! the stream asked for with `retry:` and reconnects with `Last-Event-ID`, so the server
//! resumes after the last event printed. A status other than `200`, or another
//! `Content-Type`, ends it for good, as it would an `EventSource`.
//! Read alongside: `src/sse/parse.rs`.

use std::error::Error;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use realtime::sse::parse::Parser;

/// The reconnection time until the stream sends `retry:`; browsers use a few seconds too.
const DEFAULT_RECONNECT: Duration = Duration::from_secs(3);

fn main() -> Result<(), Box<dyn Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8084/events".into());
    let rest = url
        .strip_prefix("http://")
        .ok_or("the URL must start with http://")?;
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let (mut last_event_id, mut reconnect) = (String::new(), DEFAULT_RECONNECT);
    loop {
        match stream_once(host, &path, &mut last_event_id, &mut reconnect) {
            Ok(()) => eprintln!("-- the server closed the stream"),
            Err(Failure::Fatal(why)) => return Err(why.into()),
            Err(Failure::Dropped(why)) => eprintln!("-- connection lost: {why}"),
        }
        eprintln!(
            "-- reconnecting in {} ms with Last-Event-ID: {last_event_id:?}",
            reconnect.as_millis()
        );
        thread::sleep(reconnect);
    }
}

enum Failure {
    /// Not an event stream: give up, as `EventSource` "fails the connection".
    Fatal(String),
    /// The network: reconnect.
    Dropped(String),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Dropped(e.to_string())
    }
}

/// One connection: request, head, then events until the stream ends.
fn stream_once(
    host: &str,
    path: &str,
    last_event_id: &mut String,
    reconnect: &mut Duration,
) -> Result<(), Failure> {
    let mut stream = TcpStream::connect(host)?;
    let mut request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\nCache-Control: no-store\r\n"
    );
    if !last_event_id.is_empty() {
        request.push_str(&format!("Last-Event-ID: {last_event_id}\r\n"));
    }
    stream.write_all(format!("{request}\r\n").as_bytes())?;
    let body_start = read_head(&mut stream)?;
    eprintln!("-- connected to {host}{path}");
    let mut parser = Parser::resuming(last_event_id);
    let mut chunk = body_start;
    loop {
        for event in parser.feed(&chunk) {
            println!(
                "[{}] {}: {}",
                event.last_event_id, event.event_type, event.data
            );
        }
        last_event_id.clone_from(&parser.last_event_id().to_owned());
        if let Some(ms) = parser.reconnection_time_ms() {
            *reconnect = Duration::from_millis(ms);
        }
        chunk.resize(4096, 0);
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        chunk.truncate(n);
    }
}

/// Reads the response head; returns the body bytes that came with it.
fn read_head(stream: &mut TcpStream) -> Result<Vec<u8>, Failure> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(Failure::Dropped("closed before the head".into()));
        }
        buf.extend_from_slice(&chunk[..n]);
        let mut fields = [httparse::EMPTY_HEADER; 32];
        let mut head = httparse::Response::new(&mut fields);
        match head.parse(&buf) {
            Ok(httparse::Status::Partial) => continue,
            Err(e) => return Err(Failure::Fatal(format!("not HTTP: {e}"))),
            Ok(httparse::Status::Complete(len)) => {
                let event_stream = head.headers.iter().any(|f| {
                    f.name.eq_ignore_ascii_case("content-type")
                        && f.value.starts_with(b"text/event-stream")
                });
                return match head.code {
                    Some(200) if event_stream => Ok(buf[len..].to_vec()),
                    code => Err(Failure::Fatal(format!(
                        "status {code:?}, not an event stream"
                    ))),
                };
            }
        }
    }
}
