//! The `/ws` feed's writer: the [`Fanout`] of lesson 4, with a WebSocket's shared
//! [`Writer`](super::writer::Writer) as its sink.
//!
//! ```text
//! connection thread:  101 ─► replay since ?since=N ─► hand off writer ─► read loop
//! broadcast thread:   wait_since ─► encode frames once ─► Writer::send_encoded, each
//! ```
//!
//! The same design as the event streams of lesson 4: one thread waits on the log, encodes
//! each new event as a text frame *once*, and writes the same bytes to every subscriber. A
//! server's frames are not masked, so every subscriber gets identical bytes. Unlike an
//! event stream's, a `/ws` connection thread stays: it reads the client's messages (and
//! publishes them) and answers its pings, through the same writer lock.
//!
//! A slow subscriber ([`WS_POLICY`]): its socket is blocking (the reader thread needs
//! that), so writes to it wait up to 5 ms; bytes it does not take are queued, and it is
//! disconnected once 1 MiB is queued or it has not caught up within 2 s. Its client
//! reconnects with `?since=` and misses nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::frame::{Header, OpCode};
use super::writer::{SendError, SharedWriter, lock};
use crate::event_log::{Batch, EventLog};
use crate::fanout::{Fanout, Gone, Sink, SlowPolicy};

/// `/ws` subscribers: writes wait at most 5 ms; disconnected past 1 MiB queued or 2 s
/// behind.
pub const WS_POLICY: SlowPolicy = SlowPolicy {
    write_wait: Duration::from_millis(5),
    max_pending: 1024 * 1024,
    max_stall: Some(Duration::from_secs(2)),
};
/// How often the thread looks for connections whose reader has ended.
const SWEEP: Duration = Duration::from_secs(10);

/// The writer of the `/ws` feed over one event log.
pub type Broadcast = Fanout<SharedWriter>;

impl Broadcast {
    /// Starts the broadcast thread for `log`.
    ///
    /// # Panics
    /// If the operating system refuses to start a thread (at start-up: nothing could run).
    pub fn start(log: Arc<EventLog>) -> Arc<Broadcast> {
        Fanout::spawn(
            "ws-broadcast",
            log,
            Box::new(encode_events),
            WS_POLICY,
            SWEEP,
        )
    }
}

impl Sink for SharedWriter {
    /// Writes the replay on the connection's own thread, which unlike the broadcast
    /// thread may wait for this one client: a history bigger than the socket buffers
    /// stalls the 5 ms write timeout at once, so the replay keeps flushing until the client
    /// has taken it all, for at most the 2 s a live subscriber gets.
    fn replay(&mut self, bytes: &[u8], events: usize) -> Result<(), Gone> {
        let mut writer = lock(self);
        writer.meter().delivered(events);
        let mut result = writer.send_encoded(bytes);
        let stalled = Instant::now();
        let limit = WS_POLICY.max_stall.unwrap_or_default();
        while matches!(result, Err(SendError::Stalled)) && stalled.elapsed() <= limit {
            result = writer.flush(); // each write waits up to 5 ms: no busy loop
        }
        result.map_err(|_| Gone)
    }

    fn go_live(&mut self, write_wait: Duration) -> Result<(), Gone> {
        lock(self).set_write_wait(write_wait).map_err(|_| Gone)
    }

    fn send(&mut self, bytes: &[u8], events: usize) -> Result<usize, Gone> {
        let mut writer = lock(self);
        writer.meter().delivered(events);
        match writer.send_encoded(bytes) {
            Ok(()) => Ok(0),
            Err(SendError::Stalled) => Ok(writer.pending_len()),
            Err(SendError::Closed | SendError::Io(_)) => Err(Gone),
        }
    }

    /// Says [`Gone`] once the reader has ended the connection, so the thread lets go of it.
    fn tick(&mut self) -> Result<usize, Gone> {
        self.send(&[], 0)
    }

    fn disconnect(&mut self) {
        lock(self).disconnect(); // wakes the reader, which ends the connection
    }
}

/// Appends every event of `batch` to `out` as one unmasked text frame
/// `{"id":N,"data":"..."}` (RFC 6455 §5.6), and returns where each event's frame starts.
pub fn encode_events(out: &mut Vec<u8>, batch: &Batch) -> Vec<usize> {
    let mut offsets = Vec::with_capacity(batch.events.len());
    for event in &batch.events {
        offsets.push(out.len());
        Header::new(OpCode::Text, event.json.len()).encode(out);
        out.extend_from_slice(event.json.as_bytes());
    }
    offsets
}
