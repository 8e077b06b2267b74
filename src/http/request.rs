//! The request head: parsed with `httparse`, checked against RFC 9112, framed for its body.
//!
//! ```text
//! POST /publish HTTP/1.1\r\n          request line: method, request target, version
//! Host: 127.0.0.1:8080\r\n            field lines: name ":" value
//! Content-Length: 5\r\n
//! \r\n                                empty line: the head ends here
//! hello                               message body, 5 bytes (Content-Length)
//! ```
//!
//! [`parse_head`] is pure: it looks at the front of a buffer and answers *complete, with
//! the bytes it used* or *partial*. What follows the head is the body, or the next
//! pipelined request; the connection loop in [`super::connection`] owns the socket.

use super::error::RequestError;
use crate::decoded::Decoded;

/// The most bytes a request line plus its field lines (and the empty line) may take: 8 KiB.
pub const MAX_HEAD_BYTES: usize = 8 * 1024;
/// The most bytes a message body may have, after chunked decoding: 64 KiB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The most field lines one head may have; more gets `431` like an oversized head.
pub const MAX_FIELD_LINES: usize = 64;

/// The protocol version from the request line (RFC 9112 §2.3). httparse reads only 1.x.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// `HTTP/1.0`: one request per connection unless `Connection: keep-alive`.
    Http10,
    /// `HTTP/1.1`: persistent connections unless `Connection: close`.
    Http11,
}

/// One field line (RFC 9110 §5): a name (case-insensitive) and its value, trimmed of
/// surrounding whitespace. The value is kept as bytes because RFC 9110 §5.5 allows
/// obs-text (bytes over 0x7F) that need not be UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The field name as sent (`Content-Length`); compare with `eq_ignore_ascii_case`.
    pub name: String,
    /// The field value as sent.
    pub value: Vec<u8>,
}

/// How the message body after the head is delimited (RFC 9112 §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFraming {
    /// No body: neither `Content-Length` nor `Transfer-Encoding` (a request's body is
    /// never delimited by closing the connection).
    Empty,
    /// Exactly this many bytes follow (`Content-Length`), at most [`MAX_BODY_BYTES`].
    Length(usize),
    /// `Transfer-Encoding: chunked`; see [`super::chunked`].
    Chunked,
}

/// A request: the parsed head and, once read, the message body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method token, case-sensitive (`GET`, `POST`, RFC 9110 §9.1).
    pub method: String,
    /// The request target as sent (`/poll?since=3`), RFC 9112 §3.2.
    pub target: String,
    /// The protocol version.
    pub version: Version,
    /// The field lines, in order.
    pub fields: Vec<Field>,
    /// The message body (decoded if it was chunked); empty when there was none.
    pub body: Vec<u8>,
}

/// A parsed head and the framing of the body that follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The request, with an empty body for now.
    pub request: Request,
    /// How to read its body.
    pub framing: BodyFraming,
}

/// Parses a request head from the front of `buf`.
///
/// Returns [`Decoded::Partial`] while the empty line that ends the head has not arrived,
/// and `Complete { consumed }` with the head's length in bytes otherwise.
///
/// # Errors
/// - [`RequestError::HeadTooLarge`]: more than [`MAX_HEAD_BYTES`] without the end of the
///   head, or more than [`MAX_FIELD_LINES`] field lines (RFC 6585 §5).
/// - [`RequestError::Malformed`]: httparse's syntax checks (RFC 9112 §3, §5), or a request
///   target that is not origin-form, absolute-form or `*` (RFC 9112 §3.2).
/// - [`RequestError::BadHost`], [`RequestError::BadContentLength`],
///   [`RequestError::ContentLengthWithTransferEncoding`],
///   [`RequestError::UnsupportedTransferCoding`], [`RequestError::TransferEncodingInHttp10`]:
///   see [`body_framing`].
pub fn parse_head(buf: &[u8]) -> Result<Decoded<Head>, RequestError> {
    let mut slots = [httparse::EMPTY_HEADER; MAX_FIELD_LINES];
    let mut parsed = httparse::Request::new(&mut slots);
    let consumed = match parsed.parse(buf) {
        Ok(httparse::Status::Complete(n)) if n <= MAX_HEAD_BYTES => n,
        Ok(httparse::Status::Complete(_)) => return Err(RequestError::HeadTooLarge),
        Ok(httparse::Status::Partial) if buf.len() < MAX_HEAD_BYTES => return Ok(Decoded::Partial),
        Ok(httparse::Status::Partial) => return Err(RequestError::HeadTooLarge),
        Err(httparse::Error::TooManyHeaders) => return Err(RequestError::HeadTooLarge),
        Err(e) => return Err(RequestError::Malformed(syntax_error(e))),
    };
    let request = into_request(&parsed)?;
    let framing = body_framing(&request)?;
    Ok(Decoded::Complete {
        value: Head { request, framing },
        consumed,
    })
}

