//! Behaviour profiles of simulated images: containers run no code, so each image says how its
//! process behaves — how long it takes to start, what it listens on and answers, what it needs
//! at start and does without it, how it handles SIGTERM, and what it logs. Data, not logic: the
//! kubelet interprets it (crates/model/src/kubelet).

use std::collections::BTreeMap;

use crate::time::parse_duration_ms;

/// What a process does when a dependency it connects to at start is unreachable.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OnMissing {
    /// Log the error and exit with this code after this long.
    Exit { after_ms: u64, code: i32 },
    /// Keep retrying; start serving once it is reachable.
    Retry,
}

/// How the process reacts to SIGTERM.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OnSigterm {
    /// Finish in-flight work for `drain_ms`, then exit with `code` (0: graceful).
    Exit { drain_ms: u64, code: i32 },
    /// PID 1 without a handler (busybox `sleep`): only SIGKILL ends it.
    Ignore,
}

/// A dependency read from the environment at start, e.g. `DB_HOST` (port from `DB_PORT`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Dependency {
    pub host_env: String,
    pub port_env: String,
    pub default_port: i32,
    /// How the failure reads in the log.
    pub what: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Profile {
    /// From start until the port accepts connections.
    pub listen_ms: u64,
    /// From start until HTTP health paths answer 200 (a warm-up; 503 before).
    pub warmup_ms: u64,
    /// The port it listens on (`None`: the container's first containerPort).
    pub port: Option<i32>,
    /// HTTP paths and their status; any other path is 404. Empty: every path is 200.
    pub http: BTreeMap<String, u16>,
    pub dependencies: Vec<Dependency>,
    pub on_missing: OnMissing,
    pub on_sigterm: OnSigterm,
    /// Env vars it requires, with the log line and exit code when one is missing.
    pub required_env: Vec<(String, String, i32)>,
    /// Lines logged at start; `{VAR}` is replaced by the env var's value.
    pub start_logs: Vec<String>,
    /// Lines logged once listening.
    pub ready_logs: Vec<String>,
    /// Exits by itself after this long with this code (a batch job, `sleep N`).
    pub exit_after: Option<(u64, i32)>,
    /// Stops answering (a deadlock) this long after start.
    pub deadlock_after_ms: Option<u64>,
    /// Whether it is a local image (built with `docker build`), present on the nodes but in no
    /// registry.
    pub local_only: bool,
    /// CPU it uses while idle, in millicores (what `kubectl top` shows).
    pub cpu_idle_milli: i64,
    /// CPU it wants while starting; a lower CPU limit throttles it and stretches start-up.
    pub startup_cpu_milli: i64,
    /// Memory at idle, in MiB.
    pub memory_mi: i64,
    /// Memory it gains per minute (a leak), in MiB.
    pub leak_mi_per_min: i64,
    /// CPU one request costs, in millicore-seconds (traffic turns this into usage and, under a
    /// CPU limit, into latency).
    pub cpu_per_request_milli: i64,
    /// Memory one in-flight request holds, in KiB.
    pub memory_per_request_ki: i64,
    /// Time to answer one request without CPU pressure, in ms.
    pub request_ms: u64,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            listen_ms: 200,
            warmup_ms: 0,
            port: None,
            http: BTreeMap::new(),
            dependencies: Vec::new(),
            on_missing: OnMissing::Retry,
            on_sigterm: OnSigterm::Exit { drain_ms: 100, code: 0 },
            required_env: Vec::new(),
            start_logs: Vec::new(),
            ready_logs: Vec::new(),
            exit_after: None,
            deadlock_after_ms: None,
            local_only: false,
            cpu_idle_milli: 1,
            startup_cpu_milli: 100,
            memory_mi: 8,
            leak_mi_per_min: 0,
            cpu_per_request_milli: 2,
            memory_per_request_ki: 64,
            request_ms: 5,
        }
    }
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn strs_map(v: &[(&str, u16)]) -> BTreeMap<String, u16> {
    v.iter().map(|(k, s)| (k.to_string(), *s)).collect()
}

