//! Component tests in headless Chrome: the real `App`, rendered into a div, driven by clicks
//! and typed input, read back through the DOM. No sleeps: `scheduler::flush()` waits until Yew
//! has rendered (as yewstack/yew `packages/yew/tests/use_reducer.rs` does).
//!
//! Run: `cargo test -p kubeplay-app --target wasm32-unknown-unknown` (the runner is set in
//! `.cargo/config.toml`). Tests named `model_*` need the real cluster model (nodes, a working
//! apply, controllers); the others only need the page.
#![cfg(target_arch = "wasm32")]

use kubeplay_app::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{
    Element, Event, EventInit, HtmlElement, HtmlInputElement, HtmlTextAreaElement, KeyboardEvent, KeyboardEventInit,
};
use yew::AppHandle;
use yew::scheduler;

wasm_bindgen_test_configure!(run_in_browser);

/// One mounted page, removed again when the test ends so tests never see each other's DOM.
struct Page {
    root: Element,
    handle: Option<AppHandle<App>>,
}

impl Page {
    async fn mount() -> Page {
        let document = gloo::utils::document();
        let root = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&root).unwrap();
        let handle = yew::Renderer::<App>::with_root(root.clone()).render();
        scheduler::flush().await;
        Page { root, handle: Some(handle) }
    }

    fn get(&self, selector: &str) -> Element {
        self.root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no element matches {selector}"))
    }

    fn count(&self, selector: &str) -> u32 {
        self.root.query_selector_all(selector).unwrap().length()
    }

    fn all(&self, selector: &str) -> Vec<Element> {
        let list = self.root.query_selector_all(selector).unwrap();
        (0..list.length()).map(|i| list.item(i).unwrap().dyn_into::<Element>().unwrap()).collect()
    }

    fn text(&self, selector: &str) -> String {
        self.get(selector).text_content().unwrap_or_default()
    }

    async fn click(&self, selector: &str) {
        self.get(selector).dyn_into::<HtmlElement>().unwrap().click();
        scheduler::flush().await;
    }

    /// Replaces the editor's text as typing would: set the value, fire `input`.
    async fn type_into_editor(&self, text: &str) {
        let area: HtmlTextAreaElement = self.get("#editor").dyn_into().unwrap();
        area.set_value(text);
        let init = EventInit::new();
        init.set_bubbles(true);
        let event = Event::new_with_event_init_dict("input", &init).unwrap();
        area.dispatch_event(&event).unwrap();
        scheduler::flush().await;
    }

    /// Types a line into the terminal and presses Enter.
    async fn run_in_terminal(&self, line: &str) {
        let input: HtmlInputElement = self.get("#terminal-input").dyn_into().unwrap();
        input.set_value(line);
        let init = KeyboardEventInit::new();
        init.set_key("Enter");
        init.set_bubbles(true);
        let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
        input.dispatch_event(&event).unwrap();
        scheduler::flush().await;
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.destroy();
        }
        self.root.remove();
    }
}

#[wasm_bindgen_test]
async fn page_shows_the_editor_controls_and_panels() {
    let page = Page::mount().await;
    let editor: HtmlTextAreaElement = page.get("#editor").dyn_into().unwrap();
    assert!(editor.value().contains("kind: Deployment"), "{}", editor.value());
    assert!(editor.value().contains("image: nginx:1.27"));
    assert_eq!(page.text("#apply"), "Apply");
    assert_eq!(page.text("#step"), "Step");
    assert_eq!(page.text("#play"), "Play");
    assert!(!page.text("#clock").is_empty());
    for id in
        ["#cluster-view", "#pending", "#events", "#errors", "#apply-output", "#terminal-output", "#terminal-input"]
    {
        page.get(id);
    }
    // The gutter numbers every line of the file.
    let lines = editor.value().split('\n').count() as u32;
    assert_eq!(page.count(".gutter .ln"), lines);
}

#[wasm_bindgen_test]
async fn play_toggles_to_pause_and_back() {
    let page = Page::mount().await;
    page.click("#play").await;
    assert_eq!(page.text("#play"), "Pause");
    assert_eq!(page.get("#play").get_attribute("aria-pressed").as_deref(), Some("true"));
    page.click("#play").await;
    assert_eq!(page.text("#play"), "Play");
}

