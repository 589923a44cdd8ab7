//! The page's link to the model's Web Worker (`src/bin/worker.rs`, built by Trunk beside the
//! page as `kubeplay-worker.js`, `kubeplay-worker_bg.wasm` and the loader
//! `kubeplay-worker-loader.js`). Messages are JSON text. What the page sends before the worker
//! has loaded is held and sent when it says it is ready.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::Callback;

use crate::shown::{Connector, FromEngine, Link, ToEngine};

/// The worker's loader script, relative to the page, with this build's id (build.rs): the
/// loader asks for the worker's script and wasm with the same query, so none of the three can
/// come from a cache of another build (their names carry no hash).
pub const WORKER_SCRIPT: &str = concat!("kubeplay-worker-loader.js?v=", env!("KUBEPLAY_BUILD_ID"));

/// Starts the worker. If the browser cannot, or the worker fails (it cannot load, or it
/// crashes without a panic: out of memory), the page is told as of a panic
/// ([`FromEngine::Panicked`]): it keeps the learner's unanswered edits and shows the notice,
/// instead of a page that silently does nothing.
pub fn worker() -> Connector {
    Connector(Rc::new(|on: Callback<FromEngine>| -> Link {
        match start(on.clone()) {
            Ok(link) => link,
            Err(e) => {
                on.emit(FromEngine::Panicked(format!("the model's Web Worker could not start: {e:?}")));
                Rc::new(|_| {})
            }
        }
    }))
}

/// Where the worker stands: messages held until it is ready.
enum Stage {
    Loading(Vec<String>),
    Ready,
}

fn start(on: Callback<FromEngine>) -> Result<Link, wasm_bindgen::JsValue> {
    let base = gloo::utils::document().base_uri()?.unwrap_or_default();
    let url = web_sys::Url::new_with_base(WORKER_SCRIPT, &base)?.href();
    let worker = Rc::new(web_sys::Worker::new(&url)?);
    let stage = Rc::new(RefCell::new(Stage::Loading(vec![])));
    let failed = {
        let on = on.clone();
        move |message: String| on.emit(FromEngine::Panicked(format!("the model's Web Worker failed: {message}")))
    };
    let receive = {
        let (worker, stage, failed) = (worker.clone(), stage.clone(), failed.clone());
        move |text: String| {
            let msg = match serde_json::from_str::<FromEngine>(&text) {
                Ok(msg) => msg,
                Err(err) => {
                    failed(format!(
                        "unreadable message from it ({err}): the page and its model may be from different builds; reload"
                    ));
                    return;
                }
            };
            if msg == FromEngine::Ready {
                let held = std::mem::replace(&mut *stage.borrow_mut(), Stage::Ready);
                if let Stage::Loading(held) = held {
                    for text in held {
                        let _ = worker.post_message(&text.into());
                    }
                }
            }
            on.emit(msg);
        }
    };
    let onmessage = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
        receive(e.data().as_string().unwrap_or_default());
    });
    worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    // One worker per page, for the page's lifetime.
    onmessage.forget();
    // An ErrorEvent when its script throws; a plain Event when its script cannot be fetched.
    let onerror = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        let message = js_sys::Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string());
        failed(message.unwrap_or_else(|| "its script did not load".into()));
    });
    worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
    onerror.forget();
    let link: Link = Rc::new(move |msg: ToEngine| {
        let text = serde_json::to_string(&msg).unwrap_or_default();
        match &mut *stage.borrow_mut() {
            Stage::Loading(held) => held.push(text),
            Stage::Ready => {
                let _ = worker.post_message(&text.into());
            }
        }
    });
    Ok(link)
}
