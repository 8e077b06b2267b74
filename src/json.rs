//! Just enough JSON to write the answers of `/publish`, `/poll` and `/long-poll` by hand.
//!
//! A JSON string (RFC 8259 §7) is `"` + the text with `"`, `\` and the control characters
//! U+0000–U+001F escaped + `"`. Everything else, non-ASCII included, may be written as is
//! in UTF-8, which is what we do: `"héllo"` stays `"héllo"`.

use std::fmt::Write;

/// Appends `text` to `out` as a JSON string literal, quotes included (RFC 8259 §7).
///
/// `"` and `\` get a backslash; `\n`, `\r`, `\t`, backspace and form feed get their short
/// escapes; the other control characters become `\u00XX`.
pub fn push_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0C}' => out.push_str("\\f"),
            c if c < ' ' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `text` as a JSON string literal: `a"b` → `"a\"b"`.
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_string(&mut out, text);
    out
}

#[cfg(test)]
mod tests {
    use super::string;

    #[test]
    fn quotes_and_backslashes_are_escaped() {
        assert_eq!(string(r#"say "hi" \o/"#), r#""say \"hi\" \\o/""#);
    }

    #[test]
    fn control_characters_use_short_or_unicode_escapes() {
        assert_eq!(string("a\nb\rc\td"), r#""a\nb\rc\td""#);
        assert_eq!(string("\u{0}\u{1f}\u{8}\u{c}"), r#""\u0000\u001f\b\f""#);
    }

    #[test]
    fn non_ascii_passes_through_as_utf8() {
        assert_eq!(string("héllo ✓ 📈"), "\"héllo ✓ 📈\"");
        assert_eq!(string("\u{7f}\u{2028}"), "\"\u{7f}\u{2028}\""); // not control characters in JSON
    }

    #[test]
    fn empty_text_is_an_empty_string() {
        assert_eq!(string(""), r#""""#);
    }
}
