//! The wrong ways, on purpose: `--break NAME` turns on one lesson's pitfall, so that it can
//! be run and seen failing.
//!
//! Each [`Break`] is a design choice that a lesson's *Pitfalls* calls wrong. It is off
//! unless asked for (no default of any option depends on one), and it acts at exactly one
//! place, where the right way happens, as a detour marked `the wrong way, on purpose`:
//! `grep -rn "Break::" src/` lists them all. Each has a test that shows the broken
//! behaviour and that the default does not have it.
//!
//! | `--break` | lesson | where it acts | what goes wrong | test |
//! |---|---|---|---|---|
//! | `fixed-pool` | 1, 3 | `Server::run` in `src/http/server.rs` | four parked requests take every thread; the fifth client waits unseen | `a_fixed_pool_of_4_is_exhausted_by_4_parked_long_polls` in `tests/lesson_03_long_polling.rs` |
//! | `no-cursor` | 3 | `answer` in `src/long_poll.rs` | an event published between two long polls is lost | `break_no_cursor_loses_the_event_published_between_two_long_polls` |
//! | `sse-buffer` | 4 | `EventStream::write` in `src/sse/hub.rs` | events wait in an 8 KiB buffer, then come in a lump | `break_sse_buffer_holds_events_until_8_kib_have_gathered` |
//! | `no-replay` | 4 | `handler` in `src/sse/stream.rs` | a reconnecting client misses what was published while it was away | `break_no_replay_loses_what_was_published_while_the_client_was_away` |
//! | `no-mask-check` | 6 | `FrameDecoder::decode` in `src/websocket/decoder.rs` | an unmasked client frame is echoed instead of failing with 1002 (RFC 6455 §5.1) | `break_no_mask_check_echoes_an_unmasked_frame_the_default_closes_1002` |
//! | `one-read-one-frame` | 6 | `FrameReader::next_piece`, `FrameReader::read` in `src/websocket/reader.rs` | the second of two frames in one read is lost; a frame split over two reads fails | `break_one_read_one_frame_loses_the_second_of_two_frames_in_one_write` |
//!
//! The tests without a file named are in `tests/breaks.rs`. Lesson 10's `--break local-log`
//! is not here: it changes what `examples/10_scale_out` starts (no Redis, a log per
//! server), not how a server behaves.

use std::fmt::Write;

/// One wrong way of a lesson (see the module doc's table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Break {
    /// `fixed-pool` (lessons 1 and 3): [`FIXED_POOL_THREADS`] worker threads take
    /// connections from a queue and serve each to its end, the Rust Book's
    /// `ThreadPool::new(4)`. Wrong for connections that stay open: four parked long polls
    /// (or event streams, or WebSockets) hold every worker, and the fifth client, even one
    /// asking for the page, sits in the queue with no answer and no `503` telling it why.
    FixedPool,
    /// `no-cursor` (lesson 3): a long poll ignores `since` and waits for an event
    /// published after the request arrived. Wrong because a client is not parked all the
    /// time: what is published while its answer travels back and its next request comes
    /// is never sent to it.
    NoCursor,
    /// `sse-buffer` (lesson 4): an event stream's bytes go through a buffer of
    /// [`SSE_BUFFER_BYTES`], like a `BufWriter`, written out only when it is full. Wrong
    /// because an event stream is only worth anything if each event reaches the socket
    /// at once: at one small event a second, the client sees nothing for minutes, then a
    /// lump of events.
    SseBuffer,
    /// `no-replay` (lesson 4): `GET /events` ignores `Last-Event-ID` and `?since=N` and
    /// starts every stream at the newest event (WHATWG HTML `#the-last-event-id-header`
    /// is what it ignores). Wrong because a browser reconnects by itself after every
    /// break, and what was published while it was away is lost.
    NoReplay,
    /// `no-mask-check` (lesson 6): the server takes an unmasked client frame as it is.
    /// Wrong: RFC 6455 §5.1 says the server MUST fail the connection (close 1002), and
    /// the masking is what keeps a page's bytes from being read as requests by a proxy
    /// that does not understand WebSocket (§10.3).
    NoMaskCheck,
    /// `one-read-one-frame` (lesson 6): each `read` is taken as exactly one frame: what
    /// follows the first frame in a read is dropped, and each read starts a new frame.
    /// Wrong because TCP delivers bytes, not frames: two frames that arrive together lose
    /// the second, and a frame split over two reads has its tail read as a header (which
    /// then almost always fails the connection).
    OneReadOneFrame,
}

/// `--break fixed-pool`: the pool's size, the Rust Book's `ThreadPool::new(4)`.
pub const FIXED_POOL_THREADS: usize = 4;
/// `--break sse-buffer`: the buffer's size, `BufWriter`'s default capacity (8 KiB).
pub const SSE_BUFFER_BYTES: usize = 8 * 1024;

