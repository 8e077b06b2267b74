//! Closing a connection without losing the last answer (RFC 9112 §9.6).

use std::io::Read;
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

/// How long a closing connection keeps reading (and dropping) what the client still sends.
const LINGER: Duration = Duration::from_secs(2);
/// How long each of those reads waits; a client that sends nothing more is done.
const LINGER_READ: Duration = Duration::from_millis(200);
/// The most bytes drained while lingering.
const LINGER_MAX_BYTES: usize = 1024 * 1024;
/// Bytes read (and dropped) at a time.
const DRAIN_CHUNK: usize = 4096;

/// Closes without losing the answer just written. Closing a socket that still has unread
/// input makes the kernel send a reset, and a reset can destroy the answer in the client's
/// receive buffer before the client reads it. So: send FIN (half-close), then read and drop
/// what the client still sends, for a bounded time, and only then close.
pub fn close_gracefully(stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(LINGER_READ));
    let deadline = Instant::now() + LINGER;
    let mut sink = [0u8; DRAIN_CHUNK];
    let mut drained = 0;
    while Instant::now() < deadline && drained < LINGER_MAX_BYTES {
        match (&*stream).read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}
