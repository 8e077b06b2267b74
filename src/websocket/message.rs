//! Messages from frames (RFC 6455 §5.4–§5.6, §8.1): the message layer's state machine.
//!
//! ```text
//! frames in:   Text FIN=0 "Hel" ─ Ping "x" ─ Continuation FIN=1 "lo" ─ Close 1000
//! steps out:   Nothing            Pong "x"   Message(Text "Hello")      PeerClosed(1000)
//! ```
//!
//! [`Assembler::receive`] takes the decoder's [`Piece`]s (a header, then payload bytes)
//! and returns what happened as a [`Step`]: a whole message, a pong the caller must send,
//! the peer's Close. It never touches a socket, so every rule here is tested with plain
//! values; [`super::socket`] owns the socket and sends what the steps ask for.
//!
//! Rules enforced here: fragments of one message arrive in order with control frames
//! allowed between them (§5.4); a Continuation with no message started, or a new Text or
//! Binary before the last message finished, is a protocol error (§5.4); a message may not
//! grow past the size limit, which a frame's header alone can show (1009, before its
//! payload is kept); a text message must be UTF-8 and fails as soon as its bytes can no
//! longer become UTF-8 ([`super::utf8`], §8.1), even with a character split across
//! fragments.

use std::fmt;

use super::close::{CloseCode, CloseError, CloseReason, parse_close_payload};
use super::decoder::Piece;
use super::frame::{FrameError, Header, OpCode};
use super::utf8::{InvalidUtf8, TextBuilder};

/// The default limit on one message: 16 MiB, the contract's `--max-message` (LESSONS.md,
/// Appendix: the wire contract).
pub const DEFAULT_MAX_MESSAGE: usize = 16 * 1024 * 1024;

/// A whole message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A text message: UTF-8, checked.
    Text(String),
    /// A binary message.
    Binary(Vec<u8>),
}

/// What a piece of a frame meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Nothing to do yet: a header, or part of a message, was kept.
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
    /// A data frame longer than the room left under the message size limit: refused from
    /// its header, before its payload is kept.
    MessageTooBig {
        /// The frame's payload length.
        len: u64,
        /// How many bytes the message could still take.
        limit: u64,
    },
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
            ProtocolError::MessageTooBig { .. } => CloseCode::MESSAGE_TOO_BIG,
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
            ProtocolError::InvalidUtf8 => InvalidUtf8.fmt(f),
            ProtocolError::MessageTooBig { len, limit } => {
                write!(f, "frame of {len} bytes, {limit} allowed")
            }
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

impl From<InvalidUtf8> for ProtocolError {
    fn from(_: InvalidUtf8) -> Self {
        ProtocolError::InvalidUtf8
    }
}

/// A data message being reassembled from its fragments.
enum Body {
    Text(TextBuilder),
    Binary(Vec<u8>),
}

impl Body {
    fn len(&self) -> usize {
        match self {
            Body::Text(text) => text.len(),
            Body::Binary(bytes) => bytes.len(),
        }
    }
}

/// Reassembles messages from the pieces of frames, and says what each control frame asks.
pub struct Assembler {
    max_message: usize,
    /// The data message whose fragments are arriving.
    message: Option<Body>,
    /// The payload of the control frame arriving (at most 125 bytes).
    control: Vec<u8>,
}

impl Assembler {
    /// An assembler that accepts messages of at most `max_message` bytes.
    pub fn new(max_message: usize) -> Self {
        Assembler {
            max_message,
            message: None,
            control: Vec::new(),
        }
    }

    /// Takes the next piece (already checked by the frame decoder) and says what it meant.
    ///
    /// # Errors
    /// A [`ProtocolError`]: the caller fails the connection with its close code.
    pub fn receive(&mut self, piece: Piece<'_>) -> Result<Step, ProtocolError> {
        match piece {
            Piece::Header(header) => self.start_frame(&header).map(|()| Step::Nothing),
            Piece::Payload {
                header,
                bytes,
                last,
            } if header.opcode.is_control() => {
                self.control.extend_from_slice(bytes);
                if !last {
                    return Ok(Step::Nothing);
                }
                control_step(header.opcode, std::mem::take(&mut self.control))
            }
            Piece::Payload {
                header,
                bytes,
                last,
            } => {
                match &mut self.message {
                    Some(Body::Text(text)) => text.push(bytes)?,
                    Some(Body::Binary(data)) => data.extend_from_slice(bytes),
                    None => {} // start_frame began one for every data frame
                }
                if last && header.fin {
                    self.finish()
                } else {
                    Ok(Step::Nothing)
                }
            }
        }
    }

    /// Checks a data frame's header against the message in progress and the size limit.
    fn start_frame(&mut self, header: &Header) -> Result<(), ProtocolError> {
        let used = match (header.opcode, &self.message) {
            (opcode, _) if opcode.is_control() => return Ok(()), // may come between fragments
            (OpCode::Reserved(bits), _) => return Err(FrameError::ReservedOpCode(bits).into()),
            (OpCode::Continuation, None) => return Err(ProtocolError::UnexpectedContinuation),
            (OpCode::Continuation, Some(body)) => body.len(),
            (_, Some(_)) => return Err(ProtocolError::UnfinishedMessage), // §5.4: no interleaving
            (_, None) => 0,
        };
        let room = self.max_message.saturating_sub(used) as u64;
        if header.payload_len > room {
            return Err(ProtocolError::MessageTooBig {
                len: header.payload_len,
                limit: room,
            });
        }
        // The length is within the limit, so it fits in usize; memory is reserved, not
        // touched, until the payload arrives.
        let len = header.payload_len as usize;
        match &mut self.message {
            None if header.opcode == OpCode::Text => {
                self.message = Some(Body::Text(TextBuilder::with_capacity(len)));
            }
            None => self.message = Some(Body::Binary(Vec::with_capacity(len))),
            Some(Body::Binary(data)) => data.reserve(len),
            Some(Body::Text(_)) => {}
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<Step, ProtocolError> {
        let message = match self.message.take() {
            Some(Body::Text(text)) => Message::Text(text.finish()?),
            Some(Body::Binary(data)) => Message::Binary(data),
            None => Message::Binary(Vec::new()),
        };
        Ok(Step::Message(message))
    }
}

/// What a whole control frame asks for.
fn control_step(opcode: OpCode, payload: Vec<u8>) -> Result<Step, ProtocolError> {
    match opcode {
        OpCode::Ping => Ok(Step::SendPong(payload)),
        OpCode::Pong => Ok(Step::PongReceived(payload)),
        // Close, the one other control opcode (§5.5).
        _ => parse_close_payload(&payload)
            .map(Step::PeerClosed)
            .map_err(ProtocolError::BadClose),
    }
}

#[cfg(test)]
#[path = "message_tests.rs"]
mod tests;
