//! The page's state as plain data and a reducer over it (DESIGN.md: the app holds no cluster
//! logic; it dispatches actions to the model and keeps the views the model computes).
//!
//! Nothing here touches the browser, so the reducer is tested natively with plain `#[test]`s.
//! The reducer runs in the model's Web Worker ([`crate::engine`]); the one platform concern,
//! the play timer, lives in the `App` component and only sends [`Action::Tick`].

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use kubeplay_model::api::Kind;
use kubeplay_model::lesson::{self, CheckOutcome, Lesson, Progress};
use kubeplay_model::{Cluster, ClusterConfig, ClusterView, CommandResult, Diagnostic, InspectView, Workspace};
use serde::{Deserialize, Serialize};
use yew::Reducible;

use crate::i18n::Lang;
use crate::timeline::{Logged, Origin, Timeline};

/// The file the editor opens with.
pub const DEFAULT_FILE_PATH: &str = "deploy/k8s/deployment.yaml";

/// The manifest a new workspace starts with: a small nginx Deployment whose CPU requests make
/// the scheduler's bookkeeping visible on the node bars.
pub const DEFAULT_DEPLOYMENT_YAML: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
          ports:
            - containerPort: 80
          resources:
            requests:
              cpu: 500m
              memory: 128Mi
";

/// Virtual time one play tick advances at first, in milliseconds. With the component's 100 ms
/// real-time interval this plays at 10x real time.
pub const PLAY_TICK_VIRTUAL_MS: u64 = 1_000;

/// Real milliseconds between play ticks (the App component's timer).
pub const PLAY_INTERVAL_MS: u64 = 100;

/// The speeds the header offers, as multiples of real time; [`MAX_SPEED`] means as fast as
/// possible.
pub const SPEEDS: [u64; 5] = [1, 10, 30, 100, MAX_SPEED];

/// "As fast as possible": each play tick runs the cluster through up to
/// [`MAX_SPEED_STEPS_PER_TICK`] scheduled events instead of a fixed slice of virtual time.
pub const MAX_SPEED: u64 = 0;
pub const MAX_SPEED_STEPS_PER_TICK: usize = 400;

/// The terminal keeps at most this many bytes of transcript; older output is dropped from the
/// front at a line boundary so a long session cannot grow the page without bound.
pub const TERMINAL_MAX_BYTES: usize = 200_000;

/// The wall-clock time the model may take in one play tick: a tick that reaches it stops between
/// two instants of virtual time and plays on at the next tick, so a large cluster plays slower
/// and the model's worker answers the learner's next action (Pause) after at most one short tick
/// (issue #8). A course-sized cluster needs
/// well under a millisecond a tick (docs/benchmarks.md) and never reaches it.
pub const TICK_BUDGET_MS: f64 = 12.0;

/// A budget for the model's work in one play tick, and the clock it is measured with (the page's
/// `performance.now()`; tests and the native build play unbudgeted).
#[derive(Clone, Copy, Debug)]
pub struct TickBudget {
    /// A monotonic clock, in milliseconds.
    pub now: fn() -> f64,
    pub ms: f64,
}

/// What the learner (or the play timer) asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// `kubectl apply -f <open file>`.
    Apply,
    /// Run the cluster to the next scheduled thing.
    Step,
    /// Start or stop playing time.
    TogglePlay,
    /// One play tick: advances virtual time by [`AppState::tick_virtual_ms`] while playing.
    Tick,
    /// A file's new text, typed in the editor while it showed that file of workspace
    /// `generation` ([`AppState::workspace_generation`]). An edit to a file the editor no longer
    /// shows, or to a workspace since replaced (a lesson started meanwhile), is dropped.
    EditFile { path: String, text: String, generation: u64 },
    /// One line typed into the terminal, in the command language.
    RunCommand(String),
    /// Select an object (a pod tile or a node box) for the inspector.
    Select(Selection),
    /// Close the inspector.
    ClearSelection,
    /// Show one of the inspector's tabs.
    ShowTab(InspectorTab),
    /// Switch the interface language.
    SetLang(Lang),
    /// Collapse or expand a panel.
    TogglePanel(Panel),
    /// Open another workspace file in the editor.
    OpenFile(String),
    /// `kubectl apply -f` every folder of the workspace that holds manifests.
    ApplyAll,
    /// Play at this multiple of real time.
    SetSpeed(u64),
    /// Start a bundled lesson by name: a fresh cluster and workspace as the lesson says.
    StartLesson(String),
    /// Back to free play (the cluster and files stay as they are).
    LeaveLesson,
    /// Run the current step's show-me commands in the terminal.
    ShowMe,
    /// Reveal the current step's next hint.
    RevealHint,
    /// Show the cluster as it was at this virtual time (rebuilt by replaying the action log).
    Seek(u64),
    /// Show charts instead of the cluster map (or back).
    ShowCharts(bool),
    /// Start free play with a shared workspace's files (from a share link).
    LoadShared(crate::share::Shared),
    /// Say something in the header (e.g. that a share link is ready).
    Say(Notice),
    /// Ctrl-C in the terminal: stop the live command (a watch, a rollout status).
    Interrupt,
}

/// A lesson being played: the lesson, where the learner is, and what the current step's
/// checks see.
#[derive(Clone, Debug)]
pub struct LessonSession {
    pub lesson: Rc<Lesson>,
    pub progress: Progress,
    /// How many hints are revealed, per step.
    pub hints_shown: BTreeMap<usize, usize>,
    /// The current step's checks as of the last change of the cluster.
    pub outcomes: Vec<CheckOutcome>,
}

impl LessonSession {
    pub fn hints_shown(&self, step: usize) -> usize {
        self.hints_shown.get(&step).copied().unwrap_or(0)
    }
}

/// What an embedding page asks for in the iframe URL's query string (docs/embedding.md):
/// `lesson=NAME`, `lang=en|zh`, `hide=editor,events,terminal,inspector,lesson`,
/// `readonly=1`, `speed=1|10|30|100`, `play=1`. Unknown keys and values are ignored; nothing
/// from the URL is ever shown as HTML or run: a lesson is only looked up by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EmbedOptions {
    pub lesson: Option<String>,
    pub lang: Option<Lang>,
    pub hide: Collapsed,
    pub read_only: bool,
    pub speed: Option<u64>,
    pub play: bool,
}

impl EmbedOptions {
    /// Reads `location.search` (with or without the leading `?`).
    pub fn from_query(query: &str) -> EmbedOptions {
        let mut o = EmbedOptions::default();
        for pair in query.trim_start_matches('?').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = percent_decode(v);
            match k {
                "lesson" if !v.is_empty() => o.lesson = Some(v),
                "lang" => o.lang = Some(Lang::from_tag(&v)),
                "hide" => {
                    for p in v.split(',') {
                        match p.trim() {
                            "editor" => o.hide.editor = true,
                            "events" => o.hide.events = true,
                            "terminal" => o.hide.terminal = true,
                            "inspector" => o.hide.inspector = true,
                            "lesson" => o.hide.lesson = true,
                            _ => {}
                        }
                    }
                }
                "readonly" => o.read_only = matches!(v.as_str(), "1" | "true" | ""),
                "speed" if v == "max" => o.speed = Some(MAX_SPEED),
                "speed" => o.speed = v.parse().ok().filter(|s| SPEEDS.contains(s)),
                "play" => o.play = matches!(v.as_str(), "1" | "true" | ""),
                _ => {}
            }
        }
        o
    }
}

/// `%XX` and `+` decoding for query values; malformed escapes stay as written.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The object the inspector shows, by its store key. Only the key is kept: what the inspector
/// shows is recomputed by the model ([`Cluster::inspect`]) every time the cluster changes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Selection {
    pub kind: Kind,
    /// Empty for cluster-scoped kinds (Node, Namespace).
    pub namespace: String,
    pub name: String,
}

impl Selection {
    pub fn pod(namespace: &str, name: &str) -> Selection {
        Selection { kind: Kind::Pod, namespace: namespace.to_string(), name: name.to_string() }
    }

