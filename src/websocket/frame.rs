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
//! The decoder never reads a socket and never allocates for a frame it will refuse: the
//! header alone says how long the payload is, so a frame over the limit is refused
//! ([`FrameError::TooLarge`]) before its payload is buffered.
//!
//! Left out on purpose: extensions. RSV1–3 must be 0 because this crate negotiates none
//! (permessage-deflate, RFC 7692, is what RSV1 is for).

use std::fmt;

use super::close::CloseCode;
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

/// How the payload length was written (RFC 6455 §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthForm {
    /// 0–125 in the 7-bit field itself.
    Seven,
    /// 126, then a 16-bit length.
    Sixteen,
    /// 127, then a 64-bit length whose most significant bit is 0.
    SixtyFour,
}

/// A frame header as it was on the wire.
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
    /// How the length was written.
    pub length_form: LengthForm,
    /// Bytes of header: 2 to 14.
    pub header_len: usize,
}

/// A decoded frame with its payload unmasked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// FIN: the last frame of its message.
    pub fin: bool,
    /// The opcode (never `Reserved` from [`decode`]).
    pub opcode: OpCode,
    /// The payload, unmasked.
    pub payload: Vec<u8>,
}

/// A broken rule of RFC 6455 §5; each fails the connection with [`close_code`](Self::close_code).
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
    /// A data frame longer than the space left under the message size limit.
    TooLarge {
        /// The frame's payload length.
        len: u64,
        /// How many bytes were still allowed.
        limit: u64,
    },
}

impl FrameError {
    /// The close code to fail the connection with: `1009` for [`FrameError::TooLarge`],
    /// `1002` for every broken protocol rule (RFC 6455 §7.4.1).
    pub fn close_code(&self) -> CloseCode {
        match self {
            FrameError::TooLarge { .. } => CloseCode::MESSAGE_TOO_BIG,
            _ => CloseCode::PROTOCOL_ERROR,
        }
    }
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
            FrameError::TooLarge { len, limit } => {
                write!(f, "frame of {len} bytes, {limit} allowed")
            }
        }
    }
}

impl std::error::Error for FrameError {}

/// Decodes a frame header from the front of `buf` and checks the rules that need only the
/// header: RSV bits, opcode, the 64-bit length's top bit, control frame length and FIN.
///
/// # Errors
/// [`FrameError::ReservedBits`], [`FrameError::ReservedOpCode`], [`FrameError::LengthTooLong`],
/// [`FrameError::ControlTooLong`], [`FrameError::FragmentedControl`].
pub fn decode_header(buf: &[u8]) -> Result<Decoded<Header>, FrameError> {
    let [first, second, ..] = *buf else {
        return Ok(Decoded::Partial);
    };
    let (fin, rsv, opcode) = (
        first & 0x80 != 0,
        (first >> 4) & 0b111,
        OpCode::from_bits(first),
    );
    let masked = second & 0x80 != 0;
    let (length_form, extra) = match second & 0x7f {
        126 => (LengthForm::Sixteen, 2),
        127 => (LengthForm::SixtyFour, 8),
        _ => (LengthForm::Seven, 0),
    };
    let header_len = 2 + extra + if masked { 4 } else { 0 };
    if buf.len() < header_len {
        return Ok(Decoded::Partial);
    }
    let payload_len = match length_form {
        LengthForm::Seven => u64::from(second & 0x7f),
        LengthForm::Sixteen => u64::from(u16::from_be_bytes([buf[2], buf[3]])),
        LengthForm::SixtyFour => u64::from_be_bytes(buf[2..10].try_into().unwrap_or([0xff; 8])),
    };
    let mask = masked.then(|| [0, 1, 2, 3].map(|i| buf[2 + extra + i]));
    let header = Header {
        fin,
        rsv,
        opcode,
        mask,
        payload_len,
        length_form,
        header_len,
    };
    check_header(&header)?;
    Ok(Decoded::Complete {
        value: header,
        consumed: header_len,
    })
}

