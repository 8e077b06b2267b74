//! Lesson 7: a terminal WebSocket client built on the crate's client side.
//!
//! ```text
//! cargo run --example 07_websocket_client -- ws://127.0.0.1:8087/ws            # the chat
//! cargo run --example 07_websocket_client -- ws://127.0.0.1:8086/ws/echo --trace
//! ```
//!
//! Each line typed is sent as a text message (masked, as a client must); each message
//! received is printed as it came. Ctrl-D starts the closing handshake: this client sends
//! Close 1000, the server echoes it and closes TCP. `--trace` prints every frame both ways.
//! Read alongside: `src/websocket/client.rs`, `connect.rs`, `mask.rs`, `writer.rs`.

use std::error::Error;
use std::io::{self, BufRead};
use std::thread;
use std::time::Duration;

use realtime::ledger::Meter;
use realtime::websocket::connect::connect;
use realtime::websocket::writer::lock;
use realtime::websocket::{CloseCode, Config, Message};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let url = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| "ws://127.0.0.1:8087/ws".to_owned());
    let config = Config {
        trace: args.iter().any(|a| a == "--trace"),
        ..Config::default()
    };
    let mut ws = connect(&url, &[], Duration::from_secs(5), config, Meter::none())?;
    eprintln!("connected to {url}; type lines to send, Ctrl-D to close");

    let writer = ws.writer();
    thread::spawn(move || {
        for line in io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if lock(&writer).send(&Message::Text(line)).is_err() {
                return; // closed: the reader below reports how
            }
        }
        let _ = lock(&writer).close(Some(CloseCode::NORMAL_CLOSURE), "bye");
    });

    loop {
        match ws.recv() {
            Ok(Message::Text(text)) => println!("{text}"),
            Ok(Message::Binary(bytes)) => println!("({} bytes of binary)", bytes.len()),
            Err(ending) => {
                eprintln!("closed: {} ({ending:?})", ending.code());
                return Ok(());
            }
        }
    }
}
