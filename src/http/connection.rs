//! One connection's loop: read a request, answer it, repeat while the connection persists.
//!
//! The loop owns the socket and one buffer. It asks the pure parsers ([`parse_head`],
//! [`decode_chunk`]) what the front of the buffer holds; on *partial* it reads more, on
//! *complete* it drains the bytes used. Whatever is left belongs to the next request, which
//! is how pipelined requests (several sent before the first answer) are answered in order.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant, SystemTime};

use super::chunked::{Chunk, decode_chunk};
use super::date::http_date;
use super::error::RequestError;
use super::request::{BodyFraming, Head, MAX_BODY_BYTES, Request, Version, parse_head};
use super::response::{Handoff, Response};
use super::router::Router;
use super::server::{ConnectionSlot, ServerConfig};
use super::status::Status;
use crate::decoded::Decoded;

/// Bytes asked of the kernel per `read`. A typical request head fits in one.
const READ_CHUNK: usize = 4096;
/// How long a closing connection keeps reading (and dropping) what the client still sends.
const LINGER: Duration = Duration::from_secs(2);
/// How long each of those reads waits; a client that sends nothing more is done.
const LINGER_READ: Duration = Duration::from_millis(200);
/// The most bytes drained while lingering.
const LINGER_MAX_BYTES: usize = 1024 * 1024;

/// Why no request came out of the socket.
enum ReadFailure {
    /// The bytes broke a rule: answer with its status, then close.
    Refused(RequestError),
    /// The socket failed or timed out: close without a word.
    Io,
}

impl From<io::Error> for ReadFailure {
    fn from(_: io::Error) -> Self {
        ReadFailure::Io
    }
}

impl From<RequestError> for ReadFailure {
    fn from(e: RequestError) -> Self {
        ReadFailure::Refused(e)
    }
}

struct Connection {
    stream: TcpStream,
    /// Bytes read but not yet used: the rest of this request or the start of the next.
    buf: Vec<u8>,
    /// The answer being written; kept to reuse its allocation.
    out: Vec<u8>,
    idle_timeout: Duration,
    /// The read timeout the socket has now, so that we only make the syscall on a change.
    read_timeout: Duration,
}

/// Serves `stream` until the client closes, asks to close, breaks a rule, stays idle past
/// `config.idle_timeout`, or a response takes the connection over (`slot` goes with it). Never panics on client input; a panicking handler costs its
/// client a `500` and its connection, nothing more.
pub fn serve(stream: TcpStream, slot: ConnectionSlot, router: &Router, config: &ServerConfig) {
    let Ok(mut conn) = Connection::new(stream, config.idle_timeout) else {
        return;
    };
    loop {
        let request = match conn.read_request() {
            Ok(Some(request)) => request,
            Ok(None) | Err(ReadFailure::Io) => return,
            Err(ReadFailure::Refused(error)) => {
                eprintln!("refused: {error}");
                let answer = Response::text(error.status(), format!("{error}\n"));
                let _ = conn.send(&answer, Version::Http11, false, false);
                close_gracefully(&conn.stream);
                return;
            }
        };
        let (mut answer, keep_alive) = answer(router, &request);
        allow_origin(&mut answer, &request, config);
        let head_only = request.method == "HEAD";
        if conn
            .send(&answer, request.version, keep_alive, head_only)
            .is_err()
        {
            return;
        }
        if let Some(takeover) = answer.takeover.take().filter(|_| !head_only) {
            let Connection { stream, buf, .. } = conn;
            takeover(Handoff {
                stream,
                leftover: buf,
                slot,
            });
            return;
        }
        if !keep_alive {
            close_gracefully(&conn.stream);
            return;
        }
    }
}

/// Runs the handler; says whether the connection persists after its answer.
fn answer(router: &Router, request: &Request) -> (Response, bool) {
    match catch_unwind(AssertUnwindSafe(|| router.dispatch(request))) {
        Ok(answer) => {
            let keep_alive = request.keep_alive() && answer.takeover.is_none();
            (answer, keep_alive)
        }
        Err(_) => {
            let answer = Response::text(Status::INTERNAL_SERVER_ERROR, "handler panicked\n");
            (answer, false)
        }
    }
}

/// Adds `Access-Control-Allow-Origin` to answers to `GET` and `HEAD` (the contract's
/// `--allow-origin`), unless the handler chose one.
fn allow_origin(answer: &mut Response, request: &Request, config: &ServerConfig) {
    let readable = request.method == "GET" || request.method == "HEAD";
    if let Some(origin) = config.allow_origin.as_ref().filter(|_| readable) {
        if answer.field("access-control-allow-origin").is_none() {
            answer
                .fields
                .push(("Access-Control-Allow-Origin", origin.clone()));
        }
    }
}

