//! Receiving frames as bytes arrive (RFC 6455 §5.2): a header once, then its payload in
//! pieces.
//!
//! ```text
//! bytes:   81 85 37 fa 21 3d 7f 9f | 4d 51 58          (two reads)
//! pieces:  Header(FIN Text MASK len=5)  Payload "He"   Payload "llo" last
//! ```
//!
//! [`FrameDecoder`] decodes a header *once* and keeps it as its state until the payload
//! is in (as tungstenite's `FrameCodec` keeps `header: Option<(FrameHeader, u64)>`),
//! handing out the payload as [`Piece`]s, each byte unmasked once, however many reads the
//! frame takes. A 16 MiB frame is 16 MiB of pieces, never a 16 MiB buffer here; and the
//! header alone says how long the payload is, so the layer above
//! ([`super::message::Assembler`]) refuses a frame that is too big before one byte of it
//! is kept.

use super::frame::{FrameError, Header, Role};
use super::mask::apply_mask;
use crate::breaks::{Break, Breaks};
use crate::decoded::Decoded;

/// What the decoder found at the front of the bytes.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// A frame's header, checked; its payload comes next (perhaps zero bytes of it).
    Header(Header),
    /// The next bytes of the current frame's payload, unmasked.
    Payload {
        /// The frame they belong to.
        header: Header,
        /// The bytes, unmasked.
        bytes: &'a [u8],
        /// Whether they complete the frame's payload.
        last: bool,
    },
}

/// The frame whose payload is arriving.
#[derive(Debug, Clone, Copy)]
struct Arriving {
    header: Header,
    /// Payload bytes handed out so far.
    received: u64,
}

/// Decodes frames as bytes arrive (RFC 6455 §5.2): a header once, then its payload piece
/// by piece, for the side of the connection given by `role`.
#[derive(Debug)]
pub struct FrameDecoder {
    role: Role,
    arriving: Option<Arriving>,
    /// `--break no-mask-check` only: lesson 6's wrong way, on purpose.
    breaks: Breaks,
}

impl FrameDecoder {
    /// A decoder for frames received by `role`.
    pub fn new(role: Role) -> Self {
        FrameDecoder {
            role,
            arriving: None,
            breaks: Breaks::NONE,
        }
    }

    /// The same decoder with `breaks`: [`Break::NoMaskCheck`] takes an unmasked client
    /// frame as it is, the wrong way; the others do nothing here.
    pub fn with_breaks(self, breaks: Breaks) -> Self {
        FrameDecoder { breaks, ..self }
    }

    /// Forgets the frame whose payload is arriving, as if its header had never come: only
    /// for [`Break::OneReadOneFrame`] (in [`super::reader::FrameReader::read`]).
    pub fn forget_frame(&mut self) {
        self.arriving = None;
    }

    /// Payload bytes the current frame still needs (0 between frames): how much the
    /// caller may usefully read next.
    pub fn payload_left(&self) -> u64 {
        self.arriving
            .map_or(0, |a| a.header.payload_len - a.received)
    }

    /// Decodes from the front of `buf`: the next header, or the next payload bytes of the
    /// current frame, unmasked in place. `consumed` bytes are used up; a payload piece
    /// may be shorter than the payload (then more pieces follow) and a frame with an
    /// empty payload gets one empty, `last` piece.
    ///
    /// # Errors
    /// Those of [`Header::decode`]; [`FrameError::Unmasked`] for a [`Role::Server`] given an
    /// unmasked frame and [`FrameError::Masked`] for a [`Role::Client`] given a masked one
    /// (RFC 6455 §5.1).
    pub fn decode<'a>(&mut self, buf: &'a mut [u8]) -> Result<Decoded<Piece<'a>>, FrameError> {
        let Some(arriving) = self.arriving.as_mut() else {
            return self.decode_header(buf);
        };
        let header = arriving.header;
        let left = header.payload_len - arriving.received;
        if left > 0 && buf.is_empty() {
            return Ok(Decoded::Partial);
        }
        let n = usize::try_from(left).map_or(buf.len(), |left| left.min(buf.len()));
        let bytes = &mut buf[..n];
        if let Some(mut key) = header.mask {
            key.rotate_left((arriving.received % 4) as usize); // the key goes on where it was
            apply_mask(bytes, key);
        }
        arriving.received += n as u64;
        let last = arriving.received == header.payload_len;
        if last {
            self.arriving = None;
        }
        Ok(Decoded::Complete {
            value: Piece::Payload {
                header,
                bytes,
                last,
            },
            consumed: n,
        })
    }

    fn decode_header<'a>(&mut self, buf: &[u8]) -> Result<Decoded<Piece<'a>>, FrameError> {
        let (header, consumed) = match Header::decode(buf)? {
            Decoded::Complete { value, consumed } => (value, consumed),
            Decoded::Partial => return Ok(Decoded::Partial),
        };
        match (self.role, header.mask.is_some()) {
            // The wrong way, on purpose (--break no-mask-check): the frame is taken unmasked.
            (Role::Server, false) if self.breaks.has(Break::NoMaskCheck) => {}
            (Role::Server, false) => return Err(FrameError::Unmasked), // §5.1: client MUST mask
            (Role::Client, true) => return Err(FrameError::Masked),    // §5.1: server MUST NOT mask
            _ => {}
        }
        self.arriving = Some(Arriving {
            header,
            received: 0,
        });
        Ok(Decoded::Complete {
            value: Piece::Header(header),
            consumed,
        })
    }
}

#[cfg(test)]
#[path = "decoder_tests.rs"]
mod tests;
