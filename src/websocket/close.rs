//! Close codes and the Close frame's payload (RFC 6455 §5.5.1, §7.4).
//!
//! ```text
//! 88 82 xx xx xx xx  03 e8            a client's Close: FIN, opcode 8, masked, 2 bytes
//!                    └─┬─┘
//!                      1000 (Normal Closure), big-endian; then an optional UTF-8 reason
//! ```
//!
//! A Close payload is empty, or a two-byte code followed by a UTF-8 reason of at most 123
//! bytes. Codes 1005, 1006 and 1015 name situations ("no code", "no Close at all", "TLS
//! failed") and may never be sent (§7.4.1); the rest of 0–2999 not registered is reserved
//! for the protocol; 3000–3999 are registered by libraries and 4000–4999 are private use.

use std::fmt;

use super::frame::{FrameError, MAX_CONTROL_PAYLOAD};

/// A close code (RFC 6455 §7.4), named as in the IANA "WebSocket Close Code Number" registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CloseCode(pub u16);

impl CloseCode {
    /// 1000: the purpose of the connection is fulfilled.
    pub const NORMAL_CLOSURE: CloseCode = CloseCode(1000);
    /// 1001: the endpoint is going away (a server shutting down, a page navigated away).
    pub const GOING_AWAY: CloseCode = CloseCode(1001);
    /// 1002: the peer broke the protocol.
    pub const PROTOCOL_ERROR: CloseCode = CloseCode(1002);
    /// 1003: a kind of data the endpoint cannot accept (binary to a text-only endpoint).
    pub const UNSUPPORTED_DATA: CloseCode = CloseCode(1003);
    /// 1005: no code was present; never sent, only reported.
    pub const NO_STATUS_RCVD: CloseCode = CloseCode(1005);
    /// 1006: the connection ended without a Close frame; never sent, only reported.
    pub const ABNORMAL_CLOSURE: CloseCode = CloseCode(1006);
    /// 1007: data in a message did not match its type (text that is not UTF-8).
    pub const INVALID_FRAME_PAYLOAD_DATA: CloseCode = CloseCode(1007);
    /// 1008: a message broke the endpoint's policy.
    pub const POLICY_VIOLATION: CloseCode = CloseCode(1008);
    /// 1009: a message too big to process.
    pub const MESSAGE_TOO_BIG: CloseCode = CloseCode(1009);
    /// 1010: the client needed an extension the server did not agree to.
    pub const MANDATORY_EXT: CloseCode = CloseCode(1010);
    /// 1011: the server met an unexpected condition.
    pub const INTERNAL_ERROR: CloseCode = CloseCode(1011);
    /// 1012: the service is restarting.
    pub const SERVICE_RESTART: CloseCode = CloseCode(1012);
    /// 1013: try again later.
    pub const TRY_AGAIN_LATER: CloseCode = CloseCode(1013);
    /// 1014: a gateway got an invalid answer upstream.
    pub const BAD_GATEWAY: CloseCode = CloseCode(1014);
    /// 1015: the TLS handshake failed; never sent, only reported.
    pub const TLS_HANDSHAKE: CloseCode = CloseCode(1015);

    /// Whether an endpoint may put this code in a Close frame (RFC 6455 §7.4.1–§7.4.2 and
    /// the IANA registry): 1000–1003, 1007–1014 and 3000–4999.
    pub fn may_be_sent(self) -> bool {
        matches!(self.0, 1000..=1003 | 1007..=1014 | 3000..=4999)
    }
}

impl FrameError {
    /// The close code to fail the connection with: `1002`, for every rule of the frame
    /// format (RFC 6455 §7.4.1). The codes of every other broken rule are chosen by the
    /// error that names it: [`CloseError::close_code`] here, and for messages
    /// `ProtocolError::close_code` (lesson 7).
    pub fn close_code(&self) -> CloseCode {
        CloseCode::PROTOCOL_ERROR
    }
}

impl fmt::Display for CloseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A Close frame's payload, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseReason {
    /// The close code; `None` when the payload was empty (reported as 1005).
    pub code: Option<CloseCode>,
    /// The reason, possibly empty.
    pub reason: String,
}

/// Why a Close payload was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseError {
    /// One byte: too short for a code, yet not empty (§5.5.1).
    OneByte,
    /// A code that may not be sent (§7.4.1: 1005, 1006, 1015; §7.4.2: unassigned ranges).
    InvalidCode(u16),
    /// A reason that is not UTF-8 (§5.5.1).
    ReasonNotUtf8,
}

