//! Hostile input (issue #8): alias bombs, 10 MiB documents, 10,000-deep nesting, bytes that are
//! not UTF-8, NUL bytes, huge numbers and 100,000 objects in one apply. Each case goes through
//! the real path, `kubectl apply -f FILE` in `Cluster::run` with the file in a `Workspace`, and
//! must end in a clear error naming the file (and its line where there is one) or in success,
//! without a panic; a refused document leaves the cluster exactly as it was, and the learner's
//! workspace is never changed. Wall time and memory are not asserted here (timed tests are
//! flaky); `kubeplay hostile` measures them (docs/robustness.md).

use kubeplay_model::api::{Kind, Object};
use kubeplay_model::bench::{HOSTILE_CASES, HostileCase, hostile_case};
use kubeplay_model::controllers::replicaset::{BURST_REPLICAS, MAX_PODS};
use kubeplay_model::{Cluster, ClusterConfig, CommandResult, Workspace};

/// Everything observable about the cluster: the event digest and every stored object.
fn fingerprint(c: &Cluster) -> (u64, Vec<serde_json::Value>) {
    let objects = Kind::ALL.iter().flat_map(|k| c.store().list(*k, None).map(Object::to_json)).collect();
    (c.digest(), objects)
}

/// Applies the case's file; checks the invariants every case shares; returns the result and
/// the cluster after it.
fn apply(case: &HostileCase) -> (CommandResult, Cluster) {
    let mut c = Cluster::new(ClusterConfig::default());
    let before_ws: Workspace = case.workspace.clone();
    let before = fingerprint(&c);
    let mut r = c.run(&format!("kubectl apply -f {}", case.file), &case.workspace);
    assert_eq!(r.len(), 1, "{}: one command, one result", case.name);
    let r = r.remove(0);
    assert_eq!(case.workspace, before_ws, "{}: the workspace must not change", case.name);
    if !r.ok {
        assert_eq!(fingerprint(&c), before, "{}: a refused apply must leave the cluster as it was", case.name);
        assert!(r.output.contains(case.file), "{}: the error must name the file: {}", case.name, r.output);
        assert!(!r.diagnostics.is_empty(), "{}: a refused apply has a diagnostic", case.name);
        for d in &r.diagnostics {
            assert_eq!(d.file, case.file, "{}: {d:?}", case.name);
        }
    }
    c.advance(case.then_ms);
    (r, c)
}

fn case(name: &str) -> HostileCase {
    assert!(HOSTILE_CASES.contains(&name), "{name} is measured by `kubeplay hostile` too");
    hostile_case(name, 100_000).unwrap_or_else(|| panic!("no case {name}"))
}

fn short(s: &str) -> &str {
    &s[..s.len().min(400)]
}

#[test]
fn alias_bomb_is_refused_with_gos_words_and_its_line() {
    let (r, _) = apply(&case("alias-bomb"));
    assert!(!r.ok);
    assert!(
        r.output.starts_with(
            "error: error parsing bomb.yaml: error converting YAML to JSON: yaml: line 11: document contains excessive aliasing"
        ),
        "{}",
        short(&r.output)
    );
    assert_eq!(r.diagnostics[0].line, 11);
}

#[test]
fn ten_mib_document_is_refused_as_the_api_server_refuses_it() {
    let (r, _) = apply(&case("10MiB-document"));
    assert!(!r.ok);
    assert_eq!(
        r.output.trim_end(),
        "Error from server (RequestEntityTooLarge): error when creating \"big.yaml\": Request entity too large: limit is 3145728"
    );
    assert_eq!(r.diagnostics[0].line, 1, "the document's first line");
}

