//! The loop that owns a WebSocket's socket: read bytes, decode frames, act on each step.
//!
//! ```text
//! connection thread (reader)                       any thread (writer, behind a Mutex)
//! read ─► frame::decode ─► Connection::receive ─┬─ Message ─► returned by recv()
//!   ▲                                           ├─ SendPong ─► writer: Pong, same payload
//!   └──────── Partial: read more ◄──────────────┼─ PeerClosed ─► writer: Close echo, end
//!                                               └─ error ─► writer: Close 1002/1007/1009, end
//! ```
//!
//! Every wait is bounded: a read waits at most until the next server ping is due, a ping
//! waits [`Config::pong_timeout`] for its pong, and a Close we send waits
//! [`Config::close_timeout`] for the peer's. A peer that vanishes without a word is noticed
//! by the first of these, and the thread ends.

use std::io::{self, ErrorKind, Read};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use super::close::{CloseCode, CloseReason};
use super::connection::{Arriving, Connection, DEFAULT_MAX_MESSAGE, Message, ProtocolError, Step};
use super::frame::{self, OpCode, Role};
use super::trace::{Direction, describe};
use super::writer::{SendError, SharedWriter, Writer, lock};
use crate::decoded::Decoded;

/// Bytes read from the socket at a time, and the read buffer's starting size.
const READ_CHUNK: usize = 16 * 1024;
/// A read buffer grown past this for a big message is shrunk back once it is decoded.
/// Keeping up to 2 MiB spares a peer that sends 1 MiB messages a fresh allocation (and
/// its page faults) for every one; a connection may keep that much after one.
const MAX_KEPT_BUFFER: usize = 2 * 1024 * 1024;

/// How a WebSocket behaves; [`Config::default`] gives the contract's values.
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
        }
    }
}

/// How a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Both Close frames crossed: the closing handshake completed (RFC 6455 §7.1.4).
    Clean(CloseReason),
    /// We failed the connection for a broken rule and sent this close code (§7.1.7).
    Failed(ProtocolError),
    /// The TCP connection ended with no Close from the peer: reported as 1006.
    Dropped,
    /// The peer did not answer a Ping, or our Close, in time.
    TimedOut,
}

impl Ending {
    /// The close code to report: the peer's, ours for a failure, 1005 for an empty Close,
    /// 1006 for no Close at all (RFC 6455 §7.1.5).
    pub fn code(&self) -> CloseCode {
        match self {
            Ending::Clean(reason) => reason.code.unwrap_or(CloseCode::NO_STATUS_RCVD),
            Ending::Failed(err) => err.close_code(),
            Ending::Dropped | Ending::TimedOut => CloseCode::ABNORMAL_CLOSURE,
        }
    }
}

/// One end of a WebSocket connection after the opening handshake.
pub struct WebSocket {
    stream: TcpStream,
    role: Role,
    config: Config,
    connection: Connection,
    writer: SharedWriter,
    /// Received bytes not yet decoded are `buf[start..end]`.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    last_heard: Instant,
    ping_sent: Option<Instant>,
    /// The socket's read timeout as last set, to set it only when it changes.
    read_timeout: Option<Duration>,
    /// How much of a text frame still arriving has been checked as UTF-8.
    arriving: Arriving,
    /// Set once we sent our Close: reading stops then, peer's Close or not.
    close_deadline: Option<Instant>,
}

