//! One event log for several servers, in a Redis stream: publishing is `XADD`, and each
//! server's reader thread copies the stream into its own [`EventLog`], so the transports of
//! lessons 2–7 work unchanged on top.
//!
//! ```text
//! publish("hi") ─► EVAL: XADD realtime:events MAXLEN ~ 10000 0-* data hi ─► "0-43" ─► {"id":43}
//! reader thread:   XREAD BLOCK 5000 STREAMS realtime:events 0-42 ─► 0-43 data hi ─► log.append(43, "hi")
//! ```
//!
//! **Ids.** The contract's ids are 1, 2, 3 …, the same for every server, so that a client
//! resumes anywhere. A stream id is `MS-SEQ`; `XADD` with `*` takes the clock for `MS`
//! (ids like `1796154000000-0`, which differ by server clock and are not 1, 2, 3), but with
//! `0-*` the milliseconds part is 0 and Redis picks the sequence: `0-1`, `0-2`, …, one more
//! than the last, atomically, whoever publishes. So the sequence *is* the event id.
//!
//! **Redis down.** A publish then fails and the server answers `503` with `Retry-After`
//! (never a `200` for an event that was not stored); the reader thread retries with a
//! growing pause and, once back, reads on from its last id: nothing published meanwhile
//! is missed (Redis keeps it, with its append-only file, across a restart).
//!
//! **Redis back, but empty** (its data lost). Its next id would be `0-1` again, an id that
//! clients already hold for another event. So a publish is a small Lua script run
//! atomically in Redis ([`PUBLISH_SCRIPT`]): when the stream's last id is below what this
//! server has seen, the event gets an id [`GUARD`] above that instead, and the stream goes
//! on from there. Ids are never reused; the gap is reported to readers as `missed`, as
//! after any gap. The guard is larger than any server can be behind another, so that one
//! that had seen less does not hand out an id another had seen.
//!
//! Production note: Redis Pub/Sub would not do: it delivers to whoever is subscribed at
//! the moment, at most once, and a server that reconnects has lost what was published
//! meanwhile. A stream is a log: it keeps the entries, and an id is a cursor into it.

use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use super::client::{RedisClient, RedisError};
use super::resp::Value;
use crate::event_log::EventLog;
use crate::http::config::server_name;
use crate::publish::{Publish, Unavailable};

/// The stream's key, unless `--redis-key` names another.
pub const DEFAULT_KEY: &str = "realtime:events";
/// How long one `XREAD` blocks in Redis.
const BLOCK_MS: u64 = 5_000;
/// The reader's read timeout: longer than the block, or a quiet stream looks dead.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a publish may wait for Redis.
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(2);
/// The reader's pause after a failure: doubled each time, up to the second.
const FIRST_PAUSE: Duration = Duration::from_millis(50);
const LONGEST_PAUSE: Duration = Duration::from_secs(1);
/// Ids skipped when Redis comes back empty (see the module doc).
pub const GUARD: u64 = 10_000;

/// `XADD` with the guard against an emptied Redis, atomic in Redis (`EVAL`):
/// `KEYS[1]` the stream, `ARGV` the highest id this server has seen, the guard, `MAXLEN`,
/// and the text. Returns the entry's id, `0-N`.
pub const PUBLISH_SCRIPT: &str = "\
local top = 0
local ok, info = pcall(redis.call, 'XINFO', 'STREAM', KEYS[1])
if ok then
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then top = tonumber(string.match(info[i + 1], '-(%d+)$')) end
  end
end
local id = '0-*'
if top < tonumber(ARGV[1]) then id = '0-' .. (tonumber(ARGV[1]) + tonumber(ARGV[2]) + 1) end
return redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], id, 'data', ARGV[4])";

/// The shared log: where events are published, and the thread that reads them back.
pub struct SharedLog {
    addr: String,
    key: String,
    history: usize,
    log: Arc<EventLog>,
    /// Connections for publishing, kept for the next publish.
    pool: Mutex<Vec<RedisClient>>,
}

