//! Lesson 2: short polling, `GET /poll?since=N`.
//!
//! The client asks "anything after N?" on a timer, and the server answers at once, even
//! when the answer is "no". The cursor makes it lossless: the client sends the `last_id`
//! of its previous answer as the next `since`, so an event published between two polls is
//! in the second answer.
//!
//! ```text
//! GET /poll?since=2 HTTP/1.1                HTTP/1.1 200 OK
//! Host: 127.0.0.1:8082                      Cache-Control: no-cache
//! If-None-Match: "2"                        ETag: "3"
//!                                           Content-Type: application/json
//!                                           Content-Length: 45
//!
//!                                           {"events":[{"id":3,"data":"hi"}],"last_id":3}
//! ```
//!
//! The cost is the empty answers: most polls find nothing. An `ETag` naming the newest id
//! lets the next poll say `If-None-Match: "3"`; while nothing is new the answer is
//! `304 Not Modified` with no body (RFC 9110 §13.1.2, §15.4.5): a head of about 130 bytes
//! and nothing else, where an empty `200` adds a JSON body and its `Content-Type`. `Cache-Control: no-cache` allows a cache to keep the
//! answer but makes it ask (revalidate) every time, which is exactly a poll.

use std::fmt::Write;
use std::sync::Arc;

use crate::event_log::{Batch, EventLog};
use crate::http::{Handler, Request, Response, Status};

/// The short-poll handler for `log`: `GET /poll?since=N` (`since` omitted = 0).
///
/// Answers `200` with [`batch_json`] and `ETag: "LAST_ID"`, or `304` with the same `ETag`
/// when `If-None-Match` names the current newest id. A `since` that is not a decimal
/// number gets `400`.
pub fn handler(log: Arc<EventLog>) -> impl Handler {
    move |request: &Request| answer(&log, request).into()
}

fn answer(log: &EventLog, request: &Request) -> Response {
    let since = match cursor(request) {
        Ok(since) => since,
        Err(answer) => return answer,
    };
    let batch = log.since(since);
    let etag = format!("\"{}\"", batch.last_id);
    if if_none_match(request, &etag) {
        return Response::new(Status::NOT_MODIFIED)
            .with_field("ETag", etag)
            .with_field("Cache-Control", "no-cache");
    }
    Response::json(batch_json(&batch))
        .with_field("ETag", etag)
        .with_field("Cache-Control", "no-cache")
        .carrying(batch.events.len())
}

/// The `since` query parameter: the id of the last event the client has (0 if absent).
///
/// # Errors
/// A `400` answer when `since` is not a decimal `u64`.
pub fn cursor(request: &Request) -> Result<u64, Response> {
    match request.query_param("since") {
        None => Ok(0),
        Some(text) => text.parse().map_err(|_| {
            Response::text(
                Status::BAD_REQUEST,
                "since must be a whole number (the last id you have)\n",
            )
        }),
    }
}

/// The JSON of a poll answer: `{"events":[{"id":1,"data":"..."}],"last_id":M}`, plus
/// `,"missed":true` when the client's cursor was older than the history.
pub fn batch_json(batch: &Batch) -> String {
    let size: usize = batch.events.iter().map(|e| e.json.len() + 1).sum();
    let mut out = String::with_capacity(size + 48);
    out.push_str("{\"events\":[");
    for (i, event) in batch.events.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&event.json);
    }
    let _ = write!(out, "],\"last_id\":{}", batch.last_id);
    if batch.missed {
        out.push_str(",\"missed\":true");
    }
    out.push('}');
    out
}

/// Whether `If-None-Match` lists `etag` or `*` (RFC 9110 §13.1.2; weak comparison, so
/// `W/"3"` matches `"3"`).
fn if_none_match(request: &Request, etag: &str) -> bool {
    request
        .fields_named("if-none-match")
        .flat_map(|value| value.split(|&b| b == b','))
        .map(|tag| tag.trim_ascii())
        .any(|tag| tag == b"*" || tag.strip_prefix(b"W/").unwrap_or(tag) == etag.as_bytes())
}
