//! Traffic: load generators against a Service, NodePort or LoadBalancer, each request routed as
//! kube-proxy would (with its propagation lag) and answered by the chosen pod's behaviour
//! profile. Every request's outcome is recorded for `traffic stats` and the page's charts.

pub mod ingress;

use std::collections::BTreeMap;
use std::rc::Rc;

use serde::Serialize;

use crate::cluster::Cluster;
use crate::controllers::endpoints::{Backend, ProxyRules};
use crate::queue::Controller;
use crate::store::Name;
use crate::text::cat;
use crate::time::SimTime;

/// Requests are generated in ticks of this length (rps/5 per tick).
pub const TICK_MS: u64 = 200;
/// kube-proxy applies endpoint changes after up to this long (its iptables sync).
pub const PROXY_SYNC_MS: u64 = 1_000;

/// One load generator.
#[derive(Clone, Debug)]
pub struct Generator {
    pub target: String,
    pub rps: u32,
    pub until: Option<u64>,
    pub next_ms: u64,
    /// Fractional requests carried between ticks (in thousandths).
    carry_milli: u64,
}

/// What happened to one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Outcome {
    Ok2xx,
    Client4xx,
    Server5xx,
    Refused,
    Timeout,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Ok2xx => "2xx",
            Outcome::Client4xx => "4xx",
            Outcome::Server5xx => "5xx",
            Outcome::Refused => "refused",
            Outcome::Timeout => "timeout",
        }
    }
}

/// Requests by the pod that answered them, read in name order. While its second lasts, a hash
/// table: each of a thousand requests a second adds one to a second's table of up to a thousand
/// pods, and in a B-tree of names (each new one copied) that was a third of the envelope's
/// steady minutes. When the second is over, a sorted list ([`PodCounts::freeze`]), which takes
/// half the table's room (the envelope keeps 600 seconds of a thousand pods). One of the two
/// is empty: counting again thaws the list.
#[derive(Clone, Default)]
pub struct PodCounts {
    live: crate::fingerprint::LookupMap<Name, u64>,
    /// Counts frozen in name order.
    done: Vec<(Name, u64)>,
}

impl PodCounts {
    pub fn is_empty(&self) -> bool {
        self.live.is_empty() && self.done.is_empty()
    }

    /// How many pods answered.
    pub fn len(&self) -> usize {
        self.live.len() + self.done.len()
    }

    /// The requests `pod` answered.
    pub fn get(&self, pod: &str) -> u64 {
        let done = self.done.binary_search_by(|(p, _)| p.as_str().cmp(pod)).map_or(0, |i| self.done[i].1);
        done + self.live.get(pod).copied().unwrap_or(0)
    }

    /// Every pod and its requests, by name.
    pub fn sorted(&self) -> Vec<(&str, u64)> {
        if self.done.is_empty() {
            self.live.sorted().into_iter().map(|(p, n)| (p.as_str(), *n)).collect()
        } else {
            self.done.iter().map(|(p, n)| (p.as_str(), *n)).collect()
        }
    }

    fn add(&mut self, pod: &str, n: u64) {
        if !self.done.is_empty() {
            for (p, count) in std::mem::take(&mut self.done) {
                self.live.insert(p, count);
            }
        }
        match self.live.get_mut(pod) {
            Some(count) => *count += n,
            None => {
                self.live.insert(pod.into(), n);
            }
        }
    }

    /// The counts in their sorted form, the table let go (their second is over).
    fn freeze(&mut self) {
        if !self.live.is_empty() {
            self.done = self.live.sorted().into_iter().map(|(p, n)| (p.clone(), *n)).collect();
            self.live = Default::default();
        }
    }
}

/// As the map of names to counts it stands for, in name order (`traffic stats -o json`).
impl Serialize for PodCounts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.sorted())
    }
}

impl std::fmt::Debug for PodCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.sorted()).finish()
    }
}

/// Aggregates per target and per second, for stats and charts.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Bucket {
    pub second: u64,
    pub outcomes: BTreeMap<String, u64>,
    pub per_pod: PodCounts,
    pub latency_ms_sum: u64,
    pub latency_ms_max: u64,
    pub requests: u64,
}

