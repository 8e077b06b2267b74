//! Lesson 10: why a stream and not Pub/Sub, with a real redis-server (Debian's, started
//! on a free loopback port, stopped by PID) and the crate's own RESP client. Without
//! redis-server the test skips loudly, except under CI.

mod common;
#[path = "../examples/support/redis.rs"]
mod redis;

use std::time::Duration;

use common::process::tools_present;
use realtime::redis::client::RedisClient;
use realtime::redis::resp::Value;

fn redis_installed() -> bool {
    let missing: Vec<String> = redis::binary().err().into_iter().collect();
    tools_present("lesson 10's Pub/Sub test", &missing)
}

#[test]
fn pub_sub_loses_what_was_published_while_a_subscriber_was_away_and_a_stream_keeps_it() {
    if !redis_installed() {
        return;
    }
    let redis = redis::Redis::start().unwrap();
    let connect = || RedisClient::connect(&redis.addr, Duration::from_secs(5)).unwrap();
    let mut publisher = connect();
    // Pub/Sub: a subscriber that reconnects has lost what came meanwhile.
    let mut subscriber = connect();
    subscriber.command(&[b"SUBSCRIBE", b"news"]).unwrap();
    publisher.command(&[b"PUBLISH", b"news", b"m1"]).unwrap();
    assert_eq!(message_of(subscriber.receive().unwrap()), "m1");
    drop(subscriber); // away
    publisher.command(&[b"PUBLISH", b"news", b"m2"]).unwrap();
    let mut subscriber = connect();
    subscriber.command(&[b"SUBSCRIBE", b"news"]).unwrap();
    publisher.command(&[b"PUBLISH", b"news", b"m3"]).unwrap();
    assert_eq!(
        message_of(subscriber.receive().unwrap()),
        "m3",
        "m2 is gone"
    );
    // A stream: the reader that comes back reads on from its last id.
    publisher
        .command(&[b"XADD", b"s", b"0-*", b"data", b"m1"])
        .unwrap();
    let first = connect()
        .command(&[b"XREAD", b"STREAMS", b"s", b"0-0"])
        .unwrap();
    assert!(texts(&first).contains(&"m1".to_owned()));
    publisher
        .command(&[b"XADD", b"s", b"0-*", b"data", b"m2"])
        .unwrap();
    let again = connect()
        .command(&[b"XREAD", b"STREAMS", b"s", b"0-1"])
        .unwrap();
    assert!(
        texts(&again).contains(&"m2".to_owned()),
        "m2 is kept: {again:?}"
    );
}

/// The text of a Pub/Sub push `["message", channel, text]`.
fn message_of(push: Value) -> String {
    match push {
        Value::Array(parts) if parts.len() == 3 => {
            parts[2].as_text().unwrap_or_default().to_owned()
        }
        other => panic!("not a message: {other:?}"),
    }
}

/// Every text in `value`, however deep.
fn texts(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().flat_map(texts).collect(),
        other => other.as_text().map(str::to_owned).into_iter().collect(),
    }
}