impl Break {
    /// Every break, in lesson order.
    pub const ALL: [Break; 6] = [
        Break::FixedPool,
        Break::NoCursor,
        Break::SseBuffer,
        Break::NoReplay,
        Break::NoMaskCheck,
        Break::OneReadOneFrame,
    ];

    /// Its name after `--break`, e.g. `fixed-pool`.
    pub fn name(self) -> &'static str {
        match self {
            Break::FixedPool => "fixed-pool",
            Break::NoCursor => "no-cursor",
            Break::SseBuffer => "sse-buffer",
            Break::NoReplay => "no-replay",
            Break::NoMaskCheck => "no-mask-check",
            Break::OneReadOneFrame => "one-read-one-frame",
        }
    }

    /// What it is, as `--help` says it: "the wrong way: … (lesson N)".
    pub fn what(self) -> &'static str {
        match self {
            Break::FixedPool => {
                "the wrong way: a fixed pool of 4 connection threads (lessons 1, 3)"
            }
            Break::NoCursor => {
                "the wrong way: long polls ignore since, events between polls are lost (lesson 3)"
            }
            Break::SseBuffer => {
                "the wrong way: event streams through an 8 KiB buffer, not flushed per event (lesson 4)"
            }
            Break::NoReplay => {
                "the wrong way: /events ignores Last-Event-ID, a reconnect misses events (lesson 4)"
            }
            Break::NoMaskCheck => {
                "the wrong way: unmasked client frames accepted, not closed with 1002 (lesson 6)"
            }
            Break::OneReadOneFrame => {
                "the wrong way: each read taken as exactly one frame (lesson 6)"
            }
        }
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// A set of [`Break`]s; [`Breaks::NONE`] (the default) is the right way everywhere.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Breaks(u8);

impl Breaks {
    /// No break: what every option's default gives.
    pub const NONE: Breaks = Breaks(0);

    /// The same set with `one` added.
    pub fn with(self, one: Break) -> Breaks {
        Breaks(self.0 | one.bit())
    }

    /// Whether `one` is in the set.
    pub fn has(self, one: Break) -> bool {
        self.0 & one.bit() != 0
    }

    /// Adds the breaks of one `--break` value: a name, or names separated by commas
    /// (`no-replay,sse-buffer`).
    ///
    /// # Errors
    /// A message naming the unknown name and listing the valid ones.
    pub fn add(&mut self, value: &str) -> Result<(), String> {
        for name in value.split(',').map(str::trim) {
            match Break::ALL.into_iter().find(|b| b.name() == name) {
                Some(one) => *self = self.with(one),
                None if name == "local-log" => {
                    return Err("--break local-log is the cluster's, not a server's: \
                                cargo run --example 10_scale_out -- --break local-log"
                        .to_owned());
                }
                None => {
                    let names: Vec<&str> = Break::ALL.iter().map(|b| b.name()).collect();
                    return Err(format!(
                        "unknown break {name:?}: the breaks are {}",
                        names.join(", ")
                    ));
                }
            }
        }
        Ok(())
    }

    /// The lines of `--help` that list the breaks, one per break:
    /// `  --break fixed-pool          the wrong way: … (lessons 1, 3)`.
    pub fn help() -> String {
        let mut text = String::from(
            "the wrong ways, on purpose (off by default; repeat --break or join names with commas):",
        );
        for one in Break::ALL {
            let _ = write!(text, "\n  --break {:<19} {}", one.name(), one.what());
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_alone_repeated_or_in_a_comma_list_and_nothing_is_on_by_default() {
        assert_eq!(Breaks::default(), Breaks::NONE);
        assert!(Break::ALL.iter().all(|&b| !Breaks::NONE.has(b)));
        let mut breaks = Breaks::NONE;
        breaks.add("no-replay,sse-buffer").unwrap();
        breaks.add("fixed-pool").unwrap();
        let on: Vec<Break> = Break::ALL.into_iter().filter(|&b| breaks.has(b)).collect();
        assert_eq!(on, [Break::FixedPool, Break::SseBuffer, Break::NoReplay]);
    }

    #[test]
    fn an_unknown_name_is_refused_with_the_valid_ones() {
        let err = Breaks::default().add("no-mask").unwrap_err();
        assert!(err.contains("\"no-mask\""), "{err}");
        assert!(Break::ALL.iter().all(|b| err.contains(b.name())), "{err}");
        let cluster = Breaks::default().add("local-log").unwrap_err();
        assert!(cluster.contains("10_scale_out"), "{cluster}");
    }

    #[test]
    fn help_names_each_break_as_the_wrong_way_with_its_lesson() {
        let help = Breaks::help();
        for one in Break::ALL {
            let line = format!("--break {:<19} {}", one.name(), one.what());
            assert!(help.contains(&line), "{help}");
            assert!(one.what().starts_with("the wrong way: "));
            assert!(one.what().contains("(lesson"));
        }
    }
}
