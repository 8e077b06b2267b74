//! Lesson 1 over real sockets: framing, persistent connections and every limit of the
//! contract (LESSONS.md, "Appendix: the wire contract"), each answered with the right
//! status and a clean close.

mod common;

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::{READ_TIMEOUT, connect, exchange, get, is_closed, read_answer};
use realtime::http::{
    MAX_BODY_BYTES, MAX_HEAD_BYTES, Reply, Request, Response, Router, ServerConfig, Status,
};

fn echo_body(request: &Request) -> Reply {
    Response::text(
        Status::OK,
        String::from_utf8_lossy(&request.body).into_owned(),
    )
    .into()
}

fn router() -> Router {
    Router::new()
        .get("/hello", |_: &Request| {
            Response::text(Status::OK, "hello, world\n").into()
        })
        .post("/echo", echo_body)
}

fn server() -> SocketAddr {
    common::start(router(), ServerConfig::default())
}

#[test]
fn a_request_written_one_byte_at_a_time_is_answered() {
    let mut stream = connect(server());
    for byte in b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\n" {
        stream.write_all(&[*byte]).unwrap();
        stream.flush().unwrap();
    }
    let answer = read_answer(&mut stream, false);
    assert_eq!(
        (answer.status, answer.text().as_str()),
        (200, "hello, world\n")
    );
}

