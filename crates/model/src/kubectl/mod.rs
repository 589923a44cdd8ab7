//! The command language: kubectl (its output formats and error texts), `sleep`, and the
//! playground's own verbs. One language for the page's terminal, the CLI, lessons and tests.

pub mod complete;
pub mod describe;
pub mod exec;
pub mod printers;
pub mod script;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::api::{Kind, Object};
use crate::cluster::Cluster;
use crate::diag::Diagnostic;
use crate::store::{parse_label_selector, requirements_match};
use crate::time::parse_duration_ms;

/// The learner's files (editor tabs), by path, e.g. `deploy/k8s/deployment.yaml`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Workspace {
    pub files: BTreeMap<String, String>,
    /// Files whose bytes are not UTF-8, by path: where the first bad byte is. They are listed
    /// (so `-f PATH` finds them) but have no text; reading one is an error naming the file,
    /// line and byte. See [`Workspace::insert_bytes`].
    pub not_utf8: BTreeMap<String, NotUtf8>,
}

/// Where a file stops being UTF-8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotUtf8 {
    /// 0-based offset of the first byte that is not part of a valid UTF-8 sequence.
    pub byte: usize,
    /// 1-based line and column (in characters) of that byte.
    pub line: usize,
    pub column: usize,
}

impl Workspace {
    pub fn with_file(mut self, path: &str, text: &str) -> Self {
        self.files.insert(path.to_string(), text.to_string());
        self
    }

    /// Adds a file from raw bytes, as the CLI reads files from disk.
    ///
    /// Bytes enter kubeplay only here: the page's editor and lessons hold text (`String`s), so
    /// only the CLI meets files that are not UTF-8. Decoding them lossily would apply U+FFFD
    /// into names and values where kubectl refuses the file, and skipping them would make
    /// `kubectl apply -f FILE` say the path does not exist, which is false. So the file is kept
    /// as "present but not text", and reading it fails the way kubectl's YAML reader fails
    /// (go-yaml reader.go: "invalid leading UTF-8 octet", ...), plus where: `yaml: line L:
    /// invalid UTF-8 at byte N`. Returns where the bytes stop being UTF-8, if they do.
    pub fn insert_bytes(&mut self, path: &str, bytes: &[u8]) -> Option<NotUtf8> {
        match std::str::from_utf8(bytes) {
            Ok(text) => {
                self.not_utf8.remove(path);
                self.files.insert(path.to_string(), text.to_string());
                None
            }
            Err(e) => {
                let good = &bytes[..e.valid_up_to()];
                // The prefix is valid UTF-8 by construction.
                let prefix = std::str::from_utf8(good).unwrap_or_default();
                let line = 1 + prefix.matches('\n').count();
                let column = 1 + prefix.rsplit('\n').next().map_or(0, |l| l.chars().count());
                let at = NotUtf8 { byte: e.valid_up_to(), line, column };
                self.files.remove(path);
                self.not_utf8.insert(path.to_string(), at);
                Some(at)
            }
        }
    }
}

/// What one command printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandResult {
    pub command: String,
    pub output: String,
    pub ok: bool,
    pub diagnostics: Vec<Diagnostic>,
}

/// A transcript: each command echoed as `$ command`, then its output.
pub fn transcript(results: &[CommandResult]) -> String {
    let mut s = String::new();
    for r in results {
        s.push_str("$ ");
        s.push_str(&r.command);
        s.push('\n');
        s.push_str(&r.output);
        if !r.output.is_empty() && !r.output.ends_with('\n') {
            s.push('\n');
        }
    }
    s
}

const REFUSED: &str =
    "The connection to the server localhost:8080 was refused - did you specify the right host or port?";
/// How long `rollout status` and `delete` wait at most in virtual time before giving up.
const WAIT_LIMIT_MS: u64 = 30 * 60 * 1000;

struct Out {
    text: String,
    ok: bool,
    diags: Vec<Diagnostic>,
}

impl Out {
    fn new() -> Self {
        Out { text: String::new(), ok: true, diags: vec![] }
    }
    fn line(&mut self, s: impl AsRef<str>) {
        self.text.push_str(s.as_ref());
        if !s.as_ref().ends_with('\n') {
            self.text.push('\n');
        }
    }
    fn err(&mut self, s: impl AsRef<str>) {
        self.line(s);
        self.ok = false;
    }
}

/// Runs every command of a script; a failing command does not stop the ones after it.
pub fn run_script(c: &mut Cluster, script: &str, ws: &Workspace) -> Vec<CommandResult> {
    let cmds = match script::parse(script) {
        Ok(cmds) => cmds,
        Err(e) => {
            return vec![CommandResult {
                command: script.lines().nth(e.line.saturating_sub(1)).unwrap_or("").trim().to_string(),
                output: format!("kubeplay: line {}: {}\n", e.line, e.message),
                ok: false,
                diagnostics: vec![Diagnostic::new("script", e.line, 0, e.message)],
            }];
        }
    };
    cmds.into_iter()
        .map(|cmd| {
            let mut out = Out::new();
            run_command(c, &cmd, ws, &mut out);
            // Each further stage of a pipeline reads what the stage before printed; the
            // pipeline's output and status are its last stage's, as in a shell.
            for stage in &cmd.pipeline {
                let next = script::Command {
                    words: stage.clone(),
                    stdin: Some(std::mem::take(&mut out.text)),
                    line: cmd.line,
                    text: cmd.text.clone(),
                    pipeline: vec![],
                };
                let diags = std::mem::take(&mut out.diags);
                out = Out::new();
                out.diags = diags;
                run_command(c, &next, ws, &mut out);
            }
            CommandResult { command: cmd.text.clone(), output: out.text, ok: out.ok, diagnostics: out.diags }
        })
        .collect()
}

/// Parsed kubectl flags (the subset kubeplay understands) and positional arguments.
#[derive(Default, Debug)]
struct Flags {
    args: Vec<String>,
    values: BTreeMap<String, Vec<String>>,
    bools: BTreeMap<String, bool>,
}

const VALUE_FLAGS: &[(&str, &str)] = &[
    ("-n", "namespace"),
    ("--namespace", "namespace"),
    ("-o", "output"),
    ("--output", "output"),
    ("-l", "selector"),
    ("--selector", "selector"),
    ("-f", "filename"),
    ("--filename", "filename"),
    ("--replicas", "replicas"),
    ("--image", "image"),
    ("--timeout", "timeout"),
    ("--to-revision", "to-revision"),
    ("--revision", "revision"),
    ("--grace-period", "grace-period"),
    ("--cascade", "cascade"),
    ("--wait", "wait"),
    ("--from-literal", "from-literal"),
    ("--type", "type"),
    ("--port", "port"),
    ("--target-port", "target-port"),
    ("--cpu-percent", "cpu-percent"),
    ("--cpu", "cpu-percent"),
    ("--min", "min"),
    ("--max", "max"),
    ("--name", "name"),
    ("--context", "context"),
    ("--request-timeout", "request-timeout"),
    ("-c", "container"),
    ("--container", "container"),
    ("--tail", "tail"),
    ("--field-selector", "field-selector"),
];
const BOOL_FLAGS: &[(&str, &str)] = &[
    ("-A", "all-namespaces"),
    ("--all-namespaces", "all-namespaces"),
    ("--show-labels", "show-labels"),
    ("--force", "force"),
    ("--all", "all"),
    ("-w", "watch"),
    ("--watch", "watch"),
    ("--ignore-daemonsets", "ignore-daemonsets"),
    ("--delete-emptydir-data", "delete-emptydir-data"),
    ("--no-headers", "no-headers"),
    ("-p", "previous"),
    ("--previous", "previous"),
    ("--follow", "follow"),
    ("--timestamps", "timestamps"),
    ("-i", "stdin"),
    ("-t", "tty"),
    ("-it", "stdin"),
    ("-ti", "stdin"),
    ("--stdin", "stdin"),
    ("--tty", "tty"),
];

fn parse_flags(words: &[String]) -> Result<Flags, String> {
    let mut f = Flags::default();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if let Some((k, v)) = w.split_once('=').filter(|(k, _)| k.starts_with('-')) {
            if let Some((_, name)) = VALUE_FLAGS.iter().find(|(flag, _)| *flag == k) {
                f.values.entry(name.to_string()).or_default().push(v.to_string());
            } else if let Some((_, name)) = BOOL_FLAGS.iter().find(|(flag, _)| *flag == k) {
                f.bools.insert(name.to_string(), v == "true");
            } else {
                return Err(format!("error: unknown flag: {k}"));
            }
        } else if w == "-f" && words.get(i + 1).is_none_or(|n| n.starts_with('-') && n != "-") {
            // `kubectl logs POD -f`: a trailing -f is follow.
            f.bools.insert("follow".into(), true);
        } else if let Some((_, name)) = VALUE_FLAGS.iter().find(|(flag, _)| flag == w) {
            let Some(v) = words.get(i + 1) else {
                return Err(format!("error: flag needs an argument: {w}"));
            };
            f.values.entry(name.to_string()).or_default().push(v.clone());
            i += 1;
        } else if let Some((_, name)) = BOOL_FLAGS.iter().find(|(flag, _)| flag == w) {
            f.bools.insert(name.to_string(), true);
        } else if w.starts_with("-n") && w.len() > 2 && !w.starts_with("--") {
            f.values.entry("namespace".into()).or_default().push(w[2..].to_string());
        } else if w.starts_with('-') && w.len() > 1 {
            return Err(format!("error: unknown flag: {w}"));
        } else {
            f.args.push(w.clone());
        }
        i += 1;
    }
    Ok(f)
}

impl Flags {
    fn value(&self, k: &str) -> Option<&str> {
        self.values.get(k).and_then(|v| v.last()).map(String::as_str)
    }
    fn flag(&self, k: &str) -> bool {
        self.bools.get(k).copied().unwrap_or(false)
    }
}

fn run_command(c: &mut Cluster, cmd: &script::Command, ws: &Workspace, out: &mut Out) {
    let words = &cmd.words;
    match words[0].as_str() {
        "kubectl" | "k" => kubectl(c, &words[1..], cmd.stdin.as_deref(), ws, out),
        "sleep" => match words.get(1).map(|d| parse_duration_ms(d)) {
            Some(Ok(ms)) => c.advance(ms),
            Some(Err(e)) => out.err(format!("sleep: {e}")),
            None => out.err("sleep: missing operand"),
        },
        "echo" if words.get(1).map(String::as_str) == Some("-n") => out.text.push_str(&words[2..].join(" ")),
        "echo" => out.line(words[1..].join(" ")),
        "base64" => base64_cmd(&words[1..], cmd.stdin.as_deref().unwrap_or(""), out),
        "docker" => docker(c, &words[1..], out),
        // curl from the learner's machine: NodePorts and LoadBalancer addresses.
        "curl" => {
            let (text, code) = exec::curl_request(c, "default", words, "192.168.65.1", true);
            out.text.push_str(&text);
            if code != 0 {
                out.ok = false;
            }
        }
        "profile" => profile(c, &words[1..], cmd.stdin.as_deref(), ws, out),
        "traffic" => traffic(c, &words[1..], out),
        // kube-proxy's mode for the cluster (its ConfigMap's `mode:`): iptables (default) or ipvs.
        "proxy-mode" => match words.get(1).map(String::as_str) {
            Some("ipvs") => {
                c.set_proxy_ipvs(true);
                out.line("kube-proxy mode: ipvs (round robin)");
            }
            Some("iptables") => {
                c.set_proxy_ipvs(false);
                out.line("kube-proxy mode: iptables (random)");
            }
            _ => out.err("kubeplay: proxy-mode iptables|ipvs"),
        },
        "node" => match (words.get(1).map(String::as_str), words.get(2)) {
            (Some("fail"), Some(n)) => match c.node_fail(n, false) {
                Ok(()) => out.line(format!("node/{n} failed: its kubelet and containers stopped")),
                Err(e) => out.err(format!("kubeplay: {e}")),
            },
            (Some("partition"), Some(n)) => match c.node_fail(n, true) {
                Ok(()) => {
                    out.line(format!("node/{n} partitioned: cut off from the control plane, containers still running"))
                }
                Err(e) => out.err(format!("kubeplay: {e}")),
            },
            (Some("recover"), Some(n)) => match c.node_recover(n) {
                Ok(()) => out.line(format!("node/{n} recovered")),
                Err(e) => out.err(format!("kubeplay: {e}")),
            },
            _ => out.err("kubeplay: node fail|partition|recover NAME"),
        },
        other => out.err(format!(
            "kubeplay: command not found: {other} (kubeplay knows kubectl, docker, curl, sleep, echo, base64, \
             traffic, node, proxy-mode and profile)"
        )),
    }
}

