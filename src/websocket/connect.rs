//! Opening a WebSocket as a client (RFC 6455 §4.1): the handshake of lesson 5 on a fresh
//! TCP connection, then a [`WebSocket`] in the client's [`Role`], which masks every frame.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use super::client::{
    ClientError, MAX_RESPONSE_HEAD, check_response, new_key, request_head, split_url,
};
use super::frame::Role;
use super::keys::KeySource;
use super::socket::{Config, WebSocket};
use crate::decoded::Decoded;
use crate::ledger::Meter;

/// Opens a WebSocket to `url` (`ws://127.0.0.1:8087/ws`), sending `extra` field lines with
/// the handshake, waiting at most `timeout` for the answer. Every byte both ways, the
/// handshake's included, counts in `meter` ([`Meter::none`] for none; the load generator
/// of lesson 8 counts its clients' bytes this way).
///
/// # Errors
/// [`ClientError`]: a bad URL, a failed connection, a refused or wrong handshake.
pub fn connect(
    url: &str,
    extra: &[&str],
    timeout: Duration,
    config: Config,
    meter: Meter,
) -> Result<WebSocket, ClientError> {
    let (host, path) = split_url(url)?;
    let mut stream = TcpStream::connect(&host)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_nodelay(true)?;
    let key = new_key(&mut KeySource::new());
    let head = request_head(&host, &path, &key, extra);
    stream.write_all(head.as_bytes())?;
    meter.request();
    meter.wrote(head.len());
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(ClientError::BadAnswer(
                "connection closed during the handshake",
            ));
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Decoded::Complete { consumed, .. } = check_response(&buf, &key)? {
            meter.read(consumed); // the rest is the first frame's: the reader counts it
            let leftover = buf.split_off(consumed);
            return Ok(WebSocket::new(
                stream,
                leftover,
                Role::Client,
                config,
                meter,
            )?);
        }
        if buf.len() > MAX_RESPONSE_HEAD {
            return Err(ClientError::BadAnswer("answer head over 8 KiB"));
        }
    }
}
