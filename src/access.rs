//! Who may publish: `--publish-token TOKEN` (LESSONS.md, lesson 11, "Who may connect").
//!
//! Reading stays open to everyone; publishing needs the token, on both paths that publish:
//!
//! ```text
//! POST /publish                         POST /publish
//! Authorization: Bearer s3cret   →  200   (no Authorization)   →  401 Unauthorized
//!                                                                  WWW-Authenticate: Bearer realm="publish"
//! /ws: first text message "Bearer s3cret", then every message is published;
//!      any other first message                                 →  Close 1008 (Policy Violation)
//! ```
//!
//! **Why a header, and a first message.** `Authorization` (RFC 9110 §11.6.2, the `Bearer`
//! scheme of RFC 6750 §2.1) is not sent by a browser on its own, unlike a cookie, so a page
//! on another site cannot make a request that carries it: that is what stops cross-site
//! request forgery here. A browser's `WebSocket` cannot set fields on its handshake at all,
//! and a token in the URL (`/ws?token=…`) ends up in access logs (nginx's, lesson 9) and
//! browser history; so on `/ws` the token is the socket's first message, inside the
//! connection (and inside TLS, at the proxy).
//!
//! Tokens are compared in constant time ([`same_bytes`]): a comparison that stops at the
//! first different byte answers a little sooner the fewer bytes match, and with enough
//! tries over a network that time can be measured.

use crate::http::{Request, Response, Status};

/// The token publishers must present.
#[derive(Clone, PartialEq, Eq)]
pub struct PublishToken(String);

impl std::fmt::Debug for PublishToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PublishToken(…)") // never in logs
    }
}

impl PublishToken {
    /// A token; any non-empty text without spaces (RFC 6750 §2.1's `b64token` is
    /// narrower, and every such token is also accepted here).
    pub fn new(token: &str) -> Self {
        PublishToken(token.to_owned())
    }

    /// Whether `request` carries `Authorization: Bearer TOKEN` (the scheme's name is
    /// case-insensitive, RFC 9110 §11.1).
    pub fn allows(&self, request: &Request) -> bool {
        request
            .field("authorization")
            .is_some_and(|value| self.allows_credentials(value))
    }

    /// Whether `credentials` (an `Authorization` value, or a `/ws` socket's first
    /// message) is `Bearer TOKEN`.
    pub fn allows_credentials(&self, credentials: &str) -> bool {
        let Some((scheme, token)) = credentials.trim().split_once(' ') else {
            return false;
        };
        scheme.eq_ignore_ascii_case("bearer")
            && same_bytes(token.trim().as_bytes(), self.0.as_bytes())
    }

    /// The answer to a publish without the token: `401` with the challenge that names
    /// the scheme (RFC 9110 §11.6.1, RFC 6750 §3).
    pub fn refusal() -> Response {
        Response::text(
            Status::UNAUTHORIZED,
            "publishing needs a token: Authorization: Bearer TOKEN\n",
        )
        .with_field("WWW-Authenticate", "Bearer realm=\"publish\"")
    }
}

/// Whether `a` and `b` are equal, in a time that depends only on their lengths.
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_credentials_match_the_token_and_nothing_else() {
        let token = PublishToken::new("s3cret");
        assert!(token.allows_credentials("Bearer s3cret"));
        assert!(token.allows_credentials("bearer s3cret"));
        assert!(!token.allows_credentials("Bearer s3cre"));
        assert!(!token.allows_credentials("Bearer s3cret2"));
        assert!(!token.allows_credentials("Basic s3cret"));
        assert!(!token.allows_credentials("s3cret"));
        assert!(!token.allows_credentials(""));
    }

    #[test]
    fn same_bytes_is_equality() {
        assert!(same_bytes(b"abc", b"abc"));
        assert!(!same_bytes(b"abc", b"abd"));
        assert!(!same_bytes(b"abc", b"ab"));
        assert!(same_bytes(b"", b""));
    }
}
