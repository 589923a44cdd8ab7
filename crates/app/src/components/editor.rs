//! The manifest editor: the workspace's files as a tree, and the open file in CodeMirror 6
//! (YAML highlighting, line numbers, the problems' lines marked in the gutter and underlined)
//! when the page loaded its bundle (index.html, web/editor), else in a plain textarea with line
//! numbers and the problem lines marked in its gutter. The textarea is as tall as its text, so
//! the gutter and the text scroll together in one container without any scroll syncing.
//!
//! The textarea is the fallback whenever `window.kubeplayEditor` is absent: wasm-bindgen-test
//! runs the app without index.html, and an embedding page may not load the bundle. Both
//! dispatch the whole text to `on_edit` on every edit and apply on Ctrl+Enter (Cmd+Enter).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use kubeplay_model::Diagnostic;
use wasm_bindgen::prelude::*;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::format;
use crate::i18n::Lang;

/// The bundle's global API (web/editor/src/editor.js). Calling these without the global throws,
/// so the editor checks [`codemirror_loaded`] first.
#[wasm_bindgen]
extern "C" {
    /// An `EditorView`, opaque to Rust.
    type CmView;

    #[wasm_bindgen(js_namespace = kubeplayEditor, js_name = create)]
    fn cm_create(
        parent: &web_sys::Element,
        text: &str,
        read_only: bool,
        label: &str,
        on_change: &js_sys::Function,
        on_apply: &js_sys::Function,
    ) -> CmView;
    #[wasm_bindgen(js_namespace = kubeplayEditor, js_name = setText)]
    fn cm_set_text(view: &CmView, text: &str, reset: bool);
    #[wasm_bindgen(js_namespace = kubeplayEditor, js_name = setDiagnostics)]
    fn cm_set_diagnostics(view: &CmView, diagnostics: &js_sys::Array);
    #[wasm_bindgen(js_namespace = kubeplayEditor, js_name = setReadOnly)]
    fn cm_set_read_only(view: &CmView, read_only: bool);
    #[wasm_bindgen(js_namespace = kubeplayEditor, js_name = setLabel)]
    fn cm_set_label(view: &CmView, label: &str);
    #[wasm_bindgen(js_namespace = kubeplayEditor, js_name = destroy)]
    fn cm_destroy(view: &CmView);
}

/// Whether the page loaded the CodeMirror bundle.
fn codemirror_loaded() -> bool {
    if !cfg!(target_arch = "wasm32") {
        return false;
    }
    web_sys::window()
        .is_some_and(|w| js_sys::Reflect::get(&w, &JsValue::from_str("kubeplayEditor")).is_ok_and(|v| v.is_object()))
}

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    /// The open file's path, shown on its tab.
    pub path: AttrValue,
    pub text: AttrValue,
    /// All current diagnostics; the ones for `path` mark their lines.
    pub diagnostics: Rc<Vec<Diagnostic>>,
    pub on_edit: Callback<String>,
    /// Ctrl+Enter (Cmd+Enter) in the editor applies the file.
    pub on_apply: Callback<()>,
    pub lang: Lang,
    /// Every file of the workspace, in path order.
    pub files: Rc<Vec<String>>,
    pub on_open: Callback<String>,
    /// An embedding page may show the files without letting them change.
    #[prop_or_default]
    pub read_only: bool,
}

