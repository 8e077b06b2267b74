//! Accepting connections: one thread per connection, with a counted cap.
//!
//! Why not a fixed pool of worker threads (the Rust Book's `ThreadPool::new(4)`)? A worker
//! is busy for as long as its connection is open, and in this crate connections stay open
//! on purpose: a long poll parks its thread for up to a minute, and later an event stream
//! or a WebSocket holds one for hours. Four parked long polls would take a pool of four and
//! the fifth client, even one asking for the page, would wait in the accept queue
//! (`--break fixed-pool` runs that shape, and `tests/lesson_03_long_polling.rs` shows it
//! failing). So each connection gets a thread of its own, and the limit is a count of
//! open connections (`--max-connections`) rather than a pool size: past it, the client is
//! told `503` with `Retry-After` instead of waiting unseen.
//!
//! What a thread costs: its stack is reserved as virtual memory ([`STACK_BYTES`]) but
//! only the pages it touches become resident (four 4 KiB pages for this server's handlers,
//! measured in a debug build); the kernel adds its task structure (about 6 KiB) and a
//! 16 KiB kernel stack, which `/proc`'s resident size does not show, and a context switch
//! every time the thread wakes. Thousands of threads are fine on Linux; a million are not,
//! and that is where event loops (epoll, async runtimes) take over.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, SystemTime};

use super::config::ServerConfig;
use super::connection::serve;
use super::date::http_date;
use super::linger::close_gracefully;
use super::response::{ConnectionField, Framing, Response};
use super::router::Router;
use super::slot::ConnectionSlot;
use super::status::Status;
use crate::breaks::{Break, FIXED_POOL_THREADS};
use crate::ledger::{Ledger, Meter, Transport};

/// Stack reserved per connection thread: 256 KiB instead of Rust's default 2 MiB. The
/// deepest path (a debug build parsing a head with 64 field slots) uses well under a
/// tenth of it; the reservation is address space, not memory, until touched.
pub const STACK_BYTES: usize = 256 * 1024;
/// `Retry-After` on a `503`, in seconds (RFC 9110 §10.2.3).
const RETRY_AFTER_SECS: u32 = 1;
/// Refused connections waiting for the refusing thread; past this they are dropped.
const REFUSAL_QUEUE: usize = 64;

/// A bound listening socket, ready to serve a [`Router`].
pub struct Server {
    listener: TcpListener,
    config: Arc<ServerConfig>,
    ledger: Arc<Ledger>,
}

impl Server {
    /// Binds `addr` (`127.0.0.1:0` picks a free port).
    ///
    /// # Errors
    /// The `io::Error` of `TcpListener::bind` (address in use, permission denied).
    pub fn bind(addr: impl ToSocketAddrs, config: ServerConfig) -> io::Result<Server> {
        Ok(Server {
            listener: TcpListener::bind(addr)?,
            config: Arc::new(config),
            ledger: Ledger::new(),
        })
    }

    /// The server's ledger: what its connections read and wrote, per transport (lesson 8
    /// serves it as `GET /stats`).
    pub fn ledger(&self) -> Arc<Ledger> {
        Arc::clone(&self.ledger)
    }

    /// The address actually bound, with the real port.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Prints the contract's start-up line (LESSONS.md, Appendix: the wire contract),
    /// `listening on http://HOST:PORT`, to stdout and flushes it at once: tools that start
    /// the server wait for this line.
    pub fn announce(&self) -> io::Result<()> {
        let mut stdout = io::stdout().lock();
        writeln!(stdout, "listening on http://{}", self.local_addr()?)?;
        stdout.flush()
    }

