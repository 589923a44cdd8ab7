//! The action log and the timeline built on it. Everything that changes the cluster is logged
//! (commands with the files they could read, applies, time passing); because the model is
//! deterministic, replaying the log from the same start rebuilds the cluster at any moment.
//! Checkpoints (cluster snapshots every [`CHECKPOINT_MS`] of virtual time) keep a seek short.
//!
//! Seeking back shows the past; acting there starts a new branch: the log after that moment is
//! dropped, as an editor's undo history is when you type after undoing.

use std::rc::Rc;

use kubeplay_model::{Cluster, ClusterConfig, Workspace};
use serde::{Deserialize, Serialize};

/// Virtual time between checkpoints.
pub const CHECKPOINT_MS: u64 = 30_000;

/// How the cluster began.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    /// A fresh default cluster (3 nodes, seed 1).
    #[default]
    FreePlay,
    /// A bundled lesson's starting cluster.
    Lesson(String),
}

/// One thing that changed the cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Logged {
    /// A command line or script (a terminal line, Show me), with the files it could read.
    Run { script: String, ws: Rc<Workspace> },
    /// `kubectl apply -f PATH` (a file or a folder) on the files as they were.
    Apply { paths: Vec<String>, ws: Rc<Workspace> },
    /// Virtual time passing (Step, Play), in ms.
    Advance(u64),
}

impl Logged {
    /// Does it to `c` again (without printing anything): how the log rebuilds a cluster.
    pub fn apply_to(&self, c: &mut Cluster) {
        match self {
            Logged::Run { script, ws } => {
                c.run(script, ws);
            }
            Logged::Apply { paths, ws } => {
                for p in paths {
                    c.apply_file(p, ws);
                }
            }
            Logged::Advance(ms) => c.advance(*ms),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Virtual time when it happened.
    pub at_ms: u64,
    pub what: Logged,
}

/// The log, where it ends, and snapshots along it.
#[derive(Clone, Default)]
pub struct Timeline {
    pub origin: Origin,
    pub entries: Vec<Entry>,
    /// The latest virtual time the log reaches.
    pub head_ms: u64,
    /// (virtual time, entries applied, the cluster then). The first is the start.
    checkpoints: Vec<(u64, usize, Rc<Cluster>)>,
}

impl std::fmt::Debug for Timeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timeline")
            .field("origin", &self.origin)
            .field("entries", &self.entries.len())
            .field("head_ms", &self.head_ms)
            .field("checkpoints", &self.checkpoints.iter().map(|c| (c.0, c.1)).collect::<Vec<_>>())
            .finish()
    }
}

impl Timeline {
    /// A log that starts from `start` (the cluster as the origin builds it).
    pub fn new(origin: Origin, start: &Cluster) -> Timeline {
        let now = start.now().ms();
        Timeline { origin, entries: vec![], head_ms: now, checkpoints: vec![(now, 0, Rc::new(start.clone()))] }
    }

    /// Records what just happened to `cluster` (already applied to it).
    pub fn record(&mut self, at_ms: u64, what: Logged, cluster: &Cluster) {
        self.truncate(at_ms);
        let covered = self.checkpoints.last().is_some_and(|c| c.1 == self.entries.len());
        match (&what, self.entries.last_mut()) {
            // Play's ticks and steps merge into one entry, unless a checkpoint follows it.
            (Logged::Advance(ms), Some(Entry { what: Logged::Advance(prev), at_ms: prev_at }))
                if !covered && *prev_at + *prev == at_ms =>
            {
                *prev += ms;
            }
            _ => self.entries.push(Entry { at_ms, what }),
        }
        let now = cluster.now().ms();
        self.head_ms = now;
        if self.checkpoints.last().is_none_or(|c| now >= c.0 + CHECKPOINT_MS) {
            self.checkpoints.push((now, self.entries.len(), Rc::new(cluster.clone())));
        }
    }

    /// Forgets everything logged at or after `at_ms`: the learner acted in the past.
    fn truncate(&mut self, at_ms: u64) {
        if at_ms >= self.head_ms {
            return;
        }
        self.entries.retain(|e| e.at_ms < at_ms);
        if let Some(Entry { at_ms: start, what: Logged::Advance(ms) }) = self.entries.last_mut() {
            *ms = (*ms).min(at_ms - *start);
        }
        let n = self.entries.len();
        self.checkpoints.retain(|c| c.0 <= at_ms && c.1 <= n);
        self.head_ms = at_ms;
    }

