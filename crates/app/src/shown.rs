//! The page's side of the model (issue #8: heavy work never blocks input). The cluster model and
//! the page's reducer ([`crate::state::AppState`]) run in a Web Worker ([`crate::engine`]); the
//! page sends it what the learner does ([`ToEngine`]) and draws what it sends back
//! ([`FromEngine`]): a [`Frame`] after every action, holding only what changed. A step that takes
//! a second at 10,000 pods then costs the page nothing: clicks, typing and scrolling go on.
//!
//! Messages cross the worker boundary as JSON text. Nothing in this module computes cluster
//! logic or touches the model's state, so the page's own wasm does not carry the model.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::rc::Rc;

use kubeplay_model::history::ChartsView;
use kubeplay_model::lesson::{CheckOutcome, Text};
use kubeplay_model::{ClusterView, Diagnostic, InspectView};
use serde::{Deserialize, Serialize};
use yew::{Callback, Reducible};

use crate::i18n::Lang;
use crate::share::Shared;
use crate::state::{Action, Collapsed, InspectorTab, Notice, PLAY_INTERVAL_MS, Selection};

/// What the page sends the engine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ToEngine {
    /// The first message: what the URL, the browser and the saved sessions say.
    Boot(Boot),
    /// One action, numbered; the frame that answers it carries the number.
    Act { seq: u64, action: Action },
    /// Tab in the terminal: the model's completions for the line's last word.
    Complete { seq: u64, line: String },
}

/// How the page starts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Boot {
    /// The URL's query string (an embedding page's options, docs/embedding.md).
    pub query: String,
    /// The browser's language.
    pub lang: Lang,
    /// The saved sessions the URL could resume (by localStorage key).
    pub stored: BTreeMap<String, String>,
    /// A share link in the URL's fragment, if there is one.
    pub share: Option<ShareFound>,
}

/// A share link as the page read it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ShareFound {
    Shared(Shared),
    Damaged,
    Newer,
}

/// What the engine sends the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FromEngine {
    /// The worker has loaded and listens (messages sent before are held until then).
    Ready,
    Frame(Box<Frame>),
    Completions(Completion),
    /// The engine panicked: the page shows the panic notice (crate::panic_page).
    Panicked(String),
}

/// The completions for one line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Completion {
    pub seq: u64,
    pub line: String,
    pub items: Vec<String>,
}

/// A value that changed since the last frame (a field that is `None` in a [`Frame`] did not).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Changed<T> {
    pub value: T,
}

/// The page as the engine sees it after one action. Small fields are always sent; large ones
/// only when they changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    /// The action this frame answers ([`ToEngine::Act`]'s `seq`); 0 for the boot frame.
    pub acked: u64,
    /// The workspace's generation (`AppState::workspace_generation`) and the key its session
    /// is saved under.
    pub workspace_generation: u64,
    pub session_key: String,
    /// Bumped every time the cluster changes.
    pub version: u64,
    pub files: Option<Changed<BTreeMap<String, String>>>,
    pub open_file: String,
    pub view: Option<Changed<ClusterView>>,
    pub apply_output: Option<Changed<Vec<String>>>,
    pub apply_ok: Option<bool>,
    pub diagnostics: Option<Changed<Vec<Diagnostic>>>,
    pub terminal: Option<Changed<String>>,
    pub playing: bool,
    pub tick_virtual_ms: u64,
    pub notice: Option<Notice>,
    pub selection: Option<Selection>,
    pub inspected: Option<Changed<Option<InspectView>>>,
    pub inspector_tab: InspectorTab,
    pub lang: Lang,
    pub collapsed: Collapsed,
    pub hidden: Collapsed,
    pub read_only: bool,
    /// The lesson's text (when another lesson starts or the lesson ends).
    pub lesson: Option<Changed<Option<LessonShown>>>,
    /// Where the learner is in the lesson.
    pub progress: Option<LessonProgress>,
    /// The timeline: its start and its head (the present), virtual ms.
    pub start_ms: u64,
    pub head_ms: u64,
    pub charts: Option<Changed<Option<ChartsView>>>,
    /// A command follows the cluster (`get -w`, `rollout status`).
    pub live: bool,
    pub pace: Option<f64>,
    /// The bundled lessons (the boot frame only).
    pub lessons: Option<Changed<Vec<LessonEntry>>>,
    /// A session to save: (localStorage key, text).
    pub save: Option<(String, String)>,
    /// A saved session that could not be loaded: the page keeps it aside under another key.
    pub set_aside: Option<String>,
}

