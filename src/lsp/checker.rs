//! The checker thread: it runs the checks the server asks for, one at a time, so that the
//! server's own thread always answers the client at once.
//!
//! Debounce, on both edges: a change that comes after a quiet spell (no change for `debounce`)
//! is checked at once; changes that follow one another faster than that wait until none has
//! come for `debounce` (but never longer than [`MAX_WAIT`], or four debounces, in all). What came
//! meanwhile is merged (per workspace: the latest buffers, the union of the scopes) into one
//! check; keystrokes that arrive while a check runs are merged into the next one. A panic in a
//! check is caught and reported; the thread goes on.

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
    // When the last job was sent.
    let mut last: Option<Instant> = None;
    while let Ok(first) = jobs.recv() {
        let started = Instant::now();
        let quiet = last.is_none_or(|t| first.sent.saturating_duration_since(t) >= debounce);
        last = Some(first.sent);
        let mut batch = BTreeMap::new();
        merge(&mut batch, first);
        loop {
            // After a quiet spell, only what is already queued joins the check.
            let left = if quiet {
                Duration::ZERO
            } else {
                max_wait.saturating_sub(started.elapsed())
            };
            let next = if left.is_zero() {
                jobs.try_recv().map_err(|e| match e {
                    crossbeam_channel::TryRecvError::Empty => RecvTimeoutError::Timeout,
                    crossbeam_channel::TryRecvError::Disconnected => RecvTimeoutError::Disconnected,
                })
            } else {
                jobs.recv_timeout(debounce.min(left))
            };
            match next {
                Ok(job) => {
                    last = Some(job.sent);
                    merge(&mut batch, job);
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
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
