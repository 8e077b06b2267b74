//! The event streams' writer: the [`Fanout`] of lesson 4, with an event stream's socket
//! as its sink.
//!
//! ```text
//! connection thread:  head ─► retry ─► replay since cursor ─► hand off ─┐   (thread ends)
//! hub thread:         wait_since ─► encode once ─► write to each ◄──────┘
//!                     every `heartbeat`: ": keep-alive" to each, and drop the ones gone
//! ```
//!
//! After the hand-off the socket is non-blocking: a write takes what fits in the socket's
//! send buffer and never waits, so one slow client cannot hold up the others. What it does
//! not take is queued; past [`SSE_POLICY`]'s 1 MiB the client is disconnected, and its
//! browser reconnects with `Last-Event-ID`: the replay picks up where it left off.
//!
//! A client that vanishes without a FIN (a pulled cable, a proxy or NAT that forgot the
//! connection) is the hard case: the heartbeats still go into the kernel's send buffer,
//! and TCP gives up only after its retransmission timeout, about 15 minutes with Linux
//! defaults. So every stream has a lifetime (`StreamOptions::max_lifetime`, default 5
//! minutes, `--max-stream-ms`): at the first heartbeat after it, the stream is ended, and
//! a client that is still there reconnects with `Last-Event-ID` and misses nothing. It
//! also spreads the streams over the servers again after one was added (lesson 10).
//!
//! Production note: TCP keepalive (`SO_KEEPALIVE` with a short `TCP_KEEPIDLE`) would make
//! the kernel probe an idle connection and report the dead ones, and `TCP_USER_TIMEOUT`
//! would bound how long written data may stay unacknowledged before the kernel drops the
//! connection: both detect a dead peer in seconds. std sets neither (no `setsockopt`
//! without a dependency), hence the lifetime.

use std::io::{self, ErrorKind, Read};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::encode::{StreamEvent, StreamOptions, encode_comment, encode_events, encode_retry};
use crate::breaks::{Break, Breaks, SSE_BUFFER_BYTES};
use crate::event_log::EventLog;
use crate::fanout::{Fanout, Gone, Sink, SlowPolicy};
use crate::http::config::server_name;
use crate::http::slot::ConnectionSlot;
use crate::outbox::Outbox;

/// Event streams: non-blocking writes; disconnected past 1 MiB queued.
pub const SSE_POLICY: SlowPolicy = SlowPolicy {
    write_wait: Duration::ZERO,
    max_pending: 1024 * 1024,
    max_stall: None,
};

/// The writer of every event stream over one event log.
pub type Hub = Fanout<EventStream>;

/// One event stream the hub writes to.
pub struct EventStream {
    stream: TcpStream,
    /// When it ends on its own (`StreamOptions::max_lifetime`), if it does.
    ends_at: Option<Instant>,
    /// Bytes the socket has not taken yet; the `retry:` line waits here for the replay.
    outbox: Outbox,
    /// Keeps the connection counted under `--max-connections` while the stream is open;
    /// its meter counts the stream's events.
    slot: ConnectionSlot,
    /// `--break sse-buffer` only: bytes held back until [`SSE_BUFFER_BYTES`] have gathered.
    unflushed: Option<Vec<u8>>,
}

impl Hub {
    /// Starts the hub's thread for streams of `log`, written with `options`.
    ///
    /// # Panics
    /// If the operating system refuses to start a thread, which at start-up means the
    /// server could not run anyway.
    pub fn start(log: Arc<EventLog>, options: StreamOptions) -> Arc<Hub> {
        let encode =
            Box::new(move |bytes: &mut Vec<u8>, batch: &_| encode_events(bytes, batch, &options));
        Fanout::spawn("sse-hub", log, encode, SSE_POLICY, options.heartbeat)
    }
}

