//! A file that outlives the process: the event log written down, so a restarted server
//! continues the same ids and a reconnecting `EventSource` resumes with no gap.
//!
//! The journal is one more reader with a cursor: a thread waits on the event log like a
//! long poll and appends each new event's text to the file. At start, [`restore`] reads the
//! file back and publishes every record again, in order, so ids 1, 2, 3 … come out the same.
//!
//! ```text
//! 36 ACME 101.23 +0.45 t=1763719200123\n      one record: byte length, space, text, LF
//! ```
//!
//! Production note: events published in the last instant before a crash may not be in the
//! file yet (no fsync either); a real system would write the journal before answering the
//! publish. A record cut short by a crash is ignored on restore.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::event_log::EventLog;

/// Publishes to `log` every event recorded in the file at `path` (none if it does not
/// exist yet), then starts a thread that appends each new event to it. Returns how many
/// events were restored.
///
/// # Errors
/// The `io::Error` of reading or opening the file.
pub fn restore(log: &Arc<EventLog>, path: &Path) -> io::Result<u64> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    let (texts, valid) = records(&bytes);
    for text in &texts {
        log.publish(text.as_str());
    }
    let restored = texts.len() as u64;
    let file = OpenOptions::new().create(true).append(true).open(path)?;
    // A record torn by a crash is cut off, or the next one appended would follow it and be
    // unreadable, with every record after it.
    file.set_len(valid as u64)?;
    let log = Arc::clone(log);
    thread::spawn(move || follow(&log, file, restored));
    Ok(restored)
}

/// The records of a journal file, stopping at the first one that is cut short or broken,
/// and how many bytes of the file those records take.
pub fn records(bytes: &[u8]) -> (Vec<String>, usize) {
    let all = bytes.len();
    let mut bytes = bytes;
    let mut texts = Vec::new();
    while let Some(space) = bytes.iter().position(|&b| b == b' ') {
        let Some(len) = std::str::from_utf8(&bytes[..space])
            .ok()
            .and_then(|n| n.parse::<usize>().ok())
        else {
            break;
        };
        let rest = &bytes[space + 1..];
        let (Some(text), Some(b'\n')) = (rest.get(..len), rest.get(len)) else {
            break;
        };
        let Ok(text) = std::str::from_utf8(text) else {
            break;
        };
        texts.push(text.to_owned());
        bytes = &rest[len + 1..];
    }
    (texts, all - bytes.len())
}

/// Appends every event after `cursor` to `file`, forever.
fn follow(log: &EventLog, mut file: File, mut cursor: u64) {
    loop {
        let batch = log.wait_since(cursor, Duration::from_secs(3600));
        let mut out = Vec::new();
        for event in &batch.events {
            out.extend_from_slice(format!("{} {}\n", event.data.len(), event.data).as_bytes());
        }
        if let Err(e) = file.write_all(&out) {
            eprintln!("journal: {e}; no longer recording");
            return;
        }
        cursor = batch.last_id;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_a_torn_tail_is_dropped() {
        let file = b"5 hello\n11 two\nlines\xc3\xa9\n0 \n3 cu";
        let (texts, valid) = records(file);
        assert_eq!(texts, ["hello", "two\nlines\u{e9}", ""]);
        assert_eq!(valid, file.len() - 4);
    }

    #[test]
    fn a_restart_after_a_torn_record_keeps_every_later_event() {
        let path =
            std::env::temp_dir().join(format!("realtime-journal-test-{}", std::process::id()));
        std::fs::write(&path, b"3 one\n9 torn").unwrap();
        let first = Arc::new(EventLog::new(100));
        assert_eq!(restore(&first, &path).unwrap(), 1);
        first.publish("two");
        // The follower thread appends "two"; wait for it on the file itself.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while records(&std::fs::read(&path).unwrap()).0.len() < 2 {
            assert!(std::time::Instant::now() < deadline, "journal not written");
            thread::sleep(Duration::from_millis(5));
        }
        let second = Arc::new(EventLog::new(100));
        assert_eq!(restore(&second, &path).unwrap(), 2);
        let texts: Vec<String> = second
            .since(0)
            .events
            .iter()
            .map(|e| e.data.clone())
            .collect();
        assert_eq!(texts, ["one", "two"]);
        let _ = std::fs::remove_file(&path);
    }
}