fn kubectl(c: &mut Cluster, args: &[String], stdin: Option<&str>, ws: &Workspace, out: &mut Out) {
    // Everything after `--` is the command for `kubectl exec`.
    let (args, command): (&[String], &[String]) = match args.iter().position(|a| a == "--") {
        Some(i) => (&args[..i], &args[i + 1..]),
        None => (args, &[]),
    };
    let flags = match parse_flags(args) {
        Ok(f) => f,
        Err(e) => return out.err(format!("{e}\nSee 'kubectl --help' for usage.")),
    };
    let Some(verb) = flags.args.first().cloned() else {
        return out.err("error: you must specify a command; see 'kubectl --help'");
    };
    if verb == "config" {
        return config(c, &flags, out);
    }
    let context = flags.value("context").map(str::to_string).unwrap_or_else(|| c.kubeconfig.current.clone());
    if !matches!(verb.as_str(), "version" | "explain") && context != c.kubeconfig.reachable {
        return out.err(REFUSED);
    }
    let ns = flags.value("namespace").unwrap_or("default").to_string();
    match verb.as_str() {
        "apply" | "create" if flags.value("filename").is_some() => {
            apply(c, &flags, &ns, stdin, ws, verb == "create", out)
        }
        "apply" => out.err("error: must specify one of -f and -k"),
        "create" => create_imperative(c, &flags, &ns, out),
        "get" => get(c, &flags, &ns, out),
        "describe" => describe::describe(c, &flags.args[1..], &ns, flags.value("selector"), out_fn(out)),
        "delete" => delete(c, &flags, &ns, stdin, ws, out),
        "scale" => scale(c, &flags, &ns, out),
        "set" => set_image(c, &flags, &ns, out),
        "rollout" => rollout(c, &flags, &ns, out),
        "cordon" | "uncordon" => cordon(c, &flags, verb == "cordon", out),
        "drain" => drain(c, &flags, out),
        "expose" => expose(c, &flags, &ns, out),
        "autoscale" => autoscale(c, &flags, &ns, out),
        "logs" => logs(c, &flags, &ns, out),
        "top" => top(c, &flags, &ns, out),
        "exec" => exec_cmd(c, &flags, &ns, command, out),
        "version" => out.line("Client Version: v1.34.0\nKustomize Version: v5.7.1\nServer Version: v1.34.0"),
        other => out.err(format!("error: unknown command \"{other}\" for \"kubectl\"")),
    }
}

/// A sink `describe` writes into (kept as a closure so describe.rs stays free of `Out`).
fn out_fn(out: &mut Out) -> impl FnMut(Result<String, String>) + '_ {
    move |r| match r {
        Ok(s) => out.line(s),
        Err(e) => out.err(e),
    }
}

fn config(c: &mut Cluster, flags: &Flags, out: &mut Out) {
    match flags.args.get(1).map(String::as_str) {
        Some("get-contexts") => {
            let mut rows =
                vec![vec!["CURRENT".into(), "NAME".into(), "CLUSTER".into(), "AUTHINFO".into(), "NAMESPACE".into()]];
            for (name, cluster, auth, ns) in &c.kubeconfig.contexts {
                let cur = if *name == c.kubeconfig.current { "*" } else { "" };
                rows.push(vec![cur.into(), name.clone(), cluster.clone(), auth.clone(), ns.clone()]);
            }
            out.line(printers::table(&rows).trim_end());
        }
        Some("current-context") => out.line(c.kubeconfig.current.clone()),
        Some("use-context") => match flags.args.get(2) {
            Some(name) if c.kubeconfig.contexts.iter().any(|x| &x.0 == name) => {
                c.kubeconfig.current = name.clone();
                out.line(format!("Switched to context \"{name}\"."));
            }
            Some(name) => out.err(format!("error: no context exists with the name: \"{name}\"")),
            None => out.err("error: Unexpected args: []"),
        },
        _ => out.err("error: kubeplay supports kubectl config get-contexts, current-context and use-context"),
    }
}

/// The error for reading a workspace file that is not UTF-8 (see [`Workspace::insert_bytes`]).
fn not_utf8_error(file: &str, at: NotUtf8) -> crate::api::ManifestError {
    let message = format!("invalid UTF-8 at byte {}", at.byte);
    crate::api::ManifestError {
        output: format!(
            "error: error parsing {file}: error converting YAML to JSON: yaml: line {}: {message}",
            at.line
        ),
        diagnostic: Diagnostic::new(file, at.line, at.column, message),
    }
}

/// Reads `-f` sources: workspace files, `-` for stdin. A file that is not UTF-8 is read as an
/// empty text and its error is added to `errors`.
fn read_sources(
    flags: &Flags,
    stdin: Option<&str>,
    ws: &Workspace,
    errors: &mut Vec<crate::api::ManifestError>,
) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for f in flags.values.get("filename").into_iter().flatten() {
        if f == "-" {
            out.push(("STDIN".to_string(), stdin.unwrap_or("").to_string()));
        } else if let Some(text) = ws.files.get(f.trim_start_matches("./")) {
            out.push((f.clone(), text.clone()));
        } else if let Some(at) = ws.not_utf8.get(f.trim_start_matches("./")) {
            errors.push(not_utf8_error(f, *at));
        } else {
            // A directory: every .yaml/.yml/.json file under it, in name order.
            let dir = format!("{}/", f.trim_start_matches("./").trim_end_matches('/'));
            let files: Vec<(String, String)> = ws
                .files
                .iter()
                .filter(|(p, _)| {
                    p.starts_with(&dir) && (p.ends_with(".yaml") || p.ends_with(".yml") || p.ends_with(".json"))
                })
                .map(|(p, t)| (p.clone(), t.clone()))
                .collect();
            let bad: Vec<(&String, &NotUtf8)> = ws
                .not_utf8
                .iter()
                .filter(|(p, _)| {
                    p.starts_with(&dir) && (p.ends_with(".yaml") || p.ends_with(".yml") || p.ends_with(".json"))
                })
                .collect();
            if files.is_empty() && bad.is_empty() {
                return Err(format!("error: the path \"{f}\" does not exist"));
            }
            out.extend(files);
            errors.extend(bad.into_iter().map(|(p, at)| not_utf8_error(p, *at)));
        }
    }
    Ok(out)
}

/// `kubectl apply -f` / `create -f`: reads every source, applies each object it can, and prints
/// the errors after the objects that succeeded (kubectl aggregates them, ContinueOnError). A
/// file is read up to its first document that is not YAML (`api::read_manifests`); a file
/// that is not UTF-8 contributes nothing.
fn apply(
    c: &mut Cluster,
    flags: &Flags,
    ns: &str,
    stdin: Option<&str>,
    ws: &Workspace,
    create_only: bool,
    out: &mut Out,
) {
    let mut read_errors = Vec::new();
    let sources = match read_sources(flags, stdin, ws, &mut read_errors) {
        Ok(s) => s,
        Err(e) => return out.err(e),
    };
    let mut manifests = Vec::new();
    for (file, text) in sources {
        // Shared by the file's documents (a 100,000-object file named 100,000 times otherwise).
        let file: std::rc::Rc<str> = file.into();
        let read = crate::api::read_manifests(&file, &text);
        for doc in read.docs {
            match doc {
                Ok(m) => manifests.push((file.clone(), m)),
                Err(e) => read_errors.push(e),
            }
        }
        read_errors.extend(read.stopped);
    }
    if manifests.is_empty() && read_errors.is_empty() {
        return out.err(format!("error: no objects passed to {}", if create_only { "create" } else { "apply" }));
    }
    let mut apply_errors = Vec::new();
    for (file, m) in manifests {
        let (kind, name) = (m.kind, m.name.clone());
        match c.apply_manifest(m, &file, ns, create_only) {
            Ok((outcome, skipped)) => {
                if !skipped.is_empty() && outcome != crate::apiserver::Outcome::Unchanged {
                    out.line(format!(
                        "Warning: {}/{}: kubeplay stores but does not simulate {}",
                        kind.resource(),
                        name,
                        skipped.join(", ")
                    ));
                }
                out.line(format!("{}/{} {}", kind.resource(), name, outcome.word()))
            }
            Err(e) => apply_errors.push((e.output, e.diagnostic)),
        }
    }
    for e in read_errors {
        out.diags.push(e.diagnostic);
        out.err(e.output);
    }
    for (output, diag) in apply_errors {
        out.diags.push(diag);
        out.err(output);
    }
}

fn create_imperative(c: &mut Cluster, flags: &Flags, ns: &str, out: &mut Out) {
    let what = flags.args.get(1).map(String::as_str);
    let name = flags.args.get(2).cloned();
    let (kind, value) = match (what, &name) {
        (Some("namespace" | "ns"), Some(n)) => {
            (Kind::Namespace, serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}}))
        }
        (Some("deployment" | "deploy"), Some(n)) => {
            let Some(image) = flags.value("image") else {
                return out.err("error: required flag(s) \"image\" not set");
            };
            let replicas: i64 = flags.value("replicas").and_then(|r| r.parse().ok()).unwrap_or(1);
            let cname = crate::kubelet::repository(image).rsplit('/').next().unwrap_or("app").to_string();
            let mut container = serde_json::json!({"name": cname, "image": image, "resources": {}});
            if let Some(p) = flags.value("port").and_then(|p| p.parse::<i64>().ok()) {
                container["ports"] = serde_json::json!([{"containerPort": p}]);
            }
            (
                Kind::Deployment,
                serde_json::json!({
                    "apiVersion": "apps/v1", "kind": "Deployment",
                    "metadata": {"name": n, "labels": {"app": n}},
                    "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": n}},
                             "template": {"metadata": {"labels": {"app": n}}, "spec": {"containers": [container]}}}
                }),
            )
        }
        (Some("configmap" | "cm"), Some(n)) => {
            let data: serde_json::Map<String, Value> = flags
                .values
                .get("from-literal")
                .into_iter()
                .flatten()
                .filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.to_string(), Value::String(v.to_string()))))
                .collect();
            (
                Kind::ConfigMap,
                serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": n}, "data": data}),
            )
        }
        (Some("secret"), Some(sub)) if sub == "generic" => {
            let Some(n) = flags.args.get(3) else { return out.err("error: exactly one NAME is required, got 0") };
            let data: serde_json::Map<String, Value> = flags
                .values
                .get("from-literal")
                .into_iter()
                .flatten()
                .filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.to_string(), Value::String(base64(v.as_bytes())))))
                .collect();
            (
                Kind::Secret,
                serde_json::json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": n}, "type": "Opaque", "data": data}),
            )
        }
        (Some(w), _) => {
            return out.err(format!(
                "error: kubeplay cannot create \"{w}\" imperatively yet; use kubectl create -f or kubectl apply -f"
            ));
        }
        (None, _) => return out.err("error: must specify one of -f and -k"),
    };
    let text = serde_json::to_string(&value).unwrap_or_default();
    for m in crate::api::read_manifests("STDIN", &text).docs.into_iter().flatten() {
        let name = m.name.clone();
        match c.apply_manifest(m, "STDIN", ns, true) {
            Ok(_) => out.line(format!("{}/{name} created", kind.resource())),
            Err(e) => {
                let msg = e.output.replace("error when creating \"STDIN\": ", "");
                out.err(msg)
            }
        }
    }
}

/// Standard base64 (for `create secret --from-literal`).
pub fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                s.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

/// `base64` (encode) and `base64 -d` / `--decode` over stdin, as coreutils: the encoding is
/// one line (kubeplay never wraps), decoding ignores newlines.
fn base64_cmd(args: &[String], stdin: &str, out: &mut Out) {
    match args.first().map(String::as_str) {
        None => out.line(base64(stdin.as_bytes())),
        Some("-d" | "--decode") => match base64_decode(stdin) {
            Some(bytes) => out.text.push_str(&String::from_utf8_lossy(&bytes)),
            None => out.err("base64: invalid input"),
        },
        Some(other) => out.err(format!("base64: unrecognized option '{other}'")),
    }
}

