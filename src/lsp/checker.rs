//! The checker thread: it runs the checks the server asks for, one at a time, so that the
//! server's own thread always answers the client at once.
//!
//! Debounce: after a job arrives, the thread waits until no other job has come for `debounce`
//! (but never longer than [`MAX_WAIT`], or four debounces, in all), merges what came (per workspace: the latest
//! buffers, the union of the scopes), and checks. Keystrokes that arrive while a check runs are
//! merged into the next one. A panic in a check is caught and reported; the thread goes on.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, unbounded};

use super::analysis::{self, Analysis, Job};

/// The longest a burst of changes delays its check (or four debounces, if that is longer).
pub const MAX_WAIT: Duration = Duration::from_millis(250);

/// What the checker sends back.
#[derive(Debug)]
pub enum Done {
    Checked(Box<Analysis>),
    /// The check panicked (a bug): nothing was learnt about these jobs.
    Failed {
        root: PathBuf,
        generation: u64,
        message: String,
    },
}

/// The channels to and from the checker thread.
pub struct Checker {
    pub jobs: Sender<Job>,
    pub done: Receiver<Done>,
}

pub fn start(debounce: Duration) -> std::io::Result<Checker> {
    let (jobs_tx, jobs_rx) = unbounded::<Job>();
    let (done_tx, done_rx) = unbounded::<Done>();
    thread::Builder::new()
        .name("prov-lsp-checker".into())
        .spawn(move || run(jobs_rx, done_tx, debounce))?;
    Ok(Checker {
        jobs: jobs_tx,
        done: done_rx,
    })
}

/// Fold `job` into the batch: per workspace, the newest buffers and generation, both scopes.
fn merge(batch: &mut BTreeMap<PathBuf, Job>, job: Job) {
    match batch.remove(&job.root) {
        None => {
            batch.insert(job.root.clone(), job);
        }
        Some(old) => {
            let scope = old.scope.merge(job.scope.clone());
            batch.insert(job.root.clone(), Job { scope, ..job });
        }
    }
}

fn run(jobs: Receiver<Job>, done: Sender<Done>, debounce: Duration) {
    let max_wait = MAX_WAIT.max(debounce.saturating_mul(4));
    while let Ok(first) = jobs.recv() {
        let started = Instant::now();
        let mut batch = BTreeMap::new();
        merge(&mut batch, first);
        loop {
            let left = max_wait.saturating_sub(started.elapsed());
            match jobs.recv_timeout(debounce.min(left)) {
                Ok(job) => merge(&mut batch, job),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
            if left.is_zero() {
                // Take whatever is already queued, then check.
                while let Ok(job) = jobs.try_recv() {
                    merge(&mut batch, job);
                }
                break;
            }
        }
        for job in batch.into_values() {
            let result = catch_unwind(AssertUnwindSafe(|| analysis::run(&job)));
            let msg = match result {
                Ok(a) => Done::Checked(Box::new(a)),
                Err(panic) => Done::Failed {
                    root: job.root.clone(),
                    generation: job.generation,
                    message: panic_message(panic.as_ref()),
                },
            };
            if done.send(msg).is_err() {
                return;
            }
        }
    }
}

/// The text of a panic's payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_string())
}
