//! Unit tests of the frame codec: RFC 6455 §5.7's examples, the length boundaries, every
//! rule, byte-at-a-time and split-point feeding, round trips, and a fuzz loop.

use super::*;
use crate::websocket::mask::KeySource;

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

fn frame(fin: bool, opcode: OpCode, payload: &[u8]) -> Frame {
    Frame {
        fin,
        opcode,
        payload: payload.to_vec(),
    }
}

fn encoded(fin: bool, opcode: OpCode, mask: Option<[u8; 4]>, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    encode(&mut out, fin, opcode, mask, payload);
    out
}

/// Decodes all of `wire` as one frame; the decoder must use every byte.
fn decode_whole(wire: &[u8], role: Role) -> Frame {
    match decode(wire, role, u64::MAX >> 1) {
        Ok(Decoded::Complete { value, consumed }) => {
            assert_eq!(consumed, wire.len());
            value
        }
        other => panic!("{other:?} for {wire:02x?}"),
    }
}

/// The RFC 6455 §5.7 examples: (wire bytes, role that receives them, the frame).
fn rfc_examples() -> Vec<(Vec<u8>, Role, Frame)> {
    let mut binary_256 = vec![0x82, 0x7e, 0x01, 0x00];
    binary_256.extend(vec![0xab; 256]);
    let mut binary_64k = vec![0x82, 0x7f, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00];
    binary_64k.extend(vec![0xcd; 65536]);
    vec![
        // A single-frame unmasked text message
        (
            b"\x81\x05Hello".to_vec(),
            Role::Client,
            frame(true, OpCode::Text, b"Hello"),
        ),
        // A single-frame masked text message
        (
            vec![
                0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
            ],
            Role::Server,
            frame(true, OpCode::Text, b"Hello"),
        ),
        // A fragmented unmasked text message: "Hel" then "lo"
        (
            b"\x01\x03Hel".to_vec(),
            Role::Client,
            frame(false, OpCode::Text, b"Hel"),
        ),
        (
            b"\x80\x02lo".to_vec(),
            Role::Client,
            frame(true, OpCode::Continuation, b"lo"),
        ),
        // Unmasked Ping request and masked Ping response
        (
            b"\x89\x05Hello".to_vec(),
            Role::Client,
            frame(true, OpCode::Ping, b"Hello"),
        ),
        (
            vec![
                0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
            ],
            Role::Server,
            frame(true, OpCode::Pong, b"Hello"),
        ),
        // 256 bytes binary message in a single unmasked frame: 16-bit length
        (
            binary_256,
            Role::Client,
            frame(true, OpCode::Binary, &[0xab; 256]),
        ),
        // 64 KiB binary message in a single unmasked frame: 64-bit length
        (
            binary_64k,
            Role::Client,
            frame(true, OpCode::Binary, &[0xcd; 65536]),
        ),
    ]
}

#[test]
fn the_rfc_5_7_examples_decode_byte_for_byte() {
    for (wire, role, expected) in rfc_examples() {
        assert_eq!(decode_whole(&wire, role), expected, "{:02x?}", &wire[..4]);
    }
}

#[test]
fn the_rfc_5_7_examples_encode_byte_for_byte() {
    for (wire, role, frame) in rfc_examples() {
        // The receiving role says who sent it: a server receives masked frames, with KEY.
        let mask = (role == Role::Server).then_some(KEY);
        assert_eq!(encoded(frame.fin, frame.opcode, mask, &frame.payload), wire);
    }
}

#[test]
fn lengths_take_the_minimal_form_at_every_boundary() {
    for (len, header_len, form) in [
        (0, 2, LengthForm::Seven),
        (125, 2, LengthForm::Seven),
        (126, 4, LengthForm::Sixteen),
        (65_535, 4, LengthForm::Sixteen),
        (65_536, 10, LengthForm::SixtyFour),
    ] {
        let wire = encoded(true, OpCode::Binary, None, &vec![7; len]);
        assert_eq!(wire.len(), header_len + len, "length {len}");
        let Ok(Decoded::Complete { value: header, .. }) = decode_header(&wire) else {
            panic!("no header for length {len}");
        };
        assert_eq!((header.payload_len, header.length_form), (len as u64, form));
        assert_eq!(decode_whole(&wire, Role::Client).payload.len(), len);
    }
}

