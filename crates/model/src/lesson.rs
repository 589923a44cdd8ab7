//! Lessons: a course's story as steps a learner plays, each with a goal the model checks.
//!
//! A lesson is a YAML file (`kind: Lesson`, `apiVersion: kubeplay.dev/v1alpha1`, documented in
//! docs/lessons.md) with bilingual text, the cluster and workspace it starts from, a hidden
//! set-up script and steps. A step's goal is a list of checks over the cluster (all must hold);
//! its "show me" is a script in the command language that reaches the goal.
//!
//! The page and the CLI share everything here: [`Lesson::start`] builds the starting cluster,
//! [`Progress`] follows a learner through the steps, and [`check`] plays a lesson's show-me path
//! and verifies that every goal is reached and is not already met when its step begins (a goal
//! that cannot fail teaches nothing).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::{Kind, Object};
use crate::cluster::{Cluster, ClusterConfig};
use crate::diag::Diagnostic;
use crate::kubectl::{CommandResult, Workspace};
use crate::time::parse_duration_ms;

pub const LESSON_API_VERSION: &str = "kubeplay.dev/v1alpha1";

/// How long [`check`] plays time after a step's show-me before it calls the goal unreachable,
/// unless the step says otherwise (`timeout:`).
pub const DEFAULT_STEP_TIMEOUT_MS: u64 = 5 * 60 * 1000;

/// Text in the lesson's two languages. The course is Chinese; every text carries both.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

impl Text {
    /// The text in `lang` (`"zh…"` picks Chinese; anything else English).
    pub fn get(&self, lang: &str) -> &str {
        if lang.starts_with("zh") { &self.zh } else { &self.en }
    }
}

/// A parsed lesson.
#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    /// `metadata.name`: the lesson's id in URLs (`?lesson=NAME`) and reports.
    pub name: String,
    pub spec: LessonSpec,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LessonSpec {
    pub title: Text,
    /// One line for lesson lists.
    #[serde(default)]
    pub summary: Option<Text>,
    /// The lesson's introduction, Markdown.
    pub text: Text,
    #[serde(default)]
    pub cluster: ClusterShape,
    #[serde(default)]
    pub workspace: WorkspaceSpec,
    /// Commands run before the first step, not shown to the learner (e.g. a cluster that is
    /// already running the app when the lesson begins).
    #[serde(default)]
    pub setup: String,
    /// Empty for a reading-only lesson.
    #[serde(default)]
    pub steps: Vec<Step>,
}

/// The cluster a lesson starts with.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterShape {
    /// Nodes `node-1..node-N` (4 CPU, 8Gi each).
    #[serde(default = "three")]
    pub nodes: usize,
    #[serde(default = "one")]
    pub seed: u64,
    /// kubeconfig contexts besides `docker-desktop` (the one that reaches this cluster). They
    /// point at nothing: kubectl's connection is refused, as in the course's first
    /// troubleshooting story.
    #[serde(default)]
    pub contexts: Vec<String>,
    /// The context kubectl starts in (default `docker-desktop`).
    #[serde(default)]
    pub current_context: Option<String>,
    /// Images already built on the learner's machine (`docker build -t NAME .` before the
    /// set-up), as `docker images` lists them.
    #[serde(default)]
    pub images: Vec<String>,
}

fn three() -> usize {
    3
}

fn one() -> u64 {
    1
}

impl Default for ClusterShape {
    fn default() -> Self {
        ClusterShape { nodes: 3, seed: 1, contexts: vec![], current_context: None, images: vec![] }
    }
}

/// The files the learner starts with.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WorkspaceSpec {
    /// A folder whose files are copied in first, relative to the lesson file (e.g.
    /// `../web/workspaces/course`); paths inside the workspace are relative to it.
    #[serde(default)]
    pub from: Option<String>,
    /// Files written over those, path -> text.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// The file the editor opens.
    #[serde(default)]
    pub open: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Step {
    /// A short id, unique in the lesson (used in reports).
    pub id: String,
    pub title: Text,
    /// What to do and why, Markdown.
    pub text: Text,
    /// Revealed one at a time on demand.
    #[serde(default)]
    pub hints: Vec<Text>,
    /// Commands that reach the goal; the page's "show me" runs them in the terminal.
    pub show_me: String,
    /// Checks that must all hold for the step to be done.
    pub goal: Vec<Check>,
    /// How much virtual time [`check`] allows after the show-me (`5m` by default): a learner
    /// presses Play and watches, so the show-me need not wait itself.
    #[serde(default)]
    pub timeout: Option<String>,
}

/// A comparison with a number: `3`, `">=3"`, `"<=1"`, `">0"`, `"<5"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count {
    pub op: CountOp,
    pub n: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CountOp {
    Eq,
    Ge,
    Le,
    Gt,
    Lt,
}

impl Count {
    pub fn holds(&self, v: i64) -> bool {
        match self.op {
            CountOp::Eq => v == self.n,
            CountOp::Ge => v >= self.n,
            CountOp::Le => v <= self.n,
            CountOp::Gt => v > self.n,
            CountOp::Lt => v < self.n,
        }
    }

    fn parse(s: &str) -> Result<Count, String> {
        let s = s.trim();
        let (op, rest) = [(">=", CountOp::Ge), ("<=", CountOp::Le), (">", CountOp::Gt), ("<", CountOp::Lt)]
            .into_iter()
            .find_map(|(p, op)| s.strip_prefix(p).map(|r| (op, r)))
            .unwrap_or((CountOp::Eq, s.strip_prefix('=').unwrap_or(s)));
        let n =
            rest.trim().parse::<i64>().map_err(|_| format!("want a number or a comparison like \">=3\", got {s:?}"))?;
        Ok(Count { op, n })
    }
}

impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let op = match self.op {
            CountOp::Eq => "",
            CountOp::Ge => "≥ ",
            CountOp::Le => "≤ ",
            CountOp::Gt => "> ",
            CountOp::Lt => "< ",
        };
        write!(f, "{op}{}", self.n)
    }
}

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Number(n) => n
                .as_i64()
                .map(|n| Count { op: CountOp::Eq, n })
                .ok_or_else(|| serde::de::Error::custom("want a whole number")),
            Value::String(s) => Count::parse(&s).map_err(serde::de::Error::custom),
            other => Err(serde::de::Error::custom(format!("want a number or a comparison like \">=3\", got {other}"))),
        }
    }
}

/// One check of a goal. Written in YAML as a one-key map, e.g. `- deployment: {name: web,
/// available: 3}`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub enum Check {
    /// An object exists (or, with `absent: true`, does not).
    Object(ObjectCheck),
    /// A Deployment's status and template.
    Deployment(DeploymentCheck),
    /// How many pods match some conditions.
    Pods(PodsCheck),
    /// A Service's type, node port and ready endpoints.
    Service(ServiceCheck),
    /// Requests of a `traffic` load in a recent window.
    Traffic(TrafficCheck),
    /// A node's readiness.
    Node(NodeCheck),
    /// A PersistentVolumeClaim's phase (`Bound`, `Pending`).
    Pvc(PvcCheck),
    /// An HPA's current replicas.
    Hpa(HpaCheck),
    /// kubectl's current context.
    Context(String),
    /// An image in the nodes' local image store (`docker images`).
    Image(String),
    /// An Event recorded since the step began.
    Event(EventCheck),
    /// A command the learner ran since the step began (its words start with `command`), and
    /// optionally what it printed.
    Ran(RanCheck),
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ObjectCheck {
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub absent: bool,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeploymentCheck {
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
    /// `status.availableReplicas`.
    #[serde(default)]
    pub available: Option<Count>,
    /// `status.updatedReplicas`.
    #[serde(default)]
    pub updated: Option<Count>,
    /// `spec.replicas`.
    #[serde(default)]
    pub replicas: Option<Count>,
    /// Every container image of the pod template is this one (`name:tag`).
    #[serde(default)]
    pub image: Option<String>,
    /// The rollout is complete as `kubectl rollout status` judges it.
    #[serde(default)]
    pub complete: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PodsCheck {
    /// A label selector as `kubectl get -l` takes it.
    #[serde(default)]
    pub selector: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    /// Only pods whose STATUS column (as `kubectl get pods` prints it) is this.
    #[serde(default)]
    pub status: Option<String>,
    /// Only pods whose Ready condition is this.
    #[serde(default)]
    pub ready: Option<bool>,
    /// Only pods whose containers restarted this many times in all.
    #[serde(default)]
    pub restarts: Option<Count>,
    /// Only pods with a container whose last termination had this reason (`OOMKilled`,
    /// `Error`, `Completed`).
    #[serde(default)]
    pub last_terminated: Option<String>,
    /// Only pods bound to this node (`""` for unbound ones).
    #[serde(default)]
    pub node: Option<String>,
    /// Only pods whose image (first container) is this.
    #[serde(default)]
    pub image: Option<String>,
    /// How many such pods there must be (default `">=1"`).
    #[serde(default)]
    pub count: Option<Count>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceCheck {
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default, rename = "type")]
    pub type_: Option<String>,
    #[serde(default)]
    pub node_port: Option<i32>,
    /// Ready endpoints in the Service's EndpointSlices.
    #[serde(default)]
    pub endpoints: Option<Count>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TrafficCheck {
    /// The target as `traffic start` names it.
    pub target: String,
    /// The window that counts, ending now (default `60s`).
    #[serde(default)]
    pub window: Option<String>,
    #[serde(default)]
    pub requests: Option<Count>,
    /// Requests that did not answer 2xx.
    #[serde(default)]
    pub failed: Option<Count>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeCheck {
    pub name: String,
    #[serde(default)]
    pub ready: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PvcCheck {
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
    pub phase: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HpaCheck {
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
    /// `status.currentReplicas`.
    pub replicas: Count,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EventCheck {
    pub reason: String,
    /// Only events about objects whose name starts with this.
    #[serde(default)]
    pub object: Option<String>,
    /// Only events whose message contains this.
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RanCheck {
    pub command: String,
    /// What the command printed contains this.
    #[serde(default)]
    pub output: Option<String>,
}

/// Whether one check holds, and what the model sees (English, in kubectl's terms).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckOutcome {
    pub met: bool,
    pub seen: String,
}

/// What a step's checks may look at besides the cluster: when the step began and what the
/// learner ran since (command as typed, and what it printed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepLog {
    pub start_ms: u64,
    pub commands: Vec<(String, String)>,
}

impl StepLog {
    pub fn record(&mut self, results: &[CommandResult]) {
        self.commands.extend(results.iter().map(|r| (r.command.clone(), r.output.clone())));
    }
}

/// Reads a lesson file. Errors name the file, line and field.
pub fn parse(file: &str, text: &str) -> Result<Lesson, Diagnostic> {
    let docs = crate::api::yaml::parse_documents(text)
        .all()
        .map_err(|e| Diagnostic::new(file, e.line, e.column, e.message))?;
    let [doc] = docs.as_slice() else {
        return Err(Diagnostic::new(file, 1, 0, format!("a lesson file holds one document, found {}", docs.len())));
    };
    let v = &doc.value;
    let at = |path: &str| doc.line_of(path);
    let api = v.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or("");
    if api != LESSON_API_VERSION || kind != "Lesson" {
        let (l, c) = at("kind");
        return Err(Diagnostic::new(
            file,
            l,
            c,
            format!("want apiVersion: {LESSON_API_VERSION} and kind: Lesson, found {api:?} {kind:?}"),
        ));
    }
    if let Some(k) = v
        .as_object()
        .and_then(|obj| obj.keys().find(|k| !matches!(k.as_str(), "apiVersion" | "kind" | "metadata" | "spec")))
    {
        let (l, c) = at(k);
        return Err(Diagnostic::new(file, l, c, format!("unknown field \"{k}\"")).with_field(k.clone()));
    }
    let name = match v.pointer("/metadata/name").and_then(Value::as_str) {
        Some(n) if crate::api::validation::is_dns1123_label(n) => n.to_string(),
        Some(n) => {
            let (l, c) = at("metadata.name");
            return Err(Diagnostic::new(
                file,
                l,
                c,
                format!("metadata.name: Invalid value: {n:?}: a lowercase RFC 1123 label (a-z, 0-9, '-')"),
            )
            .with_field("metadata.name"));
        }
        None => {
            let (l, c) = at("metadata");
            return Err(Diagnostic::new(file, l, c, "metadata.name: Required value").with_field("metadata.name"));
        }
    };
    let spec_v = v.get("spec").cloned().unwrap_or(Value::Null);
    let spec: LessonSpec = crate::pathde::deserialize(&spec_v).map_err(|e| {
        let path = format!("spec.{}", e.path);
        let (l, c) = at(&path);
        Diagnostic::new(file, l, c, format!("{path}: {}", e.error)).with_field(path)
    })?;
    let lesson = Lesson { name, spec };
    lesson.validate().map_err(|(path, msg)| {
        let (l, c) = at(&path);
        Diagnostic::new(file, l, c, format!("{path}: {msg}")).with_field(path)
    })?;
    Ok(lesson)
}

impl Lesson {
    /// What serde cannot say: scripts that parse, durations, unique step ids, known kinds.
    fn validate(&self) -> Result<(), (String, String)> {
        let script_ok = |path: String, s: &str| {
            crate::kubectl::script::parse(s).map(|_| ()).map_err(|e| (path, format!("line {}: {}", e.line, e.message)))
        };
        script_ok("spec.setup".into(), &self.spec.setup)?;
        if let Some(cur) = &self.spec.cluster.current_context
            && cur != "docker-desktop"
            && !self.spec.cluster.contexts.contains(cur)
        {
            return Err(("spec.cluster.currentContext".into(), format!("{cur:?} is not one of the contexts")));
        }
        let mut ids = std::collections::BTreeSet::new();
        for (i, step) in self.spec.steps.iter().enumerate() {
            let p = format!("spec.steps[{i}]");
            if !ids.insert(step.id.as_str()) {
                return Err((format!("{p}.id"), format!("Duplicate value: {:?}", step.id)));
            }
            script_ok(format!("{p}.showMe"), &step.show_me)?;
            if let Some(t) = &step.timeout {
                parse_duration_ms(t).map_err(|e| (format!("{p}.timeout"), e))?;
            }
            if step.goal.is_empty() {
                return Err((format!("{p}.goal"), "Required value: at least one check".into()));
            }
            for (j, check) in step.goal.iter().enumerate() {
                let cp = format!("{p}.goal[{j}]");
                match check {
                    Check::Object(o) if Kind::from_arg(&o.kind).is_none() => {
                        return Err((format!("{cp}.object.kind"), format!("unknown kind {:?}", o.kind)));
                    }
                    Check::Pods(PodsCheck { selector: Some(s), .. }) => {
                        crate::store::parse_label_selector(s).map_err(|e| (format!("{cp}.pods.selector"), e))?;
                    }
                    Check::Traffic(TrafficCheck { window: Some(w), .. }) => {
                        parse_duration_ms(w).map_err(|e| (format!("{cp}.traffic.window"), e))?;
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// The step timeout in ms.
    pub fn step_timeout_ms(&self, step: usize) -> u64 {
        self.spec.steps[step]
            .timeout
            .as_deref()
            .and_then(|t| parse_duration_ms(t).ok())
            .unwrap_or(DEFAULT_STEP_TIMEOUT_MS)
    }

    /// The starting cluster and workspace: nodes and contexts as the lesson says, `base` (the
    /// files of `workspace.from`, already read by the caller) with the lesson's own files over
    /// them, then the set-up script run. Returns the set-up's results too (a set-up command that
    /// fails is a lesson bug; [`check`] reports it).
    pub fn start(&self, base: &BTreeMap<String, String>) -> (Cluster, Workspace, Vec<CommandResult>) {
        let shape = &self.spec.cluster;
        let mut cluster = Cluster::new(ClusterConfig { seed: shape.seed, nodes: shape.nodes });
        for ctx in &shape.contexts {
            if !cluster.kubeconfig.contexts.iter().any(|c| &c.0 == ctx) {
                cluster.kubeconfig.contexts.push((ctx.clone(), ctx.clone(), ctx.clone(), String::new()));
            }
        }
        cluster.kubeconfig.contexts.sort();
        if let Some(cur) = &shape.current_context {
            cluster.kubeconfig.current = cur.clone();
        }
        let mut ws = Workspace::default();
        ws.files.extend(base.iter().map(|(k, v)| (k.clone(), v.clone())));
        ws.files.extend(self.spec.workspace.files.iter().map(|(k, v)| (k.clone(), v.clone())));
        let mut setup = Vec::new();
        for image in &shape.images {
            setup.extend(cluster.run(&format!("docker build -t '{}' .", image.replace('\'', "")), &ws));
        }
        setup.extend(cluster.run(&self.spec.setup, &ws));
        (cluster, ws, setup)
    }

    /// The file the editor should open first.
    pub fn open_file(&self, ws: &Workspace) -> Option<String> {
        self.spec.workspace.open.clone().or_else(|| ws.files.keys().next().cloned())
    }
}

/// Evaluates every check of a goal.
pub fn evaluate(goal: &[Check], cluster: &Cluster, log: &StepLog) -> Vec<CheckOutcome> {
    goal.iter().map(|c| evaluate_one(c, cluster, log)).collect()
}

/// Whether every check holds.
pub fn met(goal: &[Check], cluster: &Cluster, log: &StepLog) -> bool {
    goal.iter().all(|c| evaluate_one(c, cluster, log).met)
}

fn outcome(met: bool, seen: String) -> CheckOutcome {
    CheckOutcome { met, seen }
}

fn ns(n: &Option<String>) -> &str {
    n.as_deref().unwrap_or("default")
}

fn evaluate_one(check: &Check, c: &Cluster, log: &StepLog) -> CheckOutcome {
    let store = c.store();
    match check {
        Check::Object(o) => {
            let Some(kind) = Kind::from_arg(&o.kind) else {
                return outcome(false, format!("unknown kind {}", o.kind));
            };
            let namespace = if kind.namespaced() { ns(&o.namespace) } else { "" };
            let exists = store.get(kind, namespace, &o.name).is_some_and(|x| x.meta().deletion_timestamp.is_none());
            let seen = format!("{}/{} {}", kind.resource(), o.name, if exists { "exists" } else { "not found" });
            outcome(exists != o.absent, seen)
        }
        Check::Deployment(d) => {
            let Some(Object::Deployment(dep)) = store.get(Kind::Deployment, ns(&d.namespace), &d.name) else {
                return outcome(false, format!("deployment.apps/{} not found", d.name));
            };
            let st = dep.status.clone().unwrap_or_default();
            let spec_replicas = dep.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
            let images: Vec<String> = dep
                .spec
                .as_ref()
                .and_then(|s| s.template.spec.as_ref())
                .map(|p| p.containers.iter().map(|c| c.image.clone().unwrap_or_default()).collect())
                .unwrap_or_default();
            let available = i64::from(st.available_replicas.unwrap_or(0));
            let updated = i64::from(st.updated_replicas.unwrap_or(0));
            let complete = crate::kubectl::deployment_status_message(dep).1;
            let mut ok = true;
            ok &= d.available.is_none_or(|n| n.holds(available));
            ok &= d.updated.is_none_or(|n| n.holds(updated));
            ok &= d.replicas.is_none_or(|n| n.holds(i64::from(spec_replicas)));
            ok &= d.image.as_ref().is_none_or(|want| images.iter().all(|i| same_image(i, want)));
            ok &= d.complete.is_none_or(|want| want == complete);
            let seen = format!(
                "deployment.apps/{}: {available}/{spec_replicas} available, {updated} up to date, image {}{}",
                d.name,
                images.join(","),
                if complete { ", rollout complete" } else { "" }
            );
            outcome(ok, seen)
        }
        Check::Pods(p) => {
            let reqs = match p.selector.as_deref().map(crate::store::parse_label_selector).transpose() {
                Ok(r) => r.unwrap_or_default(),
                Err(e) => return outcome(false, e),
            };
            let mut matching = 0i64;
            let mut described = Vec::new();
            for o in store.list(Kind::Pod, Some(ns(&p.namespace))) {
                let Object::Pod(pod) = o else { continue };
                let labels = pod.metadata.labels.clone().unwrap_or_default();
                if !crate::store::requirements_match(&reqs, &labels) {
                    continue;
                }
                let row = crate::kubectl::printers::pod_row(pod, c.now());
                let st = pod.status.clone().unwrap_or_default();
                let ready = st.conditions.iter().flatten().any(|c| c.type_ == "Ready" && c.status == "True");
                let restarts: i64 = st.container_statuses.iter().flatten().map(|s| i64::from(s.restart_count)).sum();
                let last_reasons: Vec<String> = st
                    .container_statuses
                    .iter()
                    .flatten()
                    .filter_map(|s| s.last_state.as_ref()?.terminated.as_ref()?.reason.clone())
                    .collect();
                let node = pod.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
                let image = pod
                    .spec
                    .as_ref()
                    .and_then(|s| s.containers.first())
                    .and_then(|c| c.image.clone())
                    .unwrap_or_default();
                described.push(format!("{} {} ready={ready} restarts={restarts}", o.name(), row.status));
                let ok = p.status.as_ref().is_none_or(|s| *s == row.status)
                    && p.ready.is_none_or(|r| r == ready)
                    && p.restarts.is_none_or(|n| n.holds(restarts))
                    && p.last_terminated.as_ref().is_none_or(|r| last_reasons.contains(r))
                    && p.node.as_ref().is_none_or(|n| *n == node)
                    && p.image.as_ref().is_none_or(|i| same_image(&image, i));
                if ok {
                    matching += 1;
                }
            }
            let want = p.count.unwrap_or(Count { op: CountOp::Ge, n: 1 });
            let seen = if described.is_empty() {
                "no pods match".to_string()
            } else {
                format!("{matching} of {} pods qualify: {}", described.len(), described.join("; "))
            };
            outcome(want.holds(matching), seen)
        }
        Check::Service(s) => {
            let Some(Object::Service(svc)) = store.get(Kind::Service, ns(&s.namespace), &s.name) else {
                return outcome(false, format!("service/{} not found", s.name));
            };
            let spec = svc.spec.clone().unwrap_or_default();
            let type_ = spec.type_.clone().unwrap_or_else(|| "ClusterIP".into());
            let node_ports: Vec<i32> = spec.ports.iter().flatten().filter_map(|p| p.node_port).collect();
            // What kube-proxy sees: the ready endpoints in the Service's EndpointSlices.
            let endpoints = c
                .service_views()
                .into_iter()
                .find(|v| v.namespace == ns(&s.namespace) && v.name == s.name)
                .map_or(0, |v| v.endpoints.iter().filter(|e| e.ready).count() as i64);
            let ok = s.type_.as_ref().is_none_or(|t| *t == type_)
                && s.node_port.is_none_or(|n| node_ports.contains(&n))
                && s.endpoints.is_none_or(|n| n.holds(endpoints));
            let ports = node_ports.iter().map(i32::to_string).collect::<Vec<_>>().join(",");
            let seen = format!(
                "service/{}: {type_}{}, {endpoints} ready endpoints",
                s.name,
                if ports.is_empty() { String::new() } else { format!(" nodePort {ports}") }
            );
            outcome(ok, seen)
        }
        Check::Traffic(t) => {
            let window = t.window.as_deref().and_then(|w| parse_duration_ms(w).ok()).unwrap_or(60_000);
            let stats = c.traffic_stats(&t.target, Some(window));
            let ok_count = stats.outcomes.get("2xx").copied().unwrap_or(0);
            let failed = stats.requests.saturating_sub(ok_count) as i64;
            let requests = stats.requests as i64;
            let ok = t.requests.is_none_or(|n| n.holds(requests)) && t.failed.is_none_or(|n| n.holds(failed));
            let seen = format!(
                "{}: {requests} requests in the last {}, {failed} failed",
                t.target,
                crate::time::go_duration(window)
            );
            outcome(ok, seen)
        }
        Check::Node(n) => {
            let Some(Object::Node(node)) = store.get(Kind::Node, "", &n.name) else {
                return outcome(false, format!("node/{} not found", n.name));
            };
            let status = crate::kubectl::printers::node_status(node);
            let ready = status.split(',').next() == Some("Ready");
            outcome(n.ready.is_none_or(|r| r == ready), format!("node/{}: {status}", n.name))
        }
        Check::Pvc(p) => {
            let Some(Object::PersistentVolumeClaim(pvc)) =
                store.get(Kind::PersistentVolumeClaim, ns(&p.namespace), &p.name)
            else {
                return outcome(false, format!("persistentvolumeclaim/{} not found", p.name));
            };
            let phase = pvc.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_else(|| "Pending".into());
            let volume = pvc.spec.as_ref().and_then(|s| s.volume_name.clone()).unwrap_or_default();
            outcome(
                phase == p.phase,
                format!(
                    "persistentvolumeclaim/{}: {phase}{}",
                    p.name,
                    if volume.is_empty() { String::new() } else { format!(" to {volume}") }
                ),
            )
        }
        Check::Hpa(h) => {
            let Some(Object::HorizontalPodAutoscaler(hpa)) =
                store.get(Kind::HorizontalPodAutoscaler, ns(&h.namespace), &h.name)
            else {
                return outcome(false, format!("horizontalpodautoscaler.autoscaling/{} not found", h.name));
            };
            let current = i64::from(hpa.status.as_ref().and_then(|s| s.current_replicas).unwrap_or(0));
            outcome(
                h.replicas.holds(current),
                format!("horizontalpodautoscaler.autoscaling/{}: {current} current replicas", h.name),
            )
        }
        Check::Context(want) => {
            let cur = &c.kubeconfig.current;
            outcome(cur == want, format!("current context: {cur}"))
        }
        Check::Image(name) => {
            let tagged = crate::kubelet::with_tag(name);
            let present = c.kubelet.local_images().contains_key(&tagged);
            outcome(present, format!("{tagged} {}", if present { "is a local image" } else { "is not a local image" }))
        }
        Check::Event(e) => {
            let found = c.events().any(|ev| {
                ev.last_ms >= log.start_ms
                    && *ev.reason == *e.reason
                    && e.object.as_ref().is_none_or(|o| ev.name.starts_with(o.as_str()))
                    && e.message.as_ref().is_none_or(|m| ev.message.contains(m.as_str()))
            });
            let seen = if found {
                format!("a {} event since the step began", e.reason)
            } else {
                format!("no {} event since the step began", e.reason)
            };
            outcome(found, seen)
        }
        Check::Ran(r) => {
            let want = normalize_command(&r.command);
            let found = log.commands.iter().any(|(cmd, output)| {
                normalize_command(cmd).starts_with(&want)
                    && r.output.as_ref().is_none_or(|o| output.contains(o.as_str()))
            });
            let seen = if found { format!("ran `{}`", r.command) } else { format!("`{}` not run yet", r.command) };
            outcome(found, seen)
        }
    }
}

/// `nginx` and `nginx:latest` are one image, as the kubelet reads them.
fn same_image(a: &str, b: &str) -> bool {
    crate::kubelet::with_tag(a) == crate::kubelet::with_tag(b)
}

/// Words joined by single spaces, with `k` read as `kubectl`.
fn normalize_command(s: &str) -> String {
    let mut words: Vec<&str> = s.split_whitespace().collect();
    if words.first() == Some(&"k") {
        words[0] = "kubectl";
    }
    words.join(" ")
}

/// A check's goal in words, in `lang`, for the page's step list.
pub fn describe(check: &Check, lang: &str) -> String {
    let zh = lang.starts_with("zh");
    let count = |c: &Option<Count>| c.map(|c| c.to_string());
    match check {
        Check::Object(o) => match (zh, o.absent) {
            (false, false) => format!("{} {} exists", o.kind, o.name),
            (false, true) => format!("{} {} is gone", o.kind, o.name),
            (true, false) => format!("{} {} 已存在", o.kind, o.name),
            (true, true) => format!("{} {} 已删除", o.kind, o.name),
        },
        Check::Deployment(d) => {
            let mut parts = Vec::new();
            if let Some(n) = count(&d.available) {
                parts.push(if zh { format!("{n} 个可用副本") } else { format!("{n} available replicas") });
            }
            if let Some(n) = count(&d.updated) {
                parts.push(if zh { format!("{n} 个已更新副本") } else { format!("{n} updated replicas") });
            }
            if let Some(n) = count(&d.replicas) {
                parts.push(if zh { format!("期望副本数 {n}") } else { format!("{n} desired replicas") });
            }
            if let Some(i) = &d.image {
                parts.push(if zh { format!("镜像 {i}") } else { format!("image {i}") });
            }
            if d.complete == Some(true) {
                parts.push(if zh { "滚动更新完成".into() } else { "rollout complete".into() });
            }
            if zh {
                format!("Deployment {}：{}", d.name, parts.join("，"))
            } else {
                format!("Deployment {} has {}", d.name, parts.join(", "))
            }
        }
        Check::Pods(p) => {
            let mut parts = Vec::new();
            if let Some(s) = &p.status {
                parts.push(if zh { format!("状态 {s}") } else { format!("status {s}") });
            }
            if let Some(r) = p.ready {
                parts.push(match (zh, r) {
                    (false, true) => "Ready".into(),
                    (false, false) => "not Ready".into(),
                    (true, true) => "就绪".into(),
                    (true, false) => "未就绪".into(),
                });
            }
            if let Some(n) = p.restarts {
                parts.push(if zh { format!("重启次数 {n}") } else { format!("{n} restarts") });
            }
            if let Some(r) = &p.last_terminated {
                parts.push(if zh { format!("上次终止原因 {r}") } else { format!("last terminated: {r}") });
            }
            if let Some(n) = &p.node {
                parts.push(match (zh, n.is_empty()) {
                    (false, true) => "not scheduled".into(),
                    (true, true) => "未调度".into(),
                    (false, false) => format!("on {n}"),
                    (true, false) => format!("在 {n} 上"),
                });
            }
            if let Some(i) = &p.image {
                parts.push(if zh { format!("镜像 {i}") } else { format!("image {i}") });
            }
            let sel = p.selector.clone().unwrap_or_else(|| if zh { "全部".into() } else { "any".into() });
            let n = p.count.unwrap_or(Count { op: CountOp::Ge, n: 1 });
            if zh {
                format!("Pod（{sel}）{}：数量 {n}", parts.join("，"))
            } else {
                format!("{n} pods ({sel}) {}", parts.join(", "))
            }
        }
        Check::Service(s) => {
            let mut parts = Vec::new();
            if let Some(t) = &s.type_ {
                parts.push(t.clone());
            }
            if let Some(p) = s.node_port {
                parts.push(format!("nodePort {p}"));
            }
            if let Some(n) = count(&s.endpoints) {
                parts.push(if zh { format!("{n} 个就绪端点") } else { format!("{n} ready endpoints") });
            }
            if zh {
                format!("Service {}：{}", s.name, parts.join("，"))
            } else {
                format!("Service {} has {}", s.name, parts.join(", "))
            }
        }
        Check::Traffic(t) => {
            let window = t.window.clone().unwrap_or_else(|| "60s".into());
            let mut parts = Vec::new();
            if let Some(n) = count(&t.requests) {
                parts.push(if zh { format!("请求数 {n}") } else { format!("{n} requests") });
            }
            if let Some(n) = count(&t.failed) {
                parts.push(if zh { format!("失败 {n}") } else { format!("{n} failed") });
            }
            if zh {
                format!("最近 {window} 内发往 {} 的流量：{}", t.target, parts.join("，"))
            } else {
                format!("traffic to {} in the last {window}: {}", t.target, parts.join(", "))
            }
        }
        Check::Node(n) => match (zh, n.ready) {
            (false, Some(true)) => format!("node {} is Ready", n.name),
            (false, _) => format!("node {} is NotReady", n.name),
            (true, Some(true)) => format!("节点 {} 为 Ready", n.name),
            (true, _) => format!("节点 {} 为 NotReady", n.name),
        },
        Check::Pvc(p) => {
            if zh {
                format!("PVC {} 为 {}", p.name, p.phase)
            } else {
                format!("PVC {} is {}", p.name, p.phase)
            }
        }
        Check::Hpa(h) => {
            if zh {
                format!("HPA {} 当前副本数 {}", h.name, h.replicas)
            } else {
                format!("HPA {} has {} current replicas", h.name, h.replicas)
            }
        }
        Check::Context(ctx) => {
            if zh {
                format!("kubectl 当前上下文为 {ctx}")
            } else {
                format!("kubectl's current context is {ctx}")
            }
        }
        Check::Image(i) => {
            if zh {
                format!("本地有镜像 {i}")
            } else {
                format!("the image {i} is on the nodes")
            }
        }
        Check::Event(e) => {
            let about = e.object.clone().unwrap_or_default();
            if zh {
                format!("出现 {} 事件 {about}", e.reason).trim_end().to_string()
            } else {
                format!("a {} event {about}", e.reason).trim_end().to_string()
            }
        }
        Check::Ran(r) => {
            let out = r.output.as_ref().map(|o| if zh { format!("，输出含 {o}") } else { format!(", printing {o}") });
            if zh {
                format!("运行 `{}`{}", r.command, out.unwrap_or_default())
            } else {
                format!("run `{}`{}", r.command, out.unwrap_or_default())
            }
        }
    }
}

/// A learner's way through a lesson: which step is current, what each step's log holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// The current step (== steps.len() when the lesson is done).
    pub current: usize,
    /// The log of the current step.
    pub log: StepLog,
    /// When each finished step's goal was met (virtual ms).
    pub done_at: Vec<u64>,
}

impl Progress {
    pub fn new(now_ms: u64) -> Progress {
        Progress { current: 0, log: StepLog { start_ms: now_ms, commands: vec![] }, done_at: vec![] }
    }

    pub fn finished(&self, lesson: &Lesson) -> bool {
        self.current >= lesson.spec.steps.len()
    }

    /// Records commands the learner ran.
    pub fn record(&mut self, results: &[CommandResult]) {
        self.log.record(results);
    }

    /// Marks the current step done if its goal holds now, and any following steps whose goals
    /// then hold too (a learner may run ahead). Returns whether anything changed.
    pub fn update(&mut self, lesson: &Lesson, cluster: &Cluster) -> bool {
        let mut changed = false;
        while let Some(step) = lesson.spec.steps.get(self.current) {
            if !met(&step.goal, cluster, &self.log) {
                break;
            }
            let now = cluster.now().ms();
            self.done_at.push(now);
            self.current += 1;
            // What the learner ran for this step does not count for the next.
            self.log = StepLog { start_ms: now, commands: vec![] };
            changed = true;
        }
        changed
    }
}

/// What [`check`] found for one step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepReport {
    pub id: String,
    /// Virtual ms from the end of the show-me until the goal held (`None`: never, within the
    /// step's timeout).
    pub reached_after_ms: Option<u64>,
    /// Problems: the goal already met at the start, the goal never reached, a show-me command
    /// that could not run.
    pub problems: Vec<String>,
}

/// What [`check`] found for a lesson.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonReport {
    pub name: String,
    pub setup_problems: Vec<String>,
    pub steps: Vec<StepReport>,
    /// The whole transcript of set-up and show-me commands, for a failing lesson's author.
    pub transcript: String,
}

impl LessonReport {
    pub fn ok(&self) -> bool {
        self.setup_problems.is_empty() && self.steps.iter().all(|s| s.problems.is_empty())
    }
}

/// Plays a lesson's show-me path as a learner who presses "show me" and then Play would, and
/// checks that every goal is not met when its step begins and is met within the step's
/// timeout afterwards.
pub fn check(lesson: &Lesson, base: &BTreeMap<String, String>) -> LessonReport {
    let (mut cluster, ws, setup) = lesson.start(base);
    let mut transcript = crate::kubectl::transcript(&setup);
    let setup_problems = setup
        .iter()
        .filter(|r| !r.ok)
        .map(|r| format!("set-up command `{}` failed: {}", r.command, r.output.trim_end()))
        .collect();
    let mut steps = Vec::new();
    let mut progress = Progress::new(cluster.now().ms());
    for (i, step) in lesson.spec.steps.iter().enumerate() {
        let mut problems = Vec::new();
        let outcomes = evaluate(&step.goal, &cluster, &progress.log);
        if outcomes.iter().all(|o| o.met) {
            problems.push(format!(
                "the goal is already met when the step begins: {}",
                outcomes.iter().map(|o| o.seen.as_str()).collect::<Vec<_>>().join("; ")
            ));
        }
        transcript.push_str(&format!("# step {} ({}): show me\n", i + 1, step.id));
        let results = cluster.run(&step.show_me, &ws);
        if results.is_empty() && !step.show_me.trim().is_empty() {
            problems.push("show-me has no commands".into());
        }
        transcript.push_str(&crate::kubectl::transcript(&results));
        progress.record(&results);
        let end = cluster.now().ms();
        let deadline = end + lesson.step_timeout_ms(i);
        let mut reached = None;
        loop {
            if met(&step.goal, &cluster, &progress.log) {
                reached = Some(cluster.now().ms() - end);
                break;
            }
            if cluster.now().ms() >= deadline {
                break;
            }
            cluster.advance(1000.min(deadline - cluster.now().ms()));
        }
        if reached.is_none() {
            let outcomes = evaluate(&step.goal, &cluster, &progress.log);
            let missing: Vec<String> = step
                .goal
                .iter()
                .zip(&outcomes)
                .filter(|(_, o)| !o.met)
                .map(|(c, o)| format!("{} (seen: {})", describe(c, "en"), o.seen))
                .collect();
            problems.push(format!(
                "the goal is not met {} after the show-me: {}",
                crate::time::go_duration(lesson.step_timeout_ms(i)),
                missing.join("; ")
            ));
        }
        progress.update(lesson, &cluster);
        if progress.current != i + 1 {
            // The checker moves on as a learner would once the step is done; a step it could
            // not finish still lets the next ones be checked.
            progress.current = i + 1;
            progress.log = StepLog { start_ms: cluster.now().ms(), commands: vec![] };
        }
        steps.push(StepReport { id: step.id.clone(), reached_after_ms: reached, problems });
    }
    LessonReport { name: lesson.name.clone(), setup_problems, steps, transcript }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "\
apiVersion: kubeplay.dev/v1alpha1
kind: Lesson
metadata:
  name: nginx
spec:
  title: {en: Run nginx, zh: 运行 nginx}
  text: {en: Three pods., zh: 三个 Pod。}
  workspace:
    files:
      web.yaml: |
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 3
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - {name: nginx, image: nginx:1.27}
  steps:
  - id: apply
    title: {en: Apply, zh: 应用}
    text: {en: Apply it., zh: 应用它。}
    showMe: kubectl apply -f web.yaml
    goal:
    - deployment: {name: web, available: 3}
    - pods: {selector: app=web, ready: true, count: 3}
  - id: scale
    title: {en: Scale, zh: 扩容}
    text: {en: Scale to 5., zh: 扩容到 5。}
    showMe: kubectl scale deployment web --replicas=5
    goal:
    - deployment: {name: web, available: \">=5\"}
    - ran: {command: kubectl scale}
";

    #[test]
    fn a_lesson_parses_and_its_show_me_path_reaches_every_goal() {
        let lesson = parse("nginx.yaml", MINIMAL).expect("parses");
        assert_eq!(lesson.name, "nginx");
        assert_eq!(lesson.spec.steps.len(), 2);
        assert_eq!(lesson.spec.title.get("zh-CN"), "运行 nginx");
        let report = check(&lesson, &BTreeMap::new());
        assert!(report.ok(), "{report:#?}");
        assert!(report.steps[0].reached_after_ms.is_some_and(|ms| ms > 0), "pods take time to start");
    }

    #[test]
    fn a_goal_already_met_at_the_start_of_its_step_is_reported() {
        // Step 2 asks for what step 1 already did.
        let text = MINIMAL.replace("available: \">=5\"}\n    - ran: {command: kubectl scale}", "available: \">=3\"}");
        let lesson = parse("nginx.yaml", &text).expect("parses");
        let report = check(&lesson, &BTreeMap::new());
        assert!(!report.ok());
        assert!(report.steps[1].problems[0].contains("already met"), "{report:#?}");
        assert!(report.steps[0].problems.is_empty());
    }

    #[test]
    fn a_goal_the_show_me_never_reaches_is_reported_with_what_was_seen() {
        let text = MINIMAL.replace("available: \">=5\"", "available: 7");
        let lesson = parse("nginx.yaml", &text).expect("parses");
        let report = check(&lesson, &BTreeMap::new());
        let p = &report.steps[1].problems;
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("not met 5m0s after"), "{p:?}");
        assert!(p[0].contains("deployment.apps/web: 5/5 available"), "{p:?}");
    }

    #[test]
    fn errors_name_the_line_and_field() {
        let text = MINIMAL.replace("available: 3}", "availible: 3}");
        let e = parse("l.yaml", &text).unwrap_err();
        assert_eq!(e.line, 28, "{e}");
        assert!(e.message.contains("unknown field `availible`"), "{e}");
        assert!(e.message.starts_with("spec.steps[0].goal[0].deployment"), "{e}");

        let e = parse("l.yaml", &MINIMAL.replace("- pods: {selector: app=web,", "- pods: {selector: \"app in (\","))
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("spec.steps[0].goal[1].pods.selector"), "{e}");

        let e = parse("l.yaml", &MINIMAL.replace("id: scale", "id: apply")).unwrap_err();
        assert!(e.message.contains("spec.steps[1].id: Duplicate value"), "{e}");
        assert_eq!(e.line, 30, "{e}");

        let e = parse("l.yaml", &MINIMAL.replace("kind: Lesson", "kind: Lessen")).unwrap_err();
        assert_eq!(e.line, 2);

        let e = parse("l.yaml", &MINIMAL.replace("count: 3}", "count: \"about 3\"}")).unwrap_err();
        assert!(e.message.contains("want a number or a comparison"), "{e}");

        let e =
            parse("l.yaml", &MINIMAL.replace("showMe: kubectl apply -f web.yaml", "showMe: echo 'oops")).unwrap_err();
        assert!(e.message.starts_with("spec.steps[0].showMe: line 1"), "{e}");
    }

    #[test]
    fn counts_compare() {
        for (text, v, want) in [("3", 3, true), (">=3", 4, true), (">=3", 2, false), ("<1", 0, true), (">0", 0, false)]
        {
            assert_eq!(Count::parse(text).unwrap().holds(v), want, "{text} vs {v}");
        }
        assert!(Count::parse("three").is_err());
    }

    #[test]
    fn progress_moves_through_steps_as_goals_are_met_and_only_then() {
        let lesson = parse("nginx.yaml", MINIMAL).expect("parses");
        let (mut cluster, ws, _) = lesson.start(&BTreeMap::new());
        let mut progress = Progress::new(0);
        assert!(!progress.update(&lesson, &cluster));
        let r = cluster.run("kubectl apply -f web.yaml", &ws);
        progress.record(&r);
        assert!(!progress.update(&lesson, &cluster), "pods are not running yet");
        cluster.advance(60_000);
        assert!(progress.update(&lesson, &cluster));
        assert_eq!(progress.current, 1);
        assert!(progress.log.commands.is_empty(), "step 2 starts with an empty log");
        // Scaling by another route than `kubectl scale` reaches the replicas but not the `ran`.
        let ws5 =
            Workspace::default().with_file("web.yaml", &ws.files["web.yaml"].replace("replicas: 3", "replicas: 5"));
        let r = cluster.run("kubectl apply -f web.yaml", &ws5);
        progress.record(&r);
        cluster.advance(60_000);
        assert!(cluster.run("kubectl get deploy web", &ws)[0].output.contains("5/5"));
        assert!(!progress.update(&lesson, &cluster));
        let r = cluster.run("k scale deployment web --replicas=5", &ws);
        progress.record(&r);
        cluster.advance(60_000);
        assert!(progress.update(&lesson, &cluster));
        assert!(progress.finished(&lesson));
    }

    #[test]
    fn each_check_kind_can_fail_and_hold() {
        let (mut c, ws, _) = parse("nginx.yaml", MINIMAL).unwrap().start(&BTreeMap::new());
        let log = StepLog::default();
        let yaml = |s: &str| -> Check {
            let docs = crate::api::yaml::parse_documents(s).all().unwrap();
            serde_json::from_value(docs[0].value.clone()).unwrap()
        };
        // Each check is false on a fresh cluster, then true after the commands next to it.
        let phases = [
            (
                "kubectl apply -f web.yaml\nkubectl expose deployment web --port 80\nsleep 60s",
                vec![
                    "object: {kind: deployment, name: web}",
                    "deployment: {name: web, available: 3, image: nginx:1.27, complete: true}",
                    "pods: {selector: app=web, status: Running, ready: true, count: 3}",
                    "service: {name: web, type: ClusterIP, endpoints: 3}",
                    "event: {reason: Started}",
                ],
            ),
            (
                "kubectl apply -f - <<EOF\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\nEOF\nsleep 5s",
                vec!["pvc: {name: data, phase: Bound}"],
            ),
            ("docker build -t my-app:v1 .", vec!["image: my-app:v1"]),
            ("kubectl config use-context other", vec!["context: other"]),
            ("node fail node-1\nsleep 2m", vec!["node: {name: node-1, ready: false}"]),
        ];
        for (_, texts) in &phases {
            for text in texts {
                assert!(!evaluate_one(&yaml(text), &c, &log).met, "{text} holds before anything ran");
            }
        }
        c.kubeconfig.contexts.push(("other".into(), "other".into(), "other".into(), String::new()));
        for (script, texts) in &phases {
            c.run(script, &ws);
            for text in texts {
                let o = evaluate_one(&yaml(text), &c, &log);
                assert!(o.met, "{text}: {}", o.seen);
            }
        }
    }
}
