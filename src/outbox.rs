//! Bytes a socket has not taken yet, and the one loop that writes them.
//!
//! A socket whose send buffer is full takes part of a write, or none: a non-blocking
//! socket says `WouldBlock` at once, a blocking one waits up to its write timeout and
//! says `TimedOut` (or `WouldBlock`). Either way the bytes it did not take must be kept,
//! in order, and go out before anything newer, or the peer would read a frame or an
//! event with a hole in it. [`Outbox::write`] is that rule in one place; the event
//! streams (lesson 4) and the WebSocket writer (lesson 7) both send through it.
//!
//! ```text
//! write(head, body):  [queued from before][head][body] ──writev──► socket
//!                                        └── what it did not take stays queued
//! ```

use std::io::{self, ErrorKind, IoSlice, Write};
use std::net::TcpStream;

use crate::ledger::Meter;

/// The bytes queued for one socket, and where the bytes it writes are counted.
#[derive(Debug, Default)]
pub struct Outbox {
    queued: Vec<u8>,
    meter: Meter,
}

impl Outbox {
    /// An empty outbox that counts nothing.
    pub fn new() -> Self {
        Outbox::default()
    }

    /// An empty outbox whose written bytes count in `meter`.
    pub fn metered(meter: Meter) -> Self {
        Outbox {
            queued: Vec::new(),
            meter,
        }
    }

    /// Bytes queued that the socket has not taken yet.
    pub fn len(&self) -> usize {
        self.queued.len()
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.queued.is_empty()
    }

    /// Queues `bytes` behind what is queued, without writing.
    pub fn push(&mut self, bytes: &[u8]) {
        self.queued.extend_from_slice(bytes);
    }

    /// Drops what is queued: the connection is being abandoned.
    pub fn clear(&mut self) {
        self.queued.clear();
    }

    /// Writes what is queued, then `head` and `body`, in as few `writev` calls as the
    /// socket allows, and queues whatever it does not take (within its write timeout, or
    /// at once if it is non-blocking). Returns how many bytes are left queued: 0 when
    /// everything went. Two parts let a frame's header and a big payload go out without
    /// first copying the payload next to its header.
    ///
    /// # Errors
    /// The socket failed (reset, broken pipe, closed): the peer is gone.
    pub fn write(&mut self, mut stream: &TcpStream, head: &[u8], body: &[u8]) -> io::Result<usize> {
        let queued = std::mem::take(&mut self.queued);
        let mut parts = [
            IoSlice::new(&queued),
            IoSlice::new(head),
            IoSlice::new(body),
        ];
        let mut rest = &mut parts[..];
        IoSlice::advance_slices(&mut rest, 0); // skip the empty parts in front
        while !rest.is_empty() {
            match stream.write_vectored(rest) {
                Ok(0) => return Err(ErrorKind::WriteZero.into()),
                Ok(n) => {
                    self.meter.wrote(n);
                    IoSlice::advance_slices(&mut rest, n);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    for part in rest.iter() {
                        self.queued.extend_from_slice(part);
                    }
                    return Ok(self.queued.len());
                }
                Err(e) => return Err(e),
            }
        }
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;

    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (client, server)
    }

    #[test]
    fn what_a_full_socket_does_not_take_is_queued_and_goes_first_later() {
        let (mut reader, writer) = pair();
        writer.set_nonblocking(true).unwrap();
        let mut outbox = Outbox::new();
        let big = vec![7u8; 8 * 1024 * 1024]; // more than the socket buffers hold
        let left = outbox.write(&writer, b"head", &big).unwrap();
        assert!(left > 0 && left == outbox.len());
        outbox.write(&writer, b"tail.", &[]).unwrap(); // behind what is queued
        let total = 4 + big.len() + 5;
        reader
            .set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        let (mut got, mut chunk) = (Vec::new(), vec![0u8; 64 * 1024]);
        while got.len() < total {
            let n = reader.read(&mut chunk).unwrap();
            assert!(n > 0, "closed early");
            got.extend_from_slice(&chunk[..n]);
            outbox.write(&writer, &[], &[]).unwrap();
        }
        assert_eq!(&got[..4], b"head");
        assert!(got[4..4 + big.len()].iter().all(|&b| b == 7));
        assert_eq!(&got[4 + big.len()..], b"tail.");
        assert!(outbox.is_empty());
    }

    #[test]
    fn nothing_to_write_makes_no_write() {
        let (_reader, writer) = pair();
        drop(_reader);
        // A write on a closed peer would fail; an empty one is never made.
        assert_eq!(Outbox::new().write(&writer, &[], &[]).unwrap(), 0);
    }
}
