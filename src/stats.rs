//! Lesson 8: `GET /stats`, the ledger and the process as JSON, so that anything pointed at
//! a server (a page, `curl`, the load generator of `08_compare`, later through a proxy)
//! can compute what each transport costs per delivered event.
//!
//! ```text
//! $ curl -s http://127.0.0.1:8080/stats
//! {"transports":{"poll":{"requests":3,"bytes_read":288,"bytes_written":789,"open":1,"events":2},
//!  "long-poll":{…},"sse":{…},"ws":{…},"other":{…}},
//!  "process":{"threads":9,"cpu_user_ms":40,"cpu_system_ms":20,"voluntary_context_switches":411,"rss_kib":2304}}
//! ```
//!
//! (One line on the wire; broken here.) The transports' figures are the [`Ledger`]'s. The
//! process's come from Linux's `/proc`: `threads` and the CPU time (user and system, all
//! threads, also those that ended) from `/proc/self/stat`, in its 10 ms ticks; the
//! voluntary context switches (times a thread blocked and was woken) summed over the
//! threads alive now, from `/proc/self/task/*/status`, one file per thread; the resident
//! memory (`VmRSS`) from `/proc/self/status`. Elsewhere than Linux, `process` is `null`.

use std::fmt::Write;
use std::sync::Arc;

use crate::http::{Handler, Request, Response};
use crate::ledger::{Ledger, Transport};

/// `/proc`'s clock tick (`USER_HZ`): 100 per second on every Linux architecture this
/// crate runs on, so one tick is 10 ms.
const MS_PER_TICK: u64 = 10;

/// What `/proc` says of this process now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessStats {
    /// Threads now.
    pub threads: u64,
    /// CPU time in user mode, all threads, in milliseconds (10 ms resolution).
    pub cpu_user_ms: u64,
    /// CPU time in the kernel on the process's behalf, in milliseconds.
    pub cpu_system_ms: u64,
    /// Voluntary context switches of the threads alive now.
    pub voluntary_context_switches: u64,
    /// Resident memory (`VmRSS`), KiB.
    pub rss_kib: u64,
}

/// The `GET /stats` handler over `ledger` (the server's: [`crate::http::Server::ledger`]).
/// `Cache-Control: no-store`: every answer is a new reading.
pub fn handler(ledger: Arc<Ledger>) -> impl Handler {
    move |_: &Request| {
        Response::json(stats_json(&ledger, process_stats()))
            .with_field("Cache-Control", "no-store")
            .into()
    }
}

/// The JSON of `/stats`: `{"transports":{NAME:{…},…},"process":{…} or null}`.
pub fn stats_json(ledger: &Ledger, process: Option<ProcessStats>) -> String {
    let mut out = String::from("{\"transports\":{");
    for (i, transport) in Transport::ALL.into_iter().enumerate() {
        let s = ledger.snapshot(transport);
        let _ = write!(
            out,
            "{}\"{}\":{{\"requests\":{},\"bytes_read\":{},\"bytes_written\":{},\"open\":{},\"events\":{}}}",
            if i == 0 { "" } else { "," },
            transport.name(),
            s.requests,
            s.bytes_read,
            s.bytes_written,
            s.open,
            s.events
        );
    }
    out.push_str("},\"process\":");
    match process {
        Some(p) => {
            let _ = write!(
                out,
                "{{\"threads\":{},\"cpu_user_ms\":{},\"cpu_system_ms\":{},\"voluntary_context_switches\":{},\"rss_kib\":{}}}",
                p.threads, p.cpu_user_ms, p.cpu_system_ms, p.voluntary_context_switches, p.rss_kib
            );
        }
        None => out.push_str("null"),
    }
    out.push('}');
    out
}

/// This process's threads, CPU time and context switches, from `/proc`; `None` where
/// there is no `/proc/self/stat` to read.
pub fn process_stats() -> Option<ProcessStats> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let (threads, user_ticks, system_ticks) = parse_stat(&stat)?;
    Some(ProcessStats {
        threads,
        cpu_user_ms: user_ticks * MS_PER_TICK,
        cpu_system_ms: system_ticks * MS_PER_TICK,
        voluntary_context_switches: voluntary_switches(),
        rss_kib: rss_kib().unwrap_or(0),
    })
}

/// `VmRSS` from `/proc/self/status`, in KiB.
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `(num_threads, utime, stime)` from a `/proc/PID/stat` line (proc(5)). The second
/// field, the command name in parentheses, may itself hold spaces and parentheses, so the
/// fields are counted from the *last* `)`: `utime` is field 14, `stime` 15,
/// `num_threads` 20.
pub fn parse_stat(stat: &str) -> Option<(u64, u64, u64)> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let field = |n: usize| fields.get(n - 3)?.parse::<u64>().ok(); // field 3 comes first
    Some((field(20)?, field(14)?, field(15)?))
}

fn voluntary_switches() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("status")).ok())
        .filter_map(|status| {
            let line = status
                .lines()
                .find(|l| l.starts_with("voluntary_ctxt_switches:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Meter;

    #[test]
    fn a_stat_line_is_read_from_the_last_parenthesis() {
        let stat = "4242 (a (weird) name) S 1 4242 4242 0 -1 4194560 300 0 0 0 \
                    57 23 0 0 20 0 9 0 1000 20000000 500 18446744073709551615";
        assert_eq!(parse_stat(stat), Some((9, 57, 23)));
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn the_json_lists_every_transport_and_the_process() {
        let ledger = Ledger::new();
        Meter::new(&ledger, Transport::Ws).wrote(7);
        let process = ProcessStats {
            threads: 3,
            cpu_user_ms: 10,
            cpu_system_ms: 20,
            voluntary_context_switches: 5,
            rss_kib: 2048,
        };
        let json = stats_json(&ledger, Some(process));
        assert!(json.starts_with(
            "{\"transports\":{\"poll\":{\"requests\":0,\"bytes_read\":0,\"bytes_written\":0,\"open\":0,\"events\":0},\"long-poll\":"
        ));
        assert!(json.contains("\"ws\":{\"requests\":0,\"bytes_read\":0,\"bytes_written\":7,"));
        assert!(json.ends_with(
            "\"process\":{\"threads\":3,\"cpu_user_ms\":10,\"cpu_system_ms\":20,\"voluntary_context_switches\":5,\"rss_kib\":2048}}"
        ));
        assert!(stats_json(&ledger, None).ends_with("\"process\":null}"));
    }

    #[test]
    fn this_process_can_be_read_on_linux() {
        if let Some(p) = process_stats() {
            assert!(p.threads >= 1);
        }
    }
}
