//! One thread that writes every new event to every subscriber of a feed: the design that
//! lesson 4's event streams ([`crate::sse::hub`]) and lesson 7's `/ws` feed
//! ([`crate::websocket::broadcast`]) share.
//!
//! A subscriber is idle almost all the time, so a thread parked per subscriber is mostly
//! a cost: its stack, its kernel task, and a wake-up for every event (1000 subscribers,
//! 1000 wake-ups). Here one thread is parked on the event log; on each publish it encodes
//! the new events *once* and writes the same bytes to every subscriber.
//!
//! ```text
//! connection thread:  replay since cursor ─► hand off (checked again under the inbox lock) ─┐
//! fan-out thread:     wait_since ─► encode once ─► each subscriber's share of the bytes ◄──┘
//!                     every `tick`: Sink::tick on each (a heartbeat, a check for the gone)
//! ```
//!
//! **No event falls between replay and hand-off.** [`Fanout::subscribe`] runs on the
//! subscriber's own thread: it replays what the client missed, then takes the inbox lock
//! and checks that the log has nothing newer. If it has, it replays again; if not, the
//! subscriber goes into the inbox while the lock is held, and whatever is published next
//! is the fan-out thread's to send. **Lock order:** the inbox lock, then the log's lock
//! (inside `last_id`); the fan-out thread takes the log's lock in `wait_since`, releases
//! it, then takes the inbox lock. No thread holds both the other way round, and no lock is
//! held while writing to a socket, except a WebSocket's own writer lock
//! ([`crate::websocket::writer`]).
//!
//! **Slow subscribers** ([`SlowPolicy`]): a write waits at most the policy's write wait;
//! what the socket does not take is queued; past `max_pending` bytes queued, or
//! `max_stall` behind, the subscriber is disconnected. Its client resumes by id and
//! misses nothing.
//!
//! Production note: an event loop (epoll) would write only to sockets that have room;
//! std has no portable readiness API, so the writes are non-blocking or briefly bounded.

use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use crate::event_log::{Batch, EventLog};

/// How soon the fan-out thread retries subscribers with bytes queued.
const RETRY_QUEUED: Duration = Duration::from_millis(20);
/// How long the thread sleeps when it has no tick to give.
const IDLE_WAIT: Duration = Duration::from_secs(3600);

/// When a subscriber that does not keep up is disconnected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlowPolicy {
    /// How long one write may wait for a full socket; zero: writes never wait
    /// (non-blocking).
    pub write_wait: Duration,
    /// Bytes queued for one subscriber past which it is disconnected.
    pub max_pending: usize,
    /// How long a subscriber may have bytes queued before it is disconnected; `None`:
    /// as long as it stays under `max_pending`.
    pub max_stall: Option<Duration>,
}

/// The subscriber was disconnected or its connection is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gone;

/// Where a subscriber's bytes go: an event stream's socket, a WebSocket's writer.
pub trait Sink: Send + 'static {
    /// Writes `bytes` (a replay, perhaps empty, of `events` events) on the subscriber's
    /// own thread, which, unlike the fan-out thread, may wait for this one client.
    ///
    /// # Errors
    /// [`Gone`]: the client left, or did not take the replay in time.
    fn replay(&mut self, bytes: &[u8], events: usize) -> Result<(), Gone>;

    /// Called once, under the inbox lock, when the fan-out thread takes the subscriber
    /// over: sets the socket's writes to wait at most `write_wait` (zero: non-blocking).
    ///
    /// # Errors
    /// [`Gone`]: the socket cannot be switched; it is closed, not retried.
    fn go_live(&mut self, write_wait: Duration) -> Result<(), Gone>;

    /// Writes `bytes` (`events` events) after whatever is queued, waiting at most the
    /// policy's write wait, and says how many bytes are left queued.
    ///
    /// # Errors
    /// [`Gone`]: the connection is closed or failed.
    fn send(&mut self, bytes: &[u8], events: usize) -> Result<usize, Gone>;

    /// Runs every tick of the feed: a heartbeat, or a check that the connection is alive.
    /// Returns the bytes left queued.
    ///
    /// # Errors
    /// [`Gone`].
    fn tick(&mut self) -> Result<usize, Gone>;

    /// Disconnects a subscriber too far behind.
    fn disconnect(&mut self);
}

/// Encodes a batch of events once for every subscriber; returns where each event starts
/// in the bytes, so that each subscriber's share is one suffix of them.
pub type Encoder = Box<dyn Fn(&mut Vec<u8>, &Batch) -> Vec<usize> + Send + Sync>;

struct Subscriber<S> {
    sink: S,
    /// The id of the last event sent to it.
    cursor: u64,
    /// Since when it has had bytes queued.
    behind_since: Option<Instant>,
}

/// A feed over one event log: its subscribers and the thread that writes to them.
pub struct Fanout<S: Sink> {
    log: Arc<EventLog>,
    encode: Encoder,
    policy: SlowPolicy,
    tick: Duration,
    /// Subscribers handed off since the thread last looked.
    inbox: Mutex<Vec<Subscriber<S>>>,
}

