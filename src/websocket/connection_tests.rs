//! Unit tests of the message layer: fragments, control frames between them, UTF-8 across
//! fragments, the size limit, and the Close payload.

use super::*;

fn data(fin: bool, opcode: OpCode, payload: &[u8]) -> Frame {
    Frame {
        fin,
        opcode,
        payload: payload.to_vec(),
    }
}

fn text(text: &str) -> Step {
    Step::Message(Message::Text(text.to_owned()))
}

#[test]
fn a_fragmented_message_with_a_ping_between_fragments_is_reassembled() {
    let mut conn = Connection::new(1024);
    let steps: Vec<Step> = [
        data(false, OpCode::Text, b"Hel"),
        data(true, OpCode::Ping, b"x"),
        data(false, OpCode::Continuation, b"l"),
        data(true, OpCode::Continuation, b"o"),
    ]
    .into_iter()
    .map(|frame| conn.receive(frame).unwrap())
    .collect();
    assert_eq!(
        steps,
        [
            Step::Nothing,
            Step::SendPong(b"x".to_vec()),
            Step::Nothing,
            text("Hello")
        ]
    );
}

#[test]
fn binary_messages_keep_their_bytes_and_pongs_are_reported() {
    let mut conn = Connection::new(1024);
    let bytes = vec![0, 0xff, 0xfe];
    assert_eq!(
        conn.receive(data(true, OpCode::Binary, &bytes)),
        Ok(Step::Message(Message::Binary(bytes)))
    );
    assert_eq!(
        conn.receive(data(true, OpCode::Pong, b"p")),
        Ok(Step::PongReceived(b"p".to_vec()))
    );
}

#[test]
fn a_continuation_without_a_message_and_a_new_message_before_fin_are_errors() {
    let mut conn = Connection::new(1024);
    let err = conn
        .receive(data(true, OpCode::Continuation, b"x"))
        .unwrap_err();
    assert_eq!(err, ProtocolError::UnexpectedContinuation);
    assert_eq!(err.close_code(), CloseCode::PROTOCOL_ERROR);
    conn.receive(data(false, OpCode::Binary, b"a")).unwrap();
    let err = conn.receive(data(true, OpCode::Text, b"b")).unwrap_err();
    assert_eq!(err, ProtocolError::UnfinishedMessage);
}

#[test]
fn a_character_split_across_fragments_is_valid() {
    let euro = "€".as_bytes(); // e2 82 ac
    let mut conn = Connection::new(1024);
    conn.receive(data(false, OpCode::Text, &euro[..1])).unwrap();
    conn.receive(data(false, OpCode::Continuation, &euro[1..2]))
        .unwrap();
    let step = conn.receive(data(true, OpCode::Continuation, &euro[2..]));
    assert_eq!(step, Ok(text("€")));
}

#[test]
fn invalid_utf8_fails_in_the_fragment_that_makes_it_invalid() {
    let mut conn = Connection::new(1024);
    conn.receive(data(false, OpCode::Text, b"ok \xce")).unwrap(); // a 2-byte lead: fine yet
    // 0xce followed by 'x' can never be UTF-8: fail now, not at FIN.
    let err = conn
        .receive(data(false, OpCode::Continuation, b"x"))
        .unwrap_err();
    assert_eq!(err, ProtocolError::InvalidUtf8);
    assert_eq!(err.close_code(), CloseCode::INVALID_FRAME_PAYLOAD_DATA);
    // A byte that is never valid anywhere fails in the first fragment.
    let mut conn = Connection::new(1024);
    let err = conn
        .receive(data(false, OpCode::Text, b"\xff"))
        .unwrap_err();
    assert_eq!(err, ProtocolError::InvalidUtf8);
}

#[test]
fn a_message_that_ends_inside_a_character_is_invalid() {
    let mut conn = Connection::new(1024);
    conn.receive(data(false, OpCode::Text, b"\xe2\x82"))
        .unwrap();
    let err = conn
        .receive(data(true, OpCode::Continuation, b""))
        .unwrap_err();
    assert_eq!(err, ProtocolError::InvalidUtf8);
}

#[test]
fn check_utf8_agrees_with_std_at_every_split_of_mixed_text() {
    let sample = "aé€𝄞z".as_bytes();
    for split in 0..=sample.len() {
        let checked = check_utf8(&sample[..split], 0, false).unwrap();
        assert_eq!(
            check_utf8(sample, checked, true),
            Ok(sample.len()),
            "split {split}"
        );
    }
}