impl Connection {
    fn new(stream: TcpStream, idle_timeout: Duration) -> io::Result<Self> {
        // Answers go out in one write each; Nagle's algorithm would only delay them.
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(idle_timeout))?;
        // A client that stops reading must not hold this thread forever either.
        stream.set_write_timeout(Some(idle_timeout))?;
        Ok(Connection {
            stream,
            buf: Vec::new(),
            out: Vec::new(),
            idle_timeout,
            read_timeout: idle_timeout,
        })
    }

    /// Reads the next request, or `Ok(None)` when the client closed or idled out between
    /// requests. The head and body together must arrive within one idle timeout of the
    /// request's first byte: a client trickling a byte every 29 s is still cut off.
    fn read_request(&mut self) -> Result<Option<Request>, ReadFailure> {
        if self.buf.is_empty() && self.fill(None)? == 0 {
            return Ok(None);
        }
        let deadline = Instant::now() + self.idle_timeout;
        let (
            Head {
                mut request,
                framing,
            },
            consumed,
        ) = loop {
            match parse_head(&self.buf)? {
                Decoded::Complete { value, consumed } => break (value, consumed),
                Decoded::Partial if self.fill(Some(deadline))? == 0 => {
                    return Err(RequestError::Malformed("connection closed inside the head").into());
                }
                Decoded::Partial => {}
            }
        };
        self.buf.drain(..consumed);
        if framing != BodyFraming::Empty && request.expects_continue() && self.buf.is_empty() {
            // RFC 9110 §10.1.1: the client waits (curl: up to 1 s) for this before its body.
            self.stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        request.body = match framing {
            BodyFraming::Empty => Vec::new(),
            BodyFraming::Length(len) => self.read_exact_body(len, deadline)?,
            BodyFraming::Chunked => self.read_chunked_body(deadline)?,
        };
        Ok(Some(request))
    }

    fn read_exact_body(&mut self, len: usize, deadline: Instant) -> Result<Vec<u8>, ReadFailure> {
        while self.buf.len() < len {
            if self.fill(Some(deadline))? == 0 {
                return Err(RequestError::Malformed("connection closed inside the body").into());
            }
        }
        Ok(self.buf.drain(..len).collect())
    }

    fn read_chunked_body(&mut self, deadline: Instant) -> Result<Vec<u8>, ReadFailure> {
        let mut body = Vec::new();
        loop {
            match decode_chunk(&self.buf, MAX_BODY_BYTES - body.len())? {
                Decoded::Complete {
                    value: Chunk::Last,
                    consumed,
                } => {
                    self.buf.drain(..consumed);
                    return Ok(body);
                }
                Decoded::Complete {
                    value: Chunk::Data { start, len },
                    consumed,
                } => {
                    body.extend_from_slice(&self.buf[start..start + len]);
                    self.buf.drain(..consumed);
                }
                Decoded::Partial if self.fill(Some(deadline))? == 0 => {
                    return Err(RequestError::Malformed("connection closed inside the body").into());
                }
                Decoded::Partial => {}
            }
        }
    }

    /// Reads once into the buffer; `Ok(0)` is end of stream. `deadline` is `None` while
    /// waiting for a new request (the idle timeout applies) and the request's deadline
    /// once it has started.
    fn fill(&mut self, deadline: Option<Instant>) -> io::Result<usize> {
        let timeout = match deadline {
            None => self.idle_timeout,
            Some(deadline) => deadline.saturating_duration_since(Instant::now()),
        };
        if timeout.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        if timeout != self.read_timeout {
            self.stream.set_read_timeout(Some(timeout))?;
            self.read_timeout = timeout;
        }
        let filled = self.buf.len();
        self.buf.resize(filled + READ_CHUNK, 0);
        let result = self.stream.read(&mut self.buf[filled..]);
        self.buf.truncate(filled + *result.as_ref().unwrap_or(&0));
        result
    }

    /// Writes `answer` in one `write` call. `Connection: close` tells the client we will
    /// close; an HTTP/1.0 client that asked to keep the connection is told `keep-alive`.
    fn send(
        &mut self,
        answer: &Response,
        version: Version,
        keep_alive: bool,
        head_only: bool,
    ) -> io::Result<()> {
        let connection = match (keep_alive, version) {
            // After 101 the handler's `Connection: Upgrade` says it all.
            _ if answer.status == Status::SWITCHING_PROTOCOLS => None,
            (false, _) => Some("close"),
            (true, Version::Http10) => Some("keep-alive"),
            (true, Version::Http11) => None,
        };
        self.out.clear();
        answer.write_to(
            &mut self.out,
            &http_date(SystemTime::now()),
            connection,
            head_only,
        );
        self.stream.write_all(&self.out)
    }
}

/// Closes without losing the answer just written. Closing a socket that still has unread
/// input makes the kernel send a reset, and a reset can destroy the answer in the client's
/// receive buffer before the client reads it. So: send FIN (half-close), then read and drop
/// what the client still sends, for a bounded time, and only then close.
pub(crate) fn close_gracefully(stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(LINGER_READ));
    let deadline = Instant::now() + LINGER;
    let mut sink = [0u8; READ_CHUNK];
    let mut drained = 0;
    while Instant::now() < deadline && drained < LINGER_MAX_BYTES {
        match (&*stream).read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}
