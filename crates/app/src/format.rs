//! Small pure helpers that turn view data into the text and classes the page draws.

use kubeplay_model::{Diagnostic, SimTime};

/// How a pod's STATUS reads at a glance; each maps to a colour in `web/style.css`, and the
/// STATUS text is always drawn too, so colour is never the only signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusTone {
    /// Running and ready.
    Ok,
    /// On its way: Pending, ContainerCreating, PodInitializing, Init:N/M, Running but not ready.
    Progress,
    /// Going away: Terminating.
    Terminating,
    /// Finished normally: Completed / Succeeded.
    Done,
    /// Needs attention: CrashLoopBackOff, ErrImagePull, ImagePullBackOff, Error, OOMKilled, ...
    Error,
}

impl StatusTone {
    pub fn class(self) -> &'static str {
        match self {
            StatusTone::Ok => "status-ok",
            StatusTone::Progress => "status-progress",
            StatusTone::Terminating => "status-terminating",
            StatusTone::Done => "status-done",
            StatusTone::Error => "status-error",
        }
    }
}

/// Classifies a pod by its `kubectl get pods` STATUS and readiness.
pub fn pod_tone(status: &str, is_ready: bool) -> StatusTone {
    match status {
        "Running" if is_ready => StatusTone::Ok,
        "Running" | "Pending" | "ContainerCreating" | "PodInitializing" => StatusTone::Progress,
        "Terminating" => StatusTone::Terminating,
        "Completed" | "Succeeded" => StatusTone::Done,
        s if s.starts_with("Init:") && !is_init_error(s) => StatusTone::Progress,
        _ => StatusTone::Error,
    }
}

