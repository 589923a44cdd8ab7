//! A small terminal in the command language: Enter runs the line, Up and Down walk through
//! the lines run before, Tab completes the word (commands, verbs, types, flags, object names
//! and files, as the model offers them), the output keeps itself scrolled to the end.

use std::rc::Rc;

use web_sys::{Element, HtmlInputElement};
use yew::prelude::*;

use crate::i18n::Lang;
use crate::shown::Completion;

#[derive(Properties, PartialEq)]
pub struct TerminalProps {
    pub transcript: Rc<String>,
    pub on_command: Callback<String>,
    /// Tab: asks the model for the completions of the line's last word.
    pub on_complete: Callback<String>,
    /// The model's last answer; it fills the line if the line is still the one asked about.
    #[prop_or_default]
    pub completion: Option<Rc<Completion>>,
    /// A command is following the cluster (`get -w`, `rollout status`): Ctrl-C stops it.
    #[prop_or_default]
    pub live: bool,
    pub on_interrupt: Callback<()>,
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
    // Candidates shown after a Tab that had more than one.
    let choices = use_state(Vec::<String>::new);
    {
        let output = output.clone();
        use_effect_with(props.transcript.len(), move |_| {
            if let Some(el) = output.cast::<Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    let input_ref = use_node_ref();
    // The model answers Tab asynchronously (it runs in a worker); the answer fills the line if
    // the line is still the one asked about.
    {
        let (input_ref, choices) = (input_ref.clone(), choices.clone());
        use_effect_with(props.completion.clone(), move |completion| {
            if let (Some(c), Some(input)) = (completion, input_ref.cast::<HtmlInputElement>())
                && input.value() == c.line
            {
                let line = &c.line;
                let start = if line.ends_with(char::is_whitespace) {
                    line.len()
                } else {
                    line.rfind(char::is_whitespace).map_or(0, |i| i + 1)
                };
                let fill = match c.items.as_slice() {
                    [] => None,
                    [one] => Some(if one.ends_with('/') { one.clone() } else { format!("{one} ") }),
                    many => Some(kubeplay_model::kubectl::complete::common_prefix(many)),
                };
                if let Some(fill) = fill {
                    input.set_value(&format!("{}{fill}", &line[..start]));
                }
                choices.set(if c.items.len() > 1 { c.items.clone() } else { vec![] });
            }
        });
    }
    let onkeydown = {
        let on_command = props.on_command.clone();
        let on_complete = props.on_complete.clone();
        let on_interrupt = props.on_interrupt.clone();
        let choices = choices.clone();
        Callback::from(move |e: KeyboardEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let mut h = history.borrow_mut();
            if e.key() != "Tab" && !choices.is_empty() {
                choices.set(vec![]);
            }
            match e.key().as_str() {
                // Ctrl-C stops the live command and drops the line being typed, as a shell does.
                "c" | "C" if e.ctrl_key() && !e.meta_key() => {
                    e.prevent_default();
                    input.set_value("");
                    on_interrupt.emit(());
                }
                "Tab" => {
                    e.prevent_default();
                    on_complete.emit(input.value());
                }
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
            if !choices.is_empty() {
                <div id="completions" class="completions" role="status">{ choices.join("  ") }</div>
            }
            <div class="prompt">
                <span class="prompt-sign" aria-hidden="true">{ "$" }</span>
                <input id="terminal-input" type="text" aria-label={props.lang.text().command}
                    placeholder={if props.live { props.lang.text().ctrl_c_stops } else { "kubectl get pods -o wide" }}
                    spellcheck="false" autocomplete="off" autocapitalize="off"
                    ref={input_ref} {onkeydown} />
            </div>
        </div>
    }
}
