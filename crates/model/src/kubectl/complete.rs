//! Tab completion for the command language, as kubectl's shell completion offers it: commands,
//! kubectl verbs, resource types, flags, object names from the cluster (namespace-aware, and
//! `TYPE/NAME`), workspace files after `-f`, node names for `node fail`, Services for `traffic`.

use super::{BOOL_FLAGS, VALUE_FLAGS, Workspace};
use crate::api::Kind;
use crate::cluster::Cluster;

const COMMANDS: &[&str] =
    &["kubectl", "docker", "curl", "sleep", "echo", "base64", "traffic", "node", "proxy-mode", "profile", "clear"];
const VERBS: &[&str] = &[
    "annotate",
    "apply",
    "autoscale",
    "config",
    "cordon",
    "create",
    "delete",
    "describe",
    "drain",
    "exec",
    "explain",
    "expose",
    "get",
    "logs",
    "rollout",
    "scale",
    "set",
    "top",
    "uncordon",
    "version",
];
/// Verbs whose next word is a resource type (or TYPE/NAME).
const TYPED_VERBS: &[&str] = &["get", "describe", "delete", "scale", "expose", "autoscale", "explain", "annotate"];
const RESOURCES: &[&str] = &[
    "configmaps",
    "deployments",
    "endpoints",
    "endpointslices",
    "events",
    "horizontalpodautoscalers",
    "ingresses",
    "namespaces",
    "nodes",
    "persistentvolumeclaims",
    "persistentvolumes",
    "pods",
    "replicasets",
    "secrets",
    "services",
    "storageclasses",
];

/// Candidates for the last word of `line` (the whole word each, sorted, without duplicates).
/// A line ending in a space completes a new, empty word.
pub fn complete(c: &Cluster, ws: &Workspace, line: &str) -> Vec<String> {
    let mut words: Vec<&str> = line.split_whitespace().collect();
    let partial = if line.ends_with(char::is_whitespace) || words.is_empty() { "" } else { words.pop().unwrap_or("") };
    let words: Vec<&str> = words.into_iter().map(|w| if w == "k" { "kubectl" } else { w }).collect();
    let ns =
        words.windows(2).find(|w| w[0] == "-n" || w[0] == "--namespace").map(|w| w[1]).unwrap_or("default").to_string();
    let names = |kind: Kind| -> Vec<String> {
        let ns = if kind.namespaced() { Some(ns.as_str()) } else { None };
        c.store().list(kind, ns).map(|o| o.name().to_string()).collect()
    };
    let mut out: Vec<String> = match words.as_slice() {
        [] => COMMANDS.iter().map(|s| s.to_string()).collect(),
        _ if words.last().is_some_and(|w| *w == "-f" || *w == "--filename") => {
            let mut v: Vec<String> = ws.files.keys().cloned().collect();
            for path in ws.files.keys() {
                if let Some(i) = path.rfind('/') {
                    v.push(format!("{}/", &path[..i]));
                }
            }
            v
        }
        _ if words.last().is_some_and(|w| *w == "-n" || *w == "--namespace") => names(Kind::Namespace),
        _ if words.last().is_some_and(|w| *w == "-o" || *w == "--output") => {
            ["wide", "yaml", "json", "name"].iter().map(|s| s.to_string()).collect()
        }
        _ if partial.starts_with('-') => VALUE_FLAGS.iter().chain(BOOL_FLAGS).map(|(f, _)| f.to_string()).collect(),
        ["kubectl"] => VERBS.iter().map(|s| s.to_string()).collect(),
        ["kubectl", "rollout"] => {
            ["history", "pause", "restart", "resume", "status", "undo"].iter().map(|s| s.to_string()).collect()
        }
        ["kubectl", "rollout", _] | ["kubectl", "set", "image"] => {
            names(Kind::Deployment).into_iter().map(|n| format!("deployment/{n}")).collect()
        }
        ["kubectl", "set"] => vec!["image".to_string()],
        ["kubectl", "config"] => {
            ["current-context", "get-contexts", "use-context"].iter().map(|s| s.to_string()).collect()
        }
        ["kubectl", "config", "use-context"] => c.kubeconfig.contexts.iter().map(|x| x.0.clone()).collect(),
        ["kubectl", "logs" | "exec", ..] => {
            let mut v = names(Kind::Pod);
            v.extend(names(Kind::Deployment).into_iter().map(|n| format!("deployment/{n}")));
            v
        }
        ["kubectl", "cordon" | "uncordon" | "drain", ..] | ["node", "fail" | "partition" | "recover"] => {
            names(Kind::Node)
        }
        ["node"] => ["fail", "partition", "recover"].iter().map(|s| s.to_string()).collect(),
        ["traffic"] => ["start", "stop", "stats", "log"].iter().map(|s| s.to_string()).collect(),
        ["traffic", _] => {
            let mut v = names(Kind::Service);
            v.extend(names(Kind::Ingress).into_iter().map(|n| format!("ingress/{n}")));
            v
        }
        ["docker"] => ["build", "images", "tag"].iter().map(|s| s.to_string()).collect(),
        ["kubectl", verb, rest @ ..] if TYPED_VERBS.contains(verb) => {
            let typed: Vec<&&str> = rest.iter().filter(|w| !w.starts_with('-')).collect();
            match (typed.first(), partial.split_once('/')) {
                (None, Some((t, _))) => match Kind::from_arg(t) {
                    Some(kind) => names(kind).into_iter().map(|n| format!("{t}/{n}")).collect(),
                    None => vec![],
                },
                (None, None) => RESOURCES.iter().map(|s| s.to_string()).collect(),
                (Some(t), _) => Kind::from_arg(t).map(names).unwrap_or_default(),
            }
        }
        _ => vec![],
    };
    out.retain(|w| w.starts_with(partial));
    out.sort();
    out.dedup();
    out
}

