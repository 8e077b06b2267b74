//! Messages over frames (RFC 6455 §5.4–§5.6, §7): the connection's state machine.
//!
//! ```text
//! frames in:   Text FIN=0 "Hel" ─ Ping "x" ─ Continuation FIN=1 "lo" ─ Close 1000
//! steps out:   Nothing            Pong "x"   Message(Text "Hello")      PeerClosed(1000)
//! ```
//!
//! [`Connection::receive`] takes decoded frames and returns what happened as a [`Step`]:
//! a whole message, a pong the caller must send, the peer's Close. It never touches a
//! socket, so every rule here is tested with plain values; [`super::socket`] owns the
//! socket and sends what the steps ask for.
//!
//! Rules enforced here: fragments of one message arrive in order with control frames
//! allowed between them (§5.4); a Continuation with no message started, or a new Text or
//! Binary before the last message finished, is a protocol error (§5.4); a text message
//! must be UTF-8 and fails as soon as its bytes can no longer become UTF-8 (§8.1), even
//! with a character split across fragments; a message may not grow past the size limit.

use std::fmt;

use super::close::{CloseCode, CloseError, CloseReason, parse_close_payload};
use super::frame::{Frame, FrameError, Header, OpCode};
use super::mask::apply_mask;

/// The default limit on one message: 16 MiB, the contract's `--max-message`.
pub const DEFAULT_MAX_MESSAGE: usize = 16 * 1024 * 1024;

/// A whole message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A text message: UTF-8, checked.
    Text(String),
    /// A binary message.
    Binary(Vec<u8>),
}

/// What one received frame meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Nothing to do yet: a fragment was kept, or a pong arrived.
    Nothing,
    /// A message is complete.
    Message(Message),
    /// A ping arrived: send a Pong with this payload (RFC 6455 §5.5.2).
    SendPong(Vec<u8>),
    /// A pong arrived: the peer is alive (RFC 6455 §5.5.3).
    PongReceived(Vec<u8>),
    /// The peer's Close arrived: answer it with the same code unless we sent ours, then
    /// end the connection (RFC 6455 §5.5.1).
    PeerClosed(CloseReason),
}

/// A broken rule that fails the connection with [`close_code`](Self::close_code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    /// The frame itself broke a rule (see [`FrameError`]).
    Frame(FrameError),
    /// A Continuation frame with no message started (§5.4).
    UnexpectedContinuation,
    /// A Text or Binary frame before the previous message's last fragment (§5.4).
    UnfinishedMessage,
    /// A text message that is not UTF-8 (§8.1).
    InvalidUtf8,
    /// The message grew past the limit, in bytes.
    MessageTooBig(usize),
    /// The Close frame's payload is malformed (§5.5.1, §7.4).
    BadClose(CloseError),
}

impl ProtocolError {
    /// `1007` for text that is not UTF-8, `1009` for a message too big, `1002` for the
    /// rest (RFC 6455 §7.4.1).
    pub fn close_code(&self) -> CloseCode {
        match self {
            ProtocolError::Frame(err) => err.close_code(),
            ProtocolError::BadClose(err) => err.close_code(),
            ProtocolError::InvalidUtf8 => CloseCode::INVALID_FRAME_PAYLOAD_DATA,
            ProtocolError::MessageTooBig(_) => CloseCode::MESSAGE_TOO_BIG,
            ProtocolError::UnexpectedContinuation | ProtocolError::UnfinishedMessage => {
                CloseCode::PROTOCOL_ERROR
            }
        }
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::Frame(err) => err.fmt(f),
            ProtocolError::UnexpectedContinuation => f.write_str("continuation with no message"),
            ProtocolError::UnfinishedMessage => f.write_str("new message before FIN"),
            ProtocolError::InvalidUtf8 => f.write_str("text message is not UTF-8"),
            ProtocolError::MessageTooBig(max) => write!(f, "message over {max} bytes"),
            ProtocolError::BadClose(err) => err.fmt(f),
        }
    }
}

impl std::error::Error for ProtocolError {}

impl From<FrameError> for ProtocolError {
    fn from(err: FrameError) -> Self {
        ProtocolError::Frame(err)
    }
}

/// A message being reassembled from fragments.
struct Partial {
    opcode: OpCode,
    payload: Vec<u8>,
    /// For text: the payload's first `checked` bytes are known to be valid UTF-8.
    checked: usize,
}

/// The receiving half of a connection's state: the message being reassembled.
pub struct Connection {
    max_message: usize,
    partial: Option<Partial>,
}

impl Connection {
    /// A connection that accepts messages of at most `max_message` bytes.
    pub fn new(max_message: usize) -> Self {
        Connection {
            max_message,
            partial: None,
        }
    }

    /// How many payload bytes the next data frame may have before the message is too big;
    /// the frame decoder refuses a longer frame before buffering it.
    pub fn room(&self) -> u64 {
        let used = self.partial.as_ref().map_or(0, |p| p.payload.len());
        self.max_message.saturating_sub(used) as u64
    }

