//! `GET /ws/echo` and `GET /ws`: the two WebSocket endpoints of the contract (LESSONS.md,
//! Appendix: the wire contract).
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

use super::broadcast::Broadcast;
use super::close::CloseCode;
use super::frame::Role;
use super::handshake::{self, HandshakeConfig};
use super::message::Message;
use super::socket::{Config, WebSocket};
use super::writer::lock;
use crate::event_log::EventLog;
use crate::http::config::server_name;
use crate::http::reply::Handoff;
use crate::http::{Handler, Reply, Request};
use crate::publish::Publish;
use crate::{json, poll};

/// The `GET /ws/echo` handler: every text or binary message comes back whole, with the
/// same opcode; pings are answered. For conformance suites and benchmarks.
pub fn echo(config: Config, handshake: HandshakeConfig) -> impl Handler {
    move |request: &Request| match handshake::check(request, &handshake) {
        Ok(accepted) => Reply::takeover(accepted.response(), move |handoff| {
            echo_loop(handoff, config)
        }),
        Err(err) => err.response().into(),
    }
}

fn echo_loop(handoff: Handoff, config: Config) {
    let Handoff {
        stream,
        leftover,
        slot,
    } = handoff;
    let meter = slot.meter().clone();
    let Ok(mut ws) = WebSocket::new(stream, leftover, Role::Server, config, meter) else {
        return;
    };
    // Err: a Close was sent or the peer is gone; recv() then ends the connection.
    while let Ok(message) = ws.recv() {
        let _ = ws.send(&message);
    }
}

/// The `GET /ws?since=N` handler over `log`: every event after `N` (0 when absent) as a
/// text message `{"id":N,"data":"..."}`, then each new one; every text message from the
/// client is published to `publish` (the same log, or lesson 10's shared one); when
/// `publish` requires a token (lesson 11), the socket's first message (after the name) is
/// `{"auth":"Bearer"}`, the client's first text message must be `Bearer TOKEN` and is not
/// published, and any other first message is closed with 1008. A binary
/// message is closed with 1003 (Unsupported Data): the log holds text; a message the log
/// cannot store, with 1013 (Try Again Later). Starts the feed's [`Broadcast`] thread.
///
/// # Errors
/// `400` for a `since` that is not a number; the handshake's errors (400, 403, 426).
pub fn feed(
    log: Arc<EventLog>,
    publish: Arc<dyn Publish>,
    config: Config,
    handshake: HandshakeConfig,
) -> impl Handler {
    let broadcast = Broadcast::start(log);
    move |request: &Request| {
        let cursor = match poll::cursor(request) {
            Ok(cursor) => cursor,
            Err(answer) => return answer.into(),
        };
        match handshake::check(request, &handshake) {
            Ok(accepted) => {
                let (publish, broadcast) = (Arc::clone(&publish), Arc::clone(&broadcast));
                Reply::takeover(accepted.response(), move |handoff| {
                    feed_loop(handoff, &*publish, &broadcast, cursor, config)
                })
            }
            Err(err) => err.response().into(),
        }
    }
}

fn feed_loop(
    handoff: Handoff,
    publish: &dyn Publish,
    broadcast: &Broadcast,
    cursor: u64,
    config: Config,
) {
    let Handoff {
        stream,
        leftover,
        slot,
    } = handoff;
    let config = Config {
        write_timeout: broadcast.policy().write_wait,
        ..config
    };
    let meter = slot.meter().clone();
    let Ok(mut ws) = WebSocket::new(stream, leftover, Role::Server, config, meter) else {
        return;
    };
    if let Some(name) = server_name() {
        // Lesson 10: which server behind the balancer this socket reached.
        let _ = ws.send(&Message::Text(format!(
            "{{\"server\":{}}}",
            json::string(name)
        )));
    }
    // Lesson 11: with a token, the socket says so, as a 401's `WWW-Authenticate` does,
    // and the client's first message must be `Bearer TOKEN`. Reading needs none.
    let mut allowed = publish.token().is_none();
    if !allowed {
        let _ = ws.send(&Message::Text(r#"{"auth":"Bearer"}"#.to_owned()));
    }
    if broadcast.subscribe(ws.writer(), cursor).is_err() {
        lock(&ws.writer()).disconnect();
        return;
    }
    loop {
        match ws.recv() {
            Ok(Message::Text(text)) if !allowed => {
                allowed = publish.token().is_some_and(|t| t.allows_credentials(&text));
                if !allowed {
                    ws.close(CloseCode::POLICY_VIOLATION, "send Bearer TOKEN first");
                    return;
                }
            }
            Ok(Message::Text(text)) => {
                if let Err(why) = publish.publish(&text) {
                    ws.close(CloseCode::TRY_AGAIN_LATER, &why.to_string());
                    return;
                }
            }
            Ok(Message::Binary(_)) => {
                ws.close(CloseCode::UNSUPPORTED_DATA, "text only");
                return;
            }
            Err(_) => return,
        }
    }
}
