//! The server's limits, its CORS origin and its name: what `--max-connections`,
//! `--idle-timeout-ms`, `--allow-origin` and `--name` set.

use std::time::Duration;

use crate::breaks::Breaks;

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
    /// `--break`: [`crate::breaks::Break::FixedPool`] makes [`super::Server::run`] serve
    /// with a fixed pool of threads, the wrong way; the others do nothing here. None by
    /// default.
    pub breaks: Breaks,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_connections: DEFAULT_MAX_CONNECTIONS,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            allow_origin: Some("*".to_owned()),
            breaks: Breaks::NONE,
        }
    }
}

/// The name this server process goes by (`--name`), like a host name; `None` unless set.
/// With one, every answer carries `X-Server: NAME`, an event stream starts with an event of
/// type `server` whose data is the name, and a `/ws` socket's first message is
/// `{"server":"NAME"}`: so a page behind a load balancer can show which server each of
/// its connections reached (lesson 10).
pub fn server_name() -> Option<&'static str> {
    SERVER_NAME.get().map(String::as_str)
}

/// Sets [`server_name`], once per process (later calls change nothing).
pub fn set_server_name(name: &str) {
    let _ = SERVER_NAME.set(name.to_owned());
}

static SERVER_NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
