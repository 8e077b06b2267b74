//! Random numbers for the client side: the opening handshake's `Sec-WebSocket-Key` nonce
//! (RFC 6455 §4.1, lesson 5) and, in lesson 6, the masking key of every frame (§5.3).

/// Masking keys and handshake nonces for the client side: a xorshift64* generator seeded
/// from the standard library's per-process random hash keys.
///
/// Production note: RFC 6455 §5.3 asks for keys an attacker cannot predict, which means a
/// cryptographic generator (`getrandom`). This crate adds no dependency for it; the keys
/// here are unpredictable enough for a lesson, not against a determined attacker.
#[derive(Debug, Clone)]
pub struct KeySource(u64);

impl KeySource {
    /// A generator with a fresh seed.
    pub fn new() -> Self {
        use std::hash::{BuildHasher, RandomState};
        KeySource(RandomState::new().hash_one(std::time::SystemTime::now()) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A fresh masking key.
    pub fn masking_key(&mut self) -> [u8; 4] {
        let bytes = self.next_u64().to_be_bytes();
        [bytes[0], bytes[1], bytes[2], bytes[3]]
    }
}

impl Default for KeySource {
    fn default() -> Self {
        KeySource::new()
    }
}
