//! The chart, drawn by hand as SVG: for each relay delay, bytes per delivered event
//! against the event rate (log–log, one line per technique) and, beside it, the p50
//! (solid) and p99 (dashed) delivery latency against the same axis.

use std::fmt::Write;

use crate::clients::Technique;
use crate::measure::Row;

const PANEL_W: f64 = 420.0;
const PANEL_H: f64 = 280.0;
const MARGIN: f64 = 56.0;
const COLORS: [&str; 5] = ["#b8860b", "#d2691e", "#6a5acd", "#2e8b57", "#1e6fb8"];

/// The whole chart.
pub fn svg(rows: &[Row]) -> String {
    let mut delays: Vec<u64> = rows.iter().map(|r| r.delay_ms).collect();
    delays.dedup();
    let height = MARGIN + delays.len() as f64 * (PANEL_H + MARGIN) + 30.0;
    let width = 2.0 * (PANEL_W + MARGIN) + MARGIN;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    );
    for (i, &delay) in delays.iter().enumerate() {
        let top = MARGIN + i as f64 * (PANEL_H + MARGIN);
        let here: Vec<&Row> = rows.iter().filter(|r| r.delay_ms == delay).collect();
        let bytes: Vec<(Technique, f64, f64, bool)> = here
            .iter()
            .map(|r| {
                (
                    r.technique,
                    r.rate,
                    r.down_per_event + r.up_per_event,
                    false,
                )
            })
            .collect();
        let mut latency: Vec<(Technique, f64, f64, bool)> = here
            .iter()
            .map(|r| (r.technique, r.rate, r.p50_ms.max(0.01), false))
            .collect();
        latency.extend(
            here.iter()
                .map(|r| (r.technique, r.rate, r.p99_ms.max(0.01), true)),
        );
        panel(
            &mut out,
            MARGIN,
            top,
            &format!("bytes per event (both ways), D = {delay} ms"),
            &bytes,
        );
        panel(
            &mut out,
            2.0 * MARGIN + PANEL_W,
            top,
            &format!("latency ms, p50 solid, p99 dashed, D = {delay} ms"),
            &latency,
        );
    }
    legend(&mut out, height - 18.0);
    out.push_str("</svg>\n");
    out
}

/// One log–log panel of (technique, rate, value, dashed) points, a line per technique.
fn panel(
    out: &mut String,
    left: f64,
    top: f64,
    title: &str,
    points: &[(Technique, f64, f64, bool)],
) {
    let (x_lo, x_hi) = decades(points.iter().map(|p| p.1));
    let (y_lo, y_hi) = decades(points.iter().map(|p| p.2));
    let x = |v: f64| left + (v.log10() - x_lo) / (x_hi - x_lo) * PANEL_W;
    let y = |v: f64| top + PANEL_H - (v.log10() - y_lo) / (y_hi - y_lo) * PANEL_H;
    let _ = writeln!(
        out,
        "<rect x=\"{left}\" y=\"{top}\" width=\"{PANEL_W}\" height=\"{PANEL_H}\" fill=\"none\" stroke=\"#999\"/>\
         <text x=\"{left}\" y=\"{}\" font-weight=\"bold\">{title}</text>",
        top - 8.0
    );
    for d in x_lo as i32..=x_hi as i32 {
        let v = 10f64.powi(d);
        let _ = writeln!(
            out,
            "<line x1=\"{0}\" y1=\"{top}\" x2=\"{0}\" y2=\"{1}\" stroke=\"#eee\"/>\
             <text x=\"{0}\" y=\"{2}\" text-anchor=\"middle\">{v}</text>",
            x(v),
            top + PANEL_H,
            top + PANEL_H + 14.0
        );
    }
    for d in y_lo as i32..=y_hi as i32 {
        let v = 10f64.powi(d);
        let _ = writeln!(
            out,
            "<line x1=\"{left}\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" stroke=\"#eee\"/>\
             <text x=\"{2}\" y=\"{0}\" text-anchor=\"end\" dy=\"4\">{v}</text>",
            y(v),
            left + PANEL_W,
            left - 4.0
        );
    }
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">events per second</text>",
        left + PANEL_W / 2.0,
        top + PANEL_H + 30.0
    );
    for (n, technique) in Technique::ALL.iter().enumerate() {
        for dashed in [false, true] {
            let mut line: Vec<(f64, f64)> = points
                .iter()
                .filter(|p| p.0 == *technique && p.3 == dashed)
                .map(|p| (x(p.1), y(p.2)))
                .collect();
            line.sort_by(|a, b| a.0.total_cmp(&b.0));
            if line.is_empty() {
                continue;
            }
            let path: Vec<String> = line
                .iter()
                .map(|(px, py)| format!("{px:.1},{py:.1}"))
                .collect();
            let dash = if dashed {
                " stroke-dasharray=\"5 3\""
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{dash}/>",
                path.join(" "),
                COLORS[n]
            );
            for (px, py) in &line {
                let _ = writeln!(
                    out,
                    "<circle cx=\"{px:.1}\" cy=\"{py:.1}\" r=\"3\" fill=\"{}\"/>",
                    COLORS[n]
                );
            }
        }
    }
}

/// Whole decades around the values (log10), at least one decade wide.
fn decades(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let logs: Vec<f64> = values.filter(|v| *v > 0.0).map(f64::log10).collect();
    let lo = logs.iter().copied().fold(f64::INFINITY, f64::min).floor();
    let hi = logs
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max)
        .ceil();
    match (lo.is_finite(), hi.is_finite()) {
        (true, true) if hi > lo => (lo, hi),
        (true, true) => (lo, lo + 1.0),
        _ => (0.0, 1.0),
    }
}

fn legend(out: &mut String, y: f64) {
    for (n, technique) in Technique::ALL.iter().enumerate() {
        let x = MARGIN + n as f64 * 120.0;
        let _ = writeln!(
            out,
            "<rect x=\"{x}\" y=\"{}\" width=\"14\" height=\"4\" fill=\"{}\"/>\
             <text x=\"{}\" y=\"{y}\">{}</text>",
            y - 5.0,
            COLORS[n],
            x + 18.0,
            technique.label()
        );
    }
}
