//! The sending half of a connection, shared behind a `Mutex`, and the closing handshake's
//! state.
//!
//! Two threads may send on one WebSocket: the connection's own thread answers pings and
//! Close frames, and on `/ws` the broadcast thread writes events. A frame is written with
//! one or more `write` calls; if two threads wrote at once, the bytes of two frames could
//! interleave and the peer would read garbage. So every frame goes through one [`Writer`]
//! behind a `Mutex`, and a frame is queued whole while the lock is held. (This is the one
//! place in the crate where a lock is held across socket I/O: the lock *is* the socket's.)
//!
//! The writer also keeps the [`Closing`] state, because it is what enforces RFC 6455
//! §5.5.1 for every thread: after our Close, no more frames.

use std::io;
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::close::{CloseCode, close_payload};
use super::closing::Closing;
use super::frame::{Header, OpCode, Role, encode};
use super::keys::KeySource;
use super::message::Message;
use super::trace::{Direction, SHOWN_BYTES, Tracing, describe};
use crate::ledger::Meter;
use crate::outbox::Outbox;

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

/// Sends frames on one socket: each whole frame goes to the socket through an
/// [`Outbox`], which queues what the socket does not take within its write timeout.
pub struct Writer {
    stream: TcpStream,
    role: Role,
    keys: KeySource,
    outbox: Outbox,
    meter: Meter,
    closing: Closing,
    trace: Tracing,
    /// A frame's header is built here, or a client's whole frame (masking needs a copy
    /// of the payload); kept to reuse its allocation.
    scratch: Vec<u8>,
}

impl Writer {
    /// A writer on `stream` for `role` (a client masks its frames); `trace` prints each
    /// frame to stderr (see [`super::trace`]); the bytes written count in `meter`.
    pub fn new(stream: TcpStream, role: Role, trace: Tracing, meter: Meter) -> Self {
        Writer {
            stream,
            role,
            keys: KeySource::new(),
            outbox: Outbox::metered(meter.clone()),
            meter,
            closing: Closing::Open,
            trace,
            scratch: Vec::new(),
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
            Message::Text(text) => self.send_frame(OpCode::Text, text.as_bytes()),
            Message::Binary(bytes) => self.send_frame(OpCode::Binary, bytes),
        }
    }

    /// Sends one whole frame (FIN set), masked if this is a client.
    ///
    /// # Errors
    /// [`SendError::Closed`] after a Close (RFC 6455 §5.5.1), [`SendError::Stalled`] when
    /// the socket's write timeout passed with bytes still queued, [`SendError::Io`].
    pub fn send_frame(&mut self, opcode: OpCode, payload: &[u8]) -> Result<(), SendError> {
        let allowed = match opcode {
            OpCode::Close => matches!(self.closing, Closing::Open | Closing::CloseReceived),
            _ => self.closing == Closing::Open,
        };
        if !allowed {
            return Err(SendError::Closed);
        }
        if opcode == OpCode::Close {
            self.closing = self.closing.on_close_sent(); // the last frame we send
        }
        let header = Header::new(opcode, payload.len());
        let mut frame = std::mem::take(&mut self.scratch);
        frame.clear();
        let result = match self.role {
            // A server's header and the caller's payload go in one vectored write, so a
            // big payload is never copied to sit next to its header.
            Role::Server => {
                header.encode(&mut frame);
                self.write_parts(&frame, payload)
            }
            Role::Client => {
                let header = header.with_mask(Some(self.keys.masking_key())); // §5.3
                encode(&mut frame, &header, payload);
                let (head, body) = frame.split_at(header.encoded_len());
                self.write_parts(head, body)
            }
        };
        self.scratch = frame;
        result
    }

    fn write_parts(&mut self, head: &[u8], body: &[u8]) -> Result<(), SendError> {
        if self.trace == Tracing::On {
            let shown = &body[..body.len().min(SHOWN_BYTES)];
            eprint!("{}", describe(Direction::Sent, &[head, shown].concat()));
        }
        self.write_out(head, body)
    }

    /// Writes through the outbox: queued bytes first, then these.
    fn write_out(&mut self, head: &[u8], body: &[u8]) -> Result<(), SendError> {
        match self.outbox.write(&self.stream, head, body) {
            Ok(0) => Ok(()),
            Ok(_) => Err(SendError::Stalled),
            Err(e) => Err(SendError::Io(e)),
        }
    }

    /// Sends frames encoded once for many connections (the broadcast of `/ws`); they must be
    /// whole, unmasked server frames.
    ///
    /// # Errors
    /// As for [`send_frame`](Self::send_frame).
    pub fn send_encoded(&mut self, frames: &[u8]) -> Result<(), SendError> {
        if self.closing != Closing::Open {
            return Err(SendError::Closed);
        }
        if self.trace == Tracing::On {
            eprint!("{}", describe(Direction::Sent, frames));
        }
        self.write_out(frames, &[])
    }

    /// Sends a Close frame with `code` and `reason` (or an empty one for `None`): ours,
    /// or the echo of the peer's. After it, only the peer's Close is awaited.
    ///
    /// # Errors
    /// As for [`send_frame`](Self::send_frame).
    pub fn close(&mut self, code: Option<CloseCode>, reason: &str) -> Result<(), SendError> {
        self.send_frame(OpCode::Close, &close_payload(code, reason))
    }

    /// The peer's Close arrived; returns the new state (`CloseReceived`: it wants an echo).
    pub fn close_received(&mut self) -> Closing {
        self.closing = self.closing.on_close_received();
        self.closing
    }

    /// Where the closing handshake is.
    pub fn closing(&self) -> Closing {
        self.closing
    }

    /// Where this connection's bytes are counted.
    pub fn meter(&self) -> &Meter {
        &self.meter
    }

    /// Bytes queued that the socket has not taken yet.
    pub fn pending_len(&self) -> usize {
        self.outbox.len()
    }

    /// Sets how long one write may wait for a full socket (zero: no limit).
    ///
    /// # Errors
    /// The `io::Error` of `set_write_timeout`.
    pub fn set_write_wait(&self, wait: Duration) -> io::Result<()> {
        self.stream
            .set_write_timeout(Some(wait).filter(|w| !w.is_zero()))
    }

    /// Writes queued bytes until the socket takes them all or its write timeout passes.
    ///
    /// # Errors
    /// [`SendError::Closed`] once the connection has ended, [`SendError::Stalled`] with
    /// bytes still queued, [`SendError::Io`].
    pub fn flush(&mut self) -> Result<(), SendError> {
        if self.closing == Closing::Closed {
            return Err(SendError::Closed);
        }
        self.write_out(&[], &[])
    }

    /// The connection is over: a last try at writing what is queued (our Close,
    /// usually), then nothing more. The reader closes the socket.
    pub fn finish(&mut self) {
        let _ = self.outbox.write(&self.stream, &[], &[]);
        self.closing = Closing::Closed;
    }

    /// Abandons the connection: drops what is queued and shuts the socket both ways, which
    /// also wakes the thread blocked reading it.
    pub fn disconnect(&mut self) {
        self.closing = Closing::Closed;
        self.outbox.clear();
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}