    pub fn node(name: &str) -> Selection {
        Selection { kind: Kind::Node, namespace: String::new(), name: name.to_string() }
    }

    /// Any kind, by the name kubectl would use for it (`ReplicaSet`, `service`, `hpa`).
    pub fn of(kind: &str, namespace: &str, name: &str) -> Option<Selection> {
        let kind = Kind::from_arg(kind)?;
        let namespace = if kind.namespaced() { namespace.to_string() } else { String::new() };
        Some(Selection { kind, namespace, name: name.to_string() })
    }
}

/// The inspector's tabs. "Why" is not a tab: it is always shown above them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum InspectorTab {
    #[default]
    Scheduling,
    Conditions,
    Events,
    Yaml,
}

impl InspectorTab {
    pub const ALL: [InspectorTab; 4] =
        [InspectorTab::Scheduling, InspectorTab::Conditions, InspectorTab::Events, InspectorTab::Yaml];

    /// The element id of the tab's button.
    pub fn id(self) -> &'static str {
        match self {
            InspectorTab::Scheduling => "inspector-tab-scheduling",
            InspectorTab::Conditions => "inspector-tab-conditions",
            InspectorTab::Events => "inspector-tab-events",
            InspectorTab::Yaml => "inspector-tab-yaml",
        }
    }
}

/// The tab the inspector shows: the chosen one, unless it has nothing for this object (only
/// pods have a scheduling decision), then Conditions.
pub fn effective_tab(chosen: InspectorTab, selection: Option<&Selection>) -> InspectorTab {
    match (chosen, selection) {
        (InspectorTab::Scheduling, Some(sel)) if sel.kind != Kind::Pod => InspectorTab::Conditions,
        (tab, _) => tab,
    }
}

/// The panels a learner can collapse to make room for the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Panel {
    Editor,
    Events,
    Terminal,
    Inspector,
    Lesson,
}

/// A set of panels: which are collapsed (all start expanded), or which an embedding page hides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Collapsed {
    pub editor: bool,
    pub events: bool,
    pub terminal: bool,
    pub inspector: bool,
    pub lesson: bool,
}

impl Collapsed {
    pub fn get(&self, panel: Panel) -> bool {
        match panel {
            Panel::Editor => self.editor,
            Panel::Events => self.events,
            Panel::Terminal => self.terminal,
            Panel::Inspector => self.inspector,
            Panel::Lesson => self.lesson,
        }
    }

    fn toggle(&mut self, panel: Panel) {
        let flag = match panel {
            Panel::Editor => &mut self.editor,
            Panel::Events => &mut self.events,
            Panel::Terminal => &mut self.terminal,
            Panel::Inspector => &mut self.inspector,
            Panel::Lesson => &mut self.lesson,
        };
        *flag = !*flag;
    }
}

/// A one-line note about the last action, shown in the header in the page's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Notice {
    /// Step found nothing scheduled.
    Idle,
    /// The URL asked for a lesson that is not bundled.
    NoSuchLesson,
    /// The lesson's last step is done.
    LessonDone,
    /// The stored session could not be read; it was kept aside.
    SessionUnreadable,
    /// The stored session is from a newer kubeplay; it was kept aside.
    SessionNewer,
    /// A shared workspace was opened (the earlier free-play session was kept aside).
    SharedLoaded,
    /// The share link could not be read; nothing changed.
    ShareDamaged,
    /// The share link is from a newer kubeplay; nothing changed.
    ShareNewer,
    /// The address bar now holds a link to this workspace.
    ShareReady,
}

/// The page's state. Cloning is cheap: the cluster is shared (copying a
/// cluster per UI action would not scale) and the larger fields sit behind `Rc`s that are only
/// copied when they change.
#[derive(Clone)]
pub struct AppState {
    /// The learner's files (editor tabs), by path.
    pub workspace: Rc<Workspace>,
    /// Bumped whenever the workspace is replaced (a lesson starts, a share link or a saved
    /// session is loaded), so an edit made to the one before can be told apart.
    pub workspace_generation: u64,
    /// The path of the file the editor shows.
    pub open_file: String,
    /// The cluster. Mutated in place by the reducer; [`AppState::version`] says when.
    pub cluster: Rc<RefCell<Cluster>>,
    /// Bumped every time the cluster changes, so components can tell views apart cheaply.
    pub version: u64,
    /// The view computed after the last change of the cluster.
    pub view: Rc<ClusterView>,
    /// What the last Apply printed, one entry per line.
    pub apply_output: Rc<Vec<String>>,
    /// Whether the last Apply succeeded (`None` before the first).
    pub apply_ok: Option<bool>,
    /// Problems found by the last Apply (or the last terminal command that reported some).
    pub diagnostics: Rc<Vec<Diagnostic>>,
    /// Everything the terminal shows: each command echoed as `$ command`, then its output.
    pub terminal: Rc<String>,
    /// Whether time is playing.
    pub playing: bool,
    /// Virtual milliseconds one [`Action::Tick`] advances.
    pub tick_virtual_ms: u64,
    /// A one-line note about the last action, e.g. that Step found nothing scheduled.
    pub notice: Option<Notice>,
    /// The object the inspector shows, if any.
    pub selection: Option<Selection>,
    /// The model's inspection of [`AppState::selection`] as of [`AppState::version`]; `None`
    /// while something is selected means the object no longer exists.
    pub inspected: Option<Rc<InspectView>>,
    /// The inspector tab the learner chose last.
    pub inspector_tab: InspectorTab,
    /// The interface language (the cluster's own output is never translated).
    pub lang: Lang,
    /// Which panels are collapsed.
    pub collapsed: Collapsed,
    /// Panels the embedding page hides altogether.
    pub hidden: Collapsed,
    /// The editor cannot change files (an embedding page's choice).
    pub read_only: bool,
    /// The lesson being played, if any.
    pub lesson: Option<Rc<LessonSession>>,
    /// Everything that changed the cluster, for seeking back and forth in virtual time.
    pub timeline: Rc<Timeline>,
    /// The charts (computed by the model) while they are shown instead of the map.
    pub charts: Option<Rc<kubeplay_model::history::ChartsView>>,
    /// A command following the cluster as time plays (`get -w`, `rollout status`) until it
    /// finishes or Ctrl-C.
    pub live: Option<kubeplay_model::kubectl::Live>,
    /// How much work a play tick may do (see [`TICK_BUDGET_MS`]); `None` plays every tick whole.
    pub tick_budget: Option<TickBudget>,
    /// The speed the last play tick reached (virtual per real time) when the budget cut it short
    /// of the chosen speed; `None` while time plays at the chosen speed.
    pub pace: Option<f64>,
}

impl Default for AppState {
    fn default() -> Self {
        AppState::new(ClusterConfig::default())
    }
}

impl AppState {
    /// A fresh cluster and the default workspace.
    pub fn new(config: ClusterConfig) -> Self {
        let mut workspace = Workspace::default();
        workspace.files.insert(DEFAULT_FILE_PATH.to_string(), DEFAULT_DEPLOYMENT_YAML.to_string());
        let cluster = Cluster::new(config);
        let view = Rc::new(cluster.view());
        let timeline = Rc::new(Timeline::new(Origin::FreePlay, &cluster));
        AppState {
            workspace: Rc::new(workspace),
            workspace_generation: 0,
            open_file: DEFAULT_FILE_PATH.to_string(),
            cluster: Rc::new(RefCell::new(cluster)),
            version: 0,
            view,
            apply_output: Rc::default(),
            apply_ok: None,
            diagnostics: Rc::default(),
            terminal: Rc::default(),
            playing: false,
            tick_virtual_ms: PLAY_TICK_VIRTUAL_MS,
            notice: None,
            selection: None,
            inspected: None,
            inspector_tab: InspectorTab::default(),
            lang: Lang::default(),
            collapsed: Collapsed::default(),
            hidden: Collapsed::default(),
            read_only: false,
            lesson: None,
            timeline,
            charts: None,
            live: None,
            tick_budget: None,
            pace: None,
        }
    }