impl SharedLog {
    /// Starts the reader thread that copies the stream `key` of the Redis at `addr` into
    /// `log`, first the newest `history` entries, then each new one; publishes go to the
    /// same stream, trimmed to about `history` entries.
    ///
    /// # Panics
    /// If the operating system refuses to start a thread (at start-up: nothing could run).
    pub fn start(addr: &str, key: &str, history: usize, log: Arc<EventLog>) -> Arc<SharedLog> {
        let shared = Arc::new(SharedLog {
            addr: addr.to_owned(),
            key: key.to_owned(),
            history,
            log,
            pool: Mutex::new(Vec::new()),
        });
        let reader = Arc::clone(&shared);
        thread::Builder::new()
            .name("redis-reader".into())
            .spawn(move || reader.read_forever())
            .expect("cannot start the redis reader");
        shared
    }

    /// Reads the stream into the local log for ever, connecting again after a failure,
    /// with a pause that grows while Redis stays away.
    fn read_forever(&self) {
        let mut pause = FIRST_PAUSE;
        loop {
            match RedisClient::connect(&self.addr, READ_TIMEOUT) {
                Ok(redis) => {
                    if pause > FIRST_PAUSE {
                        report(&format!(
                            "redis {}: back; reading on from 0-{}",
                            self.addr,
                            self.log.last_id()
                        ));
                    }
                    pause = FIRST_PAUSE;
                    let Err(e) = self.read_until_failure(redis);
                    report(&format!(
                        "{e}; reading {} again from 0-{}",
                        self.key,
                        self.log.last_id()
                    ));
                }
                Err(e) => {
                    if pause == FIRST_PAUSE {
                        report(&format!(
                            "{e} ({}); retrying, up to every {LONGEST_PAUSE:?}",
                            self.addr
                        ));
                    }
                    thread::sleep(pause);
                    pause = (pause * 2).min(LONGEST_PAUSE);
                }
            }
        }
    }

    /// One connection's work: catch up, then block for new entries until something fails.
    fn read_until_failure(
        &self,
        mut redis: RedisClient,
    ) -> Result<std::convert::Infallible, RedisError> {
        if self.log.last_id() == 0 {
            self.load_newest(&mut redis)?;
        } else {
            self.warn_if_emptied(&mut redis);
        }
        loop {
            let after = format!("0-{}", self.log.last_id());
            let block = BLOCK_MS.to_string();
            let answer = redis.command(&[
                b"XREAD",
                b"BLOCK",
                block.as_bytes(),
                b"STREAMS",
                self.key.as_bytes(),
                after.as_bytes(),
            ])?;
            // *-1 when the block timed out; else [[key, [[id, [field, value…]], …]]].
            if let Value::Array(streams) = answer {
                for stream in streams {
                    if let Value::Array(parts) = stream {
                        self.append_entries(parts.get(1));
                    }
                }
            }
        }
    }

    /// The newest `history` entries, oldest first, into the empty local log.
    fn load_newest(&self, redis: &mut RedisClient) -> Result<(), RedisError> {
        let count = self.history.to_string();
        let answer = redis.command(&[
            b"XREVRANGE",
            self.key.as_bytes(),
            b"+",
            b"-",
            b"COUNT",
            count.as_bytes(),
        ])?;
        if let Value::Array(mut entries) = answer {
            entries.reverse();
            self.append_entries(Some(&Value::Array(entries)));
        }
        Ok(())
    }

    /// Appends entries `[[id, [field, value…]], …]` to the local log.
    fn append_entries(&self, entries: Option<&Value>) {
        let Some(Value::Array(entries)) = entries else {
            return;
        };
        for entry in entries {
            if let Some((id, text)) = entry_of(entry) {
                self.log.append(id, text);
            }
        }
    }