#[test]
fn a_document_under_the_request_limit_is_accepted() {
    // 1 MiB of data: kubectl apply sends it twice (object + last-applied annotation), 2 MiB < 3 MiB.
    let text =
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  big: \"{}\"\n", "a".repeat(1 << 20));
    let ws = Workspace::default().with_file("big.yaml", &text);
    let mut c = Cluster::new(ClusterConfig::default());
    let r = c.run("kubectl apply -f big.yaml", &ws);
    assert!(r[0].ok, "{}", short(&r[0].output));
    // 2 MiB: 4 MiB through apply is refused, 2 MiB through create is not.
    let text = text.replace(&"a".repeat(1 << 20), &"a".repeat(2 << 20)).replace("name: c", "name: d");
    let ws = Workspace::default().with_file("big.yaml", &text);
    let r = c.run("kubectl apply -f big.yaml\nkubectl create -f big.yaml", &ws);
    assert!(!r[0].ok && r[0].output.contains("RequestEntityTooLarge"), "{}", short(&r[0].output));
    assert!(r[1].ok, "{}", short(&r[1].output));
}

#[test]
fn ten_thousand_deep_flow_nesting_is_refused_without_overflowing_the_stack() {
    let (r, _) = apply(&case("10000-deep-flow"));
    assert!(!r.ok);
    assert!(
        r.output.starts_with(
            "error: error parsing deep.yaml: error converting YAML to JSON: yaml: line 5: exceeded max depth of 200"
        ),
        "{}",
        short(&r.output)
    );
    assert_eq!(r.diagnostics[0].line, 5);
}

#[test]
fn ten_thousand_deep_block_nesting_is_refused_without_overflowing_the_stack() {
    let (r, _) = apply(&case("10000-deep-block"));
    assert!(!r.ok);
    assert!(r.output.contains("exceeded max depth of 200"), "{}", short(&r.output));
    // `data:` opens level 2 on line 5 and each `k:` one more; saphyr places a block mapping's
    // start on its first key, so the first mapping past level 200 is reported on line 205.
    assert_eq!(r.diagnostics[0].line, 205, "{:?}", r.diagnostics[0]);
}

#[test]
fn invalid_utf8_is_refused_with_its_line_and_byte() {
    let (r, _) = apply(&case("invalid-utf8"));
    assert!(!r.ok);
    let byte = CONFIGMAP_HEAD_LEN + "data:\n  greeting: caf".len();
    assert_eq!(
        r.output.trim_end(),
        format!(
            "error: error parsing latin1.yaml: error converting YAML to JSON: yaml: line 6: invalid UTF-8 at byte {byte}"
        )
    );
    assert_eq!((r.diagnostics[0].line, r.diagnostics[0].column), (6, 16));
}
const CONFIGMAP_HEAD_LEN: usize = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n".len();

#[test]
fn invalid_utf8_in_a_folder_is_reported_and_the_rest_applies() {
    let mut ws = Workspace::default().with_file("k8s/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");
    assert!(ws.insert_bytes("k8s/b.yaml", b"apiVersion: v1\n\xff\n").is_some());
    let mut c = Cluster::new(ClusterConfig::default());
    let r = c.run("kubectl apply -f k8s/", &ws);
    assert!(!r[0].ok);
    assert!(r[0].output.starts_with("configmap/a created\n"), "{}", r[0].output);
    assert!(r[0].output.contains("error parsing k8s/b.yaml") && r[0].output.contains("line 2"), "{}", r[0].output);
    // Valid bytes replace the bad file's entry, and the other way round.
    assert!(ws.insert_bytes("k8s/b.yaml", b"apiVersion: v1\n").is_none());
    assert!(ws.not_utf8.is_empty() && ws.files.contains_key("k8s/b.yaml"));
}

#[test]
fn nul_byte_is_refused_as_a_control_character_with_its_line() {
    let (r, _) = apply(&case("nul-byte"));
    assert!(!r.ok);
    assert_eq!(
        r.output.trim_end(),
        "error: error parsing nul.yaml: error converting YAML to JSON: yaml: line 6: control characters are not allowed"
    );
}

#[test]
fn replicas_1e100_is_refused_in_the_api_servers_words() {
    let (r, _) = apply(&case("replicas-1e100"));
    assert!(!r.ok);
    assert_eq!(
        r.output.trim_end(),
        "Error from server (BadRequest): error when creating \"d.yaml\": Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal number 1e+100 into Go struct field DeploymentSpec.spec.replicas of type int32"
    );
    assert_eq!(r.diagnostics[0].line, 6);
    assert_eq!(r.diagnostics[0].field.as_deref(), Some("spec.replicas"));
}

