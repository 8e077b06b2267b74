//! Writing events in the event stream format (WHATWG HTML `#event-stream-interpretation`).
//!
//! One event is a block of field lines ended by an empty line:
//!
//! ```text
//! id: 42\n                 the last event ID the browser will send back on reconnect
//! event: missed\n          the event type (omitted: "message")
//! data: first line\n       one data line per line of the text
//! data: second line\n
//! \n                       the empty line dispatches the event
//! ```
//!
//! A stream of the event log writes each event's id unless its options say
//! [`EventIds::Omitted`]: then only `data:` (and `event:`) lines, as a server that keeps no
//! history writes them.
//!
//! A `retry:` line and a comment (the heartbeat) are single lines with no empty line after
//! them. The parser acts on each line as it reads it: `retry` sets the reconnection time
//! there and then, a comment is skipped. An empty line after either would end a block with
//! no data, which a browser drops but some client libraries hand to their caller as an
//! event with empty data (lesson 4, *Pitfalls*). Each is written only between two events,
//! never inside one: every write is whole events or one whole line, and the stream's
//! [`crate::outbox::Outbox`] sends them in order.

use std::fmt;
use std::time::Duration;

use crate::breaks::Breaks;
use crate::event_log::Batch;

/// A field value the format cannot carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncodeError {
    /// An `id` with CR, LF or NUL: a line break would end the field early, and the
    /// parser ignores an id containing NUL (`#event-stream-interpretation`, "id").
    InvalidId,
    /// An `event` type with CR, LF or NUL: a line break would split it into two fields.
    InvalidEventType,
    /// A comment with CR or LF, which would turn the rest into field lines.
    InvalidComment,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::InvalidId => write!(f, "an event id may not contain CR, LF or NUL"),
            EncodeError::InvalidEventType => {
                write!(f, "an event type may not contain CR, LF or NUL")
            }
            EncodeError::InvalidComment => write!(f, "a comment may not contain CR or LF"),
        }
    }
}

impl std::error::Error for EncodeError {}

/// One event as the event stream carries it (not to be confused with the event log's
/// [`crate::event_log::Event`], which it is usually made from). Build it with
/// [`StreamEvent::new`] and the setters, then [`encode_into`](StreamEvent::encode_into).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamEvent<'a> {
    /// `id:`, the last event ID (none: the browser keeps the one it had).
    pub id: Option<&'a str>,
    /// `event:`, the event type (none: `message`, what `EventSource.onmessage` receives).
    pub event_type: Option<&'a str>,
    /// The text for the `data:` lines.
    pub data: &'a str,
}

impl<'a> StreamEvent<'a> {
    /// An event of type `message` with `data` and no id.
    pub fn new(data: &'a str) -> Self {
        StreamEvent {
            data,
            ..StreamEvent::default()
        }
    }

    /// Sets the `id` field: `id: 42\n`.
    pub fn id(self, id: &'a str) -> Self {
        StreamEvent {
            id: Some(id),
            ..self
        }
    }

    /// Sets the `event` field: `event: missed\n`.
    pub fn event_type(self, event_type: &'a str) -> Self {
        StreamEvent {
            event_type: Some(event_type),
            ..self
        }
    }

    /// Appends the event's bytes to `out`: `id` and `event` if set, then one `data: `
    /// line per line of the text and the empty line that dispatches it.
    ///
    /// The text is split on CRLF, LF and CR, the three line endings the parser accepts, so
    /// the browser receives it with each line break as LF. An empty text still makes one
    /// `data: ` line, which dispatches an event whose data is `""`.
    ///
    /// # Errors
    /// [`EncodeError::InvalidId`] or [`EncodeError::InvalidEventType`]; nothing is written.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let breaks_line = |s: &str| s.contains(['\r', '\n', '\0']);
        if self.id.is_some_and(breaks_line) {
            return Err(EncodeError::InvalidId);
        }
        if self.event_type.is_some_and(breaks_line) {
            return Err(EncodeError::InvalidEventType);
        }
        if let Some(id) = self.id {
            push_field(out, "id", id);
        }
        if let Some(event_type) = self.event_type {
            push_field(out, "event", event_type);
        }
        for line in lines(self.data) {
            push_field(out, "data", line);
        }
        out.push(b'\n');
        Ok(())
    }
}

