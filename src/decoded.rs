//! What a decoder found at the front of a buffer: a whole value, or not enough bytes yet.
//!
//! Every wire format in this crate (a request head, a chunk of a chunked body, later an SSE
//! line and a WebSocket frame) is decoded by a pure function over `&[u8]` that answers with
//! this one type, in the manner of `httparse::Status`. The socket loop around it reads more
//! bytes on [`Decoded::Partial`] and drops `consumed` bytes from its buffer on
//! [`Decoded::Complete`]; the bytes after them belong to whatever comes next.

/// The result of decoding from the front of a byte buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded<T> {
    /// A whole value was found in the first `consumed` bytes of the buffer.
    Complete {
        /// The decoded value.
        value: T,
        /// How many bytes of the buffer it used; the caller drains exactly these.
        consumed: usize,
    },
    /// The buffer holds the start of a value but not all of it: read more and call again.
    Partial,
}