#[test]
fn other_type_errors_use_gos_words_too() {
    let ws = Workspace::default()
        .with_file("s.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: \"3\"\n")
        .with_file("p.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx\n    ports:\n    - containerPort: 3000000000\n");
    let mut c = Cluster::new(ClusterConfig::default());
    let r = c.run("kubectl apply -f s.yaml\nkubectl apply -f p.yaml", &ws);
    assert!(
        r[0].output.ends_with(
            "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32\n"
        ),
        "{}",
        r[0].output
    );
    assert!(
        r[1].output.ends_with("json: cannot unmarshal number 3000000000 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32\n"),
        "{}",
        r[1].output
    );
    assert_eq!(r[1].diagnostics[0].line, 9, "the list item's own line, found through the indexed path");
}

#[test]
fn replicas_max_int32_is_accepted_and_created_in_bounded_bursts() {
    let (r, c) = apply(&case("replicas-2147483647"));
    assert!(r.ok, "{}", r.output);
    let pods = c.store().count(Kind::Pod);
    // 100 ms: the Deployment syncs at 10 ms, its ReplicaSet every 10 ms from 20 ms on.
    assert!(pods > 0 && pods % BURST_REPLICAS == 0 && pods <= 9 * BURST_REPLICAS, "{pods} pods");
    assert!(pods <= MAX_PODS);
}

/// With the default 25 % maxSurge, `replicas + maxSurge` overflows int32. Upstream's Go wraps
/// it negative and never scales the new ReplicaSet up; the model wraps the same way instead of
/// panicking (a debug-build overflow panic in deployment.rs before this test).
#[test]
fn replicas_max_int32_with_default_surge_wraps_as_go_does_without_panicking() {
    let ws = Workspace::default().with_file(
        "d.yaml",
        &case("replicas-2147483647").workspace.files["d.yaml"]
            .replace("  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 1}}\n", ""),
    );
    let mut c = Cluster::new(ClusterConfig::default());
    let r = c.run("kubectl apply -f d.yaml\nsleep 5s\nkubectl get deploy d", &ws);
    assert!(r.iter().all(|x| x.ok), "{r:?}");
    assert_eq!(c.store().count(Kind::Pod), 0);
    assert!(r[2].output.contains("0/2147483647"), "{}", r[2].output);
    // A percentage that overflows even i64 arithmetic is clamped, not a panic.
    let ws = Workspace::default().with_file(
        "d.yaml",
        &ws.files["d.yaml"]
            .replace("  selector:", "  strategy: {rollingUpdate: {maxSurge: \"99999999999999999%\"}}\n  selector:"),
    );
    let r = c.run("kubectl apply -f d.yaml\nsleep 5s", &ws);
    assert!(r[0].ok, "{}", r[0].output);
}

#[test]
fn a_full_node_port_range_refuses_the_next_service_instead_of_looping() {
    // 2,768 NodePorts exist (30000-32767). One Service with every port takes them all.
    let ports: Vec<String> = (0..2768).map(|i| format!("  - {{name: p{i}, port: {}}}", 1000 + i)).collect();
    let all = format!(
        "apiVersion: v1\nkind: Service\nmetadata: {{name: all}}\nspec:\n  type: NodePort\n  selector: {{app: x}}\n  ports:\n{}\n",
        ports.join("\n")
    );
    let one = "apiVersion: v1\nkind: Service\nmetadata: {name: one}\nspec:\n  type: NodePort\n  selector: {app: x}\n  ports:\n  - {port: 80}\n";
    let ws = Workspace::default().with_file("all.yaml", &all).with_file("one.yaml", one);
    let mut c = Cluster::new(ClusterConfig::default());
    let r = c.run("kubectl apply -f all.yaml", &ws);
    assert!(r[0].ok, "{}", short(&r[0].output));
    let before = fingerprint(&c);
    let r = c.run("kubectl apply -f one.yaml", &ws);
    assert_eq!(
        r[0].output.trim_end(),
        "Error from server (InternalError): error when creating \"one.yaml\": Internal error occurred: failed to allocate a nodePort: range is full"
    );
    assert_eq!(fingerprint(&c), before);
}

