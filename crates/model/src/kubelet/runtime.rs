//! The kubelet's pod workers: containers created, started, probed, restarted with back-off and
//! stopped, driven by each image's behaviour profile (crates/model/src/images.rs), with
//! upstream's reasons, events and timings (K8S-FACTS §3–§5).
//!
//! One `kubelet_sync_pod` is level-triggered: it looks at the pod and its runtime at `now`, does
//! everything due, writes the pod's status, and sets its next wake-up.

use std::collections::BTreeMap;

use crate::api::Pod;
use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting, ContainerStatus,
    PodCondition, PodIP, PodSpec, PodStatus, Probe,
};

use super::{image_size, repository, with_tag};

mod edit;
use crate::api::{Kind, Object};
use crate::cluster::Cluster;
use crate::images::{self, OnMissing, OnSigterm, Profile};
use crate::queue::Timer;
use crate::store::time;
use crate::text::{cat, ip_port, push_dec, push_hex};
use crate::time::{SimTime, go_duration};

/// Restart and image-pull back-off: 10 s doubling to 300 s, forgotten after 600 s without a
/// failure (client-go flowcontrol; K8S-FACTS §3.1).
pub const BACKOFF_INITIAL_MS: u64 = 10_000;
pub const BACKOFF_MAX_MS: u64 = 300_000;

/// One flowcontrol back-off entry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Backoff {
    pub backoff_ms: u64,
    pub last_update_ms: u64,
}

/// `hasExpired`: no failure for more than 2 x max.
fn expired(entry: &Backoff, event_ms: u64) -> bool {
    event_ms.saturating_sub(entry.last_update_ms) > 2 * BACKOFF_MAX_MS
}

/// `IsInBackOffSince(id, eventTime)`.
pub fn in_backoff_since(entry: Option<&Backoff>, event_ms: u64, now_ms: u64) -> bool {
    match entry {
        Some(e) if !expired(e, event_ms) => now_ms.saturating_sub(event_ms) < e.backoff_ms,
        _ => false,
    }
}

