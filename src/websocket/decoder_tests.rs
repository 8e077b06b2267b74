//! Unit tests of the frame decoder: RFC 6455 §5.7's examples, the mask rules, every input
//! fed one byte at a time and at every split point, round trips, and a fuzz loop.

use super::*;
use crate::websocket::frame::OpCode;
use crate::websocket::frame::tests::{Frame, KEY, broken_headers, encoded, rfc_examples};
use crate::websocket::keys::KeySource;

/// Decodes `wire` as it would arrive in reads of `step` bytes; returns the frames (their
/// payload pieces joined) and the bytes left undecoded.
fn decode_all(wire: &[u8], role: Role, step: usize) -> Result<(Vec<Frame>, usize), FrameError> {
    let mut decoder = FrameDecoder::new(role);
    let (mut buf, mut fed) = (Vec::new(), 0);
    let mut frames: Vec<Frame> = Vec::new();
    loop {
        match decoder.decode(&mut buf)? {
            Decoded::Complete { value, consumed } => {
                match value {
                    Piece::Header(header) => frames.push((header, Vec::new())),
                    Piece::Payload { header, bytes, .. } => {
                        let current = frames.last_mut().expect("a payload without a header");
                        assert_eq!(current.0, header);
                        current.1.extend_from_slice(bytes);
                    }
                }
                buf.drain(..consumed);
            }
            Decoded::Partial if fed < wire.len() => {
                let end = (fed + step).min(wire.len());
                buf.extend_from_slice(&wire[fed..end]);
                fed = end;
            }
            Decoded::Partial => return Ok((frames, buf.len())),
        }
    }
}

#[test]
fn the_rfc_5_7_examples_decode_byte_for_byte() {
    for (wire, role, expected) in rfc_examples() {
        let (frames, left) = decode_all(&wire, role, wire.len()).unwrap();
        assert_eq!((frames, left), (vec![expected], 0), "{:02x?}", &wire[..4]);
    }
}

#[test]
fn every_example_decodes_the_same_fed_one_byte_at_a_time() {
    for (wire, role, expected) in rfc_examples().into_iter().filter(|(w, ..)| w.len() < 1000) {
        let (frames, left) = decode_all(&wire, role, 1).unwrap();
        assert_eq!((frames, left), (vec![expected], 0));
    }
}

#[test]
fn the_payload_comes_in_pieces_as_it_arrives_and_the_key_goes_on_across_them() {
    let (_, _, hello) = rfc_examples().swap_remove(1); // masked "Hello"
    let mut wire = encoded(&hello);
    let mut decoder = FrameDecoder::new(Role::Server);
    let (header_bytes, rest) = wire.split_at_mut(6);
    let Ok(Decoded::Complete {
        value: Piece::Header(header),
        consumed: 6,
    }) = decoder.decode(header_bytes)
    else {
        panic!("no header");
    };
    assert_eq!((header.payload_len, decoder.payload_left()), (5, 5));
    let (first, second) = rest.split_at_mut(2);
    let piece = decoder.decode(first).unwrap();
    let Decoded::Complete {
        value: Piece::Payload { bytes, last, .. },
        consumed: 2,
    } = piece
    else {
        panic!("{piece:?}");
    };
    assert_eq!((bytes, last), (&b"He"[..], false));
    assert_eq!(decoder.decode(&mut []), Ok(Decoded::Partial));
    let Ok(Decoded::Complete {
        value: Piece::Payload { bytes, last, .. },
        ..
    }) = decoder.decode(second)
    else {
        panic!("no second piece");
    };
    assert_eq!(
        (bytes, last, decoder.payload_left()),
        (&b"llo"[..], true, 0)
    );
}

#[test]
fn an_empty_payload_is_one_empty_last_piece() {
    let mut wire = encoded(&(Header::new(OpCode::Ping, 0), Vec::new()));
    let mut decoder = FrameDecoder::new(Role::Client);
    assert!(matches!(
        decoder.decode(&mut wire),
        Ok(Decoded::Complete {
            value: Piece::Header(_),
            consumed: 2
        })
    ));
    let piece = decoder.decode(&mut []).unwrap();
    assert!(matches!(
        piece,
        Decoded::Complete {
            value: Piece::Payload {
                bytes: [],
                last: true,
                ..
            },
            consumed: 0
        }
    ));
}

