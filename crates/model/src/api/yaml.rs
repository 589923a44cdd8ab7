//! YAML text -> JSON values, keeping the line and column of every key and item so errors can
//! point at the right line. Scalars resolve as Kubernetes' YAML decoder (go-yaml v2, YAML 1.1)
//! resolves them: `yes`/`on` are booleans, `1e3` is a number, quoted scalars are strings.
//!
//! Hostile input is bounded: alias expansion and nesting depth have limits that produce an
//! error instead of a hang, a stack overflow or a memory blow-up, and characters YAML does not
//! allow (NUL and other control characters) are refused with their line. The size of one object
//! is bounded later, by the API server's request limit (`apiserver::MAX_REQUEST_BODY_BYTES`).

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use serde_json::{Map, Number, Value};

/// Deepest nesting accepted. Upstream's go-yaml v2 (vendored as sigs.k8s.io/yaml/goyaml.v2,
/// scannerc.go `max_flow_level`/`max_indents`) stops at 10,000 with "exceeded max depth of
/// 10000". kubeplay stops at 200: the scanner it uses (saphyr-parser) refuses flow nesting past
/// 255 by itself, and the typed decoding, drop and comparison of JSON values after this parser
/// recurse, which 10,000 levels would turn into a stack overflow in a browser tab's 1 MiB wasm
/// stack. No Kubernetes manifest nests deeper than about 20.
pub const MAX_DEPTH: usize = 200;
/// Most nodes one document may expand to through aliases (a "billion laughs" stops here with
/// go-yaml's own words, "document contains excessive aliasing"; go-yaml bounds the ratio of
/// aliased to written nodes instead, which also stops it before memory runs out).
pub const MAX_NODES: usize = 1_000_000;

/// A YAML syntax problem, with its 1-based line and column in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The error of kubectl's document reader (a bad `---` line), not of a document's YAML.
    pub reader: bool,
}

impl YamlError {
    /// An error in a document's YAML.
    fn new(line: usize, column: usize, message: impl Into<String>) -> YamlError {
        YamlError { line, column, message: message.into(), reader: false }
    }
}

/// What [`parse_documents`] read: the documents before the first error, and the error.
#[derive(Debug, Default)]
pub struct Parsed {
    pub docs: Vec<Document>,
    pub error: Option<YamlError>,
}

impl Parsed {
    /// Every document, or the error: for files read as a whole (lessons, behaviour profiles).
    pub fn all(self) -> Result<Vec<Document>, YamlError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.docs),
        }
    }
}

/// Whether a line separates documents as kubectl splits a file: it starts with `---` and the
/// rest is blank or a comment (k8s.io/apimachinery/pkg/util/yaml, `YAMLReader.Read`; anything
/// else after the dashes is an error there).
fn is_separator(line: &str) -> bool {
    line.strip_prefix("---").is_some_and(|rest| {
        let rest = rest.trim();
        rest.is_empty() || rest.starts_with('#')
    })
}

/// The line of the separator before `line` (0: none), and where that separator's line starts.
fn chunk_start(text: &str, line: usize) -> (usize, usize) {
    let (mut sep, mut offset, mut at) = (0, 0, 0);
    for (i, l) in text.split_inclusive('\n').take(line.saturating_sub(1)).enumerate() {
        if is_separator(l.trim_end_matches(['\n', '\r'])) {
            (sep, offset) = (i + 1, at);
        }
        at += l.len();
    }
    (sep, offset)
}

/// The text before the document (as kubectl splits the file) that holds `line`.
fn before_document_of(text: &str, line: usize) -> &str {
    &text[..chunk_start(text, line).1]
}

/// The line kubectl gives for an error at `line` of the file: kubectl splits the file at
/// `---` lines and decodes each part on its own, so it counts lines from the part's start
/// (the line after the separator). The editor's diagnostic keeps the file's line.
pub fn line_in_document(text: &str, line: usize) -> usize {
    line - chunk_start(text, line).0
}

/// One YAML document as JSON, and the way to where each field path starts.
#[derive(Clone, Debug, Default)]
pub struct Document {
    pub value: Value,
    /// 1-based line where the document's content starts.
    pub line: usize,
    /// Which of the file's (non-empty) documents this is.
    index: usize,
    /// Shared by every document of the file; None only while the file is being parsed.
    positions: Option<Rc<Positions>>,
}