/// `Next(id, eventTime)`: start at 10 s, or double up to 300 s.
pub fn backoff_next(entry: Option<Backoff>, event_ms: u64) -> Backoff {
    match entry {
        Some(e) if !expired(&e, event_ms) => {
            Backoff { backoff_ms: (e.backoff_ms * 2).min(BACKOFF_MAX_MS), last_update_ms: event_ms }
        }
        _ => Backoff { backoff_ms: BACKOFF_INITIAL_MS, last_update_ms: event_ms },
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum ProbeKind {
    Startup,
    Liveness,
    Readiness,
}

/// A container's probes by kind, held inline: a map of at most three would cost a heap node of
/// about 550 bytes for each container with a probe (at 150,000 pods, 80 MB).
#[derive(Clone, Debug, Default)]
struct Probes([Option<ProbeRt>; 3]);

impl Probes {
    const KINDS: [ProbeKind; 3] = [ProbeKind::Startup, ProbeKind::Liveness, ProbeKind::Readiness];

    fn get(&self, k: &ProbeKind) -> Option<&ProbeRt> {
        self.0[*k as usize].as_ref()
    }

    fn get_mut(&mut self, k: &ProbeKind) -> Option<&mut ProbeRt> {
        self.0[*k as usize].as_mut()
    }

    fn insert(&mut self, k: ProbeKind, r: ProbeRt) {
        self.0[k as usize] = Some(r);
    }

    /// The probe of kind `k`, a default one put in first if there is none.
    fn get_or_default(&mut self, k: ProbeKind) -> &mut ProbeRt {
        self.0[k as usize].get_or_insert_with(ProbeRt::default)
    }

    fn clear(&mut self) {
        self.0 = Default::default();
    }

    fn values_mut(&mut self) -> impl Iterator<Item = &mut ProbeRt> {
        self.0.iter_mut().flatten()
    }

    /// In kind order (startup, liveness, readiness), as the map iterated.
    fn iter(&self) -> impl Iterator<Item = (ProbeKind, &ProbeRt)> {
        Self::KINDS.into_iter().zip(&self.0).filter_map(|(k, r)| r.as_ref().map(|r| (k, r)))
    }
}

impl ProbeKind {
    fn label(self) -> &'static str {
        match self {
            ProbeKind::Startup => "Startup",
            ProbeKind::Liveness => "Liveness",
            ProbeKind::Readiness => "Readiness",
        }
    }
}

#[derive(Clone, Debug, Default)]
struct ProbeRt {
    /// The current result (None: Unknown).
    result: Option<bool>,
    /// Consecutive identical raw results.
    run: i32,
    last_raw: Option<bool>,
    /// The next tick of the probe's worker: every period from the container's start.
    next_ms: Option<u64>,
    period_ms: u64,
    /// Set when the probe succeeds on a container whose result it already holds: its outcome
    /// cannot change before this time (u64::MAX: never, while the container runs as it is), so
    /// the ticks before it are not simulated one by one. They would each succeed and change
    /// nothing (no event, no result, no status): [`ProbeRt::catch_up`] accounts for them at the
    /// pod's next sync, and the pod is woken for the first tick at or after this time (see
    /// [`ProbeRt::wake_ms`]). Upstream's kubelet runs every tick; nothing kubeplay shows can tell
    /// the difference, and a steady cluster of 150,000 pods probed every 10 s would otherwise be
    /// 900,000 kubelet syncs a simulated minute (docs/benchmarks.md).
    steady_until: Option<u64>,
}

impl ProbeRt {
    /// When the pod must be synced for this probe.
    fn wake_ms(&self) -> Option<u64> {
        let next = self.next_ms?;
        match self.steady_until {
            None => Some(next),
            Some(u64::MAX) => None,
            Some(h) if h <= next => Some(next),
            Some(h) => Some(next + (h - next).div_ceil(self.period_ms) * self.period_ms),
        }
    }

    /// Accounts for the steady ticks before `until` (with `inclusive`, at `until` too) that were
    /// not simulated: each would have succeeded, so the run of successes grows by one each and
    /// the next tick moves on. Returns the ticks accounted for, for the debug check.
    fn catch_up(&mut self, until: u64, inclusive: bool) -> std::ops::Range<u64> {
        let (Some(h), Some(next)) = (self.steady_until, self.next_ms) else { return 0..0 };
        let period = self.period_ms.max(1);
        let ticks = match (next.cmp(&until), inclusive) {
            (std::cmp::Ordering::Less, false) => (until - next).div_ceil(period),
            (std::cmp::Ordering::Less | std::cmp::Ordering::Equal, true) => (until - next) / period + 1,
            _ => 0,
        };
        // Never a tick at or after the horizon: that one must run (it is left due).
        let before_horizon = if h > next { (h - next).div_ceil(period) } else { 0 };
        debug_assert!(ticks <= before_horizon, "a steady probe's tick at or after its steady horizon {h} ms");
        let ticks = ticks.min(before_horizon);
        if ticks == 0 {
            return 0..0;
        }
        let last = next + (ticks - 1) * period;
        self.next_ms = Some(next + ticks * period);
        self.run = self.run.saturating_add(i32::try_from(ticks).unwrap_or(i32::MAX));
        next..last + 1
    }

    /// The probe stops being synced for a while (its node goes down, or a sidecar's restart
    /// holds the app containers back): its steady ticks up to `until` are accounted for, and it
    /// is steady no more, so its next sync runs the overdue tick as when every tick runs.
    fn suspend(&mut self, until: u64, inclusive: bool) {
        self.catch_up(until, inclusive);
        self.steady_until = None;
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Terminated {
    exit_code: i32,
    reason: String,
    started_ms: u64,
    finished_ms: u64,
    container_id: String,
}

#[derive(Clone, Debug, Default)]
struct ContainerRt {
    name: String,
    /// An init container with restartPolicy Always: it keeps running beside the app.
    sidecar: bool,
    image: String,
    /// Shared with every container that follows the same profile ([`KubeletState::share_profile`]).
    profile: std::rc::Rc<Profile>,
    port: Option<i32>,
    /// Waiting (reason, message) while not running.
    waiting: Option<(String, String)>,
    running_since: Option<u64>,
    container_id: String,
    terminated: Option<Terminated>,
    last_terminated: Option<Terminated>,
    restart_count: i32,
    /// When the next (re)start is due.
    start_at: Option<u64>,
    /// A scheduled exit of the running process: (time, code, reason).
    exit_at: Option<(u64, i32, String)>,
    /// When the process's dependencies were found missing at start.
    missing_dep: Option<String>,
    started: bool,
    ready: bool,
    probes: Probes,
    /// A kill in progress (liveness/startup failure or pod deletion): SIGKILL deadline.
    kill_deadline: Option<u64>,
    restart_backoff: Option<Backoff>,
    /// The exit (finishedAt) whose back-off has been waited out.
    backoff_cleared_for: Option<u64>,
    pull_backoff: Option<Backoff>,
    pulling_until: Option<u64>,
    pull_started: u64,
    logs: Vec<(u64, String)>,
    previous_logs: Vec<(u64, String)>,
    logged_ready: bool,
}

/// The kubelet's record of one pod.
#[derive(Clone, Debug, Default)]
pub struct PodRt {
    /// Init containers first (`n_init` of them), then the app containers.
    containers: Vec<ContainerRt>,
    n_init: usize,
    ip: String,
    start_ms: u64,
    wake_at: Option<u64>,
    terminating: bool,
    /// The pod's resourceVersion after the kubelet's last status write, and the runtime
    /// record's fingerprint then.
    written: Option<(String, u64)>,
}

#[cfg(test)]
thread_local! {
    /// Tests compare the cluster with and without steady probes (every tick simulated).
    static EVERY_TICK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether every probe tick is simulated (only tests turn steady probes off).
fn every_tick() -> bool {
    #[cfg(test)]
    return EVERY_TICK.with(std::cell::Cell::get);
    #[cfg(not(test))]
    false
}

/// One container's back-off state, for invariant checks (crate::sweep).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackoffView {
    pub container: String,
    pub restart: Option<Backoff>,
    pub pull: Option<Backoff>,
    /// When the next (re)start is due, if one is scheduled.
    pub start_at_ms: Option<u64>,
    /// The waiting reason (`CrashLoopBackOff`, `ImagePullBackOff`, ...), if waiting.
    pub waiting: Option<String>,
}

impl PodRt {
    pub fn backoffs(&self) -> Vec<BackoffView> {
        self.containers
            .iter()
            .map(|c| BackoffView {
                container: c.name.clone(),
                restart: c.restart_backoff,
                pull: c.pull_backoff,
                start_at_ms: c.start_at,
                waiting: c.waiting.as_ref().map(|w| w.0.clone()),
            })
            .collect()
    }

    /// Sets every container's restart back-off (tests of the invariant checks only).
    #[cfg(test)]
    pub(crate) fn force_restart_backoff(&mut self, b: Backoff) {
        for c in &mut self.containers {
            c.restart_backoff = Some(b);
        }
    }
}

/// What `kubectl logs` reads.
pub fn logs(rt: &PodRt, container: Option<&str>, previous: bool) -> Result<Vec<(u64, String)>, String> {
    let c = match container {
        Some(n) => {
            rt.containers.iter().find(|c| c.name == n).ok_or_else(|| format!("container {n} is not valid for pod"))?
        }
        None => rt.containers.get(rt.n_init).ok_or("no containers")?,
    };
    Ok(if previous { c.previous_logs.clone() } else { c.logs.clone() })
}

fn probe_of(c: &Container, k: ProbeKind) -> Option<&Probe> {
    match k {
        ProbeKind::Startup => c.startup_probe.as_ref(),
        ProbeKind::Liveness => c.liveness_probe.as_ref(),
        ProbeKind::Readiness => c.readiness_probe.as_ref(),
    }
}

fn env_value(c: &Container, name: &str, cluster: &Cluster, ns: &str) -> Option<String> {
    for e in c.env.iter().flatten().rev() {
        if e.name == name {
            if let Some(v) = &e.value {
                return Some(v.clone());
            }
            if let Some(r) = e.value_from.as_ref().and_then(|f| f.config_map_key_ref.as_ref())
                && let Some(Object::ConfigMap(cm)) = cluster.store().get(Kind::ConfigMap, ns, &r.name)
            {
                return cm.data.as_ref().and_then(|d| d.get(&r.key)).cloned();
            }
            if let Some(r) = e.value_from.as_ref().and_then(|f| f.secret_key_ref.as_ref())
                && let Some(Object::Secret(s)) = cluster.store().get(Kind::Secret, ns, &r.name)
            {
                return s.data.as_ref().and_then(|d| d.get(&r.key)).map(|b| String::from_utf8_lossy(&b.0).into_owned());
            }
        }
    }
    for src in c.env_from.iter().flatten() {
        if let Some(r) = &src.config_map_ref
            && let Some(Object::ConfigMap(cm)) = cluster.store().get(Kind::ConfigMap, ns, &r.name)
            && let Some(v) = cm.data.as_ref().and_then(|d| d.get(name))
        {
            return Some(v.clone());
        }
        if let Some(r) = &src.secret_ref
            && let Some(Object::Secret(s)) = cluster.store().get(Kind::Secret, ns, &r.name)
            && let Some(v) = s.data.as_ref().and_then(|d| d.get(name))
        {
            return Some(String::from_utf8_lossy(&v.0).into_owned());
        }
    }
    None
}

/// CreateContainerConfigError: a ConfigMap/Secret (or key) the container's env needs is missing.
fn config_error(c: &Container, cluster: &Cluster, ns: &str) -> Option<String> {
    for e in c.env.iter().flatten() {
        let Some(f) = e.value_from.as_ref() else { continue };
        if let Some(r) = &f.config_map_key_ref {
            match cluster.store().get(Kind::ConfigMap, ns, &r.name) {
                None if !r.optional.unwrap_or(false) => return Some(format!("configmap \"{}\" not found", r.name)),
                Some(Object::ConfigMap(cm))
                    if !r.optional.unwrap_or(false) && cm.data.as_ref().is_none_or(|d| !d.contains_key(&r.key)) =>
                {
                    return Some(format!("couldn't find key {} in ConfigMap {ns}/{}", r.key, r.name));
                }
                _ => {}
            }
        }
        if let Some(r) = &f.secret_key_ref {
            match cluster.store().get(Kind::Secret, ns, &r.name) {
                None if !r.optional.unwrap_or(false) => return Some(format!("secret \"{}\" not found", r.name)),
                Some(Object::Secret(s))
                    if !r.optional.unwrap_or(false) && s.data.as_ref().is_none_or(|d| !d.contains_key(&r.key)) =>
                {
                    return Some(format!("couldn't find key {} in Secret {ns}/{}", r.key, r.name));
                }
                _ => {}
            }
        }
    }
    for src in c.env_from.iter().flatten() {
        if let Some(r) = &src.config_map_ref
            && !r.optional.unwrap_or(false)
            && !cluster.store().contains(Kind::ConfigMap, ns, &r.name)
        {
            return Some(format!("configmap \"{}\" not found", r.name));
        }
        if let Some(r) = &src.secret_ref
            && !r.optional.unwrap_or(false)
            && !cluster.store().contains(Kind::Secret, ns, &r.name)
        {
            return Some(format!("secret \"{}\" not found", r.name));
        }
    }
    None
}

impl Cluster {
    /// The pod was bound to a node: its kubelet picks it up shortly after (a watch event).
    pub(crate) fn kubelet_pod_bound(&mut self, ns: &str, name: &str) {
        self.kubelet_wake(ns, name, self.now.plus_ms(100));
    }

    /// The node's kubelet stops syncing (`node fail`, `node partition`): the steady probe ticks
    /// up to now are accounted for, as if each had run (it had, before the node went down). On
    /// recovery the overdue tick then runs at the first sync, as it does when every tick is
    /// simulated.
    pub(crate) fn kubelet_node_down(&mut self, node: &str) {
        let now = self.now.ms();
        for key in self.pods_on_node(node) {
            let Some(rt) = self.kubelet.pods.get_mut(&key.0, &key.1) else { continue };
            for r in rt.containers.iter_mut().flat_map(|c| c.probes.values_mut()) {
                r.suspend(now, true);
            }
        }
    }

    /// (namespace, name) of the pods bound to `node`.
    pub(crate) fn pods_on_node(&self, node: &str) -> Vec<(String, String)> {
        self.store
            .list(Kind::Pod, None)
            .filter(
                |o| matches!(o, Object::Pod(p) if p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node)),
            )
            .map(|o| (o.namespace().to_string(), o.name().to_string()))
            .collect()
    }

    pub(crate) fn kubelet_wake(&mut self, ns: &str, name: &str, at: SimTime) {
        if let Some(rt) = self.kubelet.pods.get_mut(ns, name) {
            if rt.wake_at.is_some_and(|w| w <= at.ms() && w >= self.now.ms()) {
                return;
            }
            rt.wake_at = Some(at.ms());
        }
        self.queue.push(at, Timer::Kubelet { namespace: ns.into(), name: name.into() });
    }

    /// The runtime the kubelet keeps for a pod (for `kubectl logs`).
    pub fn pod_runtime(&self, ns: &str, name: &str) -> Option<&PodRt> {
        self.kubelet.pods.get(ns, name)
    }

    /// The profile a container follows and the logs it echoes at start: the kept base profile
    /// itself (shared) unless the pod's annotations override it.
    fn profile_for(&mut self, pod: &Pod, c: &Container) -> (std::rc::Rc<Profile>, Vec<String>) {
        let (mut profile, logs) = match self.kubelet.kept_base_profile(c) {
            Some(kept) => kept,
            None => {
                let (profile, logs) = self.base_profile(c);
                let made = (std::rc::Rc::new(profile), logs);
                self.kubelet.keep_base_profile(c, made.clone());
                made
            }
        };
        debug_assert!(
            {
                let (base, base_logs) = self.base_profile(c);
                *profile == base && logs == base_logs
            },
            "the kept base profile of {:?} went stale",
            c.image
        );
        if let Some(annotations) = &pod.metadata.annotations
            && images::overrides_any(annotations)
        {
            images::apply_overrides(std::rc::Rc::make_mut(&mut profile), annotations, &c.name);
        }
        (profile, logs)
    }

    fn base_profile(&self, c: &Container) -> (Profile, Vec<String>) {
        let image = c.image.clone().unwrap_or_default();
        let tagged = with_tag(&image);
        // A local image keeps the behaviour of what it was built or tagged from.
        let repo = self
            .kubelet
            .local_images
            .get(&tagged)
            .map(|l| l.profile_repo.clone())
            .unwrap_or_else(|| repository(&image));
        let tag = tagged.rsplit(':').next().unwrap_or("latest").to_string();
        // Profiles the course author defined (`profile apply -f`) win over the built-ins.
        for key in [format!("{repo}:{tag}"), repo.clone(), tagged.clone()] {
            if let Some(p) = self.kubelet.custom_profiles.get(&key) {
                return (p.clone(), vec![]);
            }
        }
        if repo.ends_with("stress") {
            let mut args: Vec<String> = c.command.clone().unwrap_or_default();
            args.extend(c.args.clone().unwrap_or_default());
            return (images::stress(&args), vec![]);
        }
        if repo == "busybox" || repo == "alpine" {
            let mut cmd: Vec<String> = c.command.clone().unwrap_or_default();
            cmd.extend(c.args.clone().unwrap_or_default());
            return images::busybox(&cmd);
        }
        (images::builtin(&repo, &tag), vec![])
    }

    /// A pod's usage as metrics-server reports it: (CPU millicores, memory bytes), summed over
    /// running containers; None until a container has run for one 15 s scrape.
    pub fn pod_usage(&self, ns: &str, name: &str) -> Option<(i64, i64)> {
        let now = self.now.ms();
        let rt = self.pod_runtime(ns, name)?;
        let pod = match self.store().get(Kind::Pod, ns, name) {
            Some(Object::Pod(p)) => p,
            _ => return None,
        };
        let specs: Vec<&Container> =
            pod.spec.iter().flat_map(|s| s.init_containers.iter().flatten().chain(s.containers.iter())).collect();
        let mut seen = false;
        let (mut cpu, mut mem) = (0i64, 0i64);
        // The requests it served over the last scrape cost CPU (and hold memory) in the
        // serving container.
        let rps = self.pod_rps(name, 15) as i64;
        for (idx, (c, spec)) in rt.containers.iter().zip(specs).enumerate() {
            let Some(since) = c.running_since else { continue };
            if now < since + 15_000 {
                continue;
            }
            seen = true;
            let limit = spec.resources.as_ref().and_then(|r| r.limits.as_ref()).and_then(|l| l.get("cpu"));
            let limit = limit.and_then(|q| crate::api::quantity::milli_value(&q.0).ok()).unwrap_or(i64::MAX);
            let serving = if idx == rt.n_init { rps * c.profile.cpu_per_request_milli } else { 0 };
            cpu += (c.profile.cpu_idle_milli + serving).min(limit);
            if idx == rt.n_init {
                mem += rps * c.profile.memory_per_request_ki * 1024 * (c.profile.request_ms as i64).max(1) / 1000;
            }
            let minutes = (now - since) as i64 / 60_000;
            mem += (c.profile.memory_mi + c.profile.leak_mi_per_min * minutes) * 1024 * 1024;
        }
        seen.then_some((cpu, mem))
    }

    /// Whether `host:port` (a Service name as the pod's DNS resolves it) has a pod behind it
    /// that accepts connections now. Services route only to Ready pods (K8S-FACTS §8.3).
    pub(crate) fn reachable(&self, ns: &str, host: &str, port: i32) -> Result<(), String> {
        if host == "localhost" || host == "127.0.0.1" {
            // The container's own loopback: nothing else in the pod listens there.
            return Err(format!("dial tcp 127.0.0.1:{port}: connect: connection refused"));
        }
        let Some((svc_ns, svc_name, _)) = self.service_for_inside(ns, host, port) else {
            return Err(format!("dial tcp: lookup {host} on 10.96.0.10:53: no such host"));
        };
        let ip = match self.store().get(Kind::Service, &svc_ns, &svc_name) {
            Some(Object::Service(s)) => s.spec.as_ref().and_then(|sp| sp.cluster_ip.clone()).unwrap_or_default(),
            _ => String::new(),
        };
        let ok = self
            .backends(&svc_ns, &svc_name, port)
            .iter()
            .any(|b| b.ready && self.pod_answering(b).is_some_and(|p| self.listening(p.namespace(), p.name(), b.port)));
        if ok { Ok(()) } else { Err(format!("dial tcp {ip}:{port}: connect: connection refused")) }
    }

    /// The HTTP status a pod (with its runtime) answers on `port` for `path` now; Err when
    /// nothing listens.
    pub(crate) fn http_from(
        &self,
        pod: Option<&Object>,
        rt: Option<&PodRt>,
        port: i32,
        path: &str,
    ) -> Result<u16, String> {
        let now = self.now.ms();
        if !self.node_alive_under(pod) {
            return Err("connection timed out".into());
        }
        let rt = rt.ok_or("no such pod")?;
        let c = rt
            .containers
            .iter()
            .find(|c| {
                c.port == Some(port)
                    && c.running_since.is_some_and(|s| now >= s + c.profile.listen_ms)
                    && c.missing_dep.is_none()
            })
            .ok_or("connection refused")?;
        let since = c.running_since.unwrap_or(now);
        if c.profile.deadlock_after_ms.is_some_and(|d| now >= since + d) {
            return Err("timeout".into());
        }
        Ok(if c.profile.http.is_empty() {
            200
        } else {
            match c.profile.http.get(path) {
                Some(s) if now >= since + c.profile.warmup_ms || *s != 200 => *s,
                Some(_) => 503,
                None => 404,
            }
        })
    }

    /// Whether the machine under a pod still runs its containers (a partitioned node does; a
    /// failed one does not).
    pub(crate) fn pod_node_alive(&self, ns: &str, pod: &str) -> bool {
        self.node_alive_under(self.store().get(Kind::Pod, ns, pod))
    }

    fn node_alive_under(&self, pod: Option<&Object>) -> bool {
        let node = match pod {
            Some(Object::Pod(p)) => p.spec.as_ref().and_then(|s| s.node_name.as_deref()),
            _ => None,
        };
        node.and_then(|n| self.kubelet.nodes.get(n)).is_none_or(|rt| rt.down_since.is_none() || rt.partitioned)
    }

    /// Whether a container of the pod listens on `port` now.
    pub(crate) fn listening(&self, ns: &str, pod: &str, port: i32) -> bool {
        let now = self.now.ms();
        if !self.pod_node_alive(ns, pod) {
            return false;
        }
        self.pod_runtime(ns, pod).is_some_and(|rt| {
            rt.containers.iter().any(|c| {
                c.port == Some(port)
                    && c.running_since.is_some_and(|s| now >= s + c.profile.listen_ms)
                    && c.missing_dep.is_none()
                    && c.kill_deadline.is_none()
            })
        })
    }

    fn kubelet_event(&mut self, ns: &str, pod: &str, node: &str, ty: &'static str, reason: &str, msg: &str) {
        self.record_event(Kind::Pod, ns, pod, ty, reason, msg, "kubelet", Some(node));
    }

    pub(crate) fn kubelet_sync_pod(&mut self, ns: &str, name: &str) {
        // Shared, not copied: the pod stays as read while this sync writes its status.
        let shared = self.store.get_shared(Kind::Pod, ns, name);
        let Some(Object::Pod(pod)) = shared.as_deref() else {
            self.kubelet.pods.remove(ns, name);
            return;
        };
        let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) else { return };
        // A kubelet that cannot reach the API server neither sees nor reports anything.
        if self.kubelet.nodes.get(node).is_some_and(|n| n.down_since.is_some()) {
            return;
        }
        let now = self.now.ms();
        let default_spec = PodSpec::default();
        let spec = pod.spec.as_deref().unwrap_or(&default_spec);
        let (key, mut rt) = match self.kubelet.pods.take(ns, name) {
            Some((key, mut rt)) => {
                if rt.wake_at.is_some_and(|w| w <= now) {
                    rt.wake_at = None;
                }
                (key, rt)
            }
            None => {
                let nrt = match self.kubelet.nodes.get_mut(node) {
                    Some(nrt) => nrt,
                    None => self.kubelet.nodes.get_or_insert(node.into(), Default::default()),
                };
                nrt.next_ip += 1;
                let mut ip = String::with_capacity(16);
                ip.push_str("10.244.");
                push_dec(&mut ip, u64::from(nrt.index));
                ip.push('.');
                push_dec(&mut ip, u64::from(nrt.next_ip));
                let n_init = spec.init_containers.as_ref().map_or(0, Vec::len);
                // Exactly as many as there are: collecting a chain of an optional list would
                // reserve room for four (a ContainerRt is most of a kilobyte; 150,000 pods).
                let mut containers = Vec::with_capacity(n_init + spec.containers.len());
                containers.extend(spec.init_containers.iter().flatten().chain(spec.containers.iter()).enumerate().map(
                    |(idx, c)| {
                        let (profile, logs) = self.profile_for(pod, c);
                        let port =
                            profile.port.or_else(|| c.ports.as_ref().and_then(|p| p.first()).map(|p| p.container_port));
                        let _ = logs;
                        ContainerRt {
                            name: c.name.clone(),
                            sidecar: idx < n_init && c.restart_policy.as_deref() == Some("Always"),
                            image: c.image.clone().unwrap_or_default(),
                            profile,
                            port,
                            waiting: Some(("ContainerCreating".into(), String::new())),
                            start_at: Some(now),
                            ..Default::default()
                        }
                    },
                ));
                let rt =
                    PodRt { containers, n_init, ip, start_ms: now, wake_at: None, terminating: false, written: None };
                (name.into(), Box::new(rt))
            }
        };

        if pod.metadata.deletion_timestamp.is_some() {
            if self.sync_terminating(pod, node, &mut rt) {
                // Its record, taken out above, goes with it.
                self.store.remove(Kind::Pod, ns, name);
                self.scheduler.epoch += 1;
                self.changed(Kind::Pod);
                return;
            }
        } else {
            let restart_policy = spec.restart_policy.as_deref().unwrap_or("Always");
            let specs: Vec<&Container> = spec.init_containers.iter().flatten().chain(spec.containers.iter()).collect();
            // Init containers run one after another, each to completion (sidecars: until started);
            // app containers start once all have (K8S-FACTS §3.1, §3.4).
            let init_policy = if restart_policy == "Never" { "Never" } else { "OnFailure" };
            let mut initialized = true;
            for (i, c) in specs.iter().enumerate().take(rt.n_init) {
                let sidecar = rt.containers[i].sidecar;
                let done = |rt: &PodRt| {
                    let c = &rt.containers[i];
                    if sidecar {
                        c.running_since.is_some() && c.started
                    } else {
                        c.start_at.is_none() && c.terminated.as_ref().is_some_and(|t| t.exit_code == 0)
                    }
                };
                if !sidecar && done(&rt) {
                    continue;
                }
                self.sync_container(pod, node, c, &mut rt, i, if sidecar { "Always" } else { init_policy });
                if !done(&rt) {
                    initialized = false;
                    if !sidecar {
                        break;
                    }
                }
            }
            if !initialized {
                // The app containers are not synced: their probes do not run. Their steady
                // ticks up to now are accounted for, and the overdue one runs at the first sync
                // that syncs them again, as when every tick runs.
                for c in rt.containers.iter_mut().skip(rt.n_init) {
                    for r in c.probes.values_mut() {
                        r.suspend(now, false);
                    }
                }
            }
            if initialized {
                for (i, c) in specs.iter().enumerate().skip(rt.n_init) {
                    if rt.containers[i].start_at.is_some_and(|t| t < now) && rt.containers[i].container_id.is_empty() {
                        rt.containers[i].start_at = Some(now);
                    }
                    self.sync_container(pod, node, c, &mut rt, i, restart_policy);
                }
            }
        }
        // The last read of the pod: the status write lets go of it, so that the store can set the
        // status in place (the node's name copied out first, inline).
        let node = crate::store::Name::from(node);
        self.write_status(shared, (ns, name), &node, &mut rt);
        let next = next_wake(&rt, now);
        self.kubelet.pods.put(ns, key, rt);
        if let Some(t) = next {
            self.kubelet_wake(ns, name, SimTime(t));
        }
    }

    /// Starts, probes, stops and restarts one container; everything due by now.
    fn sync_container(
        &mut self,
        pod: &Pod,
        node: &str,
        spec: &Container,
        rt: &mut PodRt,
        i: usize,
        restart_policy: &str,
    ) {
        let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
        let name = pod.metadata.name.as_deref().unwrap_or_default();
        let now = self.now.ms();
        // A scheduled exit or SIGKILL.
        let c = &mut rt.containers[i];
        if c.running_since.is_some() {
            let exit = match (&c.exit_at, c.kill_deadline) {
                (Some((t, code, reason)), _) if *t <= now => Some((*t, *code, reason.clone())),
                (_, Some(deadline)) if deadline <= now => Some((deadline, 137, "Error".to_string())),
                _ => None,
            };
            if let Some((at, code, reason)) = exit {
                let started = c.running_since.take().unwrap_or(at);
                c.terminated = Some(Terminated {
                    exit_code: code,
                    reason,
                    started_ms: started,
                    finished_ms: at,
                    container_id: c.container_id.clone(),
                });
                c.exit_at = None;
                c.kill_deadline = None;
                c.ready = false;
                c.started = false;
                c.probes.clear();
                let restart = match restart_policy {
                    "Never" => false,
                    "OnFailure" => code != 0,
                    _ => true,
                };
                if restart {
                    c.start_at = Some(now);
                }
            }
        }
        // Due to (re)start?
        let c = &mut rt.containers[i];
        if c.running_since.is_none() && c.start_at.is_some_and(|t| t <= now) {
            // Restart back-off (doBackOff): keyed on the last exit's finishedAt.
            // The back-off is checked once per exit; a restart that then waits for an image pull
            // does not check it again.
            if let Some(t) = c.terminated.clone().filter(|t| c.backoff_cleared_for != Some(t.finished_ms)) {
                if in_backoff_since(c.restart_backoff.as_ref(), t.finished_ms, now) {
                    let wait = c.restart_backoff.map_or(0, |b| b.backoff_ms);
                    let msg = format!(
                        "back-off {} restarting failed container={} pod={name}_{ns}({})",
                        go_duration(wait),
                        c.name,
                        pod.metadata.uid.clone().unwrap_or_default()
                    );
                    c.waiting = Some(("CrashLoopBackOff".into(), msg));
                    c.start_at = Some(t.finished_ms + wait);
                    let cname = c.name.clone();
                    let uid = pod.metadata.uid.clone().unwrap_or_default();
                    self.kubelet_event(
                        ns,
                        name,
                        node,
                        "Warning",
                        "BackOff",
                        &format!("Back-off restarting failed container {cname} in pod {name}_{ns}({uid})"),
                    );
                    return;
                }
                c.restart_backoff = Some(backoff_next(c.restart_backoff, t.finished_ms));
                c.backoff_cleared_for = Some(t.finished_ms);
            }
            if let Some(err) = config_error(spec, self, ns) {
                let c = &mut rt.containers[i];
                c.waiting = Some(("CreateContainerConfigError".into(), err.clone()));
                c.start_at = Some(now + 10_000);
                self.kubelet_event(ns, name, node, "Warning", "Failed", &format!("Error: {err}"));
                return;
            }
            if !self.ensure_image(pod, node, spec, rt, i) {
                return;
            }
            self.start_container(pod, node, spec, rt, i);
        }
        self.run_probes(pod, node, spec, rt, i);
        let c = &mut rt.containers[i];
        if let Some(since) = c.running_since
            && !c.logged_ready
            && c.missing_dep.is_none()
            && now >= since + c.profile.listen_ms
            && c.exit_at.is_none()
        {
            c.logged_ready = true;
            let lines: Vec<String> = c.profile.ready_logs.iter().map(|l| l.to_string()).collect();
            for l in lines {
                c.logs.push((since + c.profile.listen_ms, l));
            }
        }
    }

    /// Image pull per imagePullPolicy; false while the container cannot start yet.
    fn ensure_image(&mut self, pod: &Pod, node: &str, spec: &Container, rt: &mut PodRt, i: usize) -> bool {
        let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
        let name = pod.metadata.name.as_deref().unwrap_or_default();
        let now = self.now.ms();
        let image = spec.image.as_deref().unwrap_or_default();
        let tagged = with_tag(image);
        let policy =
            spec.image_pull_policy.as_deref().unwrap_or_else(|| crate::api::defaults::default_pull_policy(image));
        let local = self.kubelet.local_images.contains_key(&tagged);
        let cached = local || self.kubelet.nodes.get(node).is_some_and(|n| n.images.contains(&tagged));
        let c = &mut rt.containers[i];
        if let Some(until) = c.pulling_until {
            if until > now {
                return false;
            }
            c.pulling_until = None;
            return match image_size(image) {
                Some(size) => {
                    let took = go_duration(until - c.pull_started.min(until));
                    let mut size_text = String::with_capacity(20);
                    push_dec(&mut size_text, size);
                    let msg = cat(&[
                        "Successfully pulled image \"",
                        image,
                        "\" in ",
                        &took,
                        " (",
                        &took,
                        " including waiting). Image size: ",
                        &size_text,
                        " bytes.",
                    ]);
                    self.kubelet_event(ns, name, node, "Normal", "Pulled", &msg);
                    if let Some(n) = self.kubelet.nodes.get_mut(node)
                        && n.images.insert(tagged)
                    {
                        self.kubelet.images_epoch += 1;
                    }
                    true
                }
                None => {
                    let full = if image.contains('/') { tagged.clone() } else { format!("docker.io/library/{tagged}") };
                    let msg = format!(
                        "Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": {full}: not found"
                    );
                    self.kubelet_event(ns, name, node, "Warning", "Failed", &msg);
                    self.kubelet_event(ns, name, node, "Warning", "Failed", "Error: ErrImagePull");
                    let c = &mut rt.containers[i];
                    c.waiting = Some(("ErrImagePull".into(), msg));
                    c.pull_backoff = Some(backoff_next(c.pull_backoff, now));
                    // The pod worker syncs again shortly after a failed sync; it then reports the
                    // back-off until it ends.
                    c.start_at = Some(now + 1_000);
                    false
                }
            };
        }
        if policy == "Never" && !cached {
            let msg = format!("Container image \"{image}\" is not present with pull policy of Never");
            c.waiting = Some(("ErrImageNeverPull".into(), msg.clone()));
            c.start_at = Some(now + 10_000);
            self.kubelet_event(ns, name, node, "Warning", "ErrImageNeverPull", &msg);
            return false;
        }
        if cached && policy != "Always" {
            self.kubelet_event(
                ns,
                name,
                node,
                "Normal",
                "Pulled",
                &cat(&["Container image \"", image, "\" already present on machine"]),
            );
            return true;
        }
        if local && policy == "Always" {
            // Always asks the registry, which does not have a locally built image (the course's
            // story); with IfNotPresent the local copy would be used.
        }
        // In back-off from an earlier failed pull?
        if let Some(b) = c.pull_backoff
            && now < b.last_update_ms + b.backoff_ms
        {
            let msg = format!("Back-off pulling image \"{image}\"");
            c.waiting = Some(("ImagePullBackOff".into(), msg.clone()));
            c.start_at = Some(b.last_update_ms + b.backoff_ms);
            self.kubelet_event(ns, name, node, "Normal", "BackOff", &msg);
            return false;
        }
        self.kubelet_event(ns, name, node, "Normal", "Pulling", &cat(&["Pulling image \"", image, "\""]));
        let c = &mut rt.containers[i];
        let took = if cached { 300 } else { image_size(image).map_or(800, super::pull_ms) };
        c.pulling_until = Some(now + took);
        c.pull_started = now;
        c.start_at = Some(now + took);
        // A restarting container keeps showing its last exit while the image is pulled again.
        if c.terminated.is_none() && c.waiting.as_ref().is_none_or(|w| w.0 == "ContainerCreating") {
            c.waiting = Some(("ContainerCreating".into(), String::new()));
        } else if c.terminated.is_some() && c.waiting.as_ref().is_some_and(|w| w.0 == "CrashLoopBackOff") {
            c.waiting = None;
        }
        false
    }

    fn start_container(&mut self, pod: &Pod, node: &str, spec: &Container, rt: &mut PodRt, i: usize) {
        let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
        let name = pod.metadata.name.as_deref().unwrap_or_default();
        let now = self.now.ms();
        let cname = &spec.name;
        self.kubelet_event(ns, name, node, "Normal", "Created", &cat(&["Created container: ", cname]));
        self.kubelet_event(ns, name, node, "Normal", "Started", &cat(&["Started container ", cname]));
        // `containerd://` and 64 hexadecimal digits.
        let mut container_id = String::with_capacity(77);
        container_id.push_str("containerd://");
        for _ in 0..4 {
            push_hex(&mut container_id, self.rng_names.next_u64(), 16);
        }
        // What the process finds at start: required env, dependencies.
        let (mut profile, echoed) = self.profile_for(pod, spec);
        // A CPU limit below what start-up wants throttles it (CFS quota): start-up stretches.
        let limits = spec.resources.as_ref().and_then(|r| r.limits.as_ref());
        if let Some(cpu) = limits.and_then(|l| l.get("cpu")).and_then(|q| crate::api::quantity::milli_value(&q.0).ok())
            && cpu > 0
            && profile.startup_cpu_milli > cpu
        {
            let factor_pct = (profile.startup_cpu_milli * 100 / cpu) as u64;
            let stretched = std::rc::Rc::make_mut(&mut profile);
            stretched.listen_ms = stretched.listen_ms * factor_pct / 100;
            stretched.warmup_ms = stretched.warmup_ms * factor_pct / 100;
        }
        let memory_limit = limits.and_then(|l| l.get("memory")).and_then(|q| crate::api::quantity::value(&q.0).ok());
        let mut start_logs: Vec<String> = Vec::new();
        let mut exit_at = None;
        let mut missing = None;
        for line in &profile.start_logs {
            let mut l = line.to_string();
            while let Some(a) = l.find('{') {
                let Some(b) = l[a..].find('}') else { break };
                let var = l[a + 1..a + b].to_string();
                let val = env_value(spec, &var, self, ns).unwrap_or_default();
                l.replace_range(a..a + b + 1, &val);
            }
            start_logs.push(l);
        }
        start_logs.extend(echoed);
        // PostgreSQL finds an existing database on a volume that kept its data.
        if profile.port == Some(5432) {
            let previous = rt.containers[i].container_id.clone();
            let vol = self.data_volume(pod, &spec.name, "/var/lib/postgresql/data", &previous);
            if !vol.starts_with("container/") && self.volume_data.get(&vol).is_some_and(|d| d.rows > 0 || d.initialized)
            {
                start_logs.retain(|l| !l.contains("init process complete"));
                start_logs.insert(
                    0,
                    "PostgreSQL Database directory appears to contain a database; Skipping initialization".into(),
                );
            } else if !vol.starts_with("container/") {
                self.volume_data.entry(vol).or_default().initialized = true;
            }
        }
        for (var, line, code) in &profile.required_env {
            if env_value(spec, var, self, ns).is_none() {
                start_logs.push(line.to_string());
                exit_at = Some((now + 100, *code, "Error".to_string()));
            }
        }
        if exit_at.is_none() {
            for d in &profile.dependencies {
                let host = env_value(spec, &d.host_env, self, ns).unwrap_or_else(|| "localhost".into());
                let port =
                    env_value(spec, &d.port_env, self, ns).and_then(|p| p.parse().ok()).unwrap_or(d.default_port);
                if let Err(e) = self.reachable(ns, &host, port) {
                    start_logs.push(format!("failed to connect to {} at {host}:{port}: {e}", d.what));
                    missing = Some(d.what.to_string());
                    if let OnMissing::Exit { after_ms, code } = profile.on_missing {
                        exit_at =
                            Some((now + after_ms, code, if code == 0 { "Completed" } else { "Error" }.to_string()));
                    }
                    break;
                }
            }
        }
        // Over the memory limit: the kernel's OOM killer ends it with SIGKILL (exit 137).
        if let Some(limit) = memory_limit.filter(|l| *l > 0) {
            let mib = 1024 * 1024;
            let oom_at = if profile.memory_mi * mib > limit {
                Some(now + 500)
            } else if profile.leak_mi_per_min > 0 {
                let room = (limit - profile.memory_mi * mib) as u64;
                Some(now + room * 60_000 / (profile.leak_mi_per_min * mib) as u64 + 1)
            } else {
                None
            };
            if let Some(t) = oom_at
                && exit_at.as_ref().is_none_or(|e| e.0 > t)
            {
                exit_at = Some((t, 137, "OOMKilled".into()));
            }
        }
        if exit_at.is_none()
            && let Some((after, code)) = profile.exit_after
        {
            exit_at = Some((now + after, code, if code == 0 { "Completed" } else { "Error" }.to_string()));
        }
        let profile = self.kubelet.share_profile(profile);
        let c = &mut rt.containers[i];
        if c.terminated.is_some() {
            c.restart_count += 1;
            c.previous_logs = std::mem::take(&mut c.logs);
        }
        c.last_terminated = c.terminated.take().or(c.last_terminated.take());
        c.profile = profile;
        c.container_id = container_id;
        self.kubelet.remember_image_id(&c.image);
        c.running_since = Some(now);
        c.waiting = None;
        c.start_at = None;
        c.exit_at = exit_at;
        c.missing_dep = missing;
        c.logged_ready = false;
        c.logs.extend(start_logs.into_iter().map(|l| (now, l)));
        c.started = spec.startup_probe.is_none();
        c.ready = false;
        c.probes.clear();
        for k in [ProbeKind::Startup, ProbeKind::Liveness, ProbeKind::Readiness] {
            if let Some(p) = probe_of(spec, k) {
                let period = u64::from(p.period_seconds.unwrap_or(10).max(1) as u32) * 1000;
                let delay = u64::from(p.initial_delay_seconds.unwrap_or(0).max(0) as u32) * 1000;
                // The worker ticks every period from the start; ticks before initialDelaySeconds
                // are skipped.
                let first = delay.div_ceil(period) * period;
                let initial = match k {
                    ProbeKind::Readiness => Some(false),
                    ProbeKind::Liveness => Some(true),
                    ProbeKind::Startup => None,
                };
                c.probes.insert(
                    k,
                    ProbeRt { result: initial, next_ms: Some(now + first), period_ms: period, ..Default::default() },
                );
            }
        }
        if spec.readiness_probe.is_none() && spec.startup_probe.is_none() {
            c.ready = true;
        }
    }

    /// Runs the probes due now (K8S-FACTS §4).
    fn run_probes(&mut self, pod: &Pod, node: &str, spec: &Container, rt: &mut PodRt, i: usize) {
        let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
        let name = pod.metadata.name.as_deref().unwrap_or_default();
        let now = self.now.ms();
        let ip = rt.ip.clone();
        for k in [ProbeKind::Startup, ProbeKind::Liveness, ProbeKind::Readiness] {
            let c = &rt.containers[i];
            let Some(since) = c.running_since else { return };
            if c.kill_deadline.is_some() {
                return;
            }
            let Some(p) = probe_of(spec, k) else { continue };
            // Once the container has started, its startup probe stops (prober worker.go:
            // "Stop probing for startup once container has started").
            if k == ProbeKind::Startup && c.started {
                continue;
            }
            // The steady ticks since the last sync: all successes (checked in debug builds).
            let skipped = rt.containers[i].probes.get_mut(&k).map_or(0..0, |r| r.catch_up(now, false));
            #[cfg(debug_assertions)]
            {
                let c = &rt.containers[i];
                let period = c.probes.get(&k).map_or(1, |r| r.period_ms.max(1));
                for t in skipped.step_by(period as usize).take(10_000) {
                    debug_assert!(
                        probe_outcome(c, p, &ip, t, since).is_ok(),
                        "a skipped {} probe tick at {t} ms would have failed",
                        k.label()
                    );
                }
            }
            #[cfg(not(debug_assertions))]
            let _ = skipped;
            let c = &rt.containers[i];
            let due = c.probes.get(&k).and_then(|r| r.next_ms).is_some_and(|t| t <= now);
            if !due {
                continue;
            }
            // The startup probe gates the others.
            if k != ProbeKind::Startup && !c.started {
                if let Some(r) = rt.containers[i].probes.get_mut(&k) {
                    r.next_ms = Some(now + u64::from(p.period_seconds.unwrap_or(10).max(1) as u32) * 1000);
                }
                continue;
            }
            let outcome = probe_outcome(c, p, &ip, now, since);
            let c = &mut rt.containers[i];
            let period = u64::from(p.period_seconds.unwrap_or(10).max(1) as u32) * 1000;
            let success_threshold = p.success_threshold.unwrap_or(1).max(1);
            let failure_threshold = p.failure_threshold.unwrap_or(3).max(1);
            // When the outcome of this probe can next change: the process starts listening,
            // ends its warm-up or deadlocks (probe_outcome's inputs; the rest of them hold
            // while the container runs, and an exit or kill stops the probes).
            let horizon = [
                c.missing_dep.is_none().then_some(since + c.profile.listen_ms),
                c.profile.deadlock_after_ms.map(|d| since + d),
                Some(since + c.profile.warmup_ms),
            ]
            .into_iter()
            .flatten()
            .filter(|t| *t > now)
            .min()
            .unwrap_or(u64::MAX);
            let r = c.probes.get_or_default(k);
            r.next_ms = Some(now + period);
            r.period_ms = period;
            let ok = outcome.is_ok();
            if r.last_raw == Some(ok) {
                r.run = r.run.saturating_add(1);
            } else {
                r.last_raw = Some(ok);
                r.run = 1;
            }
            if ok && r.run >= success_threshold {
                r.result = Some(true);
            } else if !ok && r.run >= failure_threshold {
                r.result = Some(false);
            }
            r.steady_until = (ok && r.result == Some(true) && !every_tick()).then_some(horizon);
            let result = r.result;
            let run = r.run;
            if let Err(msg) = &outcome {
                self.kubelet_event(ns, name, node, "Warning", "Unhealthy", &cat(&[k.label(), " probe failed: ", msg]));
            }
            let c = &mut rt.containers[i];
            match k {
                ProbeKind::Readiness => c.ready = result == Some(true),
                ProbeKind::Startup => {
                    if result == Some(true) {
                        c.started = true;
                        if spec.readiness_probe.is_none() {
                            c.ready = true;
                        }
                    }
                }
                ProbeKind::Liveness => {}
            }
            let failed_kill = matches!(k, ProbeKind::Liveness | ProbeKind::Startup) && !ok && run >= failure_threshold;
            if failed_kill {
                let cname = c.name.clone();
                let grace = p
                    .termination_grace_period_seconds
                    .or(pod.spec.as_ref().and_then(|s| s.termination_grace_period_seconds))
                    .unwrap_or(30)
                    .max(0) as u64
                    * 1000;
                self.kubelet_event(
                    ns,
                    name,
                    node,
                    "Normal",
                    "Killing",
                    &format!("Container {cname} failed {} probe, will be restarted", k.label().to_ascii_lowercase()),
                );
                let c = &mut rt.containers[i];
                c.ready = false;
                sigterm(c, now, grace);
            }
        }
    }

    /// Pod deletion: SIGTERM (after preStop) to every container, SIGKILL when the grace period
    /// ends. True once every container has stopped.
    fn sync_terminating(&mut self, pod: &Pod, node: &str, rt: &mut PodRt) -> bool {
        let now = self.now.ms();
        let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
        let name = pod.metadata.name.as_deref().unwrap_or_default();
        let grace = pod.metadata.deletion_grace_period_seconds.unwrap_or(30).max(0) as u64 * 1000;
        if !rt.terminating {
            rt.terminating = true;
            let spec = pod.spec.clone().unwrap_or_default();
            for (i, c) in rt.containers.iter_mut().enumerate() {
                c.start_at = None;
                c.ready = false;
                if c.running_since.is_some() {
                    // preStop `sleep N` runs first and counts against the grace period.
                    let pre_stop_ms = spec
                        .containers
                        .get(i)
                        .and_then(|s| s.lifecycle.as_ref())
                        .and_then(|l| l.pre_stop.as_ref())
                        .map_or(0, |h| {
                            h.sleep
                                .as_ref()
                                .map(|s| s.seconds.max(0) as u64 * 1000)
                                .or_else(|| {
                                    h.exec.as_ref().and_then(|e| {
                                        let cmd = e.command.clone().unwrap_or_default();
                                        let sleep =
                                            cmd.iter().position(|w| w.ends_with("sleep")).and_then(|j| cmd.get(j + 1));
                                        sleep.and_then(|s| s.parse::<u64>().ok()).map(|s| s * 1000)
                                    })
                                })
                                .unwrap_or(0)
                        });
                    let cname = c.name.clone();
                    self.record_event(
                        Kind::Pod,
                        ns,
                        name,
                        "Normal",
                        "Killing",
                        &format!("Stopping container {cname}"),
                        "kubelet",
                        Some(node),
                    );
                    sigterm_after(c, now, pre_stop_ms.min(grace), grace);
                } else {
                    c.waiting = None;
                }
            }
        }
        for c in rt.containers.iter_mut() {
            let exit = match (&c.exit_at, c.kill_deadline) {
                (Some((t, code, reason)), _) if *t <= now => Some((*code, reason.clone())),
                (_, Some(d)) if d <= now => Some((137, "Error".to_string())),
                _ => None,
            };
            if let Some((code, reason)) = exit {
                let started = c.running_since.take().unwrap_or(now);
                c.terminated = Some(Terminated {
                    exit_code: code,
                    reason,
                    started_ms: started,
                    finished_ms: now,
                    container_id: c.container_id.clone(),
                });
                c.exit_at = None;
                c.kill_deadline = None;
            }
        }
        rt.containers.iter().all(|c| c.running_since.is_none())
    }

    /// Writes the pod's status from the runtime (K8S-FACTS §3.2–§3.4).
    /// `shared` is the pod as read at the start of the sync, stored under `(ns, name)`.
    fn write_status(
        &mut self,
        shared: Option<std::rc::Rc<Object>>,
        (ns, name): (&str, &str),
        node: &str,
        rt: &mut PodRt,
    ) {
        let Some(Object::Pod(pod)) = shared.as_deref() else { return };
        // The status is a function of the runtime record and the pod as last written: when
        // neither changed since the last sync (a passing probe on a ready pod), it would come
        // out the same, so it is not rebuilt.
        let fingerprint = status_fingerprint(rt);
        let rv = pod.metadata.resource_version.as_deref().unwrap_or("");
        if rt.written.as_ref().is_some_and(|(w_rv, w_fp)| w_rv == rv && *w_fp == fingerprint) {
            return;
        }
        let was_ready = crate::controllers::pod_is_ready(pod);
        let spec = pod.spec.clone();
        let finished = matches!(pod_phase(rt, spec.as_deref()), "Succeeded" | "Failed");
        #[cfg(debug_assertions)]
        let expected = self.build_status(pod, node, rt).map(|(status, _, _)| status);
        drop(shared);
        // Where it is stored, when no other reader holds the pod.
        let (kubelet, now) = (&self.kubelet, self.now.ms());
        let edited = self
            .store
            .edit_pod_status(ns, name, finished, |st| edit::fill_status(st, kubelet, spec.as_deref(), (node, now), rt));
        let written = match edited {
            Some(changed) => {
                let stored = self.store.get(Kind::Pod, ns, name);
                #[cfg(debug_assertions)]
                {
                    let status = match stored {
                        Some(Object::Pod(p)) => p.status.as_ref(),
                        _ => None,
                    };
                    assert_eq!(
                        changed,
                        expected.is_some(),
                        "the status written in place changed where build_status did not, or not where it did"
                    );
                    if let Some(expected) = &expected {
                        assert_eq!(
                            status,
                            Some(expected),
                            "the status written in place is not the one build_status builds"
                        );
                    }
                }
                changed.then(|| matches!(stored, Some(Object::Pod(p)) if crate::controllers::pod_is_ready(p)))
            }
            None => {
                let shared = self.store.get_shared(Kind::Pod, ns, name);
                match shared.as_deref() {
                    Some(Object::Pod(pod)) => match self.build_status(pod, node, rt) {
                        Some((status, _, ready)) => {
                            drop(shared);
                            self.store.update_pod_status(ns, name, status);
                            Some(ready)
                        }
                        None => None,
                    },
                    _ => None,
                }
            }
        };
        if let Some(ready) = written {
            self.changed(Kind::Pod);
            if was_ready != ready {
                // Readiness changes what Services route to and what ReplicaSets count.
                self.wake(crate::queue::Controller::ReplicaSet);
            }
        }
        let rv = self.store.get(Kind::Pod, ns, name).and_then(|o| o.meta().resource_version.clone());
        rt.written = Some((rv.unwrap_or_default(), fingerprint));
    }

    /// The pod's status as the runtime record says, with whether the pod was and is ready; None
    /// when it is the status the pod has. (Where the stored status can be written in place,
    /// [`edit::fill_status`] writes the same status there; debug builds compare the two.)
    fn build_status(&self, pod: &Pod, node: &str, rt: &PodRt) -> Option<(PodStatus, bool, bool)> {
        let now = self.now.ms();
        let t = |ms: u64| time(SimTime(ms));
        let all_statuses: Vec<ContainerStatus> = rt
            .containers
            .iter()
            .map(|c| {
                let state = if let Some(since) = c.running_since {
                    ContainerState {
                        running: Some(ContainerStateRunning { started_at: Some(t(since)) }),
                        ..Default::default()
                    }
                } else if let Some((reason, msg)) = &c.waiting {
                    ContainerState {
                        waiting: Some(ContainerStateWaiting {
                            reason: Some(reason.clone()),
                            message: (!msg.is_empty()).then(|| msg.clone()),
                        }),
                        ..Default::default()
                    }
                } else if let Some(term) = &c.terminated {
                    ContainerState { terminated: Some(terminated_state(term)), ..Default::default() }
                } else {
                    ContainerState {
                        waiting: Some(ContainerStateWaiting {
                            reason: Some("ContainerCreating".into()),
                            message: None,
                        }),
                        ..Default::default()
                    }
                };
                // While waiting after an exit, lastState is that exit.
                let last = if c.running_since.is_none() && c.waiting.is_some() {
                    c.terminated.as_ref().or(c.last_terminated.as_ref())
                } else {
                    c.last_terminated.as_ref()
                };
                let restarts = c.restart_count;
                let ever_ran = !c.container_id.is_empty();
                ContainerStatus {
                    name: c.name.clone(),
                    image: c.image.clone(),
                    image_id: if ever_ran { self.kubelet.image_id(&c.image) } else { String::new() },
                    container_id: ever_ran.then(|| c.container_id.clone()),
                    ready: c.ready && c.running_since.is_some(),
                    started: Some(c.started && c.running_since.is_some()),
                    restart_count: restarts,
                    state: Some(state),
                    last_state: last
                        .map(|term| ContainerState { terminated: Some(terminated_state(term)), ..Default::default() }),
                    ..Default::default()
                }
            })
            .collect();
        let initialized = initialized(rt);
        let (init_statuses, mut statuses) = {
            let mut v = all_statuses;
            if rt.n_init > 0 {
                // With init containers the kubelet's default waiting reason is PodInitializing.
                for st in v.iter_mut() {
                    if let Some(w) = st.state.as_mut().and_then(|s| s.waiting.as_mut())
                        && w.reason.as_deref() == Some("ContainerCreating")
                    {
                        w.reason = Some("PodInitializing".into());
                    }
                }
            }
            let apps = v.split_off(rt.n_init);
            (v, apps)
        };
        if !initialized {
            // App containers wait for the init containers.
            for st in statuses.iter_mut().filter(|s| s.container_id.is_none()) {
                st.state = Some(ContainerState {
                    waiting: Some(ContainerStateWaiting { reason: Some("PodInitializing".into()), message: None }),
                    ..Default::default()
                });
            }
        }
        let phase = pod_phase(rt, pod.spec.as_deref());
        let unready = unready_names(rt);
        let ready = unready.is_empty() && phase == "Running";
        // Read where it is: the pod is shared and its status is only looked at.
        let no_status = PodStatus::default();
        let old = pod.status.as_ref().unwrap_or(&no_status);
        let cond = |ty: &str, status: bool, reason: Option<String>, message: Option<String>| {
            let s = if status { "True" } else { "False" };
            let prev = old.conditions.iter().flatten().find(|c| c.type_ == ty);
            let since = match prev {
                Some(p) if p.status == s => p.last_transition_time.clone(),
                _ => Some(t(now)),
            };
            PodCondition {
                type_: ty.into(),
                status: s.into(),
                reason,
                message,
                last_transition_time: since,
                last_probe_time: None,
                observed_generation: None,
            }
        };
        let unready_msg = (!ready).then(|| unready_message(&unready));
        let unready_reason = (!ready)
            .then(|| if phase == "Succeeded" { "PodCompleted".to_string() } else { "ContainersNotReady".to_string() });
        let scheduled = old.conditions.iter().flatten().find(|c| c.type_ == "PodScheduled").cloned();
        // Exactly as many as are kept (four and PodScheduled): a pod's status lives as long as
        // the pod, and a doubled list is a kilobyte per pod at 150,000 pods.
        let mut conditions = Vec::with_capacity(5);
        conditions.extend([
            cond("PodReadyToStartContainers", phase != "Succeeded" && phase != "Failed", None, None),
            {
                cond(
                    "Initialized",
                    initialized,
                    (!initialized).then(|| "ContainersNotInitialized".to_string()),
                    (!initialized).then(|| incomplete_message(rt)),
                )
            },
            cond("Ready", ready, unready_reason.clone(), unready_msg.clone()),
            cond("ContainersReady", ready, unready_reason, unready_msg),
        ]);
        if let Some(s) = scheduled {
            conditions.push(s);
        }
        let host_ip = super::host_ip(self.kubelet.nodes.get(node).map_or(0, |n| n.index));
        let status = PodStatus {
            phase: Some(phase.into()),
            conditions: Some(conditions),
            host_ip: Some(host_ip),
            host_ips: None,
            pod_ip: Some(rt.ip.clone()),
            pod_ips: Some(vec![PodIP { ip: rt.ip.clone() }]),
            start_time: Some(t(rt.start_ms)),
            container_statuses: Some(statuses),
            init_container_statuses: (rt.n_init > 0).then_some(init_statuses),
            qos_class: old.qos_class.clone(),
            ..Default::default()
        };
        (pod.status.as_ref() != Some(&status)).then(|| (status, crate::controllers::pod_is_ready(pod), ready))
    }
}

/// Whether the init containers are done (a sidecar: started and running; any other: exited 0).
fn initialized(rt: &PodRt) -> bool {
    rt.containers[..rt.n_init].iter().all(|c| {
        if c.sidecar {
            c.running_since.is_some() && c.started
        } else {
            c.start_at.is_none() && c.terminated.as_ref().is_some_and(|t| t.exit_code == 0)
        }
    })
}

/// The containers not ready, as the Ready condition's message names them: the app containers,
/// then the sidecars.
fn unready_names(rt: &PodRt) -> Vec<&str> {
    let (init, apps) = rt.containers.split_at(rt.n_init);
    let not_ready = |c: &&ContainerRt| !(c.ready && c.running_since.is_some());
    apps.iter()
        .filter(not_ready)
        .chain(init.iter().filter(|c| c.sidecar).filter(not_ready))
        .map(|c| c.name.as_str())
        .collect()
}

/// The Ready and ContainersReady conditions' message while not ready.
fn unready_message(unready: &[&str]) -> String {
    cat(&["containers with unready status: [", &unready.join(" "), "]"])
}

/// The Initialized condition's message while not initialized: the init containers that have
/// not completed (a sidecar: not started).
fn incomplete_message(rt: &PodRt) -> String {
    let incomplete: Vec<&str> = rt.containers[..rt.n_init]
        .iter()
        .filter(|c| {
            let completed = c.start_at.is_none() && c.terminated.as_ref().is_some_and(|t| t.exit_code == 0);
            !(completed || c.sidecar && c.started)
        })
        .map(|c| c.name.as_str())
        .collect();
    cat(&["containers with incomplete status: [", &incomplete.join(" "), "]"])
}

/// The pod's phase from its runtime record and its restart policy (K8S-FACTS §3.2).
fn pod_phase(rt: &PodRt, spec: Option<&PodSpec>) -> &'static str {
    let restart_policy = spec.and_then(|s| s.restart_policy.as_deref()).unwrap_or("Always");
    let apps = &rt.containers[rt.n_init..];
    let any_started = apps.iter().any(|c| !c.container_id.is_empty());
    let init_failed = restart_policy == "Never"
        && rt.containers[..rt.n_init]
            .iter()
            .any(|c| c.terminated.as_ref().is_some_and(|t| t.exit_code != 0) && c.start_at.is_none());
    let all_done = apps.iter().all(|c| c.running_since.is_none() && c.start_at.is_none() && c.terminated.is_some());
    if init_failed {
        "Failed"
    } else if !any_started {
        "Pending"
    } else if all_done && restart_policy != "Always" {
        if rt.containers.iter().all(|c| c.terminated.as_ref().is_some_and(|t| t.exit_code == 0)) {
            "Succeeded"
        } else {
            "Failed"
        }
    } else {
        "Running"
    }
}

