//! Under the editor: the problems the last apply found (each naming its file and line) and what
//! the apply printed.

use std::rc::Rc;

use kubeplay_model::Diagnostic;
use yew::prelude::*;

use crate::format;
use crate::i18n::Lang;

#[derive(Properties, PartialEq)]
pub struct ProblemsProps {
    pub diagnostics: Rc<Vec<Diagnostic>>,
    /// The last apply's output lines.
    pub output: Rc<Vec<String>>,
    /// Whether the last apply succeeded; `None` before the first.
    pub ok: Option<bool>,
    pub lang: Lang,
}

#[component]
pub fn Problems(props: &ProblemsProps) -> Html {
    let t = props.lang.text();
    let count = props.diagnostics.len();
    let items = props.diagnostics.iter().map(|d| {
        html! {
            <li class="problem"
                data-file={d.file.clone()}
                data-line={d.line.to_string()}
                data-column={d.column.to_string()}>
                <span class="problem-text">{ format::diagnostic_line(d) }</span>
                if let Some(field) = &d.field {
                    <code class="problem-field">{ field.clone() }</code>
                }
            </li>
        }
    });
    let output_class = classes!(
        "apply-output",
        match props.ok {
            Some(true) => Some("ok"),
            Some(false) => Some("failed"),
            None => None,
        }
    );
    html! {
        <div class="problems">
            <h2 class="panel-title">
                { t.problems }
                <span class={classes!("badge", (count > 0).then_some("badge-error"))}>{ count }</span>
            </h2>
            <ul id="errors" class="problem-list">{ for items }</ul>
            if count == 0 {
                <p class="empty">{ t.no_problems }</p>
            }
            <h2 class="panel-title">{ t.apply_output }</h2>
            <pre id="apply-output" class={output_class}>
                { props.output.join("\n") }
            </pre>
        </div>
    }
}