/// The built-in profile for an image repository (`nginx`, `wallet-server`, ...).
pub fn builtin(repository: &str, tag: &str) -> Profile {
    match repository {
        "nginx" => Profile {
            listen_ms: 300,
            memory_mi: 4,
            port: Some(80),
            // nginx's default config serves the welcome page on / and /index.html.
            http: strs_map(&[("/", 200), ("/index.html", 200)]),
            on_sigterm: OnSigterm::Exit { drain_ms: 100, code: 0 },
            start_logs: strs(&[
                "/docker-entrypoint.sh: Configuration complete; ready for start up",
                "nginx/1.27.3",
                "start worker processes",
            ]),
            ..Profile::default()
        },
        "postgres" => Profile {
            listen_ms: 3_000,
            cpu_idle_milli: 5,
            startup_cpu_milli: 500,
            memory_mi: 40,
            port: Some(5432),
            on_sigterm: OnSigterm::Exit { drain_ms: 500, code: 0 },
            required_env: vec![(
                "POSTGRES_PASSWORD".into(),
                "Error: Database is uninitialized and superuser password is not specified.".into(),
                1,
            )],
            start_logs: strs(&["PostgreSQL init process complete; ready for start up."]),
            ready_logs: strs(&["LOG:  database system is ready to accept connections"]),
            ..Profile::default()
        },
        "redis" => Profile {
            listen_ms: 200,
            cpu_idle_milli: 2,
            memory_mi: 4,
            port: Some(6379),
            start_logs: strs(&["# Server initialized"]),
            ready_logs: strs(&["* Ready to accept connections tcp"]),
            ..Profile::default()
        },
        "wallet-server" | "wallet-core-wallet-server" => Profile {
            // The course's Go server: listens after 1 s, loads data for 10 s before /health is
            // 200, needs PostgreSQL and Redis at start and exits 1 without them.
            listen_ms: 1_000,
            warmup_ms: 10_000,
            cpu_idle_milli: 3,
            startup_cpu_milli: 500,
            memory_mi: 24,
            cpu_per_request_milli: 20,
            request_ms: 15,
            port: Some(8080),
            http: strs_map(&[("/health", 200), ("/", 200), ("/api/v1/wallets", 200)]),
            dependencies: vec![
                Dependency {
                    host_env: "DB_HOST".into(),
                    port_env: "DB_PORT".into(),
                    default_port: 5432,
                    what: "database".into(),
                },
                Dependency {
                    host_env: "REDIS_HOST".into(),
                    port_env: "REDIS_PORT".into(),
                    default_port: 6379,
                    what: "redis".into(),
                },
            ],
            on_missing: OnMissing::Exit { after_ms: 2_000, code: 1 },
            on_sigterm: OnSigterm::Exit { drain_ms: 5_000, code: 0 },
            start_logs: strs(&[
                if tag == "v2" { "wallet-server v2 starting" } else { "wallet-server v1 starting" },
                "config: APP_ENV={APP_ENV} REDIS_MQ_TYPE={REDIS_MQ_TYPE}",
            ]),
            ready_logs: strs(&["listening on :8080"]),
            local_only: true,
            ..Profile::default()
        },
        _ => Profile::default(),
    }
}

/// `polinux/stress` (the Kubernetes docs' memory example): `stress --vm 1 --vm-bytes 250M`
/// allocates that much at once; `--cpu N` keeps N cores busy.
pub fn stress(args: &[String]) -> Profile {
    let mut p = Profile { listen_ms: 0, cpu_idle_milli: 0, memory_mi: 1, ..Profile::default() };
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--vm-bytes" => {
                if let Some(v) = args.get(i + 1) {
                    let v = v.trim_end_matches(['B', 'b']);
                    let (num, mult) = match v.chars().last() {
                        Some('G' | 'g') => (&v[..v.len() - 1], 1024),
                        Some('M' | 'm') => (&v[..v.len() - 1], 1),
                        Some('K' | 'k') => (&v[..v.len() - 1], 0),
                        _ => (v, 0),
                    };
                    p.memory_mi += num.parse::<i64>().unwrap_or(0) * mult;
                }
                i += 1;
            }
            "--cpu" => {
                p.cpu_idle_milli += args.get(i + 1).and_then(|v| v.parse::<i64>().ok()).unwrap_or(1) * 1000;
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    p
}

