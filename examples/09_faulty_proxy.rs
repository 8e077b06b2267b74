//! Lesson 9 lab sheet: a faulty proxy, for readers without nginx and for the tests.
//!
//! Run it in front of any server (the playground here):
//!
//! ```text
//! cargo run                                                          # the server, on 8080
//! cargo run --example 09_faulty_proxy -- --upstream 127.0.0.1:8080 --pieces 1   # on 8090
//! cargo run --example 09_faulty_proxy -- --upstream 127.0.0.1:8080 --buffer-until 4096
//! cargo run --example 09_faulty_proxy -- --upstream 127.0.0.1:8080 --idle-kill-ms 5000
//! cargo run --example 09_faulty_proxy -- --upstream 127.0.0.1:8080 --delay-ms 100
//! ```
//!
//! Open http://127.0.0.1:8090: the playground's page, through the faults. What each does
//! (`realtime::relay::Faults`):
//!
//! - `--pieces N`: every write cut into writes of N bytes, both ways (`1`: byte by byte),
//!   handshakes and frames included. Every transport must survive it.
//! - `--buffer-until N`: the server's bytes held until N are in hand (or the end), like a
//!   proxy that buffers responses: watch the SSE panel stall, then jump.
//! - `--idle-kill-ms T`: a connection silent for T is closed both ways, like a proxy's read
//!   timeout: long polls and streams are cut, and every client resumes after its last id.
//! - `--delay-ms D`: each piece held D ms each way, a network's transit.
//! - `--freeze-after-ms T`: after T, nothing crosses and nothing closes: a peer that vanished
//!   without a FIN (see `--max-stream-ms` in LESSONS.md, lesson 9).
//!
//! Read alongside: `src/relay.rs`.

use std::error::Error;
use std::time::Duration;

use realtime::relay::{Faults, Relay};

const USAGE: &str = "usage: 09_faulty_proxy --upstream HOST:PORT [--addr HOST:PORT] [--pieces N] \
[--buffer-until N] [--idle-kill-ms T] [--delay-ms D] [--freeze-after-ms T]";

fn main() -> Result<(), Box<dyn Error>> {
    let (mut addr, mut upstream, mut faults) =
        ("127.0.0.1:8090".to_owned(), None, Faults::default());
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or(format!("{flag} needs a value\n{USAGE}"))?;
        let ms = || value.parse().map(Duration::from_millis);
        match flag.as_str() {
            "--addr" => addr = value,
            "--upstream" => upstream = Some(value.parse()?),
            "--pieces" => faults.pieces = Some(value.parse()?),
            "--buffer-until" => faults.buffer_until = Some(value.parse()?),
            "--idle-kill-ms" => faults.idle_kill = Some(ms()?),
            "--delay-ms" => faults.delay = ms()?,
            "--freeze-after-ms" => faults.freeze_after = Some(ms()?),
            _ => return Err(format!("unknown option {flag}\n{USAGE}").into()),
        }
    }
    let upstream = upstream.ok_or(USAGE)?;
    let relay = Relay::bind(&addr, upstream, faults)?;
    println!("listening on http://{}", relay.addr());
    eprintln!("relaying to {upstream} with {faults:?}");
    loop {
        std::thread::park();
    }
}
