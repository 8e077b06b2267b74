//! The transcripts of LESSONS.md that are marked `<!-- checked: … -->`, run against the
//! examples they name and compared with what the lesson shows, after the masks written in
//! `tests/transcript/mod.rs`. A transcript that changes must change in the same commit as
//! the code: this test is what says so. It needs curl, nc, xxd and openssl, as the
//! transcripts do; without one it skips loudly, except under CI.
//!
//! `TRANSCRIPTS_RETAKE=1 cargo test --test transcripts` writes what the commands printed
//! back into LESSONS.md (not where the lesson cut lines out with `…`): read the diff
//! before committing it, since the test can only say that something changed.

mod common;
mod transcript;

use std::path::{Path, PathBuf};

use common::process::{Server, example, examples_dir, runs, tools_present};

fn tools_installed() -> bool {
    let missing: Vec<String> = ["curl", "nc", "xxd", "openssl"]
        .into_iter()
        .filter(|tool| !runs("sh", &["-c", &format!("command -v {tool}")]))
        .map(str::to_owned)
        .collect();
    tools_present("the transcript test", &missing)
}

/// The server a run of blocks shares: its marker, the process, and its real port.
struct Running {
    marker: String,
    _server: Server,
    port: u16,
    /// Its session's shell definitions so far (see `transcript::is_definition`).
    prelude: Vec<String>,
}

fn start(marker: &str) -> Running {
    let (name, args, _) = transcript::parse_marker(marker);
    let program: PathBuf = match name.as_str() {
        "realtime" => env!("CARGO_BIN_EXE_realtime").into(),
        _ => example(&name),
    };
    let mut all = vec!["--addr", "127.0.0.1:0"];
    all.extend(args.iter().map(String::as_str));
    let server = Server::start(&program, &all);
    let port = server
        .url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a port in the server's URL");
    Running {
        marker: marker.to_owned(),
        _server: server,
        port,
        prelude: Vec::new(),
    }
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
        blocks.len() >= 5,
        "only {} marked transcripts",
        blocks.len()
    );
    let mut failures = Vec::new();
    let mut retaken = Vec::new();
    let mut running: Option<Running> = None;
    for block in &blocks {
        if running.as_ref().map(|r| r.marker.as_str()) != Some(block.marker.as_str()) {
            drop(running.take()); // the previous server is killed first
            running = Some(start(&block.marker));
        }
        let session = running.as_mut().unwrap();
        let (_, _, shown) = transcript::parse_marker(&block.marker);
        for step in &block.steps {
            let command = [
                session.prelude.as_slice(),
                std::slice::from_ref(&step.command),
            ]
            .concat()
            .join("\n");
            if transcript::is_definition(&step.command) {
                session.prelude.push(step.command.clone());
            }
            let actual = transcript::run(&command, root, &examples_dir(), shown, session.port);
            if !transcript::matches(&step.output, &actual) {
                retaken.push((step, actual.clone()));
                failures.push(format!(
                    "LESSONS.md:{}: $ {}\n--- the lesson shows:\n{}\n--- it printed:\n{}",
                    block.line,
                    step.command,
                    step.output.join("\n"),
                    actual.join("\n")
                ));
            }
        }
    }
    if std::env::var_os("TRANSCRIPTS_RETAKE").is_some() && !retaken.is_empty() {
        let text = transcript::retake(&text, &retaken);
        std::fs::write(root.join("LESSONS.md"), text).unwrap();
    }
    assert!(
        failures.is_empty(),
        "{} of {} marked transcripts' commands differ:\n\n{}",
        failures.len(),
        blocks.iter().map(|b| b.steps.len()).sum::<usize>(),
        failures.join("\n\n")
    );
}
