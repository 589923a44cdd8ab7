//! Ingress routing as ingress-nginx does it (K8S-FACTS §8.5): rules by host (exact, or `*.`
//! wildcards matching one label), then the longest matching path, Exact before Prefix on a
//! tie; Prefix matches whole path elements; no match goes to the default backend (404).

use k8s_openapi::api::networking::v1::Ingress;

/// Whether `path` (the rule's) matches `req` (the request's) for `path_type`.
pub fn path_matches(path_type: &str, path: &str, req: &str) -> bool {
    match path_type {
        "Exact" => path == req,
        // Prefix and ImplementationSpecific (ingress-nginx treats it as a prefix).
        _ => {
            let p: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
            let r: Vec<&str> = req.split('/').filter(|s| !s.is_empty()).collect();
            p.len() <= r.len() && p.iter().zip(&r).all(|(a, b)| a == b)
        }
    }
}

/// Whether a rule's host matches the request's host.
pub fn host_matches(rule: &str, host: &str) -> bool {
    if rule.is_empty() {
        return true;
    }
    if let Some(suffix) = rule.strip_prefix("*.") {
        return host
            .strip_suffix(suffix)
            .and_then(|h| h.strip_suffix('.'))
            .is_some_and(|label| !label.is_empty() && !label.contains('.'));
    }
    rule == host
}

/// The backend (service, port) an Ingress sends `host` + `path` to, if any rule matches; then
/// its default backend.
pub fn route(ing: &Ingress, host: &str, path: &str) -> Option<(String, i32)> {
    let spec = ing.spec.as_ref()?;
    let mut best: Option<(usize, bool, (String, i32))> = None;
    for rule in spec.rules.iter().flatten() {
        if !host_matches(rule.host.as_deref().unwrap_or(""), host) {
            continue;
        }
        for p in rule.http.iter().flat_map(|h| h.paths.iter()) {
            let rule_path = p.path.clone().unwrap_or_else(|| "/".into());
            if !path_matches(&p.path_type, &rule_path, path) {
                continue;
            }
            let Some(svc) = p.backend.service.as_ref() else { continue };
            let port = svc.port.as_ref().and_then(|pt| pt.number).unwrap_or(80);
            let len = rule_path.trim_end_matches('/').len();
            let exact = p.path_type == "Exact";
            let better = match &best {
                None => true,
                Some((l, e, _)) => len > *l || (len == *l && exact && !*e),
            };
            if better {
                best = Some((len, exact, (svc.name.clone(), port)));
            }
        }
    }
    best.map(|b| b.2).or_else(|| {
        let svc = spec.default_backend.as_ref()?.service.as_ref()?;
        Some((svc.name.clone(), svc.port.as_ref().and_then(|p| p.number).unwrap_or(80)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// K8S-FACTS §8.5: the Ingress docs' path-matching examples.
    #[test]
    fn ingress_path_table() {
        assert!(path_matches("Prefix", "/", "/anything/at/all"));
        assert!(path_matches("Exact", "/foo", "/foo"));
        assert!(!path_matches("Exact", "/foo", "/bar"));
        assert!(!path_matches("Exact", "/foo", "/foo/"));
        assert!(!path_matches("Exact", "/foo/", "/foo"));
        assert!(path_matches("Prefix", "/foo", "/foo") && path_matches("Prefix", "/foo", "/foo/"));
        assert!(path_matches("Prefix", "/foo/", "/foo") && path_matches("Prefix", "/foo/", "/foo/"));
        assert!(!path_matches("Prefix", "/aaa/bb", "/aaa/bbb"));
        assert!(path_matches("Prefix", "/aaa/bbb", "/aaa/bbb"));
        assert!(path_matches("Prefix", "/aaa/bbb/", "/aaa/bbb"));
        assert!(path_matches("Prefix", "/aaa/bbb", "/aaa/bbb/"));
        assert!(path_matches("Prefix", "/aaa/bbb", "/aaa/bbb/ccc"));
        assert!(!path_matches("Prefix", "/aaa/bbb", "/aaa/bbbxyz"));
        assert!(!path_matches("Prefix", "/aaa", "/ccc"));
    }

    #[test]
    fn host_wildcards() {
        assert!(host_matches("*.foo.com", "bar.foo.com"));
        assert!(!host_matches("*.foo.com", "baz.bar.foo.com"));
        assert!(!host_matches("*.foo.com", "foo.com"));
        assert!(host_matches("", "anything"));
    }

    #[test]
    fn longest_path_wins_and_exact_beats_prefix() {
        let ing: Ingress = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "i"},
            "spec": {
                "defaultBackend": {"service": {"name": "fallback", "port": {"number": 80}}},
                "rules": [{"host": "shop.example.com", "http": {"paths": [
                    {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "root", "port": {"number": 80}}}},
                    {"path": "/aaa", "pathType": "Prefix", "backend": {"service": {"name": "aaa", "port": {"number": 80}}}},
                    {"path": "/aaa/bbb", "pathType": "Prefix", "backend": {"service": {"name": "bbb", "port": {"number": 80}}}},
                    {"path": "/foo", "pathType": "Prefix", "backend": {"service": {"name": "foo-prefix", "port": {"number": 80}}}},
                    {"path": "/foo", "pathType": "Exact", "backend": {"service": {"name": "foo-exact", "port": {"number": 80}}}}
                ]}}]
            }
        }))
        .unwrap();
        let r = |h: &str, p: &str| route(&ing, h, p).map(|x| x.0);
        assert_eq!(r("shop.example.com", "/aaa/ccc").as_deref(), Some("aaa"));
        assert_eq!(r("shop.example.com", "/aaa/bbb").as_deref(), Some("bbb"));
        assert_eq!(r("shop.example.com", "/ccc").as_deref(), Some("root"));
        assert_eq!(r("shop.example.com", "/foo").as_deref(), Some("foo-exact"));
        assert_eq!(r("other.example.com", "/x").as_deref(), Some("fallback"));
    }
}