    /// Whether this play tick's budget has time left, from now on (always, without a budget).
    fn tick_budget_left(&self) -> impl FnMut() -> bool + use<> {
        let deadline = self.tick_budget.map(|b| ((b.now)() + b.ms, b.now));
        move || deadline.is_none_or(|(end, now)| now() < end)
    }

    /// The same state, its play ticks held to `budget`.
    pub fn with_tick_budget(mut self, budget: TickBudget) -> Self {
        self.tick_budget = Some(budget);
        self
    }

    /// The page as an iframe URL asks for it: lesson, panels, editor, speed.
    pub fn with_embed(mut self, o: &EmbedOptions) -> Self {
        if let Some(lang) = o.lang {
            self.lang = lang;
        }
        self.hidden = o.hide;
        self.read_only = o.read_only;
        if let Some(speed) = o.speed {
            self.tick_virtual_ms = speed * PLAY_INTERVAL_MS;
        }
        if let Some(name) = &o.lesson {
            self.update(Action::StartLesson(name.clone()));
        }
        self.playing = o.play;
        self
    }

    /// The speed play runs at, as a multiple of real time.
    pub fn speed(&self) -> u64 {
        self.tick_virtual_ms / PLAY_INTERVAL_MS
    }

    /// The same state in another interface language (the page starts in the browser's).
    pub fn with_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }

    /// The tab the inspector shows: the chosen one, unless it has nothing for this object
    /// (only pods have a scheduling decision), then Conditions.
    pub fn effective_tab(&self) -> InspectorTab {
        effective_tab(self.inspector_tab, self.selection.as_ref())
    }

    /// The text of the open file (empty if the file does not exist).
    pub fn open_text(&self) -> &str {
        self.workspace.files.get(&self.open_file).map(String::as_str).unwrap_or("")
    }

    /// Diagnostics that belong to the open file.
    pub fn open_file_diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(move |d| d.file == self.open_file)
    }

    /// Applies one action in place. [`Reducible::reduce`] wraps this.
    pub fn update(&mut self, action: Action) {
        // A notice answers the last action; switching the language only translates it.
        if !matches!(action, Action::SetLang(_)) {
            self.notice = None;
        }
        match action {
            Action::Apply => {
                let at = self.now_ms();
                let result = self.cluster.borrow_mut().apply_file(&self.open_file, &self.workspace);
                self.log(at, Logged::Apply { paths: vec![self.open_file.clone()], ws: self.workspace.clone() });
                self.show_apply(std::slice::from_ref(&result));
            }
            Action::ApplyAll => {
                let at = self.now_ms();
                let folders = manifest_folders(&self.workspace);
                let results: Vec<CommandResult> =
                    folders.iter().map(|f| self.cluster.borrow_mut().apply_file(f, &self.workspace)).collect();
                if !results.is_empty() {
                    self.log(at, Logged::Apply { paths: folders, ws: self.workspace.clone() });
                    self.show_apply(&results);
                }
            }
            Action::Step if self.in_past() => {
                // In the past, Step moves along the recorded history: to the next timer or the
                // next logged action, whichever comes first.
                let now = self.now_ms();
                let next_entry = self.timeline.entries.iter().map(|e| e.at_ms).find(|&at| at > now);
                let next =
                    [self.view.next_event_ms, next_entry, Some(self.timeline.head_ms)].into_iter().flatten().min();
                if let Some(t) = next {
                    self.seek(t);
                }
            }
            Action::Step => {
                let at = self.now_ms();
                let stepped = self.cluster.borrow_mut().step();
                if stepped {
                    let elapsed = self.now_ms() - at;
                    self.log(at, Logged::Advance(elapsed));
                    self.cluster_changed();
                } else {
                    self.notice = Some(Notice::Idle);
                }
            }
            Action::TogglePlay => {
                self.playing = !self.playing;
                self.pace = None;
            }
            Action::Tick => {
                // Only a budgeted tick that falls short says time plays slower.
                self.pace = None;
                // A tick that was already queued when the learner pressed Pause is dropped.
                if self.playing && self.in_past() {
                    // Playing from the past replays the recorded history up to the present.
                    let slice = if self.tick_virtual_ms == MAX_SPEED { 10_000 } else { self.tick_virtual_ms };
                    let t = self.now_ms() + slice;
                    self.seek(t);
                } else if self.playing && self.tick_virtual_ms == MAX_SPEED {
                    let at = self.now_ms();
                    let mut more = self.tick_budget_left();
                    let mut stepped = false;
                    for _ in 0..MAX_SPEED_STEPS_PER_TICK {
                        if !self.cluster.borrow_mut().step() {
                            break;
                        }
                        stepped = true;
                        if !more() {
                            break;
                        }
                    }
                    if stepped {
                        let elapsed = self.now_ms() - at;
                        self.log(at, Logged::Advance(elapsed));
                        self.cluster_changed();
                    } else {
                        self.playing = false;
                        self.notice = Some(Notice::Idle);
                    }
                } else if self.playing {
                    let at = self.now_ms();
                    let wanted = self.tick_virtual_ms;
                    // A budgeted tick stops between instants; the log holds how far it got, and
                    // a replay of that advance rebuilds exactly this cluster.
                    let reached = self.cluster.borrow_mut().advance_while(wanted, self.tick_budget_left());
                    self.pace = (reached < wanted).then(|| reached as f64 / PLAY_INTERVAL_MS as f64);
                    self.log(at, Logged::Advance(reached));
                    self.cluster_changed();
                }
            }
            Action::EditFile { path, text, generation } => {
                if path == self.open_file && generation == self.workspace_generation {
                    Rc::make_mut(&mut self.workspace).files.insert(path, text);
                }
            }
            Action::RunCommand(line) => {
                let line = line.trim();
                if line.is_empty() {
                    return;
                }
                if line == "clear" {
                    self.terminal = Rc::default();
                    return;
                }
                // A new command ends the one still following the cluster, as Ctrl-C would.
                self.interrupt();
                let started =
                    kubeplay_model::kubectl::live_start(&mut self.cluster.borrow_mut(), line, &self.workspace);
                if let Some((first, live)) = started {
                    // It changes nothing, so it is not logged; it follows the cluster while time
                    // plays, so time plays.
                    self.record(std::slice::from_ref(&first));
                    self.append_terminal(std::slice::from_ref(&first));
                    self.live = Some(live);
                    self.playing = true;
                    return;
                }
                let at = self.now_ms();
                let results = self.cluster.borrow_mut().run(line, &self.workspace);
                self.log(at, Logged::Run { script: line.to_string(), ws: self.workspace.clone() });
                self.record(&results);
                if results.iter().any(|r| !r.diagnostics.is_empty()) {
                    self.diagnostics = Rc::new(results.iter().flat_map(|r| r.diagnostics.iter().cloned()).collect());
                }
                if results.is_empty() {
                    // The model echoes nothing for a line it has no command in (e.g. a comment);
                    // echo it anyway so the learner sees it was read.
                    let echo = CommandResult {
                        command: line.to_string(),
                        output: String::new(),
                        ok: true,
                        diagnostics: vec![],
                    };
                    self.append_terminal(&[echo]);
                } else {
                    self.append_terminal(&results);
                }
                self.cluster_changed();
            }
            Action::Select(selection) => {
                // Choosing a pod after a node (or back) shows the tab that suits it.
                let kind_changed = self.selection.as_ref().map(|s| s.kind) != Some(selection.kind);
                if kind_changed {
                    self.inspector_tab =
                        if selection.kind == Kind::Pod { InspectorTab::Scheduling } else { InspectorTab::Conditions };
                }
                self.selection = Some(selection);
                // Selecting something to inspect shows the inspector even if it was collapsed.
                self.collapsed.inspector = false;
                self.reinspect();
            }
            Action::ClearSelection => {
                self.selection = None;
                self.inspected = None;
            }
            Action::ShowTab(tab) => self.inspector_tab = tab,
            Action::SetLang(lang) => self.lang = lang,
            Action::TogglePanel(panel) => self.collapsed.toggle(panel),
            Action::OpenFile(path) => {
                if self.workspace.files.contains_key(&path) {
                    self.open_file = path;
                }
            }
            Action::SetSpeed(speed) => {
                if SPEEDS.contains(&speed) {
                    self.tick_virtual_ms = speed * PLAY_INTERVAL_MS;
                    self.pace = None;
                }
            }
            Action::StartLesson(name) => {
                let catalog = crate::lessons::catalog();
                let Some(entry) = catalog.find(&name) else {
                    self.notice = Some(Notice::NoSuchLesson);
                    return;
                };
                let (cluster, workspace, _setup) = entry.lesson.start(&entry.base);
                let now = cluster.now().ms();
                self.open_file = entry.lesson.open_file(&workspace).unwrap_or_default();
                self.workspace = Rc::new(workspace);
                self.workspace_generation += 1;
                self.cluster = Rc::new(RefCell::new(cluster));
                self.terminal = Rc::default();
                self.apply_output = Rc::default();
                self.apply_ok = None;
                self.diagnostics = Rc::default();
                self.selection = None;
                self.inspected = None;
                self.playing = false;
                self.collapsed.lesson = false;
                self.timeline = Rc::new(Timeline::new(Origin::Lesson(name.clone()), &self.cluster.borrow()));
                self.lesson = Some(Rc::new(LessonSession {
                    lesson: entry.lesson.clone(),
                    progress: Progress::new(now),
                    hints_shown: BTreeMap::new(),
                    outcomes: vec![],
                }));
                self.cluster_changed();
            }
            Action::LeaveLesson => self.lesson = None,
            Action::ShowMe => {
                let Some(script) = self.current_step().map(|s| s.show_me.clone()) else { return };
                let at = self.now_ms();
                let results = self.cluster.borrow_mut().run(&script, &self.workspace);
                self.log(at, Logged::Run { script, ws: self.workspace.clone() });
                self.record(&results);
                self.append_terminal(&results);
                self.cluster_changed();
            }
            Action::Seek(t) => {
                self.playing = false;
                self.seek(t);
            }
            Action::LoadShared(shared) => {
                let keep =
                    (self.lang, self.hidden, self.read_only, self.tick_virtual_ms, self.workspace_generation + 1);
                *self = AppState::default();
                (self.lang, self.hidden, self.read_only, self.tick_virtual_ms, self.workspace_generation) = keep;
                self.workspace = Rc::new(kubeplay_model::Workspace { files: shared.files, ..Default::default() });
                self.open_file = if self.workspace.files.contains_key(&shared.open_file) {
                    shared.open_file
                } else {
                    self.workspace.files.keys().next().cloned().unwrap_or_default()
                };
                self.notice = Some(Notice::SharedLoaded);
            }
            Action::Say(notice) => self.notice = Some(notice),
            Action::Interrupt => self.interrupt(),
            Action::ShowCharts(on) => {
                self.charts = on.then(|| Rc::new(self.cluster.borrow().charts()));
            }
            Action::RevealHint => {
                let Some(session) = self.lesson.as_mut() else { return };
                let session = Rc::make_mut(session);
                let step = session.progress.current;
                let available = session.lesson.spec.steps.get(step).map_or(0, |s| s.hints.len());
                let shown = session.hints_shown.entry(step).or_default();
                *shown = (*shown + 1).min(available);
            }
        }
    }

    /// The cluster's virtual time.
    pub fn now_ms(&self) -> u64 {
        self.cluster.borrow().now().ms()
    }

    /// Whether the page shows the past (the learner seeked back on the timeline).
    pub fn in_past(&self) -> bool {
        self.now_ms() < self.timeline.head_ms
    }

    /// Stops the live command, as Ctrl-C does in a terminal.
    fn interrupt(&mut self) {
        if self.live.take().is_some() {
            Rc::make_mut(&mut self.terminal).push_str("^C\n");
        }
    }

    /// Shows the cluster at `t` (within the log), rebuilt from the timeline.
    fn seek(&mut self, t: u64) {
        self.interrupt();
        let t = t.clamp(self.timeline.start_ms(), self.timeline.head_ms);
        if t != self.now_ms() {
            self.cluster = Rc::new(RefCell::new(self.timeline.cluster_at(t)));
            self.cluster_changed();
        }
    }

    /// Applies a logged action to the cluster without showing anything, and logs it: how a
    /// stored session is rebuilt ([`crate::persist::load`]).
    pub(crate) fn replay(&mut self, at: u64, what: Logged) {
        {
            let mut c = self.cluster.borrow_mut();
            let now = c.now().ms();
            if now < at {
                c.advance(at - now);
            }
            what.apply_to(&mut c);
        }
        self.log(at, what);
    }

    /// Puts back the learner's files (after a replay) and redraws.
    pub(crate) fn restore_files(&mut self, files: BTreeMap<String, String>, open_file: String) {
        self.workspace = Rc::new(kubeplay_model::Workspace { files, ..Default::default() });
        self.workspace_generation += 1;
        if self.workspace.files.contains_key(&open_file) {
            self.open_file = open_file;
        }
        self.cluster_changed();
    }

    /// Marks the lesson steps a stored session had done.
    pub(crate) fn restore_lesson_steps(&mut self, done_at: &[u64]) {
        let Some(session) = self.lesson.as_mut() else { return };
        let s = Rc::make_mut(session);
        let steps = s.lesson.spec.steps.len();
        if done_at.len() > s.progress.done_at.len() {
            s.progress.done_at = done_at.iter().copied().take(steps).collect();
            s.progress.current = s.progress.done_at.len();
            s.progress.log = lesson::StepLog { start_ms: done_at.last().copied().unwrap_or(0), commands: vec![] };
        }
        self.update_lesson();
    }

    /// Adds what just changed the cluster to the timeline.
    fn log(&mut self, at: u64, what: Logged) {
        let cluster = self.cluster.borrow();
        Rc::make_mut(&mut self.timeline).record(at, what, &cluster);
    }

    /// The lesson step the learner is on, if a lesson is being played and not finished.
    pub fn current_step(&self) -> Option<&lesson::Step> {
        let s = self.lesson.as_ref()?;
        s.lesson.spec.steps.get(s.progress.current)
    }

    /// Shows what one or more applies printed, in the problems panel and the terminal.
    fn show_apply(&mut self, results: &[CommandResult]) {
        self.apply_output = Rc::new(results.iter().flat_map(|r| r.output.lines().map(str::to_string)).collect());
        self.apply_ok = Some(results.iter().all(|r| r.ok));
        self.diagnostics = Rc::new(results.iter().flat_map(|r| r.diagnostics.iter().cloned()).collect());
        self.record(results);
        self.append_terminal(results);
        self.cluster_changed();
    }

    /// Tells the lesson what the learner ran (some goals ask for a command).
    fn record(&mut self, results: &[CommandResult]) {
        if let Some(session) = self.lesson.as_mut() {
            Rc::make_mut(session).progress.record(results);
        }
    }

    /// Marks lesson steps done whose goals now hold, and refreshes the current step's checks.
    fn update_lesson(&mut self) {
        let Some(session) = self.lesson.as_mut() else { return };
        let cluster = self.cluster.borrow();
        let s = Rc::make_mut(session);
        let was_finished = s.progress.finished(&s.lesson);
        s.progress.update(&s.lesson, &cluster);
        s.outcomes = match s.lesson.spec.steps.get(s.progress.current) {
            Some(step) => lesson::evaluate(&step.goal, &cluster, &s.progress.log),
            None => vec![],
        };
        if !was_finished && s.progress.finished(&s.lesson) && !s.lesson.spec.steps.is_empty() {
            self.notice = Some(Notice::LessonDone);
        }
    }

    /// Recomputes the view (and the inspection of the selected object) after the cluster changed.
    fn cluster_changed(&mut self) {
        self.version += 1;
        self.view = Rc::new(self.cluster.borrow().view());
        if self.charts.is_some() {
            self.charts = Some(Rc::new(self.cluster.borrow().charts()));
        }
        self.reinspect();
        self.update_lesson();
        if let Some(live) = self.live.as_mut() {
            let (text, finished) = live.poll(&self.cluster.borrow());
            if !text.is_empty() {
                Rc::make_mut(&mut self.terminal).push_str(&text);
            }
            if finished {
                self.live = None;
            }
        }
    }

    /// Asks the model about the selected object again. An unchanged inspection keeps its `Rc`,
    /// so the inspector does not redraw while playing time leaves the object as it was.
    fn reinspect(&mut self) {
        let Some(sel) = &self.selection else {
            self.inspected = None;
            return;
        };
        let fresh = self.cluster.borrow().inspect(sel.kind, &sel.namespace, &sel.name);
        self.inspected = match (fresh, self.inspected.take()) {
            (Some(fresh), Some(old)) if *old == fresh => Some(old),
            (fresh, _) => fresh.map(Rc::new),
        };
    }

    fn append_terminal(&mut self, results: &[CommandResult]) {
        let text = kubeplay_model::kubectl::transcript(results);
        let terminal = Rc::make_mut(&mut self.terminal);
        terminal.push_str(&text);
        if terminal.len() > TERMINAL_MAX_BYTES {
            let cut = terminal.len() - TERMINAL_MAX_BYTES;
            let cut = terminal[cut..].find('\n').map(|i| cut + i + 1).unwrap_or(terminal.len());
            terminal.drain(..cut);
        }
    }
}

