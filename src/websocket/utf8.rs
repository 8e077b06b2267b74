//! The UTF-8 of a text message, checked as its bytes arrive (RFC 6455 §8.1).
//!
//! A text message must be UTF-8, and an endpoint fails the connection *as soon as* the
//! bytes can no longer become UTF-8, not when the message ends: a 16 MiB frame of garbage
//! is refused from its first read. The payload arrives in pieces cut anywhere, even inside
//! a character:
//!
//! ```text
//! "€" = e2 82 ac      piece 1: 61 e2      piece 2: 82 ac 62
//!                     "a" + e2 carried    e2 82 ac completes "€", then "b"
//! ```
//!
//! [`TextBuilder::push`] checks each piece once, carrying the 1–3 bytes of a character
//! cut off at its end into the next piece, and appends the checked text to the message.
//! `str::utf8_chunks` (std) does the checking: each chunk is a valid `&str` followed by
//! the bytes that are not; invalid bytes that merely end the input early are a character
//! still arriving, anything else can never be UTF-8.

use std::fmt;

/// A text message that is not UTF-8 (RFC 6455 §8.1): close code 1007.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidUtf8;

impl fmt::Display for InvalidUtf8 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("text message is not UTF-8")
    }
}

impl std::error::Error for InvalidUtf8 {}

/// A text message being received: the text checked so far, and the start of a character
/// cut off by the last piece.
#[derive(Debug, Default)]
pub struct TextBuilder {
    text: String,
    /// The first bytes (1–3) of a character whose rest is in the next piece.
    carry: Vec<u8>,
}

impl TextBuilder {
    /// An empty message with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        TextBuilder {
            text: String::with_capacity(capacity),
            carry: Vec::new(),
        }
    }

    /// Bytes received so far.
    pub fn len(&self) -> usize {
        self.text.len() + self.carry.len()
    }

    /// Whether nothing was received yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Checks `bytes`, the next piece of the message, and appends it.
    ///
    /// # Errors
    /// [`InvalidUtf8`] as soon as the bytes so far can no longer be UTF-8.
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), InvalidUtf8> {
        let bytes = self.complete_carry(bytes)?;
        let mut chunks = bytes.utf8_chunks().peekable();
        while let Some(chunk) = chunks.next() {
            self.text.push_str(chunk.valid());
            let invalid = chunk.invalid();
            if invalid.is_empty() {
                continue;
            }
            // Only the very end may be a character still arriving.
            if chunks.peek().is_some() || !may_continue(invalid) {
                return Err(InvalidUtf8);
            }
            self.carry.extend_from_slice(invalid);
        }
        Ok(())
    }

    /// The whole message, once its last piece is in.
    ///
    /// # Errors
    /// [`InvalidUtf8`] if it ends inside a character.
    pub fn finish(self) -> Result<String, InvalidUtf8> {
        if self.carry.is_empty() {
            Ok(self.text)
        } else {
            Err(InvalidUtf8)
        }
    }

    /// Completes the character carried over from the last piece with the first bytes of
    /// `bytes`; returns the rest of `bytes`.
    fn complete_carry<'a>(&mut self, bytes: &'a [u8]) -> Result<&'a [u8], InvalidUtf8> {
        let Some(&lead) = self.carry.first() else {
            return Ok(bytes);
        };
        let width = match lead {
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            _ => 4,
        };
        let take = (width - self.carry.len()).min(bytes.len());
        self.carry.extend_from_slice(&bytes[..take]);
        if self.carry.len() < width {
            return if may_continue(&self.carry) {
                Ok(&[])
            } else {
                Err(InvalidUtf8)
            };
        }
        let character = std::str::from_utf8(&self.carry).map_err(|_| InvalidUtf8)?;
        self.text.push_str(character);
        self.carry.clear();
        Ok(&bytes[take..])
    }
}

/// Whether `bytes` (1–3 of them) are the start of a character that more bytes could
/// complete: `from_utf8`'s error then has no `error_len`, the input just ended.
fn may_continue(bytes: &[u8]) -> bool {
    matches!(std::str::from_utf8(bytes), Err(e) if e.error_len().is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(bytes: &[u8], cuts: &[usize]) -> Result<String, InvalidUtf8> {
        let mut text = TextBuilder::default();
        let mut start = 0;
        for &cut in cuts.iter().chain([&bytes.len()]) {
            text.push(&bytes[start..cut])?;
            start = cut;
        }
        text.finish()
    }

    #[test]
    fn agrees_with_std_on_whole_inputs_cut_at_every_one_and_two_points() {
        // Valid text of every width, and inputs that break in each way std knows of.
        let samples: [&[u8]; 8] = [
            "aé€𝄞z".as_bytes(),
            "κόσμε".as_bytes(),
            b"ok \xce x",        // a 2-byte lead followed by ASCII
            b"\xed\xa0\x80",     // a surrogate
            b"\xf4\x90\x80\x80", // above U+10FFFF
            b"\xc0\xaf",         // an overlong form
            b"abc\xe2\x82",      // ends inside a character
            b"\xff",             // never valid
        ];
        for sample in samples {
            let expected = std::str::from_utf8(sample)
                .map(str::to_owned)
                .map_err(|_| InvalidUtf8);
            for a in 0..=sample.len() {
                for b in a..=sample.len() {
                    assert_eq!(
                        pieces(sample, &[a, b]),
                        expected,
                        "{sample:02x?} cut {a} {b}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_byte_that_can_never_be_utf8_fails_in_the_piece_that_brings_it() {
        let mut text = TextBuilder::default();
        assert_eq!(text.push(b"ok \xce"), Ok(())); // a 2-byte lead: fine yet
        assert_eq!(text.push(b"x"), Err(InvalidUtf8)); // 0xce then 'x': never
        let mut text = TextBuilder::default();
        assert_eq!(text.push(b"\xed"), Ok(()));
        assert_eq!(text.push(b"\xa0"), Err(InvalidUtf8)); // a surrogate, known at byte 2
    }

    #[test]
    fn a_message_that_ends_inside_a_character_is_invalid() {
        let mut text = TextBuilder::default();
        text.push("€".as_bytes().split_at(2).0).unwrap();
        assert_eq!(text.len(), 2);
        assert_eq!(text.finish(), Err(InvalidUtf8));
    }
}
