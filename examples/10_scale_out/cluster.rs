//! The cluster: Redis, N servers, nginx in front; and the commands that break and mend it.

use std::error::Error;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::nginx::Nginx;
use crate::redis::Redis;

/// What to start.
pub struct Plan {
    pub servers: usize,
    /// `--redis ADDR`: a Redis that is already running (not started, not stopped).
    pub redis: Option<String>,
    /// `--break local-log`: each server with its own log, as without Redis.
    pub local_log: bool,
    /// `--tick-ms`: server 1's ticker (0: none, for measurements).
    pub tick_ms: u64,
    /// `--balance`: how nginx picks a server (`round-robin`, `ip-hash`, `cookie`).
    pub balance: String,
}

/// What `--help` prints.
pub const USAGE: &str = "\
usage: 10_scale_out [--servers N] [--redis HOST:PORT] [--balance round-robin|ip-hash|cookie]
                    [--tick-ms MS] [--break local-log]
  --servers N        how many servers behind nginx (default 3)
  --redis HOST:PORT  a Redis that is already running, instead of starting one
  --balance WAY      how nginx picks a server (default round-robin)
  --tick-ms MS       server 1's stock ticker (default 1000; 0: none)
  --break local-log  the wrong way: each server its own log, no Redis (lesson 10)
commands, typed while it runs: servers | kill N | start N | redis stop | redis start | redis flush | quit";

impl Plan {
    pub fn parse(args: &[String]) -> Result<Plan, Box<dyn Error>> {
        let mut plan = Plan {
            servers: 3,
            redis: None,
            local_log: false,
            tick_ms: 1000,
            balance: "round-robin".into(),
        };
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let mut value = || args.next().ok_or(format!("{flag} needs a value"));
            match flag.as_str() {
                "--servers" => plan.servers = value()?.parse()?,
                "--redis" => plan.redis = Some(value()?.clone()),
                "--tick-ms" => plan.tick_ms = value()?.parse()?,
                "--balance" => plan.balance = value()?.clone(),
                "--break" => match value()?.as_str() {
                    "local-log" => plan.local_log = true,
                    other => {
                        let servers = realtime::breaks::Break::ALL.map(|b| b.name()).join(", ");
                        let why = format!(
                            "--break {other}: the cluster's one break is local-log \
                             ({servers} are the single servers', e.g. cargo run -- --break NAME)"
                        );
                        return Err(why.into());
                    }
                },
                other => return Err(format!("unknown option {other}\n{USAGE}").into()),
            }
        }
        Ok(plan)
    }
}

/// A server child: this example with `--serve`.
pub struct ServerProcess {
    pub name: String,
    pub addr: String,
    child: Option<Child>,
    /// Its stdin: when this process ends, the pipe closes and the server exits.
    _stdin: Option<std::process::ChildStdin>,
}

/// Everything that runs.
pub struct Cluster {
    pub nginx: Nginx,
    pub servers: Vec<ServerProcess>,
    redis: Option<Redis>,
    /// Where a stopped Redis comes back: its folder and port.
    stopped_redis: Option<(std::path::PathBuf, u16)>,
    redis_addr: Option<String>,
    /// Server 1's ticker period, kept for `start N`.
    tick_ms: u64,
    balance: String,
}

/// What the command loop does next.
pub enum Next {
    Go,
    Quit,
}

impl Cluster {
    /// Starts Redis (unless the plan names one, or breaks the log), the servers, and nginx
    /// on `port` (or a free one) in front of them, balancing as the plan says.
    pub fn start(plan: &Plan, port: u16) -> Result<Cluster, Box<dyn Error>> {
        let redis = match (&plan.redis, plan.local_log) {
            (None, false) => Some(Redis::start()?),
            _ => None,
        };
        let redis_addr = match plan.local_log {
            true => None,
            false => plan
                .redis
                .clone()
                .or_else(|| redis.as_ref().map(|r| r.addr.clone())),
        };
        let mut servers = Vec::new();
        for n in 1..=plan.servers {
            servers.push(ServerProcess::start(
                n,
                "127.0.0.1:0",
                redis_addr.as_deref(),
                plan.tick_ms,
            )?);
        }
        let upstreams: Vec<String> = servers.iter().map(|s| s.addr.clone()).collect();
        let nginx = Nginx::start_balanced(&plan.balance, &upstreams, port)?;
        Ok(Cluster {
            nginx,
            servers,
            redis,
            stopped_redis: None,
            redis_addr,
            tick_ms: plan.tick_ms,
            balance: plan.balance.clone(),
        })
    }

