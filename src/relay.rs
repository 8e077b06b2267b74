//! A TCP relay that holds every piece of data for a while in each direction: loopback with
//! a round-trip time.
//!
//! ```text
//! client ──► relay ──(held `delay`)──► server
//! client ◄──(held `delay`)── relay ◄── server
//! ```
//!
//! On loopback a request and its answer cross in microseconds, which hides exactly what
//! separates the techniques: a long poll's re-request, a short poll's interval against a
//! network's round trip. [`Relay::start`] listens on a free loopback port and, for every
//! connection, opens one to the server and pumps bytes both ways, each piece released
//! `delay` after it arrived: the order and the bytes are untouched, only time is added.
//!
//! One thread per direction: it reads with a timeout that ends when the oldest held piece
//! is due, writes what is due, and reads again, so a piece waits `delay`, not longer.
//! When one side closes, what is held still goes out, then the close is passed on.

use std::collections::VecDeque;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

/// Bytes read at a time from either side.
const READ_CHUNK: usize = 16 * 1024;
/// Stack of each pump thread: they only copy bytes.
const PUMP_STACK: usize = 64 * 1024;

/// A running relay.
pub struct Relay {
    addr: SocketAddr,
}

impl Relay {
    /// Starts relaying connections made to a fresh port on 127.0.0.1 to `upstream`, each
    /// piece of data held `delay` in each direction. The relay runs until the process
    /// ends.
    ///
    /// # Errors
    /// The `io::Error` of binding the port.
    pub fn start(upstream: SocketAddr, delay: Duration) -> io::Result<Relay> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        thread::Builder::new().name("relay".into()).spawn(move || {
            for client in listener.incoming().flatten() {
                if let Err(e) = connect_pair(client, upstream, delay) {
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

fn connect_pair(client: TcpStream, upstream: SocketAddr, delay: Duration) -> io::Result<()> {
    let server = TcpStream::connect(upstream)?;
    for stream in [&client, &server] {
        stream.set_nodelay(true)?; // the delay is ours to add, not Nagle's
    }
    let (client_in, server_in) = (client.try_clone()?, server.try_clone()?);
    spawn_pump(client_in, server, delay)?;
    spawn_pump(server_in, client, delay)?;
    Ok(())
}

fn spawn_pump(from: TcpStream, to: TcpStream, delay: Duration) -> io::Result<()> {
    thread::Builder::new()
        .name("relay-pump".into())
        .stack_size(PUMP_STACK)
        .spawn(move || pump(&from, &to, delay))?;
    Ok(())
}

/// Copies `from` to `to`, each piece `delay` late; on end of stream passes the close on.
fn pump(mut from: &TcpStream, mut to: &TcpStream, delay: Duration) {
    let mut held: VecDeque<(Instant, Vec<u8>)> = VecDeque::new();
    let mut chunk = vec![0u8; READ_CHUNK];
    let mut open = true;
    while open || !held.is_empty() {
        let now = Instant::now();
        while held.front().is_some_and(|(due, _)| *due <= now) {
            let Some((_, bytes)) = held.pop_front() else {
                break;
            };
            if to.write_all(&bytes).is_err() {
                let _ = from.shutdown(Shutdown::Both);
                return;
            }
        }
        let wait = held
            .front()
            .map(|(due, _)| due.saturating_duration_since(now));
        if !open {
            thread::sleep(wait.unwrap_or_default());
            continue;
        }
        // None blocks until bytes come; a due piece bounds the wait (at least 1 ms).
        let _ = from.set_read_timeout(wait.map(|w| w.max(Duration::from_millis(1))));
        match from.read(&mut chunk) {
            Ok(0) => open = false,
            Ok(n) => held.push_back((Instant::now() + delay, chunk[..n].to_vec())),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => open = false,
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_cross_unchanged_and_late_in_both_directions() {
        let server = TcpListener::bind("127.0.0.1:0").unwrap();
        let relay = Relay::start(server.local_addr().unwrap(), Duration::from_millis(30)).unwrap();
        let mut client = TcpStream::connect(relay.addr()).unwrap();
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let (mut upstream, _) = server.accept().unwrap();
        upstream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let sent = Instant::now();
        client.write_all(b"ping").unwrap();
        let mut got = [0u8; 4];
        upstream.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"ping");
        upstream.write_all(b"pong").unwrap();
        client.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"pong");
        assert!(
            sent.elapsed() >= Duration::from_millis(60),
            "{:?}",
            sent.elapsed()
        );
        drop(upstream); // the close comes through too
        assert_eq!(client.read(&mut got).unwrap(), 0);
    }
}
