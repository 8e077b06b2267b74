//! The closing handshake (RFC 6455 §7) as one state, and how a connection ended.
//!
//! ```text
//!                  we send Close                 peer's Close arrives
//!        ┌──────► CloseSent ─────────────────────────────┐
//!   Open ┤                                               ├──► Closed   (clean: both crossed)
//!        └──────► CloseReceived ── we echo its code ─────┘
//!             peer's Close arrives
//!
//!   any state ── a broken rule (Close 1002/1007/1009 sent), EOF, silence ──► Closed
//! ```
//!
//! After our Close no data frame may follow (§5.5.1), so the state lives with the writer
//! ([`super::writer::Writer`]), which every sending thread goes through. The reader moves
//! it when the peer's Close arrives. Once `Closed`, TCP is closed: the server first, so
//! that the `TIME_WAIT` state stays on the client (§7.1.1).

use super::close::{CloseCode, CloseReason};
use super::message::ProtocolError;

/// Where a connection is in the closing handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    /// Data flows both ways.
    Open,
    /// We sent a Close: nothing more is sent, and the peer's Close is awaited.
    CloseSent,
    /// The peer sent a Close: we answer it with one of ours, then close.
    CloseReceived,
    /// Both Close frames crossed, or the connection failed or dropped: nothing more is
    /// sent or read.
    Closed,
}

impl Closing {
    /// The state after we send a Close.
    pub fn on_close_sent(self) -> Closing {
        match self {
            Closing::Open => Closing::CloseSent,
            _ => Closing::Closed,
        }
    }

    /// The state after the peer's Close arrives.
    pub fn on_close_received(self) -> Closing {
        match self {
            Closing::Open => Closing::CloseReceived,
            _ => Closing::Closed,
        }
    }

    /// Whether data frames may still be sent (§5.5.1: not after our Close).
    pub fn may_send_data(self) -> bool {
        self == Closing::Open
    }
}

/// How a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Both Close frames crossed: the closing handshake completed (RFC 6455 §7.1.4).
    Clean(CloseReason),
    /// We failed the connection for a broken rule and sent its close code (§7.1.7).
    Failed(ProtocolError),
    /// The TCP connection ended with no Close from the peer: reported as 1006.
    Dropped,
    /// The peer did not answer a Ping, or our Close, in time.
    TimedOut,
}

impl Ending {
    /// The close code to report: the peer's, ours for a failure, 1005 for an empty Close,
    /// 1006 for no Close at all (RFC 6455 §7.1.5).
    pub fn code(&self) -> CloseCode {
        match self {
            Ending::Clean(reason) => reason.code.unwrap_or(CloseCode::NO_STATUS_RCVD),
            Ending::Failed(err) => err.close_code(),
            Ending::Dropped | Ending::TimedOut => CloseCode::ABNORMAL_CLOSURE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_ways_through_the_handshake_end_closed() {
        let ours_first = Closing::Open.on_close_sent();
        assert_eq!(ours_first, Closing::CloseSent);
        assert!(!ours_first.may_send_data());
        assert_eq!(ours_first.on_close_received(), Closing::Closed);
        let theirs_first = Closing::Open.on_close_received();
        assert_eq!(theirs_first, Closing::CloseReceived);
        assert_eq!(theirs_first.on_close_sent(), Closing::Closed);
    }
}