/// A bundled lesson in the header's list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LessonEntry {
    pub name: String,
    pub title: Text,
}

/// A lesson's text as the lesson panel shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LessonShown {
    pub name: String,
    pub title: Text,
    pub text: Text,
    pub steps: Vec<StepShown>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepShown {
    pub title: Text,
    pub text: Text,
    pub hints: Vec<Text>,
    /// Each check of the step's goal, in words (the model's `lesson::describe`).
    pub checks: Vec<Text>,
}

/// Where the learner is in a lesson.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LessonProgress {
    pub current: usize,
    /// Hints revealed for the current step.
    pub hints_shown: usize,
    /// The current step's checks as the model sees them.
    pub outcomes: Vec<CheckOutcome>,
}

/// Everything the page draws: the last frame's fields, kept behind `Rc`s so a field that did
/// not change is not copied or redrawn.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Shown {
    /// Whether the first frame has arrived.
    pub booted: bool,
    pub version: u64,
    pub files: Rc<BTreeMap<String, String>>,
    pub open_file: String,
    pub view: Rc<ClusterView>,
    pub apply_output: Rc<Vec<String>>,
    pub apply_ok: Option<bool>,
    pub diagnostics: Rc<Vec<Diagnostic>>,
    pub terminal: Rc<String>,
    pub playing: bool,
    pub tick_virtual_ms: u64,
    pub notice: Option<Notice>,
    pub selection: Option<Selection>,
    pub inspected: Option<Rc<InspectView>>,
    pub inspector_tab: InspectorTab,
    pub lang: Lang,
    pub collapsed: Collapsed,
    pub hidden: Collapsed,
    pub read_only: bool,
    pub lesson: Option<Rc<LessonShown>>,
    pub progress: LessonProgress,
    pub start_ms: u64,
    pub head_ms: u64,
    pub charts: Option<Rc<ChartsView>>,
    pub live: bool,
    pub pace: Option<f64>,
    pub lessons: Rc<Vec<LessonEntry>>,
    /// The last completions the engine sent.
    pub completion: Option<Rc<Completion>>,
    /// The newest edit made here and not yet answered: until a frame answers it, the page's
    /// files are newer than the engine's (typing never waits for the worker).
    pub unanswered_edit: u64,
    /// The generation of the files shown (an edit says which workspace it was made in) and
    /// the key their session is saved under.
    pub generation: u64,
    pub session_key: String,
    /// The files, the open file, their generation and key as the engine last sent them, shown
    /// once the page's edits are answered (a frame that arrives before then may hold another
    /// lesson's files).
    engine_files: Rc<BTreeMap<String, String>>,
    engine_open_file: String,
    engine_generation: u64,
    engine_session_key: String,
}

/// What changes [`Shown`].
#[derive(Debug)]
pub enum Msg {
    Frame(Box<Frame>),
    Completions(Completion),
    /// An edit (or another file opened) sent as action `seq`, shown at once.
    Local {
        seq: u64,
        action: Action,
    },
}

impl Shown {
    /// The speed play runs at, as a multiple of real time.
    pub fn speed(&self) -> u64 {
        self.tick_virtual_ms / PLAY_INTERVAL_MS
    }

    /// Whether the page shows the past (the learner seeked back on the timeline).
    pub fn in_past(&self) -> bool {
        self.view.now_ms < self.head_ms
    }

    /// The inspector tab to show ([`crate::state::effective_tab`]).
    pub fn effective_tab(&self) -> InspectorTab {
        crate::state::effective_tab(self.inspector_tab, self.selection.as_ref())
    }

    /// The text of the open file (empty if the file does not exist).
    pub fn open_text(&self) -> &str {
        self.files.get(&self.open_file).map(String::as_str).unwrap_or("")
    }

