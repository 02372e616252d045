//! Randomized command scenarios, seeded and reproducible from the seed: each
//! run is a random schedule of comments with commands, edits by the author
//! and by someone else, deletions, hand edits of the issue, redeliveries,
//! worker crashes and restarts, injected GitHub faults and a rollover; then
//! the invariants in `support/model.rs` must hold.
//!
//! `SPRINTBOT_SEEDS=N` runs seeds 0..N (default 200), `SPRINTBOT_SEED=S`
//! just seed S; `scripts/soak-commands` runs as many as you like and prints
//! the seed of any failure.

mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use support::fake_github::FaultKind;
use support::model::{self, HandEdit, Record, Written};
use support::scenario::{BOT, REPO, Scenario};
use support::webhooks::Delivery;

/// SplitMix64: small, fast and the same everywhere, so a seed replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const AUTHORS: &[&str] = &["kappa90", "kappa90", "tiina303", "timgl", "visitor"];
const OWNERS: &[&str] = &["", "kappa90", "mariusandra", "visitor"];

struct Run {
    s: Scenario,
    rng: Rng,
    record: Record,
    /// Hand edits in the order they reached GitHub (one made during a
    /// look-up lands whenever that look-up happens).
    hand: Arc<std::sync::Mutex<Vec<(u64, HandEdit)>>>,
    deliveries: Vec<Delivery>,
    current: u64,
    n: u64,
    rolled: bool,
    trace: Vec<String>,
}

impl Run {
    fn unique(&mut self) -> u64 {
        self.n += 1;
        self.n
    }

    fn goal_count(&self) -> usize {
        sprintbot::sprint::body::SprintDoc::parse(
            &self.s.fake.issue(REPO, self.current).unwrap().body,
        )
        .and_then(|d| d.goals())
        .map(|g| g.len())
        .unwrap_or(0)
    }

    fn command(&mut self) -> String {
        let u = self.unique();
        let goals = self.goal_count();
        match self.rng.below(8) {
            0 | 1 => {
                let owner = OWNERS[self.rng.below(OWNERS.len())];
                let owner = if owner.is_empty() {
                    String::new()
                } else {
                    format!(" @{owner}")
                };
                format!("/goal Goal {u}{owner}")
            }
            2 => format!("/risk Risk {u}"),
            3 => format!("/retro Retro {u}"),
            4 => format!("/goal done {}", 1 + self.rng.below(goals + 1)),
            5 => format!("/goal status {} Status {u}", 1 + self.rng.below(goals + 1)),
            6 => "/hero week3 @kappa90".to_string(),
            _ => format!("/goal Goal {u} why: reason {u}"),
        }
    }

    async fn comment(&mut self) {
        let author = AUTHORS[self.rng.below(AUTHORS.len())].to_string();
        let mut lines = Vec::new();
        for _ in 0..1 + self.rng.below(3) {
            lines.push(self.command());
        }
        let mut text = lines.join("\n");
        if self.rng.chance(30) {
            text.push_str("\nthanks, all!");
        }
        let issue = self.current;
        let id = self.s.fake.add_comment(REPO, issue, &author, &text);
        let p = self.s.comment_payload("created", issue, id, &author, &text);
        let d = Delivery::signed(
            "issue_comment",
            &format!("c-{id}"),
            &p,
            support::bot::SECRET,
        );
        assert_eq!(self.s.deliver(&d).await, 202);
        self.deliveries.push(d);
        self.trace
            .push(format!("comment {id} by {author} on #{issue}: {lines:?}"));
        self.record.comments.push(Written {
            id,
            issue,
            author,
            lines,
            foreign: Vec::new(),
            deleted: false,
        });
    }

    fn pick_comment(&mut self) -> Option<usize> {
        let live: Vec<usize> = (0..self.record.comments.len())
            .filter(|i| !self.record.comments[*i].deleted)
            .collect();
        (!live.is_empty()).then(|| live[self.rng.below(live.len())])
    }

    async fn edit(&mut self, by_author: bool) {
        let Some(i) = self.pick_comment() else { return };
        let u = self.unique();
        let w = self.record.comments[i].clone();
        let editor = if by_author {
            w.author.clone()
        } else if w.author == "kappa90" {
            "tiina303".to_string()
        } else {
            "kappa90".to_string()
        };
        let line = format!("/retro Edit {u}");
        let body = self
            .s
            .fake
            .comments_all(REPO)
            .into_iter()
            .find(|c| c.id == w.id)
            .unwrap()
            .body;
        self.s
            .edit(w.id, &w.author, &editor, &format!("{body}\n{line}"))
            .await;
        self.trace
            .push(format!("edit {} by {editor}: {line}", w.id));
        let c = &mut self.record.comments[i];
        if by_author {
            c.lines.push(line)
        } else {
            c.foreign.push(line)
        }
    }

