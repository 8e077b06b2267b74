//! A TCP relay that does to the bytes what networks and proxies do: hold them for a while,
//! cut them into pieces, buffer them, drop an idle connection, or go silent.
//!
//! ```text
//! client ──► relay ──(pieces, held `delay`)──────────────────► server
//! client ◄──(held `delay`, or until `buffer_until` bytes)── relay ◄── server
//! ```
//!
//! Lesson 8 uses it with a delay only: loopback with a round-trip time, which is what
//! separates the techniques. Lesson 9 uses the rest as a faulty proxy that every transport
//! must survive ([`Faults`]). [`Relay::start`] listens on a free loopback port and, for
//! every connection, opens one to the server and pumps bytes both ways; the bytes and
//! their order are untouched.
//!
//! One thread per direction: it reads with a timeout that ends when the oldest held piece
//! is due (or the idle limit, or the freeze), writes what is due, and reads again, so a
//! piece waits `delay`, not longer. When one side closes, what is held still goes out,
//! then the close is passed on.

use std::collections::VecDeque;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// Bytes read at a time from either side.
const READ_CHUNK: usize = 16 * 1024;
/// Stack of each pump thread: they only copy bytes.
const PUMP_STACK: usize = 64 * 1024;
/// How often a frozen or waiting pump looks again.
const POLL: Duration = Duration::from_millis(20);

/// What the relay does to the bytes on their way. The default forwards them at once,
/// as they come.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Faults {
    /// Every piece of data is held this long, in each direction (a network's transit).
    pub delay: Duration,
    /// Every write is cut into pieces of at most this many bytes, both ways (`Some(1)`:
    /// byte by byte), each its own `write` on a socket with `TCP_NODELAY`: a peer whose
    /// reads get a frame or a head one byte at a time.
    pub pieces: Option<usize>,
    /// Data from the server is held until this many bytes are in hand or the server
    /// closes: a proxy that buffers responses.
    pub buffer_until: Option<usize>,
    /// A connection with no bytes either way for this long is closed both ways: a proxy's
    /// read timeout, a NAT that forgot the connection.
    pub idle_kill: Option<Duration>,
    /// After this long, nothing more is forwarded either way and nothing is closed: a
    /// peer that vanished without a FIN (a pulled cable).
    pub freeze_after: Option<Duration>,
}

/// A running relay.
pub struct Relay {
    addr: SocketAddr,
}

impl Relay {
    /// Starts relaying connections made to a fresh port on 127.0.0.1 to `upstream`, with
    /// `faults`. The relay runs until the process ends.
    ///
    /// # Errors
    /// The `io::Error` of binding the port.
    pub fn start(upstream: SocketAddr, faults: Faults) -> io::Result<Relay> {
        Relay::bind("127.0.0.1:0", upstream, faults)
    }

    /// The same on `addr` (`127.0.0.1:8089`).
    ///
    /// # Errors
    /// The `io::Error` of binding `addr`.
    pub fn bind(addr: &str, upstream: SocketAddr, faults: Faults) -> io::Result<Relay> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        thread::Builder::new().name("relay".into()).spawn(move || {
            for client in listener.incoming().flatten() {
                if let Err(e) = connect_pair(client, upstream, faults) {
                    eprintln!("relay: {e}");
                }
            }
        })?;
        Ok(Relay { addr })
    }

    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

/// What the two directions of one connection share.
struct Pair {
    started: Instant,
    /// Milliseconds after `started` that a byte last crossed, either way.
    last_heard_ms: AtomicU64,
    killed: AtomicBool,
    client: TcpStream,
    server: TcpStream,
}

