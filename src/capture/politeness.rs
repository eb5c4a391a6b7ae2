//! Politeness towards each host: one request at a time, and a delay between the end of one
//! request and the start of the next. A [`HostGate`] is shared by every fetch of a
//! [`crate::capture::http::Fetcher`], so a concurrent `refresh` (many threads, one fetcher) is
//! polite to each host without coordinating anything else.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The most hosts remembered; past it, hosts neither busy nor in their delay are forgotten.
const MAX_HOSTS: usize = 10_000;

/// The longest delay a host can ask for (robots.txt `Crawl-delay`).
pub const MAX_CRAWL_DELAY: Duration = Duration::from_secs(60);

#[derive(Debug, Default)]
struct HostState {
    busy: bool,
    /// No request to this host starts before this instant.
    next: Option<Instant>,
    /// A longer delay the host asked for (robots.txt `Crawl-delay`).
    delay: Option<Duration>,
}

/// One request at a time per host, and `delay` between requests to the same host.
#[derive(Debug)]
pub struct HostGate {
    delay: Duration,
    hosts: Mutex<HashMap<String, HostState>>,
    changed: Condvar,
}

/// The right to send one request to a host; the next request waits until it is dropped, and
/// then for the delay.
#[derive(Debug)]
pub struct Permit<'a> {
    gate: &'a HostGate,
    host: String,
    /// How long [`HostGate::acquire`] waited for it (zero when it did not wait).
    pub waited: Duration,
}

impl HostGate {
    pub fn new(delay: Duration) -> Self {
        HostGate {
            delay,
            hosts: Mutex::new(HashMap::new()),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, HostState>> {
        // A panic elsewhere while holding the lock leaves consistent data (plain fields).
        self.hosts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Wait until no other request to `host` is in flight and its delay has passed.
    pub fn acquire(&self, host: &str) -> Permit<'_> {
        let start = Instant::now();
        let key = host.to_ascii_lowercase();
        let mut hosts = self.lock();
        let mut blocked = false;
        loop {
            if hosts.len() >= MAX_HOSTS && !hosts.contains_key(&key) {
                let now = Instant::now();
                hosts.retain(|_, s| s.busy || s.next.is_some_and(|n| n > now));
            }
            let state = hosts.entry(key.clone()).or_default();
            let now = Instant::now();
            if state.busy {
                blocked = true;
                hosts = self.changed.wait(hosts).unwrap_or_else(|p| p.into_inner());
                continue;
            }
            if let Some(next) = state.next.filter(|&n| n > now) {
                blocked = true;
                hosts = self
                    .changed
                    .wait_timeout(hosts, next - now)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
                continue;
            }
            state.busy = true;
            return Permit {
                gate: self,
                host: key,
                waited: if blocked {
                    start.elapsed()
                } else {
                    Duration::ZERO
                },
            };
        }
    }

    /// A host asked for a longer delay (robots.txt `Crawl-delay`), capped at
    /// [`MAX_CRAWL_DELAY`].
    pub fn set_host_delay(&self, host: &str, delay: Duration) {
        let mut hosts = self.lock();
        hosts.entry(host.to_ascii_lowercase()).or_default().delay =
            Some(delay.min(MAX_CRAWL_DELAY));
    }

    /// The delay in force for `host`.
    pub fn delay_for(&self, host: &str) -> Duration {
        let hosts = self.lock();
        hosts
            .get(&host.to_ascii_lowercase())
            .and_then(|s| s.delay)
            .map_or(self.delay, |d| d.max(self.delay))
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut hosts = self.gate.lock();
        let state = hosts.entry(self.host.clone()).or_default();
        state.busy = false;
        let delay = state
            .delay
            .map_or(self.gate.delay, |d| d.max(self.gate.delay));
        state.next = Some(Instant::now() + delay);
        drop(hosts);
        self.gate.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn one_request_at_a_time_per_host() {
        let gate = Arc::new(HostGate::new(Duration::ZERO));
        let inside = Arc::new(AtomicUsize::new(0));
        let max = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (gate, inside, max) = (gate.clone(), inside.clone(), max.clone());
                std::thread::spawn(move || {
                    for _ in 0..20 {
                        let _p = gate.acquire("Example.org");
                        let n = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        max.fetch_max(n, Ordering::SeqCst);
                        std::thread::yield_now();
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(max.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn the_delay_separates_requests_to_one_host_only() {
        let gate = HostGate::new(Duration::from_millis(50));
        drop(gate.acquire("a.example"));
        let start = Instant::now();
        // Another host does not wait for a.example's delay (no upper bound on time is
        // asserted: a loaded machine may be slow; the permit says it did not wait).
        let other = gate.acquire("b.example");
        assert_eq!(other.waited, Duration::ZERO);
        drop(other);
        let again = gate.acquire("A.example");
        assert!(again.waited > Duration::ZERO);
        assert!(start.elapsed() >= Duration::from_millis(50));
    }
}