    fn hand_edit(&mut self, issue: u64, edit: HandEdit) {
        self.trace.push(format!("hand edit on #{issue}: {edit:?}"));
        self.s
            .fake
            .edit_issue_body(REPO, issue, |b| model::apply_hand_edit(b, &edit));
        self.hand.lock().unwrap().push((issue, edit));
    }

    async fn step(&mut self) {
        match self.rng.below(100) {
            0..=44 => self.comment().await,
            45..=51 => self.edit(true).await,
            52..=56 => {
                // Someone else's edit, once the comment has been handled.
                self.s.settle().await;
                self.edit(false).await;
            }
            57..=60 => {
                if let Some(i) = self.pick_comment() {
                    let id = self.record.comments[i].id;
                    self.s.fake.delete_comment(REPO, id);
                    self.record.comments[i].deleted = true;
                    self.trace.push(format!("delete {id}"));
                }
            }
            61..=66 => {
                // A person edits the issue while the bot is idle...
                self.s.settle().await;
                let u = self.unique();
                let goals = sprintbot::sprint::body::SprintDoc::parse(
                    &self.s.fake.issue(REPO, self.current).unwrap().body,
                )
                .and_then(|d| d.goals())
                .unwrap_or_default();
                let open: Vec<_> = goals.iter().filter(|g| !g.done).collect();
                let edit = if !open.is_empty() && self.rng.chance(50) {
                    HandEdit::Tick(open[self.rng.below(open.len())].title.clone())
                } else {
                    HandEdit::Note(format!("Hand note {u}"))
                };
                self.hand_edit(self.current, edit);
            }
            67..=69 => {
                // ...or while it looks someone up, between its read and write.
                let u = self.unique();
                let (issue, note) = (self.current, format!("Hand note {u}"));
                self.trace
                    .push(format!("hand edit on #{issue} during a look-up: {note}"));
                self.s.clock.advance(Duration::from_secs(61));
                let hand = self.hand.clone();
                self.s.fake.inject(
                    "GET",
                    "/permission",
                    1,
                    FaultKind::Mutate(Arc::new(move |st| {
                        let i = st.repo(REPO).unwrap().issues.get_mut(&issue).unwrap();
                        let edit = HandEdit::Note(note.clone());
                        i.body = model::apply_hand_edit(&i.body, &edit);
                        hand.lock().unwrap().push((issue, edit));
                    })),
                );
                self.comment().await;
                self.s.settle().await;
            }
            70..=75 => {
                if !self.deliveries.is_empty() {
                    let mut d = self.deliveries[self.rng.below(self.deliveries.len())].clone();
                    if self.rng.chance(50) {
                        d.id = format!("{}-again-{}", d.id, self.unique());
                    }
                    self.trace.push(format!("redeliver {}", d.id));
                    assert_eq!(self.s.deliver(&d).await, 202);
                }
            }
            76..=81 => {
                self.trace.push("crash".into());
                tokio::time::sleep(Duration::from_millis(self.rng.below(30) as u64)).await;
                self.s.crash().await;
                self.s.start_worker();
            }
            82..=89 => {
                let (method, path, kind) = match self.rng.below(4) {
                    0 => (
                        "PATCH",
                        format!("/issues/{}", self.current),
                        FaultKind::Status {
                            status: 502,
                            headers: vec![],
                        },
                    ),
                    1 => (
                        "POST",
                        "/reactions".to_string(),
                        FaultKind::Status {
                            status: 502,
                            headers: vec![],
                        },
                    ),
                    2 => ("POST", "/comments".to_string(), FaultKind::Drop),
                    _ => (
                        "GET",
                        format!("/issues/{}", self.current),
                        FaultKind::Status {
                            status: 503,
                            headers: vec![],
                        },
                    ),
                };
                let times = 1 + self.rng.below(2) as u32;
                self.trace
                    .push(format!("fault {method} {path} x{times}: {kind:?}"));
                self.s.fake.inject(method, &path, times, kind);
            }
            90..=92 if !self.rolled => {
                self.s.settle().await;
                self.rolled = true;
                self.s.clock.set("2022-11-28T09:30:00Z".parse().unwrap());
                self.s.rollover_due().await;
                let new = self.s.fake.issues(REPO).last().unwrap().clone();
                self.trace.push(format!("rollover to #{}", new.number));
                self.record
                    .issues
                    .insert(new.number, (new.body.clone(), Vec::new()));
                self.current = new.number;
            }
            _ => self.s.settle().await,
        }
    }
}

