//! Where templates run: each render on a thread of its own with a large
//! stack, at most `MAX_LIVE` such threads at once, and a time limit. A
//! template is a stranger's program; the source limits (`limits.rs`) and
//! minijinja's fuel bound it, and this bounds what they miss: a render
//! that needs more stack than a worker thread has cannot abort the process,
//! a panic inside minijinja is an error, and a render that runs too long
//! is given up on (its thread finishes on its own, bounded by the fuel,
//! and holds one of the few slots until then, so no number of slow
//! templates can take more than `MAX_LIVE` threads).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// The stack of a render thread: 32 times a tokio worker's.
const STACK_BYTES: usize = 64 * 1024 * 1024;

/// Render threads alive at once, finished or given up on.
const MAX_LIVE: usize = 4;

/// How long a caller waits for a render, slot included. A real template
/// renders in well under a millisecond.
pub const TIME_LIMIT: Duration = Duration::from_secs(5);

/// Why a render produced nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    TimedOut,
    Panicked,
    /// No thread could be started (the system is out of threads or memory).
    NoThread,
}

static LIVE: Mutex<usize> = Mutex::new(0);
static FREED: Condvar = Condvar::new();

/// Run `f` on a render thread and wait for its result.
pub fn run<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, Failure> {
    run_within(TIME_LIMIT, f)
}

fn run_within<T: Send + 'static>(
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Failure> {
    let deadline = Instant::now() + limit;
    take_slot(deadline)?;
    let (tx, rx) = mpsc::sync_channel(1);
    let spawned = std::thread::Builder::new()
        .name("sprintbot-render".into())
        .stack_size(STACK_BYTES)
        .spawn(move || {
            let result = catch_unwind(AssertUnwindSafe(f));
            // The slot is free before the caller hears, so a caller that
            // renders again at once finds it.
            give_slot();
            // The caller may have stopped waiting: nothing to tell then.
            let _ = tx.send(result);
        });
    let Ok(thread) = spawned else {
        give_slot();
        return Err(Failure::NoThread);
    };
    let answer = rx.recv_timeout(deadline.saturating_duration_since(Instant::now()));
    if answer.is_ok() {
        // It has answered and is ending: wait the moment it takes, so its
        // thread-local buffers are freed before the caller goes on. A
        // render given up on is left to end on its own.
        let _ = thread.join();
    }
    match answer {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(_)) => Err(Failure::Panicked),
        Err(_) => Err(Failure::TimedOut),
    }
}

fn take_slot(deadline: Instant) -> Result<(), Failure> {
    let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
    while *live >= MAX_LIVE {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Failure::TimedOut);
        }
        live = FREED
            .wait_timeout(live, left)
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
    *live += 1;
    Ok(())
}

fn give_slot() {
    let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
    *live = live.saturating_sub(1);
    FREED.notify_one();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_comes_back() {
        assert_eq!(run(|| 6 * 7), Ok(42));
    }

    #[test]
    fn a_panic_is_a_failure_not_a_crash() {
        let r: Result<(), _> = run(|| panic!("minijinja bug"));
        assert_eq!(r, Err(Failure::Panicked));
        // The slot came back.
        assert_eq!(run(|| 1), Ok(1));
    }

    #[test]
    fn a_render_that_runs_too_long_is_given_up_on() {
        let slow = || std::thread::sleep(Duration::from_millis(300));
        assert_eq!(
            run_within(Duration::from_millis(20), slow),
            Err(Failure::TimedOut)
        );
    }

    #[test]
    fn recursion_far_deeper_than_a_worker_stack_allows_is_fine() {
        fn depth(n: u64) -> u64 {
            let pad = std::hint::black_box([n; 32]);
            if n == 0 {
                0
            } else {
                1 + depth(n - 1) + pad[0] - n
            }
        }
        // About 300 bytes a frame: 20 MB, ten times a 2 MB stack.
        assert_eq!(run(|| depth(70_000)), Ok(70_000));
    }
}