#[test]
fn each_broken_rule_is_its_own_error() {
    let masked = |first: u8, len_byte: u8, payload_len: usize| {
        let mut wire = vec![first, 0x80 | len_byte];
        wire.extend_from_slice(&KEY);
        wire.extend(vec![0; payload_len]);
        wire
    };
    let cases: Vec<(Vec<u8>, Role, FrameError)> = vec![
        (
            masked(0xc1, 0, 0),
            Role::Server,
            FrameError::ReservedBits(0b100),
        ),
        (
            masked(0x91, 0, 0),
            Role::Server,
            FrameError::ReservedBits(0b001),
        ),
        (
            masked(0x83, 0, 0),
            Role::Server,
            FrameError::ReservedOpCode(3),
        ),
        (
            masked(0x8b, 0, 0),
            Role::Server,
            FrameError::ReservedOpCode(0xb),
        ),
        (
            // A ping announcing 126 bytes in the 16-bit form: over the 125-byte limit
            [&[0x89, 0x80 | 126, 0, 126][..], &KEY].concat(),
            Role::Server,
            FrameError::ControlTooLong(126),
        ),
        (
            masked(0x09, 1, 1),
            Role::Server,
            FrameError::FragmentedControl,
        ),
        (
            b"\x81\x05Hello".to_vec(),
            Role::Server,
            FrameError::Unmasked,
        ),
        (masked(0x81, 0, 0), Role::Client, FrameError::Masked),
        (
            vec![0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0],
            Role::Client,
            FrameError::LengthTooLong,
        ),
    ];
    for (wire, role, expected) in cases {
        assert_eq!(
            decode(&wire, role, 1 << 20),
            Err(expected.clone()),
            "{wire:02x?}"
        );
        assert_eq!(expected.close_code(), CloseCode::PROTOCOL_ERROR);
    }
}

#[test]
fn a_frame_over_the_limit_is_refused_from_its_header_alone() {
    // Only the 10 header bytes of a 1 MiB frame: refused before any payload arrives.
    let header = [0x82, 0x7f, 0, 0, 0, 0, 0, 0x10, 0, 0];
    let err = decode(&header, Role::Client, 65_536).unwrap_err();
    assert_eq!(
        err,
        FrameError::TooLarge {
            len: 1 << 20,
            limit: 65_536
        }
    );
    assert_eq!(err.close_code(), CloseCode::MESSAGE_TOO_BIG);
    // Exactly at the limit is fine.
    let wire = encoded(true, OpCode::Binary, None, &[1; 100]);
    assert!(matches!(
        decode(&wire, Role::Client, 100),
        Ok(Decoded::Complete { .. })
    ));
}

#[test]
fn every_example_decodes_fed_one_byte_at_a_time() {
    for (wire, role, expected) in rfc_examples().into_iter().filter(|(w, ..)| w.len() < 1000) {
        for end in 0..wire.len() {
            assert_eq!(
                decode(&wire[..end], role, 1 << 20),
                Ok(Decoded::Partial),
                "{end}"
            );
        }
        assert_eq!(decode_whole(&wire, role), expected);
    }
}

#[test]
fn two_frames_in_one_buffer_decode_at_every_split_point() {
    let mut wire = encoded(false, OpCode::Text, Some(KEY), "hé".as_bytes());
    wire.extend(encoded(
        true,
        OpCode::Continuation,
        Some([9, 8, 7, 6]),
        b"llo",
    ));
    for split in 0..=wire.len() {
        // Bytes arrive in two reads split at `split`; the loop decodes what it has.
        let mut buf = wire[..split].to_vec();
        let mut frames = Vec::new();
        let mut fed_rest = false;
        loop {
            match decode(&buf, Role::Server, 1 << 20).unwrap() {
                Decoded::Complete { value, consumed } => {
                    frames.push(value);
                    buf.drain(..consumed);
                }
                Decoded::Partial if !fed_rest => {
                    buf.extend_from_slice(&wire[split..]);
                    fed_rest = true;
                }
                Decoded::Partial => break,
            }
        }
        assert!(buf.is_empty(), "split {split}");
        assert_eq!(
            frames,
            [
                frame(false, OpCode::Text, "hé".as_bytes()),
                frame(true, OpCode::Continuation, b"llo")
            ],
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
        let wire = encoded(fin, opcode, mask, &payload);
        assert_eq!(decode_whole(&wire, role), frame(fin, opcode, &payload));
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
        for role in [Role::Server, Role::Client] {
            if let Ok(Decoded::Complete { consumed, .. }) = decode(&wire, role, 1 << 16) {
                assert!(consumed <= wire.len());
            }
        }
    }
}

#[test]
fn opcodes_know_their_bits_and_which_are_control() {
    for bits in 0..16u8 {
        assert_eq!(OpCode::from_bits(bits).bits(), bits);
        assert_eq!(OpCode::from_bits(bits).is_control(), bits >= 8);
    }
}