    /// Takes in a frame from the engine.
    pub fn apply(&mut self, f: Frame) {
        self.booted = true;
        self.version = f.version;
        // The files and the open file as the engine has them, unless the page has an edit the
        // engine has not answered yet.
        if let Some(c) = f.files {
            self.engine_files = Rc::new(c.value);
        }
        self.engine_open_file = f.open_file;
        self.engine_generation = f.workspace_generation;
        self.engine_session_key = f.session_key;
        if f.acked >= self.unanswered_edit {
            self.unanswered_edit = 0;
            self.files = self.engine_files.clone();
            self.open_file = self.engine_open_file.clone();
            self.generation = self.engine_generation;
            self.session_key = self.engine_session_key.clone();
        }
        if let Some(c) = f.view {
            self.view = Rc::new(c.value);
        }
        if let Some(c) = f.apply_output {
            self.apply_output = Rc::new(c.value);
        }
        self.apply_ok = f.apply_ok;
        if let Some(c) = f.diagnostics {
            self.diagnostics = Rc::new(c.value);
        }
        if let Some(c) = f.terminal {
            self.terminal = Rc::new(c.value);
        }
        self.playing = f.playing;
        self.tick_virtual_ms = f.tick_virtual_ms;
        self.notice = f.notice;
        self.selection = f.selection;
        if let Some(c) = f.inspected {
            self.inspected = c.value.map(Rc::new);
        }
        self.inspector_tab = f.inspector_tab;
        self.lang = f.lang;
        self.collapsed = f.collapsed;
        self.hidden = f.hidden;
        self.read_only = f.read_only;
        if let Some(c) = f.lesson {
            self.lesson = c.value.map(Rc::new);
        }
        self.progress = f.progress.unwrap_or_default();
        self.start_ms = f.start_ms;
        self.head_ms = f.head_ms;
        if let Some(c) = f.charts {
            self.charts = c.value.map(Rc::new);
        }
        self.live = f.live;
        self.pace = f.pace;
        if let Some(c) = f.lessons {
            self.lessons = Rc::new(c.value);
        }
    }

    /// Shows an edit (or the file opened) before the engine answers it, as the engine will.
    fn local(&mut self, seq: u64, action: Action) {
        match action {
            Action::EditFile { path, text, .. } if path == self.open_file => {
                Rc::make_mut(&mut self.files).insert(path, text);
            }
            Action::OpenFile(path) if self.files.contains_key(&path) => self.open_file = path,
            _ => return,
        }
        self.unanswered_edit = seq;
    }
}

impl Reducible for Shown {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        match msg {
            Msg::Frame(f) => next.apply(*f),
            Msg::Completions(c) => next.completion = Some(Rc::new(c)),
            Msg::Local { seq, action } => next.local(seq, action),
        }
        Rc::new(next)
    }
}

/// Sends one message to the engine.
pub type Link = Rc<dyn Fn(ToEngine)>;

/// Starts an engine whose messages go to the callback, and returns the way to send it messages:
/// [`crate::bridge::worker`] in the page, [`crate::engine::in_thread`] in tests.
#[derive(Clone)]
pub struct Connector(pub Rc<dyn Fn(Callback<FromEngine>) -> Link>);

impl PartialEq for Connector {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Which messages the engine has answered.
#[derive(Debug, Default)]
pub struct Outstanding {
    /// The last message sent.
    sent: Cell<u64>,
    /// The last play tick sent.
    tick: Cell<u64>,
    /// The last seek sent.
    seek: Cell<u64>,
    /// The last message answered.
    acked: Cell<u64>,
}

impl Outstanding {
    /// A frame or completions answered message `seq`.
    pub fn answered(&self, seq: u64) {
        self.acked.set(self.acked.get().max(seq));
    }

    /// Whether every message sent has been answered.
    pub fn idle(&self) -> bool {
        self.acked.get() >= self.sent.get()
    }

    /// Whether the last play tick is still being worked on.
    pub fn tick_pending(&self) -> bool {
        self.tick.get() > self.acked.get()
    }
}

/// The page's end of the link: numbers the messages and knows whether a play tick is still
/// being worked on (the play timer skips its tick then, so ticks never queue up behind a slow
/// one and a click is answered after at most one tick).
///
/// Seeks are held the same way: dragging the timeline asks for many moments, each rebuilt from a
/// checkpoint; while one is being rebuilt only the latest moment asked for waits, and it is sent
/// when the first is answered ([`Sender::answered`]).
pub struct Sender {
    link: Link,
    pub outstanding: Rc<Outstanding>,
    /// The moment to seek to once the seek being worked on is answered.
    held_seek: Cell<Option<u64>>,
}

impl Sender {
    pub fn new(link: Link, outstanding: Rc<Outstanding>) -> Sender {
        Sender { link, outstanding, held_seek: Cell::new(None) }
    }

