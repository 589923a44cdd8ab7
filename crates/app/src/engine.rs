//! The model's side of the page (see [`crate::shown`]): the reducer ([`AppState`]) with the
//! cluster, answering each message from the page with what changed. In the page it runs in a
//! Web Worker (`src/bin/worker.rs`); tests and the native build run it on the same thread
//! ([`in_thread`]), through the same JSON messages.

use std::cell::RefCell;
use std::rc::Rc;

use kubeplay_model::Workspace;
use kubeplay_model::history::ChartsView;
use kubeplay_model::lesson::{self, Text};
use kubeplay_model::{Diagnostic, InspectView};
use yew::Callback;

use crate::persist;
use crate::shown::{
    Boot, Changed, Completion, Connector, Frame, FromEngine, LessonEntry, LessonProgress, LessonShown, ShareFound,
    StepShown, ToEngine,
};
use crate::state::{Action, AppState, EmbedOptions, LessonSession, Notice, TickBudget};

/// The reducer and what the page was last sent.
pub struct Engine {
    state: AppState,
    sent: Sent,
}

/// The large fields as last sent (their `Rc`s are kept, so an address is never reused while it
/// stands for what the page has) and what was last saved.
#[derive(Default)]
struct Sent {
    version: Option<u64>,
    files: Option<Rc<Workspace>>,
    apply_output: Option<Rc<Vec<String>>>,
    diagnostics: Option<Rc<Vec<Diagnostic>>>,
    terminal: Option<Rc<String>>,
    inspected: Option<Option<Rc<InspectView>>>,
    lesson: Option<Option<Rc<lesson::Lesson>>>,
    charts: Option<Option<Rc<ChartsView>>>,
    /// (version, workspace, open file) when the session was last saved.
    saved: Option<(u64, Rc<Workspace>, String)>,
}

/// Whether `now` is not the `Rc` last sent (and remembers it).
fn changed<T>(last: &mut Option<Rc<T>>, now: &Rc<T>) -> bool {
    if last.as_ref().is_some_and(|l| Rc::ptr_eq(l, now)) {
        return false;
    }
    *last = Some(now.clone());
    true
}

/// The same for an optional `Rc`.
fn changed_opt<T>(last: &mut Option<Option<Rc<T>>>, now: &Option<Rc<T>>) -> bool {
    let same = match (last.as_ref(), now) {
        (Some(Some(l)), Some(n)) => Rc::ptr_eq(l, n),
        (Some(None), None) => true,
        _ => false,
    };
    if !same {
        *last = Some(now.clone());
    }
    !same
}

impl Engine {
    /// The page as the boot message asks for it: the URL's options, then the saved session
    /// (if it loads; otherwise the page keeps it aside and says so), then a share link. The
    /// play ticks are held to `budget` (the worker's `performance.now()`).
    pub fn boot(boot: Boot, budget: Option<TickBudget>) -> (Engine, Vec<FromEngine>) {
        let base = AppState::default().with_lang(boot.lang).with_embed(&EmbedOptions::from_query(&boot.query));
        let key = persist::storage_key(&base.timeline.origin);
        let mut set_aside = None;
        let mut state = match boot.stored.get(&key) {
            None => base,
            Some(text) => match persist::load(text, base.clone()) {
                Ok(s) => s,
                Err(problem) => {
                    set_aside = Some(key);
                    let mut s = base;
                    s.notice = Some(match problem {
                        persist::LoadProblem::Corrupt(_) => Notice::SessionUnreadable,
                        persist::LoadProblem::Newer(_) => Notice::SessionNewer,
                    });
                    s
                }
            },
        };
        match boot.share {
            Some(ShareFound::Shared(shared)) => state.update(Action::LoadShared(shared)),
            Some(ShareFound::Damaged) => state.notice = Some(Notice::ShareDamaged),
            Some(ShareFound::Newer) => state.notice = Some(Notice::ShareNewer),
            None => {}
        }
        // Last: loading a session or a share link starts from a fresh state.
        state.tick_budget = budget;
        let mut engine = Engine { state, sent: Sent::default() };
        let mut frame = engine.frame(0);
        frame.set_aside = set_aside;
        let catalog = crate::lessons::catalog();
        let lessons = catalog
            .entries
            .iter()
            .map(|e| LessonEntry { name: e.lesson.name.clone(), title: e.lesson.spec.title.clone() })
            .collect();
        frame.lessons = Some(Changed { value: lessons });
        (engine, vec![FromEngine::Frame(Box::new(frame))])
    }