/// One request as it happened: when, where it entered, from which client, which endpoint
/// (pod IP and port) and pod kube-proxy chose, how it ended, how fast. (The names are held
/// inline when short, as they nearly always are: four heap strings a request, made and
/// dropped a thousand times a second, were a sixth of the envelope's steady minutes.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    pub time_ms: u64,
    pub target: Name,
    pub client: Name,
    pub endpoint: Option<Name>,
    pub pod: Option<Name>,
    pub outcome: Outcome,
    pub latency_ms: u64,
}

/// The most recent requests kept one by one (older ones live on in the per-second buckets).
pub const REQUEST_LOG_KEPT: usize = 20_000;

/// kube-proxy's rules for a Service port: the rules, when synced, and the store's
/// EndpointSlice and Service change counters then.
type ProxyView = (Rc<ProxyRules>, u64, (u64, u64));

#[derive(Clone, Debug, Default)]
pub struct TrafficState {
    /// The last REQUEST_LOG_KEPT requests, oldest first.
    pub log: std::collections::VecDeque<RequestRecord>,
    pub generators: BTreeMap<String, Generator>,
    /// target -> seconds -> bucket
    pub buckets: BTreeMap<String, BTreeMap<u64, Bucket>>,
    /// kube-proxy's view of each Service port.
    proxy_view: BTreeMap<(String, String, i32), ProxyView>,
}

/// The endpoint a request went to, and the pod that answered there (if any).
type Answered = (Rc<Backend>, Option<Name>);

/// Where requests to one target go (see `Cluster::route`).
struct Route {
    ns: String,
    name: String,
    svc_port: i32,
    path: String,
    rules: Rc<ProxyRules>,
}

impl Cluster {
    pub fn traffic_start(&mut self, target: &str, rps: u32, duration_ms: Option<u64>) {
        let now = self.now.ms();
        self.traffic.generators.insert(
            target.to_string(),
            Generator {
                target: target.to_string(),
                rps,
                until: duration_ms.map(|d| now + d),
                next_ms: now + TICK_MS,
                carry_milli: 0,
            },
        );
        self.wake_at(Controller::Traffic, SimTime(now + TICK_MS));
    }

    pub fn traffic_stop(&mut self, target: &str) -> bool {
        self.traffic.generators.remove(target).is_some()
    }

    /// kube-proxy's (possibly stale) view of a Service port's endpoints.
    fn proxy_backends(&mut self, ns: &str, svc: &str, port: i32) -> Rc<ProxyRules> {
        let now = self.now.ms();
        let key = (ns.to_string(), svc.to_string(), port);
        let versions =
            (self.store.changes(crate::api::Kind::EndpointSlice), self.store.changes(crate::api::Kind::Service));
        match self.traffic.proxy_view.get_mut(&key) {
            Some((rules, at, _)) if now < *at + PROXY_SYNC_MS => Rc::clone(rules),
            // A sync when no EndpointSlice or Service changed finds the same endpoints.
            Some((rules, at, seen)) if *seen == versions => {
                *at = now;
                Rc::clone(rules)
            }
            _ => {
                let rules = Rc::new(self.proxy_rules(ns, svc, port));
                self.traffic.proxy_view.insert(key, (Rc::clone(&rules), now, versions));
                rules
            }
        }
    }

    /// One request to `target` now: (outcome, the endpoint kube-proxy chose and the pod that
    /// answered there if any, latency ms).
    pub fn request(&mut self, target: &str, client: &str) -> (Outcome, Option<(Backend, Option<String>)>, u64) {
        let (outcome, backend, latency) = match self.route(target) {
            Some(route) => self.request_on(&route, client),
            None => (Outcome::Refused, None, 0),
        };
        (outcome, backend.map(|(b, pod)| (Rc::unwrap_or_clone(b), pod.map(String::from))), latency)
    }

