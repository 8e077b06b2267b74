//! Lesson 8's load generator, run as a reader runs it (`08_compare --quick`): every event
//! reaches every client exactly once on every technique, and the orderings that do not
//! depend on timing hold. No timing is asserted: latency is what the run reports, not
//! what the test checks.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::process::{KillOnDrop, collect, example};

/// `--quick` takes about 15 s; this is the backstop.
const RUN_DEADLINE: Duration = Duration::from_secs(120);

/// One CSV row as a map from column to value.
struct Row<'a>(Vec<(&'a str, &'a str)>);

impl Row<'_> {
    fn get(&self, column: &str) -> &str {
        self.0
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("no column {column}"))
    }

    fn number(&self, column: &str) -> f64 {
        self.get(column).parse().unwrap()
    }
}

#[test]
fn quick_run_loses_nothing_and_push_costs_less_per_event_than_polling_at_1_per_s() {
    let out = common::process::TempFile::new("08_compare");
    let mut child = Command::new(example("08_compare"))
        .args(["--quick", "--no-page", "--out", out.arg()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start 08_compare");
    let stdout = collect(child.stdout.take().unwrap());
    let stderr = collect(child.stderr.take().unwrap());
    let mut run = KillOnDrop(child);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = run.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < RUN_DEADLINE,
            "08_compare --quick still running after {RUN_DEADLINE:?}\n{}",
            stderr.so_far()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        status.success(),
        "{status}\n{}\n{}",
        stdout.all(),
        stderr.all()
    );
    let csv = std::fs::read_to_string(std::path::Path::new(out.arg()).join("results.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Row> = lines
        .map(|line| Row(header.iter().copied().zip(line.split(',')).collect()))
        .collect();
    assert_eq!(rows.len(), 10, "5 techniques at 2 rates:\n{csv}");
    for row in &rows {
        assert_eq!((row.get("lost"), row.get("dup")), ("0", "0"), "{csv}");
        assert_eq!(
            row.number("delivered"),
            row.number("published") * row.number("clients")
        );
    }
    let bytes_at_1 = |technique: &str| {
        let row = rows
            .iter()
            .find(|r| r.get("technique") == technique && r.get("rate_per_s") == "1")
            .unwrap();
        row.number("bytes_down_per_event") + row.number("bytes_up_per_event")
    };
    let long_poll = bytes_at_1("long poll");
    assert!(bytes_at_1("sse") < long_poll, "{csv}");
    assert!(bytes_at_1("ws") < long_poll, "{csv}");
    assert!(long_poll < bytes_at_1("poll 100 ms"), "{csv}");
    // One request per client for the whole run: the stream, the handshake.
    for technique in ["sse", "ws"] {
        let requests: f64 = rows
            .iter()
            .filter(|r| r.get("technique") == technique)
            .map(|r| r.number("requests"))
            .sum();
        let clients = rows
            .iter()
            .find(|r| r.get("technique") == technique)
            .unwrap();
        assert_eq!(requests, clients.number("clients"), "{technique}:\n{csv}");
    }
    assert!(
        std::fs::read_to_string(std::path::Path::new(out.arg()).join("chart.svg"))
            .unwrap()
            .starts_with("<svg")
    );
}
