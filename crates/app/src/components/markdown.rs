//! Lesson text (the Markdown subset of [`crate::markdown`]) drawn as elements. Text is always
//! text: nothing is inserted as HTML, and only `http(s)` links become links.

use yew::prelude::*;

use crate::markdown::{self, Block, Inline};

#[derive(Properties, PartialEq)]
pub struct MarkdownProps {
    pub text: AttrValue,
    #[prop_or_default]
    pub class: Classes,
}

#[component]
pub fn Markdown(props: &MarkdownProps) -> Html {
    let blocks = markdown::parse(&props.text);
    html! { <div class={classes!("markdown", props.class.clone())}>{ for blocks.iter().map(block) }</div> }
}

fn block(b: &Block) -> Html {
    match b {
        Block::Paragraph(i) => html! { <p>{ inlines(i) }</p> },
        Block::Heading(1 | 2, i) => html! { <h3>{ inlines(i) }</h3> },
        Block::Heading(_, i) => html! { <h4>{ inlines(i) }</h4> },
        Block::List { ordered: true, items } => {
            html! { <ol>{ for items.iter().map(|i| html! { <li>{ inlines(i) }</li> }) }</ol> }
        }
        Block::List { ordered: false, items } => {
            html! { <ul>{ for items.iter().map(|i| html! { <li>{ inlines(i) }</li> }) }</ul> }
        }
        Block::Code(code) => html! { <pre><code>{ code.clone() }</code></pre> },
    }
}

fn inlines(runs: &[Inline]) -> Html {
    runs.iter().map(run).collect::<Html>()
}

fn run(r: &Inline) -> Html {
    match r {
        Inline::Text(t) => html! { { t.clone() } },
        Inline::Code(c) => html! { <code>{ c.clone() }</code> },
        Inline::Strong(i) => html! { <strong>{ inlines(i) }</strong> },
        Inline::Emphasis(i) => html! { <em>{ inlines(i) }</em> },
        Inline::Link { text, href } => html! {
            <a href={href.clone()} target="_blank" rel="noopener noreferrer">{ inlines(text) }</a>
        },
    }
}
