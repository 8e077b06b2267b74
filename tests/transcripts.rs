//! The transcripts of LESSONS.md that are marked `<!-- checked: … -->`, run against the
//! examples they name and compared with what the lesson shows, after the masks written in
//! `tests/transcript/mod.rs`. A transcript that changes must change in the same commit as
//! the code: this test is what says so. It needs curl, nc, xxd and openssl, as the
//! transcripts do, and `script` for the pseudo-terminal; without one it skips loudly, except under CI.
//!
//! `TRANSCRIPTS_RETAKE=1 cargo test --test transcripts` writes what the commands printed
//! back into LESSONS.md (not where the lesson cut lines out with `…`): read the diff
//! before committing it, since the test can only say that something changed.

mod common;
mod transcript;

use std::path::{Path, PathBuf};

use common::process::{Server, example, examples_dir, runs, tools_present};

fn tools_installed() -> bool {
    let missing: Vec<String> = ["curl", "nc", "xxd", "openssl", "script", "timeout"]
        .into_iter()
        .filter(|tool| !runs("sh", &["-c", &format!("command -v {tool}")]))
        .map(str::to_owned)
        .collect();
    tools_present("the transcript test", &missing)
}

/// The server a session runs against, and its real port.
struct Running {
    _server: Server,
    port: u16,
}

fn start(marker: &str) -> Running {
    let (name, args, shown) = transcript::parse_marker(marker);
    let program: PathBuf = match name.as_str() {
        "realtime" => env!("CARGO_BIN_EXE_realtime").into(),
        _ => example(&name),
    };
    // The lesson's own port when it is free: a request's Host field, and so its size,
    // and an Origin naming the server are then the lesson's byte for byte.
    let free = std::net::TcpListener::bind(("127.0.0.1", shown)).is_ok();
    let addr = format!("127.0.0.1:{}", if free { shown } else { 0 });
    let mut all = vec!["--addr".to_owned(), addr];
    all.extend(args);
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let server = Server::start(&program, &all);
    let port = server
        .url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a port in the server's URL");
    Running {
        _server: server,
        port,
    }
}

/// A command to run, with the shell definitions the reader had typed before it.
struct Check<'a> {
    line: usize,
    step: &'a transcript::Step,
    command: String,
}

/// One server's share: its marker and the checks of its blocks, in order.
type Session<'a> = (String, Vec<Check<'a>>);

/// The blocks as sessions (one server each, see `tests/transcript/mod.rs`), every command
/// prefixed with the definitions made before it anywhere in the file.
fn sessions(blocks: &[transcript::Block]) -> Vec<Session<'_>> {
    let mut prelude: Vec<String> = Vec::new();
    let mut sessions: Vec<Session> = Vec::new();
    for block in blocks {
        if sessions.last().map(|(m, _)| m) != Some(&block.marker) {
            sessions.push((block.marker.clone(), Vec::new()));
        }
        for step in &block.steps {
            let command = [prelude.as_slice(), std::slice::from_ref(&step.command)]
                .concat()
                .join("\n");
            if transcript::is_definition(&step.command) {
                prelude.push(step.command.clone());
            }
            let checks = &mut sessions.last_mut().unwrap().1;
            checks.push(Check {
                line: block.line,
                step,
                command,
            });
        }
    }
    sessions
}

/// Runs one session against its own server; returns the steps that differ, with what
/// they printed.
fn run_session<'a>(
    root: &Path,
    (marker, checks): &Session<'a>,
) -> Vec<(usize, &'a transcript::Step, Vec<String>)> {
    let running = start(marker);
    let (_, _, shown) = transcript::parse_marker(marker);
    let mut differ = Vec::new();
    for check in checks {
        let actual = transcript::run(&check.command, root, &examples_dir(), shown, running.port);
        if !transcript::matches(&check.step.output, &actual) {
            let mut actual = actual;
            if running.port != shown {
                actual.push(format!(
                    "(port {shown} was taken: this ran on {}, and a size that counts the Host field differs)",
                    running.port
                ));
            }
            differ.push((check.line, check.step, actual));
        }
    }
    differ
}

#[test]
fn every_marked_transcript_in_lessons_md_reproduces() {
    if !tools_installed() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("LESSONS.md")).unwrap();
    let blocks = transcript::blocks(&text);
    assert!(
        blocks.len() >= 50,
        "only {} marked transcripts",
        blocks.len()
    );
    let sessions = sessions(&blocks);
    // Sessions on different ports run at once (most of the time is commands waiting);
    // those on one port, one after another, in the file's order.
    let mut ports: Vec<u16> = sessions
        .iter()
        .map(|(m, _)| transcript::parse_marker(m).2)
        .collect();
    ports.sort();
    ports.dedup();
    let differ: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = ports
            .iter()
            .map(|&port| {
                let mine: Vec<&Session> = sessions
                    .iter()
                    .filter(|(m, _)| transcript::parse_marker(m).2 == port)
                    .collect();
                scope.spawn(move || {
                    mine.into_iter()
                        .flat_map(|s| run_session(root, s))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    if std::env::var_os("TRANSCRIPTS_RETAKE").is_some() && !differ.is_empty() {
        let retaken: Vec<_> = differ
            .iter()
            .map(|(_, step, actual)| (*step, actual.clone()))
            .collect();
        std::fs::write(root.join("LESSONS.md"), transcript::retake(&text, &retaken)).unwrap();
    }
    let report: Vec<String> = differ
        .iter()
        .map(|(line, step, actual)| {
            format!(
                "LESSONS.md:{line}: $ {}\n--- the lesson shows:\n{}\n--- it printed:\n{}",
                step.command,
                step.output.join("\n"),
                actual.join("\n")
            )
        })
        .collect();
    assert!(
        report.is_empty(),
        "{} of {} marked transcripts' commands differ:\n\n{}",
        report.len(),
        blocks.iter().map(|b| b.steps.len()).sum::<usize>(),
        report.join("\n\n")
    );
}