/// The longest prefix the candidates share (what Tab can fill in at once).
pub fn common_prefix(candidates: &[String]) -> String {
    let Some(first) = candidates.first() else { return String::new() };
    let shared = candidates[1..]
        .iter()
        .map(|c| first.chars().zip(c.chars()).take_while(|(a, b)| a == b).count())
        .min()
        .unwrap_or_else(|| first.chars().count());
    first.chars().take(shared).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_commands_verbs_types_flags_names_and_files() {
        let mut c = Cluster::new(crate::ClusterConfig::default());
        let ws = Workspace::default().with_file("deploy/k8s/web.yaml", "");
        c.run("kubectl create deployment web --image=nginx:1.27\nkubectl create deployment worker --image=redis:7\nsleep 5s", &ws);
        let got = |line: &str| complete(&c, &ws, line);
        assert_eq!(got("kub"), ["kubectl"]);
        assert_eq!(got("kubectl ro"), ["rollout"]);
        assert_eq!(got("kubectl get dep"), ["deployments"]);
        assert_eq!(got("kubectl get deployments w"), ["web", "worker"]);
        assert_eq!(got("k describe deploy/w"), ["deploy/web", "deploy/worker"]);
        assert_eq!(got("kubectl rollout status deployment/we"), ["deployment/web"]);
        assert_eq!(got("kubectl get pods -o y"), ["yaml"]);
        assert!(got("kubectl get pods --sh").contains(&"--show-labels".to_string()));
        assert_eq!(got("kubectl apply -f de"), ["deploy/k8s/", "deploy/k8s/web.yaml"]);
        assert_eq!(got("node fail node-"), ["node-1", "node-2", "node-3"]);
        assert_eq!(got("kubectl config use-context d"), ["docker-desktop"]);
        assert!(got("kubectl get pods web").iter().all(|p| p.starts_with("web-")));
        assert_eq!(got("kubectl get pods -n kube-system web"), Vec::<String>::new(), "names follow -n");
        assert!(got("nonsense wor").is_empty());
    }

    #[test]
    fn common_prefixes() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(common_prefix(&v(&["node-1", "node-2"])), "node-");
        assert_eq!(common_prefix(&v(&["web"])), "web");
        assert_eq!(common_prefix(&v(&[])), "");
        assert_eq!(common_prefix(&v(&["部署a", "部署b"])), "部署");
    }
}
