//! The clients: one thread each, written with the crate's own client pieces, counting
//! every byte they send and read in their technique's [`Ledger`].
//!
//! | technique | what a client does |
//! |---|---|
//! | `poll 1 s`, `poll 100 ms` | `GET /poll?since=N` with `If-None-Match` on a timer (`HttpClient`) |
//! | `long poll` | `GET /long-poll?since=N`, again as soon as one returns |
//! | `sse` | one `GET /events?since=N`, the body fed to the WHATWG parser (`sse::parse::Parser`) |
//! | `ws` | one `/ws?since=N`, messages read off the crate's client WebSocket |
//!
//! Every event's data is `ev SEQ t=MICROS`, the publisher's clock when it sent it; a
//! client notes each event's id and how long ago that was (the delivery latency).

use std::io::Read;
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use realtime::http::client::HttpClient;
use realtime::ledger::{Ledger, Meter, Transport};
use realtime::sse::parse::Parser;
use realtime::websocket::connect::connect;
use realtime::websocket::writer::{SharedWriter, lock};
use realtime::websocket::{Config, Message};

pub use crate::technique::Technique;

/// How long any one read may wait; a long poll is held up to 25 s.
const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// The long polls' `timeout_ms`.
const LONG_POLL_MS: u64 = 25_000;
/// A client thread only copies bytes and parses small answers.
const CLIENT_STACK: usize = 256 * 1024;

/// Microseconds since the generator started: the clock events carry.
pub fn now_us() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_micros() as u64
}

/// One event as a client got it.
#[derive(Debug, Clone, Copy)]
pub struct Arrival {
    pub id: u64,
    pub latency_us: u64,
}

/// What one client has seen.
#[derive(Default)]
pub struct Seen {
    pub arrivals: Mutex<Vec<Arrival>>,
    /// The newest id it has, for the drain and for resuming.
    pub last_id: AtomicU64,
    pub ready: AtomicBool,
}

/// One technique's clients against one address.
pub struct Group {
    pub technique: Technique,
    /// The clients' own bytes and requests (their transport is `Other`: one per group).
    pub ledger: Arc<Ledger>,
    pub clients: Vec<Arc<Seen>>,
    stop: AtomicBool,
    sockets: Mutex<Vec<TcpStream>>,
    writers: Mutex<Vec<SharedWriter>>,
}

impl Group {
    /// Starts `count` clients of `technique` on `addr`, each from the id after `since`.
    pub fn start(technique: Technique, addr: &str, count: usize, since: u64) -> Arc<Group> {
        let group = Arc::new(Group {
            technique,
            ledger: Ledger::new(),
            clients: (0..count).map(|_| Arc::new(Seen::default())).collect(),
            stop: AtomicBool::new(false),
            sockets: Mutex::new(Vec::new()),
            writers: Mutex::new(Vec::new()),
        });
        for (i, seen) in group.clients.iter().enumerate() {
            seen.last_id.store(since, Ordering::Relaxed);
            let (group, seen, addr) = (Arc::clone(&group), Arc::clone(seen), addr.to_owned());
            // Pollers spread evenly over their interval, as real clients would be.
            let offset = technique.poll_interval().map_or(Duration::ZERO, |every| {
                every * i as u32 / count.max(1) as u32
            });
            let spawned = thread::Builder::new()
                .stack_size(CLIENT_STACK)
                .spawn(move || group.run_client(&seen, &addr, offset));
            if let Err(e) = spawned {
                eprintln!("08_compare: cannot start a client thread: {e}");
            }
        }
        group
    }

    /// Whether every client has made its first request or connection.
    pub fn all_ready(&self) -> bool {
        self.clients.iter().all(|c| c.ready.load(Ordering::Relaxed))
    }

    /// Whether every client has every event up to `id`.
    pub fn all_have(&self, id: u64) -> bool {
        self.clients
            .iter()
            .all(|c| c.last_id.load(Ordering::Relaxed) >= id)
    }

