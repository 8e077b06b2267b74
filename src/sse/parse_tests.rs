//! The parser against the WHATWG section's examples and the web-platform-tests'
//! edge cases, each fed whole, one byte at a time, and split at every point.

use super::*;

fn event(event_type: &str, data: &str, last_event_id: &str) -> MessageEvent {
    MessageEvent {
        event_type: event_type.into(),
        data: data.into(),
        last_event_id: last_event_id.into(),
    }
}

fn message(data: &str) -> MessageEvent {
    event("message", data, "")
}

/// Parses `stream` whole, byte by byte, and split in two at every point; all must agree.
fn parse(stream: &[u8]) -> Vec<MessageEvent> {
    let whole = Parser::new().feed(stream);
    let mut bytewise = Parser::new();
    let one_at_a_time: Vec<_> = stream.iter().flat_map(|b| bytewise.feed(&[*b])).collect();
    assert_eq!(one_at_a_time, whole, "fed one byte at a time");
    for split in 0..=stream.len() {
        let mut parser = Parser::new();
        let mut events = parser.feed(&stream[..split]);
        events.extend(parser.feed(&stream[split..]));
        assert_eq!(events, whole, "split at {split}");
    }
    whole
}

#[test]
fn whatwg_stock_example_joins_data_lines_with_lf() {
    assert_eq!(
        parse(b"data: YHOO\ndata: +2\ndata: 10\n\n"),
        [message("YHOO\n+2\n10")]
    );
}

#[test]
fn whatwg_four_blocks_example_sets_and_resets_the_last_event_id() {
    let stream = b": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n";
    assert_eq!(
        parse(stream),
        [
            event("message", "first event", "1"),
            message("second event"),
            message(" third event")
        ]
    );
}

#[test]
fn whatwg_empty_data_example_and_the_unterminated_last_block() {
    // "data" alone is a field with an empty value; the last block has no blank line.
    assert_eq!(
        parse(b"data\n\ndata\ndata\n\ndata:"),
        [message(""), message("\n")]
    );
}

#[test]
fn whatwg_one_leading_space_is_stripped_and_only_one() {
    assert_eq!(
        parse(b"data:test\n\ndata: test\n\n"),
        [message("test"), message("test")]
    );
    assert_eq!(
        parse(b"data:\ttest\rdata: \ndata:test\n\n"),
        [message("\ttest\n\ntest")]
    );
}

#[test]
fn wpt_field_parsing_mixes_cr_lf_crlf_and_nul() {
    let stream = b"data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n data:32\ndata:4\n\n";
    assert_eq!(parse(stream), [message("\0\n 2\n1\n3\n\n4")]);
}

#[test]
fn unknown_fields_lines_without_colon_and_comments_are_ignored() {
    let stream =
        b"data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test\n\n";
    assert_eq!(parse(stream), [message("test\n\ntest")]);
}

#[test]
fn cr_only_line_endings_work() {
    assert_eq!(
        parse(b"event: tick\rdata: a\rdata: b\r\r"),
        [event("tick", "a\nb", "")]
    );
}

#[test]
fn one_leading_bom_is_ignored_but_a_second_is_not() {
    assert_eq!(parse(b"\xEF\xBB\xBFdata: x\n\n"), [message("x")]);
    // The second BOM makes the first line's field name "\u{FEFF}data", an unknown field.
    assert_eq!(
        parse(b"\xEF\xBB\xBF\xEF\xBB\xBFdata: x\n\ndata: y\n\n"),
        [message("y")]
    );
}

#[test]
fn an_id_with_nul_is_ignored() {
    assert_eq!(
        parse(b"id: 1\ndata: a\n\nid: 2\0\ndata: b\n\n"),
        [event("message", "a", "1"), event("message", "b", "1")]
    );
}

#[test]
fn retry_counts_only_if_all_ascii_digits() {
    let mut parser = Parser::new();
    parser.feed(b"retry: 1500\n");
    assert_eq!(parser.reconnection_time_ms(), Some(1500));
    parser.feed(b"retry: 20x\nretry: -5\nretry: \nretry: 1.5\n");
    assert_eq!(parser.reconnection_time_ms(), Some(1500));
}