#[test]
fn the_size_limit_counts_the_whole_message_and_room_shrinks_with_each_fragment() {
    let mut conn = Connection::new(10);
    assert_eq!(conn.room(), 10);
    conn.receive(data(false, OpCode::Binary, &[0; 6])).unwrap();
    assert_eq!(conn.room(), 4);
    let err = conn
        .receive(data(true, OpCode::Continuation, &[0; 5]))
        .unwrap_err();
    assert_eq!(err, ProtocolError::MessageTooBig(10));
    assert_eq!(err.close_code(), CloseCode::MESSAGE_TOO_BIG);
    // Exactly at the limit is allowed.
    let mut conn = Connection::new(10);
    conn.receive(data(false, OpCode::Binary, &[0; 6])).unwrap();
    assert!(
        conn.receive(data(true, OpCode::Continuation, &[0; 4]))
            .is_ok()
    );
}

#[test]
fn a_close_frame_reports_its_code_or_its_error() {
    let mut conn = Connection::new(1024);
    let Ok(Step::PeerClosed(reason)) = conn.receive(data(true, OpCode::Close, b"\x03\xe9away"))
    else {
        panic!("not a close");
    };
    assert_eq!(
        (reason.code, reason.reason.as_str()),
        (Some(CloseCode::GOING_AWAY), "away")
    );
    let err = conn
        .receive(data(true, OpCode::Close, b"\x03"))
        .unwrap_err();
    assert_eq!(err.close_code(), CloseCode::PROTOCOL_ERROR);
    let err = conn
        .receive(data(true, OpCode::Close, b"\x03\xe8\xff"))
        .unwrap_err();
    assert_eq!(err.close_code(), CloseCode::INVALID_FRAME_PAYLOAD_DATA);
}

/// Feeds a masked frame's payload to `check_arriving` in reads of `step` bytes; returns
/// how many payload bytes had arrived when it failed, if it did.
fn arriving_fails_after(
    conn: &Connection,
    opcode: OpCode,
    payload: &[u8],
    step: usize,
) -> Option<usize> {
    let key = [0x37, 0xfa, 0x21, 0x3d];
    let mut wire = Vec::new();
    crate::websocket::frame::encode(&mut wire, true, opcode, Some(key), payload);
    let Ok(crate::decoded::Decoded::Complete { value: header, .. }) =
        crate::websocket::frame::decode_header(&wire)
    else {
        panic!("no header");
    };
    let mut progress = Arriving::default();
    let masked = &wire[header.header_len..];
    (1..=masked.len().div_ceil(step)).find_map(|n| {
        let arrived = &masked[..(n * step).min(masked.len())];
        conn.check_arriving(&header, arrived, &mut progress)
            .err()
            .map(|_| arrived.len())
    })
}

#[test]
fn a_text_frame_still_arriving_fails_at_the_read_that_brings_invalid_bytes() {
    let conn = Connection::new(1024);
    let mut payload = "κόσμε".repeat(4).into_bytes(); // 44 bytes of 2-byte characters
    payload.extend_from_slice(b"\xed\xa0\x80"); // a surrogate: never valid
    payload.extend_from_slice(&[b'a'; 40]);
    assert_eq!(
        arriving_fails_after(&conn, OpCode::Text, &payload, 10),
        Some(50)
    );
    // Valid text split in every way passes, and binary is not checked.
    for step in 1..8 {
        let text = "aé€𝄞z".repeat(3);
        assert_eq!(
            arriving_fails_after(&conn, OpCode::Text, text.as_bytes(), step),
            None
        );
    }
    assert_eq!(
        arriving_fails_after(&conn, OpCode::Binary, b"\xff\xff", 1),
        None
    );
}

#[test]
fn a_continuation_still_arriving_continues_the_character_of_the_last_fragment() {
    let mut conn = Connection::new(1024);
    conn.receive(data(false, OpCode::Text, &"€".as_bytes()[..1]))
        .unwrap();
    let rest = [&"€".as_bytes()[1..], b" ok"].concat();
    assert_eq!(
        arriving_fails_after(&conn, OpCode::Continuation, &rest, 1),
        None
    );
    assert_eq!(
        arriving_fails_after(&conn, OpCode::Continuation, b"x", 1),
        Some(1)
    );
}