/// Standard base64 decoding; `None` for input that is not base64. Whitespace is skipped.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut bits = 0u32;
    let mut nbits = 0;
    let mut out = Vec::new();
    let mut padding = 0;
    for b in text.bytes().filter(|b| !b.is_ascii_whitespace()) {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                padding += 1;
                continue;
            }
            _ => return None,
        };
        if padding > 0 {
            return None;
        }
        bits = (bits << 6) | u32::from(v);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
            bits &= (1 << nbits) - 1;
        }
    }
    (padding <= 2).then_some(out)
}

/// `TYPE NAME`, `TYPE/NAME` or `TYPE1,TYPE2` arguments.
fn targets(args: &[String]) -> Result<Vec<(Kind, Option<String>)>, String> {
    let mut out = Vec::new();
    if args.is_empty() {
        return Err("error: you must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.".into());
    }
    if args.iter().all(|a| a.contains('/')) {
        for a in args {
            let (t, n) = a.split_once('/').unwrap_or((a, ""));
            let k =
                Kind::from_arg(t).ok_or_else(|| format!("error: the server doesn't have a resource type \"{t}\""))?;
            out.push((k, Some(n.to_string())));
        }
        return Ok(out);
    }
    let kinds: Vec<Kind> = args[0]
        .split(',')
        .flat_map(|t| -> Vec<Result<Kind, String>> {
            if t == "all" {
                vec![Ok(Kind::Pod), Ok(Kind::Service), Ok(Kind::Deployment), Ok(Kind::ReplicaSet)]
            } else {
                vec![Kind::from_arg(t).ok_or_else(|| format!("error: the server doesn't have a resource type \"{t}\""))]
            }
        })
        .collect::<Result<_, _>>()?;
    if args.len() == 1 {
        return Ok(kinds.into_iter().map(|k| (k, None)).collect());
    }
    for k in &kinds {
        for n in &args[1..] {
            out.push((*k, Some(n.clone())));
        }
    }
    Ok(out)
}