/// Where every field path of every document of one file starts, worked out on first use: only
/// a document with an error needs them, and recording them for a 100,000-object apply that has
/// none took a third of its parse (docs/robustness.md).
#[derive(Default)]
struct Positions {
    text: Box<str>,
    /// Per document: field path (`spec.template.spec.containers[0].image`) -> (line, column),
    /// 1-based.
    by_document: OnceCell<Vec<BTreeMap<String, (usize, usize)>>>,
}

impl std::fmt::Debug for Positions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Positions({} bytes of text)", self.text.len())
    }
}

impl Document {
    /// Where the document starts, for an error about the whole of it.
    pub fn start(&self) -> (usize, usize) {
        (self.line, 1)
    }

    /// The line of `path`, or of its closest ancestor that has one.
    pub fn line_of(&self, path: &str) -> (usize, usize) {
        let Some(positions) = &self.positions else { return (self.line, 1) };
        let all = positions.by_document.get_or_init(|| {
            let mut all = Vec::new();
            // The text parsed once already; parsing it again gives the same documents.
            let _ = parse(&positions.text, Some(&mut all), &mut Vec::new());
            all
        });
        let Some(positions) = all.get(self.index) else { return (self.line, 1) };
        let mut p = path.to_string();
        loop {
            if let Some(pos) = positions.get(&p) {
                return *pos;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p.truncate(i),
                None => return (self.line, 1),
            }
        }
    }
}

/// A mapping or sequence being read. Paths are not kept per frame: they are made from the
/// stack when a position is recorded or an error needs one.
enum Frame {
    Seq { items: Vec<Value>, anchor: usize, start: (usize, usize) },
    Map { map: Map<String, Value>, key: Option<String>, anchor: usize, start: (usize, usize) },
}

/// Parses the documents in `text` up to the first error, as kubectl reads a file: it decodes
/// document after document and stops at the first that does not parse, keeping the ones before
/// it (k8s.io/cli-runtime `StreamVisitor.Visit`). Empty documents (only comments, or `---`
/// alone) are skipped.
pub fn parse_documents(text: &str) -> Parsed {
    // A line that starts with `---` and goes on with anything but a comment stops kubectl's
    // reader ("invalid Yaml document separator"), and the document it was reading is lost.
    let (text, bad_separator) =
        match text.split('\n').enumerate().find(|(_, l)| l.starts_with("---") && !is_separator(l)) {
            Some((i, line)) => {
                let message = format!("invalid Yaml document separator: {}", line[3..].trim());
                (before_document_of(text, i + 1), Some(YamlError { reader: true, ..YamlError::new(i + 1, 1, message) }))
            }
            None => (text, None),
        };
    // A character YAML does not allow fails its document: what comes before still parses.
    let (text, refused) = match check_characters(text) {
        Ok(()) => (text, bad_separator),
        Err(e) => (before_document_of(text, e.line), Some(e)),
    };
    let mut docs = Vec::new();
    let error = parse(text, None, &mut docs).err().or(refused);
    if docs.is_empty() {
        return Parsed { docs, error };
    }
    // The positions of the documents read come from their text only (a copy of the file's
    // text up to the broken document; a 48 MiB file that fails early keeps none of it).
    let read = error.as_ref().map_or(text, |e| before_document_of(text, e.line));
    let positions = Rc::new(Positions { text: read.into(), by_document: OnceCell::new() });
    for (index, doc) in docs.iter_mut().enumerate() {
        doc.index = index;
        doc.positions = Some(positions.clone());
    }
    Parsed { docs, error }
}

