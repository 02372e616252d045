//! `scripts/bench-boundary N…`: an organisation's sprint boundary under
//! GitHub's write limits. N repositories of one installation open their
//! sprints at one instant (Monday 09:00) while 200 `/goal` comments arrive
//! over 50 of them in the first minute, against the fake GitHub enforcing
//! 80 writes a minute and 500 an hour, on the fake clock (hours of GitHub
//! time run in seconds). Prints, for each N, when every sprint was open,
//! how many opened in the first hour, the commands' answer latencies,
//! writes per repository and refusals, each beside its lower bound from
//! the limits alone (`boundary/ideal.rs`).

#[path = "../tests/support/mod.rs"]
mod support;

#[path = "boundary/ideal.rs"]
mod ideal;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use serde_json::json;
use support::org::Org;

const START: &str = "2022-11-28T09:00:00Z";
const COMMANDS: usize = 200;
const COMMAND_REPOS: usize = 50;
/// The one stated count of writes every bound is computed from (the
/// budget's line uses the same): an opening 8, a command 2 (its change
/// and its 👍).
const PER_OPENING: usize = sprintbot::github::line::WRITES_PER_OPENING as usize;
const PER_COMMAND: usize = sprintbot::github::line::WRITES_PER_COMMAND as usize;
/// The longest a run may take on the fake clock.
const GIVE_UP: Duration = Duration::from_secs(8 * 3600);

fn main() {
    let ns: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let ns = if ns.is_empty() { vec![30] } else { ns };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for n in ns {
        let wall = std::time::Instant::now();
        let m = rt.block_on(run(n));
        m.print(n);
        println!("  ({:.0?} of wall-clock time)\n", wall.elapsed());
    }
}

/// A comment of the burst: where, and when (ms after the opening instant).
struct Planned {
    repo: String,
    at_ms: u64,
}

/// A comment sent: its repository, id and when it was written.
struct Sent {
    repo: String,
    id: u64,
    at: Timestamp,
}

fn plan(names: &[String]) -> Vec<Planned> {
    let spread = names.len().min(COMMAND_REPOS);
    (0..COMMANDS)
        .map(|i| Planned {
            repo: names[i % spread].clone(),
            at_ms: (i as u64 * 60_000) / COMMANDS as u64,
        })
        .collect()
}

fn comment_payload(org: &Org, repo: &str, issue: u64, id: u64, body: &str) -> serde_json::Value {
    let mut p = support::webhooks::payload("issue_comment.created");
    p["action"] = json!("created");
    p["issue"]["number"] = json!(issue);
    p["issue"]["state"] = json!("open");
    p["comment"]["id"] = json!(id);
    p["comment"]["body"] = json!(body);
    p["comment"]["user"]["login"] = json!("kappa90");
    p["comment"]["user"]["type"] = json!("User");
    p["comment"]["created_at"] = json!(org.now().to_string());
    p["repository"]["full_name"] = json!(repo);
    p["repository"]["id"] = json!(org.fake.repo_id(repo));
    p["sender"]["login"] = json!("kappa90");
    p["sender"]["type"] = json!("User");
    p["installation"] = json!({ "id": 7 });
    p
}

/// Send every planned comment whose time has come, on the repository's
/// open sprint issue as GitHub shows it then.
async fn send_due(
    org: &Org,
    start: Timestamp,
    queue: &Mutex<Vec<Planned>>,
    sent: &Mutex<Vec<Sent>>,
) {
    loop {
        let now = org.now();
        let next = {
            let mut q = queue.lock().unwrap();
            match q.first() {
                Some(p) if start.as_millisecond() + p.at_ms as i64 <= now.as_millisecond() => {
                    Some(q.remove(0))
                }
                _ => None,
            }
        };
        let Some(p) = next else { return };
        let Some(issue) = org
            .fake
            .issues(&p.repo)
            .into_iter()
            .filter(|i| i.open)
            .map(|i| i.number)
            .max()
        else {
            continue;
        };
        let body = format!("/goal Ship part {}", sent.lock().unwrap().len());
        let id = org.fake.add_comment(&p.repo, issue, "kappa90", &body);
        let at = Timestamp::from_millisecond(start.as_millisecond() + p.at_ms as i64).unwrap();
        sent.lock().unwrap().push(Sent {
            repo: p.repo.clone(),
            id,
            at,
        });
        let payload = comment_payload(org, &p.repo, issue, id, &body);
        org.fake.deliver("issue_comment", &payload).await;
    }
}

