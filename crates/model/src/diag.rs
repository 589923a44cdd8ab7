//! Errors as values with a location a learner can act on (DESIGN.md habit 9).

use std::fmt;

use serde::{Deserialize, Serialize};

/// One problem found in a manifest or a command, with where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// The workspace file (or `-` for stdin / a heredoc).
    pub file: String,
    /// 1-based line in that file; 0 when no line applies.
    pub line: usize,
    /// 1-based column; 0 when no column applies.
    pub column: usize,
    /// The field path, e.g. `spec.template.spec.containers[0].imagePullPolice`.
    pub field: Option<String>,
    /// The message, worded as kubectl / the API server words it.
    pub message: String,
}

impl Diagnostic {
    pub fn new(file: &str, line: usize, column: usize, message: impl Into<String>) -> Self {
        Diagnostic { file: file.to_string(), line, column, field: None, message: message.into() }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (0, _) => write!(f, "{}: {}", self.file, self.message),
            (l, 0) => write!(f, "{}:{}: {}", self.file, l, self.message),
            (l, c) => write!(f, "{}:{}:{}: {}", self.file, l, c, self.message),
        }
    }
}
