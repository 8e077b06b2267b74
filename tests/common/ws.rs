//! Raw WebSocket bytes for the lesson 5–7 tests: handshakes written by hand, client frames
//! built byte by byte from RFC 6455 §5.2, and server frames read field by field.
//!
//! None of this uses the crate's own codec (`realtime::websocket::frame`): a test that
//! encodes with the code under test cannot catch a mistake both sides share.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use realtime::event_log::EventLog;
use realtime::http::ServerConfig;
use realtime::websocket::Config;
use realtime::websocket::handshake::HandshakeConfig;

use super::{Answer, READ_TIMEOUT, connect, read_answer};

/// Opcodes (RFC 6455 §5.2, §11.8).
pub const CONTINUATION: u8 = 0x0;
pub const TEXT: u8 = 0x1;
pub const BINARY: u8 = 0x2;
pub const CLOSE: u8 = 0x8;
pub const PING: u8 = 0x9;
pub const PONG: u8 = 0xA;
/// The FIN bit of the first byte.
pub const FIN: u8 = 0x80;
/// The RSV1 bit of the first byte (permessage-deflate's, RFC 7692).
pub const RSV1: u8 = 0x40;

/// The sample nonce of RFC 6455 §1.3 and the accept value it must give.
pub const SAMPLE_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
pub const SAMPLE_ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
/// The masking key of the RFC 6455 §5.7 examples.
pub const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// The playground with its WebSocket settings, handshake settings and server limits.
pub fn start(
    ws: Config,
    handshake: HandshakeConfig,
    server: ServerConfig,
) -> (SocketAddr, Arc<EventLog>) {
    let log = Arc::new(EventLog::new(10_000));
    let router = realtime::playground::router(Arc::clone(&log), Default::default(), ws, handshake);
    (super::start(router, server), log)
}

/// A handshake request for `path` with `key`, plus `extra` field lines (without CR LF).
pub fn handshake_with_key(path: &str, key: &str, extra: &[&str]) -> String {
    let mut head = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
    );
    for line in extra {
        head.push_str(line);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    head
}

/// A handshake request for `path` with the RFC's sample key.
pub fn handshake(path: &str) -> String {
    handshake_with_key(path, SAMPLE_KEY, &[])
}

/// A frame with `first` as its first byte (FIN, RSV, opcode), the payload length in its
/// shortest form, and, when `mask` is given, the masking key and the payload masked with
/// it (`payload[i] ^ key[i % 4]`, RFC 6455 §5.3).
pub fn frame_with(first: u8, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
    let mut out = vec![first];
    out.extend(length_field(payload.len() as u64, mask.is_some()));
    match mask {
        Some(key) => {
            out.extend_from_slice(&key);
            out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
        }
        None => out.extend_from_slice(payload),
    }
    out
}

/// The second byte and the extended length: 7 bits up to 125, then 126 and 16 bits, then
/// 127 and 64 bits (RFC 6455 §5.2); the MASK bit set when `masked`.
pub fn length_field(len: u64, masked: bool) -> Vec<u8> {
    let mask_bit = if masked { 0x80 } else { 0 };
    let mut out = Vec::new();
    match len {
        0..=125 => out.push(mask_bit | len as u8),
        126..=0xffff => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            out.push(mask_bit | 127);
            out.extend_from_slice(&len.to_be_bytes());
        }
    }
    out
}

/// A client frame: masked with [`MASK`], as a client must (RFC 6455 §5.1).
pub fn frame(first: u8, payload: &[u8]) -> Vec<u8> {
    frame_with(first, payload, Some(MASK))
}

/// A Close payload: the code big-endian, then the reason (RFC 6455 §5.5.1).
pub fn close_payload(code: u16, reason: &str) -> Vec<u8> {
    let mut payload = code.to_be_bytes().to_vec();
    payload.extend_from_slice(reason.as_bytes());
    payload
}

/// A frame as the server wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerFrame {
    /// FIN, RSV1–3 and the opcode.
    pub first: u8,
    /// The MASK bit.
    pub masked: bool,
    /// The 7-bit length field as sent: 0–125, or 126 / 127 for the longer forms.
    pub length_field: u8,
    /// The payload (unmasked if the server did mask it, which it must not).
    pub payload: Vec<u8>,
}

impl ServerFrame {
    pub fn fin(&self) -> bool {
        self.first & FIN != 0
    }

    pub fn opcode(&self) -> u8 {
        self.first & 0x0f
    }

    /// The close code of a Close frame, `None` for an empty Close payload.
    pub fn close_code(&self) -> Option<u16> {
        assert_eq!(self.opcode(), CLOSE, "not a Close frame: {self:?}");
        (self.payload.len() >= 2).then(|| u16::from_be_bytes([self.payload[0], self.payload[1]]))
    }

    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.payload).expect("a UTF-8 payload")
    }

    /// How the payload length was written: 7, 16 or 64 bits.
    pub fn length_bits(&self) -> u8 {
        match self.length_field {
            126 => 16,
            127 => 64,
            _ => 7,
        }
    }
}

/// A WebSocket client on a raw socket.
pub struct Ws {
    pub stream: TcpStream,
}

