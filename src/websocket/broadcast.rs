//! One thread that writes every event to every `/ws` subscriber.
//!
//! The same design as the event-stream hub of lesson 4 (`src/sse/hub.rs`): instead of a
//! thread per subscriber parked on the event log (1000 subscribers, 1000 wake-ups per
//! event), one thread waits on the log, encodes each new event as a text frame *once*,
//! and writes the same bytes to every subscriber. A server's frames are not masked, so
//! every subscriber gets identical bytes.
//!
//! ```text
//! connection thread:  101 ─► replay since ?since=N ─► hand off writer ─► read loop
//! broadcast thread:   wait_since ─► encode frames once ─► Writer::send_encoded, each
//! ```
//!
//! The connection thread stays: it reads the client's messages (and publishes them) and
//! answers its pings, through the same [`Writer`](super::writer::Writer) lock.
//!
//! A slow subscriber: its socket is blocking (the reader thread needs that), so writes to
//! it wait up to [`BROADCAST_WRITE_TIMEOUT`]; bytes it does not take are queued, and it is
//! disconnected once [`MAX_PENDING_BYTES`] are queued or it has not caught up within
//! [`MAX_STALL`]. Its client reconnects with `?since=` and misses nothing.
//!
//! Production note: an event loop (epoll) would write only to sockets that have room and
//! never wait; std has no portable readiness API, so this bounds the wait instead.

use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use super::frame::{OpCode, encode_header};
use super::writer::{SendError, SharedWriter, lock};
use crate::event_log::{Batch, EventLog};

/// The write timeout of `/ws` sockets: how long one write may wait for a full socket.
pub const BROADCAST_WRITE_TIMEOUT: Duration = Duration::from_millis(5);
/// Bytes queued for one subscriber before it is disconnected.
pub const MAX_PENDING_BYTES: usize = 1024 * 1024;
/// How long a subscriber may stay behind before it is disconnected.
pub const MAX_STALL: Duration = Duration::from_secs(2);
/// How soon the thread retries subscribers with queued bytes.
const RETRY_PENDING: Duration = Duration::from_millis(20);
/// How long the thread sleeps with nothing to do; a wake-up also sweeps ended connections.
const IDLE_WAIT: Duration = Duration::from_secs(10);

struct Subscriber {
    writer: SharedWriter,
    /// The id of the last event sent to it.
    cursor: u64,
    /// Since when it has had bytes queued.
    stalled_since: Option<Instant>,
}

/// The writer of the `/ws` feed over one event log.
pub struct Broadcast {
    log: Arc<EventLog>,
    inbox: Mutex<Vec<Subscriber>>,
}

impl Broadcast {
    /// Starts the broadcast thread for `log`.
    ///
    /// # Panics
    /// If the operating system refuses to start a thread (at start-up: nothing could run).
    pub fn start(log: Arc<EventLog>) -> Arc<Broadcast> {
        let broadcast = Arc::new(Broadcast {
            log,
            inbox: Mutex::new(Vec::new()),
        });
        // Read before the thread starts, as in sse/hub.rs: nothing published in between
        // may be skipped.
        let seen = broadcast.log.last_id();
        let runner = Arc::clone(&broadcast);
        thread::Builder::new()
            .name("ws-broadcast".into())
            .spawn(move || runner.run(seen))
            .expect("cannot start the broadcast thread");
        broadcast
    }

    /// The event log this broadcast sends.
    pub fn log(&self) -> &Arc<EventLog> {
        &self.log
    }

    /// Sends every event after `cursor` on `writer`, then hands it to the broadcast thread.
    /// The check that nothing was published meanwhile is repeated under the inbox lock, as
    /// in `Hub::hand_off` (lesson 4), so no event is sent twice or never.
    ///
    /// # Errors
    /// When the client is gone or stopped reading during the replay.
    pub fn subscribe(&self, writer: SharedWriter, mut cursor: u64) -> Result<(), SendError> {
        let mut bytes = Vec::new();
        loop {
            let batch = self.log.since(cursor);
            bytes.clear();
            encode_events(&mut bytes, &batch);
            if !bytes.is_empty() {
                replay(&writer, &bytes)?;
            }
            cursor = batch.last_id;
            let mut inbox = self.inbox.lock().unwrap_or_else(PoisonError::into_inner);
            if self.log.last_id() == cursor {
                inbox.push(Subscriber {
                    writer,
                    cursor,
                    stalled_since: None,
                });
                return Ok(());
            }
        }
    }

    fn run(&self, mut seen: u64) {
        let mut subscribers: Vec<Subscriber> = Vec::new();
        let mut bytes = Vec::new();
        loop {
            let stalled = subscribers.iter().any(|s| s.stalled_since.is_some());
            let batch = self
                .log
                .wait_since(seen, if stalled { RETRY_PENDING } else { IDLE_WAIT });
            subscribers.append(&mut self.inbox.lock().unwrap_or_else(PoisonError::into_inner));
            bytes.clear();
            let offsets = encode_events(&mut bytes, &batch);
            subscribers.retain_mut(|s| s.deliver(&batch, &offsets, &bytes));
            seen = batch.last_id;
        }
    }
}

impl Subscriber {
    /// Sends the events after this subscriber's cursor (a suffix of the shared bytes), or
    /// retries its queue; false when it is gone, or too far behind and now disconnected.
    fn deliver(&mut self, batch: &Batch, offsets: &[usize], bytes: &[u8]) -> bool {
        let mut writer = lock(&self.writer);
        let result = match batch.events.iter().position(|e| e.id > self.cursor) {
            Some(i) => writer.send_encoded(&bytes[offsets[i]..]),
            None => writer.flush(), // also says Closed once its reader has ended it
        };
        self.cursor = self.cursor.max(batch.last_id);
        match result {
            Ok(()) => {
                self.stalled_since = None;
                true
            }
            Err(SendError::Stalled) => {
                let since = *self.stalled_since.get_or_insert_with(Instant::now);
                let keep =
                    writer.pending_len() <= MAX_PENDING_BYTES && since.elapsed() <= MAX_STALL;
                if !keep {
                    writer.end(); // its client reconnects with ?since= and misses nothing
                }
                keep
            }
            Err(SendError::Closed | SendError::Io(_)) => false,
        }
    }
}

/// Writes a subscriber's replay on its own connection thread, which unlike the broadcast
/// thread may wait for this one client: a history bigger than the socket buffers stalls
/// the socket's short write timeout at once, so the replay keeps flushing until the client
/// has taken it all, for at most [`MAX_STALL`], the same grace a live subscriber gets.
fn replay(writer: &SharedWriter, bytes: &[u8]) -> Result<(), SendError> {
    let mut writer = lock(writer);
    let mut result = writer.send_encoded(bytes);
    let stalled = Instant::now();
    while matches!(result, Err(SendError::Stalled)) && stalled.elapsed() <= MAX_STALL {
        result = writer.flush(); // each write waits BROADCAST_WRITE_TIMEOUT: no busy loop
    }
    result
}

/// Appends every event of `batch` to `out` as one unmasked text frame
/// `{"id":N,"data":"..."}` (RFC 6455 §5.6), and returns where each event's frame starts.
pub fn encode_events(out: &mut Vec<u8>, batch: &Batch) -> Vec<usize> {
    let mut offsets = Vec::with_capacity(batch.events.len());
    for event in &batch.events {
        offsets.push(out.len());
        encode_header(out, true, OpCode::Text, None, event.json.len());
        out.extend_from_slice(event.json.as_bytes());
    }
    offsets
}