/// Appends a comment line, `: {text}\n`, and no empty line: ignored by the parser, but it
/// keeps proxies from closing an idle stream, and a failed write of it tells the server the
/// client is gone. Write it only between two events.
///
/// # Errors
/// [`EncodeError::InvalidComment`] if `text` has CR or LF; nothing is written.
pub fn encode_comment(out: &mut Vec<u8>, text: &str) -> Result<(), EncodeError> {
    if text.contains(['\r', '\n']) {
        return Err(EncodeError::InvalidComment);
    }
    out.extend_from_slice(b": ");
    out.extend_from_slice(text.as_bytes());
    out.push(b'\n');
    Ok(())
}

/// Appends a `retry` field line, `retry: 2000\n`, and no empty line: the parser sets the
/// reconnection time (in whole milliseconds) when it reads the line, and the line dispatches
/// nothing. Write it only between two events (a stream writes it first).
pub fn encode_retry(out: &mut Vec<u8>, retry: Duration) {
    push_field(out, "retry", &retry.as_millis().to_string());
}

/// Whether a stream's events carry the event log's id in an `id:` field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EventIds {
    /// `id: 42\ndata: hi\n\n`: the browser remembers 42 and sends it back as
    /// `Last-Event-ID: 42` when it reconnects, so the stream resumes after it.
    #[default]
    Written,
    /// `data: hi\n\n`: no `id:` line, and no `missed` event either (its data is an id,
    /// and a client that was given no id has no cursor to be behind). The browser's last
    /// event ID stays `""`, so a reconnection sends no `Last-Event-ID` and the stream
    /// starts again from cursor 0: the whole history the log keeps. For a feed where only
    /// now matters (a clock), give it a log that keeps one event, `EventLog::new(1)`:
    /// each connection then starts at the newest event.
    Omitted,
}

/// How event streams are written.
#[derive(Debug, Clone, Copy)]
pub struct StreamOptions {
    /// The interval of `: keep-alive` comments (zero: none). Default 15 s.
    pub heartbeat: Duration,
    /// The reconnection time sent first as `retry:`. Default 2 s.
    pub retry: Duration,
    /// The longest a stream stays open (zero: no limit); then the server ends it, at the
    /// next heartbeat, and the client reconnects with its last id, missing nothing.
    /// Default 5 minutes: it bounds how long a client that vanished without a FIN (a
    /// pulled cable, a NAT that forgot it) keeps its place. Lesson 9.
    pub max_lifetime: Duration,
    /// Names an event type from an event's data (`None`: type `message`). For the shared
    /// stream of named types that replaces one `EventSource` per feed.
    pub event_type: Option<fn(&str) -> Option<&str>>,
    /// Whether each event starts with `id: N\n`. Default [`EventIds::Written`].
    pub ids: EventIds,
    /// `--break`: `SseBuffer` and `NoReplay` ([`crate::breaks::Break`]) are lesson 4's
    /// wrong ways, on purpose. Default none.
    pub breaks: Breaks,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            heartbeat: Duration::from_secs(15),
            retry: Duration::from_secs(2),
            max_lifetime: Duration::from_secs(300),
            event_type: None,
            ids: EventIds::Written,
            breaks: Breaks::NONE,
        }
    }
}

