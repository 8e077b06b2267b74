//! Lessons 2–3: the event log every transport reads from.
//!
//! One `Mutex` guards a bounded history of events; one `Condvar` wakes the readers that
//! wait for news. `publish` assigns the next id *under the same lock that appends*, so ids
//! are 1, 2, 3, … with no gap and every reader sees them in the same order. A reader keeps
//! a cursor (the last id it has) and asks for what came after it; nothing can be lost
//! between two requests, because the cursor, not timing, decides what is sent.
//!
//! ```text
//! publish("hi") ──lock──► [ …, 41, 42 ] + 43 ──unlock──► notify_all
//! since(41)     ──lock──► clone Arcs of 42, 43 ──unlock──► render JSON, write to socket
//! ```
//!
//! Each event's JSON (`{"id":43,"data":"hi"}`) is rendered once, at publish, because every
//! poll answer (and later every WebSocket subscriber) sends the same bytes. Readers copy
//! `Arc`s out and drop the lock before they touch a socket.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use crate::json;

/// The default number of events kept (`--history`).
pub const DEFAULT_HISTORY: usize = 10_000;

/// One published event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Its id: 1 for the first event, then one more for each.
    pub id: u64,
    /// The published text, as given.
    pub data: String,
    /// `{"id":N,"data":"..."}`, the form `/poll`, `/long-poll` and `/ws` send.
    pub json: String,
}

/// What a reader gets: the kept events after its cursor, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// The events with ids greater than the cursor that are still in the history.
    pub events: Vec<Arc<Event>>,
    /// True when events after the cursor were already dropped from the history.
    pub missed: bool,
    /// The newest id in the log (0 before the first publish): the reader's next cursor.
    /// (In a [`EventLog::mirror`], a cursor ahead of the copy, which stays the cursor.)
    pub last_id: u64,
}

struct State {
    events: VecDeque<Arc<Event>>,
    last_id: u64,
}

/// A bounded, append-only log of events with blocking reads.
pub struct EventLog {
    state: Mutex<State>,
    published: Condvar,
    history: usize,
    /// A copy of another log (lesson 10): its ids come from there, through
    /// [`append`](Self::append), and a cursor ahead of this copy is one it has not read yet.
    mirror: bool,
}

impl EventLog {
    /// A log that keeps the newest `history` events (at least one).
    pub fn new(history: usize) -> Self {
        EventLog {
            state: Mutex::new(State {
                events: VecDeque::new(),
                last_id: 0,
            }),
            published: Condvar::new(),
            history: history.max(1),
            mirror: false,
        }
    }

    /// A log that copies another one (lesson 10: a Redis stream, read by
    /// [`crate::redis::shared_log`]), keeping its newest `history` events. The difference
    /// is a cursor *ahead* of this copy: it comes from a server that has read further
    /// (a client's previous server, a few milliseconds ahead), so a reader waits for this
    /// copy to catch up instead of starting over; see [`since`](Self::since).
    pub fn mirror(history: usize) -> Self {
        EventLog {
            mirror: true,
            ..EventLog::new(history)
        }
    }

    /// Appends `data` as the next event, wakes every waiting reader, and returns its id.
    pub fn publish(&self, data: impl Into<String>) -> u64 {
        let state = self.lock();
        let id = state.last_id + 1;
        self.push(state, id, data.into());
        id
    }

    /// Appends `data` as the event `id`, which another log gave it (lesson 10: a stream
    /// id of Redis), if `id` is newer than the newest here; ids skipped on the way are a
    /// gap, reported as `missed` to a reader whose cursor is before it. Returns whether
    /// it was appended (an id already here, or older, is not).
    pub fn append(&self, id: u64, data: impl Into<String>) -> bool {
        let state = self.lock();
        if id <= state.last_id {
            return false;
        }
        self.push(state, id, data.into());
        true
    }

    fn push(&self, mut state: MutexGuard<'_, State>, id: u64, data: String) {
        // Rendering inside the lock keeps id and JSON together; it is a copy of the text.
        let mut rendered = format!("{{\"id\":{id},\"data\":");
        json::push_string(&mut rendered, &data);
        rendered.push('}');
        state.events.push_back(Arc::new(Event {
            id,
            data,
            json: rendered,
        }));
        if state.events.len() > self.history {
            state.events.pop_front();
        }
        state.last_id = id;
        drop(state);
        self.published.notify_all();
    }

    /// The newest id, 0 if nothing was published yet.
    pub fn last_id(&self) -> u64 {
        self.lock().last_id
    }

    /// Every kept event after `cursor`, at once, possibly none.
    ///
    /// A cursor *ahead* of the log can only come from an earlier run of the server (a
    /// page that kept polling across a restart); it gets everything kept, with `missed`.
    /// In a [`mirror`](Self::mirror) it gets nothing yet, and keeps its place: the batch's
    /// `last_id` is the cursor itself.
    pub fn since(&self, cursor: u64) -> Batch {
        self.batch_after(&self.lock(), cursor)
    }