fn terminated_state(t: &Terminated) -> ContainerStateTerminated {
    ContainerStateTerminated {
        exit_code: t.exit_code,
        reason: Some(t.reason.clone()),
        started_at: Some(time(SimTime(t.started_ms))),
        finished_at: Some(time(SimTime(t.finished_ms))),
        container_id: Some(t.container_id.clone()),
        ..Default::default()
    }
}

/// SIGTERM now; the process exits per its profile, or SIGKILL at the grace period's end.
fn sigterm(c: &mut ContainerRt, now: u64, grace_ms: u64) {
    sigterm_after(c, now, 0, grace_ms);
}

fn sigterm_after(c: &mut ContainerRt, now: u64, pre_stop_ms: u64, grace_ms: u64) {
    c.kill_deadline = Some(now + grace_ms);
    // A deadlocked process never runs its SIGTERM handler: only SIGKILL ends it.
    let stuck = c.profile.deadlock_after_ms.zip(c.running_since).is_some_and(|(d, s)| now >= s + d);
    let exit = match c.profile.on_sigterm {
        OnSigterm::Exit { .. } if stuck => None,
        OnSigterm::Exit { drain_ms, code } => {
            Some(now + pre_stop_ms + drain_ms).filter(|t| *t < now + grace_ms).map(|t| (t, code))
        }
        OnSigterm::Ignore => None,
    };
    // A process already on its way out keeps its own exit if that comes first.
    match (exit, &c.exit_at) {
        (Some((t, code)), Some((t0, _, _))) if t < *t0 => {
            c.exit_at = Some((t, code, if code == 0 { "Completed" } else { "Error" }.into()))
        }
        (Some((t, code)), None) => c.exit_at = Some((t, code, if code == 0 { "Completed" } else { "Error" }.into())),
        _ => {}
    }
    if grace_ms == 0 {
        c.exit_at = Some((now, 137, "Error".into()));
    }
}