/// busybox runs what `command`/`args` say: `sleep N`, `exit N`, or `sh -c "..."` with those and
/// `echo`. Without a command it runs `sh`, which exits at once (no terminal). As PID 1 it has
/// no SIGTERM handler.
pub fn busybox(command: &[String]) -> (Profile, Vec<String>) {
    let mut logs = Vec::new();
    let mut elapsed: u64 = 0;
    let mut exit: Option<i32> = None;
    let script: String = match command {
        [] => String::new(),
        [sh, c, rest @ ..] if (sh == "sh" || sh == "/bin/sh") && c == "-c" => rest.join(" "),
        words => words.join(" "),
    };
    let mut runs_forever = false;
    for part in script.split([';', '\n']).flat_map(|p| p.split("&&")) {
        let words: Vec<&str> = part.split_whitespace().collect();
        match words.as_slice() {
            ["sleep", n] | ["/bin/sleep", n] => match *n {
                "infinity" => runs_forever = true,
                n => elapsed += n.parse::<u64>().unwrap_or(0) * 1000,
            },
            ["exit", n] => {
                exit = Some(n.parse().unwrap_or(1));
                break;
            }
            ["echo", rest @ ..] => logs.push(rest.join(" ").trim_matches('"').trim_matches('\'').to_string()),
            ["while", "true", ..] | ["tail", "-f", ..] => runs_forever = true,
            _ => {}
        }
        if runs_forever {
            break;
        }
    }
    let exit_after = if runs_forever { None } else { Some((elapsed, exit.unwrap_or(0))) };
    (
        Profile {
            listen_ms: 0,
            on_sigterm: OnSigterm::Ignore,
            exit_after,
            cpu_idle_milli: 0,
            memory_mi: 1,
            ..Profile::default()
        },
        logs,
    )
}

/// Whether any annotation is a `kubeplay.dev/` override ([`apply_overrides`] changes nothing
/// without one).
pub fn overrides_any(annotations: &BTreeMap<String, String>) -> bool {
    annotations
        .range::<str, _>((std::ops::Bound::Included("kubeplay.dev/"), std::ops::Bound::Unbounded))
        .next()
        .is_some_and(|(k, _)| k.starts_with("kubeplay.dev/"))
}

/// Per-container overrides from pod annotations (documented in docs/profiles.md):
/// `kubeplay.dev/deadlock-after: 30s`, `kubeplay.dev/startup: 20s`,
/// `kubeplay.dev/memory-leak: 10` (MiB per minute), `kubeplay.dev/memory: 300` (MiB at idle).
/// A key may name one container: `kubeplay.dev/deadlock-after.wallet-server`.
pub fn apply_overrides(p: &mut Profile, annotations: &BTreeMap<String, String>, container: &str) {
    // Most pods have none of these: the keys are not looked up (each lookup formats its key).
    if !overrides_any(annotations) {
        return;
    }
    let get = |key: &str| {
        annotations
            .get(&format!("kubeplay.dev/{key}.{container}"))
            .or_else(|| annotations.get(&format!("kubeplay.dev/{key}")))
    };
    if let Some(ms) = get("deadlock-after").and_then(|v| parse_duration_ms(v).ok()) {
        p.deadlock_after_ms = Some(ms);
    }
    if let Some(ms) = get("startup").and_then(|v| parse_duration_ms(v).ok()) {
        p.listen_ms = ms;
    }
    if let Some(v) = get("memory-leak").and_then(|v| v.trim_end_matches("Mi").parse().ok()) {
        p.leak_mi_per_min = v;
    }
    if let Some(v) = get("memory").and_then(|v| v.trim_end_matches("Mi").parse().ok()) {
        p.memory_mi = v;
    }
}

/// A behaviour profile as course authors write it (docs/profiles.md), version
/// `kubeplay.dev/v1alpha1`. Unknown fields are refused, as Kubernetes' strict decoding does.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProfileSpec {
    /// Start from a built-in profile (`nginx`, `postgres`, `redis`, `wallet-server`, ...).
    pub base: Option<String>,
    pub port: Option<i32>,
    pub listen: Option<String>,
    pub warmup: Option<String>,
    pub http: Option<BTreeMap<String, u16>>,
    pub dependencies: Option<Vec<DependencySpec>>,
    /// `retry`, or `{exitAfter: 2s, exitCode: 1}`.
    pub on_missing_dependency: Option<serde_json::Value>,
    /// `ignore`, or `{drain: 5s, exitCode: 0}`.
    pub on_sigterm: Option<serde_json::Value>,
    pub required_env: Option<Vec<RequiredEnvSpec>>,
    pub logs: Option<LogsSpec>,
    pub exit_after: Option<String>,
    pub exit_code: Option<i32>,
    pub deadlock_after: Option<String>,
    pub cpu_idle: Option<String>,
    pub startup_cpu: Option<String>,
    pub memory: Option<String>,
    pub leak_per_minute: Option<String>,
    pub local: Option<bool>,
    /// CPU per request, e.g. `20m` (millicore-seconds).
    pub cpu_per_request: Option<String>,
    pub memory_per_request: Option<String>,
    pub request_time: Option<String>,
}

#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DependencySpec {
    pub host_env: String,
    pub port_env: Option<String>,
    pub default_port: i32,
    pub name: String,
}

#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RequiredEnvSpec {
    pub name: String,
    pub log: String,
    pub exit_code: i32,
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsSpec {
    pub start: Option<Vec<String>>,
    pub ready: Option<Vec<String>>,
}

