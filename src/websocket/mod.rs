//! Lessons 5–7: WebSocket (RFC 6455), written from the RFC.
//!
//! ```text
//! client                                         server
//!   │ GET /ws  Upgrade: websocket  Sec-WebSocket-Key ──► handshake::check       (lesson 5)
//!   │ ◄── 101 Switching Protocols  Sec-WebSocket-Accept
//!   │ masked frames ─────────────────────────────► decoder::FrameDecoder      (lesson 6)
//!   │                                              message::Assembler         (lesson 7)
//!   │ ◄───────────────────────────── unmasked frames  writer::Writer
//!   │ Close ◄──────────────────────────────────────► Close, then TCP closes
//! ```
//!
//! | lesson | module | what |
//! |---|---|---|
//! | 5 | [`handshake`] | the server's side of the opening handshake (§4.2) |
//! | 5 | [`client`], [`keys`] | the client's side: key, request, accept check (§4.1) |
//! | 6 | [`frame`], [`decoder`], [`mask`] | the frame header and encoder, decoding as bytes arrive (§5.2), masking (§5.3) |
//! | 6 | [`close`] | close codes and the Close payload (§5.5.1, §7.4) |
//! | 6 | [`trace`] | `--trace`: frames on stderr, field by field |
//! | 7 | [`message`], [`utf8`] | messages from fragments, UTF-8 as it arrives, control frames (§5.4–§5.6, §8.1) |
//! | 7 | [`reader`], [`writer`], [`liveness`], [`closing`] | the read side, the shared write side, pings and deadlines, the closing handshake (§7) |
//! | 7 | [`socket`] | [`WebSocket`]: the loop that ties them together |
//! | 7 | [`connect`] | a client connection |
//! | 7 | [`broadcast`], [`endpoints`] | `GET /ws` over the event log, `GET /ws/echo` |
//!
//! **Who owns what.** After the `101`, the connection's thread is the WebSocket's
//! *reader*: it owns the `TcpStream` it was handed (in [`reader::FrameReader`]) and is
//! the only thread that reads it. The *writer* owns a `try_clone` of that stream, behind
//! a `Mutex` ([`writer::SharedWriter`]); every thread that sends (the reader answering
//! pings and Close frames, the `/ws` broadcast thread writing events) takes that lock and
//! queues whole frames under it, so frames never interleave. Lock order on `/ws`: the
//! fan-out's inbox lock, then the event log's; a writer lock is taken alone, never while
//! holding another (the broadcast thread locks one writer at a time).
//!
//! Left out on purpose: extensions (permessage-deflate), TLS (`wss:`), and HTTP/2's
//! WebSocket bootstrapping (RFC 8441).

pub mod broadcast;
pub mod client;
pub mod close;
pub mod closing;
pub mod connect;
pub mod decoder;
pub mod endpoints;
pub mod frame;
pub mod handshake;
pub mod keys;
pub mod liveness;
pub mod mask;
pub mod message;
pub mod reader;
pub mod socket;
pub mod trace;
pub mod utf8;
pub mod writer;

pub use close::CloseCode;
pub use closing::Ending;
pub use frame::{OpCode, Role};
pub use message::Message;
pub use socket::{Config, WebSocket};