/// What a probe sees (K8S-FACTS §4.3).
fn probe_outcome(c: &ContainerRt, p: &Probe, ip: &str, now: u64, since: u64) -> Result<(), String> {
    let listening = c.missing_dep.is_none() && now >= since + c.profile.listen_ms;
    let deadlocked = c.profile.deadlock_after_ms.is_some_and(|d| now >= since + d);
    let port_of = |port: &k8s_openapi::apimachinery::pkg::util::intstr::IntOrString| match port {
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(i) => *i,
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(_) => c.port.unwrap_or(0),
    };
    if let Some(h) = &p.http_get {
        let port = port_of(&h.port);
        let path = h.path.as_deref().unwrap_or("/");
        // Written only for a failure's message (a passing probe, most of them, needs none).
        let host = || ip_port(ip, port);
        if !listening || c.port != Some(port) {
            let host = host();
            return Err(cat(&["Get \"http://", &host, path, "\": dial tcp ", &host, ": connect: connection refused"]));
        }
        if deadlocked {
            return Err(cat(&[
                "Get \"http://",
                &host(),
                path,
                "\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
            ]));
        }
        let status = if c.profile.http.is_empty() {
            200
        } else {
            match c.profile.http.get(path) {
                Some(s) if now >= since + c.profile.warmup_ms || *s != 200 => *s,
                Some(_) => 503,
                None => 404,
            }
        };
        return if (200..400).contains(&status) {
            Ok(())
        } else {
            Err(format!("HTTP probe failed with statuscode: {status}"))
        };
    }
    if let Some(t) = &p.tcp_socket {
        let port = port_of(&t.port);
        if !listening || c.port != Some(port) {
            return Err(format!("dial tcp {ip}:{port}: connect: connection refused"));
        }
        return Ok(());
    }
    // exec and grpc: the process answers once it runs (and is not stuck).
    if deadlocked {
        return Err("command timed out".into());
    }
    Ok(())
}

