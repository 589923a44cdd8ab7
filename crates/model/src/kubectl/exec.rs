//! `kubectl exec POD [-c C] -- COMMAND`: the few commands simulated containers answer — `env`,
//! `printenv`, `cat` and `ls` of ConfigMap/Secret volumes (Secret values decoded, as a process
//! sees them), `echo`, `psql -c` against the PostgreSQL profile (rows live on its data
//! volume), and `curl` to a Service or pod.

use crate::api::Pod;
use k8s_openapi::api::core::v1::Container;

use crate::api::{Kind, Object};
use crate::cluster::Cluster;

/// Runs one command; returns (output, exit code).
pub fn exec(c: &mut Cluster, pod: &Pod, container: &Container, argv: &[String]) -> (String, i32) {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let pname = pod.metadata.name.clone().unwrap_or_default();
    let argv: Vec<String> = match argv {
        [sh, flag, script] if (sh == "sh" || sh == "/bin/sh" || sh == "bash") && flag == "-c" => {
            script.split_whitespace().map(|w| w.trim_matches('"').trim_matches('\'').to_string()).collect()
        }
        _ => argv.to_vec(),
    };
    let Some(cmd) = argv.first() else { return (String::new(), 0) };
    match cmd.as_str() {
        "env" | "printenv" => {
            let env = c.container_env(pod, container);
            if let Some(var) = argv.get(1).filter(|_| cmd == "printenv") {
                return match env.iter().find(|(k, _)| k == var) {
                    Some((_, v)) => (format!("{v}\n"), 0),
                    None => (String::new(), 1),
                };
            }
            (env.iter().map(|(k, v)| format!("{k}={v}\n")).collect(), 0)
        }
        "echo" => (format!("{}\n", argv[1..].join(" ")), 0),
        "hostname" => (format!("{pname}\n"), 0),
        "cat" | "ls" => {
            let Some(path) = argv.get(1) else { return (String::new(), 0) };
            match read_mount(c, pod, container, path) {
                Some(Mount::File(text)) if cmd == "cat" => (text, 0),
                Some(Mount::Dir(keys)) if cmd == "ls" => (keys.iter().map(|k| format!("{k}\n")).collect(), 0),
                Some(Mount::Dir(_)) => ("cat: read error: Is a directory\n".to_string(), 1),
                Some(Mount::File(_)) => (format!("{path}\n"), 0),
                None => (format!("{cmd}: can't open '{path}': No such file or directory\n"), 1),
            }
        }
        "psql" => psql(c, pod, container, &argv),
        "curl" | "wget" => curl(c, &ns, &argv),
        other => {
            let id = c.exec_target(&ns, &pname, &container.name).map(|t| t.container_id).unwrap_or_default();
            let short: String = id.trim_start_matches("containerd://").chars().take(64).collect();
            (
                format!(
                    "error: Internal error occurred: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \"{short}\": OCI runtime exec failed: exec failed: unable to start container process: exec: \"{other}\": executable file not found in $PATH: unknown\n"
                ),
                -1,
            )
        }
    }
}

enum Mount {
    File(String),
    Dir(Vec<String>),
}

/// A path inside a ConfigMap or Secret volume.
fn read_mount(c: &Cluster, pod: &Pod, container: &Container, path: &str) -> Option<Mount> {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let spec = pod.spec.clone().unwrap_or_default();
    for m in container.volume_mounts.iter().flatten() {
        let dir = m.mount_path.trim_end_matches('/');
        let rest = if path.trim_end_matches('/') == dir {
            ""
        } else if let Some(r) = path.strip_prefix(&format!("{dir}/")) {
            r
        } else {
            continue;
        };
        let Some(vol) = spec.volumes.iter().flatten().find(|v| v.name == m.name) else { continue };
        let mut files: Vec<(String, String)> = Vec::new();
        if let Some(cm) = &vol.config_map
            && let Some(Object::ConfigMap(obj)) = c.store().get(Kind::ConfigMap, &ns, &cm.name)
        {
            files = obj.data.clone().unwrap_or_default().into_iter().collect();
        }
        if let Some(sv) = &vol.secret {
            let name = sv.secret_name.clone().unwrap_or_default();
            if let Some(Object::Secret(obj)) = c.store().get(Kind::Secret, &ns, &name) {
                files = obj
                    .data
                    .clone()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(k, v)| (k, String::from_utf8_lossy(&v.0).into_owned()))
                    .collect();
            }
        }
        if let Some(sub) = &m.sub_path {
            return files.into_iter().find(|(k, _)| k == sub).map(|(_, v)| Mount::File(v));
        }
        if rest.is_empty() {
            return Some(Mount::Dir(files.into_iter().map(|(k, _)| k).collect()));
        }
        return files.into_iter().find(|(k, _)| k == rest).map(|(_, v)| Mount::File(v));
    }
    None
}

