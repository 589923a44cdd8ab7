//! The lessons the page offers: `lessons/*.yaml` and the workspaces they start from, bundled
//! at build time (build.rs) and parsed by the model's lesson reader on first use.

use std::collections::BTreeMap;
use std::rc::Rc;

use kubeplay_model::lesson::{self, Lesson};

include!(concat!(env!("OUT_DIR"), "/bundle.rs"));

/// One bundled lesson and the files its workspace starts from.
#[derive(Debug)]
pub struct Entry {
    /// The lesson file's path in the repository, e.g. `lessons/01-config-and-secrets.yaml`.
    pub path: &'static str,
    pub lesson: Rc<Lesson>,
    pub base: BTreeMap<String, String>,
}

/// Every bundled lesson that parses, in file order, and the errors of those that do not (a
/// native test keeps that list empty).
#[derive(Debug, Default)]
pub struct Catalog {
    pub entries: Vec<Entry>,
    pub errors: Vec<String>,
}

impl Catalog {
    pub fn find(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.lesson.name == name)
    }
}

thread_local! {
    static CATALOG: Rc<Catalog> = Rc::new(load());
}

/// The catalog, parsed once per thread.
pub fn catalog() -> Rc<Catalog> {
    CATALOG.with(Rc::clone)
}

fn load() -> Catalog {
    let mut catalog = Catalog::default();
    for (path, text) in LESSON_FILES {
        match lesson::parse(path, text) {
            Ok(l) => {
                let base = l.spec.workspace.from.as_deref().map(|from| base_files(path, from)).unwrap_or_default();
                catalog.entries.push(Entry { path, lesson: Rc::new(l), base });
            }
            Err(d) => catalog.errors.push(d.to_string()),
        }
    }
    catalog
}

/// `from` is relative to the lesson file, as `kubeplay lesson check` reads it from disk.
fn base_files(lesson_path: &str, from: &str) -> BTreeMap<String, String> {
    let mut parts: Vec<&str> = lesson_path.split('/').collect();
    parts.pop();
    for p in from.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let prefix = format!("{}/", parts.join("/"));
    WORKSPACE_FILES
        .iter()
        .filter_map(|(p, text)| p.strip_prefix(&prefix).map(|rel| (rel.to_string(), text.to_string())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_lesson_parses_and_finds_its_workspace() {
        let c = catalog();
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(c.entries.len(), LESSON_FILES.len());
        assert!(!c.entries.is_empty());
        for e in &c.entries {
            if e.lesson.spec.workspace.from.is_some() {
                assert!(!e.base.is_empty(), "{}: workspace.from names no bundled files", e.path);
            }
        }
        let first = c.find("config-and-secrets").expect("the first lesson");
        assert!(first.base.contains_key("deploy/k8s/configmap.yaml"), "{:?}", first.base.keys());
    }

    #[test]
    fn from_resolves_relative_to_the_lesson_file() {
        let b = base_files("lessons/x.yaml", "../web/workspaces/course");
        assert!(b.contains_key("deploy/k8s/deployment.yaml"), "{:?}", b.keys());
        assert!(base_files("lessons/x.yaml", "../nowhere").is_empty());
    }
}
