//! The playground that `cargo run` serves: one event log, every transport side by side.

use std::sync::Arc;

use crate::event_log::EventLog;
use crate::http::Router;
use crate::{long_poll, pages, poll, publish};

/// The playground's routes over `log`:
///
/// | request | handler |
/// |---|---|
/// | `GET /` | [`pages::PLAYGROUND_HTML`] |
/// | `GET /panels.js` | [`pages::panels_js`] |
/// | `POST /publish` | [`publish::handler`] |
/// | `GET /poll?since=N` | [`poll::handler`] |
/// | `GET /long-poll?since=N&timeout_ms=T` | [`long_poll::handler`] |
pub fn router(log: Arc<EventLog>) -> Router {
    Router::new()
        .get("/", pages::html(pages::PLAYGROUND_HTML))
        .get("/panels.js", pages::panels_js)
        .post("/publish", publish::handler(Arc::clone(&log)))
        .get("/poll", poll::handler(Arc::clone(&log)))
        .get("/long-poll", long_poll::handler(log))
}