    /// What an engine slot answers to one message: the first boot starts the engine, every other
    /// message goes to it (nothing comes before the boot). The worker and [`in_thread`] both
    /// answer this way.
    pub fn answer(slot: &mut Option<Engine>, msg: ToEngine, budget: Option<TickBudget>) -> Vec<FromEngine> {
        match (msg, slot.as_mut()) {
            (ToEngine::Boot(boot), None) => {
                let (e, out) = Engine::boot(boot, budget);
                *slot = Some(e);
                out
            }
            (msg, Some(e)) => e.handle(msg),
            (_, None) => vec![],
        }
    }

    /// Answers one message from the page.
    pub fn handle(&mut self, msg: ToEngine) -> Vec<FromEngine> {
        match msg {
            // The page boots once; a second boot changes nothing.
            ToEngine::Boot(_) => vec![],
            ToEngine::Act { seq, action } => {
                self.state.update(action);
                vec![FromEngine::Frame(Box::new(self.frame(seq)))]
            }
            ToEngine::Complete { seq, line } => {
                let items = kubeplay_model::kubectl::complete::complete(
                    &self.state.cluster.borrow(),
                    &self.state.workspace,
                    &line,
                );
                vec![FromEngine::Completions(Completion { seq, line, items })]
            }
        }
    }

    /// The reducer's state (tests).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// What changed since the last frame, and the session to save: after every change (while
    /// time plays, every tenth change of the cluster and every edit), so a reload or a crash
    /// loses nothing.
    fn frame(&mut self, acked: u64) -> Frame {
        let s = &self.state;
        let sent = &mut self.sent;
        let view_changed = sent.version != Some(s.version);
        sent.version = Some(s.version);
        let (save_due, files_changed) = match &sent.saved {
            None => (true, true),
            Some((v, ws, open)) => {
                let files_changed = !Rc::ptr_eq(ws, &s.workspace) || *open != s.open_file;
                (*v != s.version || files_changed, files_changed)
            }
        };
        // While time plays the cluster is saved every tenth change, the learner's files always.
        let save = (save_due && (!s.playing || s.version.is_multiple_of(10) || files_changed)).then(|| {
            sent.saved = Some((s.version, s.workspace.clone(), s.open_file.clone()));
            (persist::storage_key(&s.timeline.origin), persist::save(s))
        });
        let lesson_now = s.lesson.as_ref().map(|l| l.lesson.clone());
        Frame {
            acked,
            workspace_generation: s.workspace_generation,
            session_key: persist::storage_key(&s.timeline.origin),
            version: s.version,
            files: changed(&mut sent.files, &s.workspace).then(|| Changed { value: s.workspace.files.clone() }),
            open_file: s.open_file.clone(),
            view: view_changed.then(|| Changed { value: (*s.view).clone() }),
            apply_output: changed(&mut sent.apply_output, &s.apply_output)
                .then(|| Changed { value: (*s.apply_output).clone() }),
            apply_ok: s.apply_ok,
            diagnostics: changed(&mut sent.diagnostics, &s.diagnostics)
                .then(|| Changed { value: (*s.diagnostics).clone() }),
            terminal: changed(&mut sent.terminal, &s.terminal).then(|| Changed { value: (*s.terminal).clone() }),
            playing: s.playing,
            tick_virtual_ms: s.tick_virtual_ms,
            notice: s.notice,
            selection: s.selection.clone(),
            inspected: changed_opt(&mut sent.inspected, &s.inspected)
                .then(|| Changed { value: s.inspected.as_deref().cloned() }),
            inspector_tab: s.inspector_tab,
            lang: s.lang,
            collapsed: s.collapsed,
            hidden: s.hidden,
            read_only: s.read_only,
            lesson: changed_opt(&mut sent.lesson, &lesson_now)
                .then(|| Changed { value: s.lesson.as_deref().map(lesson_shown) }),
            progress: s.lesson.as_deref().map(|l| LessonProgress {
                current: l.progress.current,
                hints_shown: l.hints_shown(l.progress.current),
                outcomes: l.outcomes.clone(),
            }),
            start_ms: s.timeline.start_ms(),
            head_ms: s.timeline.head_ms,
            charts: changed_opt(&mut sent.charts, &s.charts).then(|| Changed { value: s.charts.as_deref().cloned() }),
            live: s.live.is_some(),
            pace: s.pace,
            lessons: None,
            save,
            set_aside: None,
        }
    }
}