/// Every manifest of the workspace as one multi-document YAML file, in path order, each
/// introduced by a comment naming its file: what "Export" downloads. It applies unchanged with
/// `kubectl apply -f` on a real cluster (kubeplay's behaviour-profile annotations are ordinary
/// annotations there).
pub fn export_manifests(files: &BTreeMap<String, String>) -> String {
    let mut out = String::from("# Exported from kubeplay: every manifest of the workspace.\n");
    for (path, text) in files {
        if !(path.ends_with(".yaml") || path.ends_with(".yml") || path.ends_with(".json")) {
            continue;
        }
        out.push_str(&format!("---\n# {path}\n"));
        let body = text.trim_end();
        out.push_str(body.strip_prefix("---\n").unwrap_or(body));
        out.push('\n');
    }
    out
}

/// The folders (and top-level files) holding the workspace's manifests, each applied with one
/// `kubectl apply -f` as a learner would apply `deploy/k8s/`.
pub fn manifest_folders(ws: &kubeplay_model::Workspace) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for path in ws.files.keys() {
        if !(path.ends_with(".yaml") || path.ends_with(".yml") || path.ends_with(".json")) {
            continue;
        }
        let target = match path.rfind('/') {
            Some(i) => format!("{}/", &path[..i]),
            None => path.clone(),
        };
        if !out.contains(&target) {
            out.push(target);
        }
    }
    out
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        next.update(action);
        Rc::new(next)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An edit of the file the editor opens with.
    pub(crate) fn edit(text: &str) -> Action {
        Action::EditFile { path: DEFAULT_FILE_PATH.into(), text: text.into(), generation: 0 }
    }

    #[test]
    fn an_edit_to_a_file_no_longer_open_is_dropped() {
        let s = replay([Action::EditFile { path: "old.yaml".into(), text: "kind: Pod\n".into(), generation: 0 }]);
        assert_eq!(s.open_text(), DEFAULT_DEPLOYMENT_YAML);
        assert!(!s.workspace.files.contains_key("old.yaml"));
    }

    #[test]
    fn an_edit_to_a_workspace_since_replaced_is_dropped_even_at_the_same_path() {
        // A lesson that opens the same path as free play starts before the edit arrives.
        let catalog = crate::lessons::catalog();
        let same = catalog.entries.iter().find(|e| {
            let (_, ws, _) = e.lesson.start(&e.base);
            e.lesson.open_file(&ws).as_deref() == Some(DEFAULT_FILE_PATH)
        });
        let lesson = same.expect("a lesson that opens deploy/k8s/deployment.yaml").lesson.name.clone();
        let s = replay([Action::StartLesson(lesson), edit("kind: Typed\n")]);
        assert_ne!(s.open_text(), "kind: Typed\n");
        assert_eq!(s.workspace_generation, 1);
        let s = replay([Action::EditFile {
            path: DEFAULT_FILE_PATH.into(),
            text: "kind: Typed\n".into(),
            generation: s.workspace_generation,
        }]);
        assert_eq!(s.open_text(), DEFAULT_DEPLOYMENT_YAML, "generation 1 is not this fresh page's");
    }

    /// Replays actions into the reducer, as the page would dispatch them.
    fn replay(actions: impl IntoIterator<Item = Action>) -> Rc<AppState> {
        actions.into_iter().fold(Rc::new(AppState::default()), |s, a| s.reduce(a))
    }

    #[test]
    fn starts_with_the_default_deployment_open() {
        let s = AppState::default();
        assert_eq!(s.open_file, DEFAULT_FILE_PATH);
        assert!(s.open_text().contains("kind: Deployment"));
        assert!(s.open_text().contains("image: nginx:1.27"));
        assert!(s.open_text().contains("cpu: 500m"));
        assert!(!s.playing);
        assert_eq!(s.version, 0);
        assert_eq!(s.view.now_ms, 0);
    }

    #[test]
    fn edit_replaces_the_open_file_only() {
        let s = replay([edit("kind: Pod\n")]);
        assert_eq!(s.open_text(), "kind: Pod\n");
        assert_eq!(s.workspace.files.len(), 1);
        // Editing does not touch the cluster.
        assert_eq!(s.version, 0);
    }

    #[test]
    fn edit_does_not_change_earlier_states() {
        let before = Rc::new(AppState::default());
        let after = before.clone().reduce(edit("x"));
        assert!(before.open_text().contains("kind: Deployment"));
        assert_eq!(after.open_text(), "x");
    }

    #[test]
    fn toggle_play_flips_playing() {
        let s = replay([Action::TogglePlay]);
        assert!(s.playing);
        let s = s.reduce(Action::TogglePlay);
        assert!(!s.playing);
    }

    #[test]
    fn tick_advances_virtual_time_only_while_playing() {
        let s = replay([Action::Tick]);
        assert_eq!(s.view.now_ms, 0, "a tick while paused is dropped");
        let s = s.reduce(Action::TogglePlay).reduce(Action::Tick);
        assert_eq!(s.view.now_ms, PLAY_TICK_VIRTUAL_MS);
        assert_eq!(s.cluster.borrow().now().ms(), PLAY_TICK_VIRTUAL_MS);
        assert_eq!(s.version, 1);
        let s = s.reduce(Action::Tick).reduce(Action::TogglePlay).reduce(Action::Tick);
        assert_eq!(s.view.now_ms, 2 * PLAY_TICK_VIRTUAL_MS);
    }

    /// A clock that moves 1 ms each time it is read: a budget of 5 ms lets a tick finish about
    /// five instants of virtual time.
    fn ticking_clock() -> f64 {
        thread_local!(static NOW: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) });
        NOW.with(|n| {
            n.set(n.get() + 1.0);
            n.get()
        })
    }

    /// Out of budget, a tick plays less than the chosen speed and says so; what it logged replays
    /// to the same cluster (the timeline seeks by replaying the log).
    #[test]
    fn a_tick_out_of_budget_plays_slower_and_replays_exactly() {
        let s = Rc::new(AppState::default().with_tick_budget(TickBudget { now: ticking_clock, ms: 5.0 }));
        let s = s
            .reduce(Action::RunCommand("kubectl create deployment web --image=nginx:1.27 --replicas=6".into()))
            .reduce(Action::RunCommand("kubectl expose deployment web --port=80".into()))
            .reduce(Action::RunCommand("traffic start web --rps 50".into()))
            .reduce(Action::SetSpeed(100))
            .reduce(Action::TogglePlay);
        let mut s = s;
        let mut short = 0;
        for _ in 0..30 {
            s = s.reduce(Action::Tick);
            short += usize::from(s.pace.is_some());
        }
        assert!(short > 0, "a 5 ms budget cuts some 10 s ticks short");
        assert!(s.now_ms() < 30 * 100 * PLAY_INTERVAL_MS, "time played slower than 100x");
        let live = s.cluster.borrow().digest();
        let rebuilt = s.timeline.cluster_at(s.now_ms());
        assert_eq!((rebuilt.now().ms(), rebuilt.digest()), (s.now_ms(), live));
        // Unbudgeted, the same ticks play at the chosen speed.
        let mut u = Rc::new(AppState::default()).reduce(Action::SetSpeed(100)).reduce(Action::TogglePlay);
        for _ in 0..3 {
            u = u.reduce(Action::Tick);
        }
        assert_eq!((u.now_ms(), u.pace), (3 * 100 * PLAY_INTERVAL_MS, None));
        // Another speed, or a tick that keeps up, takes the slower-speed notice away.
        assert!(
            s.pace.is_some()
                || (0..30).any(|_| {
                    s = s.clone().reduce(Action::Tick);
                    s.pace.is_some()
                })
        );
        assert_eq!(s.clone().reduce(Action::SetSpeed(MAX_SPEED)).pace, None);
        assert_eq!(s.reduce(Action::SetSpeed(MAX_SPEED)).reduce(Action::Tick).pace, None);
    }

    #[test]
    fn apply_echoes_the_command_in_the_terminal() {
        let s = replay([Action::Apply]);
        assert!(s.terminal.starts_with(&format!("$ kubectl apply -f {DEFAULT_FILE_PATH}\n")), "{}", s.terminal);
        assert!(s.apply_ok.is_some());
        assert_eq!(s.version, 1);
    }

    #[test]
    fn blank_lines_run_nothing_and_clear_empties_the_terminal() {
        let s = replay([Action::RunCommand("   ".into())]);
        assert_eq!(s.terminal.as_str(), "");
        assert_eq!(s.version, 0);
        let s = s.reduce(Action::RunCommand("kubectl get pods".into()));
        assert!(s.terminal.starts_with("$ kubectl get pods\n"), "{}", s.terminal);
        let s = s.reduce(Action::RunCommand("clear".into()));
        assert_eq!(s.terminal.as_str(), "");
    }

    #[test]
    fn the_terminal_is_bounded() {
        let mut s = AppState::default();
        let long = "x".repeat(1000);
        for _ in 0..(TERMINAL_MAX_BYTES / 1000 + 10) {
            s.append_terminal(&[CommandResult {
                command: "echo".into(),
                output: long.clone(),
                ok: true,
                diagnostics: vec![],
            }]);
        }
        assert!(s.terminal.len() <= TERMINAL_MAX_BYTES);
        assert!(s.terminal.starts_with("$ echo\n") || s.terminal.starts_with('x'));
    }

    #[test]
    fn step_on_an_idle_cluster_says_so() {
        let s = replay([Action::Step]);
        // With nothing applied, a fresh cluster may still have start-up work scheduled; step
        // until idle and check the notice then.
        let mut s = s;
        for _ in 0..1000 {
            if s.notice.is_some() {
                break;
            }
            s = s.reduce(Action::Step);
        }
        assert_eq!(s.notice, Some(Notice::Idle));
    }

    // Tests named `model_*` need the real model (crates/model): with its stubs, apply creates
    // nothing and the cluster has no nodes.
    #[test]
    fn model_apply_then_step_places_three_pods_on_nodes() {
        let mut s = replay([Action::Apply]);
        assert_eq!(s.apply_ok, Some(true));
        assert!(s.apply_output.iter().any(|l| l == "deployment.apps/web created"), "{:?}", s.apply_output);
        assert_eq!(s.view.nodes.len(), 3);
        for _ in 0..200 {
            s = s.reduce(Action::Step);
        }
        let pods: Vec<_> = s.view.nodes.iter().flat_map(|n| &n.pods).collect();
        assert_eq!(pods.len(), 3, "{:?}", s.view);
        assert!(pods.iter().all(|p| p.status == "Running"), "{pods:?}");
        let requested: i64 = s.view.nodes.iter().map(|n| n.cpu_requested_milli).sum();
        assert_eq!(requested, 1500);
    }

    #[test]
    fn model_apply_of_a_broken_file_reports_the_line() {
        let broken = DEFAULT_DEPLOYMENT_YAML.replace("replicas: 3", "replicas: three");
        let s = replay([edit(&broken), Action::Apply]);
        assert_eq!(s.apply_ok, Some(false));
        let d = s.diagnostics.first().expect("a diagnostic");
        assert_eq!(d.file, DEFAULT_FILE_PATH);
        assert_eq!(d.line, 8);
        assert!(s.view.nodes.iter().all(|n| n.pods.is_empty()));
    }

    // ---- Selection and the inspector ----

    /// Applies the default Deployment and steps until its three pods run.
    fn running_web() -> Rc<AppState> {
        let mut s = replay([Action::Apply]);
        for _ in 0..200 {
            if s.view.nodes.iter().flat_map(|n| &n.pods).filter(|p| p.status == "Running").count() == 3 {
                break;
            }
            s = s.reduce(Action::Step);
        }
        s
    }

    fn first_pod(s: &AppState) -> kubeplay_model::PodView {
        s.view.nodes.iter().flat_map(|n| &n.pods).next().expect("a pod on a node").clone()
    }

    #[test]
    fn nothing_is_selected_at_first() {
        let s = AppState::default();
        assert_eq!(s.selection, None);
        assert!(s.inspected.is_none());
        assert_eq!(s.lang, Lang::En);
        assert_eq!(s.collapsed, Collapsed::default());
    }

    #[test]
    fn selecting_something_that_does_not_exist_keeps_the_selection_with_nothing_inspected() {
        let s = replay([Action::Select(Selection::pod("default", "ghost"))]);
        assert_eq!(s.selection, Some(Selection::pod("default", "ghost")));
        assert!(s.inspected.is_none(), "a missing object reads as deleted");
        // Selecting changes nothing in the cluster.
        assert_eq!(s.version, 0);
    }

    #[test]
    fn clear_selection_closes_the_inspector() {
        let s = replay([Action::Select(Selection::node("node-1")), Action::ClearSelection]);
        assert_eq!(s.selection, None);
        assert!(s.inspected.is_none());
    }

    #[test]
    fn a_pod_opens_on_scheduling_a_node_on_conditions_and_a_chosen_tab_sticks_within_a_kind() {
        let s = replay([Action::Select(Selection::pod("default", "a"))]);
        assert_eq!(s.effective_tab(), InspectorTab::Scheduling);
        let s = s.reduce(Action::ShowTab(InspectorTab::Yaml)).reduce(Action::Select(Selection::pod("default", "b")));
        assert_eq!(s.effective_tab(), InspectorTab::Yaml, "another pod keeps the tab");
        let s = s.reduce(Action::Select(Selection::node("node-1")));
        assert_eq!(s.effective_tab(), InspectorTab::Conditions, "a node has no scheduling tab");
        let s = s.reduce(Action::ShowTab(InspectorTab::Scheduling));
        assert_eq!(s.effective_tab(), InspectorTab::Conditions, "never the scheduling tab for a node");
        let s = s.reduce(Action::Select(Selection::pod("default", "a")));
        assert_eq!(s.effective_tab(), InspectorTab::Scheduling);
    }

    #[test]
    fn language_switches_the_interface_only() {
        let s = replay([Action::RunCommand("kubectl get pods".into())]);
        let (terminal, version) = (s.terminal.clone(), s.version);
        let s = s.reduce(Action::SetLang(Lang::Zh));
        assert_eq!(s.lang, Lang::Zh);
        assert_eq!(s.lang.text().apply, "应用");
        // The cluster and what it printed are untouched.
        assert_eq!(s.version, version);
        assert_eq!(s.terminal, terminal);
        let s = s.reduce(Action::RunCommand("kubectl get pods".into()));
        assert!(s.terminal.ends_with(terminal.as_str()), "kubectl prints the same in any interface language");
        assert_eq!(s.reduce(Action::SetLang(Lang::En)).lang, Lang::En);
        assert_eq!(AppState::default().with_lang(Lang::Zh).lang, Lang::Zh);
    }

    #[test]
    fn panels_collapse_and_selecting_reopens_the_inspector() {
        let s = replay([Action::TogglePanel(Panel::Editor), Action::TogglePanel(Panel::Events)]);
        assert!(s.collapsed.get(Panel::Editor));
        assert!(s.collapsed.get(Panel::Events));
        assert!(!s.collapsed.get(Panel::Terminal));
        let s = s.reduce(Action::TogglePanel(Panel::Editor));
        assert!(!s.collapsed.get(Panel::Editor));
        let s = s.reduce(Action::TogglePanel(Panel::Inspector));
        assert!(s.collapsed.get(Panel::Inspector));
        let s = s.reduce(Action::Select(Selection::node("node-2")));
        assert!(!s.collapsed.get(Panel::Inspector), "selecting shows what was selected");
    }

    #[test]
    fn model_selecting_a_running_pod_inspects_it_with_a_scheduling_breakdown() {
        let s = running_web();
        let pod = first_pod(&s);
        let s = s.reduce(Action::Select(Selection::pod(&pod.namespace, &pod.name)));
        let view = s.inspected.clone().expect("the pod exists");
        assert_eq!((view.kind.as_str(), view.name.as_str()), ("Pod", pod.name.as_str()));
        assert!(view.why.iter().any(|w| w.contains("Running")), "{:?}", view.why);
        assert!(view.yaml.contains(&format!("name: {}", pod.name)), "{}", view.yaml);
        let scheduling = view.scheduling.as_ref().expect("a scheduling decision");
        assert_eq!(scheduling.nodes.len(), 3);
        assert_eq!(scheduling.chosen, pod.node);
    }

    #[test]
    fn model_the_inspection_follows_the_cluster_and_reads_deleted_when_the_pod_is_gone() {
        let s = running_web();
        let pod = first_pod(&s);
        let s = s.reduce(Action::Select(Selection::pod(&pod.namespace, &pod.name)));
        let (before, version) = (s.inspected.clone().expect("the pod exists"), s.version);
        // An unchanged object keeps its inspection (no redraw while time passes).
        let s = s.reduce(Action::TogglePlay).reduce(Action::Tick);
        let after = s.inspected.clone().expect("still there");
        assert_eq!(s.version, version + 1, "the tick changed the cluster");
        if *after == *before {
            assert!(Rc::ptr_eq(&before, &after), "an unchanged inspection is not replaced");
        }
        let mut s = s.reduce(Action::TogglePlay).reduce(Action::RunCommand(format!("kubectl delete pod {}", pod.name)));
        for _ in 0..200 {
            if s.inspected.is_none() {
                break;
            }
            s = s.reduce(Action::Step);
        }
        assert!(s.inspected.is_none(), "the deleted pod is gone: {:?}", s.inspected.as_ref().map(|v| &v.why));
        assert_eq!(
            s.selection,
            Some(Selection::pod(&pod.namespace, &pod.name)),
            "the selection stays, reading deleted"
        );
    }

    #[test]
    fn model_selecting_a_node_inspects_it() {
        let s = replay([Action::Select(Selection::node("node-1"))]);
        let view = s.inspected.clone().expect("node-1 exists");
        assert_eq!(view.kind, "Node");
        assert!(view.scheduling.is_none());
        assert!(view.conditions.iter().any(|c| c.condition_type == "Ready" && c.status == "True"));
    }
}

