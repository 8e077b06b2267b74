//! The frame codec (RFC 6455 §5.2): a pure decoder from the front of a buffer and an encoder.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-------+-+-------------+-------------------------------+
//! |F|R|R|R| opcode|M| payload len |    extended payload length    |
//! |I|S|S|S|  (4)  |A|     (7)     |       (16 or 64 bits, when    |
//! |N|V|V|V|       |S|             |        len is 126 or 127)     |
//! | |1|2|3|       |K|             |                               |
//! +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//! |   ...         | masking key (4 bytes, when MASK is 1) |  payload data ...
//! ```
//!
//! `81 05 48 65 6c 6c 6f` is a whole unmasked text frame "Hello": FIN=1, opcode 1, length 5.
//!
//! One [`Header`] type goes both ways: [`Header::decode`] reads it from the front of a
//! buffer and [`Header::encode`] writes it, always in the minimal length form; [`encode`]
//! writes a whole frame. Receiving, [`super::decoder::FrameDecoder`] turns arriving bytes
//! into a header and then payload pieces.
//!
//! Left out on purpose: extensions. RSV1–3 must be 0 because this crate negotiates none
//! (permessage-deflate, RFC 7692, is what RSV1 is for).

use std::fmt;

use super::mask::apply_mask;
use crate::decoded::Decoded;

/// The largest payload of a control frame (RFC 6455 §5.5).
pub const MAX_CONTROL_PAYLOAD: usize = 125;

/// What a frame is (RFC 6455 §5.2, §11.8): four bits on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpCode {
    /// `0x0`: the next fragment of a message (§5.4).
    Continuation,
    /// `0x1`: the first frame of a text message (UTF-8).
    Text,
    /// `0x2`: the first frame of a binary message.
    Binary,
    /// `0x8`: starts or answers the closing handshake (§5.5.1).
    Close,
    /// `0x9`: asks the peer for a pong (§5.5.2).
    Ping,
    /// `0xA`: answers a ping, or a one-way heartbeat (§5.5.3).
    Pong,
    /// `0x3`–`0x7` and `0xB`–`0xF`: reserved for future data and control frames.
    Reserved(u8),
}

impl OpCode {
    /// The opcode of the low four bits of `bits`.
    pub fn from_bits(bits: u8) -> OpCode {
        match bits & 0x0f {
            0x0 => OpCode::Continuation,
            0x1 => OpCode::Text,
            0x2 => OpCode::Binary,
            0x8 => OpCode::Close,
            0x9 => OpCode::Ping,
            0xA => OpCode::Pong,
            other => OpCode::Reserved(other),
        }
    }

    /// The four bits on the wire.
    pub fn bits(self) -> u8 {
        match self {
            OpCode::Continuation => 0x0,
            OpCode::Text => 0x1,
            OpCode::Binary => 0x2,
            OpCode::Close => 0x8,
            OpCode::Ping => 0x9,
            OpCode::Pong => 0xA,
            OpCode::Reserved(bits) => bits & 0x0f,
        }
    }

    /// Control frames have the high bit of the opcode set (RFC 6455 §5.5).
    pub fn is_control(self) -> bool {
        self.bits() & 0x8 != 0
    }
}

/// Which side of the connection is decoding, which decides whether frames must be masked
/// (RFC 6455 §5.1): a server receives masked frames, a client unmasked ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Accepted the connection; sends unmasked frames, requires masked ones.
    Server,
    /// Opened the connection; sends masked frames, requires unmasked ones.
    Client,
}

/// How a payload length is written (RFC 6455 §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthForm {
    /// 0–125 in the 7-bit field itself.
    Seven,
    /// 126, then a 16-bit length.
    Sixteen,
    /// 127, then a 64-bit length whose most significant bit is 0.
    SixtyFour,
}

