//! A simulated stock ticker: the live feed the lessons deliver.
//!
//! Every tick, one symbol's price takes a small random step and the ticker publishes one
//! line of text, for example `ACME 101.23 +0.45 t=1763719200123`: symbol, price, change,
//! and the publish time in Unix milliseconds, from which a page on the same machine
//! computes the delay from publish to display.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::publish::Publish;

/// The symbols and their starting prices.
pub const SYMBOLS: [(&str, f64); 4] = [
    ("ACME", 101.0),
    ("GLOBEX", 48.5),
    ("INITECH", 12.25),
    ("UMBRELLA", 230.0),
];

/// Starts a thread that publishes one price to `log` every `interval`, forever.
/// An `interval` of zero starts nothing (`--tick-ms 0`, for tests and benchmarks). A
/// price the log cannot store (a shared log that is down, lesson 10) is dropped: a
/// ticker's next price replaces it.
pub fn spawn<P: Publish + ?Sized>(log: Arc<P>, interval: Duration) {
    if interval.is_zero() {
        return;
    }
    // Spread the clock's bits over the whole word (xorshift must not start at 0, and seeds
    // that differ only in their low bits would start alike).
    let seed = now_ms().wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    thread::spawn(move || {
        let mut random = XorShift(seed);
        let mut prices = SYMBOLS.map(|(_, price)| price);
        for i in (0..SYMBOLS.len()).cycle() {
            thread::sleep(interval);
            // A step of up to ±1 % of the price, in whole cents.
            let step = ((random.unit() * 2.0 - 1.0) * prices[i] / 100.0 * 100.0).round() / 100.0;
            prices[i] = (prices[i] + step).max(0.01);
            let _ = log.publish(&format!(
                "{} {:.2} {:+.2} t={}",
                SYMBOLS[i].0,
                prices[i],
                step,
                now_ms()
            ));
        }
    });
}

/// The symbol an event's text starts with, if it is a ticker price: for the shared stream
/// of named event types (`event: ACME`).
pub fn symbol_of(data: &str) -> Option<&str> {
    let first = data.split(' ').next()?;
    SYMBOLS
        .iter()
        .any(|(symbol, _)| *symbol == first)
        .then_some(first)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Marsaglia's xorshift64: a few lines of randomness, plenty for a demo feed.
struct XorShift(u64);

impl XorShift {
    /// A number in `0.0..1.0`.
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::symbol_of;

    #[test]
    fn symbol_of_names_ticker_prices_only() {
        assert_eq!(symbol_of("ACME 101.23 +0.45 t=1"), Some("ACME"));
        assert_eq!(symbol_of("ACMEX 1"), None);
        assert_eq!(symbol_of("hello ACME"), None);
        assert_eq!(symbol_of(""), None);
    }
}