    /// The cluster at virtual time `t` (clamped to the log), rebuilt from the latest checkpoint
    /// before it by replaying the log. A command that ran past `t` (a `sleep`, `rollout
    /// status`) is replayed whole, so the result can be a little after `t`.
    pub fn cluster_at(&self, t: u64) -> Cluster {
        let t = t.min(self.head_ms);
        let (_, applied, snapshot) = self
            .checkpoints
            .iter()
            .rev()
            .find(|c| c.0 <= t)
            .or(self.checkpoints.first())
            .expect("a timeline has its start");
        let mut c = (**snapshot).clone();
        for e in &self.entries[*applied..] {
            if e.at_ms >= t && !(e.at_ms == t && matches!(e.what, Logged::Run { .. } | Logged::Apply { .. })) {
                break;
            }
            if c.now().ms() < e.at_ms {
                c.advance(e.at_ms - c.now().ms());
            }
            match &e.what {
                // Time passing stops at `t`.
                Logged::Advance(ms) => {
                    let end = (e.at_ms + ms).min(t);
                    if c.now().ms() < end {
                        c.advance(end - c.now().ms());
                    }
                }
                what => what.apply_to(&mut c),
            }
        }
        if c.now().ms() < t {
            c.advance(t - c.now().ms());
        }
        c
    }

    /// The start of the log (for a free-play origin, the default cluster).
    pub fn start_ms(&self) -> u64 {
        self.checkpoints.first().map_or(0, |c| c.0)
    }
}

/// The default free-play cluster.
pub fn free_play_cluster() -> Cluster {
    Cluster::new(ClusterConfig::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEB: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: nginx, image: nginx:1.27}]\n";

    /// Plays a little history live, recording it as the page does.
    fn history() -> (Cluster, Timeline, Vec<(u64, u64)>) {
        let mut c = free_play_cluster();
        let mut tl = Timeline::new(Origin::FreePlay, &c);
        let ws = Rc::new(Workspace::default().with_file("web.yaml", WEB));
        let mut digests = vec![(c.now().ms(), c.digest())];
        let at = c.now().ms();
        c.apply_file("web.yaml", &ws);
        tl.record(at, Logged::Apply { paths: vec!["web.yaml".into()], ws: ws.clone() }, &c);
        for i in 0..90 {
            let at = c.now().ms();
            c.advance(1000);
            tl.record(at, Logged::Advance(1000), &c);
            digests.push((c.now().ms(), c.digest()));
            if i == 40 {
                let at = c.now().ms();
                c.run("kubectl scale deployment web --replicas=5", &ws);
                tl.record(
                    at,
                    Logged::Run { script: "kubectl scale deployment web --replicas=5".into(), ws: ws.clone() },
                    &c,
                );
                digests.push((c.now().ms(), c.digest()));
            }
        }
        (c, tl, digests)
    }

    #[test]
    fn replay_rebuilds_every_moment_exactly() {
        let (live, tl, digests) = history();
        assert_eq!(tl.cluster_at(tl.head_ms).digest(), live.digest());
        // Every second the live run passed through, rebuilt, has the same event log digest
        // (the scale at 41 s is recorded after the tick that reached 41 s; seeking to 41 s
        // includes it, as the page showed it at 41 s).
        for (t, d) in digests.iter().filter(|(t, _)| *t != 41_000) {
            assert_eq!(tl.cluster_at(*t).digest(), *d, "at {t} ms");
        }
        assert!(tl.checkpoints.len() >= 3, "checkpoints every 30 s: {}", tl.checkpoints.len());
        assert!(tl.entries.len() <= 7, "ticks merge between checkpoints: {:?}", tl.entries.len());
    }

    #[test]
    fn acting_in_the_past_drops_the_future() {
        let (_, mut tl, digests) = history();
        let t = 20_000;
        let mut c = tl.cluster_at(t);
        assert_eq!(c.now().ms(), t);
        let ws = Rc::new(Workspace::default());
        c.run("kubectl delete deployment web", &ws);
        tl.record(t, Logged::Run { script: "kubectl delete deployment web".into(), ws }, &c);
        assert_eq!(tl.head_ms, t);
        assert!(tl.entries.iter().all(|e| e.at_ms <= t));
        // The past before the branch is unchanged.
        let d10 = digests.iter().find(|(at, _)| *at == 10_000).unwrap().1;
        assert_eq!(tl.cluster_at(10_000).digest(), d10);
        assert_eq!(tl.cluster_at(t).digest(), c.digest());
        // Time goes on from the branch.
        let at = c.now().ms();
        c.advance(5000);
        tl.record(at, Logged::Advance(5000), &c);
        assert_eq!(tl.cluster_at(tl.head_ms).digest(), c.digest());
    }
}
