//! The five ways of getting the events that the lesson compares.

use std::time::Duration;

use realtime::ledger::Transport;

/// The five ways of getting the events, as the lesson compares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Technique {
    /// Short polling every second, as the pages do.
    Poll1s,
    /// Short polling every 100 ms.
    Poll100ms,
    /// Long polling.
    LongPoll,
    /// Server-Sent Events.
    Sse,
    /// WebSocket.
    Ws,
}

impl Technique {
    pub const ALL: [Technique; 5] = [
        Technique::Poll1s,
        Technique::Poll100ms,
        Technique::LongPoll,
        Technique::Sse,
        Technique::Ws,
    ];

    /// The name in tables, CSV and the chart.
    pub fn label(self) -> &'static str {
        match self {
            Technique::Poll1s => "poll 1 s",
            Technique::Poll100ms => "poll 100 ms",
            Technique::LongPoll => "long poll",
            Technique::Sse => "sse",
            Technique::Ws => "ws",
        }
    }

    /// The name on the command line (`--techniques`).
    pub fn key(self) -> &'static str {
        match self {
            Technique::Poll1s => "poll-1s",
            Technique::Poll100ms => "poll-100ms",
            Technique::LongPoll => "long-poll",
            Technique::Sse => "sse",
            Technique::Ws => "ws",
        }
    }

    /// The server's transport this technique's requests count in.
    pub fn transport(self) -> Transport {
        match self {
            Technique::Poll1s | Technique::Poll100ms => Transport::Poll,
            Technique::LongPoll => Transport::LongPoll,
            Technique::Sse => Transport::Sse,
            Technique::Ws => Transport::Ws,
        }
    }

    /// The polling interval, for the short pollers.
    pub fn poll_interval(self) -> Option<Duration> {
        match self {
            Technique::Poll1s => Some(Duration::from_secs(1)),
            Technique::Poll100ms => Some(Duration::from_millis(100)),
            _ => None,
        }
    }
}