#[cfg(test)]
mod max_speed_tests {
    use super::*;

    #[test]
    fn model_as_fast_as_possible_runs_many_events_per_tick_and_stops_when_idle() {
        let s = Rc::new(AppState::default()).reduce(Action::Apply).reduce(Action::SetSpeed(MAX_SPEED));
        let mut s = s.reduce(Action::TogglePlay);
        let t0 = s.now_ms();
        s = s.reduce(Action::Tick);
        assert!(s.now_ms() > t0 + 1_000, "one tick ran far: {} ms", s.now_ms() - t0);
        assert_eq!(s.view.nodes.iter().flat_map(|n| &n.pods).filter(|p| p.status == "Running").count(), 3);
        for _ in 0..100 {
            if !s.playing {
                break;
            }
            s = s.reduce(Action::Tick);
        }
        assert!(!s.playing, "play stops when nothing is scheduled");
        assert_eq!(s.notice, Some(Notice::Idle));
        // Replaying the log lands on the same cluster.
        assert_eq!(s.timeline.cluster_at(s.timeline.head_ms).digest(), s.cluster.borrow().digest());
    }
}

#[cfg(test)]
mod live_tests {
    use super::*;

    #[test]
    fn model_a_watch_follows_play_until_ctrl_c_and_a_rollout_status_ends_itself() {
        let s = Rc::new(AppState::default()).reduce(Action::Apply);
        let mut s = s.reduce(Action::RunCommand("kubectl get pods -w".into()));
        assert!(s.live.is_some() && s.playing, "a watch plays time");
        let before = s.terminal.len();
        for _ in 0..10 {
            s = s.reduce(Action::Tick);
        }
        assert!(s.terminal[before..].contains("Running"), "{}", s.terminal);
        let s = s.reduce(Action::Interrupt);
        assert!(s.live.is_none());
        assert!(s.terminal.ends_with("^C\n"));
        let head = s.timeline.entries.len();
        // The watch was not logged: replaying never runs it.
        assert!(
            !s.timeline.entries.iter().any(|e| matches!(&e.what, Logged::Run { script, .. } if script.contains("-w")))
        );
        let mut s = s
            .reduce(Action::RunCommand("kubectl set image deployment/web nginx=nginx:1.28".into()))
            .reduce(Action::RunCommand("kubectl rollout status deployment/web".into()));
        assert!(s.live.is_some());
        for _ in 0..200 {
            if s.live.is_none() {
                break;
            }
            s = s.reduce(Action::Tick);
        }
        assert!(s.live.is_none(), "the rollout finished");
        assert!(s.terminal.ends_with("deployment \"web\" successfully rolled out\n"), "{}", s.terminal);
        assert!(s.timeline.entries.len() > head);
    }
}

