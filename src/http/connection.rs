//! One connection's loop: read a request, answer it, repeat while the connection persists.
//!
//! The loop owns the socket and one buffer. It asks the pure parsers ([`parse_head`],
//! [`decode_chunk`]) what the front of the buffer holds; on *partial* it reads more, on
//! *complete* it drains the bytes used. Whatever is left belongs to the next request, which
//! is how pipelined requests (several sent before the first answer) are answered in order.
//!
//! A handler's [`Reply`] is an answer (written, then the loop goes on) or, from lesson 4
//! on, a takeover: the head is written and the socket leaves the loop for good.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant, SystemTime};

use super::chunked::{Chunk, decode_chunk};
use super::config::{ServerConfig, server_name};
use super::date::http_date;
use super::error::RequestError;
use super::linger::close_gracefully;
use super::reply::{Handoff, Reply, Takeover};
use super::request::{BodyFraming, Head, MAX_BODY_BYTES, Request, Version, parse_head};
use super::response::{ConnectionField, Framing, Response};
use super::router::Router;
use super::slot::ConnectionSlot;
use super::status::Status;
use crate::decoded::Decoded;
use crate::ledger::Transport;

/// Bytes asked of the kernel per `read`. A typical request head fits in one.
const READ_CHUNK: usize = 4096;

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
    /// The connection's place under the cap, and where its bytes are counted.
    slot: ConnectionSlot,
    /// Bytes of the request being read taken from `buf` so far, for the ledger.
    used: usize,
}

/// Serves `stream` until the client closes, asks to close, breaks a rule, stays idle past
/// `config.idle_timeout`, or a reply takes the connection over (`slot` goes with it).
/// Never panics on client input; a panicking handler costs its client a `500` and its
/// connection, nothing more.
pub fn serve(stream: TcpStream, slot: ConnectionSlot, router: &Router, config: &ServerConfig) {
    let Ok(mut conn) = Connection::new(stream, config.idle_timeout, slot) else {
        return;
    };
    loop {
        let request = match conn.read_request() {
            Ok(Some(request)) => request,
            Ok(None) | Err(ReadFailure::Io) => return,
            Err(ReadFailure::Refused(error)) => return conn.refuse(&error),
        };
        // Counted as open by its path first, so that a parked long poll counts as one.
        conn.slot.count_as(Transport::of_path(request.path()));
        let reply = dispatch(router, &request);
        conn.count_request(
            reply
                .as_ref()
                .map_or(Transport::Other, |r| transport_of(r, &request)),
        );
        let Some(mut reply) = reply else {
            let answer = Response::text(Status::INTERNAL_SERVER_ERROR, "handler panicked\n");
            return conn.send_last(&answer);
        };
        allow_origin(reply.head_mut(), &request, config);
        if let Some(name) = server_name() {
            reply.head_mut().fields.push(("X-Server", name.to_owned()));
        }
        match reply {
            Reply::Answer(answer) if !request.keep_alive() => return conn.send_last(&answer),
            Reply::Answer(answer) => {
                let connection = match request.version {
                    Version::Http10 => ConnectionField::KeepAlive,
                    Version::Http11 => ConnectionField::Omitted,
                };
                if conn.send(&answer, framing(&request), connection).is_err() {
                    return;
                }
            }
            // Lessons 4 and 5: the socket leaves this loop for good.
            Reply::Takeover(head, takeover) => return conn.hand_over(&request, &head, takeover),
        }
    }
}

/// Runs the handler; `None` if it panicked.
fn dispatch(router: &Router, request: &Request) -> Option<Reply> {
    catch_unwind(AssertUnwindSafe(|| router.dispatch(request))).ok()
}

/// Which transport a reply belongs to in the ledger: a `101` starts a WebSocket, any
/// other takeover is an event stream, an answer goes by its path.
fn transport_of(reply: &Reply, request: &Request) -> Transport {
    match reply {
        Reply::Takeover(head, _) if head.status == Status::SWITCHING_PROTOCOLS => Transport::Ws,
        Reply::Takeover(..) => Transport::Sse,
        Reply::Answer(_) => Transport::of_path(request.path()),
    }
}

/// `HEAD` gets the head of the answer `GET` would get, without its body (RFC 9110 §9.3.2).
fn framing(request: &Request) -> Framing {
    match request.method.as_str() {
        "HEAD" => Framing::HeadOnly,
        _ => Framing::Length,
    }
}

