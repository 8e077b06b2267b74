//! Lesson 4 lab sheet, second part: the server clock as the sources wrote it, a Node server
//! and a React client on another origin, rebuilt from this crate's pieces.
//!
//! The source's server answers `GET /events` with `text/event-stream` and writes
//! `data: {"time":"…"}` every 2 s, with no `id:` and no event type; its client, on another
//! origin, opens `new EventSource("http://localhost:4000/events")` and shows
//! `JSON.parse(event.data).time`. So this example listens on port 4000, the one example off
//! the 808x ports: the client names it.
//!
//! Run it:
//!
//! ```text
//! cargo run --example 04_sse_clock             # listening on http://127.0.0.1:4000
//! ```
//!
//! Poke it (real runs). `retry:` comes first, then the newest tick at once (it was already
//! in the log when the stream opened), then one event every 2 s, until Ctrl-C:
//!
//! ```text
//! $ curl -N http://127.0.0.1:4000/events
//! retry: 2000
//! data: {"time":"01:19:42"}
//!
//! data: {"time":"01:19:44"}
//!
//! data: {"time":"01:19:46"}
//!
//! data: {"time":"01:19:48"}
//!
//! data: {"time":"01:19:50"}
//!
//! ^C
//! ```
//!
//! With the head (`-i`). `Access-Control-Allow-Origin: *` is what lets a page of another
//! origin read the stream; `: keep-alive` is the hub's heartbeat, every 15 s
//! (`--heartbeat-ms`) whatever the events, so it can come at any point of a stream:
//!
//! ```text
//! $ curl -i -N http://127.0.0.1:4000/events
//! HTTP/1.1 200 OK
//! Date: Wed, 02 Dec 2026 01:19:57 GMT
//! Content-Type: text/event-stream
//! Cache-Control: no-store
//! X-Accel-Buffering: no
//! Access-Control-Allow-Origin: *
//! Connection: close
//!
//! retry: 2000
//! data: {"time":"01:19:56"}
//!
//! : keep-alive
//! data: {"time":"01:19:58"}
//!
//! ^C
//! ```
//!
//! `curl http://127.0.0.1:4000/stats` shows what the streams cost (lesson 8).
//!
//! The time is UTC, `HH:MM:SS`. The source wrote `new Date().toLocaleTimeString()`, the
//! locale-dependent format a browser shows (`11:21:54 PM` in en-US, `23:21:54` in de-DE), and
//! ran it in Node, so on the server, in that process's locale and time zone. A server cannot
//! know its reader's locale; this one sends one fixed format, the same everywhere.
//!
//! Beside the format, what differs from the source's server on the wire: `retry: 2000` first
//! (every stream of this crate starts so), the newest tick at once instead of after 2 s,
//! `: keep-alive` every 15 s, and `Connection: close` where the source sets `Connection:
//! keep-alive`: the body of an event stream here ends when the connection closes
//! (`src/sse/mod.rs` says why), so the connection is never reused, and `EventSource` needs
//! neither field.
//!
//! The client, as the source wrote it (a React component):
//!
//! ```js
//! const eventSource = new EventSource("http://localhost:4000/events");
//! eventSource.onmessage = (event) => {
//!   const data = JSON.parse(event.data);
//!   setTime(data.time);
//! };
//! eventSource.onerror = (error) => { console.error("Error:", error); };
//! ```
//!
//! Open http://127.0.0.1:4000 for a page that shows that code and runs it, as plain DOM
//! instead of React. To run it from *another origin*, as the source does, serve
//! `examples/pages/04_sse_clock_client.html` (the source's client, as it is) from any other
//! port and open it:
//!
//! ```text
//! mkdir -p /tmp/clock && cp examples/pages/04_sse_clock_client.html /tmp/clock/index.html
//! cd /tmp/clock && python3 -m http.server 8000     # then open http://localhost:8000
//! ```
//!
//! The page's origin is `http://localhost:8000`, the stream's `http://localhost:4000`: a
//! cross-origin request, which the browser lets the page read only because the answer says
//! `Access-Control-Allow-Origin: *` (every server here sends it on `GET`). Start the clock
//! with `--allow-origin none` and reload: the console says the answer was "blocked by CORS
//! policy", `onerror` logs `Error:` once, and the EventSource is closed for good (a CORS
//! failure is not retried).
//!
//! `localhost` and `127.0.0.1`: this server listens on 127.0.0.1 only, and Chromium
//! resolves `localhost` by itself (not from `/etc/hosts`) to `::1` and then `127.0.0.1`. Its
//! net log (`chromium --log-net-log=FILE`) shows `[::1]:4000` refused (`ECONNREFUSED`) and
//! `127.0.0.1:4000` connected in the same millisecond: the source's URL works as it is.
//! (Were something else listening on `[::1]:4000`, the browser would talk to that instead;
//! `--addr [::1]:4000` serves that address.)
//!
//! What differs from `04_sse`'s `/clock`: that stream names its events (`event: clock`),
//! carries the log's ids, ticks every second and sends plain `HH:MM:SS`; this one sends
//! unnamed `message` events of JSON, without ids ([`EventIds::Omitted`]), every 2 s. With
//! no id, a reconnecting browser sends no `Last-Event-ID`, and there is nothing to resume:
//! the log keeps one event, so every connection starts at the newest tick.
//!
//! Read alongside: `src/sse/encode.rs` (`StreamOptions`, `EventIds`, `encode_events`),
//! `src/sse/stream.rs` (the head and the resume cursor), `src/http/connection.rs`
//! (`allow_origin`), and `examples/04_sse.rs` (its `/clock`).

use std::error::Error;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use realtime::event_log::EventLog;
use realtime::http::{Router, Server};
use realtime::options::Options;
use realtime::sse::{self, EventIds, StreamOptions};
use realtime::{pages, stats};

/// The source's `setInterval(…, 2000)`.
const TICK: Duration = Duration::from_secs(2);

fn main() -> Result<(), Box<dyn Error>> {
    let options = Options::from_env("127.0.0.1:4000");
    let clock = StreamOptions {
        heartbeat: options.heartbeat,
        ids: EventIds::Omitted,
        breaks: options.breaks,
        ..StreamOptions::default()
    };
    let router = pages::shared_assets(Router::new())
        .get("/", pages::html(include_str!("pages/04_sse_clock.html")))
        .get("/events", sse::handler(spawn_clock(), clock));
    let server = Server::bind(&options.addr, options.server_config())?;
    server.announce()?;
    // Every server answers GET /stats: its ledger (lesson 8).
    let stats = stats::handler(server.ledger());
    server.run(router.get("/stats", stats))
}

/// A log that keeps one event, the newest `{"time":"HH:MM:SS"}` (UTC), published every 2 s.
fn spawn_clock() -> Arc<EventLog> {
    let clock = Arc::new(EventLog::new(1));
    let writer = Arc::clone(&clock);
    thread::spawn(move || {
        loop {
            let secs = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            // Digits and colons only: nothing in it needs escaping in JSON.
            writer.publish(format!(
                "{{\"time\":\"{:02}:{:02}:{:02}\"}}",
                secs / 3600 % 24,
                secs / 60 % 60,
                secs % 60
            ));
            thread::sleep(TICK);
        }
    });
    clock
}
