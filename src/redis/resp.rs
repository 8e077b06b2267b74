//! RESP, the Redis serialization protocol (version 2): a pure decoder from the front of a
//! buffer, and the encoder of commands.
//!
//! ```text
//! +OK\r\n                          simple string
//! -ERR unknown command\r\n         error
//! :1000\r\n                        integer
//! $5\r\nhello\r\n                  bulk string (length, then the bytes)
//! $-1\r\n                          null bulk string
//! *2\r\n$3\r\n0-1\r\n:7\r\n        array of two values
//! *-1\r\n                          null array (XREAD BLOCK that timed out)
//! ```
//!
//! A client sends every command as an array of bulk strings (`*3\r\n$3\r\nGET\r\n…`);
//! the server answers with any of the types above. [`decode`] is the same shape as every
//! decoder of this crate: [`Decoded::Complete`] with the bytes it used, or
//! [`Decoded::Partial`]: read more and call again.
//!
//! Spec: the Redis protocol specification, "RESP protocol description" (RESP2). Left out
//! on purpose: RESP3's types (maps, sets, doubles, …), which a client only gets after
//! `HELLO 3`, and inline commands.

use std::fmt;

use crate::decoded::Decoded;

/// The largest bulk string accepted: Redis's own limit (`proto-max-bulk-len`).
pub const MAX_BULK_BYTES: usize = 512 * 1024 * 1024;
/// The most elements an array may announce before the decoder refuses it.
pub const MAX_ARRAY_LEN: usize = 1024 * 1024;
/// How deep arrays may nest: `XREAD` answers go four deep.
pub const MAX_DEPTH: usize = 16;

/// One RESP value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `+text\r\n`.
    Simple(String),
    /// `-text\r\n`: the server refused the command.
    Error(String),
    /// `:n\r\n`.
    Integer(i64),
    /// `$len\r\nbytes\r\n`: binary-safe.
    Bulk(Vec<u8>),
    /// `*n\r\n` and n values.
    Array(Vec<Value>),
    /// `$-1\r\n`: no value (a key that does not exist).
    Null,
    /// `*-1\r\n`: no array (a blocking read that timed out).
    NullArray,
}

impl Value {
    /// The value as text, for simple and bulk strings.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Simple(text) => Some(text),
            Value::Bulk(bytes) => std::str::from_utf8(bytes).ok(),
            _ => None,
        }
    }
}

/// Bytes that are not RESP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RespError {
    /// A first byte that names no type.
    UnknownType(u8),
    /// A line that is not terminated by `\r\n`, or holds a `\r` or `\n` of its own.
    BadLine,
    /// A length or integer that is not a decimal number.
    BadNumber,
    /// A bulk string longer than [`MAX_BULK_BYTES`], or not followed by `\r\n`.
    BadBulk,
    /// An array longer than [`MAX_ARRAY_LEN`], or nested deeper than [`MAX_DEPTH`].
    TooBig,
}

impl fmt::Display for RespError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RespError::UnknownType(byte) => write!(f, "no RESP type starts with {byte:#04x}"),
            RespError::BadLine => f.write_str("a line not ended by CR LF"),
            RespError::BadNumber => f.write_str("a length or integer that is not a number"),
            RespError::BadBulk => f.write_str("a bulk string too long or not ended by CR LF"),
            RespError::TooBig => f.write_str("an array too long or nested too deep"),
        }
    }
}

impl std::error::Error for RespError {}

/// Decodes one value from the front of `buf`.
///
/// # Errors
/// A [`RespError`] for bytes that can never be a RESP value.
pub fn decode(buf: &[u8]) -> Result<Decoded<Value>, RespError> {
    Ok(match value_at(buf, 0, 0)? {
        Some((value, consumed)) => Decoded::Complete { value, consumed },
        None => Decoded::Partial,
    })
}

/// The value starting at `at`, and where it ends; `None` if `buf` ends first.
fn value_at(buf: &[u8], at: usize, depth: usize) -> Result<Option<(Value, usize)>, RespError> {
    let Some(&kind) = buf.get(at) else {
        return Ok(None);
    };
    let Some((line, after)) = line_at(buf, at + 1)? else {
        return Ok(None);
    };
    let text = || {
        std::str::from_utf8(line)
            .map(str::to_owned)
            .map_err(|_| RespError::BadLine)
    };
    let value = match kind {
        b'+' => Value::Simple(text()?),
        b'-' => Value::Error(text()?),
        b':' => Value::Integer(number(line)?),
        b'$' => return bulk(buf, number(line)?, after),
        b'*' => return array(buf, number(line)?, after, depth),
        other => return Err(RespError::UnknownType(other)),
    };
    Ok(Some((value, after)))
}

fn bulk(buf: &[u8], len: i64, at: usize) -> Result<Option<(Value, usize)>, RespError> {
    if len == -1 {
        return Ok(Some((Value::Null, at)));
    }
    let len = usize::try_from(len).map_err(|_| RespError::BadNumber)?;
    if len > MAX_BULK_BYTES {
        return Err(RespError::BadBulk);
    }
    let end = at + len;
    if buf.len() < end + 2 {
        return Ok(None);
    }
    if &buf[end..end + 2] != b"\r\n" {
        return Err(RespError::BadBulk);
    }
    Ok(Some((Value::Bulk(buf[at..end].to_vec()), end + 2)))
}

fn array(
    buf: &[u8],
    len: i64,
    mut at: usize,
    depth: usize,
) -> Result<Option<(Value, usize)>, RespError> {
    if len == -1 {
        return Ok(Some((Value::NullArray, at)));
    }
    let len = usize::try_from(len).map_err(|_| RespError::BadNumber)?;
    if len > MAX_ARRAY_LEN || depth >= MAX_DEPTH {
        return Err(RespError::TooBig);
    }
    // Not with_capacity(len): the length is the peer's word, the elements are not here yet.
    let mut items = Vec::new();
    for _ in 0..len {
        let Some((item, next)) = value_at(buf, at, depth + 1)? else {
            return Ok(None);
        };
        items.push(item);
        at = next;
    }
    Ok(Some((Value::Array(items), at)))
}

/// The line from `at` to the next `\r\n`, and where the next line starts.
fn line_at(buf: &[u8], at: usize) -> Result<Option<(&[u8], usize)>, RespError> {
    let rest = buf.get(at..).unwrap_or(&[]);
    let Some(end) = rest.iter().position(|&b| b == b'\r' || b == b'\n') else {
        return Ok(None);
    };
    match (rest[end], rest.get(end + 1)) {
        (b'\r', Some(b'\n')) => Ok(Some((&rest[..end], at + end + 2))),
        (b'\r', None) => Ok(None),
        _ => Err(RespError::BadLine),
    }
}

fn number(line: &[u8]) -> Result<i64, RespError> {
    let text = std::str::from_utf8(line).map_err(|_| RespError::BadNumber)?;
    text.parse().map_err(|_| RespError::BadNumber)
}

/// Appends a command to `out` as RESP: an array of bulk strings, one per argument
/// (`["XADD", "s", "0-*", "data", "hi"]` → `*5\r\n$4\r\nXADD\r\n$1\r\ns\r\n…`).
pub fn encode_command(out: &mut Vec<u8>, args: &[&[u8]]) {
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for arg in args {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
}

#[cfg(test)]
#[path = "resp_tests.rs"]
mod tests;
