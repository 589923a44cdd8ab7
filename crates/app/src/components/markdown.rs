//! Lesson text: Markdown parsed by pulldown-cmark, turned into elements here. Raw HTML in the
//! text is shown as text, and links keep only `http(s)` targets, so a lesson can never put
//! markup or script into the page.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use yew::prelude::*;
use yew::virtual_dom::VTag;

#[derive(Properties, PartialEq)]
pub struct MarkdownProps {
    pub text: AttrValue,
    #[prop_or_default]
    pub class: Classes,
}

#[component]
pub fn Markdown(props: &MarkdownProps) -> Html {
    let nodes = render(&props.text);
    html! { <div class={classes!("markdown", props.class.clone())}>{ for nodes }</div> }
}

/// The elements for `text`.
pub fn render(text: &str) -> Vec<Html> {
    // Each open element: its tag and the children gathered so far.
    let mut stack: Vec<(VTag, Vec<Html>)> = vec![(VTag::new("div"), vec![])];
    for event in Parser::new(text) {
        match event {
            Event::Start(tag) => stack.push((open(&tag), vec![])),
            Event::End(end) => {
                if stack.len() > 1 {
                    let (mut tag, children) = stack.pop().expect("an open element");
                    tag.add_children(children);
                    let node = Html::from(tag);
                    stack.last_mut().expect("the root").1.push(node);
                }
                let _: TagEnd = end;
            }
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => {
                stack.last_mut().expect("the root").1.push(Html::from(t.to_string()));
            }
            Event::Code(t) => {
                let mut code = VTag::new("code");
                code.add_child(Html::from(t.to_string()));
                stack.last_mut().expect("the root").1.push(code.into());
            }
            Event::SoftBreak => stack.last_mut().expect("the root").1.push(Html::from(" ")),
            Event::HardBreak => stack.last_mut().expect("the root").1.push(VTag::new("br").into()),
            Event::Rule => stack.last_mut().expect("the root").1.push(VTag::new("hr").into()),
            _ => {}
        }
    }
    stack.into_iter().next().map(|(_, children)| children).unwrap_or_default()
}

fn open(tag: &Tag) -> VTag {
    let name = match tag {
        Tag::Paragraph => "p",
        Tag::Heading { level, .. } => match level {
            HeadingLevel::H1 | HeadingLevel::H2 => "h3",
            HeadingLevel::H3 => "h4",
            _ => "h5",
        },
        Tag::BlockQuote(_) => "blockquote",
        Tag::CodeBlock(_) => "pre",
        Tag::List(Some(_)) => "ol",
        Tag::List(None) => "ul",
        Tag::Item => "li",
        Tag::Emphasis => "em",
        Tag::Strong => "strong",
        Tag::Strikethrough => "s",
        Tag::Link { .. } => "a",
        Tag::Table(_) => "table",
        Tag::TableHead | Tag::TableRow => "tr",
        Tag::TableCell => "td",
        _ => "span",
    };
    let mut v = VTag::new(name);
    match tag {
        Tag::List(Some(start)) if *start != 1 => v.add_attribute("start", start.to_string()),
        Tag::Link { dest_url, title, .. } => {
            if dest_url.starts_with("https://") || dest_url.starts_with("http://") {
                v.add_attribute("href", dest_url.to_string());
                v.add_attribute("target", "_blank");
                v.add_attribute("rel", "noopener noreferrer");
            }
            if !title.is_empty() {
                v.add_attribute("title", title.to_string());
            }
        }
        _ => {}
    }
    v
}
