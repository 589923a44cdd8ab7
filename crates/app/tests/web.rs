//! Component tests in headless Chrome: the real `App`, rendered into a div, driven by clicks
//! and typed input, read back through the DOM. No sleeps: `scheduler::flush()` waits until Yew
//! has rendered (as yewstack/yew `packages/yew/tests/use_reducer.rs` does).
//!
//! Run: `cargo test -p kubeplay-app --target wasm32-unknown-unknown` (the runner is set in
//! `.cargo/config.toml`). Tests named `model_*` need the real cluster model (nodes, a working
//! apply, controllers); the others only need the page.
#![cfg(target_arch = "wasm32")]

use kubeplay_app::App;
use kubeplay_app::components::app::AppProps;
use kubeplay_app::shown::{Connector, FromEngine, Link, ToEngine};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{
    Element, Event, EventInit, HtmlElement, HtmlInputElement, HtmlTextAreaElement, KeyboardEvent, KeyboardEventInit,
    MouseEvent, MouseEventInit,
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
    /// A fresh page: no saved session from an earlier test is restored.
    async fn mount() -> Page {
        clear_saved_sessions();
        Page::mount_keeping_storage().await
    }

    /// A page as after a reload: whatever the last page saved is restored.
    async fn mount_keeping_storage() -> Page {
        // The engine on this thread: the same messages, answered at once.
        let page = Page::mount_with(kubeplay_app::engine::in_thread()).await;
        // The page starts in the browser's language; these tests read the English interface.
        page.click("#lang-en").await;
        page
    }

    /// A page whose engine is `connect`.
    async fn mount_with(connect: Connector) -> Page {
        let document = gloo::utils::document();
        let root = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&root).unwrap();
        let props = AppProps { connect };
        let handle = yew::Renderer::<App>::with_root_and_props(root.clone(), props).render();
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

    /// Clicks an element that is not an `HtmlElement` (an SVG group) with a bubbling click.
    async fn click_element(&self, el: &Element) {
        let init = MouseEventInit::new();
        init.set_bubbles(true);
        let event = MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
        el.dispatch_event(&event).unwrap();
        scheduler::flush().await;
    }

    /// Presses a key on an element, as a keyboard user would after tabbing to it.
    async fn press_key(&self, el: &Element, key: &str) {
        let init = KeyboardEventInit::new();
        init.set_key(key);
        init.set_bubbles(true);
        let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
        el.dispatch_event(&event).unwrap();
        scheduler::flush().await;
    }

    fn running_pods(&self) -> Vec<Element> {
        self.all("#cluster-view g.node g.pod")
            .into_iter()
            .filter(|p| p.get_attribute("data-status").as_deref() == Some("Running"))
            .collect()
    }

    /// Apply the default Deployment and step until its three pods run (bounded).
    async fn apply_and_run(&self) {
        self.click("#apply").await;
        for _ in 0..200 {
            if self.running_pods().len() == 3 {
                break;
            }
            self.click("#step").await;
        }
        assert_eq!(self.running_pods().len(), 3);
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

#[wasm_bindgen_test]
async fn nothing_is_inspected_until_something_is_clicked() {
    let page = Page::mount().await;
    assert_eq!(page.count("#inspector"), 0);
}

#[wasm_bindgen_test]
async fn the_language_switch_translates_the_interface_but_not_the_terminal() {
    let page = Page::mount().await;
    assert_eq!(page.get("#lang-en").get_attribute("aria-pressed").as_deref(), Some("true"));
    page.run_in_terminal("kubectl get pods").await;
    let english_output = page.text("#terminal-output");

    page.click("#lang-zh").await;
    assert_eq!(page.text("#apply"), "应用");
    assert_eq!(page.text("#step"), "单步");
    assert_eq!(page.text("#play"), "播放");
    assert_eq!(page.get("#lang-zh").get_attribute("aria-pressed").as_deref(), Some("true"));
    assert_eq!(gloo::utils::document().document_element().unwrap().get_attribute("lang").as_deref(), Some("zh-CN"));
    // What the cluster printed stays exactly as it was, and new output is kubectl's own English.
    assert_eq!(page.text("#terminal-output"), english_output);
    page.run_in_terminal("kubectl get pods").await;
    assert_eq!(page.text("#terminal-output"), format!("{english_output}{english_output}"));

    page.click("#lang-en").await;
    assert_eq!(page.text("#apply"), "Apply");
}

#[wasm_bindgen_test]
async fn panels_collapse_with_their_toggle() {
    let page = Page::mount().await;
    for panel in ["editor-panel", "events-panel", "terminal-panel"] {
        let toggle = format!("#{panel}-toggle");
        let body = format!("#{panel}-body");
        assert_eq!(page.get(&toggle).get_attribute("aria-expanded").as_deref(), Some("true"), "{panel}");
        assert_eq!(page.get(&toggle).get_attribute("aria-controls").as_deref(), Some(&body[1..]));
        page.click(&toggle).await;
        assert_eq!(page.get(&toggle).get_attribute("aria-expanded").as_deref(), Some("false"), "{panel}");
        assert!(page.get(&body).has_attribute("hidden"), "{panel}");
        page.click(&toggle).await;
        assert!(!page.get(&body).has_attribute("hidden"), "{panel}");
    }
    // A collapsed terminal keeps what it showed.
    page.run_in_terminal("kubectl get pods").await;
    page.click("#terminal-panel-toggle").await;
    page.click("#terminal-panel-toggle").await;
    assert!(page.text("#terminal-output").starts_with("$ kubectl get pods"));
}

#[wasm_bindgen_test]
async fn model_clicking_a_pod_shows_the_inspector_with_its_scheduling() {
    let page = Page::mount().await;
    page.apply_and_run().await;
    let pod = page.running_pods().remove(0);
    let name = pod.get_attribute("data-name").unwrap();
    page.click_element(&pod).await;

    page.get("#inspector");
    assert_eq!(page.text("#inspector-name"), name);
    assert!(page.text("#inspector-why").contains("Running"), "{}", page.text("#inspector-why"));
    assert_eq!(page.get("#inspector-tab-scheduling").get_attribute("aria-selected").as_deref(), Some("true"));
    let rows = page.all("#scheduling-table tbody tr");
    assert_eq!(rows.len(), 3);
    let nodes: Vec<_> = rows.iter().map(|r| r.get_attribute("data-node").unwrap()).collect();
    assert_eq!(nodes, ["node-1", "node-2", "node-3"]);
    // The chosen node is the one the pod is drawn in, marked by text as well as colour.
    let chosen = page.get("#scheduling-table tbody tr.chosen");
    let host = page.get(&format!("#cluster-view g.pod[data-name=\"{name}\"]"));
    let host = host.parent_element().unwrap();
    assert_eq!(chosen.get_attribute("data-node"), host.get_attribute("data-name"));
    assert!(chosen.text_content().unwrap().contains("chosen"));
    // The tile is drawn selected.
    let tile = page.get(&format!("#cluster-view g.pod[data-name=\"{name}\"]"));
    assert!(tile.class_list().contains("selected"));
    assert_eq!(tile.get_attribute("aria-pressed").as_deref(), Some("true"));

    // The other tabs show the model's YAML, events and conditions.
    page.click("#inspector-tab-yaml").await;
    assert!(page.text("#inspector-yaml").contains(&format!("name: {name}")));
    page.click("#inspector-tab-events").await;
    assert!(page.text("#inspector-events").contains("Scheduled"), "{}", page.text("#inspector-events"));
    page.click("#inspector-tab-conditions").await;
    assert!(page.count("#conditions-table tbody tr") > 0);

    page.click("#inspector-close").await;
    assert_eq!(page.count("#inspector"), 0);
}

#[wasm_bindgen_test]
async fn model_a_pod_tile_is_a_keyboard_button() {
    let page = Page::mount().await;
    page.apply_and_run().await;
    let pod = page.running_pods().remove(1);
    assert_eq!(pod.get_attribute("tabindex").as_deref(), Some("0"));
    assert_eq!(pod.get_attribute("role").as_deref(), Some("button"));
    page.press_key(&pod, "Enter").await;
    assert_eq!(page.text("#inspector-name"), pod.get_attribute("data-name").unwrap());
}

#[wasm_bindgen_test]
async fn model_clicking_a_node_inspects_the_node_not_a_pod() {
    let page = Page::mount().await;
    let node = page.get("#cluster-view g.node[data-name=\"node-2\"] .node-name");
    page.click_element(&node).await;
    assert_eq!(page.text("#inspector-name"), "node-2");
    assert_eq!(page.count("#inspector-tab-scheduling"), 0, "nodes are not scheduled");
    assert_eq!(page.get("#inspector-tab-conditions").get_attribute("aria-selected").as_deref(), Some("true"));
    assert!(page.text("#conditions-table").contains("KubeletReady"));
    assert!(page.text("#inspector-why").contains("Ready"));
}

#[wasm_bindgen_test]
async fn model_a_deleted_pod_reads_deleted() {
    let page = Page::mount().await;
    page.apply_and_run().await;
    let pod = page.running_pods().remove(0);
    let name = pod.get_attribute("data-name").unwrap();
    page.click_element(&pod).await;
    page.run_in_terminal(&format!("kubectl delete pod {name}")).await;
    for _ in 0..200 {
        if page.count("#inspector-deleted") == 1 {
            break;
        }
        page.click("#step").await;
    }
    assert!(page.text("#inspector-deleted").contains("deleted"), "{}", page.text("#inspector"));
    assert_eq!(page.text("#inspector-name"), name);
}

impl Page {
    /// Chooses an option of a `<select>` as a learner would: set the value, fire `change`.
    async fn choose(&self, selector: &str, value: &str) {
        let select: web_sys::HtmlSelectElement = self.get(selector).dyn_into().unwrap();
        select.set_value(value);
        let init = EventInit::new();
        init.set_bubbles(true);
        let event = Event::new_with_event_init_dict("change", &init).unwrap();
        select.dispatch_event(&event).unwrap();
        scheduler::flush().await;
    }
}

#[wasm_bindgen_test]
async fn model_a_lesson_chosen_from_the_picker_shows_its_steps_and_show_me_completes_a_step() {
    let page = Page::mount().await;
    assert_eq!(page.count("#lesson-panel"), 0, "free play has no lesson panel");
    page.choose("#lesson-select", "config-and-secrets").await;
    assert!(page.text("#lesson-title").contains("ConfigMap"), "{}", page.text("#lesson-title"));
    // The course's files, as a tree.
    assert!(page.count("#file-tree .file-button") >= 6, "{}", page.text("#file-tree"));
    let states: Vec<String> = page.all("#lesson-steps li").iter().map(|li| li.class_name()).collect();
    assert_eq!(states.len(), 3);
    assert!(states[0].contains("current") && states[1].contains("todo"), "{states:?}");
    assert_eq!(page.count("#lesson-checks .check.unmet"), 2);
    // Show me runs the step's commands in the terminal; the goal is met, step 2 is current.
    page.click("#show-me").await;
    assert!(page.text("#terminal-output").contains("$ kubectl apply -f deploy/k8s/configmap.yaml"));
    let states: Vec<String> = page.all("#lesson-steps li").iter().map(|li| li.class_name()).collect();
    assert!(states[0].contains("done") && states[1].contains("current"), "{states:?}");
    assert!(page.text("#lesson-steps li.done").contains("done"), "done is said in words, not only colour");
    // Hints appear on demand.
    assert_eq!(page.count(".hint"), 0);
    page.click("#hint").await;
    assert_eq!(page.count(".hint"), 1);
    // Back to free play: the panel goes, the files stay.
    page.choose("#lesson-select", "").await;
    assert_eq!(page.count("#lesson-panel"), 0);
    assert!(page.count("#file-tree .file-button") >= 6);
}

#[wasm_bindgen_test]
async fn model_opening_another_file_shows_it_in_the_editor() {
    let page = Page::mount().await;
    page.choose("#lesson-select", "config-and-secrets").await;
    let secret = page
        .all("#file-tree .file-button")
        .into_iter()
        .find(|b| b.get_attribute("title").as_deref() == Some("deploy/k8s/secret.yaml"))
        .expect("secret.yaml in the tree");
    secret.dyn_into::<HtmlElement>().unwrap().click();
    scheduler::flush().await;
    let editor: HtmlTextAreaElement = page.get("#editor").dyn_into().unwrap();
    assert!(editor.value().contains("kind: Secret"), "{}", editor.value());
}

#[wasm_bindgen_test]
async fn the_panic_notice_shows_the_message_as_text_and_offers_a_reload() {
    kubeplay_app::panic_page::show("index out of bounds <b>not bold</b>");
    let document = gloo::utils::document();
    let notice = document.get_element_by_id(kubeplay_app::panic_page::ID).expect("the notice");
    let text = notice.text_content().unwrap_or_default();
    assert!(text.contains("internal error") || text.contains("内部错误"), "{text}");
    assert!(text.contains("<b>not bold</b>"), "the message is text, not markup: {text}");
    assert!(notice.query_selector("b").unwrap().is_none());
    let reload = document.get_element_by_id("panic-reload").expect("a reload link");
    assert_eq!(reload.get_attribute("href").as_deref(), Some(""));
    notice.remove();
}

#[wasm_bindgen_test]
async fn model_the_timeline_seeks_back_and_the_page_says_it_shows_the_past() {
    clear_saved_sessions();
    let page = Page::mount().await;
    page.apply_and_run().await;
    assert_eq!(page.count("#timeline-now"), 0, "at the present there is nothing to go back to");
    let slider: HtmlInputElement = page.get("#timeline").dyn_into().unwrap();
    let head = slider.max();
    slider.set_value("0");
    let init = EventInit::new();
    init.set_bubbles(true);
    slider.dispatch_event(&Event::new_with_event_init_dict("input", &init).unwrap()).unwrap();
    scheduler::flush().await;
    assert_eq!(page.text("#clock"), "00:00:00.000");
    assert_eq!(page.running_pods().len(), 0, "no pods at the start");
    assert!(page.get("#timeline-bar").class_name().contains("in-past"));
    page.click("#timeline-now").await;
    let slider: HtmlInputElement = page.get("#timeline").dyn_into().unwrap();
    assert_eq!(slider.value(), head);
    assert_eq!(page.running_pods().len(), 3, "back at the present");
    clear_saved_sessions();
}

#[wasm_bindgen_test]
async fn model_the_session_survives_a_reload_and_export_holds_every_manifest() {
    clear_saved_sessions();
    let clock = {
        let page = Page::mount().await;
        page.apply_and_run().await;
        page.run_in_terminal("kubectl scale deployment web --replicas=4").await;
        page.click("#step").await;
        page.click("#step").await;
        let href = page.get("#export").get_attribute("href").unwrap_or_default();
        let decoded = String::from(js_sys::decode_uri_component(&href).unwrap());
        assert!(decoded.starts_with("data:text/yaml;charset=utf-8,# Exported from kubeplay"), "{decoded}");
        assert!(decoded.contains("kind: Deployment"), "{decoded}");
        (page.text("#clock"), page.text("#cluster-view"))
    };
    let (clock, drawn) = clock;
    // A new page (as after a reload) comes back where the learner was.
    let page = Page::mount_keeping_storage().await;
    assert_eq!(page.text("#clock"), clock);
    assert!(page.text("#terminal-output").is_empty(), "the terminal starts empty after a reload");
    assert_eq!(page.text("#cluster-view"), drawn, "the same pods, nodes and bars");
    page.run_in_terminal("kubectl get deployment web").await;
    assert!(page.text("#terminal-output").contains("/4"), "{}", page.text("#terminal-output"));
    clear_saved_sessions();
}

#[wasm_bindgen_test]
async fn an_unreadable_saved_session_is_kept_aside_and_the_page_says_so() {
    clear_saved_sessions();
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.set_item("kubeplay.session.free", "{\"version\": 1, \"oops\"").unwrap();
    let page = Page::mount_keeping_storage().await;
    assert!(!page.text("#notice").is_empty(), "a notice explains the fresh start");
    assert_eq!(storage.get_item("kubeplay.session.free.kept-1").unwrap().as_deref(), Some("{\"version\": 1, \"oops\""));
    drop(page);
    clear_saved_sessions();
}

/// Tests that mount the page start from no saved session and leave none behind.
fn clear_saved_sessions() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let keys: Vec<String> = (0..storage.length().unwrap()).filter_map(|i| storage.key(i).ok().flatten()).collect();
    for k in keys.into_iter().filter(|k| k.starts_with("kubeplay.")) {
        storage.remove_item(&k).unwrap();
    }
}

#[wasm_bindgen_test]
async fn model_tab_completes_in_the_terminal() {
    let page = Page::mount().await;
    let input: HtmlInputElement = page.get("#terminal-input").dyn_into().unwrap();
    let tab = |value: &str| {
        input.set_value(value);
        let init = KeyboardEventInit::new();
        init.set_key("Tab");
        init.set_bubbles(true);
        init.set_cancelable(true);
        input.dispatch_event(&KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap()).unwrap();
    };
    tab("kubectl get dep");
    scheduler::flush().await;
    assert_eq!(input.value(), "kubectl get deployments ");
    tab("node fail no");
    scheduler::flush().await;
    assert_eq!(input.value(), "node fail node-", "the shared prefix");
    assert_eq!(page.text("#completions"), "node-1  node-2  node-3");
}

#[wasm_bindgen_test]
async fn model_charts_replace_the_map_and_draw_the_rollout() {
    let page = Page::mount().await;
    page.click("#show-charts").await;
    assert_eq!(page.count("#charts-empty"), 1, "nothing to chart on an empty cluster");
    page.click("#show-map").await;
    page.apply_and_run().await;
    page.click("#show-charts").await;
    let figures = page.all("#charts figure");
    assert_eq!(figures.len(), 1, "one Deployment");
    assert!(page.text("#charts figcaption").contains("deployment/web"));
    // desired, available and one ReplicaSet line, each with a path.
    assert_eq!(page.count("#charts path.series"), 3);
    let d = page.get("#charts path.series.rs").get_attribute("d").unwrap_or_default();
    assert!(d.starts_with('M') && d.contains('H'), "a step line: {d}");
    page.click("#show-map").await;
    assert_eq!(page.count("#charts"), 0);
    assert_eq!(page.running_pods().len(), 3);
}

#[wasm_bindgen_test]
async fn model_a_share_link_opens_the_same_files_in_another_page() {
    let page = Page::mount().await;
    page.type_into_editor("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared}\n").await;
    page.click("#share").await;
    let location = web_sys::window().unwrap().location();
    let hash = location.hash().unwrap();
    assert!(hash.starts_with("#share=v1."), "{hash}");
    assert!(!page.text("#notice").is_empty());
    drop(page);
    // Another page opened with that link (here: the same location) shows the files, and the
    // fragment is gone so that a reload restores the saved session.
    let page = Page::mount().await;
    let editor: HtmlTextAreaElement = page.get("#editor").dyn_into().unwrap();
    assert!(editor.value().contains("name: shared"), "{}", editor.value());
    assert_eq!(location.hash().unwrap(), "");
    clear_saved_sessions();
}

#[wasm_bindgen_test]
async fn model_ctrl_c_stops_a_watch() {
    let page = Page::mount().await;
    page.click("#apply").await;
    page.run_in_terminal("kubectl get pods -w").await;
    assert_eq!(page.text("#play"), "Pause", "a watch plays time");
    let input = page.get("#terminal-input");
    let init = KeyboardEventInit::new();
    init.set_key("c");
    init.set_ctrl_key(true);
    init.set_bubbles(true);
    input.dispatch_event(&KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap()).unwrap();
    scheduler::flush().await;
    assert!(page.text("#terminal-output").ends_with("^C\n"), "{}", page.text("#terminal-output"));
    let input: HtmlInputElement = page.get("#terminal-input").dyn_into().unwrap();
    assert_eq!(input.placeholder(), "kubectl get pods -o wide");
    page.click("#play").await;
}

#[wasm_bindgen_test]
async fn model_services_are_drawn_with_a_line_to_each_endpoint_and_requests_as_dots() {
    let page = Page::mount().await;
    page.apply_and_run().await;
    page.run_in_terminal("kubectl expose deployment web --port 80").await;
    for _ in 0..20 {
        page.click("#step").await;
    }
    let svc = page.get("#services g.service[data-name=\"web\"]");
    assert_eq!(svc.get_attribute("data-ready").as_deref(), Some("3"));
    assert!(svc.text_content().unwrap_or_default().contains("ClusterIP"));
    assert_eq!(page.count("line.endpoint-link[data-service=\"web\"]"), 3);
    page.run_in_terminal("traffic start web --rps 20").await;
    page.click("#play").await;
    page.click("#step").await;
    page.click("#step").await;
    page.click("#play").await;
    assert!(page.count("#requests circle.request-dot") > 0, "requests travel as dots");
}

/// The real engine behind a queue the test empties: the page as it is while the model's worker
/// is still busy with earlier messages.
#[derive(Clone, Default)]
struct Deferred {
    queue: Rc<RefCell<Vec<ToEngine>>>,
    engine: Rc<RefCell<Option<Link>>>,
    /// Where the engine's messages go (the page).
    page: Rc<RefCell<Option<yew::Callback<FromEngine>>>>,
}

impl Deferred {
    fn connector(&self) -> Connector {
        let this = self.clone();
        Connector(Rc::new(move |on: yew::Callback<FromEngine>| {
            *this.page.borrow_mut() = Some(on.clone());
            *this.engine.borrow_mut() = Some((kubeplay_app::engine::in_thread().0)(on));
            let queue = this.queue.clone();
            Rc::new(move |msg| queue.borrow_mut().push(msg))
        }))
    }

    /// Lets the engine answer everything sent so far.
    async fn answer(&self) {
        let n = self.queue.borrow().len();
        self.answer_first(n).await;
    }

    /// Lets the engine answer the first `n` messages waiting.
    async fn answer_first(&self, n: usize) {
        let msgs: Vec<ToEngine> = self.queue.borrow_mut().drain(..n).collect();
        let engine = self.engine.borrow().clone().expect("connected");
        for m in msgs {
            engine(m);
        }
        scheduler::flush().await;
    }

    fn ticks_waiting(&self) -> usize {
        self.queue
            .borrow()
            .iter()
            .filter(|m| matches!(m, ToEngine::Act { action: kubeplay_app::Action::Tick, .. }))
            .count()
    }
}

/// Waits `ms` of real time (the play timer's ticks are real time).
async fn wait_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

#[wasm_bindgen_test]
async fn model_typing_shows_at_once_and_is_kept_while_the_model_is_busy() {
    clear_saved_sessions();
    let d = Deferred::default();
    let page = Page::mount_with(d.connector()).await;
    assert_eq!(page.count("#starting"), 1, "nothing to draw before the engine answers");
    d.answer().await;
    assert_eq!(page.count("#cluster-view g.node"), 3, "booted");
    page.type_into_editor("kind: A\n").await;
    page.click("#step").await;
    page.type_into_editor("kind: B\n").await;
    // Nothing answered yet: the editor shows the last keystroke, not the engine's old text.
    let editor = |p: &Page| p.get("#editor").dyn_into::<HtmlTextAreaElement>().unwrap().value();
    assert_eq!(editor(&page), "kind: B\n");
    assert!(gloo::utils::document().document_element().unwrap().has_attribute("data-model-busy"));
    // The engine answers the first edit and the step: their frames hold the first text, which
    // must not replace the newer one on the page.
    d.answer_first(2).await;
    assert_eq!(page.count("#cluster-view g.node"), 3);
    assert_eq!(editor(&page), "kind: B\n");
    d.answer().await;
    assert_eq!(editor(&page), "kind: B\n");
    assert!(!gloo::utils::document().document_element().unwrap().has_attribute("data-model-busy"));
}

#[wasm_bindgen_test]
async fn model_play_ticks_never_queue_behind_an_unanswered_one() {
    clear_saved_sessions();
    let d = Deferred::default();
    let page = Page::mount_with(d.connector()).await;
    d.answer().await;
    page.click("#lang-en").await;
    page.click("#play").await;
    d.answer().await;
    assert_eq!(page.text("#play").trim(), "Pause");
    // Five timer intervals without an answer: one tick waits, the others were never sent.
    wait_ms(5 * kubeplay_app::state::PLAY_INTERVAL_MS as i32 + 50).await;
    assert_eq!(d.ticks_waiting(), 1);
    d.answer().await;
    wait_ms(kubeplay_app::state::PLAY_INTERVAL_MS as i32 + 50).await;
    assert_eq!(d.ticks_waiting(), 1, "the next tick is sent once the last is answered");
    page.click("#play").await;
    d.answer().await;
}

#[wasm_bindgen_test]
async fn a_panic_in_the_model_shows_the_panic_notice() {
    let connect = Connector(Rc::new(|on: yew::Callback<FromEngine>| -> Link {
        Rc::new(move |msg| {
            if let ToEngine::Boot(_) = msg {
                on.emit(FromEngine::Panicked("attempt to divide by zero (crates/model/src/x.rs:1)".into()));
            }
        })
    }));
    let page = Page::mount_with(connect).await;
    let notice = gloo::utils::document().get_element_by_id(kubeplay_app::panic_page::ID).expect("the notice");
    assert!(notice.text_content().unwrap_or_default().contains("attempt to divide by zero"));
    notice.remove();
    drop(page);
}

#[wasm_bindgen_test]
async fn model_edits_the_model_never_answered_are_kept_when_it_panics() {
    clear_saved_sessions();
    let d = Deferred::default();
    let page = Page::mount_with(d.connector()).await;
    d.answer().await;
    page.type_into_editor("kind: Kept\n").await;
    // The model panics before it answers the edit.
    let on = d.page.borrow().clone().unwrap();
    on.emit(FromEngine::Panicked("index out of bounds (crates/model/src/x.rs:1)".into()));
    scheduler::flush().await;
    let document = gloo::utils::document();
    document.get_element_by_id(kubeplay_app::panic_page::ID).expect("the notice").remove();
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let saved = storage.get_item("kubeplay.session.free").unwrap().expect("a saved session");
    let v: serde_json::Value = serde_json::from_str(&saved).unwrap();
    assert_eq!(v["files"]["deploy/k8s/deployment.yaml"], "kind: Kept\n");
    drop(page);
}
