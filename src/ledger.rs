//! The ledger: what crossed the sockets, per transport, counted where the bytes are read
//! and written.
//!
//! Every server keeps one [`Ledger`], and `GET /stats` (lesson 8, [`crate::stats`]) shows
//! it. Each layer counts its own bytes as they cross its socket: the HTTP connection a
//! request's head and body and its answer, the event-stream hub every byte of every
//! stream, the WebSocket reader and writer every frame. So a browser, `curl` and the load
//! generator of lesson 8 all read the same numbers, and the numbers are the wire's.
//!
//! ```text
//! transport   requests  bytes_read  bytes_written  open  events
//! poll              12        1140           2664     1       3     (one keep-alive client)
//! sse                1          96            812     1       5     (one stream)
//! ```
//!
//! Counting costs one relaxed atomic add per socket read or write: no lock, no ordering
//! with anything else (a reader of `/stats` may see a write counted a moment late), and
//! each transport's counters sit in their own cache line, so threads counting different
//! transports do not slow each other down.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The ways a client gets fresh data, plus everything else (pages, `/publish`, `/stats`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transport {
    /// `GET /poll`: short polling (lesson 2).
    Poll,
    /// `GET /long-poll`: long polling (lesson 3).
    LongPoll,
    /// An event stream (lesson 4).
    Sse,
    /// A WebSocket, from its opening handshake on (lessons 5–7).
    Ws,
    /// Any other request.
    #[default]
    Other,
}

impl Transport {
    /// Every transport, in the order `/stats` lists them.
    pub const ALL: [Transport; 5] = [
        Transport::Poll,
        Transport::LongPoll,
        Transport::Sse,
        Transport::Ws,
        Transport::Other,
    ];

    /// The name `/stats` uses: `poll`, `long-poll`, `sse`, `ws`, `other`.
    pub fn name(self) -> &'static str {
        match self {
            Transport::Poll => "poll",
            Transport::LongPoll => "long-poll",
            Transport::Sse => "sse",
            Transport::Ws => "ws",
            Transport::Other => "other",
        }
    }

    /// The transport of a request for `path` whose answer is a plain response: `/poll`
    /// and `/long-poll` are the contract's polling endpoints. (An answer that takes the
    /// connection over is an event stream or a WebSocket; the connection knows which.)
    pub fn of_path(path: &str) -> Transport {
        match path {
            "/poll" => Transport::Poll,
            "/long-poll" => Transport::LongPoll,
            _ => Transport::Other,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One transport's counters.
#[derive(Debug, Default)]
#[repr(align(64))] // one cache line each
pub struct Counters {
    requests: AtomicU64,
    bytes_read: AtomicU64,
    bytes_written: AtomicU64,
    open: AtomicU64,
    events: AtomicU64,
}

/// The counters of one transport at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// HTTP requests answered (an event stream and a WebSocket handshake count one each).
    pub requests: u64,
    /// Bytes read from clients' sockets.
    pub bytes_read: u64,
    /// Bytes written to clients' sockets: status lines, fields, bodies, event-stream
    /// framing and heartbeats, WebSocket frames.
    pub bytes_written: u64,
    /// Connections open now whose latest request was of this transport.
    pub open: u64,
    /// Events of the event log delivered to clients (one per client it reached).
    pub events: u64,
}

/// Every transport's counters for one server.
#[derive(Debug, Default)]
pub struct Ledger {
    counters: [Counters; 5],
}

impl Ledger {
    /// An empty ledger, to share.
    pub fn new() -> Arc<Ledger> {
        Arc::new(Ledger::default())
    }

    /// The counters of `transport` now.
    pub fn snapshot(&self, transport: Transport) -> Snapshot {
        let c = &self.counters[transport.index()];
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        Snapshot {
            requests: get(&c.requests),
            bytes_read: get(&c.bytes_read),
            bytes_written: get(&c.bytes_written),
            open: get(&c.open),
            events: get(&c.events),
        }
    }

    fn add(&self, transport: Transport, pick: fn(&Counters) -> &AtomicU64, n: u64) {
        if n > 0 {
            pick(&self.counters[transport.index()]).fetch_add(n, Ordering::Relaxed);
        }
    }
}

/// Where one socket's bytes are counted: a transport of a ledger, or nowhere
/// ([`Meter::none`], for clients and tests that keep no ledger).
#[derive(Debug, Clone, Default)]
pub struct Meter {
    ledger: Option<Arc<Ledger>>,
    transport: Transport,
}

impl Meter {
    /// Counts in `transport` of `ledger`.
    pub fn new(ledger: &Arc<Ledger>, transport: Transport) -> Meter {
        Meter {
            ledger: Some(Arc::clone(ledger)),
            transport,
        }
    }

    /// Counts nothing.
    pub fn none() -> Meter {
        Meter::default()
    }

    /// The transport counted in.
    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// The same ledger, another transport.
    pub fn as_transport(&self, transport: Transport) -> Meter {
        Meter {
            ledger: self.ledger.clone(),
            transport,
        }
    }

    /// `bytes` were read from the socket.
    pub fn read(&self, bytes: usize) {
        self.add(|c| &c.bytes_read, bytes as u64);
    }

    /// `bytes` were written to the socket.
    pub fn wrote(&self, bytes: usize) {
        self.add(|c| &c.bytes_written, bytes as u64);
    }

    /// One request was answered.
    pub fn request(&self) {
        self.add(|c| &c.requests, 1);
    }

    /// `events` events of the log went to the client.
    pub fn delivered(&self, events: usize) {
        self.add(|c| &c.events, events as u64);
    }

    /// A connection now counts as open in this transport.
    pub fn opened(&self) {
        self.add(|c| &c.open, 1);
    }

    /// A connection no longer counts as open in this transport.
    pub fn closed(&self) {
        if let Some(ledger) = &self.ledger {
            let open = &ledger.counters[self.transport.index()].open;
            let _ = open.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
        }
    }

    fn add(&self, pick: fn(&Counters) -> &AtomicU64, n: u64) {
        if let Some(ledger) = &self.ledger {
            ledger.add(self.transport, pick, n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_meter_counts_in_its_transport_only() {
        let ledger = Ledger::new();
        let sse = Meter::new(&ledger, Transport::Sse);
        sse.read(10);
        sse.wrote(300);
        sse.request();
        sse.delivered(2);
        sse.opened();
        assert_eq!(
            ledger.snapshot(Transport::Sse),
            Snapshot {
                requests: 1,
                bytes_read: 10,
                bytes_written: 300,
                open: 1,
                events: 2
            }
        );
        assert_eq!(ledger.snapshot(Transport::Poll), Snapshot::default());
        sse.closed();
        sse.closed(); // never below zero
        assert_eq!(ledger.snapshot(Transport::Sse).open, 0);
        Meter::none().wrote(5); // counts nowhere, and does not fail
    }

    #[test]
    fn paths_name_the_polling_transports() {
        assert_eq!(Transport::of_path("/poll"), Transport::Poll);
        assert_eq!(Transport::of_path("/long-poll"), Transport::LongPoll);
        assert_eq!(Transport::of_path("/"), Transport::Other);
        let names: Vec<_> = Transport::ALL.iter().map(|t| t.name()).collect();
        assert_eq!(names, ["poll", "long-poll", "sse", "ws", "other"]);
    }
}