impl WebSocket {
    /// Takes over `stream` after the opening handshake. `leftover` are bytes already read
    /// past the handshake: the start of the first frame.
    ///
    /// # Errors
    /// When the socket cannot be cloned or its timeouts set.
    pub fn new(
        stream: TcpStream,
        leftover: Vec<u8>,
        role: Role,
        config: Config,
    ) -> io::Result<Self> {
        stream.set_write_timeout(Some(config.write_timeout).filter(|t| !t.is_zero()))?;
        stream.set_read_timeout(None)?; // the HTTP layer's idle timeout no longer applies
        let writer = Writer::new(stream.try_clone()?, role, config.trace).shared();
        let end = leftover.len();
        let mut buf = leftover;
        buf.resize(end.max(READ_CHUNK), 0);
        Ok(WebSocket {
            stream,
            role,
            config,
            connection: Connection::new(config.max_message),
            writer,
            buf,
            start: 0,
            end,
            last_heard: Instant::now(),
            ping_sent: None,
            read_timeout: None,
            arriving: Arriving::default(),
            close_deadline: None,
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
            let step = match self.next_frame() {
                Ok(frame) => self.connection.receive(frame),
                Err(Ending::Failed(err)) => Err(err),
                Err(ending) => return Err(self.end(ending)),
            };
            match step {
                Ok(Step::Message(message)) => return Ok(message),
                Ok(Step::SendPong(payload)) => {
                    let _ = lock(&self.writer).send_frame(true, OpCode::Pong, &payload);
                }
                Ok(Step::PeerClosed(reason)) => return Err(self.answer_close(reason)),
                Ok(Step::PongReceived(_) | Step::Nothing) => {}
                Err(err) => return Err(self.fail(err)),
            }
        }
    }

    /// Starts the closing handshake with `code` and `reason`, then waits (at most
    /// [`Config::close_timeout`]) for the peer's Close, dropping any data still arriving.
    pub fn close(mut self, code: CloseCode, reason: &str) -> Ending {
        let _ = lock(&self.writer).close(Some(code), reason);
        self.await_close()
    }

    /// Decodes the next frame, reading as needed. `Err`: a frame broke a rule
    /// ([`Ending::Failed`], not yet acted on), or the peer is gone or silent.
    fn next_frame(&mut self) -> Result<frame::Frame, Ending> {
        loop {
            let bytes = &self.buf[self.start..self.end];
            match frame::decode(bytes, self.role, self.connection.room()) {
                Ok(Decoded::Complete { value, consumed }) => {
                    if self.config.trace {
                        eprint!("{}", describe(Direction::Received, &bytes[..consumed]));
                    }
                    self.start += consumed;
                    self.arriving = Arriving::default();
                    return Ok(value);
                }
                Ok(Decoded::Partial) => {
                    self.check_arriving()?;
                    self.fill().map_err(|e| match e.kind() {
                        ErrorKind::TimedOut => Ending::TimedOut,
                        _ => Ending::Dropped,
                    })?
                }
                Err(err) => return Err(Ending::Failed(err.into())),
            }
        }
    }

    /// Fails a text frame still arriving as soon as its bytes cannot be UTF-8 (§8.1),
    /// rather than when its last byte comes: a 16 MiB frame of garbage is refused from its
    /// first read.
    fn check_arriving(&mut self) -> Result<(), Ending> {
        let bytes = &self.buf[self.start..self.end];
        if let Ok(Decoded::Complete { value: header, .. }) = frame::decode_header(bytes) {
            let arrived = &bytes[header.header_len.min(bytes.len())..];
            self.connection
                .check_arriving(&header, arrived, &mut self.arriving)
                .map_err(Ending::Failed)?;
        }
        Ok(())
    }

    /// Reads more bytes. Silence from the peer for `ping_interval` sends a Ping; silence
    /// for `pong_timeout` after it is an error (`TimedOut`): the peer is gone.
    fn fill(&mut self) -> io::Result<()> {
        self.make_room();
        loop {
            self.set_read_timeout()?;
            match self.stream.read(&mut self.buf[self.end..]) {
                Ok(0) => return Err(ErrorKind::UnexpectedEof.into()),
                Ok(n) => {
                    self.end += n;
                    self.last_heard = Instant::now();
                    self.ping_sent = None; // any bytes at all show the peer is alive
                    return Ok(());
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    self.on_silence()?;
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// The read timeout is the ping interval, or the pong timeout while a ping is out. It
    /// is set only when it changes: one system call per ping, not one per read. While
    /// closing, it is what is left of the close timeout.
    fn set_read_timeout(&mut self) -> io::Result<()> {
        let at_least_1ms = |d: Duration| d.max(Duration::from_millis(1));
        let wanted = match (self.close_deadline, self.ping_sent) {
            (Some(deadline), _) => Some(at_least_1ms(
                deadline.saturating_duration_since(Instant::now()),
            )),
            _ if self.config.ping_interval.is_zero() => None,
            (None, Some(_)) => Some(at_least_1ms(self.config.pong_timeout)),
            (None, None) => Some(self.config.ping_interval),
        };
        if wanted != self.read_timeout {
            self.stream.set_read_timeout(wanted)?;
            self.read_timeout = wanted;
        }
        Ok(())
    }

    /// A read timed out: send a Ping after `ping_interval` of silence (so it goes out
    /// between one and two intervals after the last byte), or give up on the peer when
    /// the Ping went unanswered for `pong_timeout`, or when closing took `close_timeout`.
    fn on_silence(&mut self) -> io::Result<()> {
        let now = Instant::now();
        if let Some(deadline) = self.close_deadline {
            return if now >= deadline {
                Err(ErrorKind::TimedOut.into())
            } else {
                Ok(())
            };
        }
        match self.ping_sent {
            Some(sent) if now - sent >= self.config.pong_timeout => Err(ErrorKind::TimedOut.into()),
            Some(_) => Ok(()),
            None if self.config.ping_interval.is_zero() => Ok(()),
            None if now - self.last_heard >= self.config.ping_interval => {
                let _ = lock(&self.writer).send_frame(true, OpCode::Ping, b"");
                self.ping_sent = Some(now);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Makes space after `end` for at least one more read, growing the buffer to fit the
    /// frame being received (its length was checked against the limit already).
    fn make_room(&mut self) {
        if self.start == self.end {
            (self.start, self.end) = (0, 0);
        }
        let wanted = match frame::decode_header(&self.buf[self.start..self.end]) {
            // Capped: a frame over the limit was refused before we got here.
            Ok(Decoded::Complete { value, .. }) => {
                value.header_len + (value.payload_len as usize).min(self.config.max_message)
            }
            _ => 0,
        };
        if self.start > 0 && self.buf.len() - self.end < READ_CHUNK {
            self.buf.copy_within(self.start..self.end, 0);
            (self.start, self.end) = (0, self.end - self.start);
        }
        let size = (self.start + wanted).max(self.end + READ_CHUNK);
        if self.buf.len() < size {
            self.buf.resize(size, 0);
        } else if self.end == 0 && self.buf.len() > MAX_KEPT_BUFFER {
            // A big message is done: give its memory back rather than keep it per connection.
            self.buf.truncate(READ_CHUNK);
            self.buf.shrink_to_fit();
        }
    }

    /// The peer sent Close: echo its code unless we sent ours (§5.5.1), then close TCP.
    fn answer_close(&mut self, reason: CloseReason) -> Ending {
        {
            let mut writer = lock(&self.writer);
            if !writer.close_sent() {
                let _ = writer.close(reason.code, "");
            }
        }
        self.end(Ending::Clean(reason))
    }

    /// Fails the connection (§7.1.7): send a Close with the error's code, then close TCP
    /// at once. Nothing more from the peer is processed, not even its answering Close: the
    /// bytes after a broken frame cannot be trusted to be frames at all.
    fn fail(&mut self, err: ProtocolError) -> Ending {
        let _ = lock(&self.writer).close(Some(err.close_code()), &err.to_string());
        self.end(Ending::Failed(err))
    }

    /// After our Close: read frames until the peer's Close, for at most `close_timeout`.
    /// Data frames are dropped (§1.4: no data after a Close); a broken frame, silence or
    /// the end of TCP ends the wait. No pings are sent meanwhile.
    fn await_close(&mut self) -> Ending {
        self.close_deadline = Some(Instant::now() + self.config.close_timeout);
        loop {
            let frame = match self.next_frame() {
                Ok(frame) => frame,
                Err(ending) => return self.end(ending),
            };
            if let Ok(Step::PeerClosed(reason)) = self.connection.receive(frame) {
                return self.end(Ending::Clean(reason));
            }
        }
    }

    /// Ends the connection: the server closes TCP first and lingers for the client's FIN
    /// (RFC 6455 §7.1.1); a client waits briefly for the server to do so.
    fn end(&mut self, ending: Ending) -> Ending {
        lock(&self.writer).finish();
        match self.role {
            Role::Server => crate::http::connection::close_gracefully(&self.stream),
            Role::Client => {
                let _ = self
                    .stream
                    .set_read_timeout(Some(self.config.close_timeout));
                let mut sink = [0u8; 512];
                while matches!(self.stream.read(&mut sink), Ok(n) if n > 0) {}
            }
        }
        let _ = self.stream.shutdown(Shutdown::Both);
        ending
    }
}
