//! Lesson 3: long polling, `GET /long-poll?since=N&timeout_ms=T`.
//!
//! The same question as a short poll ("anything after N?"), but when the answer is "not
//! yet" the server does not say so: it parks the request until an event arrives or the
//! timeout passes. The client sends the next request as soon as one returns, so an event
//! reaches it about as fast as the network allows, and an idle feed costs one request
//! per timeout instead of one per interval.
//!
//! ```text
//! GET /long-poll?since=3&timeout_ms=25000 ──► thread parks on the event log's Condvar
//!                         POST /publish ──► notify_all ──► thread wakes, answers:
//!                                           {"events":[{"id":4,"data":"hi"}],"last_id":4}
//! ```
//!
//! What it costs here: one thread per waiting client (see [`crate::http::server`]), each
//! woken on every publish. What it cannot see: a client that went away. The parked thread
//! is not reading its socket, so it learns of the close only when it writes the answer,
//! up to `timeout_ms` later; the bound on `timeout_ms` bounds that waste.

use std::sync::Arc;
use std::time::Duration;

use crate::breaks::{Break, Breaks};
use crate::event_log::EventLog;
use crate::http::{Handler, Request, Response, Status};
use crate::poll::{batch_json, cursor};

/// `timeout_ms` when the request gives none: 25 s, under the 30 s that many proxies allow.
pub const DEFAULT_TIMEOUT_MS: u64 = 25_000;
/// The most a client may ask for; larger values are lowered to this.
pub const MAX_TIMEOUT_MS: u64 = 60_000;

/// The long-poll handler for `log`.
///
/// Answers `200` with the same JSON as `/poll` as soon as an event with id > `since`
/// exists, or after `timeout_ms` (default [`DEFAULT_TIMEOUT_MS`], at most
/// [`MAX_TIMEOUT_MS`]) with `"events":[]`. `Cache-Control: no-store`: a held answer is
/// never worth keeping. A `since` or `timeout_ms` that is not a number gets `400`.
///
/// `breaks`: [`Break::NoCursor`] is the wrong way of lesson 3, on purpose: `since` is
/// ignored; the others do nothing here. [`Breaks::NONE`] for the right way.
pub fn handler(log: Arc<EventLog>, breaks: Breaks) -> impl Handler {
    move |request: &Request| answer(&log, request, breaks).into()
}

fn answer(log: &EventLog, request: &Request, breaks: Breaks) -> Response {
    let mut since = match cursor(request) {
        Ok(since) => since,
        Err(answer) => return answer,
    };
    if breaks.has(Break::NoCursor) {
        // The wrong way, on purpose (--break no-cursor): only what is published from now
        // on; whatever came since the client's last answer is lost.
        since = log.last_id();
    }
    let timeout_ms = match request.query_param("timeout_ms").map(str::parse::<u64>) {
        None => DEFAULT_TIMEOUT_MS,
        Some(Ok(ms)) => ms.min(MAX_TIMEOUT_MS),
        Some(Err(_)) => {
            return Response::text(Status::BAD_REQUEST, "timeout_ms must be a whole number\n");
        }
    };
    let batch = log.wait_since(since, Duration::from_millis(timeout_ms));
    Response::json(batch_json(&batch))
        .with_field("Cache-Control", "no-store")
        .carrying(batch.events.len())
}