#[test]
fn the_answer_has_status_line_date_type_and_length() {
    let answer = get(server(), "/hello");
    assert!(answer.head.starts_with("HTTP/1.1 200 OK\r\n"));
    let date = answer.field("date").unwrap();
    assert_eq!(
        (date.len(), &date[date.len() - 4..]),
        (29, " GMT"),
        "IMF-fixdate: {date}"
    );
    assert_eq!(
        answer.field("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(answer.field("content-length"), Some("13"));
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let mut stream = connect(server());
    let first = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nfirst";
    let second = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\n\r\nsecond";
    stream
        .write_all(format!("{first}{second}GET /hello HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes())
        .unwrap();
    let texts: Vec<String> = (0..3)
        .map(|_| read_answer(&mut stream, false).text())
        .collect();
    assert_eq!(texts, ["first", "second", "hello, world\n"]);
}

#[test]
fn http_1_1_keeps_the_connection_until_connection_close() {
    let mut stream = connect(server());
    stream
        .write_all(b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    assert_eq!(read_answer(&mut stream, false).field("connection"), None);
    stream
        .write_all(b"GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .unwrap();
    assert_eq!(
        read_answer(&mut stream, false).field("connection"),
        Some("close")
    );
    assert!(is_closed(&mut stream));
}

#[test]
fn http_1_0_closes_unless_it_asks_for_keep_alive() {
    let mut stream = connect(server());
    stream
        .write_all(b"GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        .unwrap();
    assert_eq!(
        read_answer(&mut stream, false).field("connection"),
        Some("keep-alive")
    );
    stream.write_all(b"GET /hello HTTP/1.0\r\n\r\n").unwrap();
    assert_eq!(
        read_answer(&mut stream, false).field("connection"),
        Some("close")
    );
    assert!(is_closed(&mut stream));
}

/// A `GET /hello` head of exactly `size` bytes, padded with one field.
fn head_of(size: usize) -> Vec<u8> {
    let start = "GET /hello HTTP/1.1\r\nHost: t\r\nX-Pad: ";
    let pad = size - start.len() - "\r\n\r\n".len();
    format!("{start}{}\r\n\r\n", "a".repeat(pad)).into_bytes()
}

#[test]
fn a_head_of_exactly_8_kib_passes_and_one_byte_more_gets_431_and_close() {
    let addr = server();
    assert_eq!(exchange(addr, &head_of(MAX_HEAD_BYTES)).status, 200);
    let mut stream = connect(addr);
    stream.write_all(&head_of(MAX_HEAD_BYTES + 1)).unwrap();
    assert_eq!(read_answer(&mut stream, false).status, 431);
    assert!(is_closed(&mut stream));
}

#[test]
fn a_head_that_never_ends_gets_431_once_past_8_kib() {
    let mut stream = connect(server());
    stream
        .write_all(b"GET /hello HTTP/1.1\r\nX-Endless: ")
        .unwrap();
    stream.write_all(&vec![b'a'; MAX_HEAD_BYTES]).unwrap();
    assert_eq!(read_answer(&mut stream, false).status, 431);
}

fn post_echo(body_len: usize) -> Vec<u8> {
    let mut request =
        format!("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: {body_len}\r\n\r\n")
            .into_bytes();
    request.resize(request.len() + body_len, b'b');
    request
}

#[test]
fn a_body_of_exactly_64_kib_passes_and_one_byte_more_gets_413_and_close() {
    let addr = server();
    let answer = exchange(addr, &post_echo(MAX_BODY_BYTES));
    assert_eq!((answer.status, answer.body.len()), (200, MAX_BODY_BYTES));
    let mut stream = connect(addr);
    // The whole oversized body is sent: the server must drain it, not reset the answer away.
    stream.write_all(&post_echo(MAX_BODY_BYTES + 1)).unwrap();
    assert_eq!(read_answer(&mut stream, false).status, 413);
    assert!(is_closed(&mut stream));
}

#[test]
fn a_chunked_body_is_decoded() {
    let request = b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n\
        5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: yes\r\n\r\n";
    assert_eq!(exchange(server(), request).text(), "hello, world");
}

#[test]
fn a_chunked_body_over_64_kib_gets_413() {
    let mut request =
        b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    request.extend_from_slice(format!("{:x}\r\n", MAX_BODY_BYTES + 1).as_bytes());
    assert_eq!(exchange(server(), &request).status, 413);
}

#[test]
fn content_length_with_transfer_encoding_gets_400_and_close() {
    let mut stream = connect(server());
    let smuggle = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
    stream.write_all(smuggle.as_bytes()).unwrap();
    assert_eq!(read_answer(&mut stream, false).status, 400);
    assert!(is_closed(&mut stream));
}

#[test]
fn expect_100_continue_gets_100_before_the_body_is_sent() {
    let mut stream = connect(server());
    stream
        .write_all(
            b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n",
        )
        .unwrap();
    assert_eq!(read_answer(&mut stream, false).status, 100);
    stream.write_all(b"body").unwrap();
    assert_eq!(read_answer(&mut stream, false).text(), "body");
}

#[test]
fn malformed_requests_get_400_and_close() {
    let addr = server();
    for bad in [
        &b"GET /hello HTTP/1.1\r\nBad Field: x\r\n\r\n"[..],
        b"GARBAGE\r\n\r\n",
        b"GET /hello HTTP/1.1\r\n\r\n",
        b"GET /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 1x\r\n\r\n",
        b"GET hello HTTP/1.1\r\nHost: t\r\n\r\n",
    ] {
        let mut stream = connect(addr);
        stream.write_all(bad).unwrap();
        assert_eq!(
            read_answer(&mut stream, false).status,
            400,
            "{:?}",
            String::from_utf8_lossy(bad)
        );
        assert!(is_closed(&mut stream));
    }
}

#[test]
fn unknown_path_gets_404_and_wrong_method_gets_405_with_allow() {
    let addr = server();
    assert_eq!(get(addr, "/nowhere").status, 404);
    let answer = exchange(addr, b"DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(
        (answer.status, answer.field("allow")),
        (405, Some("GET, HEAD"))
    );
}

#[test]
fn head_gets_the_fields_of_get_without_the_body() {
    let mut stream = connect(server());
    stream
        .write_all(b"HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let head = read_answer(&mut stream, true);
    assert_eq!(
        (head.status, head.field("content-length")),
        (200, Some("13"))
    );
    // Had the HEAD answer carried a body, this would read it as the next status line.
    assert_eq!(read_answer(&mut stream, false).text(), "hello, world\n");
}

#[test]
fn a_slow_client_is_closed_at_the_idle_timeout_while_another_is_served() {
    let config = ServerConfig {
        idle_timeout: Duration::from_millis(200),
        ..ServerConfig::default()
    };
    let addr = common::start(router(), config);
    let mut slow = connect(addr);
    slow.write_all(b"GET /hello HT").unwrap();
    let started = Instant::now();
    let mut fast = connect(addr);
    fast.write_all(b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    assert_eq!(read_answer(&mut fast, false).status, 200);
    assert!(is_closed(&mut slow), "the unfinished head must be dropped");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(150) && waited < READ_TIMEOUT,
        "closed after {waited:?}"
    );
}

#[test]
fn an_idle_keep_alive_connection_is_closed_after_the_timeout() {
    let config = ServerConfig {
        idle_timeout: Duration::from_millis(100),
        ..ServerConfig::default()
    };
    let mut stream = connect(common::start(router(), config));
    stream
        .write_all(b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    assert_eq!(read_answer(&mut stream, false).status, 200);
    assert!(is_closed(&mut stream));
}

#[test]
fn connections_over_the_cap_get_503_with_retry_after_and_others_still_work() {
    let config = ServerConfig {
        max_connections: 2,
        ..ServerConfig::default()
    };
    let addr = common::start(router(), config);
    let mut held: Vec<TcpStream> = (0..2).map(|_| connect(addr)).collect();
    for stream in &mut held {
        // An answer proves the server accepted and counted this connection.
        stream
            .write_all(b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            .unwrap();
        assert_eq!(read_answer(stream, false).status, 200);
    }
    let mut refused = connect(addr);
    refused
        .write_all(b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let answer = read_answer(&mut refused, false);
    assert_eq!(
        (answer.status, answer.field("retry-after")),
        (503, Some("1"))
    );
    assert!(is_closed(&mut refused));
    drop(held.pop()); // frees a place once its thread sees the close
    common::eventually(READ_TIMEOUT, || {
        (get(addr, "/hello").status == 200).then_some(())
    });
}

#[test]
fn an_unknown_transfer_coding_gets_501_and_transfer_encoding_in_http_1_0_gets_400() {
    let addr = server();
    let gzip =
        b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n";
    assert_eq!(exchange(addr, gzip).status, 501);
    let old = b"POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
    assert_eq!(exchange(addr, old).status, 400);
}
