//! The server's limits and its CORS origin: what `--max-connections`, `--idle-timeout-ms`
//! and `--allow-origin` set.

use std::time::Duration;

/// How long an idle connection, or an unfinished request, is kept: 30 s by default.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// The default cap on open connections.
pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;

/// The server's limits and its CORS origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Open connections allowed at once; one more gets `503` and is closed.
    pub max_connections: usize,
    /// How long a connection may sit idle between requests, and how long one request may
    /// take to arrive in full; then it is closed without an answer.
    pub idle_timeout: Duration,
    /// `--allow-origin`: sent as `Access-Control-Allow-Origin` on every answer to `GET`
    /// and `HEAD` (default `*`), so that a page served from another origin may poll and
    /// open an `EventSource` here (WHATWG Fetch, "CORS protocol"). `None` sends nothing.
    pub allow_origin: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_connections: DEFAULT_MAX_CONNECTIONS,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            allow_origin: Some("*".to_owned()),
        }
    }
}
