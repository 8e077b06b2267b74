//! `GET /ws/echo` and `GET /ws`: the contract's two WebSocket endpoints.
//!
//! ```text
//! /ws/echo   client ── Text "hi" ──► server ── Text "hi" ──► client    (same opcode back)
//! /ws        client ── Text "hi" ──► server: log.publish("hi") = event 42
//!            every client ◄── Text {"id":42,"data":"hi"} ── broadcast thread
//! ```
//!
//! Both are ordinary routes: the handler checks the opening handshake and answers `101`
//! with a takeover, or the handshake's error status. The takeover runs on the
//! connection's thread, which becomes the WebSocket's reader.

use std::sync::Arc;

use super::broadcast::{BROADCAST_WRITE_TIMEOUT, Broadcast};
use super::close::CloseCode;
use super::connection::Message;
use super::frame::Role;
use super::handshake::{self, HandshakeConfig};
use super::socket::{Config, WebSocket};
use super::writer::lock;
use crate::http::response::Handoff;
use crate::http::{Request, Response};
use crate::poll;

/// The `GET /ws/echo` handler: every text or binary message comes back whole, with the
/// same opcode; pings are answered. For conformance suites and benchmarks.
pub fn echo(
    config: Config,
    handshake: HandshakeConfig,
) -> impl Fn(&Request) -> Response + Send + Sync + 'static {
    move |request| match handshake::check(request, &handshake) {
        Ok(accepted) => accepted
            .response()
            .with_takeover(move |handoff| echo_loop(handoff, config)),
        Err(err) => err.response(),
    }
}

fn echo_loop(handoff: Handoff, config: Config) {
    let Handoff {
        stream,
        leftover,
        slot: _slot,
    } = handoff;
    let Ok(mut ws) = WebSocket::new(stream, leftover, Role::Server, config) else {
        return;
    };
    // Err: a Close was sent or the peer is gone; recv() then ends the connection.
    while let Ok(message) = ws.recv() {
        let _ = ws.send(&message);
    }
}

/// The `GET /ws?since=N` handler: every event of `broadcast`'s log after `N` (0 when
/// absent) as a text message `{"id":N,"data":"..."}`, then each new one; every text
/// message from the client is published to the log. A binary message is closed with
/// 1003 (Unsupported Data): the log holds text.
///
/// # Errors
/// `400` for a `since` that is not a number; the handshake's errors (400, 403, 426).
pub fn feed(
    broadcast: Arc<Broadcast>,
    config: Config,
    handshake: HandshakeConfig,
) -> impl Fn(&Request) -> Response + Send + Sync + 'static {
    move |request| {
        let cursor = match poll::cursor(request) {
            Ok(cursor) => cursor,
            Err(answer) => return answer,
        };
        match handshake::check(request, &handshake) {
            Ok(accepted) => {
                let broadcast = Arc::clone(&broadcast);
                accepted
                    .response()
                    .with_takeover(move |handoff| feed_loop(handoff, &broadcast, cursor, config))
            }
            Err(err) => err.response(),
        }
    }
}

fn feed_loop(handoff: Handoff, broadcast: &Broadcast, cursor: u64, config: Config) {
    let Handoff {
        stream,
        leftover,
        slot: _slot,
    } = handoff;
    let config = Config {
        write_timeout: BROADCAST_WRITE_TIMEOUT,
        ..config
    };
    let Ok(mut ws) = WebSocket::new(stream, leftover, Role::Server, config) else {
        return;
    };
    if broadcast.subscribe(ws.writer(), cursor).is_err() {
        lock(&ws.writer()).end();
        return;
    }
    loop {
        match ws.recv() {
            Ok(Message::Text(text)) => {
                broadcast.log().publish(text);
            }
            Ok(Message::Binary(_)) => {
                ws.close(CloseCode::UNSUPPORTED_DATA, "text only");
                return;
            }
            Err(_) => return,
        }
    }
}
