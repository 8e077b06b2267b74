//! Command-line options shared by the playground and the examples, parsed by hand.
//!
//! ```text
//! --addr HOST:PORT         where to listen (port 0 picks a free one)
//! --max-connections N      open connections allowed at once (default 10000)
//! --history N              events the log keeps (default 10000)
//! --tick-ms MS             one ticker event every MS milliseconds; 0 turns it off (default 1000)
//! --idle-timeout-ms MS     close idle connections and unfinished requests after MS (default 30000)
//! --allow-origin ORIGIN    Access-Control-Allow-Origin on GET answers (default *; "none" sends none)
//! --heartbeat-ms MS        a `: keep-alive` comment on event streams every MS (default 15000)
//! --max-stream-ms MS       end an event stream after MS, the client resumes (default 300000; 0: never)
//! --journal FILE           keep the event log in FILE across restarts (examples that support it)
//! --redis HOST:PORT        share the event log with other servers in a Redis stream (lesson 10)
//! --redis-key KEY          the stream's key (default realtime:events)
//! --name NAME              this server's name, in an X-Server field and at the start of streams
//! --publish-token TOKEN    publishing needs `Authorization: Bearer TOKEN` (lesson 11)
//! --max-message BYTES      the largest WebSocket message; bigger gets close 1009 (default 16 MiB)
//! --ping-ms MS             a WebSocket Ping after MS of silence from the peer; 0: none (default 30000)
//! --trace                  print every WebSocket frame to stderr (no value)
//! --break NAME[,NAME]      a lesson's wrong way, on purpose (repeatable; off by default)
//! ```
//!
//! `--help` prints these and, one per line, what each `--break` is ([`crate::breaks`]).

use std::time::Duration;

use std::sync::Arc;

use crate::access::PublishToken;
use crate::breaks::Breaks;
use crate::event_log::{DEFAULT_HISTORY, EventLog};
use crate::http::ServerConfig;
use crate::http::config::{DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS};
use crate::publish::{Guarded, Publish};
use crate::redis::shared_log::{DEFAULT_KEY, SharedLog};
use crate::sse::StreamOptions;
use crate::websocket::{self, handshake::HandshakeConfig};

/// The parsed options; [`Options::parse`] fills the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// `--addr`: the address to listen on.
    pub addr: String,
    /// `--max-connections`: see [`ServerConfig::max_connections`].
    pub max_connections: usize,
    /// `--history`: how many events the event log keeps.
    pub history: usize,
    /// `--tick-ms`: the ticker's interval; zero means no ticker.
    pub tick: Duration,
    /// `--idle-timeout-ms`: see [`ServerConfig::idle_timeout`].
    pub idle_timeout: Duration,
    /// `--allow-origin`: see [`ServerConfig::allow_origin`].
    pub allow_origin: Option<String>,
    /// `--heartbeat-ms`: the event streams' keep-alive interval; zero sends none.
    pub heartbeat: Duration,
    /// `--max-stream-ms`: see [`crate::sse::StreamOptions::max_lifetime`].
    pub max_stream: Duration,
    /// `--journal`: where to keep the event log across restarts (see [`crate::journal`]).
    pub journal: Option<std::path::PathBuf>,
    /// `--redis`: the Redis whose stream is the event log of every server that names it
    /// (see [`crate::redis::shared_log`]).
    pub redis: Option<String>,
    /// `--redis-key`: the stream's key.
    pub redis_key: String,
    /// `--name`: see [`crate::http::config::server_name`].
    pub name: Option<String>,
    /// `--publish-token`: see [`crate::access`].
    pub publish_token: Option<String>,
    /// `--max-message`: see [`websocket::Config::max_message`].
    pub max_message: usize,
    /// `--ping-ms`: see [`websocket::Config::ping_interval`].
    pub ping: Duration,
    /// `--trace`: see [`websocket::Config::trace`].
    pub trace: bool,
    /// `--break`: the wrong ways asked for (none by default); given to the server, the
    /// event streams, the WebSockets and the long poll through the methods below.
    pub breaks: Breaks,
}

const USAGE: &str = "options: --addr HOST:PORT  --max-connections N  --history N  --tick-ms MS  --idle-timeout-ms MS  --allow-origin ORIGIN  --heartbeat-ms MS  --max-stream-ms MS  --journal FILE  --redis HOST:PORT  --redis-key KEY  --name NAME  --publish-token TOKEN  --max-message BYTES  --ping-ms MS  --trace  --break NAME";

