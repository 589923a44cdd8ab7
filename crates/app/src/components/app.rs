//! The page: header with the clock and time controls, the editor on the left, the cluster map,
//! events and terminal on the right.

use gloo::timers::callback::Interval;
use yew::prelude::*;

use crate::components::cluster_map::ClusterMap;
use crate::components::editor::Editor;
use crate::components::events::Events;
use crate::components::problems::Problems;
use crate::components::terminal::Terminal;
use crate::format;
use crate::state::{Action, AppState};

/// Real milliseconds between play ticks; each tick advances `AppState::tick_virtual_ms`.
pub const PLAY_INTERVAL_MS: u32 = 100;

#[component]
pub fn App() -> Html {
    let state = use_reducer(AppState::default);

    // The play timer is the page's only clock: it exists while playing and dispatches ticks;
    // the reducer decides what a tick does.
    {
        let dispatcher = state.dispatcher();
        use_effect_with(state.playing, move |&playing| {
            let interval = playing.then(|| Interval::new(PLAY_INTERVAL_MS, move || dispatcher.dispatch(Action::Tick)));
            move || drop(interval)
        });
    }

    let on = |action: Action| {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(action.clone()))
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

    let view = state.view.clone();
    let next_event = match view.next_event_ms {
        Some(at) => format!("next event at {}", format::clock(at)),
        None => "nothing scheduled".to_string(),
    };
    let playing = state.playing;

    html! {
        <div class="app">
            <header class="topbar">
                <div class="brand">
                    <h1>{ "kubeplay" }</h1>
                    <span class="tagline">{ "a Kubernetes cluster in your browser" }</span>
                </div>
                <div class="clock-box" title="Virtual time since the cluster started">
                    <span id="clock">{ view.clock.clone() }</span>
                    <span class="next-event">{ next_event }</span>
                </div>
                <div class="controls">
                    <button id="apply" class="primary" onclick={on(Action::Apply)}
                        title={format!("kubectl apply -f {} (Ctrl+Enter in the editor)", state.open_file)}>
                        { "Apply" }
                    </button>
                    <button id="step" onclick={on(Action::Step)}
                        title="Run to the next scheduled event">
                        { "Step" }
                    </button>
                    <button id="play" class={classes!(playing.then_some("playing"))}
                        aria-pressed={playing.to_string()} onclick={on(Action::TogglePlay)}
                        title="Play or pause virtual time (10x)">
                        { if playing { "Pause" } else { "Play" } }
                    </button>
                </div>
                <div id="notice" class="notice" role="status">
                    { state.notice.clone().unwrap_or_default() }
                </div>
            </header>
            <main class="layout">
                <section class="panel editor-panel" aria-label="Manifest editor">
                    <Editor
                        path={AttrValue::from(state.open_file.clone())}
                        text={AttrValue::from(state.open_text().to_string())}
                        diagnostics={state.diagnostics.clone()}
                        {on_edit}
                        {on_apply}
                    />
                    <Problems
                        diagnostics={state.diagnostics.clone()}
                        output={state.apply_output.clone()}
                        ok={state.apply_ok}
                    />
                </section>
                <div class="main-column">
                    <section class="panel cluster-panel" aria-label="Cluster">
                        <ClusterMap view={view.clone()} />
                    </section>
                    <div class="bottom-row">
                        <section class="panel events-panel" aria-label="Events">
                            <Events view={view.clone()} />
                        </section>
                        <section class="panel terminal-panel" aria-label="Terminal">
                            <Terminal transcript={state.terminal.clone()} {on_command} />
                        </section>
                    </div>
                </div>
            </main>
        </div>
    }
}
