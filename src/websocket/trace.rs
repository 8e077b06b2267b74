//! `--trace`: every frame as it crosses the wire, decoded field by field, on stderr.
//!
//! ```text
//! ← 81 85 37 fa 21 3d        FIN=1 RSV=000 opcode=0x1 Text MASK=1 len=5 (7-bit) key=37 fa 21 3d
//!   payload masked   7f 9f 4d 51 58
//!   payload unmasked 48 65 6c 6c 6f  "Hello"
//! → 81 05                    FIN=1 RSV=000 opcode=0x1 Text MASK=0 len=5 (7-bit)
//!   payload          48 65 6c 6c 6f  "Hello"
//! ```
//!
//! `←` is a frame received, `→` one sent. The header bytes are shown exactly as on the
//! wire; the payload is cut after [`SHOWN_BYTES`].

use std::fmt::Write;

use super::frame::{Header, LengthForm};
use super::mask::apply_mask;
use crate::decoded::Decoded;

/// How many payload bytes a trace line shows.
pub const SHOWN_BYTES: usize = 16;

/// Whether frames are printed to stderr (`--trace`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tracing {
    /// Print nothing.
    Off,
    /// Print every frame sent and received.
    On,
}

impl From<bool> for Tracing {
    fn from(on: bool) -> Self {
        if on { Tracing::On } else { Tracing::Off }
    }
}

/// Which way a frame went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the peer to us: `←`.
    Received,
    /// From us to the peer: `→`.
    Sent,
}

/// Describes the frames in `wire` (whole frames, as on the wire, masked if they were; the
/// last one's payload may be cut short). Bytes that are not a whole valid frame header are
/// shown as such.
pub fn describe(direction: Direction, mut wire: &[u8]) -> String {
    let arrow = match direction {
        Direction::Received => '←',
        Direction::Sent => '→',
    };
    let mut out = String::new();
    while !wire.is_empty() {
        let Ok(Decoded::Complete {
            value: header,
            consumed,
        }) = Header::decode(wire)
        else {
            let _ = writeln!(out, "{arrow} {}  (not a frame header)", hex(wire));
            break;
        };
        // The frame's end, or the end of what we were given (a payload may be cut short).
        let end = (consumed as u64 + header.payload_len).min(wire.len() as u64) as usize;
        out.push_str(&describe_header(arrow, &wire[..consumed], &header));
        let mut payload = wire[consumed..end].to_vec();
        if let Some(key) = header.mask {
            apply_mask(&mut payload, key);
        }
        out.push_str(&describe_payload(&header, &payload));
        wire = &wire[end..];
    }
    out
}

/// The line of one frame header: `head`, its bytes as on the wire, decoded field by field.
pub fn describe_header(arrow: char, head: &[u8], header: &Header) -> String {
    let form = match head.get(1).map(|&b| LengthForm::announced(b)) {
        Some(LengthForm::Seven) | None => "7-bit",
        Some(LengthForm::Sixteen) => "16-bit",
        Some(LengthForm::SixtyFour) => "64-bit",
    };
    let mut out = format!(
        "{arrow} {:<26} FIN={} RSV={:03b} opcode={:#x} {:?} MASK={} len={} ({form})",
        hex(head),
        u8::from(header.fin),
        header.rsv,
        header.opcode.bits(),
        header.opcode,
        u8::from(header.mask.is_some()),
        header.payload_len,
    );
    if let Some(key) = header.mask {
        let _ = write!(out, " key={}", hex(&key));
    }
    out.push('\n');
    out
}

/// The lines of a payload's first bytes (`start`, unmasked; at most [`SHOWN_BYTES`] are
/// shown): masked and unmasked when the frame was masked, else as they are. Empty for an
/// empty payload.
pub fn describe_payload(header: &Header, start: &[u8]) -> String {
    let mut out = String::new();
    if start.is_empty() {
        return out;
    }
    let shown = &start[..start.len().min(SHOWN_BYTES)];
    let more = if header.payload_len > shown.len() as u64 {
        " …"
    } else {
        ""
    };
    let text = String::from_utf8_lossy(shown);
    match header.mask {
        Some(key) => {
            let mut masked = shown.to_vec();
            apply_mask(&mut masked, key);
            let _ = writeln!(out, "  payload masked   {}{more}", hex(&masked));
            let _ = writeln!(out, "  payload unmasked {}{more}  {text:?}", hex(shown));
        }
        None => {
            let _ = writeln!(out, "  payload          {}{more}  {text:?}", hex(shown));
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, byte) in bytes.iter().enumerate() {
        let _ = write!(out, "{}{byte:02x}", if i == 0 { "" } else { " " });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_masked_frame_shows_header_key_and_both_payloads() {
        // RFC 6455 §5.7: a masked "Hello" from a client.
        let wire = [
            0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
        ];
        let text = describe(Direction::Received, &wire);
        assert!(text.starts_with("← 81 85 37 fa 21 3d"), "{text}");
        assert!(
            text.contains("FIN=1 RSV=000 opcode=0x1 Text MASK=1 len=5 (7-bit) key=37 fa 21 3d")
        );
        assert!(text.contains("payload masked   7f 9f 4d 51 58"));
        assert!(text.contains("payload unmasked 48 65 6c 6c 6f  \"Hello\""));
    }

    #[test]
    fn two_frames_in_one_write_get_two_entries() {
        let wire = [0x01, 0x03, b'H', b'e', b'l', 0x80, 0x02, b'l', b'o'];
        let text = describe(Direction::Sent, &wire);
        assert_eq!(text.matches('→').count(), 2, "{text}");
        assert!(text.contains("opcode=0x0 Continuation"));
    }
}