/// A lesson's text for the lesson panel, each check of each goal put in words in both languages.
fn lesson_shown(s: &LessonSession) -> LessonShown {
    let spec = &s.lesson.spec;
    LessonShown {
        name: s.lesson.name.clone(),
        title: spec.title.clone(),
        text: spec.text.clone(),
        steps: spec
            .steps
            .iter()
            .map(|step| StepShown {
                title: step.title.clone(),
                text: step.text.clone(),
                hints: step.hints.clone(),
                checks: step
                    .goal
                    .iter()
                    .map(|c| Text { en: lesson::describe(c, "en"), zh: lesson::describe(c, "zh") })
                    .collect(),
            })
            .collect(),
    }
}

/// An engine on the page's own thread, for tests: every message still goes through its JSON
/// text both ways, as it does to and from the worker, and each answer arrives before the call
/// that caused it returns. Play ticks are not budgeted (as natively).
pub fn in_thread() -> Connector {
    Connector(Rc::new(|on: Callback<FromEngine>| {
        let engine: Rc<RefCell<Option<Engine>>> = Rc::default();
        on.emit(FromEngine::Ready);
        Rc::new(move |msg: ToEngine| {
            let msg: ToEngine = through_json(&msg);
            let out = Engine::answer(&mut engine.borrow_mut(), msg, None);
            for m in out {
                on.emit(through_json(&m));
            }
        })
    }))
}

