//! The page's link to the model's Web Worker (`src/bin/worker.rs`, built by Trunk beside the
//! page as `kubeplay-worker.js`, `kubeplay-worker_bg.wasm` and the loader
//! `kubeplay-worker_loader.js`). Messages are JSON text. What the page sends before the
//! worker has loaded is held and sent when it says it is ready.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::Callback;

use crate::shown::{Connector, FromEngine, Link, ToEngine};

/// The worker's loader script, relative to the page.
pub const WORKER_SCRIPT: &str = "kubeplay-worker_loader.js";

/// Starts the worker. If the browser cannot (no Worker support), the page shows the panic
/// notice with the reason instead of a page that silently does nothing.
pub fn worker() -> Connector {
    Connector(Rc::new(|on: Callback<FromEngine>| -> Link {
        match start(on) {
            Ok(link) => link,
            Err(e) => {
                crate::panic_page::show(&format!("the model's Web Worker could not start: {e:?}"));
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
    let onmessage = {
        let (worker, stage) = (worker.clone(), stage.clone());
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let text = e.data().as_string().unwrap_or_default();
            let msg = match serde_json::from_str::<FromEngine>(&text) {
                Ok(msg) => msg,
                Err(err) => {
                    crate::panic_page::show(&format!("unreadable message from the model's worker: {err}"));
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
        })
    };
    worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    // One worker per page, for the page's lifetime.
    onmessage.forget();
    let onerror = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(|e: web_sys::ErrorEvent| {
        crate::panic_page::show(&format!("the model's Web Worker failed: {}", e.message()));
    });
    worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
    onerror.forget();
    Ok(Rc::new(move |msg: ToEngine| {
        let text = serde_json::to_string(&msg).unwrap_or_default();
        match &mut *stage.borrow_mut() {
            Stage::Loading(held) => held.push(text),
            Stage::Ready => {
                let _ = worker.post_message(&text.into());
            }
        }
    }))
}
