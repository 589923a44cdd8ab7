// The page's manifest editor: CodeMirror 6 with YAML highlighting, line numbers and the model's
// problems marked at their lines. scripts/setup.sh bundles this file with esbuild into
// dist/cm.js (generated, git-ignored), and index.html loads it before the wasm starts. The Rust
// side (crates/app/src/components/editor.rs) binds the global API below and falls back to its
// plain textarea when the global is absent (as in wasm-bindgen-test, which has no index.html).
//
//   window.kubeplayEditor = {
//     create(parent, text, readOnly, label, onChange, onApply) -> view
//     setText(view, text, reset)   // no-op when equal; reset: a new file (fresh undo history)
//     setDiagnostics(view, [{line, column, message}])
//     setReadOnly(view, bool), setLabel(view, label), destroy(view)
//   }
//
// Text only ever enters the document as text: nothing here parses or injects HTML, and there is
// no eval. The editor lives in a shadow root on its host element: there CodeMirror's style-mod
// writes its styles to constructed style sheets (adoptedStyleSheets) instead of a <style>
// element, so the page's strict Content-Security-Policy (style-src 'self') holds.

import { Annotation, Compartment, EditorState, Prec, RangeSet, StateEffect, StateField } from '@codemirror/state';
import {
  EditorView, GutterMarker, drawSelection, gutterLineClass, highlightActiveLine,
  highlightActiveLineGutter, keymap, lineNumbers,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { defaultHighlightStyle, indentUnit, syntaxHighlighting } from '@codemirror/language';
import { yaml } from '@codemirror/lang-yaml';
import { lintGutter, setDiagnostics } from '@codemirror/lint';

// Marks changes that came from the page (setText), which must not echo back as edits.
const external = Annotation.define();

// The line numbers of the lines with problems get a class, like the old textarea's gutter.
class ProblemLine extends GutterMarker {
  constructor() { super(); this.elementClass = 'cm-problem-line'; }
}
const problemLine = new ProblemLine();
const setProblemLines = StateEffect.define();
const problemLines = StateField.define({
  create: () => RangeSet.empty,
  update(lines, tr) {
    for (const e of tr.effects) if (e.is(setProblemLines)) return e.value;
    return lines.map(tr.changes);
  },
  provide: (f) => gutterLineClass.from(f),
});

const theme = EditorView.theme({
  // The host (#editor-cm, a flex column in the page's CSS) holds the editor in a shadow root:
  // the editor fills it and scrolls itself.
  '&': { height: '100%', flex: '1 1 auto', minHeight: '0', fontSize: '13px', backgroundColor: 'var(--panel, #fff)' },
  '&.cm-focused': { outline: '2px solid var(--accent-soft, #e8eefc)', outlineOffset: '-2px' },
  '.cm-scroller': { fontFamily: 'var(--mono, monospace)', lineHeight: '20px' },
  '.cm-content': { padding: '8px 0' },
  '.cm-gutters': { backgroundColor: '#f8fafc', borderRight: '1px solid var(--border, #d7dde5)', color: '#6b7483' },
  '.cm-lineNumbers .cm-gutterElement': { minWidth: '3ch', padding: '0 6px 0 8px' },
  '.cm-gutterElement.cm-problem-line': {
    backgroundColor: 'var(--error-fill, #fde2e1)', color: 'var(--error-text, #861b1b)', fontWeight: '700',
  },
  '.cm-activeLine': { backgroundColor: 'rgba(37, 87, 214, 0.05)' },
});

function readOnlyExtensions(readOnly) {
  return readOnly
    ? [EditorState.readOnly.of(true), EditorView.contentAttributes.of({ 'aria-readonly': 'true' })]
    : [];
}

// k: the view's settings (see create); text: the document.
function makeState(k, text) {
  return EditorState.create({
    doc: text,
    extensions: [
      lineNumbers(),
      highlightActiveLineGutter(),
      lintGutter(),
      problemLines,
      history(),
      drawSelection(),
      highlightActiveLine(),
      indentUnit.of('  '),
      EditorState.tabSize.of(2),
      yaml(),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      // Ctrl+Enter / Cmd+Enter applies the file, ahead of the default Enter bindings.
      Prec.highest(keymap.of([
        { key: 'Mod-Enter', run: () => { k.onApply(); return true; } },
        { key: 'Ctrl-Enter', run: () => { k.onApply(); return true; } },
      ])),
      keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
      EditorView.contentAttributes.of({
        spellcheck: 'false', autocorrect: 'off', autocapitalize: 'off', translate: 'no',
      }),
      k.label.of(EditorView.contentAttributes.of({ 'aria-label': k.labelText })),
      k.readOnly.of(readOnlyExtensions(k.readOnlyValue)),
      theme,
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        if (update.transactions.every((tr) => tr.annotation(external))) return;
        k.onChange(update.state.doc.toString());
      }),
    ],
  });
}

