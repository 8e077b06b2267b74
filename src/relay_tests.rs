//! The relay over real sockets: each fault does what it says and nothing else.

use super::*;

/// A relay with `faults` in front of a listener; returns (client, the server's side).
fn through(faults: Faults) -> (TcpStream, TcpStream) {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let relay = Relay::start(server.local_addr().unwrap(), faults).unwrap();
    let client = TcpStream::connect(relay.addr()).unwrap();
    let (upstream, _) = server.accept().unwrap();
    for stream in [&client, &upstream] {
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
    }
    (client, upstream)
}

#[test]
fn bytes_cross_unchanged_and_late_in_both_directions() {
    let (mut client, mut upstream) = through(Faults {
        delay: Duration::from_millis(30),
        ..Faults::default()
    });
    let sent = Instant::now();
    client.write_all(b"ping").unwrap();
    let mut got = [0u8; 4];
    upstream.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"ping");
    upstream.write_all(b"pong").unwrap();
    client.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"pong");
    assert!(
        sent.elapsed() >= Duration::from_millis(60),
        "{:?}",
        sent.elapsed()
    );
    drop(upstream); // the close comes through too
    assert_eq!(client.read(&mut got).unwrap(), 0);
}

#[test]
fn one_byte_pieces_arrive_whole_and_in_order() {
    let (client, mut upstream) = through(Faults {
        pieces: Some(1),
        ..Faults::default()
    });
    (&client).write_all(b"abcdef").unwrap();
    let mut all = Vec::new();
    let mut byte = [0u8; 1];
    while all.len() < 6 {
        let n = upstream.read(&mut byte).unwrap();
        all.extend_from_slice(&byte[..n]);
    }
    assert_eq!(all, b"abcdef");
}

#[test]
fn a_buffering_relay_holds_the_servers_bytes_until_enough_or_the_end() {
    let (mut client, mut upstream) = through(Faults {
        buffer_until: Some(10),
        ..Faults::default()
    });
    upstream.write_all(b"12345").unwrap();
    client
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut got = [0u8; 10];
    assert!(client.read(&mut got).is_err(), "5 bytes are held back");
    upstream.write_all(b"67890").unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    client.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"1234567890");
    // The client's bytes are not held.
    client.write_all(b"x").unwrap();
    upstream.read_exact(&mut got[..1]).unwrap();
}

#[test]
fn an_idle_connection_is_killed_both_ways() {
    let (mut client, mut upstream) = through(Faults {
        idle_kill: Some(Duration::from_millis(100)),
        ..Faults::default()
    });
    client.write_all(b"a").unwrap();
    let mut got = [0u8; 1];
    upstream.read_exact(&mut got).unwrap();
    assert_eq!(
        client.read(&mut got).unwrap(),
        0,
        "the client sees the close"
    );
    assert_eq!(
        upstream.read(&mut got).unwrap(),
        0,
        "and so does the server"
    );
}

#[test]
fn a_frozen_relay_forwards_nothing_and_closes_nothing() {
    let (mut client, upstream) = through(Faults {
        freeze_after: Some(Duration::from_millis(50)),
        ..Faults::default()
    });
    thread::sleep(Duration::from_millis(100)); // past the freeze
    (&upstream).write_all(b"lost").unwrap();
    client
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let err = client.read(&mut [0u8; 4]).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{err}"
    );
}