fn is_init_error(status: &str) -> bool {
    // Init:0/1 is progress; Init:CrashLoopBackOff, Init:Error, Init:ErrImagePull are errors.
    !status["Init:".len()..].chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// A pod name short enough for a tile. Deployment pods (`web-5d78c6b9f-x2xkq`) drop the
/// pod-template-hash, which is the same for every pod of one revision: `web-x2xkq`.
pub fn short_pod_name(name: &str) -> String {
    const MAX_CHARS: usize = 18;
    let parts: Vec<&str> = name.split('-').collect();
    let (prefix, suffix) =
        if parts.len() >= 3 && parts[parts.len() - 1].len() == 5 && (6..=10).contains(&parts[parts.len() - 2].len()) {
            (parts[..parts.len() - 2].join("-"), format!("-{}", parts[parts.len() - 1]))
        } else {
            (name.to_string(), String::new())
        };
    // The random suffix tells pods apart, so a long name loses characters of its prefix.
    let total = prefix.chars().count() + suffix.chars().count();
    if total <= MAX_CHARS {
        return format!("{prefix}{suffix}");
    }
    let keep = MAX_CHARS.saturating_sub(suffix.chars().count() + 1);
    let mut s: String = prefix.chars().take(keep).collect();
    s.push('…');
    s.push_str(&suffix);
    s
}

const MI: i64 = 1024 * 1024;
const GI: i64 = 1024 * MI;

/// Bytes as Kubernetes quantities print them: `128Mi`, `8Gi`, `1536Mi`.
pub fn bytes_quantity(bytes: i64) -> String {
    if bytes != 0 && bytes % GI == 0 {
        format!("{}Gi", bytes / GI)
    } else if bytes % MI == 0 {
        format!("{}Mi", bytes / MI)
    } else if bytes % 1024 == 0 {
        format!("{}Ki", bytes / 1024)
    } else {
        bytes.to_string()
    }
}

/// `part / whole` of `width`, in integer arithmetic, clamped to `0..=width`.
pub fn bar_width(part: i64, whole: i64, width: i64) -> i64 {
    if whole <= 0 || part <= 0 {
        return 0;
    }
    (part.saturating_mul(width) / whole).clamp(0, width)
}

/// A virtual time as the clock shows it.
pub fn clock(ms: u64) -> String {
    SimTime(ms).clock()
}

/// A diagnostic as the problems list shows it: `deploy/k8s/deployment.yaml line 4: message`.
pub fn diagnostic_line(d: &Diagnostic) -> String {
    if d.line == 0 {
        format!("{}: {}", d.file, d.message)
    } else {
        format!("{} line {}: {}", d.file, d.line, d.message)
    }
}

/// A CamelCase name split into its words, so a narrow table header can wrap it between words:
/// `NodeResourcesFit` -> `Node`, `Resources`, `Fit`.
pub fn camel_words(name: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = 0;
    for (i, c) in name.char_indices().skip(1) {
        if c.is_ascii_uppercase() {
            words.push(&name[start..i]);
            start = i;
        }
    }
    if start < name.len() {
        words.push(&name[start..]);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tones() {
        assert_eq!(pod_tone("Running", true), StatusTone::Ok);
        assert_eq!(pod_tone("Running", false), StatusTone::Progress);
        assert_eq!(pod_tone("Pending", false), StatusTone::Progress);
        assert_eq!(pod_tone("ContainerCreating", false), StatusTone::Progress);
        assert_eq!(pod_tone("Init:0/1", false), StatusTone::Progress);
        assert_eq!(pod_tone("Init:CrashLoopBackOff", false), StatusTone::Error);
        assert_eq!(pod_tone("CrashLoopBackOff", false), StatusTone::Error);
        assert_eq!(pod_tone("ImagePullBackOff", false), StatusTone::Error);
        assert_eq!(pod_tone("OOMKilled", false), StatusTone::Error);
        assert_eq!(pod_tone("Terminating", true), StatusTone::Terminating);
        assert_eq!(pod_tone("Completed", false), StatusTone::Done);
    }

    #[test]
    fn short_names() {
        assert_eq!(short_pod_name("web-5d78c6b9f-x2xkq"), "web-x2xkq");
        assert_eq!(short_pod_name("wallet-server-7d9c8b6f4-x2xkq"), "wallet-serv…-x2xkq");
        assert_eq!(short_pod_name("db-5d78c6b9f-x2xkq"), "db-x2xkq");
        assert_eq!(short_pod_name("busybox"), "busybox");
        assert_eq!(short_pod_name("a-very-long-pod-name-without-hash"), "a-very-long-pod-n…");
    }

    #[test]
    fn quantities() {
        assert_eq!(bytes_quantity(128 * MI), "128Mi");
        assert_eq!(bytes_quantity(8 * GI), "8Gi");
        assert_eq!(bytes_quantity(1536 * MI), "1536Mi");
        assert_eq!(bytes_quantity(0), "0Mi");
        assert_eq!(bytes_quantity(4096), "4Ki");
    }

    #[test]
    fn bars() {
        assert_eq!(bar_width(1500, 4000, 200), 75);
        assert_eq!(bar_width(0, 4000, 200), 0);
        assert_eq!(bar_width(5000, 4000, 200), 200);
        assert_eq!(bar_width(10, 0, 200), 0);
    }

    #[test]
    fn diagnostics_name_the_line() {
        let d = Diagnostic::new("deploy/k8s/deployment.yaml", 4, 3, "unknown field");
        assert_eq!(diagnostic_line(&d), "deploy/k8s/deployment.yaml line 4: unknown field");
        let d = Diagnostic::new("-", 0, 0, "no objects passed to apply");
        assert_eq!(diagnostic_line(&d), "-: no objects passed to apply");
    }

    #[test]
    fn camel_case_words() {
        assert_eq!(camel_words("NodeResourcesBalancedAllocation"), ["Node", "Resources", "Balanced", "Allocation"]);
        assert_eq!(camel_words("ImageLocality"), ["Image", "Locality"]);
        assert_eq!(camel_words("x"), ["x"]);
        assert!(camel_words("").is_empty());
    }
}