pub const PROFILE_API_VERSION: &str = "kubeplay.dev/v1alpha1";

fn bytes_mi(q: &str) -> Result<i64, String> {
    crate::api::quantity::value(q).map(|b| b / (1024 * 1024)).map_err(|e| e.message().to_string())
}

impl ProfileSpec {
    /// The profile this spec describes, on top of its base.
    pub fn build(&self) -> Result<Profile, String> {
        let mut p = match &self.base {
            Some(b) => {
                let (repo, tag) = b.split_once(':').unwrap_or((b, "latest"));
                builtin(repo, tag)
            }
            None => Profile::default(),
        };
        let dur = |field: &str, v: &Option<String>| -> Result<Option<u64>, String> {
            v.as_deref().map(|s| parse_duration_ms(s).map_err(|e| format!("spec.{field}: {e}"))).transpose()
        };
        if let Some(v) = self.port {
            p.port = Some(v);
        }
        if let Some(v) = dur("listen", &self.listen)? {
            p.listen_ms = v;
        }
        if let Some(v) = dur("warmup", &self.warmup)? {
            p.warmup_ms = v;
        }
        if let Some(h) = &self.http {
            p.http = h.clone();
        }
        if let Some(d) = &self.dependencies {
            p.dependencies = d
                .iter()
                .map(|d| Dependency {
                    host_env: d.host_env.clone(),
                    port_env: d.port_env.clone().unwrap_or_default(),
                    default_port: d.default_port,
                    what: d.name.clone(),
                })
                .collect();
        }
        match &self.on_missing_dependency {
            None => {}
            Some(serde_json::Value::String(s)) if s == "retry" => p.on_missing = OnMissing::Retry,
            Some(v) => {
                let after = v
                    .get("exitAfter")
                    .and_then(|a| a.as_str())
                    .ok_or("spec.onMissingDependency: want \"retry\" or {exitAfter, exitCode}")?;
                let after_ms =
                    parse_duration_ms(after).map_err(|e| format!("spec.onMissingDependency.exitAfter: {e}"))?;
                let code = v.get("exitCode").and_then(|c| c.as_i64()).unwrap_or(1) as i32;
                p.on_missing = OnMissing::Exit { after_ms, code };
            }
        }
        match &self.on_sigterm {
            None => {}
            Some(serde_json::Value::String(s)) if s == "ignore" => p.on_sigterm = OnSigterm::Ignore,
            Some(v) => {
                let drain = v.get("drain").and_then(|a| a.as_str()).unwrap_or("0s");
                let drain_ms = parse_duration_ms(drain).map_err(|e| format!("spec.onSigterm.drain: {e}"))?;
                let code = v.get("exitCode").and_then(|c| c.as_i64()).unwrap_or(0) as i32;
                p.on_sigterm = OnSigterm::Exit { drain_ms, code };
            }
        }
        if let Some(r) = &self.required_env {
            p.required_env = r.iter().map(|r| (r.name.clone(), r.log.clone(), r.exit_code)).collect();
        }
        if let Some(l) = &self.logs {
            if let Some(s) = &l.start {
                p.start_logs = s.clone();
            }
            if let Some(r) = &l.ready {
                p.ready_logs = r.clone();
            }
        }
        if let Some(after) = dur("exitAfter", &self.exit_after)? {
            p.exit_after = Some((after, self.exit_code.unwrap_or(0)));
        }
        if let Some(d) = dur("deadlockAfter", &self.deadlock_after)? {
            p.deadlock_after_ms = Some(d);
        }
        if let Some(c) = &self.cpu_idle {
            p.cpu_idle_milli =
                crate::api::quantity::milli_value(c).map_err(|e| format!("spec.cpuIdle: {}", e.message()))?;
        }
        if let Some(c) = &self.startup_cpu {
            p.startup_cpu_milli =
                crate::api::quantity::milli_value(c).map_err(|e| format!("spec.startupCpu: {}", e.message()))?;
        }
        if let Some(m) = &self.memory {
            p.memory_mi = bytes_mi(m).map_err(|e| format!("spec.memory: {e}"))?;
        }
        if let Some(m) = &self.leak_per_minute {
            p.leak_mi_per_min = bytes_mi(m).map_err(|e| format!("spec.leakPerMinute: {e}"))?;
        }
        if let Some(l) = self.local {
            p.local_only = l;
        }
        if let Some(c) = &self.cpu_per_request {
            p.cpu_per_request_milli =
                crate::api::quantity::milli_value(c).map_err(|e| format!("spec.cpuPerRequest: {}", e.message()))?;
        }
        if let Some(m) = &self.memory_per_request {
            p.memory_per_request_ki = crate::api::quantity::value(m)
                .map(|b| b / 1024)
                .map_err(|e| format!("spec.memoryPerRequest: {}", e.message()))?;
        }
        if let Some(v) = dur("requestTime", &self.request_time)? {
            p.request_ms = v;
        }
        Ok(p)
    }
}