impl Ws {
    /// Connects to `path`, checks the `101` and its accept value.
    pub fn open(addr: SocketAddr, path: &str) -> Ws {
        let (ws, answer) = Ws::open_raw(addr, handshake(path).as_bytes());
        assert_eq!(answer.status, 101, "{}", answer.head);
        assert_eq!(answer.field("sec-websocket-accept"), Some(SAMPLE_ACCEPT));
        ws
    }

    /// Writes `bytes` (a handshake, perhaps followed by frames) in one write and reads the
    /// answer head, byte by byte so no frame byte after it is consumed.
    pub fn open_raw(addr: SocketAddr, bytes: &[u8]) -> (Ws, Answer) {
        let mut stream = connect(addr);
        stream.set_nodelay(true).unwrap();
        stream.write_all(bytes).unwrap();
        let answer = read_answer(&mut stream, true);
        (Ws { stream }, answer)
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    /// Sends a masked frame with `first` (FIN | opcode) and `payload`.
    pub fn send(&mut self, first: u8, payload: &[u8]) {
        self.send_raw(&frame(first, payload));
    }

    /// Reads one frame; fails the test on EOF or after the read timeout.
    pub fn read_frame(&mut self) -> ServerFrame {
        self.try_read_frame()
            .unwrap_or_else(|e| panic!("no frame from the server: {e}"))
    }

    /// Reads one frame, or the error (EOF, reset, timeout) that came instead.
    pub fn try_read_frame(&mut self) -> std::io::Result<ServerFrame> {
        let mut head = [0u8; 2];
        self.stream.read_exact(&mut head)?;
        let length_field = head[1] & 0x7f;
        let len = match length_field {
            126 => {
                let mut bytes = [0u8; 2];
                self.stream.read_exact(&mut bytes)?;
                u64::from(u16::from_be_bytes(bytes))
            }
            127 => {
                let mut bytes = [0u8; 8];
                self.stream.read_exact(&mut bytes)?;
                u64::from_be_bytes(bytes)
            }
            short => u64::from(short),
        };
        let masked = head[1] & 0x80 != 0;
        let mut key = [0u8; 4];
        if masked {
            self.stream.read_exact(&mut key)?;
        }
        assert!(
            len <= 64 << 20,
            "a frame of {len} bytes: not what the test sent"
        );
        let mut payload = vec![0u8; len as usize];
        self.stream.read_exact(&mut payload)?;
        if masked {
            payload
                .iter_mut()
                .enumerate()
                .for_each(|(i, b)| *b ^= key[i % 4]);
        }
        Ok(ServerFrame {
            first: head[0],
            masked,
            length_field,
            payload,
        })
    }

    /// Reads the next frame and checks that it is a whole, unmasked Close with `code`.
    pub fn expect_close(&mut self, code: u16) -> ServerFrame {
        let close = self.read_frame();
        assert_eq!(
            (close.opcode(), close.fin(), close.masked),
            (CLOSE, true, false),
            "{close:?}"
        );
        assert_eq!(
            close.close_code(),
            Some(code),
            "reason {:?}",
            String::from_utf8_lossy(&close.payload[2..])
        );
        close
    }

    /// Answers the server's Close with ours (same code) and checks that the server then
    /// closes TCP.
    pub fn finish_close(&mut self, code: u16) {
        // The server may have closed already (it stops reading after a protocol error);
        // then this write fails or is dropped, and EOF still follows.
        let _ = self
            .stream
            .write_all(&frame(FIN | CLOSE, &close_payload(code, "")));
        self.assert_closed();
    }

    /// Checks that the server closed TCP without sending another byte.
    pub fn assert_closed(&mut self) {
        let mut byte = [0u8];
        match self.stream.read(&mut byte) {
            Ok(0) => {}
            Err(e) if !matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            other => panic!("expected the server to close TCP, got {other:?} {byte:?}"),
        }
    }

    /// Fails a protocol rule on purpose: sends `bytes` and checks the server's Close `code`,
    /// then that the connection ends.
    pub fn expect_failure(&mut self, bytes: &[u8], code: u16) {
        self.send_raw(bytes);
        self.expect_close(code);
        self.finish_close(code);
    }
}

/// Reads frames until `done` says so; every frame must be a whole text frame. Returns them.
pub fn read_texts(ws: &mut Ws, mut done: impl FnMut(&[String]) -> bool) -> Vec<String> {
    let deadline = Instant::now() + READ_TIMEOUT;
    let mut texts = Vec::new();
    while !done(&texts) {
        assert!(Instant::now() < deadline, "stalled after {texts:?}");
        let frame = ws.read_frame();
        assert_eq!((frame.opcode(), frame.fin()), (TEXT, true), "{frame:?}");
        texts.push(frame.text().to_owned());
    }
    texts
}

/// The id and data of an event message `{"id":N,"data":"..."}` whose data has no escapes.
pub fn event(json: &str) -> (u64, String) {
    let rest = json
        .strip_prefix("{\"id\":")
        .unwrap_or_else(|| panic!("not an event: {json}"));
    let (id, rest) = rest.split_once(",\"data\":\"").expect("data");
    let data = rest.strip_suffix("\"}").expect("closing brace");
    (id.parse().unwrap(), data.to_owned())
}

/// A WebSocket config with short timers for tests that wait on them.
pub fn quick(ping_interval: Duration, pong_timeout: Duration) -> Config {
    Config {
        ping_interval,
        pong_timeout,
        close_timeout: Duration::from_millis(500),
        ..Config::default()
    }
}
