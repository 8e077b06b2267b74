//! The chunked transfer coding (RFC 9112 §7.1), decoded one chunk at a time.
//!
//! ```text
//! 5\r\n            chunk size in hex (a `;name=value` extension may follow; ignored)
//! hello\r\n        chunk data, then CRLF
//! 0\r\n            the last chunk has size 0
//! \r\n             optional trailer field lines, then an empty line
//! ```
//!
//! [`decode_chunk`] is pure and looks at one chunk at a time, so a body that trickles in
//! byte by byte costs a re-parse of one size line per read, not of the whole body.

use super::error::RequestError;
use crate::decoded::Decoded;

/// The most bytes of trailer section after the last chunk (counted like a head).
pub const MAX_TRAILER_BYTES: usize = super::request::MAX_HEAD_BYTES;

/// One unit of a chunked body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chunk {
    /// A chunk whose data is `buf[start..start + len]`.
    Data {
        /// Where the data starts in the buffer (after the size line).
        start: usize,
        /// How many data bytes.
        len: usize,
    },
    /// The last chunk (size 0) and its trailer section, which is read and dropped.
    Last,
}

/// Decodes the chunk at the front of `buf`; `room` is how many more body bytes are allowed.
///
/// `consumed` covers the size line, the data and its CRLF (or, for [`Chunk::Last`], the
/// trailer section and the final empty line).
///
/// # Errors
/// - [`RequestError::Malformed`]: a size line that is not hex (httparse's
///   `parse_chunk_size`), or data not followed by CRLF (RFC 9112 §7.1).
/// - [`RequestError::BodyTooLarge`]: a chunk size over `room`, refused as soon as the
///   size line arrives, before the data is read.
/// - [`RequestError::HeadTooLarge`]: a trailer section over [`MAX_TRAILER_BYTES`].
pub fn decode_chunk(buf: &[u8], room: usize) -> Result<Decoded<Chunk>, RequestError> {
    let (start, size) = match httparse::parse_chunk_size(buf) {
        Ok(httparse::Status::Complete(found)) => found,
        Ok(httparse::Status::Partial) if buf.len() <= MAX_TRAILER_BYTES => {
            return Ok(Decoded::Partial);
        }
        // A size line longer than a whole head is not a size line.
        Ok(httparse::Status::Partial) => {
            return Err(RequestError::Malformed("chunk size line too long"));
        }
        Err(_) => return Err(RequestError::Malformed("invalid chunk size")),
    };
    if size == 0 {
        return decode_trailer(buf, start);
    }
    if size > room as u64 {
        return Err(RequestError::BodyTooLarge);
    }
    let len = size as usize;
    let end = start + len;
    if buf.len() < end + 2 {
        return Ok(Decoded::Partial);
    }
    if &buf[end..end + 2] != b"\r\n" {
        return Err(RequestError::Malformed("chunk data not followed by CRLF"));
    }
    Ok(Decoded::Complete {
        value: Chunk::Data { start, len },
        consumed: end + 2,
    })
}

/// The trailer section (RFC 9112 §7.1.2): field lines up to an empty line. We keep none
/// of them; nothing this crate serves needs a trailer.
fn decode_trailer(buf: &[u8], start: usize) -> Result<Decoded<Chunk>, RequestError> {
    let rest = &buf[start..];
    let end = if rest.starts_with(b"\r\n") {
        Some(2)
    } else {
        rest.windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|i| i + 4)
    };
    match end {
        Some(n) => Ok(Decoded::Complete {
            value: Chunk::Last,
            consumed: start + n,
        }),
        None if rest.len() > MAX_TRAILER_BYTES => Err(RequestError::HeadTooLarge),
        None => Ok(Decoded::Partial),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes a whole chunked body the way the connection loop does, from a full buffer.
    fn decode_all(mut buf: &[u8], room: usize) -> Result<Option<Vec<u8>>, RequestError> {
        let mut body = Vec::new();
        loop {
            match decode_chunk(buf, room - body.len())? {
                Decoded::Partial => return Ok(None),
                Decoded::Complete {
                    value: Chunk::Last, ..
                } => return Ok(Some(body)),
                Decoded::Complete {
                    value: Chunk::Data { start, len },
                    consumed,
                } => {
                    body.extend_from_slice(&buf[start..start + len]);
                    buf = &buf[consumed..];
                }
            }
        }
    }

    #[test]
    fn chunks_with_extension_and_trailer_decode_to_the_body() {
        let wire = b"5;name=value\r\nhello\r\n7\r\n, world\r\n0\r\nExpires: never\r\n\r\n";
        assert_eq!(decode_all(wire, 100), Ok(Some(b"hello, world".to_vec())));
    }

    #[test]
    fn every_prefix_of_a_chunked_body_is_partial_and_never_an_error() {
        let wire = b"a\r\n0123456789\r\n0\r\n\r\n";
        for split in 0..wire.len() {
            assert_eq!(
                decode_all(&wire[..split], 100),
                Ok(None),
                "prefix of {split} bytes"
            );
        }
        assert_eq!(decode_all(wire, 100), Ok(Some(b"0123456789".to_vec())));
    }

    #[test]
    fn a_chunk_over_the_room_left_is_refused_before_its_data_arrives() {
        assert_eq!(decode_chunk(b"11\r\n", 16), Err(RequestError::BodyTooLarge));
        assert_eq!(decode_chunk(b"10\r\n", 16), Ok(Decoded::Partial));
    }

    #[test]
    fn bad_size_and_missing_crlf_are_malformed() {
        assert!(matches!(
            decode_chunk(b"zz\r\n", 100),
            Err(RequestError::Malformed(_))
        ));
        assert!(matches!(
            decode_chunk(b"2\r\nabXY", 100),
            Err(RequestError::Malformed(_))
        ));
    }
}