impl Pair {
    fn heard(&self) {
        let ms = self.started.elapsed().as_millis() as u64;
        self.last_heard_ms.store(ms, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Duration {
        let last = Duration::from_millis(self.last_heard_ms.load(Ordering::Relaxed));
        self.started.elapsed().saturating_sub(last)
    }

    fn kill(&self) {
        self.killed.store(true, Ordering::Relaxed);
        let _ = self.client.shutdown(Shutdown::Both);
        let _ = self.server.shutdown(Shutdown::Both);
    }
}

/// Which way a pump copies.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Way {
    ToServer,
    ToClient,
}

fn connect_pair(client: TcpStream, upstream: SocketAddr, faults: Faults) -> io::Result<()> {
    let server = TcpStream::connect(upstream)?;
    for stream in [&client, &server] {
        stream.set_nodelay(true)?; // any delay is ours to add, not Nagle's
    }
    let pair = Arc::new(Pair {
        started: Instant::now(),
        last_heard_ms: AtomicU64::new(0),
        killed: AtomicBool::new(false),
        client,
        server,
    });
    for way in [Way::ToServer, Way::ToClient] {
        let pair = Arc::clone(&pair);
        thread::Builder::new()
            .name("relay-pump".into())
            .stack_size(PUMP_STACK)
            .spawn(move || pump(&pair, way, faults))?;
    }
    Ok(())
}

/// Copies one way, with the faults; on end of stream passes the close on.
fn pump(pair: &Pair, way: Way, faults: Faults) {
    let (mut from, mut to) = match way {
        Way::ToServer => (&pair.client, &pair.server),
        Way::ToClient => (&pair.server, &pair.client),
    };
    let hold_until = if way == Way::ToClient {
        faults.buffer_until
    } else {
        None
    };
    let mut held: VecDeque<(Instant, Vec<u8>)> = VecDeque::new();
    let mut chunk = vec![0u8; READ_CHUNK];
    let mut open = true;
    while (open || !held.is_empty()) && !pair.killed.load(Ordering::Relaxed) {
        if faults
            .freeze_after
            .is_some_and(|f| pair.started.elapsed() >= f)
        {
            thread::sleep(POLL); // frozen: hold everything, close nothing
            continue;
        }
        let now = Instant::now();
        let released =
            hold_until.is_none_or(|n| !open || held.iter().map(|h| h.1.len()).sum::<usize>() >= n);
        while released && held.front().is_some_and(|(due, _)| *due <= now) {
            let Some((_, bytes)) = held.pop_front() else {
                break;
            };
            if write_pieces(&mut to, &bytes, faults.pieces).is_err() {
                return pair.kill();
            }
        }
        if faults
            .idle_kill
            .is_some_and(|limit| pair.idle_for() >= limit)
        {
            return pair.kill();
        }
        if !open {
            thread::sleep(POLL.min(next_due(&held, now)));
            continue;
        }
        let _ = from.set_read_timeout(Some(read_wait(&held, now, released, faults, pair)));
        match from.read(&mut chunk) {
            Ok(0) => open = false,
            Ok(n) => {
                pair.heard();
                held.push_back((Instant::now() + faults.delay, chunk[..n].to_vec()));
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => open = false,
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

/// How long the next read may wait: until the oldest held piece is due (if it may go),
/// the idle limit, or the freeze, at least 1 ms; [`POLL`] at most when nothing else
/// bounds it, so a kill by the other direction is noticed.
fn read_wait(
    held: &VecDeque<(Instant, Vec<u8>)>,
    now: Instant,
    released: bool,
    faults: Faults,
    pair: &Pair,
) -> Duration {
    let mut wait = Duration::from_secs(3600);
    if released && !held.is_empty() {
        wait = wait.min(next_due(held, now));
    }
    if let Some(limit) = faults.idle_kill {
        wait = wait.min(limit.saturating_sub(pair.idle_for()));
    }
    if let Some(freeze) = faults.freeze_after {
        wait = wait.min(freeze.saturating_sub(pair.started.elapsed()));
    }
    wait.max(Duration::from_millis(1))
}

fn next_due(held: &VecDeque<(Instant, Vec<u8>)>, now: Instant) -> Duration {
    held.front()
        .map_or(POLL, |(due, _)| due.saturating_duration_since(now))
}

/// Writes `bytes`, cut into writes of at most `pieces` bytes.
fn write_pieces(to: &mut &TcpStream, bytes: &[u8], pieces: Option<usize>) -> io::Result<()> {
    for piece in bytes.chunks(pieces.unwrap_or(bytes.len()).max(1)) {
        to.write_all(piece)?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "relay_tests.rs"]
mod tests;
