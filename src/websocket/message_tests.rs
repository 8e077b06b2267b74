//! Unit tests of the message layer: fragments, control frames between them, UTF-8 across
//! fragments and pieces, the size limit from the header, and the Close payload.

use super::*;

/// Feeds one frame to `assembler` as the decoder would: its header, then its payload in
/// pieces of `step` bytes. Returns the step of the last piece.
fn feed_in(
    assembler: &mut Assembler,
    fin: bool,
    opcode: OpCode,
    payload: &[u8],
    step: usize,
) -> Result<Step, ProtocolError> {
    let header = Header {
        fin,
        ..Header::new(opcode, payload.len())
    };
    assert_eq!(assembler.receive(Piece::Header(header))?, Step::Nothing);
    let pieces: Vec<&[u8]> = match payload {
        [] => vec![&[]],
        _ => payload.chunks(step).collect(),
    };
    let mut last_step = Step::Nothing;
    for (i, bytes) in pieces.iter().enumerate() {
        let last = i + 1 == pieces.len();
        last_step = assembler.receive(Piece::Payload {
            header,
            bytes,
            last,
        })?;
        if !last {
            assert_eq!(last_step, Step::Nothing);
        }
    }
    Ok(last_step)
}

fn feed(
    a: &mut Assembler,
    fin: bool,
    opcode: OpCode,
    payload: &[u8],
) -> Result<Step, ProtocolError> {
    feed_in(a, fin, opcode, payload, payload.len().max(1))
}

fn text(text: &str) -> Step {
    Step::Message(Message::Text(text.to_owned()))
}

#[test]
fn a_fragmented_message_with_a_ping_between_fragments_is_reassembled() {
    let mut a = Assembler::new(1024);
    let steps = [
        feed(&mut a, false, OpCode::Text, b"Hel"),
        feed(&mut a, true, OpCode::Ping, b"x"),
        feed(&mut a, false, OpCode::Continuation, b"l"),
        feed(&mut a, true, OpCode::Continuation, b"o"),
    ];
    assert_eq!(
        steps,
        [
            Ok(Step::Nothing),
            Ok(Step::SendPong(b"x".to_vec())),
            Ok(Step::Nothing),
            Ok(text("Hello"))
        ]
    );
}

#[test]
fn binary_messages_keep_their_bytes_and_pongs_are_reported() {
    let mut a = Assembler::new(1024);
    let bytes = vec![0, 0xff, 0xfe];
    assert_eq!(
        feed_in(&mut a, true, OpCode::Binary, &bytes, 1),
        Ok(Step::Message(Message::Binary(bytes)))
    );
    assert_eq!(
        feed(&mut a, true, OpCode::Pong, b"p"),
        Ok(Step::PongReceived(b"p".to_vec()))
    );
    assert_eq!(
        feed(&mut a, true, OpCode::Binary, b""),
        Ok(Step::Message(Message::Binary(Vec::new())))
    );
}

#[test]
fn a_continuation_without_a_message_and_a_new_message_before_fin_are_errors() {
    let mut a = Assembler::new(1024);
    let err = feed(&mut a, true, OpCode::Continuation, b"x").unwrap_err();
    assert_eq!(err, ProtocolError::UnexpectedContinuation);
    assert_eq!(err.close_code(), CloseCode::PROTOCOL_ERROR);
    feed(&mut a, false, OpCode::Binary, b"a").unwrap();
    let err = feed(&mut a, true, OpCode::Text, b"b").unwrap_err();
    assert_eq!(err, ProtocolError::UnfinishedMessage);
}

#[test]
fn a_character_split_across_fragments_is_valid() {
    let euro = "€".as_bytes(); // e2 82 ac
    let mut a = Assembler::new(1024);
    feed(&mut a, false, OpCode::Text, &euro[..1]).unwrap();
    feed(&mut a, false, OpCode::Continuation, &euro[1..2]).unwrap();
    let step = feed(&mut a, true, OpCode::Continuation, &euro[2..]);
    assert_eq!(step, Ok(text("€")));
}

#[test]
fn invalid_utf8_fails_in_the_fragment_that_makes_it_invalid() {
    let mut a = Assembler::new(1024);
    feed(&mut a, false, OpCode::Text, b"ok \xce").unwrap(); // a 2-byte lead: fine yet
    // 0xce followed by 'x' can never be UTF-8: fail now, not at FIN.
    let err = feed(&mut a, false, OpCode::Continuation, b"x").unwrap_err();
    assert_eq!(err, ProtocolError::InvalidUtf8);
    assert_eq!(err.close_code(), CloseCode::INVALID_FRAME_PAYLOAD_DATA);
    // A byte that is never valid anywhere fails in the first fragment.
    let mut a = Assembler::new(1024);
    let err = feed(&mut a, false, OpCode::Text, b"\xff").unwrap_err();
    assert_eq!(err, ProtocolError::InvalidUtf8);
}

