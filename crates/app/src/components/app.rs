//! The page: header with the clock, time controls and the language switch; the editor on the
//! left; the cluster map, the inspector (while something is selected), events and terminal on
//! the right. The editor, inspector, events and terminal collapse to make room for the others.

use gloo::timers::callback::Interval;
use yew::prelude::*;

use crate::components::charts::Charts;
use crate::components::cluster_map::ClusterMap;
use crate::components::editor::Editor;
use crate::components::events::Events;
use crate::components::inspector::{self, Inspector};
use crate::components::lesson::LessonView;
use crate::components::panel::Panel as PanelBox;
use crate::components::problems::Problems;
use crate::components::terminal::Terminal;
use crate::i18n::Lang;
use crate::persist;
use crate::state::{
    Action, AppState, EmbedOptions, Notice, PLAY_INTERVAL_MS, Panel, SPEEDS, Selection, TICK_BUDGET_MS, TickBudget,
};
use std::rc::Rc;

/// The browser's localStorage, if the page may use it (a sandboxed iframe or a privacy setting
/// can forbid it; then nothing is saved and nothing breaks).
pub fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Stores `text` under the first free `KEY.kept-N`; whether it was stored.
fn keep_aside(storage: &web_sys::Storage, key: &str, text: &str) -> bool {
    let aside = (1..).map(|n| format!("{key}.kept-{n}")).find(|k| matches!(storage.get_item(k), Ok(None)));
    aside.is_some_and(|k| storage.set_item(&k, text).is_ok())
}

/// The stored session for what the URL asks for (free play or a lesson), if there is one. One
/// that cannot be loaded is moved aside under `KEY.kept-N`, never dropped, and the page says so.
fn restore(base: AppState) -> AppState {
    let Some(storage) = local_storage() else { return base };
    let key = persist::storage_key(&base.timeline.origin);
    let Ok(Some(text)) = storage.get_item(&key) else { return base };
    match persist::load(&text, base.clone()) {
        Ok(s) => s,
        Err(problem) => {
            if keep_aside(&storage, &key, &text) {
                let _ = storage.remove_item(&key);
            }
            let mut s = base;
            s.notice = Some(match problem {
                persist::LoadProblem::Corrupt(_) => Notice::SessionUnreadable,
                persist::LoadProblem::Newer(_) => Notice::SessionNewer,
            });
            s
        }
    }
}

/// A share link in the URL's fragment (`#share=v1....`) opens its workspace in free play. The
/// free-play session it replaces is kept aside first; the fragment is then removed, so a
/// reload restores the saved session instead of the link's starting point.
fn open_share_link(base: AppState) -> AppState {
    let Some(window) = web_sys::window() else { return base };
    let hash = window.location().hash().unwrap_or_default();
    let Some(found) = crate::share::decode(&hash) else { return base };
    let mut s = base;
    match found {
        Ok(shared) => {
            if let Some(storage) = local_storage() {
                let key = persist::storage_key(&crate::timeline::Origin::FreePlay);
                if let Ok(Some(old)) = storage.get_item(&key) {
                    keep_aside(&storage, &key, &old);
                }
            }
            s.update(Action::LoadShared(shared));
            if let Ok(history) = window.history() {
                let path = window.location().pathname().unwrap_or_default();
                let search = window.location().search().unwrap_or_default();
                let _ =
                    history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("{path}{search}")));
            }
        }
        Err(crate::share::ShareError::Damaged) => s.notice = Some(Notice::ShareDamaged),
        Err(crate::share::ShareError::Newer(_)) => s.notice = Some(Notice::ShareNewer),
    }
    s
}

/// The page's monotonic clock in milliseconds (`performance.now()`), for the play tick's budget.
fn performance_now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// The language the browser asks for (`navigator.language`), English when it cannot tell.
pub fn browser_lang() -> Lang {
    web_sys::window().and_then(|w| w.navigator().language()).map(|tag| Lang::from_tag(&tag)).unwrap_or_default()
}

