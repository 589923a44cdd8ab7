//! STUB (being written): the command language.
use std::collections::BTreeMap;

use crate::diag::Diagnostic;

/// The learner's files (editor tabs), by path, e.g. `deploy/k8s/deployment.yaml`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Workspace {
    pub files: BTreeMap<String, String>,
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
