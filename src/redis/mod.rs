//! Lesson 10: Redis, and a shared event log in Redis Streams.
//!
//! ```text
//! POST /publish ──► any server ──EVAL (XADD key 0-*)──► Redis stream  0-1 0-2 0-3 …
//!                                                         │
//!   every server's reader thread ◄──XREAD BLOCK from its last id──┘
//!        └──► its local EventLog ──► the transports of lessons 2–7, unchanged
//! ```
//!
//! | module | what |
//! |---|---|
//! | [`resp`] | RESP2, the protocol: a pure decoder and the command encoder |
//! | [`client`] | a blocking client: one command, one answer, on one connection |
//! | [`shared_log`] | publishing with `XADD`, and the reader thread that feeds the local log |
//!
//! Left out on purpose: Redis Cluster, TLS, authentication (`AUTH`), consumer groups
//! (`XREADGROUP`: each server here reads everything, which is the point), and RESP3.

pub mod client;
pub mod resp;
pub mod shared_log;
