//! The client's side of the opening handshake (RFC 6455 §4.1), for the terminal client and
//! the tests: a fresh key, the request, and the checks on the server's answer.
//!
//! ```text
//! GET /ws HTTP/1.1                               written by request_head
//! Host: 127.0.0.1:8087
//! Upgrade: websocket
//! Connection: Upgrade
//! Sec-WebSocket-Key: 3q2+7wAAAAC6vOIKAAAAAA==    16 fresh random bytes, base64
//! Sec-WebSocket-Version: 13
//!
//! HTTP/1.1 101 Switching Protocols               checked by check_response: 101, Upgrade,
//! Upgrade: websocket                             Connection, and the accept value that
//! Connection: Upgrade                            only a server that read our key can give
//! Sec-WebSocket-Accept: …
//! ```
//!
//! After the answer, the client masks every frame it sends (lesson 6). Opening a whole
//! client connection with these pieces is [`super::connect`] (lesson 7).

use std::fmt;
use std::io;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::handshake::accept_key;
use super::keys::KeySource;
use crate::decoded::Decoded;
use crate::http::request::lists_token;

/// The most bytes the server's answer head may take.
pub const MAX_RESPONSE_HEAD: usize = 8 * 1024;

/// Why the opening handshake failed, from the client's side.
#[derive(Debug)]
pub enum ClientError {
    /// A URL that is not `ws://host:port/path`.
    BadUrl(String),
    /// The socket failed, or the answer did not come in time.
    Io(io::Error),
    /// The server answered with another status: its status code and head.
    Refused(u16, String),
    /// The answer broke a rule of RFC 6455 §4.1 (what is wrong).
    BadAnswer(&'static str),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::BadUrl(url) => write!(f, "not a ws://host:port/path URL: {url}"),
            ClientError::Io(err) => write!(f, "{err}"),
            ClientError::Refused(status, head) => write!(f, "server answered {status}:\n{head}"),
            ClientError::BadAnswer(what) => write!(f, "bad handshake answer: {what}"),
        }
    }
}

impl std::error::Error for ClientError {}

impl From<io::Error> for ClientError {
    fn from(err: io::Error) -> Self {
        ClientError::Io(err)
    }
}

/// A fresh `Sec-WebSocket-Key`: base64 of 16 random bytes (RFC 6455 §4.1 item 7).
pub fn new_key(keys: &mut KeySource) -> String {
    let mut nonce = keys.next_u64().to_be_bytes().to_vec();
    nonce.extend_from_slice(&keys.next_u64().to_be_bytes());
    BASE64.encode(nonce)
}

/// The handshake request for `path` on `host` with `key`, plus `extra` field lines
/// (`"Origin: http://a.example"`), each without CR LF.
pub fn request_head(host: &str, path: &str, key: &str, extra: &[&str]) -> String {
    let mut head = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
    );
    for line in extra {
        head.push_str(line);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    head
}

/// Checks the server's answer to a handshake sent with `key` (RFC 6455 §4.1, the client's
/// checks 1–4): `101`, `Upgrade: websocket`, `Connection: upgrade`, and
/// `Sec-WebSocket-Accept` equal to [`accept_key`]`(key)`. Returns how many bytes the head
/// took; what follows is the start of the first frame.
///
/// # Errors
/// [`ClientError::Refused`] for another status, [`ClientError::BadAnswer`] for the rest.
pub fn check_response(buf: &[u8], key: &str) -> Result<Decoded<()>, ClientError> {
    let mut fields = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut fields);
    let consumed = match response.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(Decoded::Partial),
        Err(_) => return Err(ClientError::BadAnswer("not an HTTP/1.1 answer")),
    };
    let status = response.code.unwrap_or(0);
    if status != 101 {
        let head = String::from_utf8_lossy(&buf[..consumed]).into_owned();
        return Err(ClientError::Refused(status, head));
    }
    let has = |name: &str, token: &str| {
        (response.headers.iter())
            .any(|f| f.name.eq_ignore_ascii_case(name) && lists_token(f.value, token))
    };
    if !has("upgrade", "websocket") {
        return Err(ClientError::BadAnswer("Upgrade is not websocket"));
    }
    if !has("connection", "upgrade") {
        return Err(ClientError::BadAnswer("Connection does not list upgrade"));
    }
    if !has("sec-websocket-accept", &accept_key(key)) {
        return Err(ClientError::BadAnswer(
            "Sec-WebSocket-Accept does not match the key",
        ));
    }
    Ok(Decoded::Complete {
        value: (),
        consumed,
    })
}

/// Splits `ws://host:port/path` into the address to connect to and the request target.
///
/// # Errors
/// [`ClientError::BadUrl`].
pub fn split_url(url: &str) -> Result<(String, String), ClientError> {
    let rest = url
        .strip_prefix("ws://")
        .ok_or_else(|| ClientError::BadUrl(url.to_owned()))?;
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if host.is_empty() {
        return Err(ClientError::BadUrl(url.to_owned()));
    }
    let path = if path.is_empty() { "/" } else { path };
    Ok((host.to_owned(), path.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_base64_of_16_bytes_and_differs_each_time() {
        let mut keys = KeySource::new();
        let (a, b) = (new_key(&mut keys), new_key(&mut keys));
        assert_eq!(BASE64.decode(&a).unwrap().len(), 16);
        assert_ne!(a, b);
    }

    #[test]
    fn the_answer_must_carry_the_accept_value_of_our_key() {
        let key = "dGhlIHNhbXBsZSBub25jZQ==";
        let good = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
            Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\x01";
        let Ok(Decoded::Complete { consumed, .. }) = check_response(good.as_bytes(), key) else {
            panic!("refused a good answer");
        };
        assert_eq!(&good.as_bytes()[consumed..], b"\x01");
        let wrong = good.replace("s3pP", "AAAA");
        assert!(matches!(
            check_response(wrong.as_bytes(), key),
            Err(ClientError::BadAnswer(_))
        ));
        let refused = "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n\r\n";
        assert!(matches!(
            check_response(refused.as_bytes(), key),
            Err(ClientError::Refused(426, _))
        ));
        assert_eq!(
            check_response(&good.as_bytes()[..20], key).unwrap(),
            Decoded::Partial
        );
    }

    #[test]
    fn urls_split_into_address_and_path() {
        let (host, path) = split_url("ws://127.0.0.1:8087/ws?since=3").unwrap();
        assert_eq!(
            (host.as_str(), path.as_str()),
            ("127.0.0.1:8087", "/ws?since=3")
        );
        assert_eq!(split_url("ws://h:1").unwrap().1, "/");
        assert!(split_url("http://h/").is_err());
    }
}
