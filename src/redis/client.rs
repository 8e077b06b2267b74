//! A blocking Redis client: one connection, one command at a time, its answer read in
//! full.
//!
//! ```text
//! command(["XADD", "s", "0-*", "data", "hi"])
//!   ──► *5\r\n$4\r\nXADD\r\n$1\r\ns\r\n$3\r\n0-*\r\n$4\r\ndata\r\n$2\r\nhi\r\n
//!   ◄── $3\r\n0-7\r\n                                   decoded by resp::decode
//! ```
//!
//! Every read waits at most the client's timeout, which must be longer than any `BLOCK`
//! it sends (`XREAD BLOCK 5000` with a 10 s timeout), or a quiet stream would look like a
//! dead server.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::resp::{RespError, Value, decode, encode_command};
use crate::decoded::Decoded;

/// Why a command got no answer.
#[derive(Debug)]
pub enum RedisError {
    /// The connection failed, closed, or the answer did not come in time.
    Io(io::Error),
    /// The server's bytes were not RESP.
    Protocol(RespError),
    /// The server answered with an error reply (`-ERR …`).
    Refused(String),
}

impl fmt::Display for RedisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedisError::Io(err) => write!(f, "redis: {err}"),
            RedisError::Protocol(err) => write!(f, "redis: {err}"),
            RedisError::Refused(text) => write!(f, "redis refused: {text}"),
        }
    }
}

impl std::error::Error for RedisError {}

impl From<io::Error> for RedisError {
    fn from(err: io::Error) -> Self {
        RedisError::Io(err)
    }
}

/// One connection to a Redis server.
pub struct RedisClient {
    stream: TcpStream,
    /// Bytes read past the last answer (none, with one command at a time).
    buf: Vec<u8>,
    /// The command being written; kept to reuse its allocation.
    out: Vec<u8>,
}

impl RedisClient {
    /// Connects to `addr` (`127.0.0.1:6379`), waiting at most `timeout` to connect and
    /// for every answer after.
    ///
    /// # Errors
    /// [`RedisError::Io`].
    pub fn connect(addr: &str, timeout: Duration) -> Result<Self, RedisError> {
        let addr = addr
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address"))?;
        let stream = TcpStream::connect_timeout(&addr, timeout)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        Ok(RedisClient {
            stream,
            buf: Vec::new(),
            out: Vec::new(),
        })
    }

    /// Sends one command and returns its answer; an error reply is an `Err`.
    ///
    /// # Errors
    /// [`RedisError`]: after [`RedisError::Io`] or [`RedisError::Protocol`] the connection
    /// is no longer usable (an answer may be half read); open a new one.
    pub fn command(&mut self, args: &[&[u8]]) -> Result<Value, RedisError> {
        self.out.clear();
        encode_command(&mut self.out, args);
        self.stream.write_all(&self.out)?;
        match self.read_value()? {
            Value::Error(text) => Err(RedisError::Refused(text)),
            value => Ok(value),
        }
    }

    /// Whether this idle connection can still carry a command: the server has not closed
    /// it (a restarted Redis closed every connection it had). A connection kept in a pool
    /// is checked before reuse, because a command sent on a closed one fails, and a failed
    /// command may not be sent again: it might have run.
    ///
    /// It peeks without blocking: nothing to read means open; an end of file, an error, or
    /// bytes nobody asked for mean closed. Redis may still close it a moment later; the
    /// command then fails as any other would.
    pub fn still_open(&self) -> bool {
        if self.stream.set_nonblocking(true).is_err() {
            return false;
        }
        let mut byte = [0u8; 1];
        let idle =
            matches!(self.stream.peek(&mut byte), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
        self.stream.set_nonblocking(false).is_ok() && idle
    }

    /// Waits for the next value the server sends on its own: after `SUBSCRIBE`, each
    /// message published to the channel arrives this way (`*3\r\n$7\r\nmessage\r\n…`).
    ///
    /// # Errors
    /// As for [`command`](Self::command).
    pub fn receive(&mut self) -> Result<Value, RedisError> {
        self.read_value()
    }

    fn read_value(&mut self) -> Result<Value, RedisError> {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match decode(&self.buf).map_err(RedisError::Protocol)? {
                Decoded::Complete { value, consumed } => {
                    self.buf.drain(..consumed);
                    return Ok(value);
                }
                Decoded::Partial => {
                    let n = self.stream.read(&mut chunk)?;
                    if n == 0 {
                        return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into());
                    }
                    self.buf.extend_from_slice(&chunk[..n]);
                }
            }
        }
    }
}
