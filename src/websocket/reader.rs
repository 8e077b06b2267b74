//! The receiving half of a connection: the socket's read side, its buffer, and the frame
//! decoder.
//!
//! ```text
//! socket ─read─► buf[start..end] ─FrameDecoder─► Piece (header, payload bytes) ─► caller
//! ```
//!
//! Bytes go one way: read into the buffer, decoded from its front, dropped once decoded.
//! A payload piece is handed out as soon as it is in the buffer, so the buffer holds at
//! most one read's worth of a frame, however long the frame; a read is made bigger while a
//! big payload is arriving, so a 1 MiB message takes a handful of reads, not hundreds.

use std::io::{self, Read};
use std::net::TcpStream;
use std::time::Duration;

use super::decoder::{FrameDecoder, Piece};
use super::frame::{FrameError, Role};
use super::trace::{Tracing, describe_header, describe_payload};
use crate::breaks::{Break, Breaks};
use crate::decoded::Decoded;
use crate::ledger::Meter;

/// Bytes read from the socket at a time between frames and for small ones.
const READ_CHUNK: usize = 16 * 1024;
/// The most read at once while a big payload arrives; the buffer keeps this size after.
const MAX_READ: usize = 256 * 1024;

/// Reads and decodes the frames of one connection.
pub struct FrameReader {
    stream: TcpStream,
    /// Received bytes not yet decoded are `buf[start..end]`.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    decoder: FrameDecoder,
    /// The socket's read timeout as last set, to set it only when it changes.
    read_timeout: Option<Duration>,
    /// Where the bytes read are counted.
    meter: Meter,
    trace: Tracing,
    /// Set while a traced header awaits the first piece of its payload.
    payload_untraced: bool,
    /// `--break`: lesson 6's wrong ways, on purpose (none by default).
    breaks: Breaks,
}

impl FrameReader {
    /// Reads frames received by `role` from `stream`; `leftover` are bytes already read
    /// past the opening handshake (the start of the first frame); the bytes count in
    /// `meter`, the leftover ones included.
    pub fn new(
        stream: TcpStream,
        leftover: Vec<u8>,
        role: Role,
        trace: Tracing,
        meter: Meter,
    ) -> Self {
        let end = leftover.len();
        meter.read(end);
        let mut buf = leftover;
        buf.resize(end.max(READ_CHUNK), 0);
        FrameReader {
            stream,
            buf,
            start: 0,
            end,
            decoder: FrameDecoder::new(role),
            read_timeout: None,
            meter,
            trace,
            payload_untraced: false,
            breaks: Breaks::NONE,
        }
    }

    /// The same reader with `breaks`: [`Break::OneReadOneFrame`] here, and
    /// [`Break::NoMaskCheck`] in its decoder, are the wrong ways of lesson 6; the others
    /// do nothing here.
    pub fn with_breaks(mut self, breaks: Breaks) -> Self {
        self.decoder = self.decoder.with_breaks(breaks);
        self.breaks = breaks;
        self
    }

    /// The socket, to close it.
    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// The next piece decoded from the bytes read so far, or `None` when more must be
    /// read first.
    ///
    /// # Errors
    /// The [`FrameError`] of a frame that broke a rule.
    pub fn next_piece(&mut self) -> Result<Option<Piece<'_>>, FrameError> {
        // A header is at most 14 bytes; keep them as they came, for the trace.
        let raw_header = (self.trace == Tracing::On)
            .then(|| self.buf[self.start..self.end.min(self.start + 14)].to_vec());
        let bytes = &mut self.buf[self.start..self.end];
        let (piece, consumed) = match self.decoder.decode(bytes)? {
            Decoded::Complete { value, consumed } => (value, consumed),
            Decoded::Partial => return Ok(None),
        };
        self.start += consumed;
        if self.breaks.has(Break::OneReadOneFrame)
            && matches!(piece, Piece::Payload { last: true, .. })
        {
            // The wrong way, on purpose (--break one-read-one-frame): the read was taken as
            // one frame, so whatever came after that frame in it is never looked at.
            self.start = self.end;
        }
        if let Some(raw) = raw_header {
            match &piece {
                Piece::Header(header) => {
                    eprint!("{}", describe_header('←', &raw[..consumed], header));
                    self.payload_untraced = true;
                }
                Piece::Payload { header, bytes, .. } if self.payload_untraced => {
                    eprint!("{}", describe_payload(header, bytes));
                    self.payload_untraced = false;
                }
                Piece::Payload { .. } => {}
            }
        }
        Ok(Some(piece))
    }

    /// Reads once from the socket, waiting at most `timeout` (`None`: for ever). `Ok(0)`
    /// is the end of the stream.
    ///
    /// # Errors
    /// The `io::Error` of the read: `WouldBlock` or `TimedOut` when the timeout passed.
    pub fn read(&mut self, timeout: Option<Duration>) -> io::Result<usize> {
        if timeout != self.read_timeout {
            self.stream.set_read_timeout(timeout)?;
            self.read_timeout = timeout;
        }
        if self.breaks.has(Break::OneReadOneFrame) {
            // The wrong way, on purpose (--break one-read-one-frame), continued: each read is
            // a new frame, so the rest of a frame split over two reads is read as a header.
            self.decoder.forget_frame();
            self.start = self.end;
        }
        if self.start == self.end {
            (self.start, self.end) = (0, 0);
        }
        let wanted = (self.decoder.payload_left() as usize).clamp(READ_CHUNK, MAX_READ);
        if self.buf.len() - self.end < wanted {
            // Move what is left to the front, then grow if that is not room enough.
            self.buf.copy_within(self.start..self.end, 0);
            (self.start, self.end) = (0, self.end - self.start);
            if self.buf.len() < self.end + wanted {
                self.buf.resize(self.end + wanted, 0);
            }
        }
        let n = self.stream.read(&mut self.buf[self.end..])?;
        self.meter.read(n);
        self.end += n;
        Ok(n)
    }
}