/// The parser: the documents it reads go to `docs` until an error; with `record`, also the
/// positions of each document's field paths. The text has passed `check_characters`.
fn parse(
    text: &str,
    mut record: Option<&mut Vec<BTreeMap<String, (usize, usize)>>>,
    docs: &mut Vec<Document>,
) -> Result<(), YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: BTreeMap<usize, (Value, usize)> = BTreeMap::new();
    let mut doc = Document::default();
    let mut positions: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut nodes: usize = 0;
    let mut root: Option<Value> = None;
    let recording = record.is_some();
    let note = |positions: &mut BTreeMap<String, (usize, usize)>, path: &dyn Fn() -> String, at: (usize, usize)| {
        if recording && positions.len() < MAX_NODES {
            positions.insert(path(), at);
        }
    };

    while let Some(ev) = parser.next_event() {
        let (ev, span) = ev.map_err(|e| {
            YamlError::new(
                e.marker().line(),
                e.marker().col() + 1,
                // saphyr's scanner counts flow levels in a u8; say what go-yaml says at its limit.
                match e.info() {
                    "recursion limit exceeded" => format!("exceeded max depth of {MAX_DEPTH}"),
                    other => other.to_string(),
                },
            )
        })?;
        let at = |span: &Span| (span.start.line(), span.start.col() + 1);
        match ev {
            Event::DocumentStart(_) => {
                doc = Document { line: span.start.line(), ..Document::default() };
                positions = BTreeMap::new();
                anchors.clear();
                nodes = 0;
                root = None;
            }
            Event::DocumentEnd => {
                if let Some(v) = root.take()
                    && !v.is_null()
                {
                    doc.value = v;
                    docs.push(std::mem::take(&mut doc));
                    if let Some(all) = record.as_deref_mut() {
                        all.push(std::mem::take(&mut positions));
                    }
                }
            }
            Event::Scalar(s, style, anchor, tag) => {
                let (line, col) = at(&span);
                // A scalar in key position names the next field.
                if let Some(Frame::Map { key: key @ None, .. }) = stack.last_mut() {
                    // A copy: the scanner's string has room to spare, and a 100,000-object file keeps
                    // every key until it is applied.
                    *key = Some(s.to_string());
                    note(&mut positions, &|| slots_path(&stack), (line, col));
                    continue;
                }
                let quoted = !matches!(style, ScalarStyle::Plain);
                let forced_str = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let v = if quoted || forced_str { Value::String(s.into_owned()) } else { resolve_plain(&s) };
                nodes += 1;
                if anchor > 0 {
                    anchors.insert(anchor, (v.clone(), 1));
                }
                if let Some(Frame::Seq { .. }) = stack.last() {
                    note(&mut positions, &|| slots_path(&stack), (line, col));
                }
                push_value(&mut stack, &mut root, v, (line, col))?;
            }
            Event::Alias(id) => {
                let (line, col) = at(&span);
                let Some((v, size)) = anchors.get(&id).cloned() else {
                    return Err(YamlError::new(line, col, "unknown anchor"));
                };
                nodes = nodes.saturating_add(size);
                if nodes > MAX_NODES {
                    return Err(YamlError::new(
                        line,
                        col,
                        format!("document contains excessive aliasing (it expands to more than {MAX_NODES} nodes)"),
                    ));
                }
                if let Some(Frame::Map { key: key @ None, .. }) = stack.last_mut() {
                    *key = Some(scalar_key(&v));
                    note(&mut positions, &|| slots_path(&stack), (line, col));
                    continue;
                }
                if let Some(Frame::Seq { .. }) = stack.last() {
                    note(&mut positions, &|| slots_path(&stack), (line, col));
                }
                push_value(&mut stack, &mut root, v, (line, col))?;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                let (line, col) = at(&span);
                if stack.len() >= MAX_DEPTH {
                    return Err(YamlError::new(line, col, format!("exceeded max depth of {MAX_DEPTH}")));
                }
                if let Some(Frame::Map { key: None, .. }) = stack.last() {
                    return Err(YamlError::new(line, col, "a mapping key must be a scalar"));
                }
                // A sequence item's position is where the item starts; a field's is its key's.
                if let Some(Frame::Seq { .. }) = stack.last() {
                    note(&mut positions, &|| slots_path(&stack), (line, col));
                }
                nodes += 1;
                if matches!(ev, Event::SequenceStart(..)) {
                    stack.push(Frame::Seq { items: Vec::new(), anchor, start: (line, col) });
                } else {
                    stack.push(Frame::Map { map: Map::new(), key: None, anchor, start: (line, col) });
                }
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (v, anchor, (line, col)) = match stack.pop() {
                    Some(Frame::Seq { items, anchor, start, .. }) => (Value::Array(items), anchor, start),
                    Some(Frame::Map { map, anchor, start, .. }) => (Value::Object(map), anchor, start),
                    None => continue,
                };
                if anchor > 0 {
                    anchors.insert(anchor, (v.clone(), count_nodes(&v)));
                }
                push_value(&mut stack, &mut root, v, (line, col))?;
            }
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart => {}
        }
    }
    Ok(())
}

