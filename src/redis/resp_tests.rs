//! Unit tests of the RESP codec: the protocol specification's own examples, each fed one
//! byte at a time and cut at every point, the errors, the encoder, and a seeded fuzz loop.

use super::*;

fn bulk(text: &str) -> Value {
    Value::Bulk(text.as_bytes().to_vec())
}

/// The examples of the RESP2 specification, with what they decode to.
fn spec_examples() -> Vec<(&'static [u8], Value)> {
    vec![
        (b"+OK\r\n", Value::Simple("OK".into())),
        (b"-Error message\r\n", Value::Error("Error message".into())),
        (
            b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            Value::Error(
                "WRONGTYPE Operation against a key holding the wrong kind of value".into(),
            ),
        ),
        (b":0\r\n", Value::Integer(0)),
        (b":1000\r\n", Value::Integer(1000)),
        (b":-42\r\n", Value::Integer(-42)),
        (b"$5\r\nhello\r\n", bulk("hello")),
        (b"$0\r\n\r\n", bulk("")),
        (b"$-1\r\n", Value::Null),
        (b"*0\r\n", Value::Array(vec![])),
        (
            b"*2\r\n$5\r\nhello\r\n$5\r\nworld\r\n",
            Value::Array(vec![bulk("hello"), bulk("world")]),
        ),
        (
            b"*3\r\n:1\r\n:2\r\n:3\r\n",
            Value::Array(vec![
                Value::Integer(1),
                Value::Integer(2),
                Value::Integer(3),
            ]),
        ),
        (
            b"*5\r\n:1\r\n:2\r\n:3\r\n:4\r\n$5\r\nhello\r\n",
            Value::Array(vec![
                Value::Integer(1),
                Value::Integer(2),
                Value::Integer(3),
                Value::Integer(4),
                bulk("hello"),
            ]),
        ),
        (b"*-1\r\n", Value::NullArray),
        (
            b"*2\r\n*3\r\n:1\r\n:2\r\n:3\r\n*2\r\n+Hello\r\n-World\r\n",
            Value::Array(vec![
                Value::Array(vec![
                    Value::Integer(1),
                    Value::Integer(2),
                    Value::Integer(3),
                ]),
                Value::Array(vec![
                    Value::Simple("Hello".into()),
                    Value::Error("World".into()),
                ]),
            ]),
        ),
        (
            b"*3\r\n$5\r\nhello\r\n$-1\r\n$5\r\nworld\r\n",
            Value::Array(vec![bulk("hello"), Value::Null, bulk("world")]),
        ),
        // A bulk string is binary-safe: CR LF inside it is data.
        (b"$4\r\na\r\nb\r\n", bulk("a\r\nb")),
    ]
}

#[test]
fn the_specifications_examples_decode_to_their_values() {
    for (wire, expected) in spec_examples() {
        assert_eq!(
            decode(wire),
            Ok(Decoded::Complete {
                value: expected,
                consumed: wire.len()
            }),
            "{:?}",
            String::from_utf8_lossy(wire)
        );
    }
}

#[test]
fn every_example_fed_one_byte_at_a_time_is_partial_until_its_last_byte() {
    for (wire, _) in spec_examples() {
        for end in 0..wire.len() {
            assert_eq!(
                decode(&wire[..end]),
                Ok(Decoded::Partial),
                "{:?} cut at {end}",
                String::from_utf8_lossy(wire)
            );
        }
    }
}

#[test]
fn two_values_in_one_buffer_decode_one_after_the_other_at_every_cut() {
    let wire = b"*2\r\n$3\r\n0-1\r\n:7\r\n+OK\r\n";
    for cut in 0..=wire.len() {
        let mut buf = wire[..cut].to_vec();
        let mut values = Vec::new();
        let mut rest_fed = false;
        loop {
            match decode(&buf).unwrap() {
                Decoded::Complete { value, consumed } => {
                    values.push(value);
                    buf.drain(..consumed);
                }
                Decoded::Partial if !rest_fed => {
                    buf.extend_from_slice(&wire[cut..]);
                    rest_fed = true;
                }
                Decoded::Partial => break,
            }
        }
        assert!(buf.is_empty(), "cut {cut}");
        assert_eq!(
            values,
            [
                Value::Array(vec![bulk("0-1"), Value::Integer(7)]),
                Value::Simple("OK".into())
            ],
            "cut {cut}"
        );
    }
}

#[test]
fn each_kind_of_bad_input_is_its_own_error() {
    let cases: [(&[u8], RespError); 9] = [
        (b"!oops\r\n", RespError::UnknownType(b'!')),
        (b"+OK\n", RespError::BadLine),
        (b"+O\rK\r\n", RespError::BadLine),
        (b":12a\r\n", RespError::BadNumber),
        (b"$-2\r\n", RespError::BadNumber),
        (b"$3\r\nabcd\r\n", RespError::BadBulk),
        (b"$999999999999\r\n", RespError::BadBulk),
        (b"*99999999\r\n", RespError::TooBig),
        (b"*-5\r\n", RespError::BadNumber),
    ];
    for (wire, expected) in cases {
        assert_eq!(
            decode(wire),
            Err(expected),
            "{:?}",
            String::from_utf8_lossy(wire)
        );
    }
    let deep = "*1\r\n".repeat(MAX_DEPTH + 1) + ":1\r\n";
    assert_eq!(decode(deep.as_bytes()), Err(RespError::TooBig));
}

#[test]
fn commands_are_arrays_of_bulk_strings() {
    let mut out = Vec::new();
    encode_command(&mut out, &[b"XADD", b"s", b"0-*", b"data", b"hi"]);
    assert_eq!(
        out,
        b"*5\r\n$4\r\nXADD\r\n$1\r\ns\r\n$3\r\n0-*\r\n$4\r\ndata\r\n$2\r\nhi\r\n"
    );
    let decoded = decode(&out).unwrap();
    let expected = Value::Array(["XADD", "s", "0-*", "data", "hi"].map(bulk).to_vec());
    assert_eq!(
        decoded,
        Decoded::Complete {
            value: expected,
            consumed: out.len()
        }
    );
}

#[test]
fn random_and_mutated_bytes_never_panic_the_decoder() {
    // A seeded fuzz loop (xorshift): random buffers, and the examples with bytes flipped,
    // cut or grown. The decoder may refuse them; it may not panic or claim bytes it lacks.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let seeds: Vec<Vec<u8>> = spec_examples()
        .into_iter()
        .map(|(w, _)| w.to_vec())
        .collect();
    let alphabet = b"+-:$*\r\n0123456789-abc";
    for round in 0..20_000 {
        let mut wire = if round % 2 == 0 {
            let len = (next() % 30) as usize;
            (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect()
        } else {
            seeds[(next() % seeds.len() as u64) as usize].clone()
        };
        for _ in 0..(next() % 4) {
            if wire.is_empty() {
                break;
            }
            let at = (next() % wire.len() as u64) as usize;
            match next() % 3 {
                0 => wire[at] ^= 1 << (next() % 8),
                1 => wire.truncate(at),
                _ => wire.insert(at, alphabet[(next() % alphabet.len() as u64) as usize]),
            }
        }
        if let Ok(Decoded::Complete { consumed, .. }) = decode(&wire) {
            assert!(consumed <= wire.len());
        }
    }
}
