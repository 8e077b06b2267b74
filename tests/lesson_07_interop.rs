//! Lesson 7 against a third-party client: the Python `websockets` package
//! (`tests/interop/websockets_client.py`) on the echo endpoint and the `/ws` feed of one server.
//! Needs `$REALTIME_PYTHON` or `target/interop-venv/bin/python`; see `tests/interop/support.rs`.

mod common;
#[path = "interop/support.rs"]
mod interop;

use std::time::Duration;

use common::ws;
use realtime::http::ServerConfig;

#[test]
fn the_python_websockets_client_interoperates_with_the_server() {
    let python = interop::python();
    if !interop::available(&python, "websockets.sync.client", "websockets") {
        return;
    }
    let (addr, log) = ws::start(
        ws::quick(Duration::from_millis(150), Duration::from_millis(500)),
        Default::default(),
        ServerConfig::default(),
    );
    log.publish("history one");
    log.publish("history two");
    let script = interop::script("websockets_client.py");
    let address = addr.to_string();
    let (status, stdout, stderr) = interop::run_bounded(
        &python,
        &[script.to_str().expect("a UTF-8 path"), &address],
        Duration::from_secs(60),
    );
    let context = format!("stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        status.success(),
        "the interop script failed ({status})\n{context}"
    );
    for check in [
        "ok permessage-deflate offered and not agreed",
        "ok echo text",
        "ok echo empty text",
        "ok echo binary",
        "ok echo 1 MiB binary",
        "ok ping answered by a pong with its payload",
        "ok fragmented text",
        "ok fragmented binary",
        "ok server pings answered by the client",
        "ok clean close, the server echoed 1000 (got 1000)",
        "ok history on /ws",
        "ok a text message sent on /ws is published",
        "ok POST /publish",
        "ok a published event arrives on /ws",
        "ok clean close of /ws",
        "ok /ws?since=3 resumes after 3",
        "all ok",
    ] {
        assert!(
            stdout.lines().any(|line| line == check),
            "missing {check:?}\n{context}"
        );
    }
    let data: Vec<String> = log.since(2).events.iter().map(|e| e.data.clone()).collect();
    assert_eq!(data, ["from python", "posted"]);
}
