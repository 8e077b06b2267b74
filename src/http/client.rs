//! A small HTTP/1.1 client: requests on one persistent connection, answers parsed with
//! httparse's response parser, every byte counted.
//!
//! ```text
//! GET /poll?since=3 HTTP/1.1\r\n          written by request()
//! Host: 127.0.0.1:8082\r\n
//! If-None-Match: "3"\r\n
//! \r\n
//!                                         read by read_answer(): the head, then
//! HTTP/1.1 304 Not Modified\r\n …         Content-Length bytes of body (none here)
//! ```
//!
//! It is the client side of lessons 1–3, for the load generator of lesson 8 (and the
//! tests behind a proxy): the server's answers always say where their body ends
//! (`Content-Length`), so that is all it reads. [`HttpClient::open_stream`] sends a
//! request whose answer has no end (an event stream) and hands back its body as it comes.
//!
//! Left out on purpose: chunked answers, redirects, TLS, and reconnecting (a caller that
//! gets an error opens a new client).

use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::ledger::Meter;

/// The most bytes an answer's head may take.
const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Bytes asked of the kernel per read.
const READ_CHUNK: usize = 16 * 1024;

/// An answer: status, field lines and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The field lines, names as sent.
    pub fields: Vec<(String, String)>,
    /// The body (empty for `HEAD`, 1xx, 204, 304, and for [`HttpClient::open_stream`]).
    pub body: Vec<u8>,
    /// Bytes the answer took on the wire, head and body.
    pub wire_len: usize,
}

impl Answer {
    /// The first value of field `name` (case-insensitive).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text, lossily.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A persistent connection to one server.
pub struct HttpClient {
    stream: TcpStream,
    host: String,
    /// Bytes read past the last answer.
    buf: Vec<u8>,
    meter: Meter,
}

impl HttpClient {
    /// Connects to `host` (`127.0.0.1:8082`); every read waits at most `timeout`; the
    /// bytes both ways count in `meter`.
    ///
    /// # Errors
    /// The `io::Error` of connecting or of setting the socket up.
    pub fn connect(host: &str, timeout: Duration, meter: Meter) -> io::Result<Self> {
        let stream = TcpStream::connect(host)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        Ok(HttpClient {
            stream,
            host: host.to_owned(),
            buf: Vec::new(),
            meter,
        })
    }

    /// The socket, for example to shut it down from another thread (`try_clone` it).
    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// Changes how long a read waits (a long poll may be held for a minute).
    ///
    /// # Errors
    /// The `io::Error` of `set_read_timeout`.
    pub fn set_timeout(&self, timeout: Duration) -> io::Result<()> {
        self.stream.set_read_timeout(Some(timeout))
    }

    /// `GET target` with `extra` field lines; waits for the whole answer.
    ///
    /// # Errors
    /// As for [`request`](Self::request).
    pub fn get(&mut self, target: &str, extra: &[(&str, &str)]) -> io::Result<Answer> {
        self.request("GET", target, extra, b"")
    }

    /// `POST target` with `body`; waits for the whole answer.
    ///
    /// # Errors
    /// As for [`request`](Self::request).
    pub fn post(&mut self, target: &str, body: &[u8]) -> io::Result<Answer> {
        self.request("POST", target, &[], body)
    }

    /// Sends `method target` with `extra` field lines and `body` (with its
    /// `Content-Length` when not empty), then reads the answer.
    ///
    /// # Errors
    /// The socket's errors; `InvalidData` for an answer that is not HTTP/1.1 or has no
    /// length; `UnexpectedEof` when the server closed first.
    pub fn request(
        &mut self,
        method: &str,
        target: &str,
        extra: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<Answer> {
        self.send(method, target, extra, body)?;
        let mut answer = self.read_head()?;
        let no_body = method == "HEAD" || matches!(answer.status, 100..=199 | 204 | 304);
        let len = match answer.field("content-length") {
            _ if no_body => 0,
            Some(len) => len
                .trim()
                .parse()
                .map_err(|_| invalid("bad Content-Length"))?,
            None => return Err(invalid("an answer without Content-Length")),
        };
        while self.buf.len() < len {
            self.fill()?;
        }
        answer.body = self.buf.drain(..len).collect();
        answer.wire_len += len;
        Ok(answer)
    }

    /// Sends `GET target` for an answer whose body has no end (an event stream) and
    /// returns its head and the body as a reader.
    ///
    /// # Errors
    /// As for [`request`](Self::request).
    pub fn open_stream(
        mut self,
        target: &str,
        extra: &[(&str, &str)],
    ) -> io::Result<(Answer, BodyReader)> {
        self.send("GET", target, extra, b"")?;
        let answer = self.read_head()?;
        let body = BodyReader {
            stream: self.stream,
            pending: self.buf,
            meter: self.meter,
        };
        Ok((answer, body))
    }

    fn send(
        &mut self,
        method: &str,
        target: &str,
        extra: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<()> {
        let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {}\r\n", self.host);
        for (name, value) in extra {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if !body.is_empty() {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        let mut request = head.into_bytes();
        request.extend_from_slice(body);
        self.stream.write_all(&request)?;
        self.meter.request();
        self.meter.wrote(request.len());
        Ok(())
    }

    /// Reads an answer's head; its body, if any, follows in `buf`.
    fn read_head(&mut self) -> io::Result<Answer> {
        loop {
            let mut slots = [httparse::EMPTY_HEADER; 64];
            let mut parsed = httparse::Response::new(&mut slots);
            match parsed.parse(&self.buf) {
                Ok(httparse::Status::Complete(consumed)) => {
                    let answer = Answer {
                        status: parsed.code.unwrap_or(0),
                        fields: (parsed.headers.iter())
                            .map(|f| {
                                let value = String::from_utf8_lossy(f.value).into_owned();
                                (f.name.to_owned(), value)
                            })
                            .collect(),
                        body: Vec::new(),
                        wire_len: consumed,
                    };
                    self.buf.drain(..consumed);
                    return Ok(answer);
                }
                Ok(httparse::Status::Partial) if self.buf.len() > MAX_HEAD_BYTES => {
                    return Err(invalid("answer head too long"));
                }
                Ok(httparse::Status::Partial) => self.fill()?,
                Err(_) => return Err(invalid("not an HTTP/1.1 answer")),
            }
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        let mut chunk = [0u8; READ_CHUNK];
        let n = self.stream.read(&mut chunk)?;
        if n == 0 {
            return Err(ErrorKind::UnexpectedEof.into());
        }
        self.meter.read(n);
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }
}

/// The body of an answer with no end, as it arrives; its bytes count in the client's
/// meter.
pub struct BodyReader {
    stream: TcpStream,
    pending: Vec<u8>,
    meter: Meter,
}

impl BodyReader {
    /// The socket, to shut it down from another thread (`try_clone` it).
    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }
}

impl Read for BodyReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if !self.pending.is_empty() {
            let n = out.len().min(self.pending.len());
            out[..n].copy_from_slice(&self.pending[..n]);
            self.pending.drain(..n);
            return Ok(n);
        }
        let n = self.stream.read(out)?;
        self.meter.read(n);
        Ok(n)
    }
}

fn invalid(what: &'static str) -> io::Error {
    io::Error::new(ErrorKind::InvalidData, what)
}