fn get(c: &mut Cluster, flags: &Flags, ns: &str, out: &mut Out) {
    let all_ns = flags.flag("all-namespaces");
    let output = flags.value("output").unwrap_or("");
    let wide = output == "wide";
    let selector = match flags.value("selector").map(parse_label_selector) {
        Some(Err(e)) => return out.err(format!("error: {e}")),
        Some(Ok(r)) => Some(r),
        None => None,
    };
    if flags.args.get(1).map(String::as_str) == Some("events") || flags.args.get(1).map(String::as_str) == Some("ev") {
        let mut rows = vec![printers::event_header(all_ns)];
        let fields: Vec<(String, String)> = flags
            .value("field-selector")
            .map(|f| {
                f.split(',')
                    .filter_map(|kv| {
                        kv.split_once('=').map(|(k, v)| (k.trim_end_matches('=').to_string(), v.to_string()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut evs: Vec<crate::cluster::Event> = c
            .events()
            .filter(|e| all_ns || *e.namespace == *ns || (e.namespace.is_empty() && ns == "default"))
            .filter(|e| {
                fields.iter().all(|(k, v)| match k.as_str() {
                    "reason" => *e.reason == **v,
                    "type" => e.event_type() == v,
                    "involvedObject.name" => *e.name == **v,
                    "involvedObject.kind" => e.kind.name() == v,
                    _ => false,
                })
            })
            .collect();
        crate::sort::sort_by_key(&mut evs, |e| e.last_ms);
        for e in &evs {
            rows.push(printers::event_cells(e, c.now(), all_ns));
        }
        if evs.is_empty() {
            return out.line(if all_ns {
                "No resources found".to_string()
            } else {
                format!("No resources found in {ns} namespace.")
            });
        }
        return out.line(printers::table(&rows).trim_end());
    }
    let targets = match targets(&flags.args[1..]) {
        Ok(t) => t,
        Err(e) => return out.err(e),
    };
    if targets.iter().any(|t| t.0 == Kind::Endpoints) {
        out.line("Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice");
    }
    let multi = targets.iter().map(|t| t.0).collect::<std::collections::BTreeSet<_>>().len() > 1
        || flags.args.get(1).is_some_and(|a| a == "all");
    let mut objects: Vec<Object> = Vec::new();
    let mut missing = Vec::new();
    for (kind, name) in &targets {
        let scope = if kind.namespaced() && !all_ns { Some(ns) } else { None };
        match name {
            Some(n) => match c.store().get(*kind, if kind.namespaced() { ns } else { "" }, n) {
                Some(o) => objects.push(o.clone()),
                None => missing.push(format!("Error from server (NotFound): {} \"{n}\" not found", kind.plural())),
            },
            None => {
                for o in c.store().list(*kind, scope) {
                    if let Some(req) = &selector
                        && !requirements_match(req, &o.meta().labels.clone().unwrap_or_default())
                    {
                        continue;
                    }
                    objects.push(o.clone());
                }
            }
        }
    }
    match output {
        "yaml" | "json" => {
            let single = targets.len() == 1 && targets[0].1.is_some();
            let value = if single && objects.len() == 1 {
                objects[0].to_json()
            } else {
                serde_json::json!({"apiVersion": "v1", "items": objects.iter().map(Object::to_json).collect::<Vec<_>>(), "kind": "List", "metadata": {"resourceVersion": ""}})
            };
            if !objects.is_empty() || !single {
                if output == "json" {
                    out.line(serde_json::to_string_pretty(&value).unwrap_or_default());
                } else {
                    out.text.push_str(&crate::api::emit::to_yaml(&value));
                }
            }
        }
        "name" => {
            for o in &objects {
                out.line(format!("{}/{}", o.kind().resource(), o.name()));
            }
        }
        "" | "wide" => {
            if objects.is_empty() && missing.is_empty() {
                out.line(if all_ns || targets.iter().all(|t| !t.0.namespaced()) { "No resources found".to_string() } else { format!("No resources found in {ns} namespace.") });
            }
            let mut first = true;
            let mut order: Vec<Kind> = Vec::new();
            for (k, _) in &targets {
                if !order.contains(k) {
                    order.push(*k);
                }
            }
            for kind in order.into_iter().filter(|k| objects.iter().any(|o| o.kind() == *k)) {
                let group: Vec<&Object> = objects.iter().filter(|o| o.kind() == kind).collect();
                if !first {
                    out.text.push('\n');
                }
                first = false;
                out.text.push_str(&kind_table(c, kind, &group, multi, all_ns, wide, flags.flag("show-labels"), flags.flag("no-headers")));
            }
            if flags.flag("watch") {
                watch(c, flags, &targets, selector.as_deref(), ns, all_ns, wide, out);
            }
        }
        other => out.err(format!("error: unable to match a printer suitable for the output format \"{other}\", allowed formats are: json,name,wide,yaml")),
    }
    for m in missing {
        out.err(m);
    }
}

/// An object a watch follows: (kind, namespace, name).
type WatchKey = (Kind, String, String);

/// `kubectl get -w`: after the table, a row each time an object's printed row changes, while
/// virtual time runs. A script has no Ctrl-C, so the watch ends after `--request-timeout`
/// (default 60s) of virtual time; the page's terminal runs it live instead ([`live_start`])
/// and stops it with Ctrl-C.
#[allow(clippy::too_many_arguments)]
fn watch(
    c: &mut Cluster,
    flags: &Flags,
    targets: &[(Kind, Option<String>)],
    selector: Option<&[crate::store::Requirement]>,
    ns: &str,
    all_ns: bool,
    wide: bool,
    out: &mut Out,
) {
    let limit =
        flags.value("request-timeout").and_then(|t| parse_duration_ms(t).ok()).filter(|t| *t > 0).unwrap_or(60_000);
    let until = c.now().plus_ms(limit);
    let mut last = watch_rows(c, targets, selector, ns, all_ns, wide);
    while let Some(t) = c.queue.next_time() {
        if t > until {
            break;
        }
        c.step();
        out.text.push_str(&watch_changes(c, &mut last, targets, selector, ns, all_ns, wide));
    }
    c.advance(until.since(c.now()));
}

/// The rows a watch follows, by object: (resourceVersion, printed row).
type WatchRows = BTreeMap<WatchKey, (String, String)>;

fn watch_rows(
    c: &Cluster,
    targets: &[(Kind, Option<String>)],
    selector: Option<&[crate::store::Requirement]>,
    ns: &str,
    all_ns: bool,
    wide: bool,
) -> WatchRows {
    let mut v = BTreeMap::new();
    for (kind, name) in targets {
        let scope = if kind.namespaced() && !all_ns { Some(ns) } else { None };
        for o in c.store().list(*kind, scope) {
            if name.as_ref().is_some_and(|n| n != o.name()) {
                continue;
            }
            if let Some(req) = selector
                && !requirements_match(req, &o.meta().labels.clone().unwrap_or_default())
            {
                continue;
            }
            let table = kind_table(c, *kind, &[o], false, all_ns, wide, false, false);
            let row = table.lines().nth(1).unwrap_or("").to_string();
            let rv = o.meta().resource_version.clone().unwrap_or_default();
            v.insert((*kind, o.namespace().to_string(), o.name().to_string()), (rv, row));
        }
    }
    v
}

/// A row for each object that changed (a new resourceVersion, as watch events come) or went
/// away since `last`, which is updated.
#[allow(clippy::too_many_arguments)]
fn watch_changes(
    c: &Cluster,
    last: &mut WatchRows,
    targets: &[(Kind, Option<String>)],
    selector: Option<&[crate::store::Requirement]>,
    ns: &str,
    all_ns: bool,
    wide: bool,
) -> String {
    let now = watch_rows(c, targets, selector, ns, all_ns, wide);
    let mut out = String::new();
    for (k, (rv, row)) in &now {
        if last.get(k).map(|l| &l.0) != Some(rv) {
            out.push_str(row);
            out.push('\n');
        }
    }
    for (k, (_, row)) in last.iter() {
        if !now.contains_key(k) {
            out.push_str(row);
            out.push('\n');
        }
    }
    *last = now;
    out
}

/// A command that follows the cluster until the learner stops it, as a terminal runs
/// `kubectl get -w` and `kubectl rollout status`: the page starts one with [`live_start`] and
/// polls it as virtual time plays, until it finishes or Ctrl-C. (A script has no Ctrl-C: there
/// the same commands run to `--request-timeout` / completion at once.)
#[derive(Clone, Debug)]
pub struct Live {
    kind: LiveKind,
}

#[derive(Clone, Debug)]
enum LiveKind {
    Watch {
        targets: Vec<(Kind, Option<String>)>,
        selector: Option<Vec<crate::store::Requirement>>,
        ns: String,
        all_ns: bool,
        wide: bool,
        last: WatchRows,
    },
    Rollout {
        ns: String,
        name: String,
        last: String,
    },
}

/// Starts `line` as a live command if it is one (`kubectl get ... -w` without
/// `--request-timeout`, `kubectl rollout status` without `--timeout`, on a rollout still in
/// progress): what it prints at once, and the command to poll. `None` for any other line.
pub fn live_start(c: &mut Cluster, line: &str, ws: &Workspace) -> Option<(CommandResult, Live)> {
    let cmds = script::parse(line).ok()?;
    let [cmd] = cmds.as_slice() else { return None };
    if !cmd.pipeline.is_empty() || cmd.stdin.is_some() || !matches!(cmd.words[0].as_str(), "kubectl" | "k") {
        return None;
    }
    let flags = parse_flags(&cmd.words[1..]).ok()?;
    let context = flags.value("context").map(str::to_string).unwrap_or_else(|| c.kubeconfig.current.clone());
    if context != c.kubeconfig.reachable {
        return None;
    }
    let ns = flags.value("namespace").unwrap_or("default").to_string();
    match flags.args.first().map(String::as_str) {
        Some("get") if flags.flag("watch") && flags.value("request-timeout").is_none() => {
            if !matches!(flags.value("output").unwrap_or(""), "" | "wide") {
                return None;
            }
            let targets = targets(&flags.args[1..]).ok()?;
            let selector = match flags.value("selector").map(parse_label_selector) {
                Some(Ok(r)) => Some(r),
                Some(Err(_)) => return None,
                None => None,
            };
            // The table as kubectl first prints it: the same command without the watch.
            let once: String = cmd
                .words
                .iter()
                .filter(|w| *w != "-w" && *w != "--watch")
                .map(|w| if w.contains(char::is_whitespace) { format!("'{w}'") } else { w.clone() })
                .collect::<Vec<_>>()
                .join(" ");
            let mut first = run_script(c, &once, ws).pop()?;
            first.command = cmd.text.clone();
            let (all_ns, wide) = (flags.flag("all-namespaces"), flags.value("output") == Some("wide"));
            let last = watch_rows(c, &targets, selector.as_deref(), &ns, all_ns, wide);
            Some((first, Live { kind: LiveKind::Watch { targets, selector, ns, all_ns, wide, last } }))
        }
        Some("rollout")
            if flags.args.get(1).map(String::as_str) == Some("status") && flags.value("timeout").is_none() =>
        {
            let (kind, name) = one_target(&flags.args, 2).ok()?;
            let Some(Object::Deployment(d)) = c.store().get(kind, &ns, &name) else { return None };
            let (msg, done, error) = deployment_status_message(d);
            if done || error || kind != Kind::Deployment {
                return None;
            }
            let first =
                CommandResult { command: cmd.text.clone(), output: format!("{msg}\n"), ok: true, diagnostics: vec![] };
            Some((first, Live { kind: LiveKind::Rollout { ns, name, last: msg } }))
        }
        _ => None,
    }
}

impl Live {
    /// What the command prints since the last poll, and whether it has finished.
    pub fn poll(&mut self, c: &Cluster) -> (String, bool) {
        match &mut self.kind {
            LiveKind::Watch { targets, selector, ns, all_ns, wide, last } => {
                (watch_changes(c, last, targets, selector.as_deref(), ns, *all_ns, *wide), false)
            }
            LiveKind::Rollout { ns, name, last } => {
                let Some(Object::Deployment(d)) = c.store().get(Kind::Deployment, ns, name) else {
                    return ("error: object has been deleted\n".into(), true);
                };
                let (msg, done, error) = deployment_status_message(d);
                if error {
                    return (format!("error: {msg}\n"), true);
                }
                let out = if msg != *last { format!("{msg}\n") } else { String::new() };
                *last = msg;
                (out, done)
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn kind_table(
    c: &Cluster,
    kind: Kind,
    objs: &[&Object],
    prefixed: bool,
    all_ns: bool,
    wide: bool,
    show_labels: bool,
    no_headers: bool,
) -> String {
    let now = c.now();
    let mut header = match kind {
        Kind::Pod => printers::pod_header(wide),
        Kind::Deployment => printers::deployment_header(wide),
        Kind::ReplicaSet => printers::replicaset_header(wide),
        Kind::Node => printers::node_header(wide),
        Kind::Service => printers::service_header(wide),
        Kind::StorageClass | Kind::PersistentVolume | Kind::PersistentVolumeClaim => printers::storage_header(kind),
        Kind::Endpoints | Kind::EndpointSlice => printers::endpoints_header(kind),
        Kind::HorizontalPodAutoscaler => printers::hpa_header(),
        Kind::Ingress => printers::ingress_header(),
        _ => printers::simple_header(objs[0]),
    };
    if all_ns && kind.namespaced() {
        header.insert(0, "NAMESPACE".into());
    }
    if show_labels {
        header.push("LABELS".into());
    }
    let mut rows = if no_headers { vec![] } else { vec![header] };
    for o in objs {
        let mut cells = match o {
            Object::Pod(p) => printers::pod_cells(p, now, wide),
            Object::Deployment(d) => printers::deployment_cells(d, now, wide),
            Object::ReplicaSet(r) => printers::replicaset_cells(r, now, wide),
            Object::Node(n) => {
                let idx = c.kubelet.nodes.get(o.name()).map_or(0, |n| n.index);
                printers::node_cells(n, now, wide, &format!("172.18.0.{}", idx + 1))
            }
            Object::Service(s) => printers::service_cells(s, now, wide),
            Object::StorageClass(_) | Object::PersistentVolume(_) | Object::PersistentVolumeClaim(_) => {
                printers::storage_cells(o, now)
            }
            Object::Endpoints(_) | Object::EndpointSlice(_) => printers::endpoints_cells(o, now),
            Object::HorizontalPodAutoscaler(h) => printers::hpa_cells(h, now),
            Object::Ingress(i) => printers::ingress_cells(i, now),
            other => printers::simple_cells(other, now),
        };
        let mut name = if prefixed { format!("{}/{}", kind.resource(), o.name()) } else { o.name().to_string() };
        if kind == Kind::StorageClass
            && o.meta()
                .annotations
                .as_ref()
                .and_then(|a| a.get(crate::controllers::volumes::DEFAULT_CLASS_ANNOTATION))
                .is_some_and(|v| v == "true")
        {
            name.push_str(" (default)");
        }
        cells.insert(0, name);
        if all_ns && kind.namespaced() {
            cells.insert(0, o.namespace().to_string());
        }
        if show_labels {
            let l: Vec<String> = o.meta().labels.iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
            cells.push(if l.is_empty() { "<none>".into() } else { l.join(",") });
        }
        rows.push(cells);
    }
    printers::table(&rows)
}

fn delete(c: &mut Cluster, flags: &Flags, ns: &str, stdin: Option<&str>, ws: &Workspace, out: &mut Out) {
    let mut doomed: Vec<(Kind, String, String)> = Vec::new();
    let mut stopped: Vec<crate::api::ManifestError> = Vec::new();
    if flags.value("filename").is_some() {
        let mut unreadable = Vec::new();
        let sources = match read_sources(flags, stdin, ws, &mut unreadable) {
            Ok(s) => s,
            Err(e) => return out.err(e),
        };
        if let Some(e) = unreadable.into_iter().next() {
            out.diags.push(e.diagnostic);
            return out.err(e.output);
        }
        for (file, text) in sources {
            let read = crate::api::read_manifests(&file, &text);
            for m in read.docs.into_iter().flatten() {
                let mns = if m.kind.namespaced() {
                    m.namespace.clone().unwrap_or_else(|| ns.to_string())
                } else {
                    String::new()
                };
                doomed.push((m.kind, mns, m.name));
            }
            // The documents before a broken one are deleted; the error comes after them
            // (kubectl's delete visits the file with ContinueOnError, then returns the errors).
            stopped.extend(read.stopped);
        }
    } else {
        let t = match targets(&flags.args[1..]) {
            Ok(t) => t,
            Err(_) if flags.args.len() < 2 => {
                return out.err("error: You must provide one or more resources by argument or filename.");
            }
            Err(e) => return out.err(e),
        };
        for (kind, name) in t {
            let kns = if kind.namespaced() { ns.to_string() } else { String::new() };
            match name {
                Some(n) => doomed.push((kind, kns, n)),
                None if flags.flag("all") || flags.value("selector").is_some() => {
                    let req = flags
                        .value("selector")
                        .map(parse_label_selector)
                        .transpose()
                        .unwrap_or(None)
                        .unwrap_or_default();
                    for o in c.store().list(kind, kind.namespaced().then_some(ns)) {
                        if requirements_match(&req, &o.meta().labels.clone().unwrap_or_default()) {
                            doomed.push((kind, kns.clone(), o.name().to_string()));
                        }
                    }
                }
                None => {
                    return out.err("error: resource(s) were provided, but no name was specified");
                }
            }
        }
    }
    let grace: Option<i64> = flags.value("grace-period").and_then(|g| g.parse().ok()).filter(|g| *g >= 0);
    let force = flags.flag("force");
    if force && grace == Some(0) {
        out.line("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.");
    }
    let orphan = flags.value("cascade") == Some("orphan");
    let mut waiting = Vec::new();
    for (kind, kns, name) in doomed {
        let Some(obj) = c.store().get(kind, &kns, &name).cloned() else {
            out.err(format!("Error from server (NotFound): {} \"{name}\" not found", kind.plural()));
            continue;
        };
        if orphan && let Some(uid) = obj.meta().uid.clone() {
            c.orphan_dependents(&uid);
        }
        c.delete_object(kind, &kns, &name, if force && grace == Some(0) { Some(0) } else { grace });
        if force && grace == Some(0) {
            out.line(format!("{} \"{name}\" force deleted", kind.resource()));
        } else {
            out.line(format!("{} \"{name}\" deleted", kind.resource()));
            waiting.push((kind, kns, name));
        }
    }
    if !stopped.is_empty() {
        // kubectl returns the errors before it would wait.
        for e in stopped {
            out.diags.push(e.diagnostic);
            out.err(e.output);
        }
        return;
    }
    // kubectl waits for the objects to be gone unless --wait=false.
    if flags.value("wait") != Some("false") {
        let deadline = c.now().plus_ms(WAIT_LIMIT_MS);
        while waiting.iter().any(|(k, n, m)| c.store().contains(*k, n, m)) && c.now() < deadline {
            if !c.step() {
                break;
            }
        }
    }
}

/// `POD`, `pod/POD` or `TYPE/NAME` of a controller (kubectl picks one of its pods).
fn resolve_pod(c: &Cluster, ns: &str, target: &str, out: Option<&mut Out>) -> Result<String, String> {
    Ok(match target.split_once('/') {
        Some((t, n)) if Kind::from_arg(t) == Some(Kind::Pod) => n.to_string(),
        Some((t, n)) => {
            let Some(kind) = Kind::from_arg(t) else {
                return Err(format!("error: the server doesn't have a resource type \"{t}\""));
            };
            let Some(owner) = c.store().get(kind, ns, n).cloned() else {
                return Err(format!("Error from server (NotFound): {} \"{n}\" not found", kind.plural()));
            };
            // A controller: kubectl picks one of its pods.
            let labels = match &owner {
                Object::Deployment(d) => d.spec.as_ref().and_then(|s| s.selector.match_labels.clone()),
                Object::ReplicaSet(r) => r.spec.as_ref().and_then(|s| s.selector.match_labels.clone()),
                _ => None,
            }
            .unwrap_or_default();
            let pods: Vec<String> = c
                .store()
                .list(Kind::Pod, Some(ns))
                .filter(|o| labels.iter().all(|(k, v)| o.meta().labels.as_ref().and_then(|l| l.get(k)) == Some(v)))
                .map(|o| o.name().to_string())
                .collect();
            let Some(first) = pods.first().cloned() else {
                return Err("error: timed out waiting for the condition".into());
            };
            if let Some(out) = out.filter(|_| pods.len() > 1) {
                out.line(format!("Found {} pods, using pod/{first}", pods.len()));
            }
            first
        }
        None => target.to_string(),
    })
}

/// `kubectl exec POD [-c C] -- COMMAND...`.
fn exec_cmd(c: &mut Cluster, flags: &Flags, ns: &str, command: &[String], out: &mut Out) {
    let Some(target) = flags.args.get(1) else {
        return out.err("error: expected 'exec (POD | TYPE/NAME) COMMAND [ARG1] [ARG2] ... [ARGN]'.\nPOD or TYPE/NAME is a required argument for the exec command");
    };
    if command.is_empty() {
        return out.err("error: you must specify at least one command for the container");
    }
    let pod_name = match resolve_pod(c, ns, target, None) {
        Ok(p) => p,
        Err(e) => return out.err(e),
    };
    let Some(Object::Pod(pod)) = c.store().get(Kind::Pod, ns, &pod_name).cloned() else {
        return out.err(format!("Error from server (NotFound): pods \"{pod_name}\" not found"));
    };
    let spec = pod.spec.clone().unwrap_or_default();
    let cname = flags
        .value("container")
        .map(str::to_string)
        .unwrap_or_else(|| spec.containers.first().map(|c| c.name.clone()).unwrap_or_default());
    let Some(container) =
        spec.containers.iter().chain(spec.init_containers.iter().flatten()).find(|x| x.name == cname).cloned()
    else {
        return out.err(format!("error: unable to upgrade connection: container {cname} not found in pod {pod_name}"));
    };
    if !c.exec_target(ns, &pod_name, &cname).is_some_and(|t| t.running) {
        return out.err(format!("error: unable to upgrade connection: container not found (\"{cname}\")"));
    }
    let (text, code) = exec::exec(c, &pod, &container, command);
    out.text.push_str(&text);
    if code > 0 {
        out.err(format!("command terminated with exit code {code}"));
    } else if code < 0 {
        out.ok = false;
    }
}

/// `kubectl top pods|nodes`: usage from the behaviour profiles, as metrics-server reports it
/// (a pod appears once it has run for a 15 s scrape).
fn top(c: &mut Cluster, flags: &Flags, ns: &str, out: &mut Out) {
    let all_ns = flags.flag("all-namespaces");
    match flags.args.get(1).map(String::as_str) {
        Some("pod" | "pods" | "po") => {
            let name = flags.args.get(2);
            let selector = match flags.value("selector").map(parse_label_selector) {
                Some(Ok(r)) => Some(r),
                Some(Err(e)) => return out.err(format!("error: {e}")),
                None => None,
            };
            let pods: Vec<(String, String)> = c
                .store()
                .list(Kind::Pod, if all_ns { None } else { Some(ns) })
                .filter(|o| name.is_none_or(|n| n == o.name()))
                .filter(|o| {
                    selector
                        .as_ref()
                        .is_none_or(|r| requirements_match(r, &o.meta().labels.clone().unwrap_or_default()))
                })
                .map(|o| (o.namespace().to_string(), o.name().to_string()))
                .collect();
            let mut rows = vec![];
            for (pns, pn) in &pods {
                if let Some((cpu, mem)) = c.pod_usage(pns, pn) {
                    let mut row = vec![pn.clone(), format!("{cpu}m"), format!("{}Mi", mem / (1024 * 1024))];
                    if all_ns {
                        row.insert(0, pns.clone());
                    }
                    rows.push(row);
                }
            }
            if rows.is_empty() {
                return out.err("error: metrics not available yet");
            }
            let mut header = vec!["NAME".to_string(), "CPU(cores)".into(), "MEMORY(bytes)".into()];
            if all_ns {
                header.insert(0, "NAMESPACE".into());
            }
            rows.insert(0, header);
            out.line(printers::table(&rows).trim_end());
        }
        Some("node" | "nodes" | "no") => {
            let mut rows = vec![vec![
                "NAME".to_string(),
                "CPU(cores)".into(),
                "CPU(%)".into(),
                "MEMORY(bytes)".into(),
                "MEMORY(%)".into(),
            ]];
            let nodes: Vec<(String, crate::controllers::scheduler::Resources)> = c
                .store()
                .list(Kind::Node, None)
                .filter_map(|o| match o {
                    Object::Node(n) => Some((o.name().to_string(), crate::controllers::scheduler::node_allocatable(n))),
                    _ => None,
                })
                .collect();
            for (node, alloc) in nodes {
                // The node's own daemons (kubelet, containerd, kube-proxy) use some too.
                let (mut cpu, mut mem) = (80i64, 600 * 1024 * 1024i64);
                let pods: Vec<(String, String)> = c
                    .store()
                    .list(Kind::Pod, None)
                    .filter(|o| matches!(o, Object::Pod(p) if p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node.as_str())))
                    .map(|o| (o.namespace().to_string(), o.name().to_string()))
                    .collect();
                for (pns, pn) in pods {
                    if let Some((pc, pm)) = c.pod_usage(&pns, &pn) {
                        cpu += pc;
                        mem += pm;
                    }
                }
                let pct = |v: i64, a: i64| if a == 0 { 0 } else { v * 100 / a };
                rows.push(vec![
                    node.clone(),
                    format!("{cpu}m"),
                    format!("{}%", pct(cpu, alloc.cpu_milli)),
                    format!("{}Mi", mem / (1024 * 1024)),
                    format!("{}%", pct(mem, alloc.memory)),
                ]);
            }
            out.line(printers::table(&rows).trim_end());
        }
        _ => out.err("error: kubeplay supports kubectl top pods and kubectl top nodes"),
    }
}

/// `kubectl logs POD|TYPE/NAME [-c C] [-p] [--tail N] [--timestamps]`: the container's log
/// lines as its behaviour profile wrote them, stamped in virtual time.
fn logs(c: &mut Cluster, flags: &Flags, ns: &str, out: &mut Out) {
    // `-f` is `--filename` elsewhere; for logs it means follow, and its value is the pod.
    let target = flags.args.get(1).cloned().or_else(|| flags.value("filename").map(str::to_string));
    let Some(target) = target.as_ref() else {
        return out.err("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.");
    };
    let pod_name = match resolve_pod(c, ns, target, Some(out)) {
        Ok(p) => p,
        Err(e) => return out.err(e),
    };
    let Some(Object::Pod(pod)) = c.store().get(Kind::Pod, ns, &pod_name).cloned() else {
        return out.err(format!("Error from server (NotFound): pods \"{pod_name}\" not found"));
    };
    let containers: Vec<String> = pod.spec.iter().flat_map(|s| s.containers.iter()).map(|c| c.name.clone()).collect();
    let init_names: Vec<String> =
        pod.spec.iter().flat_map(|s| s.init_containers.iter().flatten()).map(|c| c.name.clone()).collect();
    let container = flags.value("container").map(str::to_string);
    if container.is_none() && containers.len() > 1 {
        return out.err(format!(
            "error: a container name must be specified for pod {pod_name}, choose one of: [{}]",
            containers.join(" ")
        ));
    }
    let cname = container.clone().unwrap_or_else(|| containers.first().cloned().unwrap_or_default());
    if !containers.contains(&cname) && !init_names.contains(&cname) {
        return out.err(format!("error: container {cname} is not valid for pod {pod_name}"));
    }
    let previous = flags.flag("previous");
    let Some(rt) = c.pod_runtime(ns, &pod_name) else {
        let reason = pod_waiting_reason(&pod).unwrap_or_else(|| "ContainerCreating".into());
        return out.err(format!(
            "Error from server (BadRequest): container \"{cname}\" in pod \"{pod_name}\" is waiting to start: {}",
            reason_text(&reason)
        ));
    };
    let lines = match crate::kubelet::runtime::logs(rt, Some(&cname), previous) {
        Ok(l) => l,
        Err(e) => return out.err(format!("error: {e}")),
    };
    if previous && lines.is_empty() {
        return out.err(format!(
            "Error from server (BadRequest): previous terminated container \"{cname}\" in pod \"{pod_name}\" not found"
        ));
    }
    if !previous
        && lines.is_empty()
        && let Some(reason) = pod_waiting_reason(&pod)
    {
        return out.err(format!(
            "Error from server (BadRequest): container \"{cname}\" in pod \"{pod_name}\" is waiting to start: {}",
            reason_text(&reason)
        ));
    }
    let tail: Option<usize> = flags.value("tail").and_then(|t| t.parse().ok());
    let skip = tail.map_or(0, |t| lines.len().saturating_sub(t));
    let stamps = flags.flag("timestamps");
    let print = |out: &mut Out, t: u64, l: &str| {
        if stamps {
            out.line(format!("{} {l}", crate::time::SimTime(t).rfc3339()));
        } else {
            out.line(l);
        }
    };
    for (t, l) in lines.iter().skip(skip) {
        print(out, *t, l);
    }
    // -f: follow while virtual time runs, until the container stops or --request-timeout
    // (default 60s) passes; a script has no Ctrl-C.
    let follow = flags.flag("follow") || flags.value("filename").is_some();
    if follow && !previous {
        let limit =
            flags.value("request-timeout").and_then(|t| parse_duration_ms(t).ok()).filter(|t| *t > 0).unwrap_or(60_000);
        let until = c.now().plus_ms(limit);
        let mut printed = lines.len();
        let instance = c.exec_target(ns, &pod_name, &cname).map(|t| t.container_id).unwrap_or_default();
        let mut stopped = false;
        while c.queue.next_time().is_some_and(|t| t <= until) {
            c.step();
            let Some(target) = c.exec_target(ns, &pod_name, &cname) else {
                stopped = true;
                break;
            };
            if target.container_id != instance || !target.running {
                stopped = true;
                break;
            }
            let Some(rt) = c.pod_runtime(ns, &pod_name) else { break };
            let now_lines = crate::kubelet::runtime::logs(rt, Some(&cname), false).unwrap_or_default();
            for (t, l) in now_lines.iter().skip(printed) {
                print(out, *t, l);
            }
            printed = now_lines.len();
        }
        if !stopped && c.now() < until {
            c.advance(until.since(c.now()));
        }
    }
}

fn pod_waiting_reason(p: &crate::api::Pod) -> Option<String> {
    p.status.as_ref()?.container_statuses.as_ref()?.first()?.state.as_ref()?.waiting.as_ref()?.reason.clone()
}

/// How `kubectl logs` words a waiting container.
fn reason_text(reason: &str) -> String {
    match reason {
        "ContainerCreating" => "ContainerCreating".into(),
        "ImagePullBackOff" | "ErrImagePull" => "trying and failing to pull image".to_string(),
        other => other.to_string(),
    }
}

/// `traffic start TARGET --rps N [--duration D]`, `traffic stop TARGET`,
/// `traffic stats TARGET [--window D] [-o json]`: load against a URL (a NodePort, a
/// LoadBalancer address or a Service name), each request routed by kube-proxy.
fn traffic(c: &mut Cluster, args: &[String], out: &mut Out) {
    let get = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map(String::as_str);
    let sub = args.first().map(String::as_str);
    let Some(target) = args.get(1).cloned() else {
        return out.err("kubeplay: traffic start|stop|stats TARGET");
    };
    match sub {
        Some("start") => {
            let rps = get("--rps").and_then(|r| r.parse::<u32>().ok()).unwrap_or(10).clamp(1, 100_000);
            let duration = match get("--duration").map(parse_duration_ms) {
                Some(Ok(d)) => Some(d),
                Some(Err(e)) => return out.err(format!("kubeplay: --duration: {e}")),
                None => None,
            };
            c.traffic_start(&target, rps, duration);
            out.line(format!(
                "traffic to {target}: {rps} requests/s{}",
                duration.map_or(String::new(), |d| format!(" for {}", crate::time::go_duration(d)))
            ));
        }
        Some("stop") => {
            if c.traffic_stop(&target) {
                out.line(format!("traffic to {target} stopped"));
            } else {
                out.err(format!("kubeplay: no traffic to {target}"));
            }
        }
        Some("stats") => {
            let window = get("--window").and_then(|w| parse_duration_ms(w).ok());
            let stats = c.traffic_stats(&target, window);
            if get("-o") == Some("json") {
                return out.line(serde_json::to_string_pretty(&stats).unwrap_or_default());
            }
            let o = |k: &str| stats.outcomes.get(k).copied().unwrap_or(0).to_string();
            let avg = stats.latency_ms_sum.checked_div(stats.requests).unwrap_or(0);
            let rows = vec![
                vec![
                    "REQUESTS".to_string(),
                    "2XX".into(),
                    "4XX".into(),
                    "5XX".into(),
                    "REFUSED".into(),
                    "TIMEOUT".into(),
                    "AVG LATENCY".into(),
                    "MAX LATENCY".into(),
                ],
                vec![
                    stats.requests.to_string(),
                    o("2xx"),
                    o("4xx"),
                    o("5xx"),
                    o("refused"),
                    o("timeout"),
                    format!("{avg}ms"),
                    format!("{}ms", stats.latency_ms_max),
                ],
            ];
            out.line(printers::table(&rows).trim_end());
            if !stats.per_pod.is_empty() {
                let mut prow = vec![vec!["POD".to_string(), "REQUESTS".into()]];
                for (p, n) in stats.per_pod.sorted() {
                    prow.push(vec![p.to_string(), n.to_string()]);
                }
                out.line(format!("\n{}", printers::table(&prow).trim_end()));
            }
        }
        Some("log") => {
            let tail: usize = get("--tail").and_then(|t| t.parse().ok()).unwrap_or(10);
            let recs: Vec<&crate::network::RequestRecord> =
                c.recent_requests().filter(|r| r.target == target).collect();
            let mut rows = vec![["TIME", "CLIENT", "ENDPOINT", "POD", "OUTCOME", "LATENCY"].map(String::from).to_vec()];
            for r in recs.iter().skip(recs.len().saturating_sub(tail)) {
                rows.push(vec![
                    crate::time::SimTime(r.time_ms).clock(),
                    r.client.to_string(),
                    r.endpoint.as_deref().unwrap_or("<none>").to_string(),
                    r.pod.as_deref().unwrap_or("<none>").to_string(),
                    r.outcome.label().to_string(),
                    format!("{}ms", r.latency_ms),
                ]);
            }
            out.line(printers::table(&rows).trim_end());
        }
        _ => out.err("kubeplay: traffic start|stop|stats|log TARGET"),
    }
}

/// `profile apply -f FILE` loads BehaviourProfile documents (docs/profiles.md); `profile list`
/// shows the profiles in use.
fn profile(c: &mut Cluster, args: &[String], stdin: Option<&str>, ws: &Workspace, out: &mut Out) {
    match args.first().map(String::as_str) {
        Some("apply") => {
            let flags = match parse_flags(&args[1..]) {
                Ok(f) => f,
                Err(e) => return out.err(e),
            };
            let mut unreadable = Vec::new();
            let sources = match read_sources(&flags, stdin, ws, &mut unreadable) {
                Ok(s) => s,
                Err(e) => return out.err(e),
            };
            for e in unreadable {
                out.diags.push(e.diagnostic);
                out.err(e.output);
            }
            for (file, text) in sources {
                match crate::images::parse_profiles(&file, &text) {
                    Ok(profiles) => {
                        for (name, p) in profiles {
                            let word =
                                if c.kubelet.custom_profiles().contains_key(&name) { "configured" } else { "created" };
                            c.kubelet.set_custom_profile(name.clone(), p);
                            out.line(format!("behaviourprofile.kubeplay.dev/{name} {word}"));
                        }
                    }
                    Err(d) => {
                        out.err(format!("error: {d}"));
                        out.diags.push(d);
                    }
                }
            }
        }
        Some("list") => {
            let mut rows =
                vec![vec!["IMAGE".to_string(), "PORT".into(), "LISTEN".into(), "WARMUP".into(), "SOURCE".into()]];
            for (name, p) in c.kubelet.custom_profiles() {
                rows.push(vec![
                    name.clone(),
                    p.port.map_or("<none>".into(), |p| p.to_string()),
                    crate::time::go_duration(p.listen_ms),
                    crate::time::go_duration(p.warmup_ms),
                    "workspace".into(),
                ]);
            }
            for b in ["nginx", "postgres", "redis", "wallet-server", "busybox", "polinux/stress"] {
                let p = crate::images::builtin(b, "latest");
                rows.push(vec![
                    b.to_string(),
                    p.port.map_or("<none>".into(), |p| p.to_string()),
                    crate::time::go_duration(p.listen_ms),
                    crate::time::go_duration(p.warmup_ms),
                    "built-in".into(),
                ]);
            }
            out.line(printers::table(&rows).trim_end());
        }
        _ => out.err("kubeplay: profile apply -f FILE | profile list"),
    }
}

/// `docker build -t NAME[:TAG] PATH`, `docker tag SRC DST`, `docker images`: the local image
/// store of a docker-desktop cluster, whose node sees every local image.
fn docker(c: &mut Cluster, args: &[String], out: &mut Out) {
    let tagged = |s: &str| crate::kubelet::with_tag(s.trim_start_matches("docker.io/library/"));
    match args.first().map(String::as_str) {
        Some("build") => {
            let tag = args.iter().position(|a| a == "-t" || a == "--tag").and_then(|i| args.get(i + 1)).cloned();
            let Some(tag) = tag else {
                return out.err(
                    "ERROR: kubeplay's docker build needs -t NAME[:TAG] (an untagged image could not be used by a pod)",
                );
            };
            if !args.iter().skip(1).any(|a| !a.starts_with('-') && Some(a) != Some(&tag)) {
                return out.err("ERROR: \"docker buildx build\" requires exactly 1 argument.");
            }
            let name = tagged(&tag);
            let repo = crate::kubelet::repository(&name);
            let id = format!("{:012x}", c.rng_names.next_u64() & 0xffff_ffff_ffff);
            let now = c.now().ms();
            c.kubelet.add_local_image(
                name.clone(),
                crate::kubelet::LocalImage { id: id.clone(), created_ms: now, size: 41_200_000, profile_repo: repo },
            );
            out.line(format!(
                "[+] Building 8.0s (12/12) FINISHED\n => exporting to image\n => => writing image sha256:{id}\n => => naming to docker.io/library/{name}"
            ));
            // A build takes a few seconds of (virtual) wall time.
            c.advance(8_000);
        }
        Some("tag") => {
            let (Some(src), Some(dst)) = (args.get(1), args.get(2)) else {
                return out.err("\"docker tag\" requires exactly 2 arguments.");
            };
            let Some(img) = c.kubelet.local_images().get(&tagged(src)).cloned() else {
                return out.err(format!("Error response from daemon: No such image: {}", tagged(src)));
            };
            c.kubelet.add_local_image(tagged(dst), img);
        }
        Some("images") | Some("image")
            if args.first().map(String::as_str) == Some("images") || args.get(1).map(String::as_str) == Some("ls") =>
        {
            let mut rows =
                vec![vec!["REPOSITORY".to_string(), "TAG".into(), "IMAGE ID".into(), "CREATED".into(), "SIZE".into()]];
            let mut imgs: Vec<(&String, &crate::kubelet::LocalImage)> = c.kubelet.local_images().iter().collect();
            crate::sort::sort_by(&mut imgs, |a, b| b.1.created_ms.cmp(&a.1.created_ms).then(a.0.cmp(b.0)));
            for (name, img) in imgs {
                let (repo, tag) = name.rsplit_once(':').unwrap_or((name, "latest"));
                let ago = crate::time::human_duration(i128::from(c.now().ms()) - i128::from(img.created_ms));
                rows.push(vec![
                    repo.into(),
                    tag.into(),
                    img.id.clone(),
                    format!("{ago} ago"),
                    format!("{:.1}MB", img.size as f64 / 1e6),
                ]);
            }
            out.line(printers::table(&rows).trim_end());
        }
        Some(other) => {
            out.err(format!("docker: '{other}' is not a docker command kubeplay simulates (build, tag, images)."))
        }
        None => out.err("Usage:  docker [OPTIONS] COMMAND"),
    }
}

/// Resolves `TYPE NAME` or `TYPE/NAME` from positional args starting at `i`.
fn one_target(args: &[String], i: usize) -> Result<(Kind, String), String> {
    let a = args.get(i).ok_or("error: you must specify the type of resource")?;
    if let Some((t, n)) = a.split_once('/') {
        return Ok((
            Kind::from_arg(t).ok_or_else(|| format!("error: the server doesn't have a resource type \"{t}\""))?,
            n.to_string(),
        ));
    }
    let k = Kind::from_arg(a).ok_or_else(|| format!("error: the server doesn't have a resource type \"{a}\""))?;
    let n = args.get(i + 1).ok_or("error: resource(s) were provided, but no name was specified")?;
    Ok((k, n.clone()))
}

fn scale(c: &mut Cluster, flags: &Flags, ns: &str, out: &mut Out) {
    let (kind, name) = match one_target(&flags.args, 1) {
        Ok(t) => t,
        Err(e) => return out.err(e),
    };
    let Some(r) = flags.value("replicas").and_then(|r| r.parse::<i32>().ok()) else {
        return out.err("error: required flag(s) \"replicas\" not set");
    };
    if r < 0 {
        return out.err("error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0");
    }
    let Some(mut obj) = c.store().get(kind, ns, &name).cloned() else {
        return out.err(format!("Error from server (NotFound): {} \"{name}\" not found", kind.plural()));
    };
    match &mut obj {
        Object::Deployment(d) => d.spec.get_or_insert_with(Default::default).replicas = Some(r),
        Object::ReplicaSet(rs) => rs.spec.get_or_insert_with(Default::default).replicas = Some(r),
        _ => return out.err(format!("error: cannot scale {}", kind.plural())),
    }
    let g = obj.meta().generation.unwrap_or(1);
    obj.meta_mut().generation = Some(g + 1);
    c.store.update(obj);
    c.changed(kind);
    out.line(format!("{}/{name} scaled", kind.resource()));
}

fn set_image(c: &mut Cluster, flags: &Flags, ns: &str, out: &mut Out) {
    if flags.args.get(1).map(String::as_str) != Some("image") {
        return out.err("error: kubeplay supports `kubectl set image` only");
    }
    let (kind, name) = match one_target(&flags.args, 2) {
        Ok(t) => t,
        Err(e) => return out.err(e),
    };
    let start = if flags.args[2].contains('/') { 3 } else { 4 };
    let pairs: Vec<(String, String)> = flags.args[start.min(flags.args.len())..]
        .iter()
        .filter_map(|a| a.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect();
    if pairs.is_empty() {
        return out.err("error: at least one image update is required");
    }
    let Some(mut obj) = c.store().get(kind, ns, &name).cloned() else {
        return out.err(format!("Error from server (NotFound): {} \"{name}\" not found", kind.plural()));
    };
    let spec = match &mut obj {
        Object::Deployment(d) => d.spec.as_mut().and_then(|s| s.template.spec.as_mut()),
        Object::ReplicaSet(rs) => rs.spec.as_mut().and_then(|s| s.template.as_mut()).and_then(|t| t.spec.as_mut()),
        Object::Pod(p) => p.spec.as_mut().map(std::rc::Rc::make_mut),
        _ => None,
    };
    let Some(spec) = spec else {
        return out.err(format!("error: cannot set image on {}", kind.plural()));
    };
    let mut changed = false;
    for (cname, image) in &pairs {
        let mut found = false;
        for ct in spec.containers.iter_mut().chain(spec.init_containers.iter_mut().flatten()) {
            if ct.name == *cname || cname == "*" {
                found = true;
                if ct.image.as_deref() != Some(image) {
                    ct.image = Some(image.clone());
                    changed = true;
                }
            }
        }
        if !found {
            return out.err(format!("error: unable to find container named \"{cname}\""));
        }
    }
    if changed {
        let g = obj.meta().generation.unwrap_or(1);
        obj.meta_mut().generation = Some(g + 1);
        c.store.update(obj);
        c.changed(kind);
        out.line(format!("{}/{name} image updated", kind.resource()));
    } else {
        out.line(format!("{}/{name} image updated", kind.resource()));
    }
}

fn cordon(c: &mut Cluster, flags: &Flags, on: bool, out: &mut Out) {
    let Some(name) = flags.args.get(1) else {
        return out.err("error: USAGE: cordon NODE [flags]");
    };
    let Some(Object::Node(n)) = c.store().get(Kind::Node, "", name).cloned() else {
        return out.err(format!("Error from server (NotFound): nodes \"{name}\" not found"));
    };
    let mut n = n;
    let cur = n.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false);
    let word = if on { "cordoned" } else { "uncordoned" };
    if cur == on {
        return out.line(format!("node/{name} already {word}"));
    }
    let spec = n.spec.get_or_insert_with(Default::default);
    spec.unschedulable = if on { Some(true) } else { None };
    // The node lifecycle controller mirrors unschedulable as a NoSchedule taint.
    let taints = spec.taints.get_or_insert_with(Vec::new);
    taints.retain(|t| t.key != "node.kubernetes.io/unschedulable");
    if on {
        taints.push(k8s_openapi::api::core::v1::Taint {
            key: "node.kubernetes.io/unschedulable".into(),
            effect: "NoSchedule".into(),
            time_added: Some(crate::store::time(c.now())),
            value: None,
        });
    }
    if taints.is_empty() {
        spec.taints = None;
    }
    c.store.update(Object::Node(n));
    c.scheduler.epoch += 1;
    c.changed(Kind::Node);
    let reason = if on { "NodeNotSchedulable" } else { "NodeSchedulable" };
    c.record_event(
        Kind::Node,
        "",
        name,
        "Normal",
        reason,
        &format!("Node {name} status is now: {reason}"),
        "kubelet",
        Some(name),
    );
    out.line(format!("node/{name} {word}"));
}

/// `kubectl expose deployment NAME --port=P [--target-port=T] [--type=T] [--name=N]`: a Service
/// selecting the Deployment's pods.
fn expose(c: &mut Cluster, flags: &Flags, ns: &str, out: &mut Out) {
    let (kind, name) = match one_target(&flags.args, 1) {
        Ok(t) => t,
        Err(e) => return out.err(e),
    };
    let Some(obj) = c.store().get(kind, ns, &name).cloned() else {
        return out.err(format!("Error from server (NotFound): {} \"{name}\" not found", kind.plural()));
    };
    let selector = match &obj {
        Object::Deployment(d) => d.spec.as_ref().and_then(|s| s.selector.match_labels.clone()),
        Object::ReplicaSet(r) => r.spec.as_ref().and_then(|s| s.selector.match_labels.clone()),
        Object::Pod(p) => p.metadata.labels.clone(),
        Object::Service(s) => s.spec.as_ref().and_then(|s| s.selector.clone()),
        _ => None,
    };
    let Some(selector) = selector.filter(|s| !s.is_empty()) else {
        return out.err(format!(
            "error: couldn't retrieve selectors via --selector flag or introspection: the {} has no selector",
            kind.name()
        ));
    };
    let Some(port) = flags.value("port").and_then(|p| p.parse::<i64>().ok()) else {
        return out.err(
            "error: couldn't find port via --port flag or introspection\nSee 'kubectl expose -h' for help and examples",
        );
    };
    let target: serde_json::Value = match flags.value("target-port") {
        Some(t) => {
            t.parse::<i64>().map(serde_json::Value::from).unwrap_or_else(|_| serde_json::Value::String(t.to_string()))
        }
        None => serde_json::Value::from(port),
    };
    let svc_name = flags.value("name").map(str::to_string).unwrap_or_else(|| name.clone());
    let mut spec =
        serde_json::json!({"selector": selector, "ports": [{"port": port, "protocol": "TCP", "targetPort": target}]});
    if let Some(t) = flags.value("type") {
        spec["type"] = serde_json::Value::String(t.to_string());
    }
    let value = serde_json::json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": svc_name, "labels": obj.meta().labels.clone().unwrap_or_default()}, "spec": spec});
    let text = serde_json::to_string(&value).unwrap_or_default();
    for m in crate::api::read_manifests("STDIN", &text).docs.into_iter().flatten() {
        match c.apply_manifest(m, "STDIN", ns, true) {
            Ok(_) => out.line(format!("service/{svc_name} exposed")),
            Err(e) => out.err(e.output.replace("error when creating \"STDIN\": ", "")),
        }
    }
}

/// `kubectl autoscale deployment NAME --cpu-percent=P --min=N --max=M`.
fn autoscale(c: &mut Cluster, flags: &Flags, ns: &str, out: &mut Out) {
    let (kind, name) = match one_target(&flags.args, 1) {
        Ok(t) => t,
        Err(e) => return out.err(e),
    };
    if !c.store().contains(kind, ns, &name) {
        return out.err(format!("Error from server (NotFound): {} \"{name}\" not found", kind.plural()));
    }
    let Some(max) = flags.value("max").and_then(|m| m.parse::<i64>().ok()) else {
        return out.err("error: --max=MAXPODS is required and must be at least 1");
    };
    let min = flags.value("min").and_then(|m| m.parse::<i64>().ok()).unwrap_or(1);
    // kubectl's AutoscaleOptions.Validate.
    if max < 1 {
        return out.err(format!("error: --max=MAXPODS is required and must be at least 1, max: {max}"));
    }
    if max < min {
        return out
            .err(format!("error: --max=MAXPODS must be larger or equal to --min=MINPODS, max: {max}, min: {min}"));
    }
    let cpu: i64 = flags.value("cpu-percent").and_then(|p| p.trim_end_matches('%').parse().ok()).unwrap_or(80);
    let value = serde_json::json!({
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": name},
        "spec": {"scaleTargetRef": {"apiVersion": kind.api_version(), "kind": kind.name(), "name": name},
                 "minReplicas": min, "maxReplicas": max,
                 "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": cpu}}}]}
    });
    let text = serde_json::to_string(&value).unwrap_or_default();
    for m in crate::api::read_manifests("STDIN", &text).docs.into_iter().flatten() {
        match c.apply_manifest(m, "STDIN", ns, true) {
            Ok(_) => out.line(format!("horizontalpodautoscaler.autoscaling/{name} autoscaled")),
            Err(e) => out.err(e.output.replace("error when creating \"STDIN\": ", "")),
        }
    }
}

/// `kubectl drain NODE [--ignore-daemonsets] [--delete-emptydir-data] [--force]`: cordon, then
/// evict every pod (graceful deletion) and wait for them to go.
fn drain(c: &mut Cluster, flags: &Flags, out: &mut Out) {
    let Some(node) = flags.args.get(1).cloned() else {
        return out.err("error: USAGE: drain NODE [flags]");
    };
    if !c.store().contains(Kind::Node, "", &node) {
        return out.err(format!("Error from server (NotFound): nodes \"{node}\" not found"));
    }
    cordon(c, flags, true, out);
    let pods: Vec<crate::api::Pod> = c
        .store()
        .list(Kind::Pod, None)
        .filter_map(|o| match o {
            Object::Pod(p)
                if p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node.as_str())
                    && p.metadata.deletion_timestamp.is_none() =>
            {
                Some((**p).clone())
            }
            _ => None,
        })
        .collect();
    let id = |p: &crate::api::Pod| {
        format!("{}/{}", p.metadata.namespace.clone().unwrap_or_default(), p.metadata.name.clone().unwrap_or_default())
    };
    let unmanaged: Vec<String> =
        pods.iter().filter(|p| crate::controllers::controller_ref(&p.metadata).is_none()).map(id).collect();
    let local: Vec<String> = pods
        .iter()
        .filter(|p| p.spec.iter().flat_map(|s| s.volumes.iter().flatten()).any(|v| v.empty_dir.is_some()))
        .map(id)
        .collect();
    let mut problems = Vec::new();
    if !unmanaged.is_empty() && !flags.flag("force") {
        problems.push(format!(
            "cannot delete Pods that declare no controller (use --force to override): {}",
            unmanaged.join(", ")
        ));
    }
    if !local.is_empty() && !flags.flag("delete-emptydir-data") {
        problems.push(format!(
            "cannot delete Pods with local storage (use --delete-emptydir-data to override): {}",
            local.join(", ")
        ));
    }
    if !problems.is_empty() {
        return out.err(format!("error: unable to drain node \"{node}\" due to error: {}, continuing command...\nThere are pending nodes to be drained:\n {node}\nerror: {}", problems.join(", "), problems.join(", ")));
    }
    if !unmanaged.is_empty() {
        out.line(format!("Warning: deleting Pods that declare no controller: {}", unmanaged.join(", ")));
    }
    for p in &pods {
        out.line(format!("evicting pod {}", id(p)));
    }
    let keys: Vec<(String, String)> = pods
        .iter()
        .map(|p| (p.metadata.namespace.clone().unwrap_or_default(), p.metadata.name.clone().unwrap_or_default()))
        .collect();
    for (ns, name) in &keys {
        c.delete_object(Kind::Pod, ns, name, None);
    }
    let deadline = c.now().plus_ms(WAIT_LIMIT_MS);
    let mut gone: Vec<bool> = vec![false; keys.len()];
    while c.now() < deadline && gone.iter().any(|g| !g) {
        for (i, (ns, name)) in keys.iter().enumerate() {
            if !gone[i] && !c.store().contains(Kind::Pod, ns, name) {
                gone[i] = true;
                out.line(format!("pod/{name} evicted"));
            }
        }
        if gone.iter().all(|g| *g) || !c.step() {
            break;
        }
    }
    out.line(format!("node/{node} drained"));
}

fn rollout(c: &mut Cluster, flags: &Flags, ns: &str, out: &mut Out) {
    let sub = flags.args.get(1).cloned().unwrap_or_default();
    let (kind, name) = match one_target(&flags.args, 2) {
        Ok(t) => t,
        Err(e) => return out.err(e),
    };
    if kind != Kind::Deployment {
        return out.err(format!("error: kubeplay supports rollout for deployments; got {}", kind.plural()));
    }
    let Some(Object::Deployment(d)) = c.store().get(kind, ns, &name).cloned() else {
        return out.err(format!("Error from server (NotFound): deployments.apps \"{name}\" not found"));
    };
    match sub.as_str() {
        "status" => rollout_status(c, ns, &name, flags, out),
        "history" => {
            let mut rs: Vec<(i64, String)> = c
                .store()
                .list(Kind::ReplicaSet, Some(ns))
                .filter_map(|o| match o {
                    Object::ReplicaSet(r) if crate::controllers::is_controlled_by(&r.metadata, &d.metadata) => Some((
                        crate::controllers::deployment::revision_of(&r.metadata),
                        r.metadata
                            .annotations
                            .as_ref()
                            .and_then(|a| a.get("kubernetes.io/change-cause"))
                            .cloned()
                            .unwrap_or_else(|| "<none>".into()),
                    )),
                    _ => None,
                })
                .collect();
            rs.sort();
            if let Some(rev) = flags.value("revision").and_then(|r| r.parse::<i64>().ok()) {
                match rs.iter().find(|r| r.0 == rev) {
                    Some(_) => out.line(format!("deployment.apps/{name} with revision #{rev}")),
                    None => out.err("error: unable to find the specified revision"),
                }
                return;
            }
            let mut rows = vec![vec!["REVISION".to_string(), "CHANGE-CAUSE".to_string()]];
            for (r, cause) in rs {
                rows.push(vec![r.to_string(), cause]);
            }
            out.line(format!("deployment.apps/{name} \n{}", printers::table(&rows).trim_end()));
        }
        "undo" => {
            if d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false) {
                return out.err("error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again");
            }
            let mut rss: Vec<k8s_openapi::api::apps::v1::ReplicaSet> = c
                .store()
                .list(Kind::ReplicaSet, Some(ns))
                .filter_map(|o| match o {
                    Object::ReplicaSet(r) if crate::controllers::is_controlled_by(&r.metadata, &d.metadata) => {
                        Some((**r).clone())
                    }
                    _ => None,
                })
                .collect();
            crate::sort::sort_by_key(&mut rss, |r| crate::controllers::deployment::revision_of(&r.metadata));
            let to: i64 = flags.value("to-revision").and_then(|r| r.parse().ok()).unwrap_or(0);
            let target = if to == 0 {
                if rss.len() < 2 {
                    return out.err(format!("error: no rollout history found for deployment \"{name}\""));
                }
                rss.get(rss.len() - 2).cloned()
            } else {
                rss.iter().find(|r| crate::controllers::deployment::revision_of(&r.metadata) == to).cloned()
            };
            let Some(target) = target else {
                return out.err(format!("error: unable to find specified revision {to} in history"));
            };
            let mut template = target.spec.and_then(|s| s.template).unwrap_or_default();
            if let Some(l) = template.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
                l.remove(crate::controllers::deployment::POD_TEMPLATE_HASH);
            }
            let mut d2 = d.clone();
            let spec = d2.spec.get_or_insert_with(Default::default);
            if crate::controllers::deployment::equal_ignore_hash(&spec.template, &template) {
                let rev = crate::controllers::deployment::revision_of(&target.metadata);
                return out.line(format!(
                    "deployment.apps/{name} skipped rollback (current template already matches revision {rev})"
                ));
            }
            spec.template = template;
            d2.metadata.generation = Some(d2.metadata.generation.unwrap_or(1) + 1);
            c.store.update(Object::Deployment(d2));
            c.changed(Kind::Deployment);
            out.line(format!("deployment.apps/{name} rolled back"));
        }
        "restart" => {
            let mut d2 = d.clone();
            let spec = d2.spec.get_or_insert_with(Default::default);
            if spec.paused.unwrap_or(false) {
                return out.err(format!(
                    "error: deployments.apps \"{name}\" can't restart paused deployment (run rollout resume first)"
                ));
            }
            let tm = spec.template.metadata.get_or_insert_with(Default::default);
            tm.annotations
                .get_or_insert_with(BTreeMap::new)
                .insert("kubectl.kubernetes.io/restartedAt".into(), c.now().rfc3339());
            d2.metadata.generation = Some(d2.metadata.generation.unwrap_or(1) + 1);
            c.store.update(Object::Deployment(d2));
            c.changed(Kind::Deployment);
            out.line(format!("deployment.apps/{name} restarted"));
        }
        "pause" | "resume" => {
            let pause = sub == "pause";
            let mut d2 = d.clone();
            let spec = d2.spec.get_or_insert_with(Default::default);
            if spec.paused.unwrap_or(false) == pause {
                return out.err(format!(
                    "error: deployments.apps \"{name}\" is {}",
                    if pause { "already paused" } else { "not paused" }
                ));
            }
            spec.paused = if pause { Some(true) } else { None };
            d2.metadata.generation = Some(d2.metadata.generation.unwrap_or(1) + 1);
            c.store.update(Object::Deployment(d2));
            c.changed(Kind::Deployment);
            out.line(format!("deployment.apps/{name} {}", if pause { "paused" } else { "resumed" }));
        }
        other => out.err(format!("error: unknown command \"{other}\" for \"kubectl rollout\"")),
    }
}

/// `DeploymentStatusViewer.Status` (K8S-FACTS §1.8): (message, done, error).
pub fn deployment_status_message(d: &k8s_openapi::api::apps::v1::Deployment) -> (String, bool, bool) {
    let name = d.metadata.name.clone().unwrap_or_default();
    let st = d.status.clone().unwrap_or_default();
    let spec_replicas = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    if d.metadata.generation.unwrap_or(0) <= st.observed_generation.unwrap_or(0) {
        if st
            .conditions
            .iter()
            .flatten()
            .any(|c| c.type_ == "Progressing" && c.reason.as_deref() == Some("ProgressDeadlineExceeded"))
        {
            return (format!("deployment \"{name}\" exceeded its progress deadline"), false, true);
        }
        let updated = st.updated_replicas.unwrap_or(0);
        let replicas = st.replicas.unwrap_or(0);
        let available = st.available_replicas.unwrap_or(0);
        if updated < spec_replicas {
            return (
                format!(
                    "Waiting for deployment \"{name}\" rollout to finish: {updated} out of {spec_replicas} new replicas have been updated..."
                ),
                false,
                false,
            );
        }
        if replicas > updated {
            return (
                format!(
                    "Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...",
                    replicas - updated
                ),
                false,
                false,
            );
        }
        if available < updated {
            return (
                format!(
                    "Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available..."
                ),
                false,
                false,
            );
        }
        return (format!("deployment \"{name}\" successfully rolled out"), true, false);
    }
    ("Waiting for deployment spec update to be observed...".into(), false, false)
}

fn rollout_status(c: &mut Cluster, ns: &str, name: &str, flags: &Flags, out: &mut Out) {
    let timeout_ms =
        flags.value("timeout").and_then(|t| parse_duration_ms(t).ok()).filter(|t| *t > 0).unwrap_or(WAIT_LIMIT_MS);
    let deadline = c.now().plus_ms(timeout_ms);
    let mut last = String::new();
    loop {
        let Some(Object::Deployment(d)) = c.store().get(Kind::Deployment, ns, name).cloned() else {
            return out.err("error: object has been deleted");
        };
        let (msg, done, error) = deployment_status_message(&d);
        if error {
            return out.err(format!("error: {msg}"));
        }
        if msg != last {
            out.line(&msg);
            last = msg;
        }
        if done {
            return;
        }
        match c.queue.next_time() {
            Some(t) if t <= deadline => {
                c.step();
            }
            _ => {
                c.advance(deadline.since(c.now()));
                return out.err("error: timed out waiting for the condition");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found in review: a preferred node-affinity term with a negative weight was accepted and
    /// gave the NodeAffinity score a negative value (a debug assertion fired). Upstream refuses
    /// weights outside 1-100 (ValidatePreferredSchedulingTerms, validateWeightedPodAffinityTerms
    /// in pkg/apis/core/validation), in a Pod and in a Deployment's template alike.
    #[test]
    fn affinity_weights_outside_1_to_100_are_refused() {
        let mut c = Cluster::new(crate::ClusterConfig::default());
        let ws = Workspace::default();
        for (weight, ok) in [(-5i32, false), (0, false), (101, false), (1, true), (100, true)] {
            let pod = format!(
                "kubectl apply -f - <<END\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{}}}\nspec:\n  containers: [{{name: c, image: nginx:1.27}}]\n  affinity:\n    nodeAffinity:\n      preferredDuringSchedulingIgnoredDuringExecution:\n      - weight: {weight}\n        preference: {{matchExpressions: [{{key: kubernetes.io/hostname, operator: In, values: [node-1]}}]}}\nEND",
                weight.abs()
            );
            let r = c.run(&pod, &ws);
            assert_eq!(r[0].ok, ok, "weight {weight}: {}", r[0].output);
            if !ok {
                assert!(
                    r[0].output.contains(&format!("spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: {weight}: must be in the range 1-100")),
                    "{}",
                    r[0].output
                );
            }
        }
        let deploy = "kubectl apply -f - <<END\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: nginx:1.27}]\n      affinity:\n        podAntiAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution:\n          - weight: 0\n            podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: web}}}\nEND";
        let r = c.run(deploy, &ws);
        assert!(!r[0].ok);
        assert!(r[0].output.contains("spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100"), "{}", r[0].output);
        c.advance(30_000);
    }

    /// Found in review: a Node created with a negative allocatable passed the resource filter
    /// and divided BalancedAllocation's fractions by it. Upstream's ValidateNode refuses a
    /// negative capacity or allocatable (ValidateResourceQuantityValue).
    #[test]
    fn a_node_with_a_negative_allocatable_is_refused() {
        let mut c = Cluster::new(crate::ClusterConfig::default());
        let r = c.run(
            "kubectl apply -f - <<END\napiVersion: v1\nkind: Node\nmetadata: {name: odd}\nstatus:\n  capacity: {cpu: \"4\", memory: 8Gi}\n  allocatable: {cpu: \"4\", memory: -1Gi}\nEND",
            &Workspace::default(),
        );
        assert!(!r[0].ok);
        assert!(
            r[0].output
                .contains("status.allocatable.memory: Invalid value: \"-1Gi\": must be greater than or equal to 0"),
            "{}",
            r[0].output
        );
        assert!(c.store().get(Kind::Node, "", "odd").is_none());
    }

    #[test]
    fn an_hpa_with_min_above_max_is_refused_by_kubectl_and_by_the_api_server() {
        // Found by the model fuzz target: it used to reach the HPA controller and panic in
        // clamp(min, max). Upstream: kubectl's AutoscaleOptions.Validate, and
        // ValidateHorizontalPodAutoscalerSpec's "must be greater than or equal to `minReplicas`".
        let mut c = Cluster::new(crate::ClusterConfig::default());
        let ws = Workspace::default();
        c.run("kubectl create deployment web --image=nginx:1.27", &ws);
        let r = c.run("kubectl autoscale deployment web --min=10 --max=9", &ws);
        assert_eq!(r[0].output, "error: --max=MAXPODS must be larger or equal to --min=MINPODS, max: 9, min: 10\n");
        let r = c.run(
            "kubectl apply -f - <<END\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 10\n  maxReplicas: 9\nEND\nsleep 60s",
            &ws,
        );
        assert!(!r[0].ok);
        assert!(
            r[0].output.contains("spec.maxReplicas: Invalid value: 9: must be greater than or equal to `minReplicas`"),
            "{}",
            r[0].output
        );
        assert!(c.store().get(Kind::HorizontalPodAutoscaler, "default", "web").is_none());
    }

    #[test]
    fn describe_takes_a_label_selector() {
        let mut c = Cluster::new(crate::ClusterConfig::default());
        let ws = Workspace::default();
        c.run(
            "kubectl create deployment a --image=nginx:1.27\nkubectl create deployment b --image=redis:7\nsleep 30s",
            &ws,
        );
        let r = c.run("kubectl describe pod -l app=a", &ws);
        assert!(r[0].ok, "{}", r[0].output);
        assert_eq!(
            r[0].output.matches("\nName:").count() + usize::from(r[0].output.starts_with("Name:")),
            1,
            "{}",
            r[0].output
        );
        assert!(r[0].output.contains("nginx:1.27") && !r[0].output.contains("redis:7"), "{}", r[0].output);
        let r = c.run("kubectl describe pods -l 'app in (a'", &ws);
        assert!(!r[0].ok && r[0].output.starts_with("error: "), "{}", r[0].output);
    }

    #[test]
    fn base64_encodes() {
        assert_eq!(base64(b"postgres"), "cG9zdGdyZXM=");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
        for s in ["", "a", "ab", "abc", "postgres", "postgres\n"] {
            assert_eq!(base64_decode(&base64(s.as_bytes())).as_deref(), Some(s.as_bytes()));
        }
        assert_eq!(base64_decode("cG9z\ndGdyZXM=\n").as_deref(), Some(&b"postgres"[..]));
        assert_eq!(base64_decode("not base64!"), None);
    }

    /// K8S-FACTS §1.8: rollout_status_test.go TestDeploymentStatusViewerStatus.
    #[test]
    fn rollout_status_table() {
        use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, DeploymentStatus};
        let d = |generation: i64, observed: i64, spec: i32, replicas: i32, updated: i32, available: i32| Deployment {
            metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                name: Some("foo".into()),
                generation: Some(generation),
                ..Default::default()
            },
            spec: Some(DeploymentSpec { replicas: Some(spec), ..Default::default() }),
            status: Some(DeploymentStatus {
                observed_generation: Some(observed),
                replicas: Some(replicas),
                updated_replicas: Some(updated),
                available_replicas: Some(available),
                ..Default::default()
            }),
        };
        let cases = [
            (
                d(0, 1, 1, 1, 0, 1),
                "Waiting for deployment \"foo\" rollout to finish: 0 out of 1 new replicas have been updated...",
                false,
            ),
            (
                d(1, 1, 1, 2, 1, 2),
                "Waiting for deployment \"foo\" rollout to finish: 1 old replicas are pending termination...",
                false,
            ),
            (
                d(1, 1, 2, 2, 2, 1),
                "Waiting for deployment \"foo\" rollout to finish: 1 of 2 updated replicas are available...",
                false,
            ),
            (d(1, 1, 2, 2, 2, 2), "deployment \"foo\" successfully rolled out", true),
            (d(2, 1, 2, 2, 2, 2), "Waiting for deployment spec update to be observed...", false),
        ];
        for (dep, msg, done) in cases {
            let (m, dn, _) = deployment_status_message(&dep);
            assert_eq!((m.as_str(), dn), (msg, done));
        }
    }
}

#[cfg(test)]
mod live_tests {
    use super::*;

    #[test]
    fn a_live_watch_prints_the_table_then_each_change_as_time_runs() {
        let mut c = Cluster::new(crate::ClusterConfig::default());
        let ws = Workspace::default();
        c.run("kubectl create deployment web --image=nginx:1.27 --replicas=2\nsleep 100ms", &ws);
        let (first, mut live) = live_start(&mut c, "kubectl get pods -w", &ws).expect("a live command");
        assert!(first.output.starts_with("NAME"), "{}", first.output);
        assert_eq!(first.command, "kubectl get pods -w");
        let mut printed = String::new();
        for _ in 0..30 {
            c.advance(1000);
            let (text, done) = live.poll(&c);
            assert!(!done, "a watch runs until Ctrl-C");
            printed.push_str(&text);
        }
        assert!(printed.contains("ContainerCreating") && printed.contains("Running"), "{printed}");
        // Nothing new, nothing printed.
        assert_eq!(live.poll(&c).0, "");
        // A timeout, an output format or a script line is not live.
        assert!(live_start(&mut c, "kubectl get pods -w --request-timeout=5s", &ws).is_none());
        assert!(live_start(&mut c, "kubectl get pods -o yaml -w", &ws).is_none());
        assert!(live_start(&mut c, "kubectl get pods", &ws).is_none());
    }

    #[test]
    fn a_live_rollout_status_finishes_with_the_rollout() {
        let mut c = Cluster::new(crate::ClusterConfig::default());
        let ws = Workspace::default();
        c.run("kubectl create deployment web --image=nginx:1.27 --replicas=3\nsleep 30s", &ws);
        assert!(live_start(&mut c, "kubectl rollout status deployment/web", &ws).is_none(), "already complete");
        c.run("kubectl set image deployment/web nginx=nginx:1.28", &ws);
        let (first, mut live) = live_start(&mut c, "kubectl rollout status deployment/web", &ws).expect("in progress");
        assert!(first.output.starts_with("Waiting for deployment"), "{}", first.output);
        let mut printed = first.output.clone();
        let mut done = false;
        for _ in 0..120 {
            c.advance(1000);
            let (text, finished) = live.poll(&c);
            printed.push_str(&text);
            if finished {
                done = true;
                break;
            }
        }
        assert!(done, "{printed}");
        assert!(printed.ends_with("deployment \"web\" successfully rolled out\n"), "{printed}");
    }
}