    /// Says so when the stream is behind this server: Redis lost its data. The next publish
    /// continues above what this server has seen (see the module doc).
    fn warn_if_emptied(&self, redis: &mut RedisClient) {
        let Ok(Value::Array(info)) = redis.command(&[b"XINFO", b"STREAM", self.key.as_bytes()])
        else {
            report(&format!(
                "redis {}: stream {} is gone; this server had seen {}",
                self.addr,
                self.key,
                self.log.last_id()
            ));
            return;
        };
        let last = info
            .chunks(2)
            .find(|pair| pair[0].as_text() == Some("last-generated-id"))
            .and_then(|pair| pair.get(1)?.as_text().and_then(sequence_of));
        if let Some(last) = last.filter(|&last| last < self.log.last_id()) {
            report(&format!(
                "redis {}: the stream is at 0-{last}, behind the 0-{} this server has seen: Redis lost data",
                self.addr,
                self.log.last_id()
            ));
        }
    }

    /// A pooled connection that Redis has not closed, if any; closed ones are dropped.
    fn pooled(&self) -> Option<RedisClient> {
        let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        std::iter::from_fn(|| pool.pop()).find(RedisClient::still_open)
    }
}

impl Publish for SharedLog {
    /// `XADD`s `text` (through [`PUBLISH_SCRIPT`]) and returns its id once Redis has it.
    fn publish(&self, text: &str) -> Result<u64, Unavailable> {
        let mut redis = match self.pooled() {
            Some(redis) => redis,
            None => RedisClient::connect(&self.addr, PUBLISH_TIMEOUT)
                .map_err(|e| Unavailable(e.to_string()))?,
        };
        let (floor, guard, maxlen) = (
            self.log.last_id().to_string(),
            GUARD.to_string(),
            self.history.to_string(),
        );
        let answer = redis.command(&[
            b"EVAL",
            PUBLISH_SCRIPT.as_bytes(),
            b"1",
            self.key.as_bytes(),
            floor.as_bytes(),
            guard.as_bytes(),
            maxlen.as_bytes(),
            text.as_bytes(),
        ]);
        let id = match answer {
            Ok(value) => value.as_text().and_then(sequence_of),
            Err(e) => return Err(Unavailable(e.to_string())), // the connection is dropped
        };
        self.pool
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(redis);
        id.ok_or_else(|| Unavailable("XADD answered no id".into()))
    }
}

/// Writes `message` as one line to stderr, after this server's name. The servers of
/// lesson 10 share a terminal, and stderr is unbuffered: `eprintln!("{name}{message}")`
/// would be three writes, which another process's line can come between; the line made
/// first is one.
fn report(message: &str) {
    let name = server_name().map(|n| format!("{n}: ")).unwrap_or_default();
    let line = format!("{name}{message}\n");
    eprint!("{line}");
}

/// `(id, text)` of an entry `[id, [field, value, …]]`, its text in the field `data`.
fn entry_of(entry: &Value) -> Option<(u64, String)> {
    let Value::Array(parts) = entry else {
        return None;
    };
    let id = sequence_of(parts.first()?.as_text()?)?;
    let Value::Array(fields) = parts.get(1)? else {
        return None;
    };
    let text = fields
        .chunks(2)
        .find(|pair| pair[0].as_text() == Some("data"))?
        .get(1)?
        .as_text()?;
    Some((id, text.to_owned()))
}

/// The sequence of a stream id `0-N`; `None` for another form (`MS-N` with MS above 0 was
/// not written by this crate).
pub fn sequence_of(stream_id: &str) -> Option<u64> {
    let (ms, seq) = stream_id.split_once('-')?;
    (ms == "0").then(|| seq.parse().ok())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ids_with_a_zero_milliseconds_part_are_event_ids() {
        assert_eq!(sequence_of("0-42"), Some(42));
        assert_eq!(sequence_of("1796154000000-0"), None);
        assert_eq!(sequence_of("0-x"), None);
        assert_eq!(sequence_of("42"), None);
    }

    #[test]
    fn an_entry_is_an_id_and_a_data_field() {
        let bulk = |s: &str| Value::Bulk(s.as_bytes().to_vec());
        let entry = Value::Array(vec![
            bulk("0-7"),
            Value::Array(vec![bulk("data"), bulk("hi")]),
        ]);
        assert_eq!(entry_of(&entry), Some((7, "hi".to_owned())));
        let other = Value::Array(vec![bulk("0-8"), Value::Array(vec![bulk("f"), bulk("v")])]);
        assert_eq!(entry_of(&other), None);
    }
}
