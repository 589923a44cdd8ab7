//! `-o yaml` as kubectl prints it: sigs.k8s.io/yaml turns the JSON into YAML with go-yaml v2, so
//! keys are sorted, sequences sit at their key's indentation, strings that would read back as
//! another type (`"1"`, `"true"`, timestamps) are double-quoted, strings that cannot be plain are
//! single-quoted, and multi-line strings are literal blocks.

use serde_json::Value;

pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if !m.is_empty() => map(&mut out, m, 0),
        Value::Array(a) if !a.is_empty() => seq(&mut out, a, 0),
        other => {
            out.push_str(&scalar(other, 0));
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn map(out: &mut String, m: &serde_json::Map<String, Value>, ind: usize) {
    for (k, v) in m {
        indent(out, ind);
        out.push_str(&string(k, ind));
        out.push(':');
        value_after_key(out, v, ind);
    }
}

fn value_after_key(out: &mut String, v: &Value, ind: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            map(out, m, ind + 2);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            seq(out, a, ind);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other, ind + 2));
            out.push('\n');
        }
    }
}

fn seq(out: &mut String, a: &[Value], ind: usize) {
    for v in a {
        indent(out, ind);
        out.push('-');
        match v {
            Value::Object(m) if !m.is_empty() => {
                // The first key shares the dash's line; the rest align under it.
                let mut first = true;
                for (k, val) in m {
                    if first {
                        out.push(' ');
                        first = false;
                    } else {
                        indent(out, ind + 2);
                    }
                    out.push_str(&string(k, ind + 2));
                    out.push(':');
                    value_after_key(out, val, ind + 2);
                }
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                seq(out, inner, ind + 2);
            }
            other => {
                out.push(' ');
                out.push_str(&scalar(other, ind + 2));
                out.push('\n');
            }
        }
    }
}

fn scalar(v: &Value, ind: usize) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s, ind),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
    }
}

/// How go-yaml v2 writes a string scalar.
fn string(s: &str, ind: usize) -> String {
    if s.contains('\n') {
        // Literal block; `|-` when there is no final newline, `|` with exactly one.
        let chomp = if s.ends_with("\n\n") {
            "+"
        } else if s.ends_with('\n') {
            ""
        } else {
            "-"
        };
        let mut out = format!("|{chomp}");
        let body = s.strip_suffix('\n').unwrap_or(s);
        for line in body.split('\n') {
            out.push('\n');
            if !line.is_empty() {
                for _ in 0..ind {
                    out.push(' ');
                }
                out.push_str(line);
            }
        }
        return out;
    }
    if reads_as_non_string(s) {
        return format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    }
    if !plain_allowed(s) {
        return format!("'{}'", s.replace('\'', "''"));
    }
    s.to_string()
}

/// go-yaml v2's `resolve`: would this plain scalar read back as null, bool, number or time?
fn reads_as_non_string(s: &str) -> bool {
    if matches!(
        s,
        "" | "~"
            | "null"
            | "Null"
            | "NULL"
            | "y"
            | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
            | ".inf"
            | ".Inf"
            | ".INF"
            | "-.inf"
            | "+.inf"
            | ".nan"
            | ".NaN"
            | ".NAN"
    ) {
        return true;
    }
    let t = s.replace('_', "");
    let body = t.strip_prefix(['-', '+']).unwrap_or(&t);
    if !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    if let Some(h) = body.strip_prefix("0x")
        && !h.is_empty()
        && h.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return true;
    }
    if let Some(b) = body.strip_prefix("0b")
        && !b.is_empty()
        && b.bytes().all(|c| c == b'0' || c == b'1')
    {
        return true;
    }
    // Floats: digits with a dot and/or exponent.
    let is_float = {
        let (mant, exp) = match body.find(['e', 'E']) {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        };
        let mant_ok = !mant.is_empty()
            && mant.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && mant.bytes().filter(|b| *b == b'.').count() <= 1
            && mant.bytes().any(|b| b.is_ascii_digit());
        let exp_ok = exp.is_none_or(|e| {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
        });
        mant_ok && exp_ok && (mant.contains('.') || exp.is_some())
    };
    if is_float {
        return true;
    }
    // Timestamps: 2006-01-02, 2006-01-02T15:04:05Z and friends.
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && (b.len() == 10 || matches!(b[10], b'T' | b't' | b' '))
}

/// libyaml's analysis of whether a string may be written plain in block context.
fn plain_allowed(s: &str) -> bool {
    let first = s.chars().next().unwrap_or(' ');
    let second = s.chars().nth(1);
    if first.is_whitespace() || s.ends_with(char::is_whitespace) {
        return false;
    }
    if "[]{},#&*!|>'\"%@`".contains(first) {
        return false;
    }
    if "-?:".contains(first) && (second.is_none() || second == Some(' ')) {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    !s.chars().any(|c| c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kubectl_shape() {
        let v = json!({
            "metadata": {"annotations": {"deployment.kubernetes.io/revision": "1", "note": "a: b", "multi": "x\ny\n"},
                         "creationTimestamp": "2025-01-01T00:00:00Z", "name": "web", "labels": {}},
            "spec": {"containers": [{"image": "nginx", "name": "web", "ports": [{"containerPort": 80}]}], "empty": []},
            "status": {"ready": "True", "replicas": 3, "flag": true, "star": "*"}
        });
        let want = "metadata:\n  annotations:\n    deployment.kubernetes.io/revision: \"1\"\n    multi: |\n      x\n      y\n    note: 'a: b'\n  creationTimestamp: \"2025-01-01T00:00:00Z\"\n  labels: {}\n  name: web\nspec:\n  containers:\n  - image: nginx\n    name: web\n    ports:\n    - containerPort: 80\n  empty: []\nstatus:\n  flag: true\n  ready: \"True\"\n  replicas: 3\n  star: '*'\n";
        assert_eq!(to_yaml(&v), want);
    }

    #[test]
    fn round_trips_through_the_parser() {
        let v = json!({"a": ["1", "yes", "", "x y", "- z", "#c", "2025-01-01", "1.5", "0x1F", "plain"], "b": {"c": "line1\nline2"}});
        let text = to_yaml(&v);
        let back = crate::api::yaml::parse_documents(&text).all().unwrap();
        assert_eq!(back[0].value, v, "{text}");
    }
}