impl CloseError {
    /// The close code to answer with: `1007` for a reason that is not UTF-8 (§8.1),
    /// `1002` for the rest.
    pub fn close_code(&self) -> CloseCode {
        match self {
            CloseError::ReasonNotUtf8 => CloseCode::INVALID_FRAME_PAYLOAD_DATA,
            _ => CloseCode::PROTOCOL_ERROR,
        }
    }
}

impl fmt::Display for CloseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CloseError::OneByte => f.write_str("Close payload of one byte"),
            CloseError::InvalidCode(code) => write!(f, "close code {code} may not be sent"),
            CloseError::ReasonNotUtf8 => f.write_str("close reason is not UTF-8"),
        }
    }
}

impl std::error::Error for CloseError {}

/// Decodes a Close frame's payload (RFC 6455 §5.5.1).
///
/// # Errors
/// [`CloseError::OneByte`], [`CloseError::InvalidCode`], [`CloseError::ReasonNotUtf8`].
pub fn parse_close_payload(payload: &[u8]) -> Result<CloseReason, CloseError> {
    let (code, reason) = match payload {
        [] => {
            return Ok(CloseReason {
                code: None,
                reason: String::new(),
            });
        }
        [_] => return Err(CloseError::OneByte),
        [high, low, reason @ ..] => (CloseCode(u16::from_be_bytes([*high, *low])), reason),
    };
    if !code.may_be_sent() {
        return Err(CloseError::InvalidCode(code.0));
    }
    let reason = std::str::from_utf8(reason).map_err(|_| CloseError::ReasonNotUtf8)?;
    Ok(CloseReason {
        code: Some(code),
        reason: reason.to_owned(),
    })
}

/// The payload of a Close frame with `code` and `reason`: the code big-endian, then the
/// reason cut (at a character boundary) to fit the 125-byte control frame limit. `None`
/// gives the empty payload.
pub fn close_payload(code: Option<CloseCode>, reason: &str) -> Vec<u8> {
    let Some(code) = code else {
        return Vec::new();
    };
    let mut end = reason.len().min(MAX_CONTROL_PAYLOAD - 2);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    let mut payload = code.0.to_be_bytes().to_vec();
    payload.extend_from_slice(&reason.as_bytes()[..end]);
    payload
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_and_a_reason_round_trip() {
        let payload = close_payload(Some(CloseCode::NORMAL_CLOSURE), "bye");
        assert_eq!(payload, b"\x03\xe8bye");
        let parsed = parse_close_payload(&payload).unwrap();
        assert_eq!(parsed.code, Some(CloseCode(1000)));
        assert_eq!(parsed.reason, "bye");
    }

    #[test]
    fn an_empty_payload_has_no_code_and_one_byte_is_an_error() {
        assert_eq!(parse_close_payload(b"").unwrap().code, None);
        assert_eq!(parse_close_payload(b"\x03"), Err(CloseError::OneByte));
    }

    #[test]
    fn codes_that_may_not_be_sent_are_refused() {
        for code in [
            0u16, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535,
        ] {
            let err = parse_close_payload(&code.to_be_bytes()).unwrap_err();
            assert_eq!(err, CloseError::InvalidCode(code));
            assert_eq!(err.close_code(), CloseCode::PROTOCOL_ERROR);
        }
        for code in [
            1000u16, 1001, 1002, 1003, 1007, 1011, 1014, 3000, 3999, 4000, 4999,
        ] {
            assert!(parse_close_payload(&code.to_be_bytes()).is_ok(), "{code}");
        }
    }

    #[test]
    fn a_reason_that_is_not_utf8_gets_1007() {
        let err = parse_close_payload(b"\x03\xe8\xce\xba\xe1\xbd").unwrap_err();
        assert_eq!(err, CloseError::ReasonNotUtf8);
        assert_eq!(err.close_code(), CloseCode::INVALID_FRAME_PAYLOAD_DATA);
    }

    #[test]
    fn a_long_reason_is_cut_at_a_character_boundary_to_fit_125_bytes() {
        let payload = close_payload(Some(CloseCode::GOING_AWAY), &"é".repeat(100));
        assert!(payload.len() <= MAX_CONTROL_PAYLOAD);
        assert!(std::str::from_utf8(&payload[2..]).is_ok());
    }
}
