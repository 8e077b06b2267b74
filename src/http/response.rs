//! Building a response and writing it as bytes (RFC 9112 §4 and §6): a pure codec, no
//! socket in sight.
//!
//! ```text
//! HTTP/1.1 200 OK\r\n                          status line: version, status code, reason phrase
//! Date: Sat, 21 Nov 2026 10:00:00 GMT\r\n      field lines
//! Content-Type: application/json\r\n
//! Content-Length: 25\r\n                       every answer says where its body ends…
//! \r\n
//! {"events":[],"last_id":0}
//! ```
//!
//! …except an answer whose body is open-ended ([`Framing::Open`]): an event stream, which
//! ends when the connection does, and a `101`, after which the bytes are another protocol.

use std::fmt;
use std::io::Write;

use super::status::Status;

/// `Content-Type` of plain text answers.
pub const TEXT: &str = "text/plain; charset=utf-8";
/// `Content-Type` of JSON answers (RFC 8259 §11: UTF-8, no charset parameter).
pub const JSON: &str = "application/json";
/// `Content-Type` of the pages.
pub const HTML: &str = "text/html; charset=utf-8";
/// `Content-Type` of the pages' script.
pub const JAVASCRIPT: &str = "text/javascript; charset=utf-8";

/// How the message body follows the head on the wire (RFC 9112 §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `Content-Length`, then the body.
    Length,
    /// `Content-Length` but no body: the answer to `HEAD` (RFC 9110 §9.3.2) has the same
    /// fields as the answer to `GET`.
    HeadOnly,
    /// No `Content-Length` and no body here: what follows the head is written by whoever
    /// takes the connection over, until it closes (RFC 9112 §6.3 item 8) or, after `101`,
    /// in another protocol.
    Open,
}

/// The `Connection` field the server adds (RFC 9112 §9.3, §9.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionField {
    /// None: HTTP/1.1 persists by default, and a `101` carries the handler's `Upgrade`.
    Omitted,
    /// `Connection: close`: this is the last answer on the connection.
    Close,
    /// `Connection: keep-alive`: an HTTP/1.0 client asked for a persistent connection.
    KeepAlive,
}

/// A response: status, field lines and a complete message body.
///
/// The connection adds `Date`, `Content-Length` and, when it will close or keep an
/// HTTP/1.0 connection open, `Connection`; handlers set everything else.
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: Status,
    /// Field lines (name, value) in the order they are written.
    pub fields: Vec<(&'static str, String)>,
    /// The message body; dropped on the wire for `HEAD` and for 1xx/204/304.
    pub body: Vec<u8>,
    /// How many events of the event log the body carries: counted in the server's
    /// ledger (`/stats`), never sent.
    pub events: usize,
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("fields", &self.fields)
            .field("body", &String::from_utf8_lossy(&self.body))
            .field("events", &self.events)
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
            events: 0,
        }
    }

    /// Notes that the body carries `events` events of the log, for the ledger.
    pub fn carrying(mut self, events: usize) -> Self {
        self.events = events;
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
    /// fields, `Content-Length` (unless [`Framing::Open`], or where RFC 9110 §6.4.1
    /// forbids a body), the `Connection` field if any, the empty line, then the body for
    /// [`Framing::Length`].
    pub fn write_to(
        &self,
        out: &mut Vec<u8>,
        date: &str,
        framing: Framing,
        connection: ConnectionField,
    ) {
        // Writing into a Vec cannot fail.
        let _ = write!(out, "HTTP/1.1 {}\r\nDate: {date}\r\n", self.status);
        for (name, value) in &self.fields {
            let _ = write!(out, "{name}: {value}\r\n");
        }
        let has_body = !self.status.forbids_body();
        if has_body && framing != Framing::Open {
            let _ = write!(out, "Content-Length: {}\r\n", self.body.len());
        }
        match connection {
            ConnectionField::Omitted => {}
            ConnectionField::Close => out.extend_from_slice(b"Connection: close\r\n"),
            ConnectionField::KeepAlive => out.extend_from_slice(b"Connection: keep-alive\r\n"),
        }
        out.extend_from_slice(b"\r\n");
        if has_body && framing == Framing::Length {
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
        Response::text(Status::OK, "hi\n").write_to(
            &mut out,
            date,
            Framing::Length,
            ConnectionField::Close,
        );
        let expected = "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\
            Content-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\n\
            Connection: close\r\n\r\nhi\n";
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    #[test]
    fn head_keeps_the_length_but_drops_the_body_and_304_has_neither() {
        let mut out = Vec::new();
        let hi = Response::text(Status::OK, "hi\n");
        hi.write_to(&mut out, "D", Framing::HeadOnly, ConnectionField::Omitted);
        assert!(out.ends_with(b"Content-Length: 3\r\n\r\n"));
        out.clear();
        Response::new(Status::NOT_MODIFIED).write_to(
            &mut out,
            "D",
            Framing::Length,
            ConnectionField::Omitted,
        );
        assert_eq!(out, b"HTTP/1.1 304 Not Modified\r\nDate: D\r\n\r\n");
    }

    #[test]
    fn an_open_body_has_no_length_and_nothing_after_the_head() {
        let mut out = Vec::new();
        let stream = Response::new(Status::OK).with_field("Content-Type", "text/event-stream");
        stream.write_to(&mut out, "D", Framing::Open, ConnectionField::Close);
        assert_eq!(
            out,
            b"HTTP/1.1 200 OK\r\nDate: D\r\nContent-Type: text/event-stream\r\n\
              Connection: close\r\n\r\n"
        );
    }
}
