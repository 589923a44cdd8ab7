//! A small terminal in the command language: Enter runs the line, Up and Down walk through
//! the lines run before, the output keeps itself scrolled to the end.

use std::rc::Rc;

use web_sys::{Element, HtmlInputElement};
use yew::prelude::*;

use crate::i18n::Lang;

#[derive(Properties, PartialEq)]
pub struct TerminalProps {
    pub transcript: Rc<String>,
    pub on_command: Callback<String>,
    pub lang: Lang,
}

/// The lines run so far and where Up/Down currently is among them.
#[derive(Default)]
struct History {
    lines: Vec<String>,
    /// `lines.len()` means "the new line being typed".
    cursor: usize,
}

#[component]
pub fn Terminal(props: &TerminalProps) -> Html {
    let output = use_node_ref();
    let history = use_mut_ref(History::default);
    {
        let output = output.clone();
        use_effect_with(props.transcript.len(), move |_| {
            if let Some(el) = output.cast::<Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    let onkeydown = {
        let on_command = props.on_command.clone();
        Callback::from(move |e: KeyboardEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let mut h = history.borrow_mut();
            match e.key().as_str() {
                "Enter" => {
                    let line = input.value();
                    input.set_value("");
                    if !line.trim().is_empty() && h.lines.last() != Some(&line) {
                        h.lines.push(line.clone());
                    }
                    h.cursor = h.lines.len();
                    on_command.emit(line);
                }
                "ArrowUp" if h.cursor > 0 => {
                    e.prevent_default();
                    h.cursor -= 1;
                    input.set_value(&h.lines[h.cursor]);
                }
                "ArrowDown" if h.cursor < h.lines.len() => {
                    e.prevent_default();
                    h.cursor += 1;
                    input.set_value(h.lines.get(h.cursor).map(String::as_str).unwrap_or(""));
                }
                _ => {}
            }
        })
    };
    html! {
        <div class="terminal">
            <pre id="terminal-output" ref={output}>{ props.transcript.as_str() }</pre>
            <div class="prompt">
                <span class="prompt-sign" aria-hidden="true">{ "$" }</span>
                <input id="terminal-input" type="text" aria-label={props.lang.text().command}
                    placeholder="kubectl get pods -o wide"
                    spellcheck="false" autocomplete="off" autocapitalize="off"
                    {onkeydown} />
            </div>
        </div>
    }
}