impl LengthForm {
    /// The minimal form for `payload_len`, the one this crate writes.
    pub fn minimal(payload_len: u64) -> LengthForm {
        match payload_len {
            0..=125 => LengthForm::Seven,
            126..=0xffff => LengthForm::Sixteen,
            _ => LengthForm::SixtyFour,
        }
    }

    /// The form the 7-bit length field announces (a peer may use a longer form than
    /// needed; this crate accepts it).
    pub fn announced(seven_bits: u8) -> LengthForm {
        match seven_bits & 0x7f {
            126 => LengthForm::Sixteen,
            127 => LengthForm::SixtyFour,
            _ => LengthForm::Seven,
        }
    }

    /// Bytes of extended length after the first two header bytes: 0, 2 or 8.
    pub fn extra_bytes(self) -> usize {
        match self {
            LengthForm::Seven => 0,
            LengthForm::Sixteen => 2,
            LengthForm::SixtyFour => 8,
        }
    }
}

/// A frame header (RFC 6455 §5.2): everything before the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// FIN: this is the last frame of its message.
    pub fin: bool,
    /// RSV1, RSV2, RSV3 as the three low bits (RSV1 = `0b100`).
    pub rsv: u8,
    /// The opcode.
    pub opcode: OpCode,
    /// The masking key, when MASK is set.
    pub mask: Option<[u8; 4]>,
    /// The payload length in bytes.
    pub payload_len: u64,
}

/// A broken rule of RFC 6455 §5; each fails the connection (its close code:
/// [`FrameError::close_code`], in [`super::close`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// RSV1–3 set with no extension negotiated (§5.2). Holds the three bits.
    ReservedBits(u8),
    /// An opcode with no meaning yet (§5.2). Holds the four bits.
    ReservedOpCode(u8),
    /// A 64-bit payload length with its most significant bit set (§5.2).
    LengthTooLong,
    /// A control frame with more than 125 bytes of payload (§5.5).
    ControlTooLong(u64),
    /// A control frame without FIN (§5.5: control frames must not be fragmented).
    FragmentedControl,
    /// A client's frame without a masking key (§5.1).
    Unmasked,
    /// A server's frame with a masking key (§5.1).
    Masked,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::ReservedBits(bits) => write!(f, "RSV bits {bits:03b} set, no extension"),
            FrameError::ReservedOpCode(bits) => write!(f, "reserved opcode {bits:#x}"),
            FrameError::LengthTooLong => f.write_str("64-bit length with its top bit set"),
            FrameError::ControlTooLong(len) => write!(f, "control frame of {len} bytes (> 125)"),
            FrameError::FragmentedControl => f.write_str("control frame without FIN"),
            FrameError::Unmasked => f.write_str("client frame not masked"),
            FrameError::Masked => f.write_str("server frame masked"),
        }
    }
}

impl std::error::Error for FrameError {}

impl Header {
    /// The header of a whole message in one frame: FIN set, RSV 0, not masked.
    pub fn new(opcode: OpCode, payload_len: usize) -> Header {
        Header {
            fin: true,
            rsv: 0,
            opcode,
            mask: None,
            payload_len: payload_len as u64,
        }
    }

    /// The same header with the masking key `mask` (a client masks every frame).
    pub fn with_mask(self, mask: Option<[u8; 4]>) -> Header {
        Header { mask, ..self }
    }

    /// The form [`encode`](Self::encode) writes the length in: the minimal one.
    pub fn length_form(&self) -> LengthForm {
        LengthForm::minimal(self.payload_len)
    }

    /// Bytes [`encode`](Self::encode) writes: 2 to 14.
    pub fn encoded_len(&self) -> usize {
        2 + self.length_form().extra_bytes() + if self.mask.is_some() { 4 } else { 0 }
    }

