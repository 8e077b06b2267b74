//! Readers of the event log over each transport, through any address (a proxy, a relay),
//! that resume after their last id when the connection is cut, as the pages do. Each
//! returns every id it received, in order, repeats included, so a test can assert the
//! whole list.

use std::io::Read;
use std::time::{Duration, Instant};

use realtime::http::client::HttpClient;
use realtime::ledger::Meter;
use realtime::sse::parse::Parser;
use realtime::websocket::connect::connect;
use realtime::websocket::writer::lock;
use realtime::websocket::{Config, Message};

use super::poll_ids;

/// Every read waits at most this long; a long poll here holds at most `LONG_POLL_MS`.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
const LONG_POLL_MS: u64 = 3_000;

/// One technique to read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Poll,
    LongPoll,
    Sse,
    Ws,
}

impl Reader {
    pub const ALL: [Reader; 4] = [Reader::Poll, Reader::LongPoll, Reader::Sse, Reader::Ws];

    /// Reads from `addr` (`127.0.0.1:PORT`) until it has the event `last`, or `limit`
    /// passes; resumes after a cut. Returns the ids in the order they came, and how
    /// many times it had to connect again.
    pub fn read_until(self, addr: &str, last: u64, limit: Duration) -> (Vec<u64>, usize) {
        self.read_from(addr, 0, last, limit)
    }

    /// The same, starting after the event `start` (a cursor brought from elsewhere).
    pub fn read_from(
        self,
        addr: &str,
        start: u64,
        last: u64,
        limit: Duration,
    ) -> (Vec<u64>, usize) {
        let deadline = Instant::now() + limit;
        let mut ids: Vec<u64> = Vec::new();
        let mut reconnects = 0;
        while ids.last().copied().unwrap_or(start) < last && Instant::now() < deadline {
            let since = ids.last().copied().unwrap_or(start);
            let result = match self {
                Reader::Poll => poll(addr, since, last, deadline, &mut ids, false),
                Reader::LongPoll => poll(addr, since, last, deadline, &mut ids, true),
                Reader::Sse => sse(addr, since, last, deadline, &mut ids),
                Reader::Ws => ws(addr, since, last, deadline, &mut ids),
            };
            if result.is_err() && ids.last().copied().unwrap_or(start) < last {
                reconnects += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        (ids, reconnects)
    }
}

fn poll(
    addr: &str,
    mut since: u64,
    last: u64,
    deadline: Instant,
    ids: &mut Vec<u64>,
    long: bool,
) -> Result<(), String> {
    let mut http =
        HttpClient::connect(addr, READ_TIMEOUT, Meter::none()).map_err(|e| e.to_string())?;
    while since < last && Instant::now() < deadline {
        let target = match long {
            true => format!("/long-poll?since={since}&timeout_ms={LONG_POLL_MS}"),
            false => format!("/poll?since={since}"),
        };
        let answer = http.get(&target, &[]).map_err(|e| e.to_string())?;
        if answer.status != 200 {
            return Err(format!("{target} answered {}", answer.status));
        }
        let (got, last_id) = poll_ids(&answer.text());
        ids.extend(got);
        since = last_id;
        if !long {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    Ok(())
}

fn sse(
    addr: &str,
    since: u64,
    last: u64,
    deadline: Instant,
    ids: &mut Vec<u64>,
) -> Result<(), String> {
    let http = HttpClient::connect(addr, READ_TIMEOUT, Meter::none()).map_err(|e| e.to_string())?;
    let resume = since.to_string();
    let fields = [
        ("Accept", "text/event-stream"),
        ("Last-Event-ID", resume.as_str()),
    ];
    let (head, mut body) = http
        .open_stream("/events", &fields)
        .map_err(|e| e.to_string())?;
    if head.status != 200 {
        return Err(format!("/events answered {}", head.status));
    }
    let mut parser = Parser::resuming(&resume);
    let mut chunk = [0u8; 4096];
    while ids.last().copied().unwrap_or(0) < last && Instant::now() < deadline {
        let n = body.read(&mut chunk).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("the stream ended".into());
        }
        for event in parser.feed(&chunk[..n]) {
            if event.event_type == "message" {
                ids.push(
                    event
                        .last_event_id
                        .parse()
                        .map_err(|_| "an id that is not a number")?,
                );
            }
        }
    }
    Ok(())
}

fn ws(
    addr: &str,
    since: u64,
    last: u64,
    deadline: Instant,
    ids: &mut Vec<u64>,
) -> Result<(), String> {
    let url = format!("ws://{addr}/ws?since={since}");
    let mut ws = connect(&url, &[], READ_TIMEOUT, Config::default(), Meter::none())
        .map_err(|e| e.to_string())?;
    // recv() waits for the next message however long it takes: at the deadline, shut the
    // socket so that it returns.
    let writer = ws.writer();
    std::thread::spawn(move || {
        std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
        lock(&writer).disconnect();
    });
    while ids.last().copied().unwrap_or(0) < last && Instant::now() < deadline {
        match ws.recv() {
            // A named server (lesson 10) says who it is first: not an event.
            Ok(Message::Text(json)) if json.starts_with("{\"server\":") => {}
            Ok(Message::Text(json)) => ids.push(event_id(&json)?),
            Ok(Message::Binary(_)) => return Err("a binary message on /ws".into()),
            Err(ending) => return Err(format!("closed: {}", ending.code())),
        }
    }
    Ok(())
}

/// The id of a `/ws` message, `{"id":N,"data":"..."}`.
fn event_id(json: &str) -> Result<u64, String> {
    let digits: String = json
        .strip_prefix("{\"id\":")
        .ok_or_else(|| format!("not an event: {json}"))?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().map_err(|_| format!("no id in {json}"))
}
