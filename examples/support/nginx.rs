//! Debian's nginx, started in a folder of its own with one of `examples/nginx/*.conf`, on
//! free loopback ports, and stopped by PID. Shared by `09_reverse_proxy`, `10_scale_out`
//! and the tests (`#[path]`-included; it is not part of the crate).
#![allow(dead_code)] // each example and test that includes it uses a part

use std::error::Error;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// The site configs, by the name `--config` takes.
pub const CONFIGS: [(&str, &str); 6] = [
    ("good", include_str!("../nginx/good.conf")),
    ("buffered", include_str!("../nginx/buffered.conf")),
    ("no-upgrade", include_str!("../nginx/no-upgrade.conf")),
    ("http10", include_str!("../nginx/http10.conf")),
    ("short-timeout", include_str!("../nginx/short-timeout.conf")),
    ("gzip", include_str!("../nginx/gzip.conf")),
];
const BASE: &str = include_str!("../nginx/base.conf");
/// How the upstream picks a server, by the name lesson 10's `--balance` takes: the line
/// written into `base.conf`'s upstream block.
pub const BALANCING: [(&str, &str); 3] = [
    // Each new request or connection to the next server in turn: no stickiness.
    ("round-robin", ""),
    // By the client's address, and for IPv4 only its first three octets: every client of
    // one /24 network (all of 127.0.0.x, a whole office behind one NAT) on one server.
    ("ip-hash", "ip_hash;"),
    // By the value of the cookie `session`: one session, one server, while that server
    // lives (`consistent`: adding or removing a server moves few sessions). A request
    // without the cookie has an empty key, and nginx balances those round robin.
    ("cookie", "hash $cookie_session consistent;"),
];
/// How long nginx may take to listen.
const START_DEADLINE: Duration = Duration::from_secs(10);
/// Where Debian puts it; `PATH` is tried too.
const DEBIAN_NGINX: &str = "/usr/sbin/nginx";

/// A running nginx.
pub struct Nginx {
    /// `http://127.0.0.1:PORT`: plain HTTP/1.1.
    pub http: String,
    /// `127.0.0.1:PORT` of the TLS and HTTP/2 listener, for configs that have one.
    pub tls: Option<String>,
    /// The folder with its config, logs and certificate.
    pub dir: PathBuf,
    /// The master's PID (its one worker is its child).
    pub pid: u32,
    /// The shell that watches us: when this process ends, even killed, its stdin closes
    /// and it stops nginx.
    watchdog: Child,
    stdin: ChildStdin,
}

/// The nginx binary, or how to install it.
pub fn binary() -> Result<PathBuf, String> {
    if Path::new(DEBIAN_NGINX).is_file() {
        return Ok(DEBIAN_NGINX.into());
    }
    let found = Command::new("sh")
        .args(["-c", "command -v nginx"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    found
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| "nginx is not installed: on Debian, `sudo apt-get install nginx`".into())
}

/// A free port on 127.0.0.1 (free when asked; taken again at once by the caller).
pub fn free_port() -> std::io::Result<u16> {
    port_or_free(0)
}

/// `port` if it is free on 127.0.0.1, else a free one.
fn port_or_free(port: u16) -> std::io::Result<u16> {
    match TcpListener::bind(("127.0.0.1", port)) {
        Ok(listener) => Ok(listener.local_addr()?.port()),
        Err(_) => Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port()),
    }
}

impl Nginx {
    /// Starts nginx with the site config `config` (a name of [`CONFIGS`]) in front of
    /// `upstreams` (`127.0.0.1:8080`, …), on free ports. Configs with a TLS listener get a
    /// self-signed certificate for `localhost` and 127.0.0.1, made with `openssl`.
    pub fn start(config: &str, upstreams: &[String]) -> Result<Nginx, Box<dyn Error>> {
        Nginx::start_on(config, upstreams, 0, 0)
    }

    /// The same on `port` and `tls_port` when they are free (else on free ones).
    pub fn start_on(
        config: &str,
        upstreams: &[String],
        port: u16,
        tls_port: u16,
    ) -> Result<Nginx, Box<dyn Error>> {
        Nginx::launch(config, "", upstreams, (port, tls_port))
    }