    /// Stops every client: their sockets are shut, which ends any read in progress.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
        for socket in self
            .sockets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            let _ = socket.shutdown(Shutdown::Both);
        }
        for writer in self
            .writers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            lock(writer).disconnect();
        }
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    fn meter(&self) -> Meter {
        Meter::new(&self.ledger, Transport::Other)
    }

    fn keep_socket(&self, socket: &TcpStream) {
        if let Ok(clone) = socket.try_clone() {
            self.sockets
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(clone);
        }
    }

    /// A client's whole life: its technique's loop, started again after a failure
    /// (resuming from its last id) until the group stops.
    fn run_client(&self, seen: &Seen, addr: &str, offset: Duration) {
        thread::sleep(offset);
        while !self.stopped() {
            let result = match self.technique {
                Technique::Poll1s | Technique::Poll100ms => self.poll(seen, addr),
                Technique::LongPoll => self.long_poll(seen, addr),
                Technique::Sse => self.sse(seen, addr),
                Technique::Ws => self.ws(seen, addr),
            };
            if let Err(e) = result {
                if !self.stopped() {
                    eprintln!(
                        "08_compare: {} client: {e}; resuming",
                        self.technique.label()
                    );
                    thread::sleep(Duration::from_millis(100));
                }
            }
        }
    }

    fn poll(&self, seen: &Seen, addr: &str) -> Result<(), String> {
        let every = self
            .technique
            .poll_interval()
            .unwrap_or(Duration::from_secs(1));
        let mut http =
            HttpClient::connect(addr, READ_TIMEOUT, self.meter()).map_err(|e| e.to_string())?;
        self.keep_socket(http.stream());
        let mut etag = String::new();
        let mut next = Instant::now();
        while !self.stopped() {
            let since = seen.last_id.load(Ordering::Relaxed);
            let target = format!("/poll?since={since}");
            let extra: &[(&str, &str)] = if etag.is_empty() {
                &[]
            } else {
                &[("If-None-Match", &etag)]
            };
            let answer = http.get(&target, extra).map_err(|e| e.to_string())?;
            etag = answer.field("etag").unwrap_or_default().to_owned();
            if answer.status == 200 {
                note_answer(seen, &answer.text());
            }
            seen.ready.store(true, Ordering::Relaxed);
            next = (next + every).max(Instant::now());
            thread::sleep(next.saturating_duration_since(Instant::now()));
        }
        Ok(())
    }

    fn long_poll(&self, seen: &Seen, addr: &str) -> Result<(), String> {
        let mut http =
            HttpClient::connect(addr, READ_TIMEOUT, self.meter()).map_err(|e| e.to_string())?;
        self.keep_socket(http.stream());
        while !self.stopped() {
            let since = seen.last_id.load(Ordering::Relaxed);
            seen.ready.store(true, Ordering::Relaxed); // parked from here on
            let target = format!("/long-poll?since={since}&timeout_ms={LONG_POLL_MS}");
            let answer = http.get(&target, &[]).map_err(|e| e.to_string())?;
            note_answer(seen, &answer.text());
        }
        Ok(())
    }

    fn sse(&self, seen: &Seen, addr: &str) -> Result<(), String> {
        let http =
            HttpClient::connect(addr, READ_TIMEOUT, self.meter()).map_err(|e| e.to_string())?;
        self.keep_socket(http.stream());
        let since = seen.last_id.load(Ordering::Relaxed).to_string();
        let target = format!("/events?since={since}");
        let (head, mut body) = http
            .open_stream(&target, &[("Accept", "text/event-stream")])
            .map_err(|e| e.to_string())?;
        if head.status != 200 {
            return Err(format!("GET /events answered {}", head.status));
        }
        seen.ready.store(true, Ordering::Relaxed);
        let mut parser = Parser::resuming(&since);
        let mut chunk = vec![0u8; 16 * 1024];
        while !self.stopped() {
            let n = body.read(&mut chunk).map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("the stream ended".into());
            }
            for event in parser.feed(&chunk[..n]) {
                if let Ok(id) = event.last_event_id.parse() {
                    note(seen, id, &event.data);
                }
            }
        }
        Ok(())
    }

    fn ws(&self, seen: &Seen, addr: &str) -> Result<(), String> {
        let since = seen.last_id.load(Ordering::Relaxed);
        let url = format!("ws://{addr}/ws?since={since}");
        let mut ws = connect(&url, &[], READ_TIMEOUT, Config::default(), self.meter())
            .map_err(|e| e.to_string())?;
        self.writers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(ws.writer());
        seen.ready.store(true, Ordering::Relaxed);
        while !self.stopped() {
            match ws.recv() {
                Ok(Message::Text(json)) => note_batch(seen, &json),
                Ok(Message::Binary(_)) => {}
                Err(ending) => return Err(format!("closed: {}", ending.code())),
            }
        }
        Ok(())
    }
}

/// Notes a poll answer's events, and moves the cursor to its `last_id`.
fn note_answer(seen: &Seen, json: &str) {
    note_batch(seen, json);
    if let Some(last) = json.split_once("\"last_id\":").and_then(|(_, rest)| {
        rest[..rest.find(|c: char| !c.is_ascii_digit())?]
            .parse()
            .ok()
    }) {
        seen.last_id.fetch_max(last, Ordering::Relaxed);
    }
}

/// Notes every `{"id":N,"data":"..."}` in `json` (a poll answer, or one `/ws` message).
fn note_batch(seen: &Seen, json: &str) {
    for (id, data) in events_in(json) {
        note(seen, id, data);
    }
}

/// Notes one event, if it is one of the publisher's (`ev SEQ t=MICROS`).
fn note(seen: &Seen, id: u64, data: &str) {
    let Some(sent) = data
        .rsplit_once(" t=")
        .and_then(|(_, t)| t.parse::<u64>().ok())
    else {
        return;
    };
    let arrival = Arrival {
        id,
        latency_us: now_us().saturating_sub(sent),
    };
    seen.arrivals
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(arrival);
    seen.last_id.fetch_max(id, Ordering::Relaxed);
}

/// The `(id, data)` of each event object in `json`. The generator's data never holds a
/// quote or a backslash, so a scan is enough (this is not a JSON parser).
pub fn events_in(json: &str) -> impl Iterator<Item = (u64, &str)> {
    json.split("{\"id\":").skip(1).filter_map(|rest| {
        let digits = rest.find(|c: char| !c.is_ascii_digit())?;
        let id = rest[..digits].parse().ok()?;
        let data = rest.split_once("\"data\":\"")?.1;
        Some((id, &data[..data.find('"')?]))
    })
}
