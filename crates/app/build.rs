//! Bundles the lessons (`lessons/*.yaml`) and the workspaces they start from
//! (`web/workspaces/**`) into the page at build time: the generated `bundle.rs` in OUT_DIR
//! lists each file's path (relative to the repository root) and includes its text.
//!
//! It also sets `KUBEPLAY_BUILD_ID`, a digest of everything the page and its model's worker are
//! built from (both crates' sources, the bundled files, Cargo.lock): the page asks for the
//! worker's files under it (`?v=`), so a browser never pairs a page with a cached worker of
//! another build.

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
    let mut sources = Vec::new();
    for dir in ["crates/app/src", "crates/model/src", "web/kubeplay-worker-loader.js", "Cargo.lock"] {
        let path = root.join(dir);
        println!("cargo::rerun-if-changed={}", path.display());
        if path.is_dir() { files(&path, &mut sources) } else { sources.push(path) }
    }
    let mut id: u64 = 0xcbf2_9ce4_8422_2325;
    for p in sources.iter().chain(&lessons).chain(&workspaces) {
        let rel = p.strip_prefix(&root).expect("under the root").to_string_lossy().into_owned();
        for b in rel.bytes().chain([0]).chain(std::fs::read(p).unwrap_or_default()).chain([0]) {
            id = (id ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    println!("cargo::rustc-env=KUBEPLAY_BUILD_ID={id:016x}");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("bundle.rs");
    std::fs::write(out, code).expect("write bundle.rs");
}