/// Everything of a pod's runtime record that its written status shows (see `write_status`).
fn status_fingerprint(rt: &PodRt) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = crate::fingerprint::Fingerprint::default();
    (rt.n_init, &rt.ip, rt.start_ms, rt.terminating).hash(&mut h);
    for c in &rt.containers {
        (&c.name, &c.image, c.sidecar, &c.waiting, c.running_since, &c.container_id).hash(&mut h);
        (&c.terminated, &c.last_terminated, c.restart_count, c.start_at.is_some(), c.started, c.ready).hash(&mut h);
    }
    h.finish()
}

fn next_wake(rt: &PodRt, now: u64) -> Option<u64> {
    let mut t: Option<u64> = None;
    // Everything due by now was done by this sync; only future times wake the pod again.
    let mut consider = |v: Option<u64>| {
        if let Some(v) = v.filter(|v| *v > now) {
            t = Some(t.map_or(v, |x| x.min(v)));
        }
    };
    for c in &rt.containers {
        consider(c.start_at);
        consider(c.pulling_until);
        consider(c.exit_at.as_ref().map(|e| e.0));
        consider(c.kill_deadline);
        if !c.logged_ready && c.missing_dep.is_none() {
            consider(c.running_since.map(|s| s + c.profile.listen_ms));
        }
        for (k, r) in c.probes.iter() {
            if c.running_since.is_some() && !(k == ProbeKind::Startup && c.started) {
                consider(r.wake_ms());
            }
        }
    }
    t
}

