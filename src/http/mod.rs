//! Lesson 1: an HTTP/1.1 server written by hand on `std::net` threads.
//!
//! Everything later in the crate (polling, long polling, event streams, the WebSocket
//! opening handshake) is an ordinary HTTP/1.1 request to this server first.
//!
//! ```text
//! accept ──► thread per connection ──► read into buffer ──► parse_head ─┬─ partial: read more
//!            (server.rs, counted cap)   (connection.rs)     (request.rs) └─ complete: body
//!                                                                           (Content-Length
//!   answer ◄── Response::write_to ◄── Router::dispatch ◄──────────────────  or chunked.rs)
//!   (response.rs, date.rs)              (router.rs)
//! ```
//!
//! Enforced here: RFC 9112 §2–§9 for request framing and persistent connections (keep-alive
//! by default in HTTP/1.1, opt-in in HTTP/1.0, pipelined requests answered in order),
//! `Expect: 100-continue` (RFC 9110 §10.1.1), and the limits of the contract (LESSONS.md,
//! Appendix: the wire contract): an 8 KiB head (`431`), a 64 KiB body (`413`), `400` for
//! malformed requests and for `Content-Length` together with `Transfer-Encoding`
//! (RFC 9112 §6.3), `404`, `405` with `Allow`, `503` with `Retry-After` past
//! `--max-connections`, and a 30 s idle/unfinished-request timeout.
//!
//! Left out on purpose: TLS, HTTP/2 and 3, compression, chunked *responses* (every answer
//! here has a known length), trailers (read and dropped), `OPTIONS` preflight, range requests.

pub mod chunked;
pub mod client;
pub mod config;
pub mod connection;
pub mod date;
pub mod error;
pub mod linger;
pub mod reply;
pub mod request;
pub mod response;
pub mod router;
pub mod server;
pub mod slot;
pub mod status;

pub use config::ServerConfig;
pub use error::RequestError;
pub use reply::Reply;
pub use request::{MAX_BODY_BYTES, MAX_FIELD_LINES, MAX_HEAD_BYTES, Request};
pub use response::Response;
pub use router::{Handler, Router};
pub use server::Server;
pub use status::Status;