#[cfg(test)]
mod share_tests {
    use super::*;

    #[test]
    fn a_shared_workspace_opens_in_free_play_with_its_files() {
        let s = Rc::new(AppState::default().with_lang(Lang::Zh))
            .reduce(Action::StartLesson("config-and-secrets".into()))
            .reduce(Action::OpenFile("deploy/k8s/secret.yaml".into()));
        let shared = crate::share::Shared { files: s.workspace.files.clone(), open_file: s.open_file.clone() };
        let link = crate::share::encode(&shared);
        let back = crate::share::decode(&link).expect("a link").expect("readable");
        let t = Rc::new(AppState::default().with_lang(Lang::Zh)).reduce(Action::LoadShared(back));
        assert!(t.lesson.is_none());
        assert_eq!(t.workspace.files, s.workspace.files);
        assert_eq!(t.open_file, "deploy/k8s/secret.yaml");
        assert_eq!(t.lang, Lang::Zh, "the interface stays as it was");
        assert_eq!(t.notice, Some(Notice::SharedLoaded));
        assert_eq!(t.view.nodes.len(), 3, "a fresh free-play cluster");
    }
}

#[cfg(test)]
mod export_tests {
    use super::*;

    #[test]
    fn model_the_export_applies_unchanged_and_creates_every_object() {
        let s = Rc::new(AppState::default()).reduce(Action::StartLesson("rolling-update".into()));
        let text = export_manifests(&s.workspace.files);
        assert!(text.contains("# deploy/k8s/deployment.yaml\n"), "{text}");
        let mut fresh = Cluster::new(ClusterConfig::default());
        let r = fresh.run(&format!("kubectl apply -f - <<'EOF'\n{text}EOF"), &kubeplay_model::Workspace::default());
        assert!(r[0].ok, "{}", r[0].output);
        // One object per document of every file.
        let docs: usize = s
            .workspace
            .files
            .values()
            .map(|f| f.split("\n---").filter(|d| d.lines().any(|l| l.starts_with("kind:"))).count())
            .sum();
        assert_eq!(r[0].output.lines().filter(|l| l.ends_with(" created")).count(), docs, "{}", r[0].output);
    }
}