/// Refuses characters YAML streams may not contain (YAML 1.1 §5.1 c-printable: tab, line feed,
/// carriage return, and printable characters; C0/C1 controls and DEL are out), as go-yaml's
/// reader does with "control characters are not allowed" (reader.go). saphyr would read a NUL as
/// the end of the stream and report a misleading "unexpected end of stream" instead. Unlike
/// go-yaml, the error names the line and column.
fn check_characters(text: &str) -> Result<(), YamlError> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | '\u{85}')
            || ('\u{20}'..='\u{7e}').contains(&c)
            || ('\u{a0}'..='\u{d7ff}').contains(&c)
            || ('\u{e000}'..='\u{fffd}').contains(&c)
            || c >= '\u{10000}'
    };
    // Fast path: most manifests are printable ASCII.
    if text.bytes().all(|b| matches!(b, b'\t' | b'\n' | b'\r' | 0x20..=0x7e)) {
        return Ok(());
    }
    let (mut line, mut column) = (1, 1);
    for c in text.chars() {
        if !allowed(c) {
            return Err(YamlError::new(line, column, "control characters are not allowed"));
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    Ok(())
}

fn count_nodes(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(count_nodes).sum::<usize>(),
        Value::Object(m) => 1 + m.values().map(count_nodes).sum::<usize>(),
        _ => 1,
    }
}

/// The path of the value each frame of `stack` is waiting for, joined: the path the next value
/// pushed into the top frame will have (`a.b[2]`). For a map frame whose key has not been read
/// yet, the map's own path.
fn slots_path(stack: &[Frame]) -> String {
    let mut out = String::new();
    for frame in stack {
        match frame {
            Frame::Seq { items, .. } => out.push_str(&format!("[{}]", items.len())),
            Frame::Map { key: Some(k), .. } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Frame::Map { key: None, .. } => {}
        }
    }
    out
}