/// A value after a trip through its JSON text.
fn through_json<T: serde::Serialize + serde::de::DeserializeOwned>(value: &T) -> T {
    let text = serde_json::to_string(value).expect("a message serializes");
    serde_json::from_str(&text).expect("a message reads back")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::shown::Shown;

    fn booted() -> (Engine, Frame) {
        let boot = Boot { query: String::new(), lang: crate::Lang::En, stored: BTreeMap::new(), share: None };
        let (e, out) = Engine::boot(boot, None);
        let [FromEngine::Frame(f)] = <[FromEngine; 1]>::try_from(out).unwrap() else { panic!("not a frame") };
        (e, *f)
    }

    fn act(e: &mut Engine, seq: u64, action: Action) -> Frame {
        match e.handle(ToEngine::Act { seq, action }).pop() {
            Some(FromEngine::Frame(f)) => *f,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_boot_frame_has_everything_and_later_frames_only_what_changed() {
        let (mut e, first) = booted();
        assert!(first.view.is_some() && first.files.is_some() && first.lessons.is_some());
        assert!(first.save.is_some(), "the first state is saved");
        // Opening the inspector tab changes no large field.
        let f = act(&mut e, 1, Action::ShowTab(crate::state::InspectorTab::Yaml));
        assert!(f.view.is_none() && f.files.is_none() && f.terminal.is_none() && f.save.is_none());
        assert_eq!(f.acked, 1);
        // A command changes the cluster and the terminal, and is saved.
        let f = act(&mut e, 2, Action::RunCommand("kubectl get nodes".into()));
        assert!(f.view.is_some() && f.terminal.is_some() && f.save.is_some());
        assert!(f.files.is_none());
    }

    #[test]
    fn the_page_shows_what_the_reducer_holds_after_any_actions() {
        let (mut e, first) = booted();
        let mut shown = Shown::default();
        shown.apply(first);
        let actions = [
            Action::Apply,
            Action::Step,
            Action::Step,
            Action::Select(crate::state::Selection::node("node-1")),
            Action::RunCommand("kubectl scale deployment web --replicas=5".into()),
            Action::ShowCharts(true),
            Action::Step,
            crate::state::tests::edit("kind: Nope\n"),
            Action::Apply,
            Action::StartLesson(crate::lessons::catalog().entries[0].lesson.name.clone()),
            Action::RevealHint,
            Action::Seek(0),
            Action::ClearSelection,
        ];
        for (i, a) in actions.into_iter().enumerate() {
            let f = act(&mut e, i as u64 + 1, a);
            shown.apply(through_json(&f));
            let s = e.state();
            assert_eq!(*shown.view, *s.view);
            assert_eq!(*shown.files, s.workspace.files);
            assert_eq!(shown.open_file, s.open_file);
            assert_eq!(*shown.terminal, *s.terminal);
            assert_eq!(*shown.diagnostics, *s.diagnostics);
            assert_eq!(*shown.apply_output, *s.apply_output);
            assert_eq!(shown.inspected.as_deref(), s.inspected.as_deref());
            assert_eq!(shown.charts.as_deref(), s.charts.as_deref());
            assert_eq!(shown.lesson.as_ref().map(|l| l.name.clone()), s.lesson.as_ref().map(|l| l.lesson.name.clone()));
            assert_eq!(shown.progress.outcomes, s.lesson.as_ref().map(|l| l.outcomes.clone()).unwrap_or_default());
            assert_eq!((shown.start_ms, shown.head_ms), (s.timeline.start_ms(), s.timeline.head_ms));
            assert_eq!(shown.in_past(), s.in_past());
        }
    }

    #[test]
    fn a_saved_session_that_cannot_load_is_set_aside_and_said() {
        let stored = BTreeMap::from([("kubeplay.session.free".to_string(), "{not json".to_string())]);
        let boot = Boot { query: String::new(), lang: crate::Lang::En, stored, share: None };
        let (_, out) = Engine::boot(boot, None);
        let Some(FromEngine::Frame(f)) = out.into_iter().next() else { panic!() };
        assert_eq!(f.set_aside.as_deref(), Some("kubeplay.session.free"));
        assert_eq!(f.notice, Some(Notice::SessionUnreadable));
    }

    #[test]
    fn a_restored_or_shared_session_keeps_the_tick_budget() {
        fn now() -> f64 {
            0.0
        }
        let budget = TickBudget { now, ms: 12.0 };
        let (e, first) = booted();
        let saved = first.save.unwrap().1;
        for (stored, share) in [
            (BTreeMap::from([("kubeplay.session.free".to_string(), saved)]), None),
            (
                BTreeMap::new(),
                Some(ShareFound::Shared(crate::share::Shared {
                    files: e.state().workspace.files.clone(),
                    open_file: e.state().open_file.clone(),
                })),
            ),
        ] {
            let boot = Boot { query: String::new(), lang: crate::Lang::En, stored, share };
            let (e, _) = Engine::boot(boot, Some(budget));
            assert!(e.state().tick_budget.is_some());
        }
    }

    #[test]
    fn completions_answer_the_line_asked_about() {
        let (mut e, _) = booted();
        let out = e.handle(ToEngine::Complete { seq: 4, line: "kubectl get no".into() });
        assert_eq!(
            out,
            vec![FromEngine::Completions(Completion {
                seq: 4,
                line: "kubectl get no".into(),
                items: vec!["nodes".into()]
            })]
        );
    }
}