    /// Appends the header to `out`: FIN, RSV, opcode, MASK if there is a key, the payload
    /// length in its minimal form (7 bits up to 125, 16 bits up to 65 535, else 64 bits),
    /// then the masking key.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.push(u8::from(self.fin) << 7 | (self.rsv & 0b111) << 4 | self.opcode.bits());
        let mask_bit = if self.mask.is_some() { 0x80 } else { 0 };
        match self.length_form() {
            LengthForm::Seven => out.push(mask_bit | self.payload_len as u8),
            LengthForm::Sixteen => {
                out.push(mask_bit | 126);
                out.extend_from_slice(&(self.payload_len as u16).to_be_bytes());
            }
            LengthForm::SixtyFour => {
                out.push(mask_bit | 127);
                out.extend_from_slice(&self.payload_len.to_be_bytes());
            }
        }
        if let Some(key) = self.mask {
            out.extend_from_slice(&key);
        }
    }

    /// Decodes a header from the front of `buf` (`consumed`: its 2 to 14 bytes) and checks
    /// the rules that need only the header: RSV bits, opcode, the 64-bit length's top bit,
    /// a control frame's length and FIN.
    ///
    /// # Errors
    /// [`FrameError::ReservedBits`], [`FrameError::ReservedOpCode`],
    /// [`FrameError::LengthTooLong`], [`FrameError::ControlTooLong`],
    /// [`FrameError::FragmentedControl`].
    pub fn decode(buf: &[u8]) -> Result<Decoded<Header>, FrameError> {
        let [first, second, ..] = *buf else {
            return Ok(Decoded::Partial);
        };
        let form = LengthForm::announced(second);
        let masked = second & 0x80 != 0;
        let header_len = 2 + form.extra_bytes() + if masked { 4 } else { 0 };
        if buf.len() < header_len {
            return Ok(Decoded::Partial);
        }
        let payload_len = match form {
            LengthForm::Seven => u64::from(second & 0x7f),
            LengthForm::Sixteen => u64::from(u16::from_be_bytes([buf[2], buf[3]])),
            LengthForm::SixtyFour => u64::from_be_bytes(buf[2..10].try_into().unwrap_or([0xff; 8])),
        };
        let key_at = 2 + form.extra_bytes();
        let header = Header {
            fin: first & 0x80 != 0,
            rsv: (first >> 4) & 0b111,
            opcode: OpCode::from_bits(first),
            mask: masked.then(|| [0, 1, 2, 3].map(|i| buf[key_at + i])),
            payload_len,
        };
        header.check()?;
        Ok(Decoded::Complete {
            value: header,
            consumed: header_len,
        })
    }

    fn check(&self) -> Result<(), FrameError> {
        if self.rsv != 0 {
            return Err(FrameError::ReservedBits(self.rsv)); // §5.2: no extension negotiated
        }
        if let OpCode::Reserved(bits) = self.opcode {
            return Err(FrameError::ReservedOpCode(bits)); // §5.2: reserved opcodes fail
        }
        if self.payload_len >> 63 != 0 {
            return Err(FrameError::LengthTooLong); // §5.2: the MSB MUST be 0
        }
        if self.opcode.is_control() {
            if self.payload_len > MAX_CONTROL_PAYLOAD as u64 {
                return Err(FrameError::ControlTooLong(self.payload_len)); // §5.5
            }
            if !self.fin {
                return Err(FrameError::FragmentedControl); // §5.5
            }
        }
        Ok(())
    }
}

/// Appends a whole frame to `out`: `header` (whose `payload_len` must be
/// `payload.len()`), then `payload`, masked with the header's key if it has one (a client
/// masks every frame, RFC 6455 §5.3; a server masks none).
pub fn encode(out: &mut Vec<u8>, header: &Header, payload: &[u8]) {
    debug_assert_eq!(header.payload_len, payload.len() as u64);
    header.encode(out);
    let start = out.len();
    out.extend_from_slice(payload);
    if let Some(key) = header.mask {
        apply_mask(&mut out[start..], key);
    }
}

#[cfg(test)]
#[path = "frame_tests.rs"]
pub(crate) mod tests;