impl Options {
    /// Parses `args` (without the program name); `default_addr` is the lesson's address.
    ///
    /// # Errors
    /// A message naming the unknown option, the value that is not a number or the unknown
    /// break, with the usage line; `--help` returns the whole usage, the breaks' lines
    /// too, as an error, to be printed.
    pub fn parse(
        default_addr: &str,
        args: impl IntoIterator<Item = String>,
    ) -> Result<Options, String> {
        let mut options = Options {
            addr: default_addr.to_owned(),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            history: DEFAULT_HISTORY,
            tick: Duration::from_secs(1),
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            allow_origin: Some("*".to_owned()),
            heartbeat: Duration::from_secs(15),
            max_stream: StreamOptions::default().max_lifetime,
            journal: None,
            redis: None,
            redis_key: DEFAULT_KEY.to_owned(),
            name: None,
            publish_token: None,
            max_message: websocket::message::DEFAULT_MAX_MESSAGE,
            ping: websocket::Config::default().ping_interval,
            trace: false,
            breaks: Breaks::NONE,
        };
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            if flag == "--help" || flag == "-h" {
                return Err(help());
            }
            if flag == "--trace" {
                options.trace = true;
                continue;
            }
            let value = args
                .next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
            match flag.as_str() {
                "--addr" => options.addr = value,
                "--max-connections" => options.max_connections = number(&flag, &value)?,
                "--history" => options.history = number(&flag, &value)?,
                "--tick-ms" => options.tick = Duration::from_millis(number(&flag, &value)?),
                "--allow-origin" => options.allow_origin = (value != "none").then_some(value),
                "--journal" => options.journal = Some(value.into()),
                "--redis" => options.redis = Some(value),
                "--redis-key" => options.redis_key = value,
                "--name" => options.name = Some(value),
                "--publish-token" => options.publish_token = Some(value),
                "--max-message" => options.max_message = number(&flag, &value)?,
                "--ping-ms" => options.ping = Duration::from_millis(number(&flag, &value)?),
                "--break" => options
                    .breaks
                    .add(&value)
                    .map_err(|e| format!("{e}\n{USAGE}"))?,
                "--max-stream-ms" => {
                    options.max_stream = Duration::from_millis(number(&flag, &value)?)
                }
                "--heartbeat-ms" => {
                    options.heartbeat = Duration::from_millis(number(&flag, &value)?)
                }
                "--idle-timeout-ms" => {
                    options.idle_timeout = Duration::from_millis(number(&flag, &value)?)
                }
                _ => return Err(format!("unknown option {flag}\n{USAGE}")),
            }
        }
        Ok(options)
    }

    /// [`parse`](Self::parse) over `std::env::args()`, for an example's `main`: on
    /// `--help` it prints the usage to stdout and exits with status 0; on a bad option it
    /// prints the message to stderr and exits with status 2.
    pub fn from_env(default_addr: &str) -> Options {
        Options::from_args(default_addr, std::env::args().skip(1))
    }

    /// The same as [`from_env`](Self::from_env) over `args` (without the program name).
    pub fn from_args(default_addr: &str, args: impl IntoIterator<Item = String>) -> Options {
        match Options::parse(default_addr, args) {
            Ok(options) => options,
            Err(usage) if usage == help() => {
                println!("{usage}");
                std::process::exit(0)
            }
            Err(message) => {
                eprintln!("{message}");
                std::process::exit(2)
            }
        }
    }

    /// The server limits these options ask for.
    pub fn server_config(&self) -> ServerConfig {
        ServerConfig {
            max_connections: self.max_connections,
            idle_timeout: self.idle_timeout,
            allow_origin: self.allow_origin.clone(),
            breaks: self.breaks,
        }
    }

    /// The event log these options ask for, and where events are published: a log of this
    /// server's own (published to itself), or with `--redis` a local copy of the shared
    /// stream, fed by its reader thread, and the [`SharedLog`] that publishes there.
    /// `--name` is applied too ([`crate::http::config::set_server_name`]), and with
    /// `--publish-token` the publishing side is [`Guarded`] by it.
    pub fn event_log(&self) -> (Arc<EventLog>, Arc<dyn Publish>) {
        if let Some(name) = &self.name {
            crate::http::config::set_server_name(name);
        }
        let (log, publish) = self.unguarded_log();
        match &self.publish_token {
            Some(token) => (
                log,
                Arc::new(Guarded::new(publish, PublishToken::new(token))),
            ),
            None => (log, publish),
        }
    }

    fn unguarded_log(&self) -> (Arc<EventLog>, Arc<dyn Publish>) {
        match &self.redis {
            Some(addr) => {
                let log = Arc::new(EventLog::mirror(self.history));
                let shared =
                    SharedLog::start(addr, &self.redis_key, self.history, Arc::clone(&log));
                (log, shared)
            }
            None => {
                let log = Arc::new(EventLog::new(self.history));
                (Arc::clone(&log), log)
            }
        }
    }

    /// How event streams are written: `--heartbeat-ms`, `--max-stream-ms`.
    pub fn stream_options(&self) -> StreamOptions {
        StreamOptions {
            heartbeat: self.heartbeat,
            max_lifetime: self.max_stream,
            breaks: self.breaks,
            ..StreamOptions::default()
        }
    }

    /// The WebSocket settings these options ask for.
    pub fn websocket(&self) -> websocket::Config {
        websocket::Config {
            max_message: self.max_message,
            ping_interval: self.ping,
            trace: self.trace,
            breaks: self.breaks,
            ..websocket::Config::default()
        }
    }

    /// The opening handshake's checks: `--allow-origin` is also the one page origin that
    /// may open a WebSocket (the contract's "Origins": LESSONS.md, Appendix: the wire
    /// contract).
    pub fn handshake(&self) -> HandshakeConfig {
        HandshakeConfig {
            allowed_origin: self.allow_origin.clone(),
            subprotocols: Vec::new(),
        }
    }
}

