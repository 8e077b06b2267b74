//! The transcripts of LESSONS.md that a test checks: finding them, running their commands,
//! and comparing what came out with what the lesson shows, after masking what differs
//! from run to run. The rules, which LESSONS.md's "How to read" repeats for the reader:
//!
//! - **Marked blocks only.** A block is checked when the line before its fence is
//!   `<!-- checked: EXAMPLE ARGS @PORT -->`: start `EXAMPLE` (an example's name, or
//!   `realtime` for the playground) with `--addr 127.0.0.1:PORT ARGS`, `PORT` being the
//!   port the lesson shows; when it is taken, on a free port instead, read as `PORT`. Blocks with the same marker, one
//!   after another in the file, run against one server, in order: a lesson's publishes
//!   count on.
//! - **Commands** are the lines that start with `$ `; the lines after one, up to the next,
//!   are its output: stdout and stderr, as a terminal shows them, since each runs in a
//!   pseudo-terminal (`script`). `cargo run -q --example
//!   NAME --`, and `./NAME` (a transcript taken in `target/debug/examples`), run the built
//!   example directly. The lesson's port is replaced wherever it
//!   follows `127.0.0.1` (`127.0.0.1:8086`, nc's `127.0.0.1 8086`, bash's
//!   `/dev/tcp/127.0.0.1/8086`), and written back in the output (also curl's `port 8086`).
//! - **Shell definitions carry on.** A command that only sets a variable or defines a
//!   function (`H='…'`, `ws() { … }`) runs again before every later marked command, as the
//!   reader's shell remembers it.
//! - **Masked**: the value of every `Date:` field line (also as curl -v shows it, after
//!   `< `, or quoted inside a line, up to ` GMT`); `real`, `user` and `sys` lines of
//!   `time`; the escape sequences a terminal turns into bold and colours; carriage returns (curl shows `\r\n` line ends as line ends); spaces at the end
//!   of a line; empty lines at the end of a command's output.
//! - **`…`** alone on a line of output stands for any number of lines, none included.
//!
//! Everything else must match byte for byte: status lines, field lines, bodies, byte counts,
//! `xxd` dumps, close codes, ids.

use std::path::Path;
use std::process::Command;

/// One marked block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Line number of the marker in LESSONS.md (1-based).
    pub line: usize,
    /// The marker's text: `EXAMPLE ARGS @PORT`.
    pub marker: String,
    /// The commands, each with the output the lesson shows.
    pub steps: Vec<Step>,
}

/// A command and its output as the lesson shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub command: String,
    pub output: Vec<String>,
    /// Index in LESSONS.md's lines of the output's first line.
    pub at: usize,
}

/// The marked blocks of `text` (LESSONS.md), in order.
pub fn blocks(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let marker = lines[i]
            .strip_prefix("<!-- checked: ")
            .and_then(|rest| rest.strip_suffix(" -->"));
        let (Some(marker), Some(&"```text")) = (marker, lines.get(i + 1)) else {
            i += 1;
            continue;
        };
        let end = (i + 2..lines.len())
            .find(|&j| lines[j] == "```")
            .expect("a marked block ends with ```");
        found.push(Block {
            line: i + 1,
            marker: marker.to_owned(),
            steps: steps(&lines[i + 2..end], i + 2),
        });
        i = end + 1;
    }
    found
}

fn steps(lines: &[&str], first: usize) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        match line.strip_prefix("$ ") {
            Some(command) => steps.push(Step {
                command: command.to_owned(),
                output: Vec::new(),
                at: first + n + 1,
            }),
            None => steps
                .last_mut()
                .expect("a marked block starts with a `$ ` command")
                .output
                .push((*line).to_owned()),
        }
    }
    steps
}

/// `EXAMPLE ARGS @PORT` → (EXAMPLE, ARGS, PORT).
pub fn parse_marker(marker: &str) -> (String, Vec<String>, u16) {
    let mut words: Vec<String> = marker.split_whitespace().map(str::to_owned).collect();
    let port = words
        .pop()
        .and_then(|w| w.strip_prefix('@').map(str::to_owned))
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("marker {marker:?} ends with @PORT"));
    let example = words.remove(0);
    (example, words, port)
}

/// Runs `command` in `root` with the lesson's port `shown` replaced by `real`, and returns
/// its output lines with `real` written back as `shown`.
pub fn run(command: &str, root: &Path, examples: &Path, shown: u16, real: u16) -> Vec<String> {
    let mut command = direct(command, examples);
    for sep in [':', ' ', '/'] {
        command = command.replace(
            &format!("127.0.0.1{sep}{shown}"),
            &format!("127.0.0.1{sep}{real}"),
        );
    }
    // In a pseudo-terminal, as in the reader's shell: programs buffer and report as they
    // would there (curl writes a 101's head at once, and shows no progress meter).
    let out = Command::new("script")
        .args([
            "-qec",
            &format!("timeout 20 bash -c {}", shell_quote(&command)),
            "/dev/null",
        ])
        .env("SHELL", "/bin/bash")
        .stdin(std::process::Stdio::null())
        .current_dir(root)
        .output()
        .expect("run bash");
    String::from_utf8_lossy(&out.stdout)
        .replace(&format!("127.0.0.1:{real}"), &format!("127.0.0.1:{shown}"))
        .replace(&format!(" port {real}"), &format!(" port {shown}"))
        .lines()
        .map(str::to_owned)
        .collect()
}