    /// Which Service port a request to `target` reaches, and kube-proxy's rules for it: the same
    /// for every request of one instant (a traffic generator works it out once a tick).
    fn route(&mut self, target: &str) -> Option<Route> {
        let rest = target.trim_start_matches("http://");
        let (hostport, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().unwrap_or(80)),
            None => (hostport.to_string(), 80),
        };
        let (ns, name, svc_port) = self
            .service_for_outside(&host, port)
            .or_else(|| self.service_for_inside("default", &host, port))
            .or_else(|| if port == 80 { self.ingress_route(&host, path) } else { None })?;
        let rules = self.proxy_backends(&ns, &name, svc_port);
        Some(Route { ns, name, svc_port, path: path.to_string(), rules })
    }

    /// One request along `route` from `client`.
    fn request_on(&mut self, route: &Route, client: &str) -> (Outcome, Option<Answered>, u64) {
        let Route { ns, name, svc_port, path, rules: all } = route;
        let (ns, name, svc_port, path) = (ns.as_str(), name.as_str(), *svc_port, path.as_str());
        let Ok(b) = self.pick_from(ns, name, svc_port, client, all) else {
            return (Outcome::Refused, None, 0);
        };
        let Some(pod) = self.pod_answering(&b) else {
            // No pod has the endpoint's address (a pod gone while kube-proxy still lists it, or
            // a hand-written slice): the connection fails at once, as curl's does (exit 7).
            return (Outcome::Refused, Some((b, None)), 0);
        };
        let rt = self.pod_runtime(pod.namespace(), pod.name());
        // A pod of another namespace (an address in a hand-written slice) is named with it.
        let name = Some(if pod.namespace() == ns {
            Name::from(pod.name())
        } else {
            Name::from(cat(&[pod.namespace(), "/", pod.name()]))
        });
        let pod = Some(pod);
        match self.http_from(pod, rt, b.port, path) {
            Ok(status) => {
                let latency = self.request_latency(pod, rt);
                let o = match status {
                    200..=399 => Outcome::Ok2xx,
                    400..=499 => Outcome::Client4xx,
                    _ => Outcome::Server5xx,
                };
                (o, Some((b, name)), latency)
            }
            Err(e) if e.contains("timeout") || e.contains("timed out") => (Outcome::Timeout, Some((b, name)), 30_000),
            Err(_) => (Outcome::Refused, Some((b, name)), 0),
        }
    }

    pub(crate) fn run_traffic(&mut self) {
        let now = self.now.ms();
        let gens: Vec<Generator> = self.traffic.generators.values().cloned().collect();
        let mut again = false;
        for mut g in gens {
            if g.next_ms > now {
                again = true;
                continue;
            }
            if g.until.is_some_and(|u| now > u) {
                self.traffic.generators.remove(&g.target);
                continue;
            }
            let want_milli = u64::from(g.rps) * TICK_MS + g.carry_milli;
            let n = want_milli / 1000;
            g.carry_milli = want_milli % 1000;
            let route = if n > 0 { self.route(&g.target) } else { None };
            let target = Name::from(g.target.as_str());
            // A new second: the last one's counts by pod are frozen.
            if n > 0
                && let Some(by_second) = self.traffic.buckets.get_mut(&g.target)
                && !by_second.contains_key(&(now / 1000))
                && let Some((_, last)) = by_second.iter_mut().next_back()
            {
                last.per_pod.freeze();
            }
            for i in 0..n {
                let client = client_address(2 + (i % 200));
                let (outcome, backend, latency) = match &route {
                    Some(route) => self.request_on(route, &client),
                    None => (Outcome::Refused, None, 0),
                };
                let endpoint = backend.as_ref().map(|(b, _)| b.addr.clone());
                let pod = backend.and_then(|(_, pod)| pod);
                let sec = now / 1000;
                // (Names copied only the first time a bucket sees them: thousands of requests a
                // second land in the same few.)
                if !self.traffic.buckets.contains_key(&g.target) {
                    self.traffic.buckets.insert(g.target.clone(), BTreeMap::new());
                }
                let Some(by_second) = self.traffic.buckets.get_mut(&g.target) else { continue };
                let bucket = by_second.entry(sec).or_insert_with(|| Bucket { second: sec, ..Default::default() });
                bucket.requests += 1;
                count_in(&mut bucket.outcomes, outcome.label());
                if let Some(p) = &pod {
                    bucket.per_pod.add(p, 1);
                }
                bucket.latency_ms_sum += latency;
                bucket.latency_ms_max = bucket.latency_ms_max.max(latency);
                self.traffic.log.push_back(RequestRecord {
                    time_ms: now + TICK_MS * i / n.max(1),
                    target: target.clone(),
                    client,
                    endpoint,
                    pod,
                    outcome,
                    latency_ms: latency,
                });
                if self.traffic.log.len() > REQUEST_LOG_KEPT {
                    self.traffic.log.pop_front();
                }
            }
            g.next_ms = now + TICK_MS;
            again = true;
            self.traffic.generators.insert(g.target.clone(), g);
        }
        if again && !self.traffic.generators.is_empty() {
            self.wake_at(Controller::Traffic, SimTime(now + TICK_MS));
        }
    }

    /// Latency of one request on a pod: the profile's time, stretched when the requests' CPU
    /// need exceeds the container's CPU limit (CFS throttling).
    fn request_latency(&self, pod: Option<&crate::api::Object>, rt: Option<&crate::kubelet::runtime::PodRt>) -> u64 {
        let (base, cpu_per_req, limit) = request_costs(pod, rt);
        let rps: u64 = self.traffic.generators.values().map(|g| u64::from(g.rps)).sum::<u64>().max(1);
        let pods = self.store.count(crate::api::Kind::Pod).max(1) as u64;
        let need = (cpu_per_req as u64) * rps / pods;
        match limit {
            Some(l) if l > 0 && need > l as u64 => base * need / l as u64,
            _ => base,
        }
    }

    /// Requests per second a pod served over the last `window_s` seconds (all targets).
    pub fn pod_rps(&self, pod: &str, window_s: u64) -> u64 {
        let now_s = self.now.ms() / 1000;
        let from = now_s.saturating_sub(window_s);
        let total: u64 =
            self.traffic.buckets.values().flat_map(|m| m.range(from..now_s)).map(|(_, b)| b.per_pod.get(pod)).sum();
        total / window_s.max(1)
    }
}

