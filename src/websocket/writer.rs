//! The sending half of a connection, shared behind a `Mutex`.
//!
//! Two threads may send on one WebSocket: the connection's own thread answers pings and
//! Close frames, and on `/ws` the broadcast thread writes events. A frame is written with
//! one or more `write` calls; if two threads wrote at once, the bytes of two frames could
//! interleave and the peer would read garbage. So every frame goes through one [`Writer`]
//! behind a `Mutex`, and a frame is queued whole while the lock is held. (This is the one
//! place in the crate where a lock is held across socket I/O: the lock *is* the socket's.)
//!
//! The writer also enforces RFC 6455 §5.5.1: after a Close is sent, no more data frames.

use std::io::{self, ErrorKind, IoSlice, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::close::{CloseCode, close_payload};
use super::connection::Message;
use super::frame::{OpCode, Role, encode, encode_header};
use super::mask::KeySource;
use super::trace::{Direction, SHOWN_BYTES, describe};

/// Payloads from this size on are written straight from the caller's buffer (see
/// `Writer::write_direct`) rather than copied into the queue first.
const DIRECT_WRITE_BYTES: usize = 64 * 1024;

/// A writer shared by the threads that send on one connection.
pub type SharedWriter = Arc<Mutex<Writer>>;

/// Locks `writer`, also after a thread panicked holding it (the queue is still whole).
pub fn lock(writer: &SharedWriter) -> MutexGuard<'_, Writer> {
    writer.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Why a frame was not (all) written.
#[derive(Debug)]
pub enum SendError {
    /// A Close was already sent, or the connection ended: nothing more may be sent.
    Closed,
    /// The socket did not take all the bytes within its write timeout; the rest is queued
    /// and goes out before anything sent later. The peer is not reading.
    Stalled,
    /// The socket failed (reset, broken pipe): the peer is gone.
    Io(io::Error),
}

/// Sends frames on one socket: queues each whole frame, then writes as much as the socket
/// takes within its write timeout.
pub struct Writer {
    stream: TcpStream,
    role: Role,
    keys: KeySource,
    /// Bytes of whole frames not yet taken by the socket.
    pending: Vec<u8>,
    close_sent: bool,
    ended: bool,
    trace: bool,
}

impl Writer {
    /// A writer on `stream` for `role` (a client masks its frames); `trace` prints each
    /// frame to stderr (see [`super::trace`]).
    pub fn new(stream: TcpStream, role: Role, trace: bool) -> Self {
        Writer {
            stream,
            role,
            keys: KeySource::new(),
            pending: Vec::new(),
            close_sent: false,
            ended: false,
            trace,
        }
    }

    /// Wraps the writer for sharing.
    pub fn shared(self) -> SharedWriter {
        Arc::new(Mutex::new(self))
    }

    /// Sends `message` as one frame with FIN set.
    ///
    /// # Errors
    /// As for [`send_frame`](Self::send_frame).
    pub fn send(&mut self, message: &Message) -> Result<(), SendError> {
        match message {
            Message::Text(text) => self.send_frame(true, OpCode::Text, text.as_bytes()),
            Message::Binary(bytes) => self.send_frame(true, OpCode::Binary, bytes),
        }
    }

    /// Sends one frame, masked if this is a client.
    ///
    /// # Errors
    /// [`SendError::Closed`] after a Close (RFC 6455 §5.5.1), [`SendError::Stalled`] when
    /// the socket's write timeout passed with bytes still queued, [`SendError::Io`].
    pub fn send_frame(
        &mut self,
        fin: bool,
        opcode: OpCode,
        payload: &[u8],
    ) -> Result<(), SendError> {
        if self.close_sent || self.ended {
            return Err(SendError::Closed);
        }
        if opcode == OpCode::Close {
            self.close_sent = true; // RFC 6455 §5.5.1: the last frame we send
        }
        let mask = (self.role == Role::Client).then(|| self.keys.masking_key());
        if mask.is_none() && self.pending.is_empty() && payload.len() >= DIRECT_WRITE_BYTES {
            return self.write_direct(fin, opcode, payload);
        }
        let start = self.pending.len();
        encode(&mut self.pending, fin, opcode, mask, payload);
        self.queued(start);
        self.flush()
    }

    /// Writes a big unmasked frame straight from `payload`, header and payload in one
    /// vectored write, instead of first copying it into the queue; only what the socket
    /// does not take is queued.
    fn write_direct(&mut self, fin: bool, opcode: OpCode, payload: &[u8]) -> Result<(), SendError> {
        let mut header = Vec::with_capacity(14);
        encode_header(&mut header, fin, opcode, None, payload.len());
        if self.trace {
            let shown = &payload[..payload.len().min(SHOWN_BYTES)];
            eprint!(
                "{}",
                describe(Direction::Sent, &[&header[..], shown].concat())
            );
        }
        let mut done = 0;
        let total = header.len() + payload.len();
        while done < total {
            let (head_rest, body_rest) = if done < header.len() {
                (&header[done..], payload)
            } else {
                (&header[..0], &payload[done - header.len()..])
            };
            match self
                .stream
                .write_vectored(&[IoSlice::new(head_rest), IoSlice::new(body_rest)])
            {
                Ok(0) => return Err(SendError::Io(ErrorKind::WriteZero.into())),
                Ok(n) => done += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    self.pending.extend_from_slice(head_rest);
                    self.pending.extend_from_slice(body_rest);
                    return Err(SendError::Stalled);
                }
                Err(e) => return Err(SendError::Io(e)),
            }
        }
        Ok(())
    }

    /// Sends frames encoded once for many connections (the broadcast of `/ws`); they must be
    /// whole, unmasked server frames.
    ///
    /// # Errors
    /// As for [`send_frame`](Self::send_frame).
    pub fn send_encoded(&mut self, frames: &[u8]) -> Result<(), SendError> {
        if self.close_sent || self.ended {
            return Err(SendError::Closed);
        }
        let start = self.pending.len();
        self.pending.extend_from_slice(frames);
        self.queued(start);
        self.flush()
    }

    /// Sends a Close frame with `code` and `reason` (or an empty one for `None`), unless one
    /// was sent already. After it, only the peer's Close is awaited.
    ///
    /// # Errors
    /// As for [`send_frame`](Self::send_frame).
    pub fn close(&mut self, code: Option<CloseCode>, reason: &str) -> Result<(), SendError> {
        self.send_frame(true, OpCode::Close, &close_payload(code, reason))
    }

    /// Whether a Close frame was sent.
    pub fn close_sent(&self) -> bool {
        self.close_sent
    }

    /// Bytes queued that the socket has not taken yet.
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// Marks the connection ended after a last try at writing what is queued (our Close,
    /// usually); the reader closes the socket.
    pub fn finish(&mut self) {
        let _ = self.flush();
        self.ended = true;
    }

    /// Marks the connection ended and shuts the socket both ways, which also wakes a thread
    /// blocked reading it.
    pub fn end(&mut self) {
        self.ended = true;
        self.pending.clear();
        let _ = self.stream.shutdown(Shutdown::Both);
    }

    /// Writes queued bytes until the socket takes them all or its write timeout passes.
    ///
    /// # Errors
    /// [`SendError::Closed`] once the connection has ended, [`SendError::Stalled`] with
    /// bytes still queued, [`SendError::Io`].
    pub fn flush(&mut self) -> Result<(), SendError> {
        if self.ended {
            return Err(SendError::Closed);
        }
        let mut done = 0;
        let result = loop {
            if done == self.pending.len() {
                break Ok(());
            }
            match self.stream.write(&self.pending[done..]) {
                Ok(0) => break Err(SendError::Io(ErrorKind::WriteZero.into())),
                Ok(n) => done += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    break Err(SendError::Stalled);
                }
                Err(e) => break Err(SendError::Io(e)),
            }
        };
        self.pending.drain(..done);
        result
    }

    fn queued(&self, start: usize) {
        if self.trace {
            eprint!("{}", describe(Direction::Sent, &self.pending[start..]));
        }
    }
}
