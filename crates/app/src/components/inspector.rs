//! The inspector: what the model says about the selected pod or node. "Why" (the model's
//! plain-language explanation, with the rule or field behind it) is always on top; below it,
//! tabs for the scheduler's per-node breakdown, conditions, the object's events and its live
//! YAML. Everything shown is computed by the model (`Cluster::inspect`); this only draws it.

use std::rc::Rc;

use kubeplay_model::api::Kind;
use kubeplay_model::{ClusterView, ConditionView, EventView, InspectView, SchedulingView};
use yew::prelude::*;

use crate::format;
use crate::i18n::Lang;
use crate::state::{InspectorTab, Selection};

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    pub selection: Selection,
    /// `None`: the selected object no longer exists.
    pub inspected: Option<Rc<InspectView>>,
    /// For the status chip: the same STATUS the map shows.
    pub view: Rc<ClusterView>,
    pub tab: InspectorTab,
    pub lang: Lang,
    pub on_tab: Callback<InspectorTab>,
    /// Selecting another object (the owner link).
    #[prop_or_default]
    pub on_select: Callback<Selection>,
}

#[component]
pub fn Inspector(props: &InspectorProps) -> Html {
    let sel = &props.selection;
    let lang = props.lang;
    let t = lang.text();
    let Some(inspected) = &props.inspected else {
        return html! {
            <div class="inspector deleted">
                <p id="inspector-deleted" class="deleted-note" role="status">
                    { lang.deleted(sel.kind.name(), &sel.name) }
                </p>
            </div>
        };
    };

    let tabs: Vec<InspectorTab> =
        InspectorTab::ALL.into_iter().filter(|&tab| tab != InspectorTab::Scheduling || sel.kind == Kind::Pod).collect();
    let tab_buttons = tabs.iter().map(|&tab| {
        let selected = tab == props.tab;
        let (label, count) = match tab {
            InspectorTab::Scheduling => (t.scheduling, None),
            InspectorTab::Conditions => (t.conditions, Some(inspected.conditions.len())),
            InspectorTab::Events => (t.events, Some(inspected.events.len())),
            InspectorTab::Yaml => (t.yaml, None),
        };
        let onclick = {
            let on_tab = props.on_tab.clone();
            Callback::from(move |_: MouseEvent| on_tab.emit(tab))
        };
        html! {
            <button id={tab.id()} type="button" role="tab" class={classes!("tab-button", selected.then_some("active"))}
                aria-selected={selected.to_string()} aria-controls="inspector-tabpanel"
                tabindex={if selected { "0" } else { "-1" }} {onclick}>
                { label }
                if let Some(n) = count {
                    <span class="badge">{ n }</span>
                }
            </button>
        }
    });
    // Left/Right move between tabs, as a tablist does.
    let onkeydown = {
        let on_tab = props.on_tab.clone();
        let tabs = tabs.clone();
        let current = props.tab;
        Callback::from(move |e: KeyboardEvent| {
            let Some(i) = tabs.iter().position(|&tab| tab == current) else { return };
            let next = match e.key().as_str() {
                "ArrowRight" => tabs[(i + 1) % tabs.len()],
                "ArrowLeft" => tabs[(i + tabs.len() - 1) % tabs.len()],
                _ => return,
            };
            e.prevent_default();
            on_tab.emit(next);
            if let Some(button) = gloo::utils::document().get_element_by_id(next.id())
                && let Ok(button) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(button)
            {
                let _ = button.focus();
            }
        })
    };
    let body = match props.tab {
        InspectorTab::Scheduling => scheduling(inspected.scheduling.as_ref(), lang),
        InspectorTab::Conditions => conditions(&inspected.conditions, lang),
        InspectorTab::Events => events(&inspected.events, lang),
        InspectorTab::Yaml => html! { <pre id="inspector-yaml" class="yaml">{ inspected.yaml.clone() }</pre> },
    };

    html! {
        <div class="inspector">
            <section class="why" aria-labelledby="inspector-why-title">
                <h3 id="inspector-why-title" class="section-title">{ t.why }</h3>
                if inspected.why.is_empty() {
                    <p class="empty">{ t.no_why }</p>
                } else {
                    <ul id="inspector-why" class="why-list">
                        { for inspected.why.iter().map(|line| html! { <li>{ line.clone() }</li> }) }
                    </ul>
                }
                if let Some(owner) = inspected.owner.as_ref().and_then(|(k, n)| Selection::of(k, &inspected.namespace, n).map(|s| (format!("{k}/{n}"), s))) {
                    <p class="owner-link">
                        <button id="inspector-owner" type="button" class="link-button"
                            onclick={props.on_select.reform(move |_: MouseEvent| owner.1.clone())}>
                            { format!("↑ {}", owner.0) }
                        </button>
                    </p>
                }
            </section>
            <div class="inspector-tabs" role="tablist" aria-label={t.inspector} {onkeydown}>
                { for tab_buttons }
            </div>
            <div id="inspector-tabpanel" class="tabpanel" role="tabpanel" aria-labelledby={props.tab.id()}>
                { body }
            </div>
        </div>
    }
}