#[test]
fn a_hundred_thousand_objects_in_one_apply_complete() {
    let (r, c) = apply(&case("many-objects"));
    assert!(r.ok);
    assert_eq!(c.store().count(Kind::ConfigMap), 100_000);
    assert_eq!(r.output.lines().count(), 100_000);
    assert!(r.output.ends_with("configmap/c99999 created\n"));
}

/// kubectl reads a file document by document and stops at the first that is not YAML: the
/// documents before it are applied, the ones after it are not read, and the error comes after
/// what was applied (k8s.io/cli-runtime `StreamVisitor.Visit` and `ContinueOnErrorVisitor`;
/// `apply`'s `Run` applies the objects it got before it reports the error). Its line counts
/// from the broken document's start, since kubectl splits the file at `---` lines and decodes
/// each part alone (`YAMLReader`); the editor's diagnostic keeps the file's line.
#[test]
fn a_broken_document_stops_the_file_after_the_ones_before_it() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b\ndata: {x: y}\n--- # the third\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n";
    let ws = Workspace::default().with_file("m.yaml", text);
    let mut c = Cluster::new(ClusterConfig::default());
    let r = c.run("kubectl apply -f m.yaml", &ws).remove(0);
    assert!(!r.ok);
    let lines: Vec<&str> = r.output.lines().collect();
    assert_eq!(lines[0], "configmap/a created");
    assert!(
        lines[1].starts_with("error: error parsing m.yaml: error converting YAML to JSON: yaml: line 4: "),
        "line 8 of the file is line 4 of its second document: {}",
        r.output
    );
    assert_eq!(lines.len(), 2, "{}", r.output);
    assert_eq!((r.diagnostics[0].line, r.diagnostics[0].file.as_str()), (8, "m.yaml"));
    let names: Vec<&str> = c.store().list(Kind::ConfigMap, Some("default")).map(|o| o.name()).collect();
    assert!(names.contains(&"a") && !names.contains(&"b") && !names.contains(&"c"), "{names:?}");

    // `delete -f` deletes what the documents before the broken one name, then says why it
    // stopped.
    let r = c.run("kubectl delete -f m.yaml", &ws).remove(0);
    assert!(!r.ok);
    assert!(r.output.starts_with("configmap \"a\" deleted\nerror: error parsing m.yaml"), "{}", r.output);
    assert!(!c.store().contains(Kind::ConfigMap, "default", "a"));
}

/// A character YAML does not allow fails its own document, the same way.
#[test]
fn a_control_character_stops_the_file_at_its_document() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {k: \"x\u{1}\"}\n";
    let ws = Workspace::default().with_file("m.yaml", text);
    let mut c = Cluster::new(ClusterConfig::default());
    let r = c.run("kubectl apply -f m.yaml", &ws).remove(0);
    assert_eq!(
        r.output,
        "configmap/a created\nerror: error parsing m.yaml: error converting YAML to JSON: yaml: line 4: control characters are not allowed\n"
    );
    assert_eq!((r.diagnostics[0].line, r.diagnostics[0].column), (8, 13));
}

/// A `---` line with more than a comment after it stops kubectl's document reader
/// (k8s.io/apimachinery/pkg/util/yaml `YAMLReader.Read`: "invalid Yaml document separator"),
/// and the document it was reading is lost; the documents before that one are applied.
#[test]
fn a_bad_separator_line_stops_the_file_as_kubectls_reader_does() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n--- !!map\nkind: ConfigMap\n";
    let ws = Workspace::default().with_file("m.yaml", text);
    let mut c = Cluster::new(ClusterConfig::default());
    let r = c.run("kubectl apply -f m.yaml", &ws).remove(0);
    assert_eq!(r.output, "configmap/a created\nerror: error parsing m.yaml: invalid Yaml document separator: !!map\n");
    assert_eq!(r.diagnostics[0].line, 8);
    assert!(!c.store().contains(Kind::ConfigMap, "default", "b"));
}