/// Reads BehaviourProfile documents: (image it applies to, profile). Errors name file, line
/// and field.
pub fn parse_profiles(file: &str, text: &str) -> Result<Vec<(String, Profile)>, crate::diag::Diagnostic> {
    use crate::diag::Diagnostic;
    let docs = crate::api::yaml::parse_documents(text)
        .all()
        .map_err(|e| Diagnostic::new(file, e.line, e.column, e.message))?;
    let mut out = Vec::new();
    for doc in docs {
        let v = &doc.value;
        let at = |path: &str| doc.line_of(path);
        let api = v.get("apiVersion").and_then(|a| a.as_str()).unwrap_or("");
        let kind = v.get("kind").and_then(|a| a.as_str()).unwrap_or("");
        if api != PROFILE_API_VERSION || kind != "BehaviourProfile" {
            let (l, c) = at("kind");
            return Err(Diagnostic::new(
                file,
                l,
                c,
                format!("want apiVersion: {PROFILE_API_VERSION} and kind: BehaviourProfile, found {api:?} {kind:?}"),
            ));
        }
        let Some(name) = v.pointer("/metadata/name").and_then(|n| n.as_str()) else {
            let (l, c) = at("metadata");
            return Err(Diagnostic::new(file, l, c, "metadata.name: Required value: the image it applies to")
                .with_field("metadata.name"));
        };
        let spec_v = v.get("spec").cloned().unwrap_or(serde_json::Value::Object(Default::default()));
        let spec: ProfileSpec = crate::pathde::deserialize(&spec_v).map_err(|e| {
            let path = format!("spec.{}", e.path);
            let (l, c) = at(&path);
            Diagnostic::new(file, l, c, format!("{path}: {}", e.error)).with_field(path)
        })?;
        let profile = spec.build().map_err(|m| {
            let field = m.split(':').next().unwrap_or("spec").to_string();
            let (l, c) = at(&field);
            Diagnostic::new(file, l, c, m).with_field(field)
        })?;
        out.push((name.to_string(), profile));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn author_profiles_parse_and_errors_name_the_line() {
        let text = "apiVersion: kubeplay.dev/v1alpha1\nkind: BehaviourProfile\nmetadata:\n  name: my-api\nspec:\n  base: nginx\n  port: 8080\n  listen: 2s\n  http: {/health: 200}\n  onSigterm: ignore\n  memory: 64Mi\n";
        let p = parse_profiles("p.yaml", text).unwrap();
        assert_eq!(p[0].0, "my-api");
        assert_eq!((p[0].1.port, p[0].1.listen_ms, p[0].1.memory_mi), (Some(8080), 2000, 64));
        assert_eq!(p[0].1.on_sigterm, OnSigterm::Ignore);
        let bad = text.replace("  listen: 2s", "  listne: 2s");
        let e = parse_profiles("p.yaml", &bad).unwrap_err();
        assert_eq!(e.line, 8, "{e}");
        assert!(e.message.contains("unknown field `listne`"), "{e}");
        let bad = text.replace("listen: 2s", "listen: soon");
        let e = parse_profiles("p.yaml", &bad).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (8, Some("spec.listen")), "{e}");
    }

    #[test]
    fn stress_memory() {
        assert_eq!(stress(&cmd(&["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"])).memory_mi, 251);
        assert_eq!(stress(&cmd(&["--cpu", "2"])).cpu_idle_milli, 2000);
    }

    #[test]
    fn busybox_commands() {
        assert_eq!(busybox(&[]).0.exit_after, Some((0, 0)), "plain sh exits at once");
        assert_eq!(busybox(&cmd(&["sleep", "3600"])).0.exit_after, Some((3_600_000, 0)));
        assert_eq!(busybox(&cmd(&["sh", "-c", "echo hi; sleep 5; exit 3"])).0.exit_after, Some((5_000, 3)));
        assert_eq!(busybox(&cmd(&["sh", "-c", "echo hi; sleep 5; exit 3"])).1, vec!["hi"]);
        assert_eq!(busybox(&cmd(&["sleep", "infinity"])).0.exit_after, None);
        assert_eq!(busybox(&cmd(&["sleep", "1"])).0.on_sigterm, OnSigterm::Ignore);
    }
}