/// `psql -c "SQL"` against the PostgreSQL profile: INSERT adds a row, SELECT count(*) counts
/// them. Rows live where the data directory is: a claim's volume survives the pod.
fn psql(c: &mut Cluster, pod: &Pod, container: &Container, argv: &[String]) -> (String, i32) {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let pname = pod.metadata.name.clone().unwrap_or_default();
    let target = c.exec_target(&ns, &pname, &container.name);
    if !target.as_ref().is_some_and(|t| t.is_postgres) {
        return ("sh: psql: not found\n".into(), 127);
    }
    if !target.as_ref().is_some_and(|t| t.listening) {
        return (
            "psql: error: connection to server on socket \"/var/run/postgresql/.s.PGSQL.5432\" failed: No such file or directory\n\tIs the server running locally and accepting connections on that socket?\n".into(),
            2,
        );
    }
    let sql = argv.iter().position(|a| a == "-c").and_then(|i| argv.get(i + 1)).cloned().unwrap_or_default();
    let instance = target.map(|t| t.container_id).unwrap_or_default();
    let vol = c.data_volume(pod, &container.name, "/var/lib/postgresql/data", &instance);
    let data = c.volume_data.entry(vol).or_default();
    let upper = sql.to_uppercase();
    if upper.starts_with("INSERT") {
        data.rows += 1;
        ("INSERT 0 1\n".into(), 0)
    } else if upper.starts_with("SELECT COUNT") {
        (format!(" count \n-------\n {:>5}\n(1 row)\n\n", data.rows), 0)
    } else if upper.starts_with("CREATE TABLE") {
        ("CREATE TABLE\n".into(), 0)
    } else {
        (format!("ERROR:  kubeplay's postgres answers INSERT, SELECT count(*) and CREATE TABLE; not: {sql}\n"), 1)
    }
}

/// `curl [-s] [-i] http://HOST[:PORT]/PATH` from inside the pod: a Service name (through
/// kube-proxy's choice of endpoint) or a pod IP.
fn curl(c: &mut Cluster, ns: &str, argv: &[String]) -> (String, i32) {
    let client = "10.244.0.1".to_string();
    curl_request(c, ns, argv, &client, false)
}

/// One HTTP request as curl prints it. `outside`: from the learner's machine, where only
/// NodePorts (on a node's name or IP, or localhost as docker-desktop forwards them) and
/// LoadBalancer addresses reach the cluster.
pub fn curl_request(c: &mut Cluster, ns: &str, argv: &[String], client: &str, outside: bool) -> (String, i32) {
    // `-H "Host: name"` picks the virtual host, as on an ingress controller.
    let host_header: Option<String> = argv
        .windows(2)
        .find(|w| w[0] == "-H" && w[1].to_ascii_lowercase().starts_with("host:"))
        .map(|w| w[1][5..].trim().to_string());
    let skip_values: Vec<usize> = argv.iter().enumerate().filter(|(_, a)| *a == "-H").map(|(i, _)| i + 1).collect();
    let Some(url) =
        argv.iter().enumerate().skip(1).find(|(i, a)| !a.starts_with('-') && !skip_values.contains(i)).map(|(_, a)| a)
    else {
        return ("curl: try 'curl --help' for more information\n".into(), 2);
    };
    let rest = url.trim_start_matches("http://");
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().unwrap_or(80)),
        None => (hostport, 80),
    };
    let refused = |host: &str, port: i32| {
        (format!("curl: (7) Failed to connect to {host} port {port} after 0 ms: Couldn't connect to server\n"), 7)
    };
    // Which Service (namespace, name, service port) the address reaches.
    let mut via_ingress = false;
    let target: Option<(String, String, i32)> = if outside {
        c.service_for_outside(host, port).or_else(|| {
            // Port 80 on localhost or any other name reaches the ingress controller.
            if port == 80 && !c.is_node_address(host) {
                via_ingress = true;
                c.ingress_route(host_header.as_deref().unwrap_or(host), path)
            } else {
                None
            }
        })
    } else {
        c.service_for_inside(ns, host, port)
    };
    if via_ingress && target.is_none() {
        // ingress-nginx's default backend.
        let head = if argv.iter().any(|a| a == "-i" || a == "-I") { "HTTP/1.1 404 Not Found\n\n" } else { "" };
        return (
            format!(
                "{head}<html>\n<head><title>404 Not Found</title></head>\n<body>\n<center><h1>404 Not Found</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n"
            ),
            0,
        );
    }
    let Some((svc_ns, svc, svc_port)) = target else {
        if !outside && c.resolves(ns, host) {
            return refused(host, port);
        }
        if outside && (c.is_node_address(host) || host == "localhost" || host.starts_with("172.18.")) {
            return refused(host, port);
        }
        return (format!("curl: (6) Could not resolve host: {host}\n"), 6);
    };
    let backend = match c.pick_backend(&svc_ns, &svc, svc_port, client) {
        Ok(b) => b,
        // ingress-nginx answers for a backend without endpoints.
        Err(_) if via_ingress => {
            let head = if argv.iter().any(|a| a == "-i" || a == "-I") {
                "HTTP/1.1 503 Service Temporarily Unavailable\n\n"
            } else {
                ""
            };
            return (
                format!(
                    "{head}<html>\n<head><title>503 Service Temporarily Unavailable</title></head>\n<body>\n<center><h1>503 Service Temporarily Unavailable</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n"
                ),
                0,
            );
        }
        Err(_) => return refused(host, port),
    };
    // The pod at the endpoint's address answers; none there, or nothing listening, refuses.
    let answer = c
        .pod_answering(&backend)
        .map(|p| c.http_from(Some(p), c.pod_runtime(p.namespace(), p.name()), backend.port, path));
    let status = match answer {
        Some(Ok(s)) => s,
        _ => return refused(host, port),
    };
    let body = match status {
        200 if path.contains("health") => "{\"status\":\"ok\"}".to_string(),
        200 => "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n</body>\n</html>".to_string(),
        404 => "<html>\n<head><title>404 Not Found</title></head>\n<body>\n<center><h1>404 Not Found</h1></center>\n</body>\n</html>".to_string(),
        503 => "{\"status\":\"warming up\"}".to_string(),
        s => format!("HTTP {s}"),
    };
    let head = if argv.iter().any(|a| a == "-i" || a == "-I") {
        let reason = match status {
            200 => "OK",
            404 => "Not Found",
            503 => "Service Unavailable",
            _ => "",
        };
        format!("HTTP/1.1 {status} {reason}\n\n")
    } else {
        String::new()
    };
    (format!("{head}{body}\n"), 0)
}
