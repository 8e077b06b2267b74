//! The pages, embedded in the binary with `include_str!` so the server runs from any
//! directory. They use only the browser's own APIs (`fetch`, and later `EventSource` and
//! `WebSocket`); `panels.js` holds the code the pages share.

use crate::http::response::{HTML, JAVASCRIPT};
use crate::http::{Request, Response, Status};

/// The playground's page (`cargo run`, `GET /`): the feed over every transport at once.
pub const PLAYGROUND_HTML: &str = include_str!("pages/playground.html");
/// The script every page loads from `GET /panels.js`: one panel per transport.
pub const PANELS_JS: &str = include_str!("pages/panels.js");

/// A handler that answers `200` with `html`. Pages may change with the code, so
/// `Cache-Control: no-cache` makes the browser check for a new one on every load.
pub fn html(html: &'static str) -> impl Fn(&Request) -> Response + Send + Sync + 'static {
    move |_| {
        Response::new(Status::OK)
            .with_body(HTML, html)
            .with_field("Cache-Control", "no-cache")
    }
}

/// The `GET /panels.js` handler.
pub fn panels_js(_: &Request) -> Response {
    Response::new(Status::OK)
        .with_body(JAVASCRIPT, PANELS_JS)
        .with_field("Cache-Control", "no-cache")
}
