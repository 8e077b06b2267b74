//! Is the peer still there? The connection's timers, as plain values (RFC 6455 §5.5.2,
//! §7.1.1).
//!
//! ```text
//! bytes ─ ─ ─ ─ silence ─ ─ ─ ─►  Ping ─ ─ ─ pong_timeout ─ ─ ─►  give up (1006)
//!         ping_interval            (any byte from the peer resets both)
//! our Close ─ ─ ─ close_timeout ─ ─ ─►  give up waiting for the peer's Close
//! ```
//!
//! A TCP connection whose peer vanished (a pulled cable, a phone that lost its network)
//! looks exactly like a quiet one: no FIN, no reset, just nothing. The only way to tell
//! is to ask, with a Ping, and to stop waiting after a while. [`Liveness`] decides when;
//! the socket loop ([`super::socket`]) uses its answers as the read timeout and does what
//! [`Liveness::on_silence`] says. Nothing here reads a clock: every method takes `now`.

use std::time::{Duration, Instant};

/// What to do when a read timed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Silence {
    /// Nothing yet: read again.
    Wait,
    /// Send a Ping now, then read again.
    SendPing,
    /// The peer is gone: a Ping went unanswered, or our Close did.
    GiveUp,
}

/// The timers of one connection.
#[derive(Debug, Clone)]
pub struct Liveness {
    ping_interval: Duration,
    pong_timeout: Duration,
    last_heard: Instant,
    ping_sent: Option<Instant>,
    close_deadline: Option<Instant>,
}

impl Liveness {
    /// Timers that ping after `ping_interval` of silence (zero: never) and give up
    /// `pong_timeout` after the Ping; the peer was last heard `now`.
    pub fn new(ping_interval: Duration, pong_timeout: Duration, now: Instant) -> Self {
        Liveness {
            ping_interval,
            pong_timeout,
            last_heard: now,
            ping_sent: None,
            close_deadline: None,
        }
    }

    /// Bytes arrived: any byte at all shows the peer is alive, so a Ping out is answered.
    pub fn heard(&mut self, now: Instant) {
        self.last_heard = now;
        self.ping_sent = None;
    }

    /// Our Close went out: from now on the only wait is for the peer's Close, until
    /// `now + close_timeout`, and no Pings are sent.
    pub fn closing(&mut self, now: Instant, close_timeout: Duration) {
        self.close_deadline = Some(now + close_timeout);
    }

    /// The read timeout to wait with (`None`: wait for ever). While closing, what is left
    /// of the close timeout; with a Ping out, the pong timeout; else the ping interval.
    /// The last two do not depend on `now`, so the socket's timeout changes once per ping,
    /// not once per read (a Ping then goes out between one and two intervals after the
    /// last byte).
    pub fn read_timeout(&self, now: Instant) -> Option<Duration> {
        let at_least_1ms = |d: Duration| d.max(Duration::from_millis(1));
        match (self.close_deadline, self.ping_sent) {
            (Some(deadline), _) => Some(at_least_1ms(deadline.saturating_duration_since(now))),
            _ if self.ping_interval.is_zero() => None,
            (None, Some(_)) => Some(at_least_1ms(self.pong_timeout)),
            (None, None) => Some(self.ping_interval),
        }
    }

    /// A read timed out at `now`: what to do. Records the Ping when it says to send one.
    pub fn on_silence(&mut self, now: Instant) -> Silence {
        if let Some(deadline) = self.close_deadline {
            return if now >= deadline {
                Silence::GiveUp
            } else {
                Silence::Wait
            };
        }
        match self.ping_sent {
            Some(sent) if now - sent >= self.pong_timeout => Silence::GiveUp,
            Some(_) => Silence::Wait,
            None if self.ping_interval.is_zero() => Silence::Wait,
            None if now - self.last_heard >= self.ping_interval => {
                self.ping_sent = Some(now);
                Silence::SendPing
            }
            None => Silence::Wait,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn silence_sends_a_ping_and_an_unanswered_ping_gives_up() {
        let t0 = Instant::now();
        let mut live = Liveness::new(30 * S, 10 * S, t0);
        assert_eq!(live.read_timeout(t0), Some(30 * S));
        assert_eq!(live.on_silence(t0 + 29 * S), Silence::Wait);
        assert_eq!(live.on_silence(t0 + 30 * S), Silence::SendPing);
        assert_eq!(live.read_timeout(t0 + 30 * S), Some(10 * S));
        assert_eq!(live.on_silence(t0 + 39 * S), Silence::Wait);
        assert_eq!(live.on_silence(t0 + 40 * S), Silence::GiveUp);
    }

    #[test]
    fn any_byte_answers_the_ping_and_restarts_the_interval() {
        let t0 = Instant::now();
        let mut live = Liveness::new(30 * S, 10 * S, t0);
        assert_eq!(live.on_silence(t0 + 30 * S), Silence::SendPing);
        live.heard(t0 + 35 * S);
        assert_eq!(live.read_timeout(t0 + 35 * S), Some(30 * S));
        assert_eq!(live.on_silence(t0 + 60 * S), Silence::Wait);
        assert_eq!(live.on_silence(t0 + 65 * S), Silence::SendPing);
    }

    #[test]
    fn a_zero_interval_never_pings_and_waits_for_ever() {
        let t0 = Instant::now();
        let mut live = Liveness::new(Duration::ZERO, 10 * S, t0);
        assert_eq!(live.read_timeout(t0), None);
        assert_eq!(live.on_silence(t0 + 3600 * S), Silence::Wait);
    }

    #[test]
    fn while_closing_only_the_close_deadline_counts() {
        let t0 = Instant::now();
        let mut live = Liveness::new(30 * S, 10 * S, t0);
        live.closing(t0, 5 * S);
        assert_eq!(live.read_timeout(t0 + 2 * S), Some(3 * S));
        assert_eq!(live.on_silence(t0 + 4 * S), Silence::Wait);
        assert_eq!(
            live.read_timeout(t0 + 9 * S),
            Some(Duration::from_millis(1))
        );
        assert_eq!(live.on_silence(t0 + 5 * S), Silence::GiveUp);
    }
}