/// `./NAME` as `EXAMPLES/NAME` when NAME is a built example: the transcripts that run an
/// example directly were taken in `target/debug/examples` (LESSONS.md, "How to read").
fn built(command: &str, examples: &Path) -> String {
    command
        .split(' ')
        .map(|word| match word.strip_prefix("./") {
            Some(name) if examples.join(name).is_file() => format!("{}/{name}", examples.display()),
            _ => word.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `command` only defines something for later commands: `NAME=…` or `name() {`.
pub fn is_definition(command: &str) -> bool {
    let name_end = command
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(command.len());
    name_end > 0
        && (command[name_end..].starts_with('=') || command[name_end..].starts_with("() {"))
}

/// `cargo run -q --example NAME -- ARGS` as `EXAMPLES/NAME ARGS`: the built example, with
/// no cargo in between (which a running `cargo test` would wait for).
fn direct(command: &str, examples: &Path) -> String {
    const CARGO: &str = "cargo run -q --example ";
    let Some(at) = command.find(CARGO) else {
        return built(command, examples);
    };
    let rest = &command[at + CARGO.len()..];
    let name_end = rest.find(' ').unwrap_or(rest.len());
    let after = &rest[name_end..];
    let after = after.strip_prefix(" --").unwrap_or(after);
    let name = &rest[..name_end];
    format!("{}{}/{name}{after}", &command[..at], examples.display())
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// `text` with the output of each step of `retaken` replaced by its new lines: what
/// `TRANSCRIPTS_RETAKE=1` writes back into LESSONS.md. Steps whose shown output has a `…`
/// are left for a person: what was cut out is a choice.
pub fn retake(text: &str, retaken: &[(&Step, Vec<String>)]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut sorted: Vec<&(&Step, Vec<String>)> = retaken.iter().collect();
    sorted.sort_by_key(|(step, _)| std::cmp::Reverse(step.at));
    for (step, new) in sorted {
        if step.output.iter().any(|l| l == "…") {
            continue;
        }
        let mut new: Vec<String> = new
            .iter()
            .map(|l| l.trim_end_matches('\r').to_owned())
            .collect();
        while new.last().is_some_and(String::is_empty) {
            new.pop();
        }
        // Keep the blank lines the lesson had after the output (between two commands).
        let blank = step
            .output
            .iter()
            .rev()
            .take_while(|l| l.is_empty())
            .count();
        new.extend(std::iter::repeat_n(String::new(), blank));
        lines.splice(step.at..step.at + step.output.len(), new);
    }
    lines.join("\n") + "\n"
}

/// `line` as a terminal shows it: without the escape sequences that set a style (curl
/// writes field names in bold to a terminal: `ESC [1m … ESC [0m`).
fn visible(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // ESC [ parameters, then one final letter.
            chars.by_ref().find(|c| c.is_ascii_alphabetic());
        } else {
            out.push(c);
        }
    }
    out
}

/// A line with the masks applied.
pub fn masked(line: &str) -> String {
    let line = visible(line);
    let line = line.trim_end_matches(['\r', ' ']);
    // curl -v prefixes the answer's field lines with "< ".
    let field = line.strip_prefix("< ").unwrap_or(line);
    if field.starts_with("Date: ") || field.starts_with("date: ") {
        return "Date: <masked>".into();
    }
    // A head inside a line, as a client's error message quotes it.
    if let Some(at) = line.find("Date: ") {
        if let Some(len) = line[at..].find(" GMT") {
            return format!("{}Date: <masked>{}", &line[..at], &line[at + len + 4..]);
        }
    }
    for timing in ["real\t", "user\t", "sys\t"] {
        if line.starts_with(timing) {
            return format!("{timing}<masked>");
        }
    }
    line.to_owned()
}

/// Whether `actual` is what `shown` shows, `…` lines standing for any lines.
pub fn matches(shown: &[String], actual: &[String]) -> bool {
    let trimmed = |lines: &[String]| -> Vec<String> {
        let mut lines: Vec<String> = lines.iter().map(|l| masked(l)).collect();
        while lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
        lines
    };
    matches_from(&trimmed(shown), &trimmed(actual))
}

fn matches_from(shown: &[String], actual: &[String]) -> bool {
    match shown.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "…" => {
            (0..=actual.len()).any(|skip| matches_from(rest, &actual[skip..]))
        }
        Some((first, rest)) => actual.first() == Some(first) && matches_from(rest, &actual[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn dates_and_timings_are_masked_and_an_ellipsis_stands_for_lines() {
        let shown = lines("HTTP/1.1 200 OK\nDate: Tue, 01 Dec 2026\n…\n{\"id\":1}\nreal\t0m0.005s");
        let actual = lines(
            "HTTP/1.1 200 OK\r\nDate: Wed, 02 Dec 2026\r\nA: 1\r\nB: 2\r\n{\"id\":1}\nreal\t0m0.009s",
        );
        assert!(matches(&shown, &actual));
        let edited = lines("HTTP/1.1 200 OK\nDate: x\n…\n{\"id\":2}\nreal\t0m0.005s");
        assert!(!matches(&edited, &actual), "one byte changed is a mismatch");
    }
}