struct Measured {
    opened: Vec<Timestamp>,
    latency_s: Vec<f64>,
    unanswered: usize,
    opening_writes: usize,
    command_writes: usize,
    refusals: u64,
    after_refusal: usize,
    start: Timestamp,
}

async fn run(n: usize) -> Measured {
    let org = Org::start("2022-11-28T08:50:00Z").await;
    let all: Vec<usize> = (0..n).collect();
    let names = org.install(7, "acme", n, &all, "2022-11-16");
    org.fake.enforce_write_limits(80, 500);
    org.scheduler.start_up().await;
    org.settle_within(Duration::from_secs(120)).await;
    let before = org.fake.requests().len();
    let start: Timestamp = START.parse().unwrap();
    org.clock.set(start);
    let queue = Arc::new(Mutex::new(plan(&names)));
    let sent = Arc::new(Mutex::new(Vec::new()));
    let end = start.checked_add(GIVE_UP).unwrap();
    loop {
        send_due(&org, start, &queue, &sent).await;
        let now = org.now();
        let step = org.scheduler.step(now).await;
        // Jobs run; the clock moves as their writes are paced, and the
        // comments due meanwhile are sent as it passes their time.
        let settled = org.settle();
        tokio::pin!(settled);
        loop {
            tokio::select! {
                _ = &mut settled => break,
                _ = tokio::time::sleep(Duration::from_millis(2)) => {
                    send_due(&org, start, &queue, &sent).await;
                }
            }
        }
        let done = queue.lock().unwrap().is_empty()
            && names.iter().all(|r| org.fake.issues(r).len() >= 2)
            && answered(&org, &sent.lock().unwrap())
                .iter()
                .all(Option::is_some);
        if done || now >= end {
            break;
        }
        if std::env::var_os("BENCH_TRACE").is_some() {
            let open = names
                .iter()
                .filter(|r| org.fake.issues(r).len() >= 2)
                .count();
            let stats = org.bot.store.queue_stats().await.unwrap();
            eprintln!("{}: {open} open, {stats:?}", org.now());
        }
        let mut next = step
            .next
            .unwrap_or(end)
            .min(now.checked_add(Duration::from_secs(60)).unwrap());
        if let Some(p) = queue.lock().unwrap().first() {
            next = next
                .min(Timestamp::from_millisecond(start.as_millisecond() + p.at_ms as i64).unwrap());
        }
        if let Some(at) = org.bot.store.next_due_ms().await.unwrap()
            && at > now.as_millisecond()
        {
            next = next.min(Timestamp::from_millisecond(at).unwrap());
        }
        org.at(&next
            .max(now.checked_add(Duration::from_millis(1)).unwrap())
            .to_string());
    }
    measure(&org, &names, &sent.lock().unwrap(), before, start)
}

/// When each comment's reaction went to GitHub (the last try, which took).
fn answered(org: &Org, sent: &[Sent]) -> Vec<Option<Timestamp>> {
    let mut last: HashMap<String, Timestamp> = HashMap::new();
    for r in org.fake.requests() {
        if r.method == "POST" && r.path.ends_with("/reactions") {
            last.insert(r.path.clone(), r.at);
        }
    }
    sent.iter()
        .map(|c| {
            let path = format!("/repos/{}/issues/comments/{}/reactions", c.repo, c.id);
            last.get(&path)
                .copied()
                .filter(|_| !org.fake.reactions(&c.repo, c.id).is_empty())
        })
        .collect()
}

