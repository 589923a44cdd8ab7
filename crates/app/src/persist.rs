//! The learner's session as text for the browser's storage: the files, the open file, how the
//! cluster began, the action log and where on the timeline the learner was. Reloading replays
//! the log, so the cluster comes back exactly (the model is deterministic).
//!
//! The format is versioned ([`SAVE_VERSION`]). An entry from an older version is migrated; one
//! that does not parse, or comes from a newer kubeplay, is not loaded and not dropped either:
//! the page keeps it aside under another key and says so ([`LoadProblem`]).

use std::collections::BTreeMap;
use std::rc::Rc;

use kubeplay_model::Workspace;
use serde::{Deserialize, Serialize};

use crate::state::{Action, AppState};
use crate::timeline::{Logged, Origin};

/// The format written now.
pub const SAVE_VERSION: u32 = 1;

/// The storage key for a session: one per lesson, one for free play, so that several
/// embedded lessons on one course page keep their own.
pub fn storage_key(origin: &Origin) -> String {
    match origin {
        Origin::FreePlay => "kubeplay.session.free".to_string(),
        Origin::Lesson(name) => format!("kubeplay.session.lesson.{name}"),
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Saved {
    version: u32,
    origin: Origin,
    files: BTreeMap<String, String>,
    open_file: String,
    /// Distinct workspace snapshots the log's commands read, referenced by index.
    workspaces: Vec<BTreeMap<String, String>>,
    entries: Vec<SavedEntry>,
    /// Where the learner was on the timeline.
    now_ms: u64,
    /// Lesson steps done (their goals are not re-checked on load: they were met).
    #[serde(default)]
    lesson_steps_done: Vec<u64>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SavedEntry {
    at: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    run: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    apply: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    advance: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ws: Option<usize>,
}

/// Why a stored session was not loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadProblem {
    /// Not a session this kubeplay can read (damaged, or not ours); the message says where.
    Corrupt(String),
    /// Written by a newer kubeplay (its format version).
    Newer(u32),
}

/// The session as JSON.
pub fn save(s: &AppState) -> String {
    let mut workspaces: Vec<Rc<Workspace>> = Vec::new();
    let mut index = |ws: &Rc<Workspace>| -> usize {
        if let Some(i) = workspaces.iter().position(|w| Rc::ptr_eq(w, ws) || **w == **ws) {
            return i;
        }
        workspaces.push(ws.clone());
        workspaces.len() - 1
    };
    let entries = s
        .timeline
        .entries
        .iter()
        .map(|e| match &e.what {
            Logged::Run { script, ws } => {
                SavedEntry { at: e.at_ms, run: Some(script.clone()), apply: None, advance: None, ws: Some(index(ws)) }
            }
            Logged::Apply { paths, ws } => {
                SavedEntry { at: e.at_ms, run: None, apply: Some(paths.clone()), advance: None, ws: Some(index(ws)) }
            }
            Logged::Advance(ms) => SavedEntry { at: e.at_ms, run: None, apply: None, advance: Some(*ms), ws: None },
        })
        .collect();
    let saved = Saved {
        version: SAVE_VERSION,
        origin: s.timeline.origin.clone(),
        files: s.workspace.files.clone(),
        open_file: s.open_file.clone(),
        workspaces: workspaces.iter().map(|w| w.files.clone()).collect(),
        entries,
        now_ms: s.now_ms(),
        lesson_steps_done: s.lesson.as_ref().map(|l| l.progress.done_at.clone()).unwrap_or_default(),
    };
    serde_json::to_string(&saved).unwrap_or_default()
}

/// A saved session with other files: what the page keeps when the model has not yet answered
/// the learner's last edits and cannot any more (it panicked, or the page is being left). The
/// files are what [`load`] restores last, so the session loads as saved, with these files.
/// `None` if `text` is not a saved session.
pub fn with_files(text: &str, files: &BTreeMap<String, String>, open_file: &str) -> Option<String> {
    let mut v: serde_json::Value = serde_json::from_str(text).ok()?;
    let session = v.as_object_mut()?;
    if !session.contains_key("files") {
        return None;
    }
    session.insert("files".into(), serde_json::to_value(files).ok()?);
    session.insert("openFile".into(), open_file.into());
    serde_json::to_string(&v).ok()
}

/// Brings older formats up to [`SAVE_VERSION`]. There is only version 1 so far; a version 2
/// adds its step here, so a learner's work from an older page is never lost.
fn migrate(v: serde_json::Value) -> Result<serde_json::Value, LoadProblem> {
    let version = v.get("version").and_then(serde_json::Value::as_u64).unwrap_or(0);
    match version {
        1 => Ok(v),
        n if n > u64::from(SAVE_VERSION) => Err(LoadProblem::Newer(n as u32)),
        n => Err(LoadProblem::Corrupt(format!("unknown format version {n}"))),
    }
}

/// Rebuilds the page from a stored session on top of `base` (the page as the URL asks for it:
/// language, panels, speed). The log is replayed, so the cluster is exactly as it was.
pub fn load(text: &str, base: AppState) -> Result<AppState, LoadProblem> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| LoadProblem::Corrupt(e.to_string()))?;
    let v = migrate(v)?;
    let saved: Saved = kubeplay_model::pathde::deserialize(&v)
        .map_err(|e| LoadProblem::Corrupt(format!("{}: {}", e.path, e.error)))?;
    let mut s = base;
    match &saved.origin {
        Origin::FreePlay => {
            s = AppState { lang: s.lang, hidden: s.hidden, read_only: s.read_only, ..AppState::default() };
            s.tick_virtual_ms = s.tick_virtual_ms.max(1);
        }
        Origin::Lesson(name) => {
            s.update(Action::StartLesson(name.clone()));
            if s.lesson.is_none() {
                return Err(LoadProblem::Corrupt(format!("no lesson named {name:?}")));
            }
        }
    }
    let workspaces: Vec<Rc<Workspace>> =
        saved.workspaces.into_iter().map(|files| Rc::new(Workspace { files, ..Default::default() })).collect();
    for (i, e) in saved.entries.iter().enumerate() {
        let ws = |n: Option<usize>| {
            n.and_then(|n| workspaces.get(n).cloned()).ok_or_else(|| LoadProblem::Corrupt(format!("entries[{i}].ws")))
        };
        let what = match (&e.run, &e.apply, e.advance) {
            (Some(script), None, None) => Logged::Run { script: script.clone(), ws: ws(e.ws)? },
            (None, Some(paths), None) => Logged::Apply { paths: paths.clone(), ws: ws(e.ws)? },
            (None, None, Some(ms)) => Logged::Advance(ms),
            _ => return Err(LoadProblem::Corrupt(format!("entries[{i}]: want one of run, apply, advance"))),
        };
        s.replay(e.at, what);
    }
    s.restore_files(saved.files, saved.open_file);
    s.restore_lesson_steps(&saved.lesson_steps_done);
    s.update(Action::Seek(saved.now_ms));
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use yew::Reducible;

    fn played() -> AppState {
        let mut s = Rc::new(AppState::default())
            .reduce(crate::state::tests::edit(
                &crate::state::DEFAULT_DEPLOYMENT_YAML.replace("replicas: 3", "replicas: 2"),
            ))
            .reduce(Action::Apply);
        for _ in 0..20 {
            s = s.reduce(Action::Step);
        }
        s = s.reduce(Action::RunCommand("kubectl scale deployment web --replicas=4".into()));
        for _ in 0..20 {
            s = s.reduce(Action::Step);
        }
        Rc::unwrap_or_clone(s)
    }

    #[test]
    fn model_edits_kept_into_a_saved_session_come_back_with_its_cluster() {
        let s = played();
        let files = BTreeMap::from([("deploy/k8s/deployment.yaml".to_string(), "kind: Typed\n".to_string())]);
        let text = with_files(&save(&s), &files, "deploy/k8s/deployment.yaml").unwrap();
        let back = load(&text, AppState::default()).unwrap();
        assert_eq!(back.workspace.files, files);
        assert_eq!(back.cluster.borrow().digest(), s.cluster.borrow().digest());
        assert_eq!(with_files("{}", &files, "x"), None);
        assert_eq!(with_files("not json", &files, "x"), None);
    }

    #[test]
    fn model_a_saved_session_reloads_to_the_same_cluster_files_and_time() {
        let s = played();
        let text = save(&s);
        let back = load(&text, AppState::default()).expect("loads");
        assert_eq!(back.cluster.borrow().digest(), s.cluster.borrow().digest());
        assert_eq!(back.now_ms(), s.now_ms());
        assert_eq!(back.timeline.head_ms, s.timeline.head_ms);
        assert_eq!(back.workspace.files, s.workspace.files);
        assert!(back.open_text().contains("replicas: 2"), "the edited file comes back");
        // Saving again gives the same text: nothing was lost or invented.
        assert_eq!(save(&back), text);
    }

    #[test]
    fn model_a_session_seeked_into_the_past_reloads_there_with_its_future() {
        let s = Rc::new(played()).reduce(Action::Seek(5_000));
        let back = load(&save(&s), AppState::default()).expect("loads");
        assert_eq!(back.now_ms(), 5_000);
        assert_eq!(back.timeline.head_ms, s.timeline.head_ms);
        assert_eq!(back.cluster.borrow().digest(), s.cluster.borrow().digest());
    }

    #[test]
    fn model_a_lesson_session_reloads_with_its_steps_done() {
        let s = Rc::new(AppState::default())
            .reduce(Action::StartLesson("config-and-secrets".into()))
            .reduce(Action::ShowMe);
        assert_eq!(s.lesson.as_ref().unwrap().progress.current, 1);
        let back = load(&save(&s), AppState::default()).expect("loads");
        assert_eq!(back.lesson.as_ref().unwrap().progress.current, 1);
        assert_eq!(back.cluster.borrow().digest(), s.cluster.borrow().digest());
        assert_eq!(storage_key(&back.timeline.origin), "kubeplay.session.lesson.config-and-secrets");
    }

    #[test]
    fn damaged_or_newer_sessions_are_refused_with_a_reason() {
        assert!(matches!(load("{not json", AppState::default()), Err(LoadProblem::Corrupt(_))));
        assert!(matches!(load("[]", AppState::default()), Err(LoadProblem::Corrupt(_))));
        let newer = save(&AppState::default()).replace("\"version\":1", "\"version\":7");
        assert_eq!(load(&newer, AppState::default()).err(), Some(LoadProblem::Newer(7)));
        let odd = save(&AppState::default()).replace("\"openFile\"", "\"opnFile\"");
        match load(&odd, AppState::default()) {
            Err(LoadProblem::Corrupt(m)) => assert!(m.contains("opnFile") || m.contains("openFile"), "{m}"),
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("loaded a session with an unknown field"),
        }
        let bad_ref = save(&played()).replacen("\"ws\":0", "\"ws\":99", 1);
        assert!(matches!(load(&bad_ref, AppState::default()), Err(LoadProblem::Corrupt(m)) if m.contains(".ws")));
    }
}
