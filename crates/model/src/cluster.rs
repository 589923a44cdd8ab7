//! STUB (being written): the Cluster API the app and CLI use.
use crate::kubectl::{CommandResult, Workspace};
use crate::time::SimTime;
use crate::view::ClusterView;

#[derive(Clone, Debug)]
pub struct ClusterConfig {
    pub seed: u64,
    pub nodes: usize,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig { seed: 1, nodes: 3 }
    }
}

pub struct Cluster {
    now: SimTime,
}

impl Cluster {
    pub fn new(_cfg: ClusterConfig) -> Cluster {
        Cluster { now: SimTime::ZERO }
    }
    pub fn now(&self) -> SimTime {
        self.now
    }
    /// Runs to the next scheduled thing; false when nothing is scheduled.
    pub fn step(&mut self) -> bool {
        false
    }
    pub fn advance(&mut self, ms: u64) {
        self.now = self.now.plus_ms(ms);
    }
    /// Runs a script in the command language; one result per command.
    pub fn run(&mut self, _script: &str, _ws: &Workspace) -> Vec<CommandResult> {
        Vec::new()
    }
    /// `kubectl apply -f PATH` for one workspace file.
    pub fn apply_file(&mut self, path: &str, _ws: &Workspace) -> CommandResult {
        CommandResult {
            command: format!("kubectl apply -f {path}"),
            output: String::new(),
            ok: true,
            diagnostics: vec![],
        }
    }
    pub fn view(&self) -> ClusterView {
        ClusterView {
            now_ms: self.now.ms(),
            clock: self.now.clock(),
            next_event_ms: None,
            nodes: vec![],
            pending: vec![],
            events: vec![],
        }
    }
    pub fn digest(&self) -> u64 {
        0
    }
}
