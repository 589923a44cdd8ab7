//! A panel with a header that can collapse it. The body stays in the DOM while collapsed (only
//! hidden), so what a panel holds, such as the terminal's history, survives collapsing.

use yew::prelude::*;

use crate::i18n::Lang;

#[derive(Properties, PartialEq)]
pub struct PanelProps {
    /// The section's element id; the body is `{id}-body` and the toggle `{id}-toggle`.
    pub id: AttrValue,
    #[prop_or_default]
    pub class: Classes,
    pub title: AttrValue,
    /// Drawn after the title, e.g. a count.
    #[prop_or_default]
    pub badge: Option<Html>,
    /// More header content after the title, e.g. a close button.
    #[prop_or_default]
    pub actions: Option<Html>,
    pub collapsed: bool,
    /// A collapsed side-by-side panel becomes a narrow vertical rail; a stacked one keeps its
    /// header as a strip.
    #[prop_or_default]
    pub rail: bool,
    pub lang: Lang,
    pub on_toggle: Callback<()>,
    #[prop_or_default]
    pub children: Html,
}

#[component]
pub fn Panel(props: &PanelProps) -> Html {
    let body_id = format!("{}-body", props.id);
    let toggle_label =
        if props.collapsed { props.lang.expand(&props.title) } else { props.lang.collapse(&props.title) };
    let onclick = {
        let on_toggle = props.on_toggle.clone();
        Callback::from(move |_: MouseEvent| on_toggle.emit(()))
    };
    html! {
        <section id={props.id.clone()} aria-label={props.title.clone()}
            class={classes!("panel", props.class.clone(), props.collapsed.then_some("collapsed"),
                props.rail.then_some("rail"))}>
            <header class="panel-head">
                <button id={format!("{}-toggle", props.id)} class="panel-toggle" type="button"
                    aria-expanded={(!props.collapsed).to_string()} aria-controls={body_id.clone()}
                    aria-label={toggle_label.clone()} title={toggle_label} {onclick}>
                    <span class="chevron" aria-hidden="true"></span>
                </button>
                <h2 class="panel-title">{ props.title.clone() }{ props.badge.clone().unwrap_or_default() }</h2>
                { props.actions.clone().unwrap_or_default() }
            </header>
            <div id={body_id} class="panel-body" hidden={props.collapsed}>
                { props.children.clone() }
            </div>
        </section>
    }
}
