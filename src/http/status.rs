//! Status codes with the reason phrases RFC 9110 §15 gives them.

use std::fmt;

/// An HTTP status code (RFC 9110 §15), three digits, `100..=599`.
///
/// Only the codes this crate sends have constants; [`Status::reason`] gives the RFC's
/// reason phrase for the status line (`HTTP/1.1 413 Content Too Large`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Status(pub u16);

impl Status {
    /// `100 Continue` (RFC 9110 §15.2.1): "send the message body now".
    pub const CONTINUE: Status = Status(100);
    /// `101 Switching Protocols` (RFC 9110 §15.2.2), used by the WebSocket handshake.
    pub const SWITCHING_PROTOCOLS: Status = Status(101);
    /// `200 OK` (RFC 9110 §15.3.1).
    pub const OK: Status = Status(200);
    /// `204 No Content` (RFC 9110 §15.3.5).
    pub const NO_CONTENT: Status = Status(204);
    /// `304 Not Modified` (RFC 9110 §15.4.5): the client's copy (its `ETag`) is current.
    pub const NOT_MODIFIED: Status = Status(304);
    /// `400 Bad Request` (RFC 9110 §15.5.1): a malformed request.
    pub const BAD_REQUEST: Status = Status(400);
    /// `401 Unauthorized` (RFC 9110 §15.5.2): sent with a `WWW-Authenticate` challenge.
    pub const UNAUTHORIZED: Status = Status(401);
    /// `403 Forbidden` (RFC 9110 §15.5.4).
    pub const FORBIDDEN: Status = Status(403);
    /// `404 Not Found` (RFC 9110 §15.5.5): no route has this path.
    pub const NOT_FOUND: Status = Status(404);
    /// `405 Method Not Allowed` (RFC 9110 §15.5.6): sent with an `Allow` field.
    pub const METHOD_NOT_ALLOWED: Status = Status(405);
    /// `413 Content Too Large` (RFC 9110 §15.5.14): the message body is over the limit.
    pub const CONTENT_TOO_LARGE: Status = Status(413);
    /// `426 Upgrade Required` (RFC 9110 §15.5.22).
    pub const UPGRADE_REQUIRED: Status = Status(426);
    /// `431 Request Header Fields Too Large` (RFC 6585 §5): the head is over the limit.
    pub const REQUEST_HEADER_FIELDS_TOO_LARGE: Status = Status(431);
    /// `500 Internal Server Error` (RFC 9110 §15.6.1).
    pub const INTERNAL_SERVER_ERROR: Status = Status(500);
    /// `501 Not Implemented` (RFC 9110 §15.6.2): a transfer coding we do not decode.
    pub const NOT_IMPLEMENTED: Status = Status(501);
    /// `503 Service Unavailable` (RFC 9110 §15.6.4): sent with `Retry-After` when full.
    pub const SERVICE_UNAVAILABLE: Status = Status(503);

    /// The reason phrase for the status line, as RFC 9110 §15 (and RFC 6585 for 431)
    /// spells it; `""` for a code it does not name, which RFC 9112 §4 allows.
    pub fn reason(self) -> &'static str {
        match self.0 {
            100 => "Continue",
            101 => "Switching Protocols",
            200 => "OK",
            204 => "No Content",
            304 => "Not Modified",
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            413 => "Content Too Large",
            426 => "Upgrade Required",
            431 => "Request Header Fields Too Large",
            500 => "Internal Server Error",
            501 => "Not Implemented",
            503 => "Service Unavailable",
            _ => "",
        }
    }

    /// Whether RFC 9110 §6.4.1 forbids a message body (and so `Content-Length` is left out
    /// here): 1xx, 204 and 304.
    pub fn forbids_body(self) -> bool {
        self.0 < 200 || self.0 == 204 || self.0 == 304
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.reason())
    }
}