/// Appends `batch` to `bytes` as events (a `missed` event first if the batch says so and
/// the stream has ids) and returns where each of `batch.events` starts.
pub fn encode_events(bytes: &mut Vec<u8>, batch: &Batch, options: &StreamOptions) -> Vec<usize> {
    let ids = options.ids == EventIds::Written;
    if batch.missed && ids {
        let first = batch.events.first().map_or(batch.last_id + 1, |e| e.id);
        let _ = StreamEvent::new(&first.to_string())
            .event_type("missed")
            .encode_into(bytes);
    }
    let mut offsets = Vec::with_capacity(batch.events.len());
    for event in &batch.events {
        offsets.push(bytes.len());
        let id = event.id.to_string();
        let plain = StreamEvent {
            id: ids.then_some(id.as_str()),
            ..StreamEvent::new(&event.data)
        };
        let typed = options.event_type.and_then(|name| name(&event.data));
        // An id is digits, so only a type (from the `event_type` function) can be refused;
        // then the event goes out as a plain `message` rather than not at all.
        if typed.is_none_or(|t| plain.clone().event_type(t).encode_into(bytes).is_err()) {
            let _ = plain.encode_into(bytes);
        }
    }
    offsets
}

fn push_field(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value.as_bytes());
    out.push(b'\n');
}

/// The lines of `text`, split on CRLF, LF or CR; `"a\n"` is `["a", ""]`, `""` is `[""]`.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.find(['\r', '\n']) {
            None => rest.take(),
            Some(i) => {
                let after = if current[i..].starts_with("\r\n") {
                    i + 2
                } else {
                    i + 1
                };
                rest = Some(&current[after..]);
                Some(&current[..i])
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(event: StreamEvent<'_>) -> String {
        let mut out = Vec::new();
        event.encode_into(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn an_event_is_id_type_then_one_data_line_per_line() {
        let event = StreamEvent::new("YHOO\n+2\r\n10")
            .id("7")
            .event_type("quote");
        assert_eq!(
            encode(event),
            "id: 7\nevent: quote\ndata: YHOO\ndata: +2\ndata: 10\n\n"
        );
    }

    #[test]
    fn a_retry_line_sets_the_reconnection_time_in_whole_milliseconds() {
        let mut out = Vec::new();
        encode_retry(&mut out, Duration::from_millis(3000));
        assert_eq!(out, b"retry: 3000\n");
    }

    #[test]
    fn cr_crlf_lf_and_empty_lines_each_make_a_data_line() {
        assert_eq!(
            encode(StreamEvent::new("a\rb\r\n\nc\n")),
            "data: a\ndata: b\ndata: \ndata: c\ndata: \n\n"
        );
        assert_eq!(encode(StreamEvent::new("")), "data: \n\n");
    }

    fn events_of(log: &crate::event_log::EventLog, cursor: u64, options: &StreamOptions) -> String {
        let mut bytes = Vec::new();
        encode_events(&mut bytes, &log.since(cursor), options);
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn a_stream_without_ids_writes_only_data_and_no_missed_event() {
        let log = crate::event_log::EventLog::new(1);
        log.publish(r#"{"time":"12:00:00"}"#);
        log.publish(r#"{"time":"12:00:02"}"#);
        // Cursor 0 is behind a log that kept only event 2: with ids, `missed` says so.
        assert_eq!(
            events_of(&log, 0, &StreamOptions::default()),
            "event: missed\ndata: 2\n\nid: 2\ndata: {\"time\":\"12:00:02\"}\n\n"
        );
        let without = StreamOptions {
            ids: EventIds::Omitted,
            ..StreamOptions::default()
        };
        assert_eq!(
            events_of(&log, 0, &without),
            "data: {\"time\":\"12:00:02\"}\n\n"
        );
    }

    #[test]
    fn ids_and_types_that_would_break_a_line_are_refused_and_nothing_is_written() {
        let mut out = Vec::new();
        assert_eq!(
            StreamEvent::new("x").id("1\n2").encode_into(&mut out),
            Err(EncodeError::InvalidId)
        );
        assert_eq!(
            StreamEvent::new("x").id("1\0").encode_into(&mut out),
            Err(EncodeError::InvalidId)
        );
        assert_eq!(
            StreamEvent::new("x")
                .event_type("a\rb")
                .encode_into(&mut out),
            Err(EncodeError::InvalidEventType)
        );
        assert_eq!(
            encode_comment(&mut out, "two\nlines"),
            Err(EncodeError::InvalidComment)
        );
        assert!(out.is_empty());
        encode_comment(&mut out, "keep-alive").unwrap();
        assert_eq!(out, b": keep-alive\n");
    }
}