/// What `--help` prints: the usage line, then one line per break.
fn help() -> String {
    format!("{USAGE}\n{}", Breaks::help())
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag} takes a number, not {value:?}\n{USAGE}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, String> {
        Options::parse("127.0.0.1:8080", args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn defaults_follow_the_contract() {
        let options = parse(&[]).unwrap();
        assert_eq!(
            (
                options.addr.as_str(),
                options.max_connections,
                options.history
            ),
            ("127.0.0.1:8080", 10_000, 10_000)
        );
        assert_eq!(options.idle_timeout, Duration::from_secs(30));
    }

    #[test]
    fn flags_set_values_and_bad_ones_are_refused() {
        let options =
            parse(&["--addr", "127.0.0.1:0", "--tick-ms", "0", "--history", "5"]).unwrap();
        assert_eq!(
            (options.addr.as_str(), options.tick, options.history),
            ("127.0.0.1:0", Duration::ZERO, 5)
        );
        assert!(
            parse(&["--history", "lots"])
                .unwrap_err()
                .contains("--history")
        );
        assert!(
            parse(&["--bogus", "1"])
                .unwrap_err()
                .contains("unknown option")
        );
        assert!(parse(&["--addr"]).is_err());
        let ws = parse(&["--trace", "--max-message", "125"]).unwrap();
        assert!(ws.trace && ws.websocket().trace);
        assert_eq!(ws.websocket().max_message, 125);
    }

    #[test]
    fn breaks_are_off_by_default_and_reach_every_layer_when_asked_for() {
        use crate::breaks::Break;
        let options = parse(&[]).unwrap();
        assert_eq!(options.breaks, Breaks::NONE);
        assert_eq!(options.server_config(), ServerConfig::default());
        assert_eq!(options.websocket(), websocket::Config::default());
        assert_eq!(options.stream_options().breaks, Breaks::NONE);
        let broken = parse(&[
            "--break",
            "fixed-pool,no-replay",
            "--break",
            "no-mask-check",
        ]);
        let broken = broken.unwrap();
        assert!(broken.server_config().breaks.has(Break::FixedPool));
        assert!(broken.stream_options().breaks.has(Break::NoReplay));
        assert!(broken.websocket().breaks.has(Break::NoMaskCheck));
        assert!(!broken.breaks.has(Break::NoCursor));
        let unknown = parse(&["--break", "typo"]).unwrap_err();
        assert!(unknown.contains("one-read-one-frame"), "{unknown}");
        let help = parse(&["--help"]).unwrap_err();
        assert!(help.contains("--break sse-buffer "), "{help}");
    }
}
