//! Building a response and writing it as bytes (RFC 9112 §4 and §6).
//!
//! ```text
//! HTTP/1.1 200 OK\r\n                          status line: version, status code, reason phrase
//! Date: Sat, 21 Nov 2026 10:00:00 GMT\r\n      field lines
//! Content-Type: application/json\r\n
//! Content-Length: 25\r\n                       every answer says where its body ends
//! \r\n
//! {"events":[],"last_id":0}
//! ```

use std::fmt;
use std::io::Write;
use std::net::TcpStream;

use super::server::ConnectionSlot;
use super::status::Status;

/// `Content-Type` of plain text answers.
pub const TEXT: &str = "text/plain; charset=utf-8";
/// `Content-Type` of JSON answers (RFC 8259 §11: UTF-8, no charset parameter).
pub const JSON: &str = "application/json";
/// `Content-Type` of the pages.
pub const HTML: &str = "text/html; charset=utf-8";
/// `Content-Type` of the pages' script.
pub const JAVASCRIPT: &str = "text/javascript; charset=utf-8";

/// What a response that keeps the connection gets after its head is written: the socket,
/// any bytes the client sent after its request (the start of a WebSocket's first frame),
/// and the connection's place under `--max-connections`, held for as long as it lives.
pub struct Handoff {
    /// The client's socket, with the server's read and write timeouts still set.
    pub stream: TcpStream,
    /// Bytes already read past the request's head and body.
    pub leftover: Vec<u8>,
    /// Dropping it frees the connection's place under the cap.
    pub slot: ConnectionSlot,
}

/// Code that takes over the connection after the head: an event stream, a WebSocket.
pub type Takeover = Box<dyn FnOnce(Handoff) + Send>;

/// A response: status, field lines and a complete message body, or a takeover.
///
/// The connection adds `Date`, `Content-Length` and, when it will close or keep an
/// HTTP/1.0 connection open, `Connection`; handlers set everything else.
pub struct Response {
    /// The status code.
    pub status: Status,
    /// Field lines (name, value) in the order they are written.
    pub fields: Vec<(&'static str, String)>,
    /// The message body; dropped on the wire for `HEAD` and for 1xx/204/304.
    pub body: Vec<u8>,
    /// When set, the head goes out without `Content-Length` and this runs with the
    /// connection instead of a body: a body delimited by closing (an event stream,
    /// RFC 9112 §6.3 item 8) or, after `101`, another protocol.
    pub takeover: Option<Takeover>,
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("fields", &self.fields)
            .field("body", &String::from_utf8_lossy(&self.body))
            .field("takeover", &self.takeover.is_some())
            .finish()
    }
}

impl Response {
    /// A response with `status`, no fields and an empty body.
    pub fn new(status: Status) -> Self {
        Response {
            status,
            fields: Vec::new(),
            body: Vec::new(),
            takeover: None,
        }
    }

    /// Makes this a response whose body is not a byte string but `takeover`, which runs
    /// on the connection's thread once the head is written.
    pub fn with_takeover(mut self, takeover: impl FnOnce(Handoff) + Send + 'static) -> Self {
        self.takeover = Some(Box::new(takeover));
        self
    }

    /// Adds the field line `name: value`. `value` must not hold CR or LF; handlers pass
    /// constants and numbers, never client text.
    pub fn with_field(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.fields.push((name, value.into()));
        self
    }

    /// Sets the message body and its `Content-Type`.
    pub fn with_body(self, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        let mut response = self.with_field("Content-Type", content_type);
        response.body = body.into();
        response
    }

    /// A `text/plain` answer: `status` and `text`.
    pub fn text(status: Status, text: impl Into<String>) -> Self {
        Response::new(status).with_body(TEXT, text.into())
    }

    /// A `200 OK` `application/json` answer with `json` (already serialised) as its body.
    pub fn json(json: impl Into<String>) -> Self {
        Response::new(Status::OK).with_body(JSON, json.into())
    }

    /// The first value of field `name` (case-insensitive), if set.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Appends the response as HTTP/1.1 bytes to `out`: status line, `Date: {date}`, the
    /// fields, `Content-Length` (left out where RFC 9110 §6.4.1 forbids a body, and for a
    /// takeover, whose body has no length),
    /// `Connection: {connection}` if given, the empty line, then the body unless
    /// `head_only` (the answer to `HEAD`, RFC 9110 §9.3.2, has the same fields as `GET`
    /// but no body).
    pub fn write_to(
        &self,
        out: &mut Vec<u8>,
        date: &str,
        connection: Option<&str>,
        head_only: bool,
    ) {
        // Writing into a Vec cannot fail.
        let _ = write!(out, "HTTP/1.1 {}\r\nDate: {date}\r\n", self.status);
        for (name, value) in &self.fields {
            let _ = write!(out, "{name}: {value}\r\n");
        }
        if !self.status.forbids_body() && self.takeover.is_none() {
            let _ = write!(out, "Content-Length: {}\r\n", self.body.len());
        }
        if let Some(connection) = connection {
            let _ = write!(out, "Connection: {connection}\r\n");
        }
        out.extend_from_slice(b"\r\n");
        if !head_only && !self.status.forbids_body() {
            out.extend_from_slice(&self.body);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_response_is_written_as_status_line_fields_length_and_body() {
        let mut out = Vec::new();
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        Response::text(Status::OK, "hi\n").write_to(&mut out, date, Some("close"), false);
        let expected = "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\
            Content-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\n\
            Connection: close\r\n\r\nhi\n";
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    #[test]
    fn head_keeps_the_length_but_drops_the_body_and_304_has_neither() {
        let mut out = Vec::new();
        Response::text(Status::OK, "hi\n").write_to(&mut out, "D", None, true);
        assert!(out.ends_with(b"Content-Length: 3\r\n\r\n"));
        out.clear();
        Response::new(Status::NOT_MODIFIED).write_to(&mut out, "D", None, false);
        assert_eq!(out, b"HTTP/1.1 304 Not Modified\r\nDate: D\r\n\r\n");
    }
}
