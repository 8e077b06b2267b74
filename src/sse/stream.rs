//! `GET /events`: the response head and the resume cursor; the hub does the rest.
//!
//! ```text
//! HTTP/1.1 200 OK
//! Content-Type: text/event-stream      the browser's EventSource requires this type
//! Cache-Control: no-store              a stream is never worth caching
//! X-Accel-Buffering: no                asks nginx-style proxies not to buffer it
//! Connection: close                    no Content-Length: the body ends when we close
//!
//! retry: 2000                          reconnection time, sent first: one line, no empty line
//! id: 41
//! data: ACME 101.23 +0.45 t=1763719200123
//!
//! : keep-alive                         every 15 s, events or not; one line too
//! ```

use std::sync::Arc;

use super::encode::StreamOptions;
use super::hub::{EventStream, Hub};
use crate::breaks::Break;
use crate::event_log::EventLog;
use crate::http::reply::Handoff;
use crate::http::{Handler, Reply, Request, Response, Status};

/// The `GET /events` handler for streams of `log` written with `options`; starts their
/// [`Hub`] thread.
///
/// Resumes after the `Last-Event-ID` field if present (a reconnecting browser sends it to
/// the same URL), else after `?since=N`, else from the start. Answers `400` when the one
/// used is not a decimal number. The connection's thread writes the head, `retry:` and
/// the replay, then hands the socket to the hub and ends. ([`Break::NoReplay`] in the
/// options' breaks: every stream starts at the newest event, the wrong way.)
pub fn handler(log: Arc<EventLog>, options: StreamOptions) -> impl Handler {
    let hub = Hub::start(Arc::clone(&log), options);
    let (retry, max_lifetime, breaks) = (options.retry, options.max_lifetime, options.breaks);
    move |request: &Request| {
        let mut cursor = match resume_cursor(request) {
            Ok(cursor) => cursor,
            Err(answer) => return answer.into(),
        };
        if breaks.has(Break::NoReplay) {
            // The wrong way, on purpose (--break no-replay): what was published while the
            // client was away is never sent; it gets only what comes next.
            cursor = log.last_id();
        }
        let hub = Arc::clone(&hub);
        let head = Response::new(Status::OK)
            .with_field("Content-Type", "text/event-stream")
            .with_field("Cache-Control", "no-store")
            .with_field("X-Accel-Buffering", "no");
        Reply::takeover(head, move |handoff: Handoff| {
            let stream = EventStream::new(handoff.stream, handoff.slot, retry, max_lifetime)
                .with_breaks(breaks);
            // Err: the client left during the replay; the stream is closed with it.
            let _ = hub.subscribe(stream, cursor);
        })
    }
}

/// Where the stream starts: `Last-Event-ID` (WHATWG HTML `#the-last-event-id-header`),
/// else `?since=N`, else 0.
///
/// # Errors
/// A `400` answer if the value used is not a decimal `u64`.
pub fn resume_cursor(request: &Request) -> Result<u64, Response> {
    let text = match request.field("last-event-id").filter(|id| !id.is_empty()) {
        Some(id) => id,
        None => match request.query_param("since") {
            Some(since) => since,
            None => return Ok(0),
        },
    };
    text.trim().parse().map_err(|_| {
        Response::text(
            Status::BAD_REQUEST,
            "Last-Event-ID and since must be event ids (numbers)\n",
        )
    })
}
