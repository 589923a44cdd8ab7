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
use crate::shown::{Boot, Connector, Frame, FromEngine, Msg, Outstanding, Sender, ShareFound, Shown};
use crate::state::{Action, EmbedOptions, Notice, PLAY_INTERVAL_MS, Panel, SPEEDS, Selection};
use crate::timeline::Origin;
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

/// Edits the model has not answered yet: the files as the page shows them, and the key of the
/// session they belong to.
type Unanswered = Option<(Rc<std::collections::BTreeMap<String, String>>, String, String)>;

/// Writes edits the model has not answered into their session as last saved, so they survive
/// when the model cannot answer any more (it crashed) or the page is left before it does.
fn keep_unanswered_edits(edits: &std::cell::RefCell<Unanswered>) {
    let Some((files, open_file, key)) = edits.borrow().clone() else { return };
    let Some(storage) = local_storage() else { return };
    if let Ok(Some(text)) = storage.get_item(&key)
        && let Some(kept) = persist::with_files(&text, &files, &open_file)
    {
        let _ = storage.set_item(&key, &kept);
    }
}

/// `<html data-model-busy>` while the model has messages to answer: what the browser tests wait
/// on before they read the page (the model answers in its worker, not within the click).
fn mark_busy(busy: bool) {
    if let Some(root) = gloo::utils::document().document_element() {
        let _ = if busy { root.set_attribute("data-model-busy", "") } else { root.remove_attribute("data-model-busy") };
    }
}

/// The language the page will start in: the URL's `lang=`, else the browser's.
fn starting_lang() -> Lang {
    let query = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    EmbedOptions::from_query(&query).lang.unwrap_or_else(browser_lang)
}

/// What the page starts from: the URL, the browser's language, the saved sessions the URL
/// could resume, and a share link in the fragment. A share link's workspace replaces free
/// play: the free-play session it replaces is kept aside first, and the fragment is removed,
/// so a reload restores the saved session instead of the link's starting point.
fn boot_request() -> Boot {
    let window = web_sys::window();
    let location = window.as_ref().map(web_sys::Window::location);
    let query = location.as_ref().and_then(|l| l.search().ok()).unwrap_or_default();
    let options = EmbedOptions::from_query(&query);
    let mut keys = vec![persist::storage_key(&Origin::FreePlay)];
    if let Some(name) = &options.lesson {
        keys.push(persist::storage_key(&Origin::Lesson(name.clone())));
    }
    let storage = local_storage();
    let hash = location.as_ref().and_then(|l| l.hash().ok()).unwrap_or_default();
    let share = crate::share::decode(&hash).map(|found| match found {
        Ok(shared) => {
            if let Some(storage) = &storage
                && let Ok(Some(old)) = storage.get_item(&keys[0])
            {
                keep_aside(storage, &keys[0], &old);
            }
            if let (Some(w), Some(l)) = (&window, &location)
                && let Ok(history) = w.history()
            {
                let path = l.pathname().unwrap_or_default();
                let search = l.search().unwrap_or_default();
                let _ =
                    history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("{path}{search}")));
            }
            ShareFound::Shared(shared)
        }
        Err(crate::share::ShareError::Damaged) => ShareFound::Damaged,
        Err(crate::share::ShareError::Newer(_)) => ShareFound::Newer,
    });
    // A share link replaces free play, whose session was just kept aside: there is nothing to
    // resume there.
    if matches!(share, Some(ShareFound::Shared(_))) {
        keys.remove(0);
    }
    let stored = keys
        .into_iter()
        .filter_map(|k| storage.as_ref().and_then(|s| s.get_item(&k).ok().flatten()).map(|text| (k, text)))
        .collect();
    Boot { query, lang: browser_lang(), stored, share }
}

/// Does what a frame asks of the browser's storage: keep aside a saved session that could not
/// be loaded (never drop it), then save the session.
fn store(frame: &Frame) {
    let Some(storage) = local_storage() else { return };
    if let Some(key) = &frame.set_aside
        && let Ok(Some(text)) = storage.get_item(key)
        && keep_aside(&storage, key, &text)
    {
        let _ = storage.remove_item(key);
    }
    if let Some((key, text)) = &frame.save {
        let _ = storage.set_item(key, text);
    }
}

/// The language the browser asks for (`navigator.language`), English when it cannot tell.
pub fn browser_lang() -> Lang {
    web_sys::window().and_then(|w| w.navigator().language()).map(|tag| Lang::from_tag(&tag)).unwrap_or_default()
}

