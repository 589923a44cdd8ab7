//! Behaviour profiles of simulated images: containers run no code, so each image says how its
//! process behaves — how long it takes to start, what it listens on and answers, what it needs
//! at start and does without it, how it handles SIGTERM, and what it logs. Data, not logic: the
//! kubelet interprets it (crates/model/src/kubelet).

use std::collections::BTreeMap;

use crate::time::parse_duration_ms;

/// What a process does when a dependency it connects to at start is unreachable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OnMissing {
    /// Log the error and exit with this code after this long.
    Exit { after_ms: u64, code: i32 },
    /// Keep retrying; start serving once it is reachable.
    Retry,
}

/// How the process reacts to SIGTERM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OnSigterm {
    /// Finish in-flight work for `drain_ms`, then exit with `code` (0: graceful).
    Exit { drain_ms: u64, code: i32 },
    /// PID 1 without a handler (busybox `sleep`): only SIGKILL ends it.
    Ignore,
}

/// A dependency read from the environment at start, e.g. `DB_HOST` (port from `DB_PORT`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dependency {
    pub host_env: &'static str,
    pub port_env: &'static str,
    pub default_port: i32,
    /// How the failure reads in the log.
    pub what: &'static str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// From start until the port accepts connections.
    pub listen_ms: u64,
    /// From start until HTTP health paths answer 200 (a warm-up; 503 before).
    pub warmup_ms: u64,
    /// The port it listens on (`None`: the container's first containerPort).
    pub port: Option<i32>,
    /// HTTP paths and their status; any other path is 404. Empty: every path is 200.
    pub http: BTreeMap<&'static str, u16>,
    pub dependencies: Vec<Dependency>,
    pub on_missing: OnMissing,
    pub on_sigterm: OnSigterm,
    /// Env vars it requires, with the log line and exit code when one is missing.
    pub required_env: Vec<(&'static str, &'static str, i32)>,
    /// Lines logged at start; `{VAR}` is replaced by the env var's value.
    pub start_logs: Vec<&'static str>,
    /// Lines logged once listening.
    pub ready_logs: Vec<&'static str>,
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
        }
    }
}

/// The built-in profile for an image repository (`nginx`, `wallet-server`, ...).
pub fn builtin(repository: &str, tag: &str) -> Profile {
    match repository {
        "nginx" => Profile {
            listen_ms: 300,
            memory_mi: 4,
            port: Some(80),
            // nginx's default config serves the welcome page on / and /index.html.
            http: [("/", 200), ("/index.html", 200)].into(),
            on_sigterm: OnSigterm::Exit { drain_ms: 100, code: 0 },
            start_logs: vec![
                "/docker-entrypoint.sh: Configuration complete; ready for start up",
                "nginx/1.27.3",
                "start worker processes",
            ],
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
                "POSTGRES_PASSWORD",
                "Error: Database is uninitialized and superuser password is not specified.",
                1,
            )],
            start_logs: vec!["PostgreSQL init process complete; ready for start up."],
            ready_logs: vec!["LOG:  database system is ready to accept connections"],
            ..Profile::default()
        },
        "redis" => Profile {
            listen_ms: 200,
            cpu_idle_milli: 2,
            memory_mi: 4,
            port: Some(6379),
            start_logs: vec!["# Server initialized"],
            ready_logs: vec!["* Ready to accept connections tcp"],
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
            port: Some(8080),
            http: [("/health", 200), ("/", 200), ("/api/v1/wallets", 200)].into(),
            dependencies: vec![
                Dependency { host_env: "DB_HOST", port_env: "DB_PORT", default_port: 5432, what: "database" },
                Dependency { host_env: "REDIS_HOST", port_env: "REDIS_PORT", default_port: 6379, what: "redis" },
            ],
            on_missing: OnMissing::Exit { after_ms: 2_000, code: 1 },
            on_sigterm: OnSigterm::Exit { drain_ms: 5_000, code: 0 },
            start_logs: vec![
                if tag == "v2" { "wallet-server v2 starting" } else { "wallet-server v1 starting" },
                "config: APP_ENV={APP_ENV} REDIS_MQ_TYPE={REDIS_MQ_TYPE}",
            ],
            ready_logs: vec!["listening on :8080"],
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

/// Per-container overrides from pod annotations (documented in docs/profiles.md):
/// `kubeplay.dev/deadlock-after: 30s`, `kubeplay.dev/startup: 20s`,
/// `kubeplay.dev/memory-leak: 10` (MiB per minute), `kubeplay.dev/memory: 300` (MiB at idle).
/// A key may name one container: `kubeplay.dev/deadlock-after.wallet-server`.
pub fn apply_overrides(p: &mut Profile, annotations: &BTreeMap<String, String>, container: &str) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
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