/// Adds `Access-Control-Allow-Origin` to answers to `GET` and `HEAD` (the contract's
/// `--allow-origin`: LESSONS.md, Appendix: the wire contract), unless the handler chose one.
fn allow_origin(answer: &mut Response, request: &Request, config: &ServerConfig) {
    // Every GET answer, which may be cached and shared; any other answer only when a
    // browser asks (it sends `Origin` on cross-origin requests and preflights, lesson 11).
    let readable =
        request.method == "GET" || request.method == "HEAD" || request.field("origin").is_some();
    if let Some(origin) = config.allow_origin.as_ref().filter(|_| readable) {
        if answer.field("access-control-allow-origin").is_none() {
            answer
                .fields
                .push(("Access-Control-Allow-Origin", origin.clone()));
        }
    }
}

impl Connection {
    fn new(stream: TcpStream, idle_timeout: Duration, slot: ConnectionSlot) -> io::Result<Self> {
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
            slot,
            used: 0,
        })
    }

    /// Takes the next `n` bytes of the request from the buffer.
    fn take(&mut self, n: usize) -> Vec<u8> {
        self.used += n;
        self.buf.drain(..n).collect()
    }

    /// The request just read counts as one of `transport`'s, with its bytes.
    fn count_request(&mut self, transport: Transport) {
        self.slot.count_as(transport);
        self.slot.meter().request();
        self.slot.meter().read(std::mem::take(&mut self.used));
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
        self.take(consumed);
        if framing != BodyFraming::Empty && request.expects_continue() && self.buf.is_empty() {
            // RFC 9110 §10.1.1: the client waits (curl: up to 1 s) for this before its body.
            let interim = format!("HTTP/1.1 {}\r\n\r\n", Status::CONTINUE);
            self.stream.write_all(interim.as_bytes())?;
            self.slot.meter().wrote(interim.len());
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
        Ok(self.take(len))
    }

    fn read_chunked_body(&mut self, deadline: Instant) -> Result<Vec<u8>, ReadFailure> {
        let mut body = Vec::new();
        loop {
            match decode_chunk(&self.buf, MAX_BODY_BYTES - body.len())? {
                Decoded::Complete {
                    value: Chunk::Last,
                    consumed,
                } => {
                    self.take(consumed);
                    return Ok(body);
                }
                Decoded::Complete {
                    value: Chunk::Data { start, len },
                    consumed,
                } => {
                    body.extend_from_slice(&self.buf[start..start + len]);
                    self.take(consumed);
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

    /// Writes `answer` in one `write` call.
    fn send(
        &mut self,
        answer: &Response,
        framing: Framing,
        connection: ConnectionField,
    ) -> io::Result<()> {
        self.out.clear();
        let date = http_date(SystemTime::now());
        answer.write_to(&mut self.out, &date, framing, connection);
        self.stream.write_all(&self.out)?;
        self.slot.meter().wrote(self.out.len());
        self.slot.meter().delivered(answer.events);
        Ok(())
    }

    /// Writes `answer` with `Connection: close`, then closes.
    fn send_last(&mut self, answer: &Response) {
        if self
            .send(answer, Framing::Length, ConnectionField::Close)
            .is_ok()
        {
            close_gracefully(&self.stream);
        }
    }

    /// The request broke a rule: its status, a line saying which, and close.
    fn refuse(&mut self, error: &RequestError) {
        eprintln!("refused: {error}");
        self.used += self.buf.len(); // what was read of it, refused
        self.count_request(Transport::Other);
        self.send_last(&Response::text(error.status(), format!("{error}\n")));
    }

    /// Writes a takeover's head with no `Content-Length` and hands the socket over, with
    /// the bytes read past the request. An event stream's head says `Connection: close`
    /// (its body ends when the connection does); a `101` carries the handler's
    /// `Connection: Upgrade`. `HEAD` gets the head alone.
    fn hand_over(mut self, request: &Request, head: &Response, takeover: Takeover) {
        let connection = match head.status {
            Status::SWITCHING_PROTOCOLS => ConnectionField::Omitted,
            _ => ConnectionField::Close,
        };
        if self.send(head, Framing::Open, connection).is_err() {
            return;
        }
        if request.method == "HEAD" {
            return close_gracefully(&self.stream);
        }
        takeover(Handoff {
            stream: self.stream,
            leftover: self.buf,
            slot: self.slot,
        });
    }
}
