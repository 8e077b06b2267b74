//! Reading an event stream the way a browser's `EventSource` does: the WHATWG HTML
//! algorithm `#event-stream-interpretation`, step by step, fed bytes in any chunks.
//!
//! A line ends at CRLF, LF or CR. A CR at the end of one read may be the first half of a
//! CRLF whose LF comes in the next read, so the parser remembers it rather than seeing an
//! extra empty line (which would dispatch an event early).

use std::mem;

/// An event the stream dispatched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageEvent {
    /// The event type: the `event` field, or `message` when there was none.
    pub event_type: String,
    /// The `data` lines joined with LF.
    pub data: String,
    /// The last event ID at dispatch time (`EventSource` exposes it as `lastEventId`).
    pub last_event_id: String,
}

/// An incremental event-stream parser; feed it with [`Parser::feed`].
#[derive(Debug, Default)]
pub struct Parser {
    /// The bytes of the line being read.
    line: Vec<u8>,
    /// Whether the stream's first bytes were checked for a byte order mark.
    started: bool,
    /// The previous chunk ended with CR: an LF at the start of the next one belongs to it.
    after_cr: bool,
    data: String,
    event_type: String,
    last_event_id_buffer: String,
    last_event_id: String,
    reconnection_time_ms: Option<u64>,
}

impl Parser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Parser::default()
    }

    /// A parser for a reconnection: the last event ID carries over from the previous
    /// connection, as an `EventSource`'s does, until the new stream sets another.
    pub fn resuming(last_event_id: &str) -> Self {
        Parser {
            last_event_id_buffer: last_event_id.to_owned(),
            last_event_id: last_event_id.to_owned(),
            ..Parser::default()
        }
    }

    /// Parses `bytes`, the next part of the stream, and returns the events dispatched.
    /// Bytes are decoded as UTF-8 with U+FFFD for invalid sequences, line by line, so a
    /// character split across two reads is decoded whole.
    pub fn feed(&mut self, mut bytes: &[u8]) -> Vec<MessageEvent> {
        let events = Vec::new();
        if bytes.is_empty() {
            return events; // and a pending CR stays pending
        }
        if !self.started {
            // "One leading U+FEFF BYTE ORDER MARK character must be ignored if any are
            // present": wait for 3 bytes (or a mismatch) before deciding.
            self.line.extend_from_slice(bytes);
            const BOM: &[u8] = b"\xEF\xBB\xBF";
            let seen = self.line.len().min(3);
            if self.line[..seen] == BOM[..seen] && seen < 3 {
                return events;
            }
            self.started = true;
            let pending = mem::take(&mut self.line);
            let start = if pending.starts_with(BOM) { 3 } else { 0 };
            return self.feed_lines(&pending[start..], events);
        }
        if self.after_cr && bytes.first() == Some(&b'\n') {
            bytes = &bytes[1..];
        }
        self.after_cr = false;
        self.feed_lines(bytes, events)
    }

    fn feed_lines(&mut self, bytes: &[u8], mut events: Vec<MessageEvent>) -> Vec<MessageEvent> {
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\r' | b'\n' => {
                    if bytes[i] == b'\r' {
                        match bytes.get(i + 1) {
                            Some(b'\n') => i += 1,
                            None => self.after_cr = true,
                            Some(_) => {}
                        }
                    }
                    let line = mem::take(&mut self.line);
                    events.extend(self.process_line(&String::from_utf8_lossy(&line)));
                }
                byte => self.line.push(byte),
            }
            i += 1;
        }
        events
    }

    /// The spec's steps for one line: empty → dispatch; `:` first → comment; else a field.
    fn process_line(&mut self, line: &str) -> Option<MessageEvent> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line.starts_with(':') {
            return None;
        }
        let (name, value) = match line.split_once(':') {
            // "If value starts with a U+0020 SPACE character, remove it from value."
            Some((name, value)) => (name, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        self.process_field(name, value);
        None
    }

    fn process_field(&mut self, name: &str, value: &str) {
        match name {
            "event" => self.event_type = value.to_owned(),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            // An id containing NUL is ignored; an empty one resets the last event ID.
            "id" if !value.contains('\0') => self.last_event_id_buffer = value.to_owned(),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                self.reconnection_time_ms = Some(value.parse().unwrap_or(u64::MAX));
            }
            _ => {} // unknown fields are ignored
        }
    }

    /// "Dispatch the event": the last event ID is set even when nothing is dispatched.
    fn dispatch(&mut self) -> Option<MessageEvent> {
        self.last_event_id.clone_from(&self.last_event_id_buffer);
        let event_type = mem::take(&mut self.event_type);
        let mut data = mem::take(&mut self.data);
        if data.is_empty() {
            return None;
        }
        if data.ends_with('\n') {
            data.pop();
        }
        let event_type = if event_type.is_empty() {
            "message".to_owned()
        } else {
            event_type
        };
        Some(MessageEvent {
            event_type,
            data,
            last_event_id: self.last_event_id.clone(),
        })
    }

    /// The last event ID string: what a client sends as `Last-Event-ID` when it reconnects.
    pub fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    /// The reconnection time the stream asked for with `retry:`, in milliseconds.
    pub fn reconnection_time_ms(&self) -> Option<u64> {
        self.reconnection_time_ms
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