#[test]
fn the_servers_retry_and_keep_alive_lines_dispatch_nothing_and_need_no_empty_line() {
    use crate::sse::encode::{StreamEvent, encode_comment, encode_retry};
    let mut wire = Vec::new();
    let keep_alive = |wire: &mut Vec<u8>| encode_comment(wire, "keep-alive").unwrap();
    let publish = |wire: &mut Vec<u8>, id, data| {
        StreamEvent::new(data).id(id).encode_into(wire).unwrap();
    };
    encode_retry(&mut wire, std::time::Duration::from_millis(2000));
    keep_alive(&mut wire);
    publish(&mut wire, "1", "one");
    keep_alive(&mut wire);
    keep_alive(&mut wire);
    publish(&mut wire, "2", "two");
    keep_alive(&mut wire);
    assert_eq!(
        wire,
        b"retry: 2000\n: keep-alive\nid: 1\ndata: one\n\n: keep-alive\n: keep-alive\nid: 2\ndata: two\n\n: keep-alive\n"
    );
    assert_eq!(
        parse(&wire),
        [event("message", "one", "1"), event("message", "two", "2")]
    );
    // The reconnection time is set when the line is read, with no empty line after it.
    let mut parser = Parser::new();
    assert_eq!(parser.feed(b"retry: 2000\n"), []);
    assert_eq!(parser.reconnection_time_ms(), Some(2000));
}

#[test]
fn an_empty_data_buffer_dispatches_nothing_but_still_sets_the_last_event_id() {
    let mut parser = Parser::new();
    assert_eq!(parser.feed(b"id: 9\nevent: lonely\n\n"), []);
    assert_eq!(parser.last_event_id(), "9");
    // The event type buffer was reset: the next event is a plain message.
    assert_eq!(parser.feed(b"data: x\n\n"), [event("message", "x", "9")]);
}

#[test]
fn a_crlf_split_across_two_reads_is_one_line_end() {
    // Were the LF taken as a second line end, the empty line would dispatch "a" alone.
    let mut parser = Parser::new();
    assert_eq!(parser.feed(b"data: a\r"), []);
    assert_eq!(parser.feed(b"\ndata: b\r"), []);
    assert_eq!(parser.feed(b"\n\r"), [message("a\nb")]);
    assert_eq!(parser.feed(b"\n"), []);
    // An empty read between the CR and its LF changes nothing.
    assert_eq!(parser.feed(b"data: c\r"), []);
    assert_eq!(parser.feed(b""), []);
    assert_eq!(parser.feed(b"\ndata: d\n\n"), [message("c\nd")]);
}

#[test]
fn a_resuming_parser_keeps_the_last_event_id_until_the_stream_sets_one() {
    let mut parser = Parser::resuming("44");
    assert_eq!(
        parser.feed(b"data: no id\n\n"),
        [event("message", "no id", "44")]
    );
    assert_eq!(parser.feed(b"id\ndata: reset\n\n"), [message("reset")]);
}

#[test]
fn invalid_utf8_becomes_replacement_characters_and_split_characters_survive() {
    assert_eq!(parse(b"data: \xFF\n\n"), [message("\u{FFFD}")]);
    assert_eq!(parse("data: é📈\n\n".as_bytes()), [message("é📈")]);
}

/// A small seeded generator (xorshift64), so a failure replays the same way.
fn generated_texts(count: usize) -> Vec<String> {
    const PIECES: [&str; 10] = ["a", "Z", " ", ":", "\r", "\n", "\r\n", "é", "📈", "data: x"];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            (0..next() % 12)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect()
        })
        .collect()
}

#[test]
fn encoder_to_parser_round_trip_over_generated_texts() {
    use crate::sse::encode::StreamEvent;
    for (i, text) in generated_texts(500).iter().enumerate() {
        let id = (i + 1).to_string();
        let mut wire = Vec::new();
        StreamEvent::new(text)
            .id(&id)
            .event_type("tick")
            .encode_into(&mut wire)
            .unwrap();
        // The parser sees every line ending as LF; that is the only change.
        let expected = text.replace("\r\n", "\n").replace('\r', "\n");
        assert_eq!(
            parse(&wire),
            [event("tick", &expected, &id)],
            "text {text:?}"
        );
    }
}