/// What `kubectl exec` can see of a container: whether it runs, its id and its profile.
pub struct ExecTarget {
    pub running: bool,
    pub container_id: String,
    pub is_postgres: bool,
    /// The process accepts connections (its start-up is over).
    pub listening: bool,
    pub http: BTreeMap<String, u16>,
}

impl Cluster {
    pub(crate) fn exec_target(&self, ns: &str, pod: &str, container: &str) -> Option<ExecTarget> {
        let rt = self.pod_runtime(ns, pod)?;
        let c = rt.containers.iter().find(|c| c.name == container)?;
        Some(ExecTarget {
            running: c.running_since.is_some(),
            container_id: c.container_id.clone(),
            is_postgres: c.profile.port == Some(5432),
            listening: c.running_since.is_some_and(|s| self.now.ms() >= s + c.profile.listen_ms)
                && c.missing_dep.is_none(),
            http: c.profile.http.clone(),
        })
    }

    /// The environment a container's process sees, in the order `env` prints it.
    pub(crate) fn container_env(&self, pod: &Pod, c: &Container) -> Vec<(String, String)> {
        let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
        let mut out: Vec<(String, String)> = vec![
            ("PATH".into(), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()),
            ("HOSTNAME".into(), pod.metadata.name.clone().unwrap_or_default()),
        ];
        let set = |out: &mut Vec<(String, String)>, k: String, v: String| {
            out.retain(|(x, _)| *x != k);
            out.push((k, v));
        };
        for src in c.env_from.iter().flatten() {
            let prefix = src.prefix.clone().unwrap_or_default();
            if let Some(r) = &src.config_map_ref
                && let Some(Object::ConfigMap(cm)) = self.store().get(Kind::ConfigMap, ns, &r.name)
            {
                for (k, v) in cm.data.iter().flatten() {
                    set(&mut out, format!("{prefix}{k}"), v.clone());
                }
            }
            if let Some(r) = &src.secret_ref
                && let Some(Object::Secret(s)) = self.store().get(Kind::Secret, ns, &r.name)
            {
                for (k, v) in s.data.iter().flatten() {
                    set(&mut out, format!("{prefix}{k}"), String::from_utf8_lossy(&v.0).into_owned());
                }
            }
        }
        for e in c.env.iter().flatten() {
            if let Some(v) = env_value(c, &e.name, self, ns) {
                set(&mut out, e.name.clone(), v);
            }
        }
        // Service links (enableServiceLinks defaults to true): every Service in the namespace.
        // (NAME as an env prefix, cluster IP, [(port name, port, protocol)])
        type ServiceLink = (String, String, Vec<(String, i32, String)>);
        let services: Vec<ServiceLink> = self
            .store()
            .list(Kind::Service, Some(ns))
            .filter_map(|o| match o {
                Object::Service(s) => {
                    let spec = s.spec.clone().unwrap_or_default();
                    let ip = spec.cluster_ip.clone().filter(|ip| ip != "None")?;
                    let ports = spec
                        .ports
                        .iter()
                        .flatten()
                        .map(|p| {
                            (
                                p.name.clone().unwrap_or_default(),
                                p.port,
                                p.protocol.clone().unwrap_or_else(|| "TCP".into()),
                            )
                        })
                        .collect();
                    Some((o.name().to_uppercase().replace('-', "_"), ip, ports))
                }
                _ => None,
            })
            .collect();
        for (name, ip, ports) in services {
            let Some((_, first, proto)) = ports.first().cloned() else { continue };
            set(&mut out, format!("{name}_SERVICE_HOST"), ip.clone());
            set(&mut out, format!("{name}_SERVICE_PORT"), first.to_string());
            set(&mut out, format!("{name}_PORT"), format!("{}://{ip}:{first}", proto.to_lowercase()));
            for (pname, port, proto) in ports {
                if !pname.is_empty() {
                    set(
                        &mut out,
                        format!("{name}_SERVICE_PORT_{}", pname.to_uppercase().replace('-', "_")),
                        port.to_string(),
                    );
                }
                let p = proto.to_uppercase();
                set(&mut out, format!("{name}_PORT_{port}_{p}"), format!("{}://{ip}:{port}", proto.to_lowercase()));
                set(&mut out, format!("{name}_PORT_{port}_{p}_PROTO"), proto.to_lowercase());
                set(&mut out, format!("{name}_PORT_{port}_{p}_PORT"), port.to_string());
                set(&mut out, format!("{name}_PORT_{port}_{p}_ADDR"), ip.clone());
            }
        }
        set(&mut out, "HOME".into(), "/root".into());
        out
    }
}