impl EventStream {
    /// An event stream on `stream` whose first bytes are the line `retry: 2000\n` with the
    /// reconnection time, and no empty line: the next event's lines follow it (the
    /// `server` event of lesson 10, or the replay's first). Open for at most
    /// `max_lifetime` (zero: no limit); `slot` is held for as long as the stream is open.
    pub fn new(
        stream: TcpStream,
        slot: ConnectionSlot,
        retry: Duration,
        max_lifetime: Duration,
    ) -> Self {
        let mut first = Vec::new();
        encode_retry(&mut first, retry);
        if let Some(name) = server_name() {
            // Lesson 10: which server behind the balancer this stream reached.
            let _ = StreamEvent::new(name)
                .event_type("server")
                .encode_into(&mut first);
        }
        let mut outbox = Outbox::metered(slot.meter().clone());
        outbox.push(&first);
        EventStream {
            stream,
            ends_at: (!max_lifetime.is_zero()).then(|| Instant::now() + max_lifetime),
            outbox,
            slot,
            unflushed: None,
        }
    }

    /// The same stream with `breaks`: [`Break::SseBuffer`] holds its bytes back in a buffer
    /// of [`SSE_BUFFER_BYTES`], the wrong way; the others do nothing here.
    pub fn with_breaks(self, breaks: Breaks) -> Self {
        EventStream {
            unflushed: breaks.has(Break::SseBuffer).then(Vec::new),
            ..self
        }
    }

    /// Writes what is queued, then `bytes`, and says how many bytes are left queued (see
    /// [`Outbox::write`]).
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if let Some(held) = &mut self.unflushed {
            // The wrong way, on purpose (--break sse-buffer): a `BufWriter` in front of the
            // socket, written out only when full. The caller is told all went, as
            // `write_all` on a `BufWriter` says, but the client sees nothing yet.
            held.extend_from_slice(bytes);
            if held.len() < SSE_BUFFER_BYTES {
                return Ok(0);
            }
            let full = std::mem::take(held);
            return self.outbox.write(&self.stream, &full, &[]);
        }
        self.outbox.write(&self.stream, bytes, &[])
    }
}

impl Sink for EventStream {
    /// Writes `retry:` and the replay with blocking writes (the connection's write timeout
    /// still applies).
    fn replay(&mut self, bytes: &[u8], events: usize) -> Result<(), Gone> {
        match self.write(bytes) {
            Ok(0) => {
                self.slot.meter().delivered(events);
                Ok(())
            }
            _ => Err(Gone), // gone, or not taking even the replay
        }
    }

    fn go_live(&mut self, write_wait: Duration) -> Result<(), Gone> {
        let switched = match write_wait {
            Duration::ZERO => self.stream.set_nonblocking(true),
            wait => self.stream.set_write_timeout(Some(wait)),
        };
        switched.map_err(|_| Gone)
    }

    fn send(&mut self, bytes: &[u8], events: usize) -> Result<usize, Gone> {
        self.slot.meter().delivered(events);
        self.write(bytes).map_err(|_| Gone)
    }

    /// Sends `: keep-alive\n`, one line with no empty line (see [`encode_comment`]), behind
    /// whatever is queued, so never inside an event. It first checks for the client's FIN:
    /// a closed stream reads as end-of-file at once, where a write to it would still
    /// succeed the first time. A stream past its lifetime is ended instead (dropped: the
    /// socket closes, the body ends, the browser reconnects after `retry` with
    /// `Last-Event-ID`).
    fn tick(&mut self) -> Result<usize, Gone> {
        if self.ends_at.is_some_and(|end| Instant::now() >= end) {
            return Err(Gone);
        }
        let mut probe = [0u8; 64];
        match (&self.stream).read(&mut probe) {
            Ok(0) => return Err(Gone),
            Ok(n) => self.slot.meter().read(n), // an event-stream client has nothing to say
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(_) => return Err(Gone),
        }
        let mut comment = Vec::new();
        let _ = encode_comment(&mut comment, "keep-alive"); // a constant without CR or LF
        self.send(&comment, 0)
    }

    fn disconnect(&mut self) {
        self.outbox.clear(); // closed when the hub drops it
    }
}
