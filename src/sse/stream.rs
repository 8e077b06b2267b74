//! `GET /events`: the response head, the resume cursor, and the replay before the hand-off.
//!
//! ```text
//! HTTP/1.1 200 OK
//! Content-Type: text/event-stream      the browser's EventSource requires this type
//! Cache-Control: no-store              a stream is never worth caching
//! X-Accel-Buffering: no                asks nginx-style proxies not to buffer it
//! Connection: close                    no Content-Length: the body ends when we close
//!
//! retry: 2000                          reconnection time, sent first
//!
//! id: 41
//! data: ACME 101.23 +0.45 t=1763719200123
//!
//! : keep-alive                         every 15 s, events or not
//! ```

use std::sync::Arc;
use std::time::Duration;

use super::encode::{Event, encode_retry};
use super::hub::Hub;
use crate::event_log::Batch;
use crate::http::response::Handoff;
use crate::http::{Request, Response, Status};

/// How event streams are written.
#[derive(Debug, Clone, Copy)]
pub struct StreamOptions {
    /// The interval of `: keep-alive` comments (zero: none). Default 15 s.
    pub heartbeat: Duration,
    /// The reconnection time sent first as `retry:`. Default 2 s.
    pub retry: Duration,
    /// Names an event type from an event's data (`None`: type `message`). For the shared
    /// stream of named types that replaces one `EventSource` per feed.
    pub event_type: Option<fn(&str) -> Option<&str>>,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            heartbeat: Duration::from_secs(15),
            retry: Duration::from_secs(2),
            event_type: None,
        }
    }
}

/// The `GET /events` handler for the streams `hub` writes.
///
/// Resumes after the `Last-Event-ID` field if present (a reconnecting browser sends it to
/// the same URL), else after `?since=N`, else from the start. Answers `400` when the one
/// used is not a decimal number.
pub fn handler(hub: Arc<Hub>) -> impl Fn(&Request) -> Response + Send + Sync + 'static {
    move |request| {
        let cursor = match resume_cursor(request) {
            Ok(cursor) => cursor,
            Err(answer) => return answer,
        };
        let hub = Arc::clone(&hub);
        Response::new(Status::OK)
            .with_field("Content-Type", "text/event-stream")
            .with_field("Cache-Control", "no-store")
            .with_field("X-Accel-Buffering", "no")
            .with_takeover(move |handoff| replay_then_hand_off(&hub, handoff, cursor))
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

/// Sends `retry:`, then every event after `cursor` with blocking writes, and passes the
/// socket to the hub once it has the newest event. Runs on the connection's thread; the
/// log's lock is never held while writing.
fn replay_then_hand_off(hub: &Hub, handoff: Handoff, mut cursor: u64) {
    let Handoff {
        mut stream,
        mut slot,
        ..
    } = handoff;
    let mut bytes = Vec::new();
    encode_retry(&mut bytes, hub.options().retry);
    loop {
        let batch = hub.log().since(cursor);
        encode_events(&mut bytes, &batch, hub.options());
        if std::io::Write::write_all(&mut stream, &bytes).is_err() {
            return; // the client left during the replay
        }
        bytes.clear();
        cursor = batch.last_id;
        match hub.hand_off(stream, cursor, slot) {
            Ok(()) => return,
            Err((back, back_slot)) => (stream, slot) = (back, back_slot),
        }
    }
}

/// Appends `batch` to `bytes` as events (a `missed` event first if the batch says so) and
/// returns where each of `batch.events` starts.
pub fn encode_events(bytes: &mut Vec<u8>, batch: &Batch, options: &StreamOptions) -> Vec<usize> {
    if batch.missed {
        let first = batch.events.first().map_or(batch.last_id + 1, |e| e.id);
        let _ = Event::new(&first.to_string())
            .event_type("missed")
            .encode_into(bytes);
    }
    let mut offsets = Vec::with_capacity(batch.events.len());
    for event in &batch.events {
        offsets.push(bytes.len());
        let id = event.id.to_string();
        let plain = Event::new(&event.data).id(&id);
        let typed = options.event_type.and_then(|name| name(&event.data));
        // An id is digits, so only a type (from the `event_type` function) can be refused;
        // then the event goes out as a plain `message` rather than not at all.
        if typed.is_none_or(|t| plain.clone().event_type(t).encode_into(bytes).is_err()) {
            let _ = plain.encode_into(bytes);
        }
    }
    offsets
}