fn push_value(stack: &mut [Frame], root: &mut Option<Value>, v: Value, pos: (usize, usize)) -> Result<(), YamlError> {
    let Some((top, outer)) = stack.split_last_mut() else {
        *root = Some(v);
        return Ok(());
    };
    match top {
        Frame::Seq { items, .. } => items.push(v),
        Frame::Map { map, key, .. } => {
            match map.entry(key.take().unwrap_or_default()) {
                serde_json::map::Entry::Vacant(slot) => {
                    slot.insert(v);
                }
                serde_json::map::Entry::Occupied(field) => {
                    // go-yaml v2 rejects duplicate keys; so does the API server's strict decoding.
                    let path = slots_path(outer);
                    return Err(YamlError::new(
                        pos.0,
                        pos.1,
                        format!(
                            "mapping key {:?} already defined in {}",
                            field.key(),
                            if path.is_empty() { "the document" } else { &path }
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

fn scalar_key(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// YAML 1.1 plain-scalar resolution as go-yaml v2 does it.
fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Value::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false);
        }
        _ => {}
    }
    let first = s.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Value::String(s.to_string());
    }
    let plain = s.replace('_', "");
    if let Ok(i) = plain.parse::<i64>() {
        return Value::Number(i.into());
    }
    if let Some(hex) = plain.strip_prefix("0x")
        && let Ok(i) = i64::from_str_radix(hex, 16)
    {
        return Value::Number(i.into());
    }
    if plain.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        && plain.bytes().any(|b| b.is_ascii_digit())
        && let Ok(f) = plain.parse::<f64>()
        && let Some(n) = Number::from_f64(f)
    {
        return Value::Number(n);
    }
    Value::String(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_positions_and_scalars() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  A: \"1\"\n  B: yes\n  C: 1e3\n---\n# empty\n---\nkind: X\nitems:\n- a\n- {b: 2}\n";
        let docs = parse_documents(text).all().unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].value["data"]["A"], Value::String("1".into()));
        assert_eq!(docs[0].value["data"]["B"], Value::Bool(true));
        assert_eq!(docs[0].value["data"]["C"].as_f64(), Some(1000.0));
        assert_eq!(docs[0].line_of("metadata.name"), (4, 3));
        assert_eq!(docs[0].line_of("data.B"), (7, 3));
        assert_eq!(docs[1].line_of("items[1].b"), (15, 4));
        assert_eq!(docs[1].line_of("items[1].nope.deeper"), (15, 3), "the closest ancestor: the item");
    }

    #[test]
    fn syntax_error_has_a_line() {
        let err = parse_documents("a: 1\nb: [1, 2\n").all().unwrap_err();
        assert!(err.line >= 2, "{err:?}");
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
        }
        let err = parse_documents(&text).all().unwrap_err();
        assert!(err.message.starts_with("document contains excessive aliasing"), "{err:?}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        // Flow nesting stops in saphyr's scanner, block nesting in this parser; same words.
        for text in ["[".repeat(10_000), (0..300).map(|i| format!("{}k:\n", " ".repeat(i))).collect()] {
            let err = parse_documents(&text).all().unwrap_err();
            assert_eq!(err.message, format!("exceeded max depth of {MAX_DEPTH}"), "{err:?}");
        }
        let ok: String = (0..MAX_DEPTH - 1).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        assert!(parse_documents(&ok).all().is_ok(), "{MAX_DEPTH} - 1 levels are fine");
    }

    #[test]
    fn control_characters_are_refused_with_their_line() {
        for (text, line, column) in [("a: 1\nb: \"x\0y\"\n", 2, 6), ("a: \u{1}\n", 1, 4), ("a: \u{7f}\n", 1, 4)] {
            let err = parse_documents(text).all().unwrap_err();
            assert_eq!(
                (err.line, err.column, err.message.as_str()),
                (line, column, "control characters are not allowed")
            );
        }
        assert!(parse_documents("a: \"tab\there, é, 😀\"\r\n").all().is_ok());
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let err = parse_documents("a: 1\na: 2\n").all().unwrap_err();
        assert_eq!(err.line, 2);
        let err = parse_documents("a:\n  b:\n  - x: 0\n  - c: 1\n    c: 2\n").all().unwrap_err();
        assert_eq!((err.line, err.message.as_str()), (5, "mapping key \"c\" already defined in a.b[1]"));
    }

    /// kubectl's lines count from the document's start: the line after the last `---` line
    /// (with nothing after the dashes but blanks or a comment) before the error.
    #[test]
    fn lines_in_documents_as_kubectl_splits_them() {
        let text = "a: 1\n---\nb: 2\nc: 3\n--- # two\r\nd: 4\n---x\ne: 5\n";
        assert_eq!(line_in_document(text, 1), 1);
        assert_eq!(line_in_document(text, 4), 2);
        assert_eq!(line_in_document(text, 6), 1, "a comment after the dashes, CRLF");
        assert_eq!(line_in_document(text, 8), 3, "`---x` does not separate");
        // The documents before an error are kept; those after it are not read.
        let parsed = parse_documents("a: 1\n---\nb: [1\n---\nc: 3\n");
        assert_eq!(parsed.docs.len(), 1);
        assert_eq!(parsed.error.map(|e| e.line), Some(4));
        // A `---` line with more than a comment after it stops kubectl's reader, and the
        // document it was reading is lost with it.
        for (text, kept, rest) in [
            ("a: 1\n---\nb: 2\n---x: 3\nc: 4\n", 1, "x: 3"),
            ("a: 1\n--- |\n  text\n", 0, "|"),
            ("---x\na: 1\n", 0, "x"),
        ] {
            let parsed = parse_documents(text);
            assert_eq!(parsed.docs.len(), kept, "{text:?}");
            let e = parsed.error.expect("an error");
            assert!(e.reader, "{text:?}");
            assert_eq!(e.message, format!("invalid Yaml document separator: {rest}"));
        }
    }

    /// Positions are worked out from the text on first use, for the document asked about, also
    /// when the file has many documents and empty ones between them.
    #[test]
    fn positions_of_a_later_document_in_a_long_file() {
        let mut text = String::new();
        for i in 0..50 {
            text.push_str(&format!("---\nkind: ConfigMap\nmetadata: {{name: c{i}}}\ndata:\n  k: v\n---\n# nothing\n"));
        }
        text.push_str("---\nkind: Pod\nspec:\n  containers:\n  - name: a\n  - name: b\n    image: x\n");
        let docs = parse_documents(&text).all().unwrap();
        assert_eq!(docs.len(), 51);
        let base = 50 * 7;
        assert_eq!(docs[50].line_of("spec.containers[1].image"), (base + 7, 5));
        assert_eq!(docs[50].line_of("spec.containers[1]"), (base + 6, 5));
        assert_eq!(docs[49].line_of("data.k"), (base - 2, 3));
        assert_eq!(docs[3].line_of("metadata.name"), (3 * 7 + 3, 12));
        // A key that is empty (`: 512Mi` on a line of its own) has a position too; the document
        // as a whole starts at its first line.
        let docs = parse_documents("---\nkind: ConfigMap\ndata: {a: b}\n: 512Mi\n").all().unwrap();
        assert_eq!((docs[0].line_of(""), docs[0].start()), ((4, 1), (1, 1)));
    }
}