#[test]
fn client_frames_must_be_masked_and_server_frames_must_not() {
    assert_eq!(
        decode_all(b"\x81\x05Hello", Role::Server, 7),
        Err(FrameError::Unmasked)
    );
    let masked = encoded(&(Header::new(OpCode::Text, 0).with_mask(Some(KEY)), vec![]));
    assert_eq!(
        decode_all(&masked, Role::Client, 6),
        Err(FrameError::Masked)
    );
    for (wire, expected) in broken_headers() {
        assert_eq!(decode_all(&wire, Role::Server, 1), Err(expected));
    }
}

#[test]
fn two_frames_in_one_buffer_decode_at_every_split_point() {
    let first = (
        Header {
            fin: false,
            ..Header::new(OpCode::Text, "hé".len())
        }
        .with_mask(Some(KEY)),
        "hé".as_bytes().to_vec(),
    );
    let second = (
        Header::new(OpCode::Continuation, 3).with_mask(Some([9, 8, 7, 6])),
        b"llo".to_vec(),
    );
    let wire = [encoded(&first), encoded(&second)].concat();
    for split in 1..=wire.len() {
        let (frames, left) = decode_all(&wire, Role::Server, split).unwrap();
        assert_eq!(
            (frames, left),
            (vec![first.clone(), second.clone()], 0),
            "split {split}"
        );
    }
}

#[test]
fn generated_frames_round_trip_through_encode_and_decode() {
    let mut rng = KeySource::new();
    let opcodes = [
        OpCode::Continuation,
        OpCode::Text,
        OpCode::Binary,
        OpCode::Close,
        OpCode::Ping,
        OpCode::Pong,
    ];
    for _ in 0..2000 {
        let r = rng.next_u64();
        let opcode = opcodes[(r % 6) as usize];
        let len = match (r >> 8) % 4 {
            0 => (r >> 16) as usize % 126,
            1 => 126 + (r >> 16) as usize % 70_000,
            _ => (r >> 16) as usize % 300,
        };
        let len = if opcode.is_control() { len % 126 } else { len };
        let fin = opcode.is_control() || (r >> 40) & 1 == 1;
        let payload: Vec<u8> = (0..len).map(|i| (i as u64 ^ r) as u8).collect();
        let (mask, role) = if (r >> 41) & 1 == 1 {
            (Some(rng.masking_key()), Role::Server)
        } else {
            (None, Role::Client)
        };
        let header = Header {
            fin,
            ..Header::new(opcode, len)
        }
        .with_mask(mask);
        let frame = (header, payload);
        let step = 1 + (r >> 42) as usize % 5000;
        let (frames, left) = decode_all(&encoded(&frame), role, step).unwrap();
        assert_eq!((frames, left), (vec![frame], 0));
    }
}

#[test]
fn random_and_mutated_bytes_never_panic_the_decoder() {
    // A seeded fuzz loop: random buffers, and valid frames with bytes flipped, cut or
    // grown. The decoder may refuse them; it may not panic or claim bytes it lacks.
    let mut rng = KeySource::new();
    let seed_frames: Vec<Vec<u8>> = rfc_examples()
        .into_iter()
        .map(|(wire, ..)| wire[..wire.len().min(300)].to_vec())
        .collect();
    for round in 0..20_000 {
        let mut wire = if round % 2 == 0 {
            let len = (rng.next_u64() % 40) as usize;
            (0..len).map(|_| rng.next_u64() as u8).collect::<Vec<u8>>()
        } else {
            seed_frames[(rng.next_u64() % seed_frames.len() as u64) as usize].clone()
        };
        for _ in 0..(rng.next_u64() % 4) {
            if wire.is_empty() {
                break;
            }
            let at = (rng.next_u64() % wire.len() as u64) as usize;
            match rng.next_u64() % 3 {
                0 => wire[at] ^= 1 << (rng.next_u64() % 8),
                1 => wire.truncate(at),
                _ => wire.insert(at, rng.next_u64() as u8),
            }
        }
        let step = 1 + (rng.next_u64() % 50) as usize;
        for role in [Role::Server, Role::Client] {
            if let Ok((frames, left)) = decode_all(&wire, role, step) {
                let taken: u64 = frames
                    .iter()
                    .map(|(h, p)| {
                        assert!(p.len() as u64 <= h.payload_len);
                        h.encoded_len() as u64 + p.len() as u64
                    })
                    .sum();
                assert!(taken + left as u64 <= wire.len() as u64);
            }
        }
    }
}