impl Cluster {
    /// Totals for a target over the last `window_ms` (or everything).
    pub fn traffic_stats(&self, target: &str, window_ms: Option<u64>) -> Bucket {
        let now_s = self.now.ms() / 1000;
        let from = window_ms.map_or(0, |w| now_s.saturating_sub(w / 1000));
        let mut total = Bucket { second: from, ..Default::default() };
        for (_, b) in self.traffic.buckets.get(target).into_iter().flat_map(|m| m.range(from..=now_s)) {
            total.requests += b.requests;
            total.latency_ms_sum += b.latency_ms_sum;
            total.latency_ms_max = total.latency_ms_max.max(b.latency_ms_max);
            for (k, v) in &b.outcomes {
                *total.outcomes.entry(k.clone()).or_default() += v;
            }
            for (k, v) in b.per_pod.sorted() {
                total.per_pod.add(k, v);
            }
        }
        total
    }

    /// Per-second buckets of a target, for charts.
    pub fn traffic_series(&self, target: &str) -> Vec<Bucket> {
        self.traffic.buckets.get(target).map(|m| m.values().cloned().collect()).unwrap_or_default()
    }

    /// The most recent individual requests (up to REQUEST_LOG_KEPT), oldest first.
    pub fn recent_requests(&self) -> impl DoubleEndedIterator<Item = &RequestRecord> {
        self.traffic.log.iter()
    }

    pub fn traffic_targets(&self) -> Vec<String> {
        self.traffic.buckets.keys().cloned().collect()
    }
}

impl Cluster {
    /// The ingress controller (ingress-nginx, reached on `localhost:80` or any name that points
    /// at it): the Service an Ingress routes `host` + `path` to.
    pub fn ingress_route(&self, host: &str, path: &str) -> Option<(String, String, i32)> {
        let ingresses: Vec<&k8s_openapi::api::networking::v1::Ingress> = self
            .store
            .list(crate::api::Kind::Ingress, None)
            .filter_map(|o| match o {
                crate::api::Object::Ingress(i) => Some(&**i),
                _ => None,
            })
            .collect();
        // Rules naming the host win over catch-all rules, as ingress-nginx merges servers.
        let mut candidates: Vec<(bool, String, String, i32)> = ingresses
            .iter()
            .filter_map(|i| {
                let (svc, port) = ingress::route(i, host, path)?;
                let named =
                    i.spec.iter().flat_map(|s| s.rules.iter().flatten()).any(|r| r.host.as_deref() == Some(host));
                Some((named, i.metadata.namespace.clone().unwrap_or_default(), svc, port))
            })
            .collect();
        candidates.sort_by_key(|c| !c.0);
        candidates.into_iter().next().map(|c| (c.1, c.2, c.3))
    }
}

