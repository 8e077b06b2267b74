//! `POST /publish`: append the message body to the event log as one event.
//!
//! ```text
//! POST /publish HTTP/1.1          →   HTTP/1.1 200 OK
//! Content-Length: 5                   Content-Type: application/json
//!                                     Content-Length: 8
//! hello                               {"id":7}
//! ```

use std::sync::Arc;

use crate::event_log::EventLog;
use crate::http::{Handler, Request, Response, Status};

/// The `POST /publish` handler for `log`.
///
/// The body (UTF-8 text, at most [`MAX_BODY_BYTES`](crate::http::MAX_BODY_BYTES), which
/// the HTTP layer enforces with `413`) becomes one event; the answer is `{"id":N}`.
/// A body that is not UTF-8 gets `400`: every transport sends events as text.
pub fn handler(log: Arc<EventLog>) -> impl Handler {
    move |request: &Request| {
        match std::str::from_utf8(&request.body) {
            Ok(text) => Response::json(format!("{{\"id\":{}}}", log.publish(text))),
            Err(_) => Response::text(Status::BAD_REQUEST, "the body must be UTF-8 text\n"),
        }
        .into()
    }
}
