//! The manifest editor: the workspace's files as a tree, and the open file in a plain textarea
//! with line numbers and the lines that have problems marked in the gutter. The textarea is as tall as its text, so the gutter and the text scroll
//! together in one container without any scroll syncing.

use std::collections::BTreeMap;
use std::rc::Rc;

use kubeplay_model::Diagnostic;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::format;
use crate::i18n::Lang;

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

    html! {
        <div class="editor">
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
        </div>
    }
}