/// The load generator's client `192.168.65.{host}`, written on the stack (held inline).
fn client_address(host: u64) -> Name {
    const PREFIX: &[u8] = b"192.168.65.";
    let (digits, at) = crate::fingerprint::decimal_digits(host);
    let mut buf = [0u8; 32];
    let len = PREFIX.len() + digits.len() - at;
    buf[..PREFIX.len()].copy_from_slice(PREFIX);
    buf[PREFIX.len()..len].copy_from_slice(&digits[at..]);
    // ASCII: always UTF-8.
    Name::from(std::str::from_utf8(&buf[..len]).unwrap_or_default())
}

/// Adds one to `key`'s count, copying the key only when it is new.
fn count_in(counts: &mut BTreeMap<String, u64>, key: &str) {
    match counts.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            counts.insert(key.to_string(), 1);
        }
    }
}

/// Per-request costs of a pod's serving container, from the pod and its runtime: (ms, CPU
/// millicore-seconds, CPU limit).
fn request_costs(
    pod: Option<&crate::api::Object>,
    rt: Option<&crate::kubelet::runtime::PodRt>,
) -> (u64, i64, Option<i64>) {
    let limit = match pod {
        Some(crate::api::Object::Pod(p)) => p
            .spec
            .as_ref()
            .and_then(|s| s.containers.first())
            .and_then(|c| c.resources.as_ref())
            .and_then(|r| r.limits.as_ref())
            .and_then(|l| l.get("cpu"))
            .and_then(|q| crate::api::quantity::milli_value(&q.0).ok()),
        _ => None,
    };
    let (ms, cpu) = rt.and_then(|rt| rt.serving_costs()).unwrap_or((5, 2));
    (ms, cpu, limit)
}

#[cfg(test)]
mod tests {
    use super::{PodCounts, client_address};
    use std::collections::BTreeMap;

    /// The load generator's clients, written on the stack, are the addresses `format!` wrote.
    #[test]
    fn client_addresses() {
        for host in [0, 2, 9, 10, 99, 100, 201, 255, 1_000, u64::MAX] {
            assert_eq!(client_address(host), format!("192.168.65.{host}"));
        }
    }

    /// A second's requests by pod come out in name order however they were counted, and as JSON
    /// they are the map of names to counts that `traffic stats -o json` printed when they were a
    /// B-tree.
    #[test]
    fn pod_counts_read_in_name_order() {
        let mut counts = PodCounts::default();
        let mut want: BTreeMap<String, u64> = BTreeMap::new();
        for i in 0..500u64 {
            let pod = format!("web-7d9f8c6b5-{:05}", (i * 7919) % 211);
            counts.add(&pod, i % 3 + 1);
            *want.entry(pod).or_default() += i % 3 + 1;
        }
        assert_eq!(counts.len(), want.len());
        // Frozen (its second over), and counted again after (it reads the same either way).
        let mut frozen = counts.clone();
        frozen.freeze();
        assert!(frozen.live.is_empty() && frozen.done.len() == want.len());
        assert_eq!(frozen.sorted(), counts.sorted());
        for (i, pod) in ["web-7d9f8c6b5-00003", "a-new-one", "web-7d9f8c6b5-00017", "zz"].into_iter().enumerate() {
            frozen.add(pod, i as u64 + 1);
            counts.add(pod, i as u64 + 1);
            *want.entry(pod.to_string()).or_default() += i as u64 + 1;
        }
        assert_eq!(frozen.sorted(), counts.sorted());
        assert_eq!(frozen.get("web-7d9f8c6b5-00003"), want["web-7d9f8c6b5-00003"]);
        assert_eq!(frozen.len(), want.len());
        assert_eq!(serde_json::to_string(&frozen).unwrap(), serde_json::to_string(&want).unwrap());
        let sorted: Vec<(String, u64)> = counts.sorted().into_iter().map(|(p, n)| (p.to_string(), n)).collect();
        assert_eq!(sorted, want.iter().map(|(p, n)| (p.clone(), *n)).collect::<Vec<_>>());
        assert_eq!(counts.get("web-7d9f8c6b5-00000"), want["web-7d9f8c6b5-00000"]);
        assert_eq!(counts.get("nobody"), 0);
        assert_eq!(serde_json::to_string(&counts).unwrap(), serde_json::to_string(&want).unwrap());
        assert_eq!(format!("{counts:?}"), format!("{want:?}"));
    }
}
