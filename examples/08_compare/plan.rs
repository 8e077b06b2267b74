//! The command line: what to measure.

use std::error::Error;
use std::path::PathBuf;
use std::time::Duration;

use crate::clients::Technique;

/// What one run measures.
pub struct Plan {
    /// Event rates, events per second.
    pub rates: Vec<f64>,
    /// Relay delays, ms each way (0: clients talk to the server directly).
    pub delays: Vec<u64>,
    /// Clients per technique.
    pub clients: usize,
    /// At least this many events per rate…
    pub min_events: usize,
    /// …and at least this long at each rate, so that CPU time (10 ms ticks) adds up.
    pub min_window: Duration,
    pub techniques: Vec<Technique>,
    /// `--target HOST:PORT`: measure that server instead of starting one per technique.
    pub target: Option<String>,
    pub out: PathBuf,
    /// Where the page listens; `None` with `--no-page`.
    pub page_addr: Option<String>,
    /// `--proxy-pid PID`: a proxy's master process (nginx), whose workers' CPU is
    /// reported per delivered event.
    pub proxy_pid: Option<u32>,
    /// `--stats-from a,b,c`: the servers behind `--target` whose `/stats` are summed.
    pub stats_from: Option<String>,
}

const USAGE: &str = "usage: 08_compare [--quick | --full] [--rates 1,10,100] [--delay-ms 0,25] \
[--clients N] [--events N] [--techniques poll-1s,poll-100ms,long-poll,sse,ws] \
[--target HOST:PORT [--proxy-pid PID] [--stats-from A,B,C]] [--out DIR] [--addr HOST:PORT | --no-page]";

impl Plan {
    /// Parses the options after the program name.
    pub fn parse(args: &[String]) -> Result<Plan, Box<dyn Error>> {
        let mut plan = Plan {
            rates: vec![1.0, 10.0, 100.0],
            delays: vec![0, 25],
            clients: 100,
            min_events: 20,
            min_window: Duration::from_secs(3),
            techniques: Technique::ALL.to_vec(),
            target: None,
            out: PathBuf::from("target/08_compare"),
            page_addr: Some("127.0.0.1:8088".into()),
            proxy_pid: None,
            stats_from: None,
        };
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let mut value = || args.next().ok_or(format!("{flag} needs a value\n{USAGE}"));
            match flag.as_str() {
                // 10 events at 1/s and 1 s at 10/s: the whole run fits in about 20 s.
                "--quick" => {
                    (plan.rates, plan.delays, plan.clients) = (vec![1.0, 10.0], vec![0], 20);
                    (plan.min_events, plan.min_window) = (10, Duration::from_secs(1));
                }
                "--full" => plan.rates = vec![0.2, 1.0, 10.0, 100.0, 1000.0],
                "--rates" => plan.rates = list(value()?)?,
                "--delay-ms" => plan.delays = list(value()?)?,
                "--clients" => plan.clients = value()?.parse()?,
                "--events" => plan.min_events = value()?.parse()?,
                "--techniques" => plan.techniques = techniques(value()?)?,
                "--target" => plan.target = Some(value()?.clone()),
                "--out" => plan.out = PathBuf::from(value()?),
                "--addr" => plan.page_addr = Some(value()?.clone()),
                "--no-page" => plan.page_addr = None,
                "--proxy-pid" => plan.proxy_pid = Some(value()?.parse()?),
                "--stats-from" => plan.stats_from = Some(value()?.clone()),
                "--help" | "-h" => return Err(USAGE.into()),
                other => return Err(format!("unknown option {other}\n{USAGE}").into()),
            }
        }
        Ok(plan)
    }

    /// How many events to publish at `rate`.
    pub fn events_at(&self, rate: f64) -> usize {
        let for_window = (rate * self.min_window.as_secs_f64()).ceil() as usize;
        self.min_events.max(for_window)
    }
}

fn list<T: std::str::FromStr>(text: &str) -> Result<Vec<T>, Box<dyn Error>> {
    text.split(',')
        .map(|item| {
            item.trim()
                .parse()
                .map_err(|_| format!("not a number: {item}").into())
        })
        .collect()
}

fn techniques(text: &str) -> Result<Vec<Technique>, Box<dyn Error>> {
    text.split(',')
        .map(|key| {
            Technique::ALL
                .into_iter()
                .find(|t| t.key() == key.trim())
                .ok_or_else(|| format!("unknown technique {key}").into())
        })
        .collect()
}
