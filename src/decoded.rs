//! What a decoder found at the front of a buffer: a whole value, or not enough bytes yet.
//!
//! The wire formats this crate reads from a socket (a request head, a chunk of a chunked
//! body, a WebSocket frame's header and its payload pieces) are decoded by pure functions
//! over `&[u8]` that answer with this one type, in the manner of `httparse::Status`. (The
//! event-stream parser of lesson 4 is the other shape: bytes are pushed in and dispatched
//! events come out, because a browser's parser works that way.) The socket loop around it reads more
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
