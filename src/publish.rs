//! `POST /publish`: store the message body as one event.
//!
//! ```text
//! POST /publish HTTP/1.1          →   HTTP/1.1 200 OK
//! Content-Length: 5                   Content-Type: application/json
//!                                     Content-Length: 8
//! hello                               {"id":7}
//! ```
//!
//! Where the event goes is a [`Publish`]: the server's own [`EventLog`] (lessons 2–9), or,
//! in lesson 10, a log shared by several servers in Redis, which may be unreachable: then
//! the answer is `503` with `Retry-After`, never a `200` for an event that was not stored.
//! A target may also require a token of its publishers ([`Guarded`], `--publish-token`,
//! lesson 11): then a publish without it gets `401`.

use std::fmt;
use std::sync::Arc;

use crate::access::PublishToken;
use crate::event_log::EventLog;
use crate::http::{Handler, Request, Response, Status};

/// `Retry-After` on a `503` when the event log cannot store (RFC 9110 §10.2.3).
const RETRY_AFTER_SECS: u32 = 1;

/// Something that stores an event and gives it its id.
pub trait Publish: Send + Sync + 'static {
    /// Stores `text` as one event and returns its id, once stored.
    ///
    /// # Errors
    /// [`Unavailable`] when the event was not stored.
    fn publish(&self, text: &str) -> Result<u64, Unavailable>;

    /// The token a publisher must present (lesson 11), or `None`: anyone may publish.
    fn token(&self) -> Option<&PublishToken> {
        None
    }
}

/// The event was not stored: why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable(pub String);

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the event log is unavailable: {}", self.0)
    }
}

impl std::error::Error for Unavailable {}

impl Publish for EventLog {
    /// Appends to this log; a log in memory is always there.
    fn publish(&self, text: &str) -> Result<u64, Unavailable> {
        Ok(EventLog::publish(self, text))
    }
}

/// A publish target that requires a token: `target` stores, `token` says who may
/// (`--publish-token`).
pub struct Guarded {
    target: Arc<dyn Publish>,
    token: PublishToken,
}

impl Guarded {
    /// `target`, guarded by `token`.
    pub fn new(target: Arc<dyn Publish>, token: PublishToken) -> Self {
        Guarded { target, token }
    }
}

impl Publish for Guarded {
    fn publish(&self, text: &str) -> Result<u64, Unavailable> {
        self.target.publish(text)
    }

    fn token(&self) -> Option<&PublishToken> {
        Some(&self.token)
    }
}

/// The `POST /publish` handler: `target` stores the body.
///
/// The body (UTF-8 text, at most [`MAX_BODY_BYTES`](crate::http::MAX_BODY_BYTES), which
/// the HTTP layer enforces with `413`) becomes one event; the answer is `{"id":N}`.
/// A body that is not UTF-8 gets `400`: every transport sends events as text. An event
/// the target could not store gets `503` with `Retry-After: 1`. When the target requires a
/// token, a request without `Authorization: Bearer TOKEN` gets `401` and is not stored.
pub fn handler<P: Publish + ?Sized>(target: Arc<P>) -> impl Handler {
    move |request: &Request| {
        if target.token().is_some_and(|token| !token.allows(request)) {
            return PublishToken::refusal().into();
        }
        let Ok(text) = std::str::from_utf8(&request.body) else {
            return Response::text(Status::BAD_REQUEST, "the body must be UTF-8 text\n").into();
        };
        match target.publish(text) {
            Ok(id) => Response::json(format!("{{\"id\":{id}}}")),
            Err(why) => Response::text(Status::SERVICE_UNAVAILABLE, format!("{why}\n"))
                .with_field("Retry-After", RETRY_AFTER_SECS.to_string()),
        }
        .into()
    }
}

/// The answer to a CORS preflight for `POST /publish` (Fetch standard, "CORS protocol"):
/// a page on another origin that sends `Authorization` (or a `Content-Type` other than
/// the three simple ones) first asks with `OPTIONS`, and its browser sends the `POST`
/// only if this answer allows the method and the fields. `204`, no body; the connection
/// adds `Access-Control-Allow-Origin` (`--allow-origin`), which decides which pages may.
pub fn preflight() -> impl Handler {
    |_: &Request| {
        Response::new(Status::NO_CONTENT)
            .with_field("Access-Control-Allow-Methods", "POST")
            .with_field(
                "Access-Control-Allow-Headers",
                "Authorization, Content-Type",
            )
            .with_field("Access-Control-Max-Age", "600")
            .into()
    }
}
