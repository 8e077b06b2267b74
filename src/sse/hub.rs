//! One thread that writes every event stream: a socket and a cursor per subscriber.
//!
//! An event stream is idle almost all the time, so a thread parked per stream is mostly
//! a cost: its stack pages, its kernel task, and a wake-up for every event. Here the
//! connection's thread only replays what the client missed and then hands the socket to
//! the hub. The hub is the only stream thread parked on the event log; on each publish it
//! encodes the new events once and writes the same bytes to every subscriber, with
//! non-blocking writes, so one slow client cannot hold up the others.
//!
//! ```text
//! connection thread:  head ─► retry ─► replay since cursor ─► hand off ─┐   (thread ends)
//! hub thread:         wait_since ─► encode once ─► write to each ◄──────┘
//!                     every `heartbeat`: ": keep-alive" to each, and drop the ones gone
//! ```
//!
//! A subscriber that cannot keep up (its socket buffer full, then [`MAX_PENDING_BYTES`]
//! queued here) is disconnected. Nothing is lost: its browser reconnects with
//! `Last-Event-ID` and the replay picks up where it left off.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use super::stream::{StreamOptions, encode_events};
use crate::event_log::{Event, EventLog};
use crate::http::server::ConnectionSlot;

/// Bytes queued for one subscriber whose socket is full before it is disconnected.
pub const MAX_PENDING_BYTES: usize = 1024 * 1024;
/// How soon the hub retries writing to subscribers with queued bytes.
const RETRY_PENDING: Duration = Duration::from_millis(20);
/// How long the hub sleeps when there is no heartbeat to send.
const IDLE_WAIT: Duration = Duration::from_secs(3600);

/// One event stream the hub writes to.
pub struct Subscriber {
    stream: TcpStream,
    /// The id of the last event queued for this subscriber.
    cursor: u64,
    /// Bytes the socket would not take yet, written before anything newer.
    pending: Vec<u8>,
    /// Keeps the connection counted under `--max-connections` while the stream is open.
    _slot: ConnectionSlot,
}

/// The writer of every event stream over one event log.
pub struct Hub {
    log: Arc<EventLog>,
    options: StreamOptions,
    /// Subscribers handed off since the hub last looked.
    inbox: Mutex<Vec<Subscriber>>,
}

impl Hub {
    /// Starts the hub's thread for streams of `log`.
    ///
    /// # Panics
    /// If the operating system refuses to start a thread, which at start-up means the
    /// server could not run anyway.
    pub fn start(log: Arc<EventLog>, options: StreamOptions) -> Arc<Hub> {
        let hub = Arc::new(Hub {
            log,
            options,
            inbox: Mutex::new(Vec::new()),
        });
        // Read here, not in the new thread: a publish between this call and the thread's
        // first instruction would otherwise be skipped for subscribers handed off meanwhile.
        let seen = hub.log.last_id();
        let runner = Arc::clone(&hub);
        thread::Builder::new()
            .name("sse-hub".into())
            .spawn(move || runner.run(seen))
            .expect("cannot start the event-stream thread");
        hub
    }

    /// The stream options this hub writes with.
    pub fn options(&self) -> &StreamOptions {
        &self.options
    }

    /// The event log this hub streams.
    pub fn log(&self) -> &EventLog {
        &self.log
    }

    /// Takes over a stream that has everything up to `cursor`. The caller replayed up to
    /// the log's newest id; the check is repeated under the inbox lock, so an event
    /// published in between is either seen here (and `Err` says: replay again) or comes
    /// after the hand-off, when the hub sends it. Nothing falls in the gap.
    pub(super) fn hand_off(
        &self,
        stream: TcpStream,
        cursor: u64,
        slot: ConnectionSlot,
    ) -> Result<(), (TcpStream, ConnectionSlot)> {
        let mut inbox = self.inbox.lock().unwrap_or_else(PoisonError::into_inner);
        if self.log.last_id() != cursor {
            return Err((stream, slot));
        }
        if stream.set_nonblocking(true).is_err() {
            return Ok(()); // a socket that cannot be switched is closed, not retried
        }
        inbox.push(Subscriber {
            stream,
            cursor,
            pending: Vec::new(),
            _slot: slot,
        });
        Ok(())
    }

    /// The hub's loop; `seen` is the newest id when the hub was created.
    fn run(&self, mut seen: u64) {
        let mut subscribers: Vec<Subscriber> = Vec::new();
        let heartbeat = self.options.heartbeat;
        let mut next_heartbeat = Instant::now() + heartbeat;
        let mut bytes = Vec::new();
        loop {
            let wait = if subscribers.iter().any(|s| !s.pending.is_empty()) {
                RETRY_PENDING
            } else if heartbeat.is_zero() {
                IDLE_WAIT
            } else {
                next_heartbeat
                    .saturating_duration_since(Instant::now())
                    .max(Duration::from_millis(1))
            };
            // The only place this thread waits; the log's lock is released on return.
            let batch = self.log.wait_since(seen, wait);
            subscribers.append(&mut self.inbox.lock().unwrap_or_else(PoisonError::into_inner));
            bytes.clear();
            let offsets = encode_events(&mut bytes, &batch, &self.options);
            subscribers
                .retain_mut(|s| s.flush() && s.deliver_after(&batch.events, &offsets, &bytes));
            seen = batch.last_id;
            if !heartbeat.is_zero() && Instant::now() >= next_heartbeat {
                subscribers.retain_mut(Subscriber::heartbeat);
                next_heartbeat = Instant::now() + heartbeat;
            }
        }
    }
}

impl Subscriber {
    /// Queues the events this subscriber has not had. `offsets[i]` is where event `i`
    /// starts in `bytes`, so its share is one suffix of the shared encoding.
    fn deliver_after(&mut self, events: &[Arc<Event>], offsets: &[usize], bytes: &[u8]) -> bool {
        let Some(last) = events.last() else {
            return true;
        };
        if self.cursor >= last.id {
            return true;
        }
        // From the very start when the first event is new: a `missed` event may precede it.
        let start = match events.iter().position(|e| e.id > self.cursor) {
            Some(0) | None => 0,
            Some(i) => offsets[i],
        };
        self.cursor = last.id;
        self.send(&bytes[start..])
    }

    /// Writes what was queued earlier; false if the client is gone.
    fn flush(&mut self) -> bool {
        if self.pending.is_empty() {
            return true;
        }
        let pending = std::mem::take(&mut self.pending);
        self.send(&pending)
    }

    /// Writes `bytes` after anything pending, queueing what the socket will not take now.
    /// False when the client is gone or too far behind.
    fn send(&mut self, bytes: &[u8]) -> bool {
        if !self.pending.is_empty() {
            self.pending.extend_from_slice(bytes);
            return self.pending.len() <= MAX_PENDING_BYTES;
        }
        let mut written = 0;
        while written < bytes.len() {
            match (&self.stream).write(&bytes[written..]) {
                Ok(0) => return false,
                Ok(n) => written += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(_) => return false, // reset or broken pipe: the client is gone
            }
        }
        self.pending.extend_from_slice(&bytes[written..]);
        self.pending.len() <= MAX_PENDING_BYTES
    }

    /// Sends `: keep-alive`, first checking for the client's FIN: a closed stream reads as
    /// end-of-file at once, where a write to it would still succeed the first time.
    fn heartbeat(&mut self) -> bool {
        let mut probe = [0u8; 64];
        match (&self.stream).read(&mut probe) {
            Ok(0) => return false,
            Ok(_) => {} // an event-stream client has nothing to say; ignore it
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(_) => return false,
        }
        self.send(b": keep-alive\n\n")
    }
}
