//! The thread that owns the SQLite connection. Every store operation is a
//! closure sent here; whatever has queued up while a transaction was running
//! is committed together in the next one (group commit). Each operation runs
//! in its own savepoint, so one failing operation rolls back only itself, and
//! no caller hears back before the transaction holding its work is committed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};

use rusqlite::Connection;
use tokio::sync::oneshot;

use crate::store::StoreError;

/// Runs one operation and returns what to do once the commit outcome is known.
type Op = Box<dyn FnOnce(&Connection) -> Completion + Send>;
type Completion = Box<dyn FnOnce(Result<(), String>) + Send>;

/// How many queued operations one transaction takes at most.
const MAX_BATCH: usize = 256;

#[derive(Clone)]
pub(super) struct Writer {
    tx: mpsc::Sender<Op>,
}

impl Writer {
    /// Start the thread owning `conn`; `alive` turns false when it ends
    /// (every handle on the store has been dropped).
    pub(super) fn start(conn: Connection, alive: Arc<AtomicBool>) -> Writer {
        let (tx, rx) = mpsc::channel::<Op>();
        std::thread::Builder::new()
            .name("sprintbot-store".into())
            .spawn(move || {
                run_loop(conn, rx);
                alive.store(false, Ordering::Relaxed);
            })
            .expect("spawning the store thread");
        Writer { tx }
    }

    fn submit<T, F>(&self, op: F) -> Result<oneshot::Receiver<Result<T, StoreError>>, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    {
        let (reply, rx) = oneshot::channel();
        let op: Op = Box::new(move |conn: &Connection| {
            let result = in_savepoint(conn, op);
            Box::new(move |commit: Result<(), String>| {
                let outcome = match (result, commit) {
                    (Ok(value), Ok(())) => Ok(value),
                    (Err(e), _) => Err(StoreError::from(e)),
                    (Ok(_), Err(msg)) => Err(StoreError::Commit(msg)),
                };
                let _ = reply.send(outcome);
            })
        });
        self.tx.send(op).map_err(|_| StoreError::Closed)?;
        Ok(rx)
    }

    pub(super) async fn run<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    {
        self.submit(op)?.await.map_err(|_| StoreError::Closed)?
    }
}

fn in_savepoint<T>(
    conn: &Connection,
    op: impl FnOnce(&Connection) -> Result<T, rusqlite::Error>,
) -> Result<T, rusqlite::Error> {
    conn.prepare_cached("SAVEPOINT op")?.execute([])?;
    match op(conn) {
        Ok(value) => {
            conn.prepare_cached("RELEASE op")?.execute([])?;
            Ok(value)
        }
        Err(e) => {
            conn.execute_batch("ROLLBACK TO op; RELEASE op")?;
            Err(e)
        }
    }
}

/// Every this many transactions the writer finishes a checkpoint itself.
/// The background checkpointer copies most of the WAL while commits go on,
/// but only a checkpoint with no commit in flight can copy the last frames,
/// which is what lets the WAL start over instead of growing under steady load.
const CHECKPOINT_EVERY: u32 = 32;

fn run_loop(conn: Connection, rx: mpsc::Receiver<Op>) {
    let mut batches: u32 = 0;
    while let Ok(first) = rx.recv() {
        batches = batches.wrapping_add(1);
        if batches.is_multiple_of(CHECKPOINT_EVERY) {
            let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        }
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        let began = conn.execute_batch("BEGIN IMMEDIATE");
        let mut completions = Vec::with_capacity(batch.len());
        for op in batch {
            completions.push(op(&conn));
        }
        let committed = began
            .and_then(|()| conn.execute_batch("COMMIT"))
            .map_err(|e| e.to_string());
        if committed.is_err() {
            let _ = conn.execute_batch("ROLLBACK");
            tracing::error!(error = ?committed, "store transaction failed to commit");
        }
        for done in completions {
            done(committed.clone());
        }
    }
}
