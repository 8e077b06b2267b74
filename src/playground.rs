//! The playground that `cargo run` serves: one event log, every transport side by side.

use std::sync::Arc;

use crate::event_log::EventLog;
use crate::http::Router;
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
/// | `GET /poll?since=N` | [`poll::handler`] |
/// | `GET /long-poll?since=N&timeout_ms=T` | [`long_poll::handler`] |
/// | `GET /events` (`Last-Event-ID` or `?since=N`) | [`sse::handler`] over a [`sse::Hub`] |
/// | `GET /ws?since=N` | [`websocket::endpoints::feed`] over a [`websocket::broadcast::Broadcast`] |
/// | `GET /ws/echo` | [`websocket::endpoints::echo`] |
///
/// Starts the hub's thread, which writes the event streams with `stream_options`, and the
/// WebSocket broadcast thread; WebSockets use `ws` and `handshake`.
pub fn router(
    log: Arc<EventLog>,
    stream_options: StreamOptions,
    ws: websocket::Config,
    handshake: HandshakeConfig,
) -> Router {
    pages::shared_assets(Router::new())
        .get("/", pages::html(pages::PLAYGROUND_HTML))
        .post("/publish", publish::handler(Arc::clone(&log)))
        .get("/poll", poll::handler(Arc::clone(&log)))
        .get("/long-poll", long_poll::handler(Arc::clone(&log)))
        .get("/events", sse::handler(Arc::clone(&log), stream_options))
        .get("/ws", endpoints::feed(log, ws, handshake.clone()))
        .get("/ws/echo", endpoints::echo(ws, handshake))
}