/// The page's engine: the model's Web Worker in the page (`bridge::worker`), the same engine
/// on the page's thread in tests (`engine::in_thread`).
#[derive(Properties, PartialEq)]
pub struct AppProps {
    pub connect: Connector,
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let state = use_reducer(Shown::default);
    // The edits not answered yet (kept each render), written into their session when the page
    // is left or hidden (a mobile browser may end a hidden page without a pagehide).
    let unanswered = use_mut_ref(|| None);
    *unanswered.borrow_mut() =
        (state.unanswered_edit != 0).then(|| (state.files.clone(), state.open_file.clone(), state.session_key.clone()));
    {
        let unanswered = unanswered.clone();
        use_effect_with((), move |_| {
            use wasm_bindgen::JsCast;
            let on_leave = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || keep_unanswered_edits(&unanswered));
            let (window, document) = (gloo::utils::window(), gloo::utils::document());
            let _ = window.add_event_listener_with_callback("pagehide", on_leave.as_ref().unchecked_ref());
            let _ = document.add_event_listener_with_callback("visibilitychange", on_leave.as_ref().unchecked_ref());
            move || {
                let _ = window.remove_event_listener_with_callback("pagehide", on_leave.as_ref().unchecked_ref());
                let _ =
                    document.remove_event_listener_with_callback("visibilitychange", on_leave.as_ref().unchecked_ref());
            }
        });
    }
    let sender = {
        let dispatcher = state.dispatcher();
        let unanswered = unanswered.clone();
        let connect = props.connect.clone();
        use_memo((), move |_| {
            let outstanding = Rc::new(Outstanding::default());
            // The sender, once made (the engine's answers need it to send a held seek).
            let slot: Rc<std::cell::RefCell<Option<Rc<Sender>>>> = Rc::default();
            let on = {
                let (outstanding, slot) = (outstanding.clone(), slot.clone());
                Callback::from(move |msg: FromEngine| {
                    match msg {
                        FromEngine::Ready => {}
                        FromEngine::Frame(f) => {
                            outstanding.answered(f.acked);
                            store(&f);
                            dispatcher.dispatch(Msg::Frame(f));
                        }
                        FromEngine::Completions(c) => {
                            outstanding.answered(c.seq);
                            dispatcher.dispatch(Msg::Completions(c));
                        }
                        FromEngine::Panicked(message) => {
                            web_sys::console::error_1(&format!("kubeplay's model panicked: {message}").into());
                            keep_unanswered_edits(&unanswered);
                            crate::panic_page::show(&message);
                        }
                    }
                    if let Some(sender) = slot.borrow().as_ref() {
                        sender.answered();
                    }
                    mark_busy(!outstanding.idle());
                })
            };
            let sender = Rc::new(Sender::new((connect.0)(on), outstanding));
            *slot.borrow_mut() = Some(sender.clone());
            sender
        })
    };
    {
        let sender = sender.clone();
        use_effect_with((), move |_| sender.boot(boot_request()));
    }
    // Sends an action; an edit (or another file opened) shows at once.
    let act: Rc<dyn Fn(Action)> = {
        let sender = sender.clone();
        let dispatcher = state.dispatcher();
        Rc::new(move |action: Action| {
            let seq = sender.reserve();
            if matches!(action, Action::EditFile { .. } | Action::OpenFile(_)) {
                dispatcher.dispatch(Msg::Local { seq, action: action.clone() });
            }
            mark_busy(true);
            sender.send(seq, action);
        })
    };
    let lang = state.lang;
    let t = lang.text();

    // The play timer is the page's only clock: it exists while playing and sends ticks; the
    // model decides what a tick does. A tick the model is still working on is not followed by another: ticks never queue up
    // behind a slow one.
    {
        let sender = sender.clone();
        use_effect_with(state.playing, move |&playing| {
            let interval = playing.then(|| {
                Interval::new(PLAY_INTERVAL_MS as u32, move || {
                    if !sender.tick_pending() {
                        mark_busy(true);
                        sender.act(Action::Tick);
                    }
                })
            });
            move || drop(interval)
        });
    }
    // `<html lang>` follows the interface language, for screen readers and CJK glyph choice.
    use_effect_with(lang, |lang| {
        if let Some(root) = gloo::utils::document().document_element() {
            let _ = root.set_attribute("lang", lang.tag());
        }
    });
    // Until the model's worker has loaded and answered, there is nothing true to draw: no
    // cluster, no files, not even whether the editor may change them.
    if !state.booted {
        return html! {
            <div class="app starting" id="starting" role="status" aria-busy="true">{ starting_lang().text().starting }</div>
        };
    }

    let on = |action: Action| {
        let act = act.clone();
        Callback::from(move |_: MouseEvent| act(action.clone()))
    };
    let toggle = |panel: Panel| {
        let act = act.clone();
        Callback::from(move |()| act(Action::TogglePanel(panel)))
    };
    let on_edit = {
        let act = act.clone();
        let (path, generation) = (state.open_file.clone(), state.generation);
        Callback::from(move |text: String| act(Action::EditFile { path: path.clone(), text, generation }))
    };
    let on_apply = {
        let act = act.clone();
        Callback::from(move |()| act(Action::Apply))
    };
    let on_command = {
        let act = act.clone();
        Callback::from(move |line: String| act(Action::RunCommand(line)))
    };
    let on_interrupt = {
        let act = act.clone();
        Callback::from(move |()| act(Action::Interrupt))
    };
    let on_complete = {
        let sender = sender.clone();
        Callback::from(move |line: String| {
            mark_busy(true);
            sender.complete(line)
        })
    };
    let on_select = {
        let act = act.clone();
        Callback::from(move |selection: Selection| act(Action::Select(selection)))
    };
    let on_tab = {
        let act = act.clone();
        Callback::from(move |tab| act(Action::ShowTab(tab)))
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
        let act = act.clone();
        Callback::from(move |path: String| act(Action::OpenFile(path)))
    };
    let on_lesson_change = {
        let act = act.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            let name = select.value();
            act(if name.is_empty() { Action::LeaveLesson } else { Action::StartLesson(name) });
        })
    };
    let on_speed_change = {
        let act = act.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(speed) = select.value().parse() {
                act(Action::SetSpeed(speed));
            }
        })
    };
    let current_lesson = state.lesson.as_ref().map(|l| l.name.clone()).unwrap_or_default();
    let lesson_options = state.lessons.iter().map(|e| {
        let name = e.name.clone();
        let selected = name == current_lesson;
        html! { <option value={name} {selected}>{ e.title.get(lang.tag()).to_string() }</option> }
    });
    let speed_options = SPEEDS.iter().map(|&sp| {
        let label = if sp == crate::state::MAX_SPEED { t.max_speed.to_string() } else { format!("{sp}x") };
        html! { <option value={sp.to_string()} selected={sp == state.speed()}>{ label }</option> }
    });
    let lesson_panel = state.lesson.clone().filter(|_| !hidden.lesson).map(|lesson| {
        let on_show_me = {
            let act = act.clone();
            Callback::from(move |()| act(Action::ShowMe))
        };
        let on_hint = {
            let act = act.clone();
            Callback::from(move |()| act(Action::RevealHint))
        };
        html! {
            <PanelBox id="lesson-panel" class="lesson-panel" title={t.lesson} lang={lang}
                collapsed={collapsed.lesson} on_toggle={toggle(Panel::Lesson)}>
                <LessonView {lesson} progress={state.progress.clone()} lang={lang} {on_show_me} {on_hint} />
            </PanelBox>
        }
    });
    // A data: URL, so exporting needs no script beyond this attribute.
    let export_href = format!(
        "data:text/yaml;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(&crate::state::export_manifests(&state.files)))
    );
    let on_share = {
        let act = act.clone();
        let shared = crate::share::Shared { files: (*state.files).clone(), open_file: state.open_file.clone() };
        Callback::from(move |_: MouseEvent| {
            if let Some(w) = web_sys::window() {
                let _ = w.location().set_hash(&crate::share::encode(&shared));
                act(Action::Say(Notice::ShareReady));
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
    let (start_ms, head_ms, now_ms) = (state.start_ms, state.head_ms, view.now_ms);
    let in_past = state.in_past();
    // While the worker rebuilds one moment, only the latest one dragged to waits (Sender::seek).
    let on_seek = {
        let sender = sender.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Ok(t) = input.value().parse::<f64>() {
                // Whole tenths of a second read better on the clock; the end stays reachable.
                let t = if t >= f64::from(input.max().parse::<f64>().unwrap_or(t) as u32) - 50.0 {
                    t.ceil()
                } else {
                    (t / 100.0).round() * 100.0
                };
                mark_busy(true);
                sender.seek(t as u64);
            }
        })
    };
    let back_to_now = {
        let sender = sender.clone();
        Callback::from(move |_: MouseEvent| {
            mark_busy(true);
            sender.seek(head_ms);
        })
    };
    let files = std::rc::Rc::new(state.files.keys().cloned().collect::<Vec<_>>());

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
                    <button id="timeline-now" type="button" onclick={back_to_now}>{ t.back_to_now }</button>
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
                            <Terminal transcript={state.terminal.clone()} {on_command} {on_complete}
                                completion={state.completion.clone()} lang={lang}
                                live={state.live} on_interrupt={on_interrupt} />
                        </PanelBox>
                        }
                    </div>
                    }
                </div>
            </main>
        </div>
    }
}