#[test]
fn a_message_that_ends_inside_a_character_is_invalid() {
    let mut a = Assembler::new(1024);
    feed(&mut a, false, OpCode::Text, b"\xe2\x82").unwrap();
    let err = feed(&mut a, true, OpCode::Continuation, b"").unwrap_err();
    assert_eq!(err, ProtocolError::InvalidUtf8);
}

#[test]
fn the_size_limit_counts_the_whole_message_and_is_checked_from_the_header() {
    let mut a = Assembler::new(10);
    feed(&mut a, false, OpCode::Binary, &[0; 6]).unwrap();
    // Refused from the header alone: no payload piece is needed.
    let header = Header::new(OpCode::Continuation, 5);
    let err = a.receive(Piece::Header(header)).unwrap_err();
    assert_eq!(err, ProtocolError::MessageTooBig { len: 5, limit: 4 });
    assert_eq!(err.to_string(), "frame of 5 bytes, 4 allowed");
    assert_eq!(err.close_code(), CloseCode::MESSAGE_TOO_BIG);
    // Exactly at the limit is allowed.
    let mut a = Assembler::new(10);
    feed(&mut a, false, OpCode::Binary, &[0; 6]).unwrap();
    assert!(feed(&mut a, true, OpCode::Continuation, &[0; 4]).is_ok());
    // A 1 MiB frame over a 64 KiB limit: refused before it is kept.
    let mut a = Assembler::new(65_536);
    let big = Header::new(OpCode::Binary, 1 << 20);
    assert_eq!(
        a.receive(Piece::Header(big)),
        Err(ProtocolError::MessageTooBig {
            len: 1 << 20,
            limit: 65_536
        })
    );
}

#[test]
fn a_close_frame_reports_its_code_or_its_error() {
    let mut a = Assembler::new(1024);
    let Ok(Step::PeerClosed(reason)) = feed_in(&mut a, true, OpCode::Close, b"\x03\xe9away", 2)
    else {
        panic!("not a close");
    };
    assert_eq!(
        (reason.code, reason.reason.as_str()),
        (Some(CloseCode::GOING_AWAY), "away")
    );
    let err = feed(&mut a, true, OpCode::Close, b"\x03").unwrap_err();
    assert_eq!(err.close_code(), CloseCode::PROTOCOL_ERROR);
    let err = feed(&mut a, true, OpCode::Close, b"\x03\xe8\xff").unwrap_err();
    assert_eq!(err.close_code(), CloseCode::INVALID_FRAME_PAYLOAD_DATA);
}

/// How many payload bytes of a text frame had arrived, in pieces of `step`, when it
/// failed; `None` if it did not.
fn fails_after(a: &mut Assembler, opcode: OpCode, payload: &[u8], step: usize) -> Option<usize> {
    let header = Header::new(opcode, payload.len());
    a.receive(Piece::Header(header)).unwrap();
    let mut arrived = 0;
    for bytes in payload.chunks(step) {
        arrived += bytes.len();
        let last = arrived == payload.len();
        if a.receive(Piece::Payload {
            header,
            bytes,
            last,
        })
        .is_err()
        {
            return Some(arrived);
        }
    }
    None
}

#[test]
fn a_text_frame_still_arriving_fails_at_the_piece_that_brings_invalid_bytes() {
    let mut payload = "κόσμε".repeat(4).into_bytes(); // 44 bytes of 2-byte characters
    payload.extend_from_slice(b"\xed\xa0\x80"); // a surrogate: never valid
    payload.extend_from_slice(&[b'a'; 40]);
    assert_eq!(
        fails_after(&mut Assembler::new(1024), OpCode::Text, &payload, 10),
        Some(50)
    );
    // Valid text split in every way passes, and binary is not checked.
    for step in 1..8 {
        let text = "aé€𝄞z".repeat(3);
        let mut a = Assembler::new(1024);
        assert_eq!(
            fails_after(&mut a, OpCode::Text, text.as_bytes(), step),
            None
        );
    }
    let mut a = Assembler::new(1024);
    assert_eq!(fails_after(&mut a, OpCode::Binary, b"\xff\xff", 1), None);
}

#[test]
fn a_continuation_still_arriving_continues_the_character_of_the_last_fragment() {
    let mut a = Assembler::new(1024);
    feed(&mut a, false, OpCode::Text, &"€".as_bytes()[..1]).unwrap();
    let rest = [&"€".as_bytes()[1..], b" ok"].concat();
    assert_eq!(fails_after(&mut a, OpCode::Continuation, &rest, 1), None);
    let mut a = Assembler::new(1024);
    feed(&mut a, false, OpCode::Text, &"€".as_bytes()[..1]).unwrap();
    assert_eq!(fails_after(&mut a, OpCode::Continuation, b"x", 1), Some(1));
}