async fn run_seed(seed: u64, steps: usize) -> Result<(), String> {
    let s = Scenario::start().await;
    let mut record = Record::default();
    record.issues.insert(s.issue, (s.body(), Vec::new()));
    let current = s.issue;
    let mut run = Run {
        s,
        rng: Rng(seed),
        record,
        hand: Default::default(),
        deliveries: Vec::new(),
        current,
        n: 0,
        rolled: false,
        trace: Vec::new(),
    };
    for _ in 0..steps {
        run.step().await;
    }
    run.s.settle().await;
    run.s.catch_up().await;
    run.s.settle().await;
    for (issue, edit) in run.hand.lock().unwrap().drain(..) {
        run.record.issues.get_mut(&issue).unwrap().1.push(edit);
    }
    let stats = run.s.bot.store.queue_stats().await.unwrap();
    let audit = run.s.bot.store.audit_entries(None).await.unwrap();
    let audit: Vec<_> = audit
        .into_iter()
        .filter(|e| {
            e.source
                .as_deref()
                .is_some_and(|s| s.starts_with("comment "))
        })
        .collect();
    let comments = run.s.fake.comments_all(REPO);
    let bodies: HashMap<u64, String> = run
        .record
        .issues
        .keys()
        .map(|n| (*n, run.s.fake.issue(REPO, *n).unwrap().body))
        .collect();
    let fake = run.s.fake.clone();
    let reactions = move |id: u64| {
        fake.reactions(REPO, id)
            .into_iter()
            .filter(|(l, _)| l == BOT)
            .map(|(_, c)| c)
            .collect()
    };
    let verdict = if stats.dead > 0 || stats.held > 0 {
        Err(format!("jobs left dead or held: {stats:?}"))
    } else {
        model::check(&run.record, &audit, &comments, &reactions, &bodies, BOT, 3)
    };
    if verdict.is_err() && std::env::var("SPRINTBOT_DEBUG").is_ok() {
        for r in run.s.fake.requests() {
            let goals = r
                .body
                .as_ref()
                .and_then(|b| b["body"].as_str())
                .and_then(|b| sprintbot::sprint::body::SprintDoc::parse(b).ok())
                .and_then(|d| d.goals().ok())
                .map(|g| g.into_iter().map(|g| g.title).collect::<Vec<_>>());
            eprintln!("{} {} {:?}", r.method, r.path, goals);
        }
        for e in &audit {
            eprintln!("audit {} {:?} {:?}", e.target, e.source, e.after);
        }
    }
    verdict.map_err(|e| format!("seed {seed}: {e}\ntrace:\n  {}", run.trace.join("\n  ")))
}

fn seeds() -> Vec<u64> {
    if let Ok(one) = std::env::var("SPRINTBOT_SEED") {
        return vec![one.parse().expect("SPRINTBOT_SEED is a number")];
    }
    let n: u64 = std::env::var("SPRINTBOT_SEEDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let from: u64 = std::env::var("SPRINTBOT_SEED_FROM")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    (from..from + n).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn random_schedules_keep_every_promise() {
    let steps = std::env::var("SPRINTBOT_STEPS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(25);
    let mut failures = Vec::new();
    let mut set = tokio::task::JoinSet::new();
    let mut pending = seeds().into_iter();
    let mut done = 0;
    loop {
        while set.len() < 4 {
            let Some(seed) = pending.next() else { break };
            set.spawn(run_seed(seed, steps));
        }
        let Some(result) = set.join_next().await else {
            break;
        };
        done += 1;
        if let Err(e) = result.expect("a scenario panicked") {
            eprintln!("FAILED {e}");
            failures.push(e);
        }
    }
    eprintln!("{done} seeds run, {} failed", failures.len());
    assert!(
        failures.is_empty(),
        "{} of {done} seeds failed; the first:\n{}",
        failures.len(),
        failures[0]
    );
}