    /// Prints what runs where.
    pub fn describe(&self) {
        for server in &self.servers {
            let state = if server.child.is_some() {
                "running"
            } else {
                "stopped"
            };
            eprintln!("server {} on http://{} ({state})", server.name, server.addr);
        }
        match (&self.redis_addr, &self.redis) {
            (None, _) => eprintln!("no Redis: each server keeps its own log (--break local-log)"),
            (Some(addr), Some(redis)) => eprintln!(
                "redis-server on {addr} (PID {}, folder {})",
                redis.pid,
                redis.dir.display()
            ),
            (Some(addr), None) => eprintln!("Redis on {addr}"),
        }
        eprintln!(
            "nginx on {} (PID {}), {} over the servers",
            self.nginx.http, self.nginx.pid, self.balance
        );
    }

    /// Runs one command typed into the example.
    pub fn command(&mut self, line: &str) -> Result<Next, Box<dyn Error>> {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [] => {}
            ["servers"] => self.describe(),
            ["kill", n] => {
                let server = self.server(n)?;
                server.kill();
                eprintln!("server {} killed (SIGKILL)", server.name);
            }
            ["start", n] => {
                let redis = self.redis_addr.clone();
                let tick_ms = self.tick_ms;
                let server = self.server(n)?;
                if server.child.is_none() {
                    let number: usize = n.parse()?;
                    *server = ServerProcess::start(
                        number,
                        &server.addr.clone(),
                        redis.as_deref(),
                        tick_ms,
                    )?;
                }
                eprintln!("server {} running on http://{}", server.name, server.addr);
            }
            ["redis", "stop"] => match self.redis.take() {
                Some(redis) => {
                    self.stopped_redis = Some(redis.stop());
                    eprintln!("redis-server stopped");
                }
                None => eprintln!("no redis-server of this example's is running"),
            },
            ["redis", "start"] => match self.stopped_redis.take() {
                Some((dir, port)) => {
                    self.redis = Some(Redis::start_in(dir, port)?);
                    eprintln!("redis-server started again, from its append-only file");
                }
                None => eprintln!("redis-server was not stopped"),
            },
            ["redis", "flush"] => {
                let addr = self.redis_addr.clone().ok_or("no Redis")?;
                let mut redis = realtime::redis::client::RedisClient::connect(
                    &addr,
                    std::time::Duration::from_secs(2),
                )?;
                redis.command(&[b"FLUSHALL"])?;
                eprintln!(
                    "Redis emptied: the next publish continues above the newest id a server has seen"
                );
            }
            ["quit"] => return Ok(Next::Quit),
            _ => eprintln!(
                "commands: servers | kill N | start N | redis stop | redis start | redis flush | quit"
            ),
        }
        Ok(Next::Go)
    }

    fn server(&mut self, n: &str) -> Result<&mut ServerProcess, Box<dyn Error>> {
        let index: usize = n.parse()?;
        self.servers
            .get_mut(index.wrapping_sub(1))
            .ok_or_else(|| format!("no server {n}").into())
    }
}

impl ServerProcess {
    /// Starts server `n` on `addr`, with the shared log at `redis` if any; server 1 runs
    /// the ticker every `tick_ms` (0: no ticker), so the cluster ticks once, not N times.
    pub fn start(
        n: usize,
        addr: &str,
        redis: Option<&str>,
        tick_ms: u64,
    ) -> Result<ServerProcess, Box<dyn Error>> {
        let name = format!("s{n}");
        let tick = if n == 1 {
            tick_ms.to_string()
        } else {
            "0".into()
        };
        let mut args = vec![
            "--serve",
            "--until-stdin-closes",
            "--addr",
            addr,
            "--name",
            &name,
            "--tick-ms",
            &tick,
        ];
        if let Some(redis) = redis {
            args.extend(["--redis", redis]);
        }
        let mut child = Command::new(std::env::current_exe()?)
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdin = child.stdin.take();
        let mut line = String::new();
        BufReader::new(child.stdout.take().ok_or("no stdout")?).read_line(&mut line)?;
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .ok_or_else(|| format!("server {name}: {line:?}"))?
            .to_owned();
        Ok(ServerProcess {
            name,
            addr,
            child: Some(child),
            _stdin: stdin,
        })
    }

    /// SIGKILL, by PID: no goodbye, as a crash.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        self._stdin = None;
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
