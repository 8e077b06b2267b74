//! Lesson 10 in a real browser: the page through nginx in front of three servers, `s1`,
//! `s2` and `s3`, that share one event log in Redis Streams (the cluster of the
//! `10_scale_out` example, started here piece by piece). Every panel names the server it
//! reached; when the SSE panel's server is killed, the browser's reconnection lands on
//! another one, which resumes after the panel's last id: the next message shows once, and
//! none before it comes again.
//!
//! Needs Chromium, node and playwright-core (as `lesson_browser.rs`), nginx (as
//! `lesson_09_nginx.rs`) and redis-server; without them it skips loudly, or fails under
//! `CI=true`.

mod common;
#[path = "../examples/support/nginx.rs"]
mod nginx;
#[path = "../examples/support/redis.rs"]
mod redis;
#[path = "browser/support.rs"]
mod support;

use std::cell::RefCell;

use common::process::tools_present;
use support::{Server, address_of, browser_available, drive_asking, example, string_field};

/// The servers' names (`--name`), as the page shows them.
const NAMES: [&str; 3] = ["s1", "s2", "s3"];
/// The page's panels, by their `data-transport`.
const TRANSPORTS: [&str; 4] = ["poll", "long-poll", "sse", "websocket"];

#[test]
fn sse_panel_moves_to_another_server_when_its_own_dies_and_loses_or_repeats_nothing() {
    let Some(_lock) = browser_available() else {
        return;
    };
    let missing: Vec<String> = [nginx::binary(), redis::binary()]
        .into_iter()
        .filter_map(Result::err)
        .collect();
    if !tools_present("the lesson 10 browser test", &missing) {
        return;
    }
    let redis = redis::Redis::start().expect("start redis-server");
    let program = example("10_scale_out");
    let servers: Vec<(&str, Server)> = NAMES
        .iter()
        .map(|&name| {
            let args = [
                "--serve",
                "--addr",
                "127.0.0.1:0",
                "--name",
                name,
                "--tick-ms",
                "0",
                "--redis",
                &redis.addr,
            ];
            (name, Server::start(&program, &args))
        })
        .collect();
    let upstreams: Vec<String> = servers
        .iter()
        .map(|(_, server)| address_of(server).to_string())
        .collect();
    let proxy = nginx::Nginx::start("good", &upstreams).expect("start nginx");

    // The mode asks "kill sN" once it knows the SSE panel's server; dropping that Server
    // kills it by its PID (SIGKILL: no goodbye, as a crash).
    let servers = RefCell::new(servers);
    let kill = |question: &str| {
        let name = question
            .strip_prefix("kill ")
            .unwrap_or_else(|| panic!("unexpected question {question:?}"));
        let mut servers = servers.borrow_mut();
        let at = servers
            .iter()
            .position(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("no running server {name}"));
        drop(servers.remove(at));
        format!("killed {name}")
    };
    let context = || {
        let mut text = String::new();
        for (name, server) in servers.borrow().iter() {
            text += &format!("{name} stderr:\n{}\n", server.stderr());
        }
        text + &format!("redis-server log:\n{}", redis.log())
    };
    let url = format!("{}/", proxy.http);
    let report = drive_asking(&url, "scale-out", "scaled out ✓", kill, context);

    let field =
        |name: &str| string_field(&report, name).unwrap_or_else(|| panic!("{name}: {report}"));
    for transport in TRANSPORTS {
        for when in ["before", "after"] {
            let server = field(&format!("{when}_{transport}"));
            assert!(NAMES.contains(&server), "{when}_{transport}: {report}");
        }
        // Every panel lists each message exactly once, whichever servers it went through.
        assert_eq!(
            field(&format!("times_{transport}")),
            "1 1",
            "{transport}: {report}"
        );
    }
    let (killed, before, after) = (field("killed"), field("before_sse"), field("after_sse"));
    assert_eq!(killed, before, "{report}");
    assert_ne!(after, before, "the SSE panel should have moved: {report}");
    // The panel says so, in its list.
    let note = format!("now on {after} (was {before})");
    assert!(report.contains(&note), "no note {note:?}: {report}");
    // One log, one sequence of ids, whoever took each publish.
    let id = |name: &str| -> u64 { field(name).parse().unwrap_or_else(|_| panic!("{report}")) };
    assert!(id("second_id") > id("first_id"), "{report}");
}
