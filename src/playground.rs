//! The playground that `cargo run` serves: one event log, every transport side by side.

use std::sync::Arc;

use crate::event_log::EventLog;
use crate::http::Router;
use crate::sse::{self, Hub, StreamOptions};
use crate::{long_poll, pages, poll, publish};

/// The playground's routes over `log`:
///
/// | request | handler |
/// |---|---|
/// | `GET /` | [`pages::PLAYGROUND_HTML`] |
/// | `GET /panels.js`, `GET /panels.css` | [`pages::shared_assets`] |
/// | `POST /publish` | [`publish::handler`] |
/// | `GET /poll?since=N` | [`poll::handler`] |
/// | `GET /long-poll?since=N&timeout_ms=T` | [`long_poll::handler`] |
/// | `GET /events` (`Last-Event-ID` or `?since=N`) | [`sse::handler`] over a [`Hub`] |
///
/// Starts the hub's thread, which writes the event streams with `stream_options`.
pub fn router(log: Arc<EventLog>, stream_options: StreamOptions) -> Router {
    let hub = Hub::start(Arc::clone(&log), stream_options);
    pages::shared_assets(Router::new())
        .get("/", pages::html(pages::PLAYGROUND_HTML))
        .post("/publish", publish::handler(Arc::clone(&log)))
        .get("/poll", poll::handler(Arc::clone(&log)))
        .get("/long-poll", long_poll::handler(log))
        .get("/events", sse::handler(hub))
}
