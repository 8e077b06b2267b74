//! The opening handshake, server side (RFC 6455 §4.2): an HTTP/1.1 `GET` that asks to
//! switch protocols, answered by `101 Switching Protocols`.
//!
//! ```text
//! GET /ws/echo HTTP/1.1                          the client asks…
//! Host: 127.0.0.1:8086
//! Upgrade: websocket                             …for this protocol,
//! Connection: Upgrade                            …on this connection,
//! Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==    …with base64 of 16 random bytes
//! Sec-WebSocket-Version: 13
//!
//! HTTP/1.1 101 Switching Protocols               the server agrees: from the next byte on,
//! Upgrade: websocket                             both sides speak frames
//! Connection: Upgrade
//! Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=    base64(SHA-1(key + GUID))
//! ```
//!
//! The accept value proves that the server read *this* request and understood it as a
//! WebSocket handshake; it is not security. The client side is in [`super::client`].
//!
//! Left out on purpose: extensions (`Sec-WebSocket-Extensions` is ignored, so none is
//! agreed, RFC 6455 §9.1).

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha1::{Digest, Sha1};

use crate::http::request::Version;
use crate::http::{Request, Response, Status};

/// The GUID every server appends to the key before hashing (RFC 6455 §1.3).
pub const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// `Sec-WebSocket-Accept` for `key`: base64 of the SHA-1 of `key` followed by [`GUID`]
/// (RFC 6455 §1.3, §4.2.2 item 5.4). `dGhlIHNhbXBsZSBub25jZQ==` gives
/// `s3pPLMBiTxaQ9kYGzzhZRbK+xOo=`.
pub fn accept_key(key: &str) -> String {
    let mut sha1 = Sha1::new();
    sha1.update(key.as_bytes());
    sha1.update(GUID.as_bytes());
    BASE64.encode(sha1.finalize())
}

/// What the server accepts in a handshake, besides RFC 6455's own rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HandshakeConfig {
    /// The one page origin allowed to connect, or `None` (or `"*"`) for any: the contract's
    /// `--allow-origin` (LESSONS.md, Appendix: the wire contract). Browsers send `Origin`;
    /// other clients need not (RFC 6455 §10.2).
    pub allowed_origin: Option<String>,
    /// Subprotocols the server speaks, e.g. `["chat.v1"]`; empty for none.
    pub subprotocols: Vec<&'static str>,
}

/// Why a handshake request was refused; [`status`](Self::status) is the answer's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandshakeError {
    /// Not `GET` (§4.1 item 2).
    NotGet,
    /// HTTP/1.0 (§4.1 item 2: HTTP/1.1 or higher).
    NotHttp11,
    /// No `Host` field (§4.1 item 4).
    NoHost,
    /// `Upgrade` does not list `websocket` (§4.2.1 item 3).
    NoUpgrade,
    /// `Connection` does not list `upgrade` (§4.2.1 item 4).
    NoConnectionUpgrade,
    /// `Sec-WebSocket-Key` missing, or not base64 of exactly 16 bytes (§4.2.1 item 5).
    BadKey,
    /// `Sec-WebSocket-Version` missing or not `13` (§4.2.1 item 6).
    UnsupportedVersion,
    /// `Origin` is not the allowed one (§10.2).
    ForbiddenOrigin,
}

impl HandshakeError {
    /// `426 Upgrade Required` for a version this server does not speak (§4.2.2),
    /// `403 Forbidden` for a refused origin (§10.2), `400 Bad Request` for the rest.
    pub fn status(&self) -> Status {
        match self {
            HandshakeError::UnsupportedVersion => Status::UPGRADE_REQUIRED,
            HandshakeError::ForbiddenOrigin => Status::FORBIDDEN,
            _ => Status::BAD_REQUEST,
        }
    }

    /// The whole answer: the status, a one-line explanation, and for `426` the field
    /// `Sec-WebSocket-Version: 13` that tells the client which version to retry with.
    pub fn response(&self) -> Response {
        let answer = Response::text(self.status(), format!("{self}\n"));
        match self {
            HandshakeError::UnsupportedVersion => answer.with_field("Sec-WebSocket-Version", "13"),
            _ => answer,
        }
    }
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HandshakeError::NotGet => "a WebSocket handshake is a GET",
            HandshakeError::NotHttp11 => "a WebSocket handshake needs HTTP/1.1",
            HandshakeError::NoHost => "Host is missing",
            HandshakeError::NoUpgrade => "Upgrade must list websocket",
            HandshakeError::NoConnectionUpgrade => "Connection must list upgrade",
            HandshakeError::BadKey => "Sec-WebSocket-Key must be base64 of 16 bytes",
            HandshakeError::UnsupportedVersion => "Sec-WebSocket-Version must be 13",
            HandshakeError::ForbiddenOrigin => "this Origin may not connect",
        })
    }
}

impl std::error::Error for HandshakeError {}

/// A handshake the server agreed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The `Sec-WebSocket-Accept` value.
    pub accept: String,
    /// The subprotocol chosen, if any.
    pub protocol: Option<&'static str>,
}

impl Accepted {
    /// The `101 Switching Protocols` answer (RFC 6455 §4.2.2 item 5): `Upgrade`,
    /// `Connection`, `Sec-WebSocket-Accept` and, if one was chosen, `Sec-WebSocket-Protocol`.
    pub fn response(&self) -> Response {
        let answer = Response::new(Status::SWITCHING_PROTOCOLS)
            .with_field("Upgrade", "websocket")
            .with_field("Connection", "Upgrade")
            .with_field("Sec-WebSocket-Accept", self.accept.clone());
        match self.protocol {
            Some(protocol) => answer.with_field("Sec-WebSocket-Protocol", protocol),
            None => answer,
        }
    }
}

