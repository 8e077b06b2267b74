//! Masking (RFC 6455 §5.3): every byte of a client's payload is XORed with one of the four
//! bytes of the masking key, in turn: `out[i] = in[i] ^ key[i % 4]`. Masking twice with the
//! same key gives the original back, so the same function masks and unmasks.
//!
//! [`apply_mask_bytewise`] is that rule, one byte at a time. [`apply_mask`] does the same
//! eight bytes at a time, because a server unmasks every byte every client sends and the
//! byte loop is the hot spot of a WebSocket server that echoes large messages. Both are
//! safe Rust; the unit tests check that they agree on every length and alignment.

/// Masks (or unmasks) `payload` in place with `key`, one byte at a time: the rule of
/// RFC 6455 §5.3 written as plainly as it can be.
pub fn apply_mask_bytewise(payload: &mut [u8], key: [u8; 4]) {
    for (i, byte) in payload.iter_mut().enumerate() {
        *byte ^= key[i % 4];
    }
}

/// Masks (or unmasks) `payload` in place with `key`, eight bytes at a time; the same
/// result as [`apply_mask_bytewise`].
///
/// Why it is faster: the key repeats every four bytes, so a `u64` holding the key twice
/// masks eight payload bytes with one XOR. `chunks_exact_mut(8)` hands out the aligned-in-
/// count pieces and the compiler turns the loop into vector instructions; the last
/// 0–7 bytes go through the byte loop. Byte order does not matter, because the key
/// word is built from bytes with the same `from_ne_bytes` as the payload words.
pub fn apply_mask(payload: &mut [u8], key: [u8; 4]) {
    let word = u64::from_ne_bytes([
        key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3],
    ]);
    let mut chunks = payload.chunks_exact_mut(8);
    for chunk in &mut chunks {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        chunk.copy_from_slice(&(u64::from_ne_bytes(bytes) ^ word).to_ne_bytes());
    }
    // Every chunk had 8 bytes, a multiple of 4, so the tail starts at key[0] again.
    apply_mask_bytewise(chunks.into_remainder(), key);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_loop_equals_the_byte_loop_at_every_length_and_offset() {
        let key = [0x37, 0xfa, 0x21, 0x3d];
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for start in 0..8 {
            for len in 0..(data.len() - start) {
                let mut fast = data[start..start + len].to_vec();
                let mut slow = fast.clone();
                apply_mask(&mut fast, key);
                apply_mask_bytewise(&mut slow, key);
                assert_eq!(fast, slow, "start {start} len {len}");
            }
        }
    }

    #[test]
    fn masking_twice_gives_the_payload_back() {
        let mut payload = b"Hello".to_vec();
        apply_mask(&mut payload, [0x37, 0xfa, 0x21, 0x3d]);
        assert_eq!(payload, [0x7f, 0x9f, 0x4d, 0x51, 0x58]); // RFC 6455 §5.7
        apply_mask(&mut payload, [0x37, 0xfa, 0x21, 0x3d]);
        assert_eq!(payload, b"Hello");
    }
}