    /// Seeks the timeline to `t`, or holds `t` while another seek is being worked on.
    pub fn seek(&self, t: u64) {
        let o = &self.outstanding;
        if o.seek.get() > o.acked.get() {
            self.held_seek.set(Some(t));
        } else {
            let seq = self.act(Action::Seek(t));
            o.seek.set(seq);
        }
    }

    /// After a message was answered: sends the seek that was held, if its turn has come.
    pub fn answered(&self) {
        let o = &self.outstanding;
        if o.seek.get() <= o.acked.get()
            && let Some(t) = self.held_seek.take()
        {
            self.seek(t);
        }
    }

    /// The next message's number.
    pub fn reserve(&self) -> u64 {
        let o = &self.outstanding;
        o.sent.set(o.sent.get() + 1);
        o.sent.get()
    }

    pub fn boot(&self, boot: Boot) {
        (self.link)(ToEngine::Boot(boot));
    }

    /// Sends an action; returns its number.
    pub fn act(&self, action: Action) -> u64 {
        let seq = self.reserve();
        self.send(seq, action);
        seq
    }

    /// Sends an action under a number from [`Sender::reserve`]. Anything but a play tick drops
    /// a held seek: the learner has moved on (Play, Step, another seek sent).
    pub fn send(&self, seq: u64, action: Action) {
        match action {
            Action::Tick => self.outstanding.tick.set(seq),
            _ => self.held_seek.set(None),
        }
        (self.link)(ToEngine::Act { seq, action });
    }

    pub fn complete(&self, line: String) {
        let seq = self.reserve();
        (self.link)(ToEngine::Complete { seq, line });
    }