    /// Accepts connections forever, each on its own thread running `router`. (With
    /// [`Break::FixedPool`] in the config's breaks, a fixed pool instead: the wrong way.)
    pub fn run(self, router: Router) -> ! {
        if self.config.breaks.has(Break::FixedPool) {
            self.run_fixed_pool(router); // the wrong way, on purpose (--break fixed-pool)
        }
        let open = Arc::new(AtomicUsize::new(0));
        let refuse = spawn_refuser(Meter::new(&self.ledger, Transport::Other));
        let router = Arc::new(router);
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => self.admit(stream, &open, &router, &refuse),
                // EMFILE and friends: back off rather than spin; clients wait in the backlog.
                Err(e) => {
                    eprintln!("accept failed: {e}");
                    thread::sleep(Duration::from_millis(10));
                }
            }
        }
    }

    /// Runs the server on a background thread and returns its address: for tests and for
    /// programs that do other work on the main thread.
    pub fn spawn(self, router: Router) -> io::Result<SocketAddr> {
        let addr = self.local_addr()?;
        thread::Builder::new()
            .name("accept".into())
            .spawn(move || self.run(router))?;
        Ok(addr)
    }

    fn admit(
        &self,
        stream: TcpStream,
        open: &Arc<AtomicUsize>,
        router: &Arc<Router>,
        refuse: &SyncSender<TcpStream>,
    ) {
        // Only this thread increments, so load-then-add cannot overshoot the cap.
        if open.load(Ordering::Acquire) >= self.config.max_connections {
            let _ = refuse.try_send(stream); // a full queue drops the connection: overload
            return;
        }
        // Released when serve drops it, or with whatever took the connection over.
        let slot = ConnectionSlot::taken(open, &self.ledger);
        let (router, config) = (Arc::clone(router), Arc::clone(&self.config));
        let spawned = thread::Builder::new()
            .stack_size(STACK_BYTES)
            .spawn(move || serve(stream, slot, &router, &config));
        if let Err(e) = spawned {
            eprintln!("cannot start a connection thread: {e}");
        }
    }

    /// `--break fixed-pool`, the wrong way on purpose (lessons 1 and 3): the Rust Book's
    /// shape. [`FIXED_POOL_THREADS`] workers take connections from one queue and serve each
    /// to its end; no cap, no `503`. Four parked long polls hold all four, and the fifth
    /// client waits in the queue, unread and unanswered, until one of them returns.
    fn run_fixed_pool(self, router: Router) -> ! {
        let (send, queue) = channel::<TcpStream>();
        let queue = Arc::new(Mutex::new(queue));
        let (router, open) = (Arc::new(router), Arc::new(AtomicUsize::new(0)));
        for n in 0..FIXED_POOL_THREADS {
            let (queue, router, open) =
                (Arc::clone(&queue), Arc::clone(&router), Arc::clone(&open));
            let (config, ledger) = (Arc::clone(&self.config), Arc::clone(&self.ledger));
            let worker = move || {
                loop {
                    let next = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    let Ok(stream) = next else { return };
                    serve(
                        stream,
                        ConnectionSlot::taken(&open, &ledger),
                        &router,
                        &config,
                    );
                }
            };
            let named = thread::Builder::new().name(format!("worker-{n}"));
            named
                .stack_size(STACK_BYTES)
                .spawn(worker)
                .expect("cannot start a worker");
        }
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => send.send(stream).expect("the workers never end"),
                Err(_) => thread::sleep(Duration::from_millis(10)),
            }
        }
    }
}

/// One thread answers every refused connection with `503` and closes it gracefully, so
/// that a flood of refusals costs one thread, not one each.
fn spawn_refuser(meter: Meter) -> SyncSender<TcpStream> {
    let (send, receive) = sync_channel::<TcpStream>(REFUSAL_QUEUE);
    thread::spawn(move || {
        for stream in receive {
            let answer = Response::text(Status::SERVICE_UNAVAILABLE, "too many connections\n")
                .with_field("Retry-After", RETRY_AFTER_SECS.to_string());
            let mut out = Vec::new();
            let date = http_date(SystemTime::now());
            answer.write_to(&mut out, &date, Framing::Length, ConnectionField::Close);
            let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
            if (&stream).write_all(&out).is_ok() {
                meter.wrote(out.len());
                close_gracefully(&stream);
            }
        }
    });
    send
}
