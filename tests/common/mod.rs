//! What every lesson test needs: a server on a free port, and a raw client with timeouts.
#![allow(dead_code)] // each test file uses a different part of this

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use realtime::event_log::EventLog;
use realtime::http::{Router, Server, ServerConfig};

pub mod process;
pub mod readers;
pub mod ws;

/// Every socket read in the tests gives up after this: no test can hang.
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Starts `router` on 127.0.0.1 with a free port and `config`; returns its address.
/// Like every server, it answers `GET /stats` with its ledger (lesson 8).
pub fn start(router: Router, config: ServerConfig) -> SocketAddr {
    let server = Server::bind("127.0.0.1:0", config).unwrap();
    let stats = realtime::stats::handler(server.ledger());
    server.spawn(router.get("/stats", stats)).unwrap()
}

/// The playground over a fresh event log keeping `history` events.
pub fn start_playground(history: usize) -> (SocketAddr, Arc<EventLog>) {
    let log = Arc::new(EventLog::new(history));
    let addr = start(
        realtime::playground::router(
            Arc::clone(&log),
            Default::default(),
            Default::default(),
            Default::default(),
        ),
        ServerConfig::default(),
    );
    (addr, log)
}

/// A connected client socket with read and write timeouts.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(READ_TIMEOUT)).unwrap();
    stream
}

/// An answer as read off the wire.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Answer {
    /// The value of field `name` (case-insensitive).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Reads one answer (head, then a `Content-Length` body) from `stream`, byte by byte so
/// that nothing of the next answer is consumed. `head_only` for answers to `HEAD`.
pub fn read_answer(stream: &mut TcpStream, head_only: bool) -> Answer {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8];
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            other => panic!(
                "answer head cut short ({other:?}) after {:?}",
                String::from_utf8_lossy(&head)
            ),
        }
    }
    let head = String::from_utf8(head).unwrap();
    let status = head[9..12].parse().unwrap();
    let mut answer = Answer {
        status,
        head,
        body: Vec::new(),
    };
    let length: usize = answer
        .field("content-length")
        .map_or(0, |v| v.parse().unwrap());
    if !head_only && status != 304 && status >= 200 {
        answer.body = vec![0; length];
        stream.read_exact(&mut answer.body).unwrap();
    }
    answer
}

/// Sends `request` bytes on a new connection and reads one answer.
pub fn exchange(addr: SocketAddr, request: &[u8]) -> Answer {
    let mut stream = connect(addr);
    stream.write_all(request).unwrap();
    read_answer(&mut stream, request.starts_with(b"HEAD"))
}

/// `GET target` on a new connection.
pub fn get(addr: SocketAddr, target: &str) -> Answer {
    exchange(
        addr,
        format!("GET {target} HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes(),
    )
}

/// `POST target` with `body` on a new connection.
pub fn post(addr: SocketAddr, target: &str, body: &str) -> Answer {
    let request = format!(
        "POST {target} HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    exchange(addr, request.as_bytes())
}

/// Whether the server has closed `stream`: EOF (or a reset) before the read timeout.
pub fn is_closed(stream: &mut TcpStream) -> bool {
    let mut byte = [0u8];
    match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => !matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
    }
}

/// Retries `attempt` until it returns `Some`, for at most `limit`.
pub fn eventually<T>(limit: Duration, mut attempt: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = attempt() {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "condition not reached within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Parses the ids and the `last_id` out of a `/poll` or `/long-poll` answer. The data
/// of these tests' events never contains `"id":`, so a scan is enough.
pub fn poll_ids(json: &str) -> (Vec<u64>, u64) {
    let number_after = |s: &str| -> u64 {
        s.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap()
    };
    let ids = json.split("{\"id\":").skip(1).map(number_after).collect();
    let last = number_after(json.split("\"last_id\":").nth(1).expect("last_id"));
    (ids, last)
}

/// A keep-alive client: many requests on one connection.
pub struct Client(pub TcpStream);

impl Client {
    pub fn new(addr: SocketAddr) -> Client {
        Client(connect(addr))
    }

    pub fn get(&mut self, target: &str) -> Answer {
        self.0
            .write_all(format!("GET {target} HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes())
            .unwrap();
        read_answer(&mut self.0, false)
    }

    pub fn post(&mut self, target: &str, body: &str) -> Answer {
        let request = format!(
            "POST {target} HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.0.write_all(request.as_bytes()).unwrap();
        read_answer(&mut self.0, false)
    }
}