/// httparse's reason, in the words of RFC 9112.
fn syntax_error(error: httparse::Error) -> &'static str {
    match error {
        httparse::Error::HeaderName => "invalid field name",
        httparse::Error::HeaderValue => "invalid field value",
        httparse::Error::NewLine => "invalid line ending",
        httparse::Error::Token => "invalid method token",
        httparse::Error::Version => "not HTTP/1.0 or HTTP/1.1",
        _ => "invalid request line",
    }
}

fn into_request(parsed: &httparse::Request<'_, '_>) -> Result<Request, RequestError> {
    // httparse returns Complete only with all three parts of the request line present.
    let (Some(method), Some(target), Some(minor)) = (parsed.method, parsed.path, parsed.version)
    else {
        return Err(RequestError::Malformed("incomplete request line"));
    };
    let origin_form = target.starts_with('/');
    let absolute_form = target.starts_with("http://") || target.starts_with("https://");
    if !(origin_form || absolute_form || target == "*") {
        return Err(RequestError::Malformed("invalid request target"));
    }
    let fields = parsed
        .headers
        .iter()
        .map(|h| Field {
            name: h.name.to_owned(),
            value: h.value.to_owned(),
        })
        .collect();
    let version = if minor == 0 {
        Version::Http10
    } else {
        Version::Http11
    };
    let request = Request {
        method: method.to_owned(),
        target: target.to_owned(),
        version,
        fields,
        body: Vec::new(),
    };
    // RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any
    // HTTP/1.1 request message that lacks a Host header field and to any request message
    // that contains more than one Host header field line".
    let hosts = request.fields_named("host").count();
    if hosts > 1 || (version == Version::Http11 && hosts == 0) {
        return Err(RequestError::BadHost);
    }
    Ok(request)
}

/// Decides how the body of `request` is delimited (RFC 9112 §6.3).
///
/// # Errors
/// - [`RequestError::ContentLengthWithTransferEncoding`]: both fields present (§6.3 item 3;
///   we refuse rather than guess, which closes the door on request smuggling, §11.2).
/// - [`RequestError::TransferEncodingInHttp10`]: `Transfer-Encoding` in HTTP/1.0 (§6.1).
/// - [`RequestError::UnsupportedTransferCoding`]: a coding list other than `chunked` (§6.1).
/// - [`RequestError::BadContentLength`]: not 1*DIGIT, or values that differ (§6.3 item 5).
/// - [`RequestError::BodyTooLarge`]: a length over [`MAX_BODY_BYTES`].
pub fn body_framing(request: &Request) -> Result<BodyFraming, RequestError> {
    let has_length = request.fields_named("content-length").next().is_some();
    let codings: Vec<&[u8]> = request
        .fields_named("transfer-encoding")
        .flat_map(|value| value.split(|&b| b == b','))
        .map(|token| token.trim_ascii())
        .collect();
    if !codings.is_empty() {
        if has_length {
            return Err(RequestError::ContentLengthWithTransferEncoding);
        }
        if request.version == Version::Http10 {
            return Err(RequestError::TransferEncodingInHttp10);
        }
        return match codings.as_slice() {
            [only] if only.eq_ignore_ascii_case(b"chunked") => Ok(BodyFraming::Chunked),
            _ => Err(RequestError::UnsupportedTransferCoding),
        };
    }
    if !has_length {
        return Ok(BodyFraming::Empty);
    }
    // "Content-Length: 5, 5" and two "Content-Length: 5" lines are one length (§6.3).
    let mut length = None;
    for token in request
        .fields_named("content-length")
        .flat_map(|v| v.split(|&b| b == b','))
    {
        let n = parse_length(token.trim_ascii())?;
        if length.is_some_and(|seen| seen != n) {
            return Err(RequestError::BadContentLength);
        }
        length = Some(n);
    }
    match length {
        Some(n) if n > MAX_BODY_BYTES as u64 => Err(RequestError::BodyTooLarge),
        Some(0) => Ok(BodyFraming::Empty),
        Some(n) => Ok(BodyFraming::Length(n as usize)),
        None => Err(RequestError::BadContentLength),
    }
}