    /// Whether the last play tick is still being worked on.
    pub fn tick_pending(&self) -> bool {
        self.outstanding.tick_pending()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(acked: u64, file: &str) -> Frame {
        Frame {
            acked,
            files: Some(Changed { value: BTreeMap::from([("a.yaml".to_string(), file.to_string())]) }),
            open_file: "a.yaml".into(),
            ..Frame::default()
        }
    }

    #[test]
    fn an_edit_shows_at_once_and_an_older_frame_does_not_undo_it() {
        let mut s = Shown::default();
        s.apply(frame(0, "one"));
        s.local(5, Action::EditFile { path: "a.yaml".into(), text: "one two".into(), generation: 0 });
        assert_eq!(s.open_text(), "one two");
        // A frame answering an earlier action (a play tick) still has the old text.
        s.apply(frame(4, "one"));
        assert_eq!(s.open_text(), "one two");
        // The frame answering the edit has it.
        s.apply(frame(5, "one two"));
        assert_eq!((s.open_text(), s.unanswered_edit), ("one two", 0));
        // From then on the engine's files are shown.
        s.apply(frame(6, "three"));
        assert_eq!(s.open_text(), "three");
    }

    #[test]
    fn the_engines_files_are_shown_once_the_edits_are_answered_even_if_an_earlier_frame_held_them() {
        let mut s = Shown::default();
        s.apply(frame(0, "free play"));
        // A lesson starts (action 4, its files in frame 4); a keystroke (5) is made before
        // frame 4 arrives.
        s.local(5, Action::EditFile { path: "a.yaml".into(), text: "free play!".into(), generation: 0 });
        s.apply(Frame {
            files: Some(Changed { value: BTreeMap::from([("lesson.yaml".to_string(), "lesson".to_string())]) }),
            open_file: "lesson.yaml".into(),
            workspace_generation: 1,
            session_key: "kubeplay.session.lesson.x".into(),
            ..frame(4, "")
        });
        assert_eq!(s.open_text(), "free play!");
        // The edit's files are still free play's, saved under free play's key.
        assert_eq!((s.generation, s.session_key.as_str()), (0, ""));
        // Frame 5 changes no file (the engine dropped the edit to a file no longer open).
        s.apply(Frame {
            files: None,
            open_file: "lesson.yaml".into(),
            workspace_generation: 1,
            session_key: "kubeplay.session.lesson.x".into(),
            ..frame(5, "")
        });
        assert_eq!((s.open_file.as_str(), s.open_text()), ("lesson.yaml", "lesson"));
        assert_eq!((s.generation, s.session_key.as_str()), (1, "kubeplay.session.lesson.x"));
    }

    #[test]
    fn a_frame_without_a_field_keeps_it() {
        let mut s = Shown::default();
        s.apply(Frame { terminal: Some(Changed { value: "$ x\n".into() }), ..frame(1, "a") });
        s.apply(frame(2, "a"));
        assert_eq!(s.terminal.as_str(), "$ x\n");
        // An object that disappeared is a change to nothing, not "unchanged".
        s.apply(Frame { inspected: Some(Changed { value: None }), ..frame(3, "a") });
        assert!(s.inspected.is_none());
    }

    #[test]
    fn a_tick_is_pending_until_a_frame_answers_it() {
        let sent = Rc::new(std::cell::RefCell::new(vec![]));
        let log = sent.clone();
        let sender = Sender::new(Rc::new(move |m| log.borrow_mut().push(m)), Rc::default());
        let o = sender.outstanding.clone();
        assert!(!sender.tick_pending() && o.idle());
        let first = sender.act(Action::Step);
        let tick = sender.act(Action::Tick);
        assert!(sender.tick_pending() && !o.idle());
        o.answered(first);
        assert!(sender.tick_pending());
        o.answered(tick);
        assert!(!sender.tick_pending() && o.idle());
        sender.complete("kubectl g".into());
        assert!(!o.idle() && !sender.tick_pending());
        assert_eq!(sent.borrow().len(), 3);
    }

    #[test]
    fn a_drag_on_the_timeline_sends_the_latest_moment_once_the_last_seek_is_answered() {
        let sent = Rc::new(std::cell::RefCell::new(vec![]));
        let log = sent.clone();
        let sender = Sender::new(Rc::new(move |m| log.borrow_mut().push(m)), Rc::default());
        let seeks = |sent: &Vec<ToEngine>| {
            sent.iter()
                .filter_map(|m| match m {
                    ToEngine::Act { action: Action::Seek(t), .. } => Some(*t),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
        for t in [100, 200, 300, 400] {
            sender.seek(t);
        }
        assert_eq!(seeks(&sent.borrow()), [100]);
        // Nothing answered yet: the seek still waits (a play tick sent meanwhile keeps it).
        let tick = sender.act(Action::Tick);
        sender.outstanding.answered(tick - 2);
        sender.answered();
        assert_eq!(seeks(&sent.borrow()), [100]);
        sender.outstanding.answered(tick);
        sender.answered();
        assert_eq!(seeks(&sent.borrow()), [100, 400], "only the latest moment");
        sender.outstanding.answered(sender.outstanding.sent.get());
        sender.answered();
        sender.seek(50);
        assert_eq!(seeks(&sent.borrow()), [100, 400, 50]);
        // A held seek does not undo what the learner did after it (Play).
        sender.seek(60);
        sender.act(Action::TogglePlay);
        sender.outstanding.answered(sender.outstanding.sent.get());
        sender.answered();
        assert_eq!(seeks(&sent.borrow()), [100, 400, 50]);
    }

    #[test]
    fn a_panic_reads_as_web_kubeplay_worker_loader_js_writes_it() {
        let from_js = r#"{"Panicked":"the model could not load: TypeError"}"#;
        let msg = FromEngine::Panicked("the model could not load: TypeError".into());
        assert_eq!(serde_json::from_str::<FromEngine>(from_js).unwrap(), msg);
        assert_eq!(serde_json::to_string(&msg).unwrap(), from_js);
    }

    #[test]
    fn messages_survive_their_json() {
        let msg = ToEngine::Act { seq: 3, action: Action::Select(Selection::pod("default", "web-1")) };
        let text = serde_json::to_string(&msg).unwrap();
        assert_eq!(serde_json::from_str::<ToEngine>(&text).unwrap(), msg);
        let f = FromEngine::Frame(Box::new(Frame {
            inspected: Some(Changed { value: None }),
            pace: Some(2.5),
            ..frame(7, "x")
        }));
        let text = serde_json::to_string(&f).unwrap();
        assert_eq!(serde_json::from_str::<FromEngine>(&text).unwrap(), f);
    }
}
