//! Debian's redis-server, started in a folder of its own on a free loopback port, with its
//! append-only file on and `appendfsync always` (an acknowledged write survives a
//! restart), and stopped by PID. Shared by `10_scale_out` and the tests (`#[path]`-included;
//! it is not part of the crate).
#![allow(dead_code)] // each example and test that includes it uses a part

use std::error::Error;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// Where Debian puts it; `PATH` is tried too.
const DEBIAN_REDIS: &str = "/usr/bin/redis-server";
/// How long redis-server may take to listen (it replays its append-only file first).
const START_DEADLINE: Duration = Duration::from_secs(10);

/// A running redis-server.
pub struct Redis {
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// Its folder: the append-only file and the log.
    pub dir: PathBuf,
    /// The server's PID.
    pub pid: u32,
    watchdog: Child,
    stdin: ChildStdin,
    /// Set by [`Redis::stop`]: the folder outlives this value.
    keep_dir: bool,
}

/// The redis-server binary, or how to install it.
pub fn binary() -> Result<PathBuf, String> {
    if Path::new(DEBIAN_REDIS).is_file() {
        return Ok(DEBIAN_REDIS.into());
    }
    let found = Command::new("sh")
        .args(["-c", "command -v redis-server"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    found
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| {
            "redis-server is not installed: on Debian, `sudo apt-get install redis-server`".into()
        })
}

impl Redis {
    /// Starts redis-server in a fresh folder on a free port.
    pub fn start() -> Result<Redis, Box<dyn Error>> {
        let dir = fresh_dir()?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        Redis::start_in(dir, port)
    }

    /// Starts redis-server in `dir` on `port`: after [`Redis::stop`], the same folder and
    /// port give back the same data (from the append-only file).
    pub fn start_in(dir: PathBuf, port: u16) -> Result<Redis, Box<dyn Error>> {
        let redis = binary()?;
        let command = format!(
            "{} --bind 127.0.0.1 --port {port} --dir {d} --appendonly yes --appendfsync always \
             --save '' --logfile {d}/redis.log & pid=$!; echo $pid; read _; kill $pid; wait $pid",
            redis.display(),
            d = dir.display()
        );
        let mut watchdog = Command::new("sh")
            .args(["-c", &command])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdin = watchdog.stdin.take().ok_or("no stdin")?;
        let mut pid = String::new();
        BufReader::new(watchdog.stdout.take().ok_or("no stdout")?).read_line(&mut pid)?;
        let mut redis = Redis {
            addr: format!("127.0.0.1:{port}"),
            dir,
            pid: pid.trim().parse()?,
            watchdog,
            stdin,
            keep_dir: false,
        };
        redis.wait_listening()?;
        Ok(redis)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    }

    /// Stops it (SIGTERM by PID; with `appendfsync always` nothing acknowledged is lost)
    /// and keeps its folder, for [`Redis::start_in`]. Returns the folder and the port.
    pub fn stop(mut self) -> (PathBuf, u16) {
        self.keep_dir = true;
        (self.dir.clone(), self.port())
    }

    fn wait_listening(&mut self) -> Result<(), Box<dyn Error>> {
        let deadline = Instant::now() + START_DEADLINE;
        while TcpStream::connect(&self.addr).is_err() {
            if let Ok(Some(status)) = self.watchdog.try_wait() {
                return Err(format!("redis-server exited ({status}):\n{}", self.log()).into());
            }
            if Instant::now() > deadline {
                return Err(format!("redis-server did not listen in time:\n{}", self.log()).into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// The end of redis-server's log.
    pub fn log(&self) -> String {
        let log = std::fs::read_to_string(self.dir.join("redis.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        // The watchdog shell reads this line, sends SIGTERM to redis-server by its PID
        // (it flushes and exits) and waits for it.
        let _ = self.stdin.write_all(b"\n");
        let _ = self.watchdog.wait();
        if !self.keep_dir {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn fresh_dir() -> std::io::Result<PathBuf> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("realtime-redis-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