#[component]
pub fn Editor(props: &EditorProps) -> Html {
    // Counting '\n' (not `lines()`) numbers the empty line after a final newline too, which is
    // a line the cursor can be on.
    let line_count = props.text.split('\n').count();
    let mut problems: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for d in props.diagnostics.iter() {
        if d.file == props.path.as_str() && d.line > 0 {
            problems.entry(d.line).or_default().push(format::diagnostic_line(d));
        }
    }

    let oninput = {
        let on_edit = props.on_edit.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            on_edit.emit(area.value());
        })
    };

    let onkeydown = {
        let on_apply = props.on_apply.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                e.prevent_default();
                on_apply.emit(());
            }
        })
    };

    let gutter = (1..=line_count).map(|n| match problems.get(&n) {
        Some(messages) => html! {
            <div class="ln error" data-line={n.to_string()} title={messages.join("\n")}>
                { n }
            </div>
        },
        None => html! { <div class="ln">{ n }</div> },
    });

    // The tree: each folder once, then its files.
    let mut tree = Vec::new();
    let mut last_dir = None;
    for path in props.files.iter() {
        let (dir, name) = path.rsplit_once('/').map_or(("", path.as_str()), |(d, n)| (d, n));
        if last_dir != Some(dir) && !dir.is_empty() {
            tree.push(html! { <li class="dir" aria-hidden="true">{ format!("{dir}/") }</li> });
        }
        last_dir = Some(dir);
        let active = path.as_str() == props.path.as_str();
        let has_problem = props.diagnostics.iter().any(|d| &d.file == path);
        let onclick = {
            let on_open = props.on_open.clone();
            let path = path.clone();
            Callback::from(move |_: MouseEvent| on_open.emit(path.clone()))
        };
        tree.push(html! {
            <li class={classes!("file", (!dir.is_empty()).then_some("nested"))}>
                <button type="button" class={classes!("file-button", active.then_some("active"), has_problem.then_some("has-problem"))}
                    aria-current={active.then_some("true")} title={path.clone()} {onclick}>
                    { name.to_string() }
                    if has_problem { <span class="problem-mark" aria-label="!">{ " ⚠" }</span> }
                </button>
            </li>
        });
    }

    let codemirror = codemirror_loaded();
    html! {
        <div class={classes!("editor", codemirror.then_some("with-codemirror"))}>
            if props.files.len() > 1 {
                <nav class="file-tree" id="file-tree" aria-label={props.lang.text().files}>
                    <ul>{ for tree }</ul>
                </nav>
            }
            <div class="tabs" role="tablist">
                <span class="tab active" role="tab" aria-selected="true">{ props.path.clone() }</span>
                if props.read_only {
                    <span class="read-only-badge">{ props.lang.text().read_only }</span>
                }
            </div>
            if codemirror {
                <CodeMirror
                    path={props.path.clone()}
                    text={props.text.clone()}
                    diagnostics={props.diagnostics.clone()}
                    on_edit={props.on_edit.clone()}
                    on_apply={props.on_apply.clone()}
                    label={AttrValue::from(props.lang.editing(&props.path))}
                    read_only={props.read_only}
                />
            } else {
            <div class="editor-scroll">
                <div class="gutter" aria-hidden="true">{ for gutter }</div>
                <textarea
                    id="editor"
                    aria-label={props.lang.editing(&props.path)}
                    spellcheck="false"
                    autocomplete="off"
                    autocapitalize="off"
                    wrap="off"
                    readonly={props.read_only}
                    rows={(line_count + 1).to_string()}
                    value={props.text.clone()}
                    {oninput}
                    {onkeydown}
                />
            </div>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct CodeMirrorProps {
    path: AttrValue,
    text: AttrValue,
    diagnostics: Rc<Vec<Diagnostic>>,
    on_edit: Callback<String>,
    on_apply: Callback<()>,
    /// The accessible name of the editable area.
    label: AttrValue,
    read_only: bool,
}

/// A live CodeMirror view and the closures it calls back into, which must live as long as it.
struct CmHandle {
    view: CmView,
    /// The file the view shows; another one resets the view (fresh undo history).
    path: AttrValue,
    _on_change: Closure<dyn Fn(String)>,
    _on_apply: Closure<dyn Fn()>,
}

/// The open file in CodeMirror: created once on its host element, then told about new text (a
/// no-op when the text is the view's own edit coming back, so the cursor stays), diagnostics,
/// read-only and label as they change.
#[component]
fn CodeMirror(props: &CodeMirrorProps) -> Html {
    let host = use_node_ref();
    let handle: Rc<RefCell<Option<CmHandle>>> = use_mut_ref(|| None);
    // The view's closures call whatever callbacks the latest render passed.
    let callbacks = use_mut_ref(|| (props.on_edit.clone(), props.on_apply.clone()));
    *callbacks.borrow_mut() = (props.on_edit.clone(), props.on_apply.clone());

    {
        let host = host.clone();
        let handle = handle.clone();
        let callbacks = callbacks.clone();
        let (path, text, label, read_only) =
            (props.path.clone(), props.text.clone(), props.label.clone(), props.read_only);
        use_effect_with((), move |_| {
            if let Some(parent) = host.cast::<web_sys::Element>() {
                let on_change = {
                    let callbacks = callbacks.clone();
                    Closure::<dyn Fn(String)>::new(move |text: String| {
                        let on_edit = callbacks.borrow().0.clone();
                        on_edit.emit(text);
                    })
                };
                let on_apply = Closure::<dyn Fn()>::new(move || {
                    let on_apply = callbacks.borrow().1.clone();
                    on_apply.emit(());
                });
                let view = cm_create(
                    &parent,
                    &text,
                    read_only,
                    &label,
                    on_change.as_ref().unchecked_ref(),
                    on_apply.as_ref().unchecked_ref(),
                );
                *handle.borrow_mut() = Some(CmHandle { view, path, _on_change: on_change, _on_apply: on_apply });
            }
            move || {
                if let Some(h) = handle.borrow_mut().take() {
                    cm_destroy(&h.view);
                }
            }
        });
    }
    {
        let handle = handle.clone();
        use_effect_with((props.path.clone(), props.text.clone()), move |(path, text)| {
            if let Some(h) = handle.borrow_mut().as_mut() {
                let reset = h.path != *path;
                h.path = path.clone();
                cm_set_text(&h.view, text, reset);
            }
        });
    }
    {
        let handle = handle.clone();
        // After the text effect, so a new file's problems land on its lines; on every text change
        // too, so the marks stay at the lines the model reported (as in the textarea) instead of
        // moving with the edits.
        use_effect_with(
            (props.path.clone(), props.text.clone(), props.diagnostics.clone()),
            move |(path, _, diagnostics)| {
                if let Some(h) = handle.borrow().as_ref() {
                    cm_set_diagnostics(&h.view, &diagnostics_for(diagnostics, path));
                }
            },
        );
    }
    {
        let handle = handle.clone();
        use_effect_with(props.read_only, move |read_only| {
            if let Some(h) = handle.borrow().as_ref() {
                cm_set_read_only(&h.view, *read_only);
            }
        });
    }
    use_effect_with(props.label.clone(), move |label| {
        if let Some(h) = handle.borrow().as_ref() {
            cm_set_label(&h.view, label);
        }
    });

    html! { <div id="editor-cm" class="editor-cm" ref={host} /> }
}

/// The open file's problems with a line, as `[{line, column, message}]` for the bundle.
fn diagnostics_for(diagnostics: &[Diagnostic], path: &str) -> js_sys::Array {
    let list = js_sys::Array::new();
    for d in diagnostics.iter().filter(|d| d.file == path && d.line > 0) {
        let entry = js_sys::Object::new();
        for (key, value) in [
            ("line", JsValue::from_f64(d.line as f64)),
            ("column", JsValue::from_f64(d.column as f64)),
            ("message", JsValue::from_str(&d.message)),
        ] {
            // Setting a property on a fresh plain object cannot fail.
            let _ = js_sys::Reflect::set(&entry, &JsValue::from_str(key), &value);
        }
        list.push(&entry);
    }
    list
}
