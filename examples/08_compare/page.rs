//! The page on port 8088: the latest results, the chart, and the run's progress, live
//! over an event stream (lesson 4's, naturally).
//!
//! | request | answer |
//! |---|---|
//! | `GET /` | the page (`examples/pages/08_compare.html`) |
//! | `GET /progress` | SSE: one event per progress line; an event of type `results` when new results are in |
//! | `GET /results.csv`, `GET /chart.svg` | the latest results |

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use realtime::event_log::EventLog;
use realtime::http::{Handler, Request, Response, Router, Server, ServerConfig, Status};
use realtime::sse::{self, StreamOptions};
use realtime::{pages, stats};

/// The page's server and what it shows.
pub struct Page {
    progress: Arc<EventLog>,
    latest: Arc<Mutex<(String, String)>>,
    addr: SocketAddr,
}

impl Page {
    /// Serves the page on `addr`; `None` (with a warning) if the port is taken.
    pub fn start(addr: &str) -> Option<Page> {
        let server = match Server::bind(addr, ServerConfig::default()) {
            Ok(server) => server,
            Err(e) => {
                eprintln!("08_compare: no page ({addr}: {e}); the results still go to files");
                return None;
            }
        };
        let progress = Arc::new(EventLog::new(1000));
        let latest = Arc::new(Mutex::new((String::new(), String::new())));
        let typed = StreamOptions {
            event_type: Some(|data| data.starts_with("results").then_some("results")),
            ..StreamOptions::default()
        };
        let router = pages::shared_assets(Router::new())
            .get("/", pages::html(include_str!("../pages/08_compare.html")))
            .get("/progress", sse::handler(Arc::clone(&progress), typed))
            .get(
                "/results.csv",
                latest_file(&latest, "text/csv; charset=utf-8", |l| &l.0),
            )
            .get(
                "/chart.svg",
                latest_file(&latest, "image/svg+xml", |l| &l.1),
            )
            .get("/stats", stats::handler(server.ledger()));
        let addr = server.spawn(router).ok()?;
        eprintln!("08_compare: progress and results at http://{addr}");
        Some(Page {
            progress,
            latest,
            addr,
        })
    }

    /// Where the page is.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// New results: kept for `/results.csv` and `/chart.svg`, announced to the page.
    pub fn show(&self, csv: &str, svg: &str) {
        *self.latest.lock().unwrap_or_else(PoisonError::into_inner) =
            (csv.to_owned(), svg.to_owned());
        self.progress.publish("results");
    }
}

/// Prints a progress line on stderr and sends it to the page.
pub fn say(page: Option<&Page>, text: String) {
    eprintln!("{text}");
    if let Some(page) = page {
        page.progress.publish(text);
    }
}

fn latest_file(
    latest: &Arc<Mutex<(String, String)>>,
    content_type: &'static str,
    pick: fn(&(String, String)) -> &String,
) -> impl Handler {
    let latest = Arc::clone(latest);
    move |_: &Request| {
        let body = pick(&latest.lock().unwrap_or_else(PoisonError::into_inner)).clone();
        Response::new(Status::OK)
            .with_body(content_type, body)
            .with_field("Cache-Control", "no-store")
            .into()
    }
}
