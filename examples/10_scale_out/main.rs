//! Lesson 10 lab sheet: three servers behind nginx, one event log in Redis Streams.
//!
//! Run it (Debian's `redis-server` and `nginx`; the example starts its own, in folders of
//! their own, on loopback, and stops them when it ends):
//!
//! ```text
//! cargo run --example 10_scale_out                      # listening on http://127.0.0.1:8091
//! cargo run --example 10_scale_out -- --servers 5       # more servers
//! cargo run --example 10_scale_out -- --redis 127.0.0.1:6379   # a Redis that is already running
//! cargo run --example 10_scale_out -- --break local-log # the wrong way: a log per server (lesson 10)
//! cargo run --example 10_scale_out -- --tick-ms 0       # no ticker: for lesson 8's generator
//! cargo run --example 10_scale_out -- --balance ip-hash  # sticky by address (or `cookie`)
//! ```
//!
//! Open http://127.0.0.1:8091: the four panels, each showing which server it reached
//! (nginx picks round robin, no stickiness). Then type into this example's terminal:
//!
//! ```text
//! servers          the servers and their addresses
//! kill 2           SIGKILL server 2: its clients come back through nginx to the others
//! start 2          start it again, on the same port
//! redis stop       stop Redis: publishes get 503, readers wait and resume
//! redis start      start it again, from its append-only file
//! redis flush      empty Redis (its data lost): ids go on above what the servers have seen
//! quit
//! ```
//!
//! Every server is this example again, with `--serve` (its options go to the server:
//! `--redis`, `--name`, `--tick-ms`, …). Read alongside: `src/redis/`, then
//! `examples/support/redis.rs`, `examples/support/nginx.rs`, and `cluster.rs` here.

#[path = "../support/nginx.rs"]
mod nginx;
#[path = "../support/redis.rs"]
mod redis;

mod cluster;

use std::error::Error;
use std::io::BufRead;

use realtime::http::{Router, Server};
use realtime::options::Options;
use realtime::{pages, playground, stats, ticker};

use cluster::Cluster;

/// nginx's port when free.
const PORT: u16 = 8091;

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "--serve") {
        return serve(&args[1..]);
    }
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{}", cluster::USAGE);
        return Ok(());
    }
    let started = cluster::Plan::parse(&args).and_then(|plan| Cluster::start(&plan, PORT));
    let mut cluster = match started {
        Ok(cluster) => cluster,
        Err(e) => {
            eprintln!("10_scale_out: {e}");
            std::process::exit(2);
        }
    };
    println!("listening on {}", cluster.nginx.http);
    cluster.describe();
    eprintln!(
        "commands: servers | kill N | start N | redis stop | redis start | redis flush | quit"
    );
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        match cluster.command(line.trim()) {
            Ok(cluster::Next::Go) => {}
            Ok(cluster::Next::Quit) => break,
            Err(e) => eprintln!("{e}"),
        }
    }
    Ok(())
}

/// `--serve`: one server of the cluster: lesson 10's page, the contract's endpoints over
/// the shared log (`--redis`), `/stats`, and the ticker if `--tick-ms` is not 0.
///
/// With `--until-stdin-closes` first, it also exits when its stdin closes: the cluster
/// keeps that pipe, so its servers end with it, even when it is killed.
fn serve(args: &[String]) -> Result<(), Box<dyn Error>> {
    let args = match args.first().map(String::as_str) {
        Some("--until-stdin-closes") => {
            std::thread::spawn(|| {
                let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
                std::process::exit(0);
            });
            &args[1..]
        }
        _ => args,
    };
    let options = Options::parse("127.0.0.1:0", args.iter().cloned())?;
    let (log, publish) = options.event_log();
    ticker::spawn(std::sync::Arc::clone(&publish), options.tick);
    let server = Server::bind(&options.addr, options.server_config())?;
    let page = pages::shared_assets(Router::new())
        .get("/", pages::html(include_str!("../pages/10_scale_out.html")));
    let router = playground::endpoints(
        page,
        log,
        publish,
        options.stream_options(),
        options.websocket(),
        options.handshake(),
        options.breaks,
    );
    server.announce()?;
    let stats = stats::handler(server.ledger());
    server.run(router.get("/stats", stats))
}
