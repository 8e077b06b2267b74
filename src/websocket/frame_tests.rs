//! Unit tests of the frame header and encoder: RFC 6455 §5.7's examples byte for byte, the
//! length boundaries, and every rule a header alone can break. The decoder's tests
//! (`decoder_tests.rs`) decode the same examples.

use super::*;

pub(crate) const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// A frame as the tests write it: header and unmasked payload.
pub(crate) type Frame = (Header, Vec<u8>);

fn frame(fin: bool, opcode: OpCode, mask: Option<[u8; 4]>, payload: &[u8]) -> Frame {
    let header = Header {
        fin,
        ..Header::new(opcode, payload.len())
    };
    (header.with_mask(mask), payload.to_vec())
}

pub(crate) fn encoded((header, payload): &Frame) -> Vec<u8> {
    let mut out = Vec::new();
    encode(&mut out, header, payload);
    out
}

/// The RFC 6455 §5.7 examples: (wire bytes, role that receives them, the frame).
pub(crate) fn rfc_examples() -> Vec<(Vec<u8>, Role, Frame)> {
    let mut binary_256 = vec![0x82, 0x7e, 0x01, 0x00];
    binary_256.extend(vec![0xab; 256]);
    let mut binary_64k = vec![0x82, 0x7f, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00];
    binary_64k.extend(vec![0xcd; 65536]);
    let hello_masked = vec![
        0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ];
    let mut pong_masked = hello_masked.clone();
    pong_masked[0] = 0x8a;
    vec![
        // A single-frame unmasked text message
        (
            b"\x81\x05Hello".to_vec(),
            Role::Client,
            frame(true, OpCode::Text, None, b"Hello"),
        ),
        // A single-frame masked text message
        (
            hello_masked,
            Role::Server,
            frame(true, OpCode::Text, Some(KEY), b"Hello"),
        ),
        // A fragmented unmasked text message: "Hel" then "lo"
        (
            b"\x01\x03Hel".to_vec(),
            Role::Client,
            frame(false, OpCode::Text, None, b"Hel"),
        ),
        (
            b"\x80\x02lo".to_vec(),
            Role::Client,
            frame(true, OpCode::Continuation, None, b"lo"),
        ),
        // Unmasked Ping request and masked Ping response
        (
            b"\x89\x05Hello".to_vec(),
            Role::Client,
            frame(true, OpCode::Ping, None, b"Hello"),
        ),
        (
            pong_masked,
            Role::Server,
            frame(true, OpCode::Pong, Some(KEY), b"Hello"),
        ),
        // 256 bytes binary message in a single unmasked frame: 16-bit length
        (
            binary_256,
            Role::Client,
            frame(true, OpCode::Binary, None, &[0xab; 256]),
        ),
        // 64 KiB binary message in a single unmasked frame: 64-bit length
        (
            binary_64k,
            Role::Client,
            frame(true, OpCode::Binary, None, &[0xcd; 65536]),
        ),
    ]
}

#[test]
fn the_rfc_5_7_examples_encode_byte_for_byte() {
    for (wire, _, frame) in rfc_examples() {
        assert_eq!(encoded(&frame), wire);
    }
}

#[test]
fn a_header_decodes_to_what_it_was_encoded_from() {
    for (wire, _, (header, _)) in rfc_examples() {
        let decoded = Header::decode(&wire).unwrap();
        assert_eq!(
            decoded,
            Decoded::Complete {
                value: header,
                consumed: header.encoded_len()
            }
        );
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
        let header = Header::new(OpCode::Binary, len);
        let wire = encoded(&(header, vec![7; len]));
        assert_eq!(wire.len(), header_len + len, "length {len}");
        assert_eq!(
            (header.length_form(), header.encoded_len()),
            (form, header_len)
        );
        assert_eq!(LengthForm::announced(wire[1]), form);
        let Ok(Decoded::Complete { value, consumed }) = Header::decode(&wire) else {
            panic!("no header for length {len}");
        };
        assert_eq!((value.payload_len, consumed), (len as u64, header_len));
    }
}

#[test]
fn a_longer_length_form_than_needed_is_accepted() {
    // 5 written in the 16-bit form: never sent by this crate, accepted from a peer.
    let wire = [0x82, 126, 0, 5, 1, 2, 3, 4, 5];
    let Ok(Decoded::Complete { value, consumed }) = Header::decode(&wire) else {
        panic!("refused");
    };
    assert_eq!((value.payload_len, consumed), (5, 4));
    assert_eq!(LengthForm::announced(wire[1]), LengthForm::Sixteen);
}

/// Headers that break a rule of their own, each with its error.
pub(crate) fn broken_headers() -> Vec<(Vec<u8>, FrameError)> {
    let masked = |first: u8, len_byte: u8, payload_len: usize| {
        let mut wire = vec![first, 0x80 | len_byte];
        wire.extend_from_slice(&KEY);
        wire.extend(vec![0; payload_len]);
        wire
    };
    vec![
        (masked(0xc1, 0, 0), FrameError::ReservedBits(0b100)),
        (masked(0x91, 0, 0), FrameError::ReservedBits(0b001)),
        (masked(0x83, 0, 0), FrameError::ReservedOpCode(3)),
        (masked(0x8b, 0, 0), FrameError::ReservedOpCode(0xb)),
        // A ping announcing 126 bytes in the 16-bit form: over the 125-byte limit
        (
            [&[0x89, 0x80 | 126, 0, 126][..], &KEY].concat(),
            FrameError::ControlTooLong(126),
        ),
        (masked(0x09, 1, 1), FrameError::FragmentedControl),
        (
            vec![0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0],
            FrameError::LengthTooLong,
        ),
    ]
}

#[test]
fn each_rule_a_header_can_break_is_its_own_error() {
    for (wire, expected) in broken_headers() {
        assert_eq!(Header::decode(&wire), Err(expected), "{wire:02x?}");
    }
}

#[test]
fn a_header_fed_one_byte_at_a_time_is_partial_until_its_last_byte() {
    for (wire, _, (header, _)) in rfc_examples() {
        for end in 0..header.encoded_len() {
            assert_eq!(Header::decode(&wire[..end]), Ok(Decoded::Partial), "{end}");
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
