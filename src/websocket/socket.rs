//! The loop that owns a WebSocket: read bytes, decode pieces, act on each step.
//!
//! ```text
//! connection thread (reader)                                   any thread (writer, Mutex)
//! FrameReader::read ─► next_piece ─► Assembler::receive ─┬─ Message ─► returned by recv()
//!      ▲                                                 ├─ SendPong ─► writer: Pong
//!      └──── None: read more (Liveness: ping, give up) ◄─┼─ PeerClosed ─► writer: echo, end
//!                                                        └─ error ─► writer: Close 1002/1007/1009, end
//! ```
//!
//! A [`WebSocket`] is four pieces, each owning one kind of state: the
//! [`FrameReader`] (the socket's read side, its buffer, the frame decoder), the
//! [`Assembler`] (the message being reassembled), the [`Liveness`] timers, and the
//! [`SharedWriter`] (the write side and the closing handshake's state).
//!
//! Every wait is bounded: a read waits at most until the next ping is due, a ping waits
//! [`Config::pong_timeout`] for any sign of life, and a Close we send waits
//! [`Config::close_timeout`] for the peer's. A peer that vanishes without a word is noticed
//! by the first of these, and the thread ends.

use std::io::{self, ErrorKind};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use super::close::{CloseCode, CloseReason};
use super::closing::{Closing, Ending};
use super::frame::{OpCode, Role};
use super::liveness::{Liveness, Silence};
use super::message::{Assembler, DEFAULT_MAX_MESSAGE, Message, ProtocolError, Step};
use super::reader::FrameReader;
use super::writer::{SendError, SharedWriter, Writer, lock};
use crate::breaks::Breaks;
use crate::http::linger::close_gracefully;
use crate::ledger::Meter;

/// How a WebSocket behaves; [`Config::default`] gives the contract's values (LESSONS.md,
/// Appendix: the wire contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// The largest message accepted, in bytes; a bigger one is closed with 1009. 16 MiB.
    pub max_message: usize,
    /// Silence from the peer after which a Ping is sent; zero sends none. 30 s.
    pub ping_interval: Duration,
    /// How long a Ping waits for any sign of life before the peer is taken as dead. 10 s.
    pub pong_timeout: Duration,
    /// How long a Close we sent waits for the peer's Close. 5 s.
    pub close_timeout: Duration,
    /// How long one write may block before the peer counts as not reading. 30 s.
    pub write_timeout: Duration,
    /// Print every frame to stderr (`--trace`).
    pub trace: bool,
    /// `--break`: `NoMaskCheck` and `OneReadOneFrame` ([`crate::breaks::Break`]) are
    /// lesson 6's wrong ways, on purpose, in the [`FrameReader`]. None by default.
    pub breaks: Breaks,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_message: DEFAULT_MAX_MESSAGE,
            ping_interval: Duration::from_secs(30),
            pong_timeout: Duration::from_secs(10),
            close_timeout: Duration::from_secs(5),
            write_timeout: Duration::from_secs(30),
            trace: false,
            breaks: Breaks::NONE,
        }
    }
}

/// Why the reader produced no step.
enum ReadError {
    /// The peer broke a rule: the connection fails with its close code (§7.1.7).
    Broken(ProtocolError),
    /// The TCP connection ended (end of stream, or an error) without a Close.
    Dropped,
    /// The peer stayed silent past a deadline: no answer to a Ping, or to our Close.
    Silent,
}

/// One end of a WebSocket connection after the opening handshake.
pub struct WebSocket {
    reader: FrameReader,
    assembler: Assembler,
    liveness: Liveness,
    writer: SharedWriter,
    config: Config,
}

impl WebSocket {
    /// Takes over `stream` after the opening handshake. `leftover` are bytes already read
    /// past the handshake: the start of the first frame. The bytes both ways count in
    /// `meter` (the server's ledger; [`Meter::none`] for none).
    ///
    /// # Errors
    /// When the socket cannot be cloned or its timeouts set.
    pub fn new(
        stream: TcpStream,
        leftover: Vec<u8>,
        role: Role,
        config: Config,
        meter: Meter,
    ) -> io::Result<Self> {
        stream.set_read_timeout(None)?; // the HTTP layer's idle timeout no longer applies
        let trace = config.trace.into();
        let writer = Writer::new(stream.try_clone()?, role, trace, meter.clone());
        writer.set_write_wait(config.write_timeout)?;
        Ok(WebSocket {
            reader: FrameReader::new(stream, leftover, role, trace, meter)
                .with_breaks(config.breaks),
            assembler: Assembler::new(config.max_message),
            liveness: Liveness::new(config.ping_interval, config.pong_timeout, Instant::now()),
            writer: writer.shared(),
            config,
        })
    }