#[cfg(test)]
mod timeline_tests {
    use super::*;

    fn digest(s: &AppState) -> u64 {
        s.cluster.borrow().digest()
    }

    #[test]
    fn model_seeking_back_shows_the_past_and_forward_the_present_again() {
        let mut s = Rc::new(AppState::default()).reduce(Action::Apply);
        for _ in 0..30 {
            s = s.reduce(Action::Step);
        }
        s = s.reduce(Action::RunCommand("kubectl scale deployment web --replicas=5".into()));
        s = s.reduce(Action::TogglePlay);
        for _ in 0..20 {
            s = s.reduce(Action::Tick);
        }
        s = s.reduce(Action::TogglePlay);
        let (head, present) = (s.now_ms(), digest(&s));
        assert_eq!(s.timeline.head_ms, head);
        assert!(!s.in_past());

        let s = s.reduce(Action::Seek(1_000));
        assert_eq!(s.now_ms(), 1_000);
        assert!(s.in_past());
        let pods_then: usize = s.view.nodes.iter().map(|n| n.pods.len()).sum::<usize>() + s.view.pending.len();
        assert_eq!(pods_then, 3, "before the scale there were 3 pods");

        // Play from the past replays history without changing it.
        let mut s = s.reduce(Action::TogglePlay);
        while s.in_past() {
            s = s.reduce(Action::Tick);
        }
        assert_eq!((s.now_ms(), digest(&s)), (head, present), "the same present as before");
        assert_eq!(s.timeline.head_ms, head);

        // Step in the past follows the log too.
        let mut s = s.reduce(Action::TogglePlay).reduce(Action::Seek(0));
        let mut steps = 0;
        while s.in_past() && steps < 10_000 {
            s = s.reduce(Action::Step);
            steps += 1;
        }
        assert_eq!((s.now_ms(), digest(&s)), (head, present));
    }

