//! Lessons 5–7: WebSocket (RFC 6455), written from the RFC.
//!
//! ```text
//! client                                         server
//!   │ GET /ws  Upgrade: websocket  Sec-WebSocket-Key ──► handshake::check     (lesson 5)
//!   │ ◄── 101 Switching Protocols  Sec-WebSocket-Accept
//!   │ masked frames ─────────────────────────────► frame::decode            (lesson 6)
//!   │                                              connection::Connection   (lesson 7)
//!   │ ◄───────────────────────────── unmasked frames  writer::Writer
//!   │ Close ◄──────────────────────────────────────► Close, then TCP closes
//! ```
//!
//! | module | what |
//! |---|---|
//! | [`handshake`] | the server's side of the opening handshake (§4.2) |
//! | [`frame`], [`mask`] | the frame codec (§5.2) and masking (§5.3) |
//! | [`close`] | close codes and the Close payload (§5.5.1, §7.4) |
//! | [`connection`] | messages over frames: fragments, UTF-8, control frames (§5.4–§5.6) |
//! | [`socket`], [`writer`] | the socket loop and the shared writer; pings; closing (§7) |
//! | [`trace`] | `--trace`: frames on stderr, field by field |
//! | [`client`] | the client's side: handshake request, accept check, masking |
//! | [`endpoints`] | `GET /ws/echo` and `GET /ws` over the event log |
//!
//! Left out on purpose: extensions (permessage-deflate), TLS (`wss:`), and HTTP/2's
//! WebSocket bootstrapping (RFC 8441).

pub mod broadcast;
pub mod client;
pub mod close;
pub mod connection;
pub mod endpoints;
pub mod frame;
pub mod handshake;
pub mod mask;
pub mod socket;
pub mod trace;
pub mod writer;

pub use close::CloseCode;
pub use connection::Message;
pub use frame::{OpCode, Role};
pub use socket::{Config, Ending, WebSocket};