impl PodRt {
    /// The first app container's per-request time and CPU: what traffic costs on this pod.
    pub fn serving_costs(&self) -> Option<(u64, i64)> {
        self.containers.get(self.n_init).map(|c| (c.profile.request_ms, c.profile.cpu_per_request_milli))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClusterConfig, Workspace};

    /// A pod whose process deadlocks 95 s after it starts, probed for liveness every 10 s
    /// from its start (K8S-FACTS §4: the probe worker ticks every period; three failures in a row
    /// restart the container). Returns the container's start, then (relative to it) each
    /// Unhealthy message's first and last time and count, the time of the kill, and how many
    /// instants the cluster ran through.
    fn deadlocking_pod(partition: Option<(u64, u64)>) -> (u64, Vec<(u64, u64, u32)>, u64, usize) {
        let mut c = Cluster::new(ClusterConfig { seed: 7, nodes: 1 });
        let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {kubeplay.dev/deadlock-after: 95s}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    livenessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 10}\n";
        let ws = Workspace::default().with_file("p.yaml", pod);
        assert!(c.run("kubectl apply -f p.yaml", &ws)[0].ok);
        let mut instants = 0;
        while c.pod_runtime("default", "p").and_then(|rt| rt.containers[0].running_since).is_none() {
            assert!(c.step());
        }
        let since = c.pod_runtime("default", "p").and_then(|rt| rt.containers[0].running_since).unwrap_or(0);
        let node = "node-1";
        let mut killed = None;
        while killed.is_none() && c.now().ms() < since + 300_000 {
            // The partition's commands, typed at their times (between instants, as a learner
            // types them).
            for (at, fail) in partition.into_iter().flat_map(|(down, up)| [(since + down, true), (since + up, false)]) {
                let t = c.now().ms();
                if t < at && c.queue.next_time().is_none_or(|n| n.ms() >= at) {
                    c.advance(at - t);
                    let r = if fail { c.node_fail(node, true) } else { c.node_recover(node) };
                    assert!(r.is_ok(), "{r:?}");
                }
            }
            assert!(c.step());
            instants += 1;
            killed = c.events().find(|e| e.reason == "Killing").map(|e| e.first_ms);
        }
        // (first, last, count) of each Unhealthy message.
        let failures = c
            .events()
            .filter(|e| e.reason == "Unhealthy")
            .map(|e| (e.first_ms - since, e.last_ms - since, e.count))
            .collect();
        (since, failures, killed.unwrap_or(0) - since, instants)
    }

    /// Runs `scenario` twice, with steady probes and with every tick simulated, and returns what
    /// each showed: every event (times and counts included, as its `Debug` form) and the pods as `kubectl get` and
    /// `kubectl describe` print them at the end.
    fn with_and_without_steady_probes(scenario: impl Fn(&mut Cluster)) -> [(Vec<String>, String); 2] {
        [false, true].map(|every| {
            EVERY_TICK.with(|e| e.set(every));
            // One node: the faults hit the pod's.
            let mut c = Cluster::new(ClusterConfig { seed: 7, nodes: 1 });
            scenario(&mut c);
            EVERY_TICK.with(|e| e.set(false));
            let shown = c.run("kubectl get pods -o wide\nkubectl describe pods", &Workspace::default());
            (
                c.events().map(|e| format!("{e:?}")).collect(),
                shown.into_iter().map(|r| r.output).collect::<Vec<_>>().join("\n"),
            )
        })
    }

    /// Steady probes change nothing that can be seen, here in the cases where a pod's probes
    /// stop and start again: a partition, a machine that fails and comes back, a sidecar that
    /// restarts (the app containers are not synced meanwhile), a deadlock, a startup probe.
    #[test]
    fn steady_probes_show_what_every_tick_shows() {
        let pod = |extra: &str| {
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {{kubeplay.dev/deadlock-after.c: 95s}}\nspec:\n{extra}  containers:\n  - name: c\n    image: nginx:1.27\n    startupProbe: {{httpGet: {{path: /, port: 80}}, periodSeconds: 3}}\n    livenessProbe: {{httpGet: {{path: /, port: 80}}, periodSeconds: 10}}\n    readinessProbe: {{httpGet: {{path: /, port: 80}}, periodSeconds: 7}}\n"
            )
        };
        let sidecar = "  initContainers:\n  - name: side\n    image: busybox:1.36\n    restartPolicy: Always\n    command: [sh, -c, 'sleep 20; exit 1']\n";
        // (name, manifest, commands typed at virtual times)
        type Scenario<'a> = (&'a str, String, Vec<(u64, &'a str)>);
        let scenarios: Vec<Scenario> = vec![
            ("deadlock", pod(""), vec![]),
            ("partition", pod(""), vec![(33_300, "node partition node-1"), (51_700, "node recover node-1")]),
            ("failure", pod(""), vec![(41_100, "node fail node-1"), (47_900, "node recover node-1")]),
            ("sidecar", pod(sidecar), vec![]),
        ];
        for (name, manifest, faults) in scenarios {
            let [steady, every] = with_and_without_steady_probes(|c| {
                let ws = Workspace::default().with_file("p.yaml", &manifest);
                assert!(c.run("kubectl apply -f p.yaml", &ws)[0].ok);
                for (at, cmd) in &faults {
                    c.advance(at - c.now().ms());
                    let r = c.run(cmd, &ws);
                    assert!(r[0].ok, "{cmd}: {}", r[0].output);
                }
                c.advance(400_000 - c.now().ms());
            });
            assert!(
                every.0.iter().any(|e| e.contains("reason: \"Unhealthy\"")),
                "{name}: the probes fail at some point"
            );
            assert_eq!(steady.0, every.0, "{name}: the events");
            assert_eq!(steady.1, every.1, "{name}: the pods");
        }
    }

    /// After its first status write, a pod's status is written where it is stored: a write that
    /// changes the Ready condition keeps the conditions' and the container statuses' lists (and
    /// the container's name) where they were, and comes out as `build_status` builds it (debug
    /// builds compare at every write).
    #[test]
    fn status_writes_after_the_first_are_made_in_place() {
        let mut c = Cluster::new(ClusterConfig { seed: 3, nodes: 1 });
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 1}\n";
        let ws = Workspace::default().with_file("p.yaml", pod);
        assert!(c.run("kubectl apply -f p.yaml", &ws)[0].ok);
        let stored = |c: &Cluster| match c.store.get(Kind::Pod, "default", "p") {
            Some(Object::Pod(p)) => (**p).clone(),
            _ => unreachable!("stored"),
        };
        let ready = |c: &Cluster| crate::controllers::pod_is_ready(&stored(c));
        let places = |c: &Cluster| match c.store.get(Kind::Pod, "default", "p") {
            Some(Object::Pod(p)) => p.status.as_ref().map(|s| {
                let conditions = s.conditions.as_ref().map(|l| l.as_ptr() as usize);
                let containers = s.container_statuses.as_ref().map(|l| l.as_ptr() as usize);
                let name = s.container_statuses.as_ref().and_then(|l| l.first()).map(|c| c.name.as_ptr() as usize);
                (conditions, containers, name)
            }),
            _ => None,
        };
        // Running, not yet ready: the kubelet has written the status at least once.
        while stored(&c).status.and_then(|s| s.phase).as_deref() != Some("Running") {
            assert!(c.step());
        }
        assert!(!ready(&c));
        // Each write until it is ready, one step at a time (a status built anew is made while
        // the old one is still stored, so it cannot take the old one's place).
        let mut writes = 0;
        while !ready(&c) {
            let (before, version) = (places(&c), stored(&c).metadata.resource_version);
            assert!(before.is_some_and(|(a, b, n)| a.is_some() && b.is_some() && n.is_some()), "{before:?}");
            assert!(c.step());
            assert!(c.now().ms() < 120_000, "never ready");
            if stored(&c).metadata.resource_version != version {
                writes += 1;
                assert_eq!(places(&c), before, "the status was written anew, not in place");
            }
        }
        assert!(writes > 0);
    }

    /// A container started after `profile apply` or `docker build`/`tag` follows what they
    /// say, not the behaviour kept from the containers of the same image started before
    /// (debug builds also compare every kept base profile with a fresh one).
    #[test]
    fn containers_started_after_a_profile_or_a_build_follow_it() {
        let mut c = Cluster::new(ClusterConfig { seed: 7, nodes: 1 });
        let pod = |name: &str| {
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n"
            )
        };
        let port = |c: &Cluster, name: &str| c.pod_runtime("default", name).and_then(|rt| rt.containers[0].port);
        let profile = |name: &str, port: u16| {
            format!(
                "apiVersion: kubeplay.dev/v1alpha1\nkind: BehaviourProfile\nmetadata:\n  name: {name}\nspec:\n  port: {port}\n  listen: 1s\n"
            )
        };
        let ws = Workspace::default()
            .with_file("a.yaml", &pod("a"))
            .with_file("b.yaml", &pod("b"))
            .with_file("c.yaml", &pod("c"))
            .with_file("Dockerfile", "FROM nginx:1.27\n")
            .with_file("nginx.yaml", &profile("nginx", 8080))
            .with_file("base.yaml", &profile("base", 7070));
        for (cmd, then) in [
            ("kubectl apply -f a.yaml", 10_000),
            ("profile apply -f nginx.yaml", 1_000),
            ("profile apply -f base.yaml", 1_000),
            ("kubectl apply -f b.yaml", 10_000),
            ("docker build -t base:v1 .", 1_000),
            // nginx:1.27 is now a local image that behaves as it was built: as `base`.
            ("docker tag base:v1 nginx:1.27", 1_000),
            ("kubectl apply -f c.yaml", 10_000),
        ] {
            assert!(c.run(cmd, &ws)[0].ok, "{cmd}");
            c.advance(then);
        }
        assert_eq!(port(&c, "a"), Some(80), "nginx's own");
        assert_eq!(port(&c, "b"), Some(8080), "the course's profile for nginx");
        assert_eq!(port(&c, "c"), Some(7070), "the local image's");
    }

    /// The startup probe stops once the container has started (prober worker.go, "Stop probing
    /// for startup once container has started"): a process that deadlocks later fails its
    /// liveness probe only, and the kill says so.
    #[test]
    fn the_startup_probe_stops_once_the_container_has_started() {
        let mut c = Cluster::new(ClusterConfig { seed: 7, nodes: 1 });
        let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {kubeplay.dev/deadlock-after: 60s}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    startupProbe: {httpGet: {path: /, port: 80}, periodSeconds: 5}\n    livenessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 5}\n";
        let ws = Workspace::default().with_file("p.yaml", pod);
        assert!(c.run("kubectl apply -f p.yaml", &ws)[0].ok);
        c.advance(120_000);
        let messages: Vec<String> =
            c.events().filter(|e| e.name == "p").map(|e| format!("{}: {}", e.reason, e.message)).collect();
        assert!(messages.iter().any(|m| m.starts_with("Unhealthy: Liveness probe failed")), "{messages:#?}");
        assert!(
            !messages.iter().any(|m| m.contains("Startup probe failed: Get") && m.contains("deadline exceeded")),
            "no startup probe after the start: {messages:#?}"
        );
        assert!(
            messages.iter().any(|m| m == "Killing: Container c failed liveness probe, will be restarted"),
            "{messages:#?}"
        );
    }

    /// A probe that keeps succeeding is not simulated tick by tick, and that cannot be seen: its
    /// failures come at the ticks they come at when every tick runs. Here the first tick (at
    /// the start, before nginx listens) fails; the next succeeds; the deadlock at 95 s is
    /// first seen by the tick at 100 s, and the third failure (120 s) kills the container.
    #[test]
    fn steady_probes_fail_at_the_ticks_every_tick_would() {
        let (_, failures, killed, instants) = deadlocking_pod(None);
        assert_eq!(failures, vec![(0, 0, 1), (100_000, 120_000, 3)], "connection refused, then deadline exceeded");
        assert_eq!(killed, 120_000);
        // Ticks 20 s .. 90 s (8 syncs) are not run one by one.
        assert!(instants < 15, "{instants} instants from the start to the kill");

        // A partition stops the kubelet's syncs (kubeplay's kubelet neither probes nor reports
        // while cut off). On recovery the first sync (100 ms later) runs the overdue tick, and
        // the worker ticks on from there: 51.8 s, 61.8 s, ... so the deadlock is seen at 101.8 s
        // and the third failure at 121.8 s, as when every tick is simulated.
        let (_, failures, killed, _) = deadlocking_pod(Some((33_300, 51_700)));
        assert_eq!(failures, vec![(0, 0, 1), (101_800, 121_800, 3)]);
        assert_eq!(killed, 121_800);
    }

    /// K8S-FACTS §3.1: the delay before each restart of a container that keeps crashing at once
    /// (derived from flowcontrol's Next/IsInBackOffSince).
    #[test]
    fn crash_loop_backoff_table() {
        let mut entry: Option<Backoff> = None;
        let mut now = 0u64;
        let mut waits = Vec::new();
        for _ in 0..9 {
            // The container exits at `now` (finishedAt).
            let finished = now;
            let wait = if in_backoff_since(entry.as_ref(), finished, finished) { entry.unwrap().backoff_ms } else { 0 };
            waits.push(wait / 1000);
            now = finished + wait;
            entry = Some(backoff_next(entry, finished));
        }
        assert_eq!(waits, vec![0, 10, 20, 40, 80, 160, 300, 300, 300]);
        // Running more than 10 minutes since the last back-off update resets it.
        let e = Backoff { backoff_ms: 300_000, last_update_ms: 0 };
        assert!(!in_backoff_since(Some(&e), 600_001, 600_001));
        assert_eq!(backoff_next(Some(e), 600_001).backoff_ms, 10_000);
        assert_eq!(go_duration(backoff_next(Some(e), 1000).backoff_ms), "5m0s");
    }
}