    /// The good config in front of `upstreams` on `port` (or a free one), picking a server
    /// by `balancing` (a name of [`BALANCING`]).
    pub fn start_balanced(
        balancing: &str,
        upstreams: &[String],
        port: u16,
    ) -> Result<Nginx, Box<dyn Error>> {
        let (_, line) = BALANCING
            .into_iter()
            .find(|(name, _)| *name == balancing)
            .ok_or_else(|| {
                format!(
                    "no balancing {balancing}; one of {:?}",
                    BALANCING.map(|b| b.0)
                )
            })?;
        Nginx::launch("good", line, upstreams, (port, 0))
    }

    /// Starts nginx: `config` a name of [`CONFIGS`], `balancing` a line of [`BALANCING`].
    fn launch(
        config: &str,
        balancing: &str,
        upstreams: &[String],
        (port, tls_port): (u16, u16),
    ) -> Result<Nginx, Box<dyn Error>> {
        let site = CONFIGS
            .iter()
            .find(|(name, _)| *name == config)
            .map(|(_, text)| *text)
            .ok_or_else(|| format!("no config {config}; one of {:?}", CONFIGS.map(|c| c.0)))?;
        let nginx = binary()?;
        let dir = fresh_dir(config)?;
        let port = port_or_free(port)?;
        let tls_port = port_or_free(tls_port)?;
        let wants_tls = site.contains("{{TLS_PORT}}");
        if wants_tls {
            make_certificate(&dir)?;
        }
        let servers: Vec<String> = upstreams.iter().map(|u| format!("server {u};")).collect();
        let fill = |text: &str| {
            text.replace("{{DIR}}", &dir.display().to_string())
                .replace("{{PORT}}", &port.to_string())
                .replace("{{TLS_PORT}}", &tls_port.to_string())
                .replace("{{UPSTREAMS}}", &servers.join("\n        "))
                .replace("{{BALANCING}}", balancing)
        };
        std::fs::write(dir.join("nginx.conf"), fill(BASE))?;
        std::fs::write(dir.join("site.conf"), fill(site))?;
        let command = format!(
            "{} -p {d} -c {d}/nginx.conf -e {d}/error.log & pid=$!; echo $pid; read _; kill $pid; wait $pid; rm -rf {d}",
            nginx.display(),
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
        let mut nginx = Nginx {
            http: format!("http://127.0.0.1:{port}"),
            tls: wants_tls.then(|| format!("127.0.0.1:{tls_port}")),
            dir,
            pid: pid.trim().parse()?,
            watchdog,
            stdin,
        };
        nginx.wait_listening(port)?;
        Ok(nginx)
    }

    /// `127.0.0.1:PORT` of the plain listener.
    pub fn addr(&self) -> &str {
        self.http.trim_start_matches("http://")
    }

    fn wait_listening(&mut self, port: u16) -> Result<(), Box<dyn Error>> {
        let deadline = Instant::now() + START_DEADLINE;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = self.watchdog.try_wait() {
                return Err(format!("nginx exited ({status}):\n{}", self.error_log()).into());
            }
            if Instant::now() > deadline {
                return Err(format!("nginx did not listen in time:\n{}", self.error_log()).into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// The end of nginx's error log.
    pub fn error_log(&self) -> String {
        let log = std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // The watchdog shell reads this line, sends SIGTERM to the master by its PID (a fast
        // shutdown that takes its worker with it) and waits for it.
        let _ = self.stdin.write_all(b"\n");
        let _ = self.watchdog.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn fresh_dir(config: &str) -> std::io::Result<PathBuf> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "realtime-nginx-{}-{n}-{config}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// A self-signed certificate for `localhost` and 127.0.0.1, valid one day.
fn make_certificate(dir: &Path) -> Result<(), Box<dyn Error>> {
    let status = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("openssl: {e} (on Debian, `sudo apt-get install openssl`)"))?;
    if !status.success() {
        return Err("openssl could not make a certificate".into());
    }
    Ok(())
}