// The per-view settings the state is rebuilt from when a new file opens.
const views = new WeakMap();

function create(parent, text, readOnly, label, onChange, onApply) {
  const k = {
    label: new Compartment(),
    labelText: String(label),
    readOnly: new Compartment(),
    readOnlyValue: Boolean(readOnly),
    onChange: (t) => onChange(t),
    onApply: () => onApply(),
    diagnostics: [],
  };
  const shadow = parent.shadowRoot || parent.attachShadow({ mode: 'open' });
  const view = new EditorView({ state: makeState(k, String(text)), parent: shadow, root: shadow });
  views.set(view, k);
  return view;
}

function setText(view, text, reset) {
  const k = views.get(view);
  if (!k) return;
  text = String(text);
  if (reset) {
    // Another file: a fresh state, so undo never crosses files.
    view.setState(makeState(k, text));
    applyDiagnostics(view, k.diagnostics);
    return;
  }
  const old = view.state.doc.toString();
  if (old === text) return; // the view's own edit coming back: keep the cursor as it is
  // Replace only the part that differs, so the cursor stays where it was around it.
  let start = 0;
  const max = Math.min(old.length, text.length);
  while (start < max && old.charCodeAt(start) === text.charCodeAt(start)) start += 1;
  let endOld = old.length;
  let endNew = text.length;
  while (endOld > start && endNew > start && old.charCodeAt(endOld - 1) === text.charCodeAt(endNew - 1)) {
    endOld -= 1;
    endNew -= 1;
  }
  view.dispatch({
    changes: { from: start, to: endOld, insert: text.slice(start, endNew) },
    annotations: external.of(true),
  });
}

function applyDiagnostics(view, list) {
  const doc = view.state.doc;
  const found = [];
  const lines = [];
  for (const d of list) {
    // A line past the end (a parser's "end of input") marks the last line.
    const n = Math.min(Number(d.line), doc.lines);
    if (!(n >= 1)) continue;
    const line = doc.line(n);
    const col = Number(d.column) || 0;
    const from = col > 0 ? line.from + Math.min(col - 1, line.length) : line.from;
    const to = from < line.to ? line.to : from;
    found.push({ from, to, severity: 'error', message: String(d.message) });
    lines.push(n);
  }
  const marks = [...new Set(lines)].sort((a, b) => a - b)
    .map((n) => problemLine.range(doc.line(n).from));
  view.dispatch(setDiagnostics(view.state, found), {
    effects: setProblemLines.of(RangeSet.of(marks)),
    annotations: external.of(true),
  });
}

function setDiagnosticsOf(view, list) {
  const k = views.get(view);
  if (!k) return;
  k.diagnostics = Array.from(list || []);
  applyDiagnostics(view, k.diagnostics);
}

function setReadOnly(view, readOnly) {
  const k = views.get(view);
  if (!k || k.readOnlyValue === Boolean(readOnly)) return;
  k.readOnlyValue = Boolean(readOnly);
  view.dispatch({ effects: k.readOnly.reconfigure(readOnlyExtensions(k.readOnlyValue)) });
}

function setLabel(view, label) {
  const k = views.get(view);
  if (!k || k.labelText === String(label)) return;
  k.labelText = String(label);
  view.dispatch({
    effects: k.label.reconfigure(EditorView.contentAttributes.of({ 'aria-label': k.labelText })),
  });
}

function destroy(view) {
  if (views.has(view)) {
    views.delete(view);
    view.destroy();
  }
}

window.kubeplayEditor = Object.freeze({
  create, setText, setDiagnostics: setDiagnosticsOf, setReadOnly, setLabel, destroy,
});