/// `Content-Length = 1*DIGIT` (RFC 9110 §8.6); a number too big for u64 is simply too large.
fn parse_length(digits: &[u8]) -> Result<u64, RequestError> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(RequestError::BadContentLength);
    }
    let text = std::str::from_utf8(digits).map_err(|_| RequestError::BadContentLength)?;
    Ok(text.parse().unwrap_or(u64::MAX))
}

/// Whether a comma-separated field value (`keep-alive, Upgrade`) lists `token`, compared
/// ASCII case-insensitively (RFC 9110 §5.6.1). Used for requests and, by the WebSocket
/// client, for the answer to its handshake.
pub fn lists_token(value: &[u8], token: &str) -> bool {
    value
        .split(|&b| b == b',')
        .any(|t| t.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
}

impl Request {
    /// The values of every field named `name` (ASCII case-insensitive), in order.
    pub fn fields_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.fields
            .iter()
            .filter(move |f| f.name.eq_ignore_ascii_case(name))
            .map(|f| f.value.as_slice())
    }

    /// The first field named `name`, if its value is UTF-8.
    pub fn field(&self, name: &str) -> Option<&str> {
        let field = self
            .fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))?;
        std::str::from_utf8(&field.value).ok()
    }

    /// Whether a comma-separated field (`Connection: keep-alive, Upgrade`) lists `token`,
    /// compared ASCII case-insensitively (RFC 9110 §5.6.1).
    pub fn field_has_token(&self, name: &str, token: &str) -> bool {
        self.fields_named(name)
            .any(|value| lists_token(value, token))
    }

    /// The path of the request target, without the query: `/poll` for `/poll?since=3`.
    /// For the absolute form (`http://host/poll`) the scheme and authority are dropped.
    pub fn path(&self) -> &str {
        let target = self
            .target
            .split_once("://")
            .map_or(self.target.as_str(), |(_, rest)| {
                rest.find('/').map_or("/", |i| &rest[i..])
            });
        target.split_once('?').map_or(target, |(path, _)| path)
    }

    /// The raw value of query parameter `name` (`since` in `?since=3` → `"3"`), not
    /// percent-decoded: the parameters this crate reads are plain numbers.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        let (_, query) = self.target.split_once('?')?;
        query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (key == name).then_some(value)
        })
    }

    /// Whether the connection stays open after the answer (RFC 9112 §9.3): HTTP/1.1 unless
    /// `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
    pub fn keep_alive(&self) -> bool {
        match self.version {
            Version::Http11 => !self.field_has_token("connection", "close"),
            Version::Http10 => self.field_has_token("connection", "keep-alive"),
        }
    }

    /// Whether the client waits for `100 Continue` before sending its body
    /// (RFC 9110 §10.1.1; ignored for HTTP/1.0, which has no 1xx answers).
    pub fn expects_continue(&self) -> bool {
        self.version == Version::Http11 && self.field_has_token("expect", "100-continue")
    }
}
