//! The page's entry point: Trunk builds this binary and index.html loads it.

fn main() {
    kubeplay_app::panic_page::install();
    yew::Renderer::<kubeplay_app::App>::new().render();
}
