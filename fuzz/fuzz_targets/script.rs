//! Any text as a script in the command language: the shell-like parser (quotes, heredocs,
//! pipelines), kubectl's flag parsing and completion. Commands are parsed, and completed, but
//! only the ones that cannot run long are run.
#![no_main]

use kubeplay_model::kubectl::{complete, script};
use kubeplay_model::{Cluster, ClusterConfig, Workspace};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let ws = Workspace::default().with_file("f.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
    let mut c = Cluster::new(ClusterConfig { seed: 1, nodes: 1 });
    let _ = complete::complete(&c, &ws, text);
    let Ok(cmds) = script::parse(text) else { return };
    for cmd in cmds.iter().take(8) {
        // Time-bound verbs and huge numbers are the model target's business.
        let slow = cmd.words.iter().any(|w| {
            matches!(w.as_str(), "sleep" | "-w" | "--watch" | "status" | "traffic" | "wait")
                || w.bytes().filter(u8::is_ascii_digit).count() > 3
        });
        if !slow {
            c.run(&cmd.text, &ws);
        }
    }
});
