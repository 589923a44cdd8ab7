//! Bundles the lessons (`lessons/*.yaml`) and the workspaces they start from
//! (`web/workspaces/**`) into the page at build time: the generated `bundle.rs` in OUT_DIR
//! lists each file's path (relative to the repository root) and includes its text.

use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn table(name: &str, root: &Path, paths: &[PathBuf]) -> String {
    let mut s = format!("pub static {name}: &[(&str, &str)] = &[\n");
    for p in paths {
        let rel = p.strip_prefix(root).expect("under the root");
        let key = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        s.push_str(&format!("    ({key:?}, include_str!({:?})),\n", p.display().to_string()));
    }
    s.push_str("];\n");
    s
}

fn main() {
    // Read when the script runs, not when it was compiled: a build script binary can be reused
    // for a checkout at another path (a shared target directory).
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest_dir).join("../..").canonicalize().expect("repository root");
    let lessons_dir = root.join("lessons");
    let workspaces_dir = root.join("web/workspaces");
    println!("cargo::rerun-if-changed={}", lessons_dir.display());
    println!("cargo::rerun-if-changed={}", workspaces_dir.display());
    let mut lessons = Vec::new();
    files(&lessons_dir, &mut lessons);
    lessons.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    let mut workspaces = Vec::new();
    files(&workspaces_dir, &mut workspaces);
    let code = format!("{}{}", table("LESSON_FILES", &root, &lessons), table("WORKSPACE_FILES", &root, &workspaces));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("bundle.rs");
    std::fs::write(out, code).expect("write bundle.rs");
}