/// Checks `request` as an opening handshake (RFC 6455 §4.2.1) and picks a subprotocol:
/// the first of the client's offers (`Sec-WebSocket-Protocol`, comma lists, in the
/// client's order of preference) that is in `config.subprotocols`, or none.
///
/// # Errors
/// One [`HandshakeError`] per broken rule, checked in the order of §4.2.1.
pub fn check(request: &Request, config: &HandshakeConfig) -> Result<Accepted, HandshakeError> {
    if request.method != "GET" {
        return Err(HandshakeError::NotGet);
    }
    if request.version != Version::Http11 {
        return Err(HandshakeError::NotHttp11);
    }
    if request.field("host").is_none_or(str::is_empty) {
        return Err(HandshakeError::NoHost);
    }
    if !request.field_has_token("upgrade", "websocket") {
        return Err(HandshakeError::NoUpgrade);
    }
    if !request.field_has_token("connection", "upgrade") {
        return Err(HandshakeError::NoConnectionUpgrade);
    }
    let key = request.field("sec-websocket-key").unwrap_or("");
    if BASE64.decode(key).map_or(true, |nonce| nonce.len() != 16) {
        return Err(HandshakeError::BadKey);
    }
    if request.field("sec-websocket-version").map(str::trim) != Some("13") {
        return Err(HandshakeError::UnsupportedVersion);
    }
    let allowed = config.allowed_origin.as_deref().filter(|&o| o != "*");
    if let (Some(allowed), Some(origin)) = (allowed, request.field("origin")) {
        if !origin.eq_ignore_ascii_case(allowed) {
            return Err(HandshakeError::ForbiddenOrigin);
        }
    }
    Ok(Accepted {
        accept: accept_key(key),
        protocol: choose_protocol(request, &config.subprotocols),
    })
}

fn choose_protocol(request: &Request, ours: &[&'static str]) -> Option<&'static str> {
    request
        .fields_named("sec-websocket-protocol")
        .flat_map(|value| value.split(|&b| b == b','))
        .map(<[u8]>::trim_ascii)
        .find_map(|offer| ours.iter().copied().find(|p| p.as_bytes() == offer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decoded::Decoded;
    use crate::http::request::parse_head;

    const SAMPLE: &str = "GET /chat HTTP/1.1\r\nHost: server.example.com\r\n\
        Upgrade: websocket\r\nConnection: Upgrade\r\n\
        Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

    fn request(head: &str) -> Request {
        match parse_head(format!("{head}\r\n").as_bytes()) {
            Ok(Decoded::Complete { value, .. }) => value.request,
            other => panic!("not a head: {other:?}"),
        }
    }

    #[test]
    fn the_rfc_sample_key_gives_the_rfc_accept_value() {
        // RFC 6455 §1.3
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
        let accepted = check(&request(SAMPLE), &HandshakeConfig::default()).unwrap();
        assert_eq!(accepted.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    #[test]
    fn connection_and_upgrade_are_token_lists_compared_without_case() {
        let head = SAMPLE
            .replace("Connection: Upgrade", "Connection: keep-alive, UPGRADE")
            .replace("Upgrade: websocket", "Upgrade: WebSocket");
        assert!(check(&request(&head), &HandshakeConfig::default()).is_ok());
    }

    #[test]
    fn each_broken_rule_has_its_status() {
        let config = HandshakeConfig {
            allowed_origin: Some("http://good.example".into()),
            subprotocols: vec![],
        };
        let cases = [
            (SAMPLE.replace("GET", "POST"), 400),
            (SAMPLE.replace("HTTP/1.1", "HTTP/1.0"), 400),
            (SAMPLE.replace("Upgrade: websocket", "Upgrade: h2c"), 400),
            (
                SAMPLE.replace("Connection: Upgrade", "Connection: close"),
                400,
            ),
            (SAMPLE.replace("dGhlIHNhbXBsZSBub25jZQ==", "c2hvcnQ="), 400),
            (
                SAMPLE.replace("dGhlIHNhbXBsZSBub25jZQ==", "not base64!"),
                400,
            ),
            (SAMPLE.replace("Version: 13", "Version: 8"), 426),
            (format!("{SAMPLE}Origin: http://evil.example\r\n"), 403),
        ];
        for (head, status) in cases {
            let err = check(&request(&head), &config).unwrap_err();
            assert_eq!(err.status().0, status, "{err}");
        }
        // The HTTP layer already refuses a 1.1 request without Host; a handler checks anyway.
        let mut no_host = request(SAMPLE);
        no_host
            .fields
            .retain(|f| !f.name.eq_ignore_ascii_case("host"));
        assert_eq!(check(&no_host, &config), Err(HandshakeError::NoHost));
        let ok = format!("{SAMPLE}Origin: http://good.example\r\n");
        assert!(check(&request(&ok), &config).is_ok());
    }

    #[test]
    fn the_426_answer_names_version_13() {
        let answer = HandshakeError::UnsupportedVersion.response();
        assert_eq!(answer.field("Sec-WebSocket-Version"), Some("13"));
    }

    #[test]
    fn the_first_offered_subprotocol_the_server_speaks_is_chosen() {
        let config = HandshakeConfig {
            allowed_origin: None,
            subprotocols: vec!["chat.v2", "chat.v1"],
        };
        let head = format!("{SAMPLE}Sec-WebSocket-Protocol: soap, chat.v1\r\n");
        let accepted = check(&request(&head), &config).unwrap();
        assert_eq!(accepted.protocol, Some("chat.v1"));
        assert_eq!(
            accepted.response().field("sec-websocket-protocol"),
            Some("chat.v1")
        );
        let none = check(&request(SAMPLE), &config).unwrap();
        assert_eq!(none.response().field("sec-websocket-protocol"), None);
    }
}