#[component]
pub fn App() -> Html {
    let state = use_reducer(|| {
        let query = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
        let base = AppState::default()
            .with_lang(browser_lang())
            .with_tick_budget(TickBudget { now: performance_now, ms: TICK_BUDGET_MS })
            .with_embed(&EmbedOptions::from_query(&query));
        let base = restore(base);
        open_share_link(base)
    });
    // Every change is saved (while playing, every tenth), so a reload or a crash loses nothing.
    {
        let state = state.clone();
        use_effect_with((state.version, Rc::as_ptr(&state.workspace) as usize, state.open_file.clone()), move |_| {
            if !state.playing || state.version % 10 == 0 {
                let key = persist::storage_key(&state.timeline.origin);
                if let Some(storage) = local_storage() {
                    let _ = storage.set_item(&key, &persist::save(&state));
                }
            }
        });
    }
    let lang = state.lang;
    let t = lang.text();

    // The play timer is the page's only clock: it exists while playing and dispatches ticks;
    // the reducer decides what a tick does.
    {
        let dispatcher = state.dispatcher();
        use_effect_with(state.playing, move |&playing| {
            let interval =
                playing.then(|| Interval::new(PLAY_INTERVAL_MS as u32, move || dispatcher.dispatch(Action::Tick)));
            move || drop(interval)
        });
    }
    // `<html lang>` follows the interface language, for screen readers and CJK glyph choice.
    use_effect_with(lang, |lang| {
        if let Some(root) = gloo::utils::document().document_element() {
            let _ = root.set_attribute("lang", lang.tag());
        }
    });

    let on = |action: Action| {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(action.clone()))
    };
    let toggle = |panel: Panel| {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(Action::TogglePanel(panel)))
    };
    let on_edit = {
        let dispatcher = state.dispatcher();
        Callback::from(move |text: String| dispatcher.dispatch(Action::EditFile(text)))
    };
    let on_apply = {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(Action::Apply))
    };
    let on_command = {
        let dispatcher = state.dispatcher();
        Callback::from(move |line: String| dispatcher.dispatch(Action::RunCommand(line)))
    };
    let on_interrupt = {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(Action::Interrupt))
    };
    let complete = {
        let state = state.clone();
        Callback::from(move |line: String| {
            kubeplay_model::kubectl::complete::complete(&state.cluster.borrow(), &state.workspace, &line)
        })
    };
    let on_select = {
        let dispatcher = state.dispatcher();
        Callback::from(move |selection: Selection| dispatcher.dispatch(Action::Select(selection)))
    };
    let on_tab = {
        let dispatcher = state.dispatcher();
        Callback::from(move |tab| dispatcher.dispatch(Action::ShowTab(tab)))
    };

    let view = state.view.clone();
    let next_event = match view.next_event_ms {
        Some(at) => lang.next_event_at(&crate::format::clock(at)),
        None => t.nothing_scheduled.to_string(),
    };
    let playing = state.playing;
    let collapsed = state.collapsed;
    let notice = state.notice.map(|n| match n {
        Notice::Idle => t.idle,
        Notice::NoSuchLesson => t.no_such_lesson,
        Notice::LessonDone => t.lesson_complete,
        Notice::SessionUnreadable => t.session_unreadable,
        Notice::SessionNewer => t.session_newer,
        Notice::SharedLoaded => t.shared_loaded,
        Notice::ShareDamaged => t.share_damaged,
        Notice::ShareNewer => t.share_newer,
        Notice::ShareReady => t.share_ready,
    });
    let hidden = state.hidden;
    let on_open = {
        let dispatcher = state.dispatcher();
        Callback::from(move |path: String| dispatcher.dispatch(Action::OpenFile(path)))
    };
    let on_lesson_change = {
        let dispatcher = state.dispatcher();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let name = select.value();
            dispatcher.dispatch(if name.is_empty() { Action::LeaveLesson } else { Action::StartLesson(name) });
        })
    };
    let on_speed_change = {
        let dispatcher = state.dispatcher();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(speed) = select.value().parse() {
                dispatcher.dispatch(Action::SetSpeed(speed));
            }
        })
    };
    let catalog = crate::lessons::catalog();
    let current_lesson = state.lesson.as_ref().map(|s| s.lesson.name.clone()).unwrap_or_default();
    let lesson_options = catalog.entries.iter().map(|e| {
        let name = e.lesson.name.clone();
        let selected = name == current_lesson;
        html! { <option value={name} {selected}>{ e.lesson.spec.title.get(lang.tag()).to_string() }</option> }
    });
    let speed_options = SPEEDS.iter().map(|&sp| {
        let label = if sp == crate::state::MAX_SPEED { t.max_speed.to_string() } else { format!("{sp}x") };
        html! { <option value={sp.to_string()} selected={sp == state.speed()}>{ label }</option> }
    });
    let lesson_panel = state.lesson.clone().filter(|_| !hidden.lesson).map(|session| {
        let on_show_me = {
            let dispatcher = state.dispatcher();
            Callback::from(move |()| dispatcher.dispatch(Action::ShowMe))
        };
        let on_hint = {
            let dispatcher = state.dispatcher();
            Callback::from(move |()| dispatcher.dispatch(Action::RevealHint))
        };
        html! {
            <PanelBox id="lesson-panel" class="lesson-panel" title={t.lesson} lang={lang}
                collapsed={collapsed.lesson} on_toggle={toggle(Panel::Lesson)}>
                <LessonView {session} lang={lang} {on_show_me} {on_hint} />
            </PanelBox>
        }
    });
    // A data: URL, so exporting needs no script beyond this attribute.
    let export_href = format!(
        "data:text/yaml;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(&crate::state::export_manifests(&state.workspace)))
    );
    let on_share = {
        let dispatcher = state.dispatcher();
        let shared = crate::share::Shared { files: state.workspace.files.clone(), open_file: state.open_file.clone() };
        Callback::from(move |_: MouseEvent| {
            if let Some(w) = web_sys::window() {
                let _ = w.location().set_hash(&crate::share::encode(&shared));
                dispatcher.dispatch(Action::Say(Notice::ShareReady));
            }
        })
    };
    let editor_actions = html! {
        <div class="editor-actions">
            <button id="apply" class="primary" onclick={on(Action::Apply)}
                title={lang.apply_title(&state.open_file)}>
                { t.apply }
            </button>
            <button id="apply-all" onclick={on(Action::ApplyAll)} title={t.apply_all_title}>
                { t.apply_all }
            </button>
            <a id="export" class="button-link" download="kubeplay-manifests.yaml" href={export_href}
                title={t.export_title}>{ t.export }</a>
            <button id="share" type="button" onclick={on_share} title={t.share_title}>{ t.share }</button>
        </div>
    };
    let (start_ms, head_ms, now_ms) = (state.timeline.start_ms(), state.timeline.head_ms, view.now_ms);
    let in_past = state.in_past();
    let on_seek = {
        let dispatcher = state.dispatcher();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Ok(t) = input.value().parse::<f64>() {
                // Whole tenths of a second read better on the clock; the end stays reachable.
                let t = if t >= f64::from(input.max().parse::<f64>().unwrap_or(t) as u32) - 50.0 {
                    t.ceil()
                } else {
                    (t / 100.0).round() * 100.0
                };
                dispatcher.dispatch(Action::Seek(t as u64));
            }
        })
    };
    let files = std::rc::Rc::new(state.workspace.files.keys().cloned().collect::<Vec<_>>());

    let lang_buttons = Lang::ALL.into_iter().map(|l| {
        let active = l == lang;
        html! {
            <button id={format!("lang-{}", l.tag().split('-').next().unwrap_or("en"))} type="button"
                class={classes!("lang", active.then_some("active"))} lang={l.tag()}
                aria-pressed={active.to_string()} onclick={on(Action::SetLang(l))}>
                { l.label() }
            </button>
        }
    });

    let inspector = state.selection.clone().filter(|_| !hidden.inspector).map(|selection| {
        let actions = html! { <>
            { inspector::object_line(&selection, &view, state.inspected.as_deref()) }
            <button id="inspector-close" type="button" class="icon-button" aria-label={t.close} title={t.close}
                onclick={on(Action::ClearSelection)}>
                { "×" }
            </button>
        </> };
        html! {
            <PanelBox id="inspector" class="inspector-panel" title={t.inspector} lang={lang}
                collapsed={collapsed.inspector} on_toggle={toggle(Panel::Inspector)} {actions}>
                <Inspector selection={selection} inspected={state.inspected.clone()} view={view.clone()}
                    tab={state.effective_tab()} lang={lang} on_tab={on_tab} on_select={on_select.clone()} />
            </PanelBox>
        }
    });
    let events_badge = html! { <span class="badge">{ view.events.len() }</span> };

    html! {
        <div class="app">
            <header class="topbar">
                <div class="brand">
                    <h1>{ "kubeplay" }</h1>
                    <span class="tagline">{ t.tagline }</span>
                </div>
                <div class="clock-box" title={t.clock_title}>
                    <span id="clock">{ view.clock.clone() }</span>
                    <span class="next-event">{ next_event }</span>
                    if let Some(pace) = state.pace.filter(|_| playing) {
                        <span id="pace" class="pace" title={t.pace_title}>{ lang.pace(pace) }</span>
                    }
                </div>
                <div class="lesson-picker">
                    <label for="lesson-select" class="visually-hidden">{ t.choose_lesson }</label>
                    <select id="lesson-select" onchange={on_lesson_change} title={t.choose_lesson}>
                        <option value="" selected={current_lesson.is_empty()}>{ t.free_play }</option>
                        { for lesson_options }
                    </select>
                </div>
                <div class="controls">

                    <button id="step" onclick={on(Action::Step)} title={t.step_title}>
                        { t.step }
                    </button>
                    <button id="play" class={classes!(playing.then_some("playing"))}
                        aria-pressed={playing.to_string()} onclick={on(Action::TogglePlay)}
                        title={t.play_title}>
                        { if playing { t.pause } else { t.play } }
                    </button>
                    <label for="speed" class="visually-hidden">{ t.speed }</label>
                    <select id="speed" onchange={on_speed_change} title={t.speed}>{ for speed_options }</select>
                </div>
                <div id="notice" class="notice" role="status">
                    { notice.unwrap_or_default() }
                </div>
                <div id="lang-switch" class="lang-switch" role="group" aria-label={t.language}>
                    { for lang_buttons }
                </div>
            </header>
            <div class={classes!("timeline-bar", in_past.then_some("in-past"))} id="timeline-bar">
                <label for="timeline" class="timeline-label">{ t.timeline }</label>
                <input id="timeline" type="range" min={start_ms.to_string()} max={head_ms.to_string()}
                    step="any" value={now_ms.to_string()} oninput={on_seek}
                    aria-valuetext={crate::format::clock(now_ms)} title={t.timeline_title} />
                <span class="timeline-end">{ crate::format::clock(head_ms) }</span>
                if in_past {
                    <span class="timeline-past" role="status">{ t.viewing_past }</span>
                    <button id="timeline-now" type="button" onclick={on(Action::Seek(head_ms))}>{ t.back_to_now }</button>
                }
            </div>
            <main class={classes!("layout",
                (collapsed.editor && lesson_panel.is_none()).then_some("editor-collapsed"),
                (hidden.editor && lesson_panel.is_none()).then_some("no-side"))}>
                if !(hidden.editor && lesson_panel.is_none()) {
                <div class={classes!("side-column", lesson_panel.is_some().then_some("with-lesson"),
                    collapsed.lesson.then_some("lesson-collapsed"), collapsed.editor.then_some("editor-collapsed"),
                    hidden.editor.then_some("editor-hidden"))}>
                { lesson_panel.unwrap_or_default() }
                if !hidden.editor {
                <PanelBox id="editor-panel" class="editor-panel" title={t.editor} lang={lang} rail={state.lesson.is_none()}
                    collapsed={collapsed.editor} on_toggle={toggle(Panel::Editor)} actions={editor_actions}>
                    <Editor
                        path={AttrValue::from(state.open_file.clone())}
                        text={AttrValue::from(state.open_text().to_string())}
                        diagnostics={state.diagnostics.clone()}
                        {on_edit}
                        {on_apply}
                        lang={lang}
                        {files}
                        {on_open}
                        read_only={state.read_only}
                    />
                    <Problems
                        diagnostics={state.diagnostics.clone()}
                        output={state.apply_output.clone()}
                        ok={state.apply_ok}
                        lang={lang}
                    />
                </PanelBox>
                }
                </div>
                }
                <div class={classes!("main-column",
                    inspector.is_some().then_some("with-inspector"),
                    collapsed.inspector.then_some("inspector-collapsed"),
                    collapsed.events.then_some("events-collapsed"),
                    collapsed.terminal.then_some("terminal-collapsed"))}>
                    <section id="cluster-panel" class="panel cluster-panel" aria-label={t.cluster}>
                        <header class="panel-head">
                            <h2 class="panel-title">{ t.cluster }</h2>
                            <div class="view-switch" role="group">
                                <button id="show-map" type="button" class={classes!("tab-button", state.charts.is_none().then_some("active"))}
                                    aria-pressed={state.charts.is_none().to_string()} onclick={on(Action::ShowCharts(false))}>{ t.map }</button>
                                <button id="show-charts" type="button" class={classes!("tab-button", state.charts.is_some().then_some("active"))}
                                    aria-pressed={state.charts.is_some().to_string()} onclick={on(Action::ShowCharts(true))}>{ t.charts }</button>
                            </div>
                            if state.charts.is_none() {
                                <span class="panel-hint">{ t.cluster_hint }</span>
                            }
                        </header>
                        if let Some(charts) = state.charts.clone() {
                            <Charts {charts} lang={lang} on_select={on_select.clone()} />
                        } else {
                            <ClusterMap view={view.clone()} lang={lang} selection={state.selection.clone()}
                                {on_select} />
                        }
                    </section>
                    { inspector.unwrap_or_default() }
                    if !(hidden.events && hidden.terminal) {
                    <div class={classes!("bottom-row", hidden.events.then_some("events-hidden"), hidden.terminal.then_some("terminal-hidden"))}>
                        if !hidden.events {
                        <PanelBox id="events-panel" class="events-panel" title={t.events} lang={lang} rail=true
                            badge={events_badge} collapsed={collapsed.events} on_toggle={toggle(Panel::Events)}>
                            <Events view={view.clone()} lang={lang} />
                        </PanelBox>
                        }
                        if !hidden.terminal {
                        <PanelBox id="terminal-panel" class="terminal-panel" title={t.terminal} lang={lang} rail=true
                            collapsed={collapsed.terminal} on_toggle={toggle(Panel::Terminal)}>
                            <Terminal transcript={state.terminal.clone()} {on_command} {complete} lang={lang}
                                live={state.live.is_some()} on_interrupt={on_interrupt} />
                        </PanelBox>
                        }
                    </div>
                    }
                </div>
            </main>
        </div>
    }
}
