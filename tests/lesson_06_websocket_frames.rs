//! Lesson 6 over real sockets: frames written byte by byte against `/ws/echo`. The RFC 6455
//! §5.7 examples, every payload length form, the server's frames unmasked, and the broken
//! rules that fail the connection with 1002 or 1009.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::ws::{self, BINARY, CLOSE, CONTINUATION, FIN, PING, PONG, RSV1, TEXT, Ws};
use realtime::http::ServerConfig;
use realtime::websocket::Config;

fn server() -> SocketAddr {
    common::start_playground(10).0
}

/// A server whose messages may be at most `max_message` bytes.
fn limited(max_message: usize) -> SocketAddr {
    let config = Config {
        max_message,
        close_timeout: Duration::from_secs(3),
        ..Config::default()
    };
    ws::start(config, Default::default(), ServerConfig::default()).0
}

/// `len` bytes of a small seeded generator (xorshift), so every byte value occurs.
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect()
}

#[test]
fn the_rfc_6455_section_5_7_examples_come_back_byte_for_byte() {
    let mut ws = Ws::open(server(), "/ws/echo");
    // §5.7: "A single-frame masked text message", "Hello".
    ws.send_raw(&[
        0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ]);
    let echo = ws.read_frame();
    assert_eq!(
        (echo.first, echo.length_field, echo.masked),
        (0x81, 5, false)
    );
    assert_eq!(echo.payload, b"Hello"); // on the wire: 81 05 48 65 6c 6c 6f
    // §5.7: "Unmasked Ping request and masked Ping response", the other way round: the
    // client's ping is masked, the server's pong is not.
    ws.send_raw(&[
        0x89, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ]);
    let pong = ws.read_frame();
    assert_eq!(
        (pong.first, pong.length_field, pong.masked),
        (0x8a, 5, false)
    );
    assert_eq!(pong.payload, b"Hello");
    // §5.7: "256 bytes binary message in a single unmasked frame": 82 7E 0100.
    let payload = noise(256, 7);
    ws.send(FIN | BINARY, &payload);
    let echo = ws.read_frame();
    assert_eq!(
        (echo.first, echo.length_field, echo.payload.len()),
        (0x82, 126, 256)
    );
    // §5.7: "64KiB binary message in a single unmasked frame": 82 7F 0000000000010000.
    let payload = noise(65_536, 8);
    ws.send(FIN | BINARY, &payload);
    let echo = ws.read_frame();
    assert_eq!((echo.first, echo.length_field), (0x82, 127));
    assert_eq!(echo.payload, payload);
}

#[test]
fn text_and_binary_of_every_length_form_come_back_whole_unmasked_and_in_the_shortest_form() {
    let mut ws = Ws::open(server(), "/ws/echo");
    let cases = [
        (0, 7),
        (1, 7),
        (125, 7),
        (126, 16),
        (65_535, 16),
        (65_536, 64),
        (1 << 20, 64),
    ];
    for (len, bits) in cases {
        let text: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
        for (opcode, payload) in [(TEXT, text), (BINARY, noise(len, len as u64 + 1))] {
            ws.send(FIN | opcode, &payload);
            let echo = ws.read_frame();
            let what = format!("opcode {opcode}, {len} bytes");
            assert_eq!(echo.first, FIN | opcode, "{what}: FIN, RSV 0, same opcode");
            assert!(!echo.masked, "{what}: a server must not mask (§5.1)");
            assert_eq!(echo.length_bits(), bits, "{what}: length form");
            assert!(echo.payload == payload, "{what}: payload differs");
        }
    }
}

#[test]
fn a_frame_arriving_one_byte_at_a_time_is_still_one_frame() {
    let mut ws = Ws::open(server(), "/ws/echo");
    let payload = noise(300, 3); // 16-bit length form: header of 8 bytes with the key
    for byte in ws::frame(FIN | BINARY, &payload) {
        ws.send_raw(&[byte]);
    }
    let echo = ws.read_frame();
    assert_eq!((echo.first, echo.payload.len()), (FIN | BINARY, 300));
    assert!(echo.payload == payload);
}

#[test]
fn an_unmasked_client_frame_gets_close_1002() {
    let mut ws = Ws::open(server(), "/ws/echo");
    ws.expect_failure(&ws::frame_with(FIN | TEXT, b"Hello", None), 1002);
}

