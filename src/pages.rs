//! The pages, embedded in the binary with `include_str!` so the server runs from any
//! directory. They use only the browser's own APIs (`fetch`, `EventSource`, and later
//! `WebSocket`); `panels/*.js` and `panels.css` hold the script and the look they share.

use crate::http::response::{HTML, JAVASCRIPT};
use crate::http::{Handler, Request, Response, Router, Status};

/// The playground's page (`cargo run`, `GET /`): the feed over every transport at once.
pub const PLAYGROUND_HTML: &str = include_str!("pages/playground.html");
/// The script every page loads from `GET /panels.js`: one panel per transport.
///
/// Six files, one after the other, so that a page needs one `<script>` and a reader one file
/// per transport: `core.js` first (the panel and its counters: what the others use), then
/// `publish.js` (the publish form, and lesson 11's token), `poll.js` (short and long polling), `sse.js`, `websocket.js`, and `compare.js`
/// (the playground's comparison of the four, from the panels and `GET /stats`). Each is a
/// function that runs at once and adds its part to `window.Realtime`, and each ends in `;`,
/// so the next file's opening `(function` is not read as a call.
pub const PANELS_JS: &str = concat!(
    include_str!("pages/panels/core.js"),
    include_str!("pages/panels/publish.js"),
    include_str!("pages/panels/poll.js"),
    include_str!("pages/panels/sse.js"),
    include_str!("pages/panels/websocket.js"),
    include_str!("pages/panels/compare.js"),
);
/// The style sheet every panel page loads from `GET /panels.css`.
pub const PANELS_CSS: &str = include_str!("pages/panels.css");
/// `Content-Type` of the style sheet.
const CSS: &str = "text/css; charset=utf-8";

/// A handler that answers `200` with `html`.
pub fn html(html: &'static str) -> impl Handler {
    asset(HTML, html)
}

/// Adds `GET /panels.js` and `GET /panels.css`, which every page with panels loads.
pub fn shared_assets(router: Router) -> Router {
    router
        .get("/panels.js", asset(JAVASCRIPT, PANELS_JS))
        .get("/panels.css", asset(CSS, PANELS_CSS))
}

/// A handler that answers `200` with `body` of `content_type`. Pages may change with the
/// code, so `Cache-Control: no-cache` makes the browser check for a new one on every load.
fn asset(content_type: &'static str, body: &'static str) -> impl Handler {
    move |_: &Request| {
        Response::new(Status::OK)
            .with_body(content_type, body)
            .with_field("Cache-Control", "no-cache")
            .into()
    }
}
