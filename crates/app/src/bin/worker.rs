//! The model's Web Worker: Trunk builds this binary beside the page (index.html, `data-type=
//! "worker"`), and the page starts it ([`kubeplay_app::bridge`]). It holds the cluster and the
//! reducer ([`kubeplay_app::engine::Engine`]) and answers each message from the page; a panic
//! is sent to the page, which shows its panic notice.

#[cfg(target_arch = "wasm32")]
fn main() {
    use std::cell::RefCell;
    use std::rc::Rc;

    use kubeplay_app::engine::Engine;
    use kubeplay_app::shown::{FromEngine, ToEngine};
    use kubeplay_app::state::{TICK_BUDGET_MS, TickBudget};
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::DedicatedWorkerGlobalScope;

    fn scope() -> DedicatedWorkerGlobalScope {
        js_sys::global().unchecked_into()
    }
    fn post(msg: &FromEngine) {
        let text = serde_json::to_string(msg).unwrap_or_default();
        let _ = scope().post_message(&text.into());
    }
    /// The worker's monotonic clock, for the play tick's budget.
    fn now() -> f64 {
        scope().performance().map_or(0.0, |p| p.now())
    }

    std::panic::set_hook(Box::new(|info| {
        let message = kubeplay_app::panic_page::describe(info);
        web_sys::console::error_1(&format!("kubeplay's model panicked: {message}").into());
        post(&FromEngine::Panicked(message));
    }));
    let engine: Rc<RefCell<Option<Engine>>> = Rc::default();
    let onmessage = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
        let text = e.data().as_string().unwrap_or_default();
        let Ok(msg) = serde_json::from_str::<ToEngine>(&text) else {
            post(&FromEngine::Panicked(format!("unreadable message from the page: {text:.200}")));
            return;
        };
        let out = Engine::answer(&mut engine.borrow_mut(), msg, Some(TickBudget { now, ms: TICK_BUDGET_MS }));
        for m in &out {
            post(m);
        }
    });
    scope().set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    post(&FromEngine::Ready);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("kubeplay-worker runs in a browser: `trunk serve` builds it beside the page.");
}
