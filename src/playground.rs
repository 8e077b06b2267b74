//! The playground that `cargo run` serves: one event log, every transport side by side.

use std::sync::Arc;

use crate::breaks::Breaks;
use crate::event_log::EventLog;
use crate::http::Router;
use crate::publish::Publish;
use crate::sse::{self, StreamOptions};
use crate::websocket::endpoints;
use crate::websocket::handshake::HandshakeConfig;
use crate::{long_poll, pages, poll, publish, websocket};

/// The playground's routes over `log`:
///
/// | request | handler |
/// |---|---|
/// | `GET /` | [`pages::PLAYGROUND_HTML`] |
/// | `GET /panels.js`, `GET /panels.css` | [`pages::shared_assets`] |
/// | `POST /publish` | [`publish::handler`] |
/// | `OPTIONS /publish` (a CORS preflight) | [`publish::preflight`] |
/// | `GET /poll?since=N` | [`poll::handler`] |
/// | `GET /long-poll?since=N&timeout_ms=T` | [`long_poll::handler`] |
/// | `GET /events` (`Last-Event-ID` or `?since=N`) | [`sse::handler`] over a [`sse::Hub`] |
/// | `GET /ws?since=N` | [`websocket::endpoints::feed`] over a [`websocket::broadcast::Broadcast`] |
/// | `GET /ws/echo` | [`websocket::endpoints::echo`] |
///
/// Starts the hub's thread, which writes the event streams with `stream_options`, and the
/// WebSocket broadcast thread; WebSockets use `ws` and `handshake`. Events are published
/// to `log` itself, and the long poll has no break (the event streams' and WebSockets'
/// ride in `stream_options` and `ws`).
pub fn router(
    log: Arc<EventLog>,
    stream_options: StreamOptions,
    ws: websocket::Config,
    handshake: HandshakeConfig,
) -> Router {
    let publish = Arc::clone(&log);
    router_publishing(log, publish, stream_options, ws, handshake, Breaks::NONE)
}

/// The same routes, reading from `log` but publishing (`POST /publish`, and the text
/// messages of `/ws`) to `publish`: lesson 10's shared log, which feeds `log` in turn.
/// `breaks` go to the long poll ([`long_poll::handler`]).
pub fn router_publishing(
    log: Arc<EventLog>,
    publish: Arc<dyn Publish>,
    stream_options: StreamOptions,
    ws: websocket::Config,
    handshake: HandshakeConfig,
    breaks: Breaks,
) -> Router {
    let page = pages::shared_assets(Router::new()).get("/", pages::html(pages::PLAYGROUND_HTML));
    endpoints(page, log, publish, stream_options, ws, handshake, breaks)
}

/// Adds the contract's endpoints (everything but the page) to `router`, for a page of
/// another example's own (lesson 10's); `breaks` go to the long poll.
pub fn endpoints(
    router: Router,
    log: Arc<EventLog>,
    publish: Arc<dyn Publish>,
    stream_options: StreamOptions,
    ws: websocket::Config,
    handshake: HandshakeConfig,
    breaks: Breaks,
) -> Router {
    router
        .post("/publish", publish::handler(Arc::clone(&publish)))
        .route("OPTIONS", "/publish", publish::preflight())
        .get("/poll", poll::handler(Arc::clone(&log)))
        .get("/long-poll", long_poll::handler(Arc::clone(&log), breaks))
        .get("/events", sse::handler(Arc::clone(&log), stream_options))
        .get("/ws", endpoints::feed(log, publish, ws, handshake.clone()))
        .get("/ws/echo", endpoints::echo(ws, handshake))
}