impl<S: Sink> Fanout<S> {
    /// Starts the thread `name` that writes every new event of `log`, encoded by
    /// `encode`, to the subscribers, and calls [`Sink::tick`] on each every `tick`
    /// (zero: never).
    ///
    /// # Panics
    /// If the operating system refuses to start a thread (at start-up: nothing could run).
    pub fn spawn(
        name: &str,
        log: Arc<EventLog>,
        encode: Encoder,
        policy: SlowPolicy,
        tick: Duration,
    ) -> Arc<Self> {
        // Read here, not in the new thread: a publish between this call and the thread's
        // first instruction would otherwise be skipped for subscribers handed off meanwhile.
        let seen = log.last_id();
        let fanout = Arc::new(Fanout {
            log,
            encode,
            policy,
            tick,
            inbox: Mutex::new(Vec::new()),
        });
        let runner = Arc::clone(&fanout);
        thread::Builder::new()
            .name(name.into())
            .spawn(move || runner.run(seen))
            .expect("cannot start a fan-out thread");
        fanout
    }

    /// The slow-subscriber policy of this feed.
    pub fn policy(&self) -> SlowPolicy {
        self.policy
    }

    /// Replays every event after `cursor` to `sink`, on the caller's thread, then hands
    /// it to the fan-out thread (see the module doc: nothing is sent twice or never).
    ///
    /// # Errors
    /// [`Gone`] when the client left during the replay.
    pub fn subscribe(&self, mut sink: S, mut cursor: u64) -> Result<(), Gone> {
        let mut bytes = Vec::new();
        loop {
            let batch = self.log.since(cursor);
            bytes.clear();
            (self.encode)(&mut bytes, &batch);
            sink.replay(&bytes, batch.events.len())?;
            cursor = batch.last_id;
            let mut inbox = self.inbox.lock().unwrap_or_else(PoisonError::into_inner);
            // `<`: a mirror's cursor may be ahead of its copy (see `EventLog::mirror`).
            if self.log.last_id() <= cursor {
                sink.go_live(self.policy.write_wait)?;
                inbox.push(Subscriber {
                    sink,
                    cursor,
                    behind_since: None,
                });
                return Ok(());
            }
        }
    }

    /// The thread's loop; `seen` is the newest id when the feed was started.
    fn run(&self, mut seen: u64) {
        let mut subscribers: Vec<Subscriber<S>> = Vec::new();
        let mut next_tick = Instant::now() + self.tick;
        let mut bytes = Vec::new();
        loop {
            let wait = if subscribers.iter().any(|s| s.behind_since.is_some()) {
                RETRY_QUEUED
            } else if self.tick.is_zero() {
                IDLE_WAIT
            } else {
                next_tick.saturating_duration_since(Instant::now())
            };
            // The only place this thread waits; the log's lock is released on return.
            let batch = self
                .log
                .wait_since(seen, wait.max(Duration::from_millis(1)));
            subscribers.append(&mut self.inbox.lock().unwrap_or_else(PoisonError::into_inner));
            bytes.clear();
            let offsets = (self.encode)(&mut bytes, &batch);
            let policy = self.policy;
            subscribers.retain_mut(|s| {
                let sent = s.deliver(&batch, &offsets, &bytes);
                s.keep(sent, &policy)
            });
            seen = batch.last_id;
            if !self.tick.is_zero() && Instant::now() >= next_tick {
                subscribers.retain_mut(|s| {
                    let ticked = s.sink.tick();
                    s.keep(ticked, &policy)
                });
                next_tick = Instant::now() + self.tick;
            }
        }
    }
}

impl<S: Sink> Subscriber<S> {
    /// Sends the events after this subscriber's cursor: a suffix of the shared bytes (from
    /// the very start when the batch's first event is new to it, so that anything encoded
    /// before that event, such as an SSE `missed` event, goes too). With nothing new, it
    /// still pushes out what is queued.
    fn deliver(&mut self, batch: &Batch, offsets: &[usize], bytes: &[u8]) -> Result<usize, Gone> {
        let first_new = batch.events.iter().position(|e| e.id > self.cursor);
        let share = match first_new {
            Some(0) => bytes,
            Some(i) => &bytes[offsets[i]..],
            None => &[],
        };
        let events = first_new.map_or(0, |i| batch.events.len() - i);
        self.cursor = self.cursor.max(batch.last_id);
        self.sink.send(share, events)
    }

    /// The one drop rule: gone, or more than `max_pending` queued, or behind for longer
    /// than `max_stall`, and it is disconnected.
    fn keep(&mut self, sent: Result<usize, Gone>, policy: &SlowPolicy) -> bool {
        let Ok(queued) = sent else {
            return false;
        };
        if queued == 0 {
            self.behind_since = None;
            return true;
        }
        let since = *self.behind_since.get_or_insert_with(Instant::now);
        let keep = queued <= policy.max_pending
            && policy
                .max_stall
                .is_none_or(|limit| since.elapsed() <= limit);
        if !keep {
            self.sink.disconnect(); // its client reconnects with its last id, missing nothing
        }
        keep
    }
}