#[test]
fn reserved_opcodes_and_rsv_bits_get_close_1002() {
    let addr = server();
    let firsts = [
        FIN | 0x3,
        FIN | 0x7,
        FIN | 0xB,
        FIN | 0xF,
        FIN | RSV1 | TEXT,
        FIN | 0x20 | TEXT,
        FIN | 0x10 | BINARY,
    ];
    for first in firsts {
        let mut ws = Ws::open(addr, "/ws/echo");
        ws.send_raw(&ws::frame(first, b"x"));
        let close = ws.expect_close(1002);
        assert!(close.payload.len() <= 125, "first byte {first:#04x}");
        ws.finish_close(1002);
    }
}

#[test]
fn a_control_frame_over_125_bytes_or_fragmented_gets_close_1002() {
    let addr = server();
    let cases = [
        ws::frame(FIN | PING, &[b'p'; 126]),
        ws::frame(FIN | PONG, &[b'p'; 200]),
        ws::frame(FIN | CLOSE, &ws::close_payload(1000, &"r".repeat(124))),
        ws::frame(PING, b"no FIN"),
    ];
    for bytes in cases {
        Ws::open(addr, "/ws/echo").expect_failure(&bytes, 1002);
    }
    // 125 bytes is still allowed.
    let mut ws = Ws::open(addr, "/ws/echo");
    ws.send(FIN | PING, &[b'p'; 125]);
    let pong = ws.read_frame();
    assert_eq!((pong.first, pong.payload.len()), (FIN | PONG, 125));
}

#[test]
fn a_64_bit_length_with_its_top_bit_set_gets_close_1002() {
    let mut ws = Ws::open(server(), "/ws/echo");
    let mut bytes = vec![FIN | BINARY, 0x80 | 127];
    bytes.extend_from_slice(&(1u64 << 63).to_be_bytes());
    bytes.extend_from_slice(&ws::MASK);
    ws.expect_failure(&bytes, 1002);
}

#[test]
fn a_message_of_exactly_max_message_bytes_comes_back_in_one_frame_or_in_two() {
    let mut ws = Ws::open(limited(1000), "/ws/echo");
    let payload = noise(1000, 5);
    ws.send(FIN | BINARY, &payload);
    assert!(ws.read_frame().payload == payload);
    ws.send(BINARY, &payload[..600]);
    ws.send(FIN | CONTINUATION, &payload[600..]);
    let echo = ws.read_frame();
    assert_eq!(echo.first, FIN | BINARY);
    assert!(echo.payload == payload);
}

/// Sends only the header of a masked binary frame of `len` bytes, never its payload, and
/// checks that the server answers 1009 and closes at once.
fn header_alone_gets_1009(ws: &mut Ws, first: u8, len: u64) {
    let mut header = vec![first];
    header.extend(ws::length_field(len, true));
    header.extend_from_slice(&ws::MASK);
    let sent = Instant::now();
    ws.send_raw(&header);
    let close = ws.expect_close(1009);
    assert!(close.payload.len() <= 125);
    // Nothing else is to come: no payload can follow a frame refused for its size.
    ws.assert_closed();
    assert!(
        sent.elapsed() < Duration::from_secs(1),
        "the server waited {:?} after refusing the frame",
        sent.elapsed()
    );
}

#[test]
fn a_message_over_max_message_gets_1009_from_its_header_without_its_payload() {
    let addr = limited(1000);
    header_alone_gets_1009(&mut Ws::open(addr, "/ws/echo"), FIN | BINARY, 1001);
    header_alone_gets_1009(&mut Ws::open(addr, "/ws/echo"), FIN | TEXT, 1 << 40);
    // A claim of 2^62 bytes must not make the server try to make room for them.
    header_alone_gets_1009(&mut Ws::open(addr, "/ws/echo"), FIN | BINARY, 1 << 62);
    // The limit is on the message: the second fragment's header already passes it.
    let mut ws = Ws::open(addr, "/ws/echo");
    ws.send(TEXT, &[b'a'; 600]);
    header_alone_gets_1009(&mut ws, FIN | CONTINUATION, 401);
    // And the server is still there.
    let mut ws = Ws::open(addr, "/ws/echo");
    ws.send(FIN | TEXT, b"still here");
    assert_eq!(ws.read_frame().text(), "still here");
}