    /// Like [`since`](Self::since), but if there is nothing after `cursor` yet, parks the
    /// calling thread until a publish or until `timeout` has passed (then the batch is
    /// empty). `Condvar::wait_timeout_while` re-checks the condition after every wake-up,
    /// so spurious wake-ups and the deadline are handled in one place.
    pub fn wait_since(&self, cursor: u64, timeout: Duration) -> Batch {
        let state = self.lock();
        let (state, _) = self
            .published
            .wait_timeout_while(state, timeout, |s| {
                s.last_id == cursor || (self.mirror && s.last_id < cursor)
            })
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.batch_after(&state, cursor)
    }

    fn batch_after(&self, state: &State, cursor: u64) -> Batch {
        if self.mirror && cursor > state.last_id {
            let events = Vec::new();
            return Batch {
                events,
                missed: false,
                last_id: cursor,
            };
        }
        batch_after(state, cursor)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock cannot leave State half-updated (each
        // change is one push plus one store), so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn batch_after(state: &State, cursor: u64) -> Batch {
    if cursor > state.last_id {
        let events = state.events.iter().cloned().collect();
        return Batch {
            events,
            missed: true,
            last_id: state.last_id,
        };
    }
    // Ids grow, so the events after `cursor` are a suffix, found by bisection.
    let skip = state.events.partition_point(|e| e.id <= cursor);
    let events: Vec<Arc<Event>> = state.events.iter().skip(skip).cloned().collect();
    // Missed: the history no longer has `cursor + 1`, or the ids skip one (a gap in a
    // log fed by another, lesson 10). In a log of its own, only the first can happen.
    let mut expected = cursor + 1;
    let mut missed = cursor < state.last_id && events.is_empty();
    for event in &events {
        missed |= event.id != expected;
        expected = event.id + 1;
    }
    Batch {
        events,
        missed,
        last_id: state.last_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(batch: &Batch) -> Vec<u64> {
        batch.events.iter().map(|e| e.id).collect()
    }

    #[test]
    fn ids_start_at_one_and_grow_by_one() {
        let log = EventLog::new(10);
        assert_eq!(
            (log.publish("a"), log.publish("b"), log.publish("c")),
            (1, 2, 3)
        );
        assert_eq!(ids(&log.since(0)), [1, 2, 3]);
        assert_eq!(ids(&log.since(2)), [3]);
        assert_eq!(log.since(3).events, []);
        assert_eq!(log.since(0).events[0].json, r#"{"id":1,"data":"a"}"#);
    }

    #[test]
    fn a_cursor_older_than_the_history_is_told_it_missed_some() {
        let log = EventLog::new(2);
        for text in ["a", "b", "c", "d"] {
            log.publish(text);
        }
        let batch = log.since(1);
        assert_eq!(
            (ids(&batch), batch.missed, batch.last_id),
            (vec![3, 4], true, 4)
        );
        assert!(!log.since(2).missed); // 3 is the oldest kept and the next it needs
    }

    #[test]
    fn in_a_mirror_a_cursor_ahead_waits_for_the_copy_to_catch_up() {
        let log = Arc::new(EventLog::mirror(10));
        log.append(1, "a");
        let ahead = log.since(2);
        assert_eq!(
            (ahead.events.len(), ahead.missed, ahead.last_id),
            (0, false, 2)
        );
        let reader = Arc::clone(&log);
        let waiting = std::thread::spawn(move || reader.wait_since(2, Duration::from_secs(5)));
        log.append(2, "b"); // the copy catches up: still nothing new for cursor 2
        log.append(3, "c");
        assert_eq!(ids(&waiting.join().unwrap()), [3]);
    }

    #[test]
    fn a_cursor_ahead_of_the_log_gets_everything_kept_at_once() {
        let log = EventLog::new(10);
        log.publish("after a restart");
        let batch = log.wait_since(500, Duration::from_secs(60));
        assert_eq!(
            (ids(&batch), batch.missed, batch.last_id),
            (vec![1], true, 1)
        );
    }

    #[test]
    fn appended_ids_may_skip_and_a_reader_before_the_gap_is_told_it_missed_some() {
        let log = EventLog::new(10);
        assert!(log.append(1, "a") && log.append(2, "b") && log.append(5, "e"));
        assert!(
            !log.append(5, "again") && !log.append(3, "late"),
            "only newer ids"
        );
        assert_eq!(log.last_id(), 5);
        let after_1 = log.since(1);
        assert_eq!((ids(&after_1), after_1.missed), (vec![2, 5], true));
        let after_2 = log.since(2);
        assert_eq!((ids(&after_2), after_2.missed), (vec![5], true));
        let after_4 = log.since(4);
        assert_eq!((ids(&after_4), after_4.missed), (vec![5], false));
        assert_eq!(log.since(0).events[2].json, r#"{"id":5,"data":"e"}"#);
    }

    #[test]
    fn wait_since_returns_empty_at_the_timeout_and_at_once_when_news_exists() {
        let log = EventLog::new(10);
        assert_eq!(log.wait_since(0, Duration::from_millis(20)).events, []);
        log.publish("x");
        assert_eq!(ids(&log.wait_since(0, Duration::from_secs(60))), [1]);
    }
}
