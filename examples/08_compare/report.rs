//! The results as a table on stdout, as CSV, and as progress lines.

use std::error::Error;
use std::path::Path;

use crate::measure::Row;

const COLUMNS: [&str; 22] = [
    "technique",
    "delay_ms",
    "rate_per_s",
    "clients",
    "published",
    "delivered",
    "p50_ms",
    "p99_ms",
    "max_ms",
    "bytes_down_per_event",
    "bytes_up_per_event",
    "requests_per_event",
    "requests",
    "server_threads",
    "server_connections",
    "server_cpu_us_per_event",
    "server_switches_per_event",
    "server_kib_per_client",
    "lost",
    "dup",
    "generator_cpu_pct",
    "proxy_cpu_us_per_event",
];

fn cells(row: &Row) -> [String; 22] {
    [
        row.technique.label().to_owned(),
        row.delay_ms.to_string(),
        format!("{}", row.rate),
        row.clients.to_string(),
        row.published.to_string(),
        row.delivered.to_string(),
        format!("{:.1}", row.p50_ms),
        format!("{:.1}", row.p99_ms),
        format!("{:.1}", row.max_ms),
        format!("{:.1}", row.down_per_event),
        format!("{:.1}", row.up_per_event),
        format!("{:.3}", row.requests_per_event),
        row.requests.to_string(),
        row.server_threads.to_string(),
        row.server_connections.to_string(),
        format!("{:.1}", row.server_us_per_event),
        format!("{:.2}", row.server_switches_per_event),
        format!("{:.1}", row.server_kib_per_client),
        row.lost.to_string(),
        row.dup.to_string(),
        format!("{:.0}", row.generator_cpu_pct),
        format!("{:.1}", row.proxy_us_per_event),
    ]
}

/// Every row as CSV, with a header line.
pub fn csv(rows: &[Row]) -> String {
    let mut out = COLUMNS.join(",");
    out.push('\n');
    for row in rows {
        out.push_str(&cells(row).join(","));
        out.push('\n');
    }
    out
}

/// Writes `results.csv` and `chart.svg` into `dir`.
pub fn write_files(dir: &Path, csv: &str, svg: &str) -> Result<(), Box<dyn Error>> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("results.csv"), csv)?;
    std::fs::write(dir.join("chart.svg"), svg)?;
    Ok(())
}

/// The table on stdout: the columns a reader compares, one row per technique and rate.
pub fn print_table(rows: &[Row]) {
    let header = [
        "technique",
        "D ms",
        "ev/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "B/ev ↓",
        "B/ev ↑",
        "req/ev",
        "threads",
        "conns",
        "srv µs/ev",
        "cs/ev",
        "KiB/cl",
        "lost",
        "dup",
    ];
    let widths = [11, 4, 6, 7, 7, 7, 9, 8, 7, 7, 5, 9, 6, 6, 4, 4];
    let line = |fields: &[String]| {
        let padded: Vec<String> = fields
            .iter()
            .zip(widths)
            .map(|(f, w)| format!("{f:>w$}"))
            .collect();
        println!("{}", padded.join(" "));
    };
    line(&header.map(str::to_owned));
    for row in rows {
        let c = cells(row);
        let picked = [0, 1, 2, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19];
        line(&picked.map(|i| c[i].clone()));
    }
}

/// One line of progress for a finished row.
pub fn progress_line(row: &Row) -> String {
    format!(
        "  {:<11} p50 {:.1} ms  p99 {:.1} ms  {:.0} B/event down  {:.2} req/event  \
         server {:.1} µs/event  lost {} dup {}  (generator {:.0}% CPU)",
        row.technique.label(),
        row.p50_ms,
        row.p99_ms,
        row.down_per_event,
        row.requests_per_event,
        row.server_us_per_event,
        row.lost,
        row.dup,
        row.generator_cpu_pct
    )
}