    #[test]
    fn model_acting_in_the_past_starts_a_new_branch() {
        let mut s = Rc::new(AppState::default()).reduce(Action::Apply);
        for _ in 0..40 {
            s = s.reduce(Action::Step);
        }
        let s = s.reduce(Action::Seek(2_000));
        let s = s.reduce(Action::RunCommand("kubectl delete deployment web".into()));
        assert_eq!(s.timeline.head_ms, s.now_ms());
        assert!(!s.in_past(), "the future was dropped");
        assert!(s.timeline.entries.iter().all(|e| e.at_ms <= 2_000));
    }
}

#[cfg(test)]
mod lesson_tests {
    use super::*;

    fn start(name: &str) -> Rc<AppState> {
        Rc::new(AppState::default()).reduce(Action::StartLesson(name.into()))
    }

    #[test]
    fn embed_options_read_the_query_string() {
        let o = EmbedOptions::from_query(
            "?lesson=config-and-secrets&lang=zh-CN&hide=editor,events,bogus&readonly=1&speed=100&play=1",
        );
        assert_eq!(o.lesson.as_deref(), Some("config-and-secrets"));
        assert_eq!(o.lang, Some(Lang::Zh));
        assert!(o.hide.editor && o.hide.events && !o.hide.terminal && !o.hide.lesson);
        assert!(o.read_only && o.play);
        assert_eq!(o.speed, Some(100));
        assert_eq!(EmbedOptions::from_query("speed=7").speed, None, "only the offered speeds");
        assert_eq!(EmbedOptions::from_query("lesson=a%20b+c%zz").lesson.as_deref(), Some("a b c%zz"));
        assert_eq!(EmbedOptions::from_query(""), EmbedOptions::default());
    }

    #[test]
    fn an_unknown_lesson_leaves_free_play_and_says_so() {
        let s = start("<script>alert(1)</script>");
        assert!(s.lesson.is_none());
        assert_eq!(s.notice, Some(Notice::NoSuchLesson));
        assert_eq!(s.version, 0, "the cluster is untouched");
    }

    #[test]
    fn model_a_lesson_starts_with_its_workspace_and_follows_the_learner() {
        let s = start("config-and-secrets");
        let session = s.lesson.clone().expect("started");
        assert_eq!(session.progress.current, 0);
        assert_eq!(s.open_file, "deploy/k8s/configmap.yaml");
        assert!(s.workspace.files.contains_key("deploy/k8s/secret.yaml"));
        assert_eq!(session.outcomes.len(), 2);
        assert!(session.outcomes.iter().all(|o| !o.met), "{:?}", session.outcomes);
        assert_eq!(s.view.nodes.len(), 1, "the lesson's one-node cluster");

        // Applying only the ConfigMap meets half of the first goal.
        let s = s.reduce(Action::Apply);
        let session = s.lesson.clone().unwrap();
        assert_eq!(session.progress.current, 0);
        assert_eq!(session.outcomes.iter().filter(|o| o.met).count(), 1);
        // The learner types the rest.
        let s = s.reduce(Action::RunCommand("kubectl apply -f deploy/k8s/secret.yaml".into()));
        assert_eq!(s.lesson.as_ref().unwrap().progress.current, 1, "step 1 is done");

        // Hints come one at a time, never more than there are.
        let s = s.reduce(Action::RevealHint).reduce(Action::RevealHint);
        assert_eq!(s.lesson.as_ref().unwrap().hints_shown(1), 1);

        // "Show me" runs step 2's commands in the terminal and completes it.
        let s = s.reduce(Action::ShowMe);
        assert!(s.terminal.contains("$ echo c2VjcmV0 | base64 -d\nsecret\n"), "{}", s.terminal);
        assert_eq!(s.lesson.as_ref().unwrap().progress.current, 2);

        // Step 3 needs pods to become Ready: show me, then time.
        let mut s = s.reduce(Action::ShowMe);
        for _ in 0..600 {
            if s.lesson.as_ref().unwrap().progress.finished(&s.lesson.as_ref().unwrap().lesson) {
                break;
            }
            s = s.reduce(Action::Step);
        }
        assert!(s.lesson.as_ref().unwrap().progress.finished(&s.lesson.as_ref().unwrap().lesson));
        let s = s.reduce(Action::LeaveLesson);
        assert!(s.lesson.is_none());
        assert!(s.workspace.files.contains_key("deploy/k8s/secret.yaml"), "leaving keeps the files");
    }

    #[test]
    fn embedding_starts_the_lesson_with_panels_hidden_and_the_editor_read_only() {
        let o = EmbedOptions::from_query("lesson=config-and-secrets&hide=events&readonly=1&speed=30");
        let s = AppState::default().with_embed(&o);
        assert!(s.lesson.is_some());
        assert!(s.hidden.events && s.read_only);
        assert_eq!(s.speed(), 30);
        assert!(!s.playing);
    }

    #[test]
    fn apply_all_applies_each_folder_once() {
        let ws = kubeplay_model::Workspace::default()
            .with_file("deploy/k8s/a.yaml", "")
            .with_file("deploy/k8s/b.yaml", "")
            .with_file("top.yaml", "")
            .with_file("README.md", "");
        assert_eq!(manifest_folders(&ws), ["deploy/k8s/", "top.yaml"]);
    }

    #[test]
    fn open_file_only_opens_files_that_exist_and_speed_only_takes_offered_values() {
        let s = start("config-and-secrets").reduce(Action::OpenFile("deploy/k8s/secret.yaml".into()));
        assert_eq!(s.open_file, "deploy/k8s/secret.yaml");
        let s = s.reduce(Action::OpenFile("nope.yaml".into()));
        assert_eq!(s.open_file, "deploy/k8s/secret.yaml");
        let s = s.reduce(Action::SetSpeed(100));
        assert_eq!(s.tick_virtual_ms, 10_000);
        let s = s.reduce(Action::SetSpeed(1000));
        assert_eq!(s.speed(), 100);
        let s = s.reduce(Action::SetSpeed(MAX_SPEED));
        assert_eq!(s.speed(), MAX_SPEED);
        assert_eq!(EmbedOptions::from_query("speed=max").speed, Some(MAX_SPEED));
    }
}