#[wasm_bindgen_test]
async fn editing_keeps_the_text_and_renumbers_the_gutter() {
    let page = Page::mount().await;
    page.type_into_editor("apiVersion: v1\nkind: Pod\n").await;
    let editor: HtmlTextAreaElement = page.get("#editor").dyn_into().unwrap();
    assert_eq!(editor.value(), "apiVersion: v1\nkind: Pod\n");
    assert_eq!(page.count(".gutter .ln"), 3);
}

#[wasm_bindgen_test]
async fn terminal_echoes_the_command_and_clears_the_input() {
    let page = Page::mount().await;
    page.run_in_terminal("kubectl get pods").await;
    assert!(page.text("#terminal-output").starts_with("$ kubectl get pods\n"), "{}", page.text("#terminal-output"));
    let input: HtmlInputElement = page.get("#terminal-input").dyn_into().unwrap();
    assert_eq!(input.value(), "");
}

// ---- Needs the real model (crates/model): nodes, apply, scheduler, kubelet. ----

#[wasm_bindgen_test]
async fn model_cluster_view_draws_three_nodes() {
    let page = Page::mount().await;
    assert_eq!(page.count("#cluster-view g.node"), 3);
    let names: Vec<_> =
        page.all("#cluster-view g.node").iter().map(|n| n.get_attribute("data-name").unwrap()).collect();
    assert_eq!(names, ["node-1", "node-2", "node-3"]);
    assert_eq!(page.count("#cluster-view g.pod"), 0);
    // Every node has a CPU and a memory bar, empty before anything is applied.
    for fill in page.all(".cpu-bar-fill") {
        assert_eq!(fill.get_attribute("data-milli").as_deref(), Some("0"));
    }
    assert_eq!(page.count(".mem-bar-fill"), 3);
}

#[wasm_bindgen_test]
async fn model_apply_then_step_places_three_running_pods() {
    let page = Page::mount().await;
    page.click("#apply").await;
    assert!(page.text("#apply-output").contains("deployment.apps/web created"), "{}", page.text("#apply-output"));
    assert_eq!(page.count("#errors li"), 0);

    // Step until the three pods run (bounded: a step runs to the next scheduled thing).
    for _ in 0..200 {
        let running = page
            .all("#cluster-view g.node g.pod")
            .iter()
            .filter(|p| p.get_attribute("data-status").as_deref() == Some("Running"))
            .count();
        if running == 3 {
            break;
        }
        page.click("#step").await;
    }
    let pods = page.all("#cluster-view g.node g.pod");
    assert_eq!(pods.len(), 3);
    for pod in &pods {
        assert_eq!(pod.get_attribute("data-status").as_deref(), Some("Running"));
        assert!(pod.get_attribute("data-name").unwrap().starts_with("web-"));
        // The status is text on the tile, not only colour.
        assert!(pod.text_content().unwrap().contains("Running"));
    }
    assert_eq!(page.count("#pending g.pod"), 0);
    let requested_milli: i64 =
        page.all(".cpu-bar-fill").iter().map(|f| f.get_attribute("data-milli").unwrap().parse::<i64>().unwrap()).sum();
    assert_eq!(requested_milli, 1500);
    assert!(page.count("#events li") > 0);
    assert_ne!(page.text("#clock"), "00:00:00.000");
}

#[wasm_bindgen_test]
async fn model_unknown_field_is_reported_at_its_line() {
    let page = Page::mount().await;
    let editor: HtmlTextAreaElement = page.get("#editor").dyn_into().unwrap();
    // Line 20 becomes the misspelt field (the course's `imagePullPolice` typo).
    let text = editor
        .value()
        .replace("          image: nginx:1.27\n", "          image: nginx:1.27\n          imagePullPolice: Always\n");
    assert_eq!(text.lines().position(|l| l.contains("imagePullPolice")), Some(19));
    page.type_into_editor(&text).await;
    page.click("#apply").await;
    let problems = page.all("#errors li");
    assert!(!problems.is_empty(), "no problem reported");
    let first = problems[0].text_content().unwrap();
    assert!(first.contains("deploy/k8s/deployment.yaml line 20"), "{first}");
    assert_eq!(page.get(".gutter .ln.error").get_attribute("data-line").as_deref(), Some("20"));
}