/// The inspected object in the panel's header: kind, name and, while it exists, its STATUS.
pub fn object_line(sel: &Selection, view: &ClusterView, inspected: Option<&InspectView>) -> Html {
    let exists = inspected.is_some();
    let object_name =
        if sel.namespace.is_empty() { sel.name.clone() } else { format!("{}/{}", sel.namespace, sel.name) };
    html! {
        <div class={classes!("inspector-object", (!exists).then_some("gone"))} title={object_name}>
            <span class="kind-badge">{ sel.kind.name() }</span>
            <span id="inspector-name" class="object-name">{ sel.name.clone() }</span>
            // As kubectl does, the default namespace goes without saying.
            if !sel.namespace.is_empty() && sel.namespace != "default" {
                <span class="object-ns">{ format!("-n {}", sel.namespace) }</span>
            }
            if let Some(inspected) = inspected {
                { status_chip(sel, view, inspected) }
            }
        </div>
    }
}

/// STATUS (and READY for pods) as the map draws them, as text with its colour.
fn status_chip(sel: &Selection, view: &ClusterView, inspected: &InspectView) -> Html {
    match sel.kind {
        // From the inspection: the map holds only the first pending pods.
        Kind::Pod => match &inspected.pod {
            Some(pod) => html! {
                <span class={classes!("status-chip", format::pod_tone(&pod.status, pod.is_ready).class())}>
                    { format!("{} {}", pod.status, pod.ready) }
                </span>
            },
            None => html! {},
        },
        Kind::Node => match view.nodes.iter().find(|n| n.name == sel.name) {
            Some(node) => {
                let tone = if node.ready && !node.unschedulable { "status-ok" } else { "status-error" };
                html! { <span class={classes!("status-chip", tone)}>{ node.status.clone() }</span> }
            }
            None => html! {},
        },
        _ => html! {},
    }
}