fn check_header(header: &Header) -> Result<(), FrameError> {
    if header.rsv != 0 {
        return Err(FrameError::ReservedBits(header.rsv)); // §5.2: no extension negotiated
    }
    if let OpCode::Reserved(bits) = header.opcode {
        return Err(FrameError::ReservedOpCode(bits)); // §5.2: reserved opcodes fail
    }
    if header.payload_len >> 63 != 0 {
        return Err(FrameError::LengthTooLong); // §5.2: the MSB MUST be 0
    }
    if header.opcode.is_control() {
        if header.payload_len > MAX_CONTROL_PAYLOAD as u64 {
            return Err(FrameError::ControlTooLong(header.payload_len)); // §5.5
        }
        if !header.fin {
            return Err(FrameError::FragmentedControl); // §5.5
        }
    }
    Ok(())
}

/// Decodes one frame from the front of `buf`, as received by `role`, refusing a data frame
/// whose payload is longer than `max_data_payload` bytes before waiting for its payload.
///
/// Returns [`Decoded::Partial`] until the whole frame is in `buf`; then the frame with its
/// payload unmasked, and how many bytes it took.
///
/// # Errors
/// Those of [`decode_header`]; [`FrameError::Unmasked`] for a [`Role::Server`] given an
/// unmasked frame and [`FrameError::Masked`] for a [`Role::Client`] given a masked one
/// (RFC 6455 §5.1); [`FrameError::TooLarge`] past `max_data_payload`.
pub fn decode(buf: &[u8], role: Role, max_data_payload: u64) -> Result<Decoded<Frame>, FrameError> {
    let header = match decode_header(buf)? {
        Decoded::Complete { value, .. } => value,
        Decoded::Partial => return Ok(Decoded::Partial),
    };
    match (role, header.mask.is_some()) {
        (Role::Server, false) => return Err(FrameError::Unmasked), // §5.1: client MUST mask
        (Role::Client, true) => return Err(FrameError::Masked),    // §5.1: server MUST NOT mask
        _ => {}
    }
    if !header.opcode.is_control() && header.payload_len > max_data_payload {
        return Err(FrameError::TooLarge {
            len: header.payload_len,
            limit: max_data_payload,
        });
    }
    // Fits in usize: it is at most max_data_payload or 125, and the caller's limit is memory.
    let len = usize::try_from(header.payload_len).unwrap_or(usize::MAX);
    let Some(end) = header
        .header_len
        .checked_add(len)
        .filter(|&end| end <= buf.len())
    else {
        return Ok(Decoded::Partial);
    };
    let mut payload = buf[header.header_len..end].to_vec();
    if let Some(key) = header.mask {
        apply_mask(&mut payload, key);
    }
    Ok(Decoded::Complete {
        value: Frame {
            fin: header.fin,
            opcode: header.opcode,
            payload,
        },
        consumed: end,
    })
}

/// Appends a frame header to `out`: FIN, RSV 0, `opcode`, MASK if `mask` is given, and
/// `payload_len` in its minimal form (RFC 6455 §5.2: 7 bits up to 125, 16 bits up to
/// 65 535, else 64 bits), then the masking key.
pub fn encode_header(
    out: &mut Vec<u8>,
    fin: bool,
    opcode: OpCode,
    mask: Option<[u8; 4]>,
    payload_len: usize,
) {
    out.push(if fin { 0x80 } else { 0 } | opcode.bits());
    let mask_bit = if mask.is_some() { 0x80 } else { 0 };
    match payload_len {
        0..=125 => out.push(mask_bit | payload_len as u8),
        126..=0xffff => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(payload_len as u16).to_be_bytes());
        }
        _ => {
            out.push(mask_bit | 127);
            out.extend_from_slice(&(payload_len as u64).to_be_bytes());
        }
    }
    if let Some(key) = mask {
        out.extend_from_slice(&key);
    }
}

/// Appends a whole frame to `out`: its header, then `payload`, masked with `mask` if given
/// (a client masks every frame, RFC 6455 §5.3; a server masks none).
pub fn encode(out: &mut Vec<u8>, fin: bool, opcode: OpCode, mask: Option<[u8; 4]>, payload: &[u8]) {
    encode_header(out, fin, opcode, mask, payload.len());
    let start = out.len();
    out.extend_from_slice(payload);
    if let Some(key) = mask {
        apply_mask(&mut out[start..], key);
    }
}

#[cfg(test)]
#[path = "frame_tests.rs"]
mod tests;
