//! The manifest editor: a plain textarea with line numbers, and the lines that have problems
//! marked in the gutter. The textarea is as tall as its text, so the gutter and the text scroll
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

    html! {
        <div class="editor">
            <div class="tabs" role="tablist">
                <span class="tab active" role="tab" aria-selected="true">{ props.path.clone() }</span>
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
                    rows={(line_count + 1).to_string()}
                    value={props.text.clone()}
                    {oninput}
                    {onkeydown}
                />
            </div>
        </div>
    }
}
