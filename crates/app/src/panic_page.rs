//! A panic in the page never fails silently: the hook writes the message to the console and
//! puts a notice over the page that says what happened and offers a reload, which restores the
//! last saved session (every change is saved as the model answers it, see engine.rs). A panic
//! in the model's Web Worker is sent to the page and shown the same way. The notice is built
//! from elements and text nodes, never from HTML.

use std::panic::PanicHookInfo;

/// The notice's element id.
pub const ID: &str = "panic-notice";

pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let message = describe(info);
        web_sys::console::error_1(&format!("kubeplay panicked: {message}").into());
        show(&message);
    }));
}

pub fn describe(info: &PanicHookInfo<'_>) -> String {
    let payload = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown error".into());
    match info.location() {
        Some(l) => format!("{payload} ({}:{})", l.file(), l.line()),
        None => payload,
    }
}

/// Puts the notice on the page (once).
pub fn show(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    if document.get_element_by_id(ID).is_some() {
        return;
    }
    let Some(body) = document.body() else { return };
    let el = |tag: &str, text: &str| {
        let e = document.create_element(tag).ok()?;
        e.set_text_content(Some(text));
        Some(e)
    };
    let Some(notice) = el("div", "") else { return };
    notice.set_id(ID);
    let _ = notice.set_attribute("role", "alertdialog");
    let _ = notice.set_attribute("aria-labelledby", "panic-title");
    let zh = document.document_element().and_then(|r| r.get_attribute("lang")).is_some_and(|l| l.starts_with("zh"));
    let (title, body_text, reload) = if zh {
        (
            "kubeplay 因内部错误停止了",
            "这是 kubeplay 的缺陷，不是你的操作造成的。你的文件和操作都已保存在这个浏览器里：重新加载会恢复到最后保存的状态。",
            "重新加载",
        )
    } else {
        (
            "kubeplay stopped because of an internal error",
            "This is a bug in kubeplay, not something you did. Your files and actions are saved in this browser: reloading restores the last saved state.",
            "Reload",
        )
    };
    for child in [
        el("h2", title).inspect(|h| h.set_id("panic-title")),
        el("p", body_text),
        el("pre", message),
        el("a", reload).inspect(|a| {
            // An empty href reloads the page: no script needed.
            let _ = a.set_attribute("href", "");
            a.set_id("panic-reload");
        }),
    ]
    .into_iter()
    .flatten()
    {
        let _ = notice.append_child(&child);
    }
    let _ = body.append_child(&notice);
}
