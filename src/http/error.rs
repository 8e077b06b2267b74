//! Why a request could not be read: one variant per broken rule, each with its status code.

use std::fmt;

use super::status::Status;

/// A request the server refuses before any handler sees it. After the answer
/// ([`RequestError::status`]) the connection is closed: once the framing of one message is
/// in doubt, the next message cannot be found reliably (RFC 9112 §9.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    /// The request line plus field lines passed [`MAX_HEAD_BYTES`](super::MAX_HEAD_BYTES),
    /// or had more than [`MAX_FIELD_LINES`](super::MAX_FIELD_LINES) field lines → `431`
    /// (RFC 6585 §5). Also used for an oversized chunked trailer section.
    HeadTooLarge,
    /// The message body is longer than [`MAX_BODY_BYTES`](super::MAX_BODY_BYTES) → `413`
    /// (RFC 9110 §15.5.14).
    BodyTooLarge,
    /// The bytes are not an HTTP/1.x request (httparse's reason, or ours) → `400`
    /// (RFC 9112 §2.2 and §3).
    Malformed(&'static str),
    /// An HTTP/1.1 request without exactly one `Host` field → `400` (RFC 9112 §3.2).
    BadHost,
    /// A `Content-Length` that is not digits, or two that disagree → `400` (RFC 9112 §6.3).
    BadContentLength,
    /// Both `Content-Length` and `Transfer-Encoding`: the two could frame the body
    /// differently, the root of request smuggling → `400` (RFC 9112 §6.3, §11.2).
    ContentLengthWithTransferEncoding,
    /// A transfer coding other than `chunked` alone → `501` (RFC 9112 §6.1).
    UnsupportedTransferCoding,
    /// `Transfer-Encoding` in an HTTP/1.0 request, which cannot carry it → `400`
    /// (RFC 9112 §6.1).
    TransferEncodingInHttp10,
}

impl RequestError {
    /// The status code that answers this error on the wire (the contract's table of bad
    /// input: LESSONS.md, Appendix: the wire contract).
    pub fn status(&self) -> Status {
        match self {
            RequestError::HeadTooLarge => Status::REQUEST_HEADER_FIELDS_TOO_LARGE,
            RequestError::BodyTooLarge => Status::CONTENT_TOO_LARGE,
            RequestError::UnsupportedTransferCoding => Status::NOT_IMPLEMENTED,
            RequestError::Malformed(_)
            | RequestError::BadHost
            | RequestError::BadContentLength
            | RequestError::ContentLengthWithTransferEncoding
            | RequestError::TransferEncodingInHttp10 => Status::BAD_REQUEST,
        }
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::HeadTooLarge => write!(f, "request head too large"),
            RequestError::BodyTooLarge => write!(f, "message body too large"),
            RequestError::Malformed(why) => write!(f, "malformed request: {why}"),
            RequestError::BadHost => write!(f, "HTTP/1.1 request needs exactly one Host field"),
            RequestError::BadContentLength => write!(f, "invalid Content-Length"),
            RequestError::ContentLengthWithTransferEncoding => {
                write!(f, "both Content-Length and Transfer-Encoding")
            }
            RequestError::UnsupportedTransferCoding => {
                write!(f, "only the chunked transfer coding is supported")
            }
            RequestError::TransferEncodingInHttp10 => {
                write!(f, "Transfer-Encoding in an HTTP/1.0 request")
            }
        }
    }
}

impl std::error::Error for RequestError {}