    /// The writer, for another thread that sends on this connection.
    pub fn writer(&self) -> SharedWriter {
        SharedWriter::clone(&self.writer)
    }

    /// Sends `message`.
    ///
    /// # Errors
    /// As for [`Writer::send_frame`].
    pub fn send(&self, message: &Message) -> Result<(), SendError> {
        lock(&self.writer).send(message)
    }

    /// Waits for the next message, answering pings and sending pings of its own on the way.
    ///
    /// # Errors
    /// The [`Ending`] once the connection is over: after the closing handshake, a broken
    /// rule (a Close with its code has been sent), the peer vanishing or not answering.
    /// The socket is closed by then.
    pub fn recv(&mut self) -> Result<Message, Ending> {
        loop {
            match self.next_step() {
                Ok(Step::Message(message)) => return Ok(message),
                Ok(Step::SendPong(payload)) => {
                    let _ = lock(&self.writer).send_frame(OpCode::Pong, &payload);
                }
                Ok(Step::PeerClosed(reason)) => return Err(self.answer_close(reason)),
                Ok(Step::PongReceived(_) | Step::Nothing) => {}
                Err(err) => return Err(self.stop(err)),
            }
        }
    }

    /// Starts the closing handshake with `code` and `reason`, then waits (at most
    /// [`Config::close_timeout`]) for the peer's Close, dropping any data still arriving
    /// (§1.4: no data after a Close) and sending no pings.
    pub fn close(mut self, code: CloseCode, reason: &str) -> Ending {
        let _ = lock(&self.writer).close(Some(code), reason);
        self.liveness
            .closing(Instant::now(), self.config.close_timeout);
        loop {
            match self.next_step() {
                Ok(Step::PeerClosed(reason)) => {
                    lock(&self.writer).close_received();
                    return self.end(Ending::Clean(reason));
                }
                Ok(_) => {}
                Err(err) => return self.stop(err),
            }
        }
    }

    /// The next step, decoding what was read and reading more as needed.
    fn next_step(&mut self) -> Result<Step, ReadError> {
        loop {
            let piece = self
                .reader
                .next_piece()
                .map_err(|err| ReadError::Broken(err.into()))?;
            match piece {
                Some(piece) => return self.assembler.receive(piece).map_err(ReadError::Broken),
                None => self.fill()?,
            }
        }
    }

    /// Reads more bytes. Silence is what [`Liveness`] says it is: time for a Ping, or the
    /// end of the peer.
    fn fill(&mut self) -> Result<(), ReadError> {
        loop {
            match self.reader.read(self.liveness.read_timeout(Instant::now())) {
                Ok(0) => return Err(ReadError::Dropped),
                Ok(_) => {
                    self.liveness.heard(Instant::now());
                    return Ok(());
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    match self.liveness.on_silence(Instant::now()) {
                        Silence::Wait => {}
                        Silence::SendPing => {
                            let _ = lock(&self.writer).send_frame(OpCode::Ping, b"");
                        }
                        Silence::GiveUp => return Err(ReadError::Silent),
                    }
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return Err(ReadError::Dropped),
            }
        }
    }

    /// The peer sent Close: echo its code unless ours went first (§5.5.1), then close TCP.
    fn answer_close(&mut self, reason: CloseReason) -> Ending {
        {
            let mut writer = lock(&self.writer);
            if writer.close_received() == Closing::CloseReceived {
                let _ = writer.close(reason.code, "");
            }
        }
        self.end(Ending::Clean(reason))
    }

    /// Ends the connection for a reason that is not the closing handshake.
    fn stop(&mut self, err: ReadError) -> Ending {
        match err {
            ReadError::Broken(err) => self.fail(err),
            ReadError::Dropped => self.end(Ending::Dropped),
            ReadError::Silent => self.end(Ending::TimedOut),
        }
    }

    /// Fails the connection (§7.1.7): send a Close with the error's code (unless ours was
    /// sent already), then close TCP at once. Nothing more from the peer is processed,
    /// not even its answering Close: the bytes after a broken frame cannot be trusted to
    /// be frames at all.
    fn fail(&mut self, err: ProtocolError) -> Ending {
        let _ = lock(&self.writer).close(Some(err.close_code()), &err.to_string());
        self.end(Ending::Failed(err))
    }

    /// Ends the connection: a last flush of what is queued (our Close, usually), then the
    /// lingering close (FIN, then drain what the peer still sends, bounded), so that no
    /// reset destroys the Close before the peer reads it. The server thereby closes TCP
    /// first, as RFC 6455 §7.1.1 asks; a client's FIN crosses the server's.
    fn end(&mut self, ending: Ending) -> Ending {
        lock(&self.writer).finish();
        close_gracefully(self.reader.stream());
        let _ = self.reader.stream().shutdown(Shutdown::Both);
        ending
    }
}