fn measure(org: &Org, names: &[String], sent: &[Sent], from: usize, start: Timestamp) -> Measured {
    let requests = org.fake.requests();
    let since = &requests[from..];
    let opened = names
        .iter()
        .filter_map(|repo| {
            let path = format!("/repos/{repo}/issues");
            since
                .iter()
                .rev()
                .find(|r| r.method == "POST" && r.path == path)
                .map(|r| r.at)
        })
        .collect();
    let answers = answered(org, sent);
    let latency_s = sent
        .iter()
        .zip(&answers)
        .filter_map(|(c, a)| a.map(|a| a.duration_since(c.at).as_secs_f64()))
        .collect::<Vec<_>>();
    let refusals = org.fake.refusals();
    let writes = since
        .iter()
        .filter(|r| r.method != "GET" && !r.path.starts_with("/app"))
        .count()
        .saturating_sub(refusals as usize);
    let command_writes = PER_COMMAND * latency_s.len();
    Measured {
        opened,
        unanswered: answers.iter().filter(|a| a.is_none()).count(),
        latency_s,
        opening_writes: writes.saturating_sub(command_writes),
        command_writes,
        refusals,
        after_refusal: org.fake.writes_after_refusal().len(),
        start,
    }
}

impl Measured {
    fn print(&self, n: usize) {
        let arrivals: Vec<u64> = (0..COMMANDS as u64)
            .map(|i| i * 60_000 / COMMANDS as u64)
            .collect();
        // Each figure's bounds: openings alone, commands alone, and both
        // with the commands served first; without and with GitHub's pause.
        let sim = |l, n, a: &[u64]| ideal::simulate(l, n, PER_OPENING, a, PER_COMMAND);
        let alone = [&ideal::GITHUB, &ideal::GITHUB_PACED].map(|l| sim(l, n, &[]));
        let burst = [&ideal::GITHUB, &ideal::GITHUB_PACED].map(|l| sim(l, 0, &arrivals));
        let both = [&ideal::GITHUB, &ideal::GITHUB_PACED].map(|l| sim(l, n, &arrivals));
        let secs = |t: &Timestamp| t.duration_since(self.start).as_secs_f64();
        let all_open = self.opened.iter().map(secs).fold(0.0, f64::max);
        let first_hour = self.opened.iter().filter(|t| secs(t) < 3600.0).count();
        let last = |i: &ideal::Ideal| i.opened_s.iter().copied().max().unwrap_or(0);
        let hour = |i: &ideal::Ideal| i.opened_s.iter().filter(|t| **t < 3600).count();
        let lat: Vec<u64> = self.latency_s.iter().map(|s| s.ceil() as u64).collect();
        let p = |v: &[u64], q| ideal::percentile(v, q);
        let ratio = |x: f64, b: u64| x / b.max(1) as f64;
        println!(
            "N = {n}: bounds from {PER_OPENING} writes per opening and {PER_COMMAND} per command; \
             bound pairs are (limits alone / with GitHub's 1 s pause)"
        );
        println!(
            "  sprints open: {}/{n}; all open after {all_open:.0} s; openings alone {} / {} s ({:.2}x / {:.2}x), with the burst first {} / {} s ({:.2}x / {:.2}x)",
            self.opened.len(),
            last(&alone[0]),
            last(&alone[1]),
            ratio(all_open, last(&alone[0])),
            ratio(all_open, last(&alone[1])),
            last(&both[0]),
            last(&both[1]),
            ratio(all_open, last(&both[0])),
            ratio(all_open, last(&both[1])),
        );
        println!(
            "  opened in the first hour: {first_hour} (alone {} / {}, with the burst first {} / {})",
            hour(&alone[0]),
            hour(&alone[1]),
            hour(&both[0]),
            hour(&both[1]),
        );
        let q = |i: &ideal::Ideal, pct| p(&i.latency_s, pct);
        println!(
            "  burst answers: p50 {} s, p95 {} s, max {} s (bounds {}/{}/{} s / {}/{}/{} s; p95 {:.2}x / {:.2}x); {} unanswered",
            p(&lat, 50),
            p(&lat, 95),
            p(&lat, 100),
            q(&burst[0], 50),
            q(&burst[0], 95),
            q(&burst[0], 100),
            q(&burst[1], 50),
            q(&burst[1], 95),
            q(&burst[1], 100),
            ratio(p(&lat, 95) as f64, q(&burst[0], 95)),
            ratio(p(&lat, 95) as f64, q(&burst[1], 95)),
            self.unanswered
        );
        println!(
            "  writes: {:.2} per repository for openings (stated {PER_OPENING}), {} for commands; refusals {}, writes after a refusal {}",
            self.opening_writes as f64 / n.max(1) as f64,
            self.command_writes,
            self.refusals,
            self.after_refusal
        );
    }
}
