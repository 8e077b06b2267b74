//! # realtime: how a server gets fresh data to a client, built by hand
//!
//! Four techniques, one event log behind them, every byte written in this crate: short
//! polling, long polling, Server-Sent Events and WebSockets over a hand-written HTTP/1.1
//! server on `std::net` threads. (`httparse` parses request heads, `sha1` and `base64`
//! compute the handshake's accept value; the rest is here.)
//!
//! Read it beside the course, `LESSONS.md`, at the root of this crate next to `Cargo.toml`:
//! start at its first heading, "Introduction", then "The playground" and the lessons in
//! order. The table is the map from each lesson to the code it reads.
//!
//! | lesson | module | example | endpoints | spec |
//! |---|---|---|---|---|
//! | 1. HTTP/1.1 by hand | [`http`] | `01_http` | `GET /hello`, `/echo` | RFC 9110, RFC 9112 |
//! | 2. short polling | [`event_log`], [`publish`], [`poll`] | `02_short_polling` | `POST /publish`, `GET /poll?since=N` | RFC 9110 §13 (`ETag`, `304`) |
//! | 3. long polling | [`long_poll`] | `03_long_polling` | `GET /long-poll?since=N&timeout_ms=T` | — |
//! | 4. Server-Sent Events | [`sse`], [`fanout`], [`outbox`], [`journal`] | `04_sse`, `04_sse_client`, `04_sse_clock` | `GET /events` | WHATWG HTML `#server-sent-events` |
//! | 5. the WebSocket opening handshake | [`websocket::handshake`], [`websocket::client`], [`websocket::keys`] | `05_websocket_handshake` | `GET /ws/echo` (`101`) | RFC 6455 §4 |
//! | 6. frames | [`websocket::frame`], [`websocket::decoder`], [`websocket::mask`], [`websocket::close`], [`websocket::trace`] | `06_websocket_echo` | `GET /ws/echo` | RFC 6455 §5, §7.4 |
//! | 7. the connection | [`websocket::message`], [`websocket::utf8`], [`websocket::reader`], [`websocket::writer`], [`websocket::liveness`], [`websocket::closing`], [`websocket::socket`], [`websocket::connect`], [`websocket::broadcast`], [`websocket::endpoints`] | `07_websocket_chat`, `07_websocket_client` | `GET /ws?since=N` | RFC 6455 §5.4–§7, §8.1 |
//! | 8. the four, measured | [`stats`], [`http::client`], [`relay`] | `08_compare` | `GET /stats` | proc(5) |
//! | 9. behind a reverse proxy | [`relay::Faults`], [`sse::StreamOptions::max_lifetime`] | `09_reverse_proxy` (nginx), `09_faulty_proxy` | every endpoint, through a proxy | RFC 9110 §7.6.1 |
//! | 10. several servers, one log | [`redis`], [`redis::resp`], [`redis::client`], [`redis::shared_log`] | `10_scale_out` (redis-server, nginx) | every endpoint, on any server | the Redis protocol spec (RESP2), Redis Streams |
//! | 11. who may connect | [`access`], [`publish::Guarded`], [`publish::preflight`] | `cargo run -- --publish-token T` | `POST /publish` (`401`), `OPTIONS /publish`, `/ws` (1008) | RFC 9110 §11, RFC 6750, RFC 6455 §10.2, Fetch (CORS) |
//! | all | [`playground`] | `cargo run` | every endpoint above | the wire contract (`LESSONS.md`, Appendix: the wire contract) |
//!
//! Around them: [`decoded`] (what every decoder returns), [`ledger`] (what crossed the
//! sockets, counted by every layer and shown by `/stats`), [`json`] (string escaping),
//! [`ticker`] (the demo feed), [`pages`] (the embedded pages), [`options`] (the command
//! line), [`breaks`] (`--break NAME`: the lessons' wrong ways, on purpose).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod access;
pub mod breaks;
pub mod decoded;
pub mod event_log;
pub mod fanout;
pub mod http;
pub mod journal;
pub mod json;
pub mod ledger;
pub mod long_poll;
pub mod options;
pub mod outbox;
pub mod pages;
pub mod playground;
pub mod poll;
pub mod publish;
pub mod redis;
pub mod relay;
pub mod sse;
pub mod stats;
pub mod ticker;
pub mod websocket;
