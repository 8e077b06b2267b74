//! Lesson 4: Server-Sent Events, one HTTP response that never ends.
//!
//! The client asks once (`GET /events`, from `new EventSource("/events")`); the server
//! answers `200` with `Content-Type: text/event-stream` and then keeps writing events to
//! that body for as long as the connection lives. When it breaks, the browser reconnects
//! by itself after the reconnection time and sends the last event ID it saw, and the server
//! replays what came after it: nothing lost, nothing repeated.
//!
//! ```text
//! GET /events HTTP/1.1                      HTTP/1.1 200 OK
//! Last-Event-ID: 41                         Content-Type: text/event-stream
//!                                           Cache-Control: no-store
//!                                           Connection: close
//!
//!                                           retry: 2000
//!                                           id: 42
//!                                           data: ACME 101.23 +0.45 t=1763719200123
//!
//!                                           : keep-alive
//! ```
//!
//! - [`encode`]: an event as bytes (`id`, `event`, `data` per line, `retry`, comments),
//!   and a batch of the event log as a stream's bytes.
//! - [`parse`]: the WHATWG "event stream interpretation", as a browser runs it.
//! - [`stream`]: the `/events` handler: head and resume cursor.
//! - [`hub`]: the [`crate::fanout`] that replays and then writes every stream.
//!
//! Framing: the body is delimited by closing the connection (RFC 9112 §6.3 item 8), not
//! chunked. A stream has no end to announce, chunk sizes would add bytes to every event
//! for nothing, and an HTTP/1.0 client reads it as well as an HTTP/1.1 one. The price is
//! that the connection cannot be reused after the stream, which no client wants anyway.
//!
//! Spec: WHATWG HTML, "Server-sent events" (`#server-sent-events`,
//! `#event-stream-interpretation`, `#the-last-event-id-header`). Left out on purpose:
//! compression (it would buffer events), HTTP/2 (which lifts the six-connection limit),
//! and a durable event log: the playground's restarts from id 1, and the `04_sse` example's
//! journal ([`crate::journal`]) is a teaching sketch, not a database.

pub mod encode;
pub mod hub;
pub mod parse;
pub mod stream;

pub use encode::{EventIds, StreamOptions};
pub use hub::Hub;
pub use stream::handler;