fn scheduling(decision: Option<&SchedulingView>, lang: Lang) -> Html {
    let t = lang.text();
    let Some(d) = decision else {
        return html! { <p class="empty">{ t.no_decision }</p> };
    };
    // The score columns, in the order the scheduler ran its score plugins.
    let mut plugins: Vec<(&str, i64)> = Vec::new();
    for row in &d.nodes {
        for (plugin, weight, _) in &row.scores {
            if !plugins.iter().any(|(p, _)| p == plugin) {
                plugins.push((plugin, *weight));
            }
        }
    }
    let clock = format::clock(d.time_ms);
    let summary = match &d.chosen {
        Some(node) => html! { <p class="sched-summary chosen-summary">{ lang.scheduled_to(node, &clock) }</p> },
        None => html! { <p class="sched-summary failed-summary">{ lang.not_scheduled(&clock) }</p> },
    };
    let headers = plugins.iter().map(|&(plugin, weight)| {
        let words = format::camel_words(plugin);
        let last = words.len().saturating_sub(1);
        html! {
            <th scope="col" class="num plugin" title={lang.plugin_weight(plugin, weight)}>
                { for words.into_iter().enumerate().map(|(i, w)| html! { <>{ w }if i < last { <wbr /> }</> }) }
                <span class="weight">{ format!("×{weight}") }</span>
            </th>
        }
    });
    let rows = d.nodes.iter().map(|row| {
        let chosen = d.chosen.as_deref() == Some(row.node.as_str());
        let node_cell = html! { <th scope="row" class="node-cell">{ row.node.clone() }</th> };
        // A node a filter rejected has no scores: its row says which plugin and why instead.
        if let Some(plugin) = &row.rejected_by {
            return html! {
                <tr class="rejected" data-node={row.node.clone()}>
                    { node_cell }
                    <td class="verdict rejected"><span class="verdict-label">{ format!("✗ {}", t.fails) }</span></td>
                    <td class="rejection" colspan={(plugins.len() + 1).to_string()}>
                        <span class="rejected-by">{ lang.rejected_by(plugin) }</span>
                        { for row.reasons.iter().map(|r| html! { <span class="reason">{ r.clone() }</span> }) }
                    </td>
                </tr>
            };
        }
        let cells = plugins.iter().map(|&(plugin, _)| match row.scores.iter().find(|(p, _, _)| p == plugin) {
            Some((_, weight, score)) => html! {
                <td class="num" title={format!("{plugin}: {score} × {weight} = {}", score * weight)}>
                    { score * weight }
                </td>
            },
            None => html! { <td class="num none">{ "–" }</td> },
        });
        html! {
            <tr class={classes!("passes", chosen.then_some("chosen"))}
                data-node={row.node.clone()} aria-current={chosen.then_some("true")}>
                { node_cell }
                <td class="verdict passes">
                    if chosen {
                        <span class="verdict-label chosen-badge">{ format!("✓ {}", t.chosen) }</span>
                    } else {
                        <span class="verdict-label">{ format!("✓ {}", t.passes) }</span>
                    }
                </td>
                { for cells }
                <td class="num total">{ row.total }</td>
            </tr>
        }
    });
    html! {
        <div class="scheduling">
            { summary }
            if let Some(message) = &d.message {
                <pre class="sched-message">{ message.clone() }</pre>
            }
            <div class="table-scroll">
                <table id="scheduling-table" class="sched-table">
                    <thead>
                        <tr>
                            <th scope="col">{ t.node }</th>
                            <th scope="col">{ t.filter }</th>
                            { for headers }
                            // With every node rejected there are no scores, only reasons.
                            if plugins.is_empty() {
                                <th scope="col">{ t.condition_reason }</th>
                            } else {
                                <th scope="col" class="num">{ t.total }</th>
                            }
                        </tr>
                    </thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
            if !plugins.is_empty() {
                <p class="legend">{ t.score_legend }</p>
            }
        </div>
    }
}

fn conditions(conditions: &[ConditionView], lang: Lang) -> Html {
    let t = lang.text();
    if conditions.is_empty() {
        return html! { <p class="empty">{ t.no_conditions }</p> };
    }
    let rows = conditions.iter().map(|c| {
        html! {
            <tr data-type={c.condition_type.clone()} data-status={c.status.clone()}>
                <th scope="row">{ c.condition_type.clone() }</th>
                <td class={classes!("cond-status", format!("cond-{}", c.status.to_ascii_lowercase()))}>
                    { c.status.clone() }
                </td>
                <td>{ c.reason.clone() }</td>
                <td class="cond-message">{ c.message.clone() }</td>
            </tr>
        }
    });
    html! {
        <div class="table-scroll">
            <table id="conditions-table" class="cond-table">
                <thead>
                    <tr>
                        <th scope="col">{ t.condition_type }</th>
                        <th scope="col">{ t.condition_status }</th>
                        <th scope="col">{ t.condition_reason }</th>
                        <th scope="col">{ t.condition_message }</th>
                    </tr>
                </thead>
                <tbody>{ for rows }</tbody>
            </table>
        </div>
    }
}

fn events(events: &[EventView], lang: Lang) -> Html {
    if events.is_empty() {
        return html! { <p class="empty">{ lang.text().no_object_events }</p> };
    }
    let items = events.iter().map(|e| {
        let warning = e.event_type == "Warning";
        html! {
            <li class={classes!("event", warning.then_some("warning"))}>
                <div class="event-head">
                    <span class="time">{ format::clock(e.time_ms) }</span>
                    <span class="type">{ e.event_type.clone() }</span>
                    <span class="reason">{ e.reason.clone() }</span>
                </div>
                <div class="message">{ e.message.clone() }</div>
            </li>
        }
    });
    html! { <ol id="inspector-events" class="event-list">{ for items }</ol> }
}
