//! The lesson beside the playground: its introduction, the steps with their state (done,
//! current, to do; shown by a mark and a word, not by colour alone), the current step's text,
//! the checks of its goal as the model sees them, hints on demand and "show me".

use std::rc::Rc;

use yew::prelude::*;

use crate::components::markdown::Markdown;
use crate::i18n::Lang;
use crate::shown::{LessonProgress, LessonShown};

#[derive(Properties, PartialEq)]
pub struct LessonProps {
    pub lesson: Rc<LessonShown>,
    pub progress: LessonProgress,
    pub lang: Lang,
    pub on_show_me: Callback<()>,
    pub on_hint: Callback<()>,
}

#[component]
pub fn LessonView(props: &LessonProps) -> Html {
    // When a step is done, the next one's text comes into view at the top of the panel.
    let container = use_node_ref();
    let current_ref = use_node_ref();
    {
        let (container, current_ref) = (container.clone(), current_ref.clone());
        use_effect_with(props.progress.current, move |&step| {
            if step > 0
                && let (Some(c), Some(cur)) =
                    (container.cast::<web_sys::HtmlElement>(), current_ref.cast::<web_sys::HtmlElement>())
            {
                let delta = cur.get_bounding_client_rect().top() - c.get_bounding_client_rect().top();
                c.set_scroll_top(c.scroll_top() + delta as i32);
            }
        });
    }
    let p = &props.progress;
    let l = &props.lesson;
    let code = props.lang.tag();
    let t = props.lang.text();
    let current = p.current;
    let steps = l.steps.iter().enumerate().map(|(i, step)| {
        let (state, mark, word) = if i < current {
            ("done", "✓", t.step_done)
        } else if i == current {
            ("current", "▶", t.step_current)
        } else {
            ("todo", "○", t.step_todo)
        };
        html! {
            <li class={classes!("lesson-step", state)} aria-current={(i == current).then_some("step")}>
                <span class="mark" aria-hidden="true">{ mark }</span>
                <span class="step-title">{ format!("{}. {}", i + 1, step.title.get(code)) }</span>
                <span class="step-state">{ word }</span>
            </li>
        }
    });
    let body = match l.steps.get(current) {
        Some(step) => {
            let checks = step.checks.iter().zip(p.outcomes.iter()).map(|(check, outcome)| {
                let (class, mark, word) =
                    if outcome.met { ("met", "✓", t.check_met) } else { ("unmet", "✗", t.check_unmet) };
                html! {
                    <li class={classes!("check", class)}>
                        <span class="mark" aria-hidden="true">{ mark }</span>
                        <span class="visually-hidden">{ word }</span>
                        <span class="check-text">{ check.get(code) }</span>
                        <span class="check-seen">{ outcome.seen.clone() }</span>
                    </li>
                }
            });
            let shown = p.hints_shown.min(step.hints.len());
            let hints = step
                .hints
                .iter()
                .take(shown)
                .map(|h| html! { <Markdown class="hint" text={AttrValue::from(h.get(code).to_string())} /> });
            let left = step.hints.len() - shown;
            let show_me = props.on_show_me.reform(|_: MouseEvent| ());
            let hint = props.on_hint.reform(|_: MouseEvent| ());
            html! {
                <div class="lesson-current" id="lesson-current" ref={current_ref.clone()}>
                    <h3>{ format!("{} {}: {}", t.lesson_step, current + 1, step.title.get(code)) }</h3>
                    <Markdown text={AttrValue::from(step.text.get(code).to_string())} />
                    <h4>{ t.goal }</h4>
                    <ul class="checks" id="lesson-checks">{ for checks }</ul>
                    { for hints }
                    <div class="lesson-actions">
                        <button id="show-me" type="button" onclick={show_me} title={t.show_me_title}>{ t.show_me }</button>
                        if left > 0 {
                            <button id="hint" type="button" onclick={hint}>{ props.lang.hints_left(left) }</button>
                        }
                    </div>
                </div>
            }
        }
        None if l.steps.is_empty() => html! {},
        None => html! { <p class="lesson-complete" id="lesson-complete" role="status">{ t.lesson_complete }</p> },
    };
    html! {
        <div class="lesson" lang={props.lang.tag()} ref={container}>
            <h2 class="lesson-title" id="lesson-title">{ l.title.get(code) }</h2>
            <details class="lesson-intro" open={current == 0}>
                <summary>{ t.introduction }</summary>
                <Markdown text={AttrValue::from(l.text.get(code).to_string())} />
            </details>
            { body }
            if !l.steps.is_empty() {
                <h4 class="steps-heading">{ t.steps }</h4>
                <ol class="lesson-steps" id="lesson-steps" aria-label={t.steps}>{ for steps }</ol>
            }
        </div>
    }
}