    /// Takes one frame (already checked by the frame decoder) and says what it meant.
    ///
    /// # Errors
    /// A [`ProtocolError`]: the caller closes with its close code.
    pub fn receive(&mut self, frame: Frame) -> Result<Step, ProtocolError> {
        match frame.opcode {
            OpCode::Ping => Ok(Step::SendPong(frame.payload)),
            OpCode::Pong => Ok(Step::PongReceived(frame.payload)),
            OpCode::Close => parse_close_payload(&frame.payload)
                .map(Step::PeerClosed)
                .map_err(ProtocolError::BadClose),
            OpCode::Text | OpCode::Binary => self.start(frame),
            OpCode::Continuation => self.extend(frame),
            OpCode::Reserved(bits) => Err(FrameError::ReservedOpCode(bits).into()),
        }
    }

    fn start(&mut self, frame: Frame) -> Result<Step, ProtocolError> {
        if self.partial.is_some() {
            return Err(ProtocolError::UnfinishedMessage); // §5.4: fragments are not interleaved
        }
        self.partial = Some(Partial {
            opcode: frame.opcode,
            payload: Vec::new(),
            checked: 0,
        });
        self.extend(frame)
    }

    fn extend(&mut self, frame: Frame) -> Result<Step, ProtocolError> {
        let Some(partial) = self.partial.as_mut() else {
            return Err(ProtocolError::UnexpectedContinuation); // §5.4
        };
        if partial.payload.len() + frame.payload.len() > self.max_message {
            return Err(ProtocolError::MessageTooBig(self.max_message));
        }
        if partial.payload.is_empty() {
            partial.payload = frame.payload; // the common case, one frame: no copy
        } else {
            partial.payload.extend_from_slice(&frame.payload);
        }
        if !frame.fin {
            if partial.opcode == OpCode::Text {
                partial.checked = check_utf8(&partial.payload, partial.checked, false)?;
            }
            return Ok(Step::Nothing);
        }
        let Partial {
            opcode, payload, ..
        } = self.partial.take().expect("checked above");
        Ok(Step::Message(match opcode {
            // The final check covers the whole message, so a one-frame message is read once.
            OpCode::Text => {
                Message::Text(String::from_utf8(payload).map_err(|_| ProtocolError::InvalidUtf8)?)
            }
            _ => Message::Binary(payload),
        }))
    }
}

/// How far the UTF-8 of a text frame that is still arriving has been checked, so that a
/// frame whose first bytes are already invalid fails without waiting for the rest.
#[derive(Debug, Default)]
pub struct Arriving {
    started: bool,
    /// Bytes of the frame's payload checked so far.
    checked: usize,
    /// The end of a character cut off by the last read (0–3 bytes), unmasked.
    carry: Vec<u8>,
}

impl Connection {
    /// Checks the UTF-8 of the part of a text frame that has arrived (`arrived`: its
    /// payload bytes so far, still masked), continuing from `progress`. Each byte is
    /// unmasked and checked once, however many reads the frame takes; the caller starts a
    /// fresh [`Arriving`] for each frame.
    ///
    /// # Errors
    /// [`ProtocolError::InvalidUtf8`] as soon as the bytes can no longer be UTF-8.
    pub fn check_arriving(
        &self,
        header: &Header,
        arrived: &[u8],
        progress: &mut Arriving,
    ) -> Result<(), ProtocolError> {
        let text_so_far = self.partial.as_ref().filter(|p| p.opcode == OpCode::Text);
        let is_text = match header.opcode {
            OpCode::Text => self.partial.is_none(),
            OpCode::Continuation => text_so_far.is_some(),
            _ => false,
        };
        if !is_text || arrived.len() <= progress.checked {
            return Ok(());
        }
        if !progress.started {
            progress.started = true;
            // A character may have begun in the previous fragment.
            progress.carry = text_so_far.map_or(Vec::new(), |p| p.payload[p.checked..].to_vec());
        }
        let mut bytes = std::mem::take(&mut progress.carry);
        let fresh_start = bytes.len();
        bytes.extend_from_slice(&arrived[progress.checked..]);
        if let Some(key) = header.mask {
            let o = progress.checked % 4; // the key continues where the last read stopped
            let key = [key[o], key[(o + 1) % 4], key[(o + 2) % 4], key[(o + 3) % 4]];
            apply_mask(&mut bytes[fresh_start..], key);
        }
        let valid = check_utf8(&bytes, 0, false)?;
        progress.carry = bytes.split_off(valid);
        progress.checked = arrived.len();
        Ok(())
    }
}

/// Validates `bytes[checked..]` as the continuation of UTF-8 text and returns the new count
/// of bytes known to be valid. A character cut off at the end is allowed until the final
/// fragment (`fin`); any byte that can never be part of valid UTF-8 fails at once.
///
/// `std::str::from_utf8` tells the two apart: its error's `error_len()` is `None` when the
/// input merely ended inside a character.
///
/// # Errors
/// [`ProtocolError::InvalidUtf8`].
pub fn check_utf8(bytes: &[u8], checked: usize, fin: bool) -> Result<usize, ProtocolError> {
    match std::str::from_utf8(&bytes[checked..]) {
        Ok(_) => Ok(bytes.len()),
        Err(err) if err.error_len().is_none() && !fin => Ok(checked + err.valid_up_to()),
        Err(_) => Err(ProtocolError::InvalidUtf8),
    }
}

#[cfg(test)]
#[path = "connection_tests.rs"]
mod tests;
