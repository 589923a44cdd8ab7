//! The event stream, newest last, with what `kubectl events` shows: time, type, reason,
//! object and message. The list keeps itself scrolled to the newest event.

use std::rc::Rc;

use kubeplay_model::ClusterView;
use web_sys::Element;
use yew::prelude::*;

use crate::format;
use crate::i18n::Lang;

#[derive(Properties, PartialEq)]
pub struct EventsProps {
    pub view: Rc<ClusterView>,
    pub lang: Lang,
}

#[component]
pub fn Events(props: &EventsProps) -> Html {
    let scroller = use_node_ref();
    let events = &props.view.events;
    {
        let scroller = scroller.clone();
        let newest = events.last().map(|e| (e.time_ms, events.len()));
        use_effect_with(newest, move |_| {
            if let Some(el) = scroller.cast::<Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    let items = events.iter().map(|e| {
        let warning = e.event_type == "Warning";
        html! {
            <li class={classes!("event", warning.then_some("warning"))}>
                <div class="event-head">
                    <span class="time">{ format::clock(e.time_ms) }</span>
                    <span class="type">{ e.event_type.clone() }</span>
                    <span class="reason">{ e.reason.clone() }</span>
                    <span class="object" title={e.object.clone()}>{ e.object.clone() }</span>
                </div>
                <div class="message">{ e.message.clone() }</div>
            </li>
        }
    });
    html! {
        <div class="events">
            <div class="events-scroll" ref={scroller}>
                <ol id="events" class="event-list">{ for items }</ol>
                if events.is_empty() {
                    <p class="empty">{ props.lang.text().no_events }</p>
                }
            </div>
        </div>
    }
}
