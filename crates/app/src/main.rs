//! The page's entry point: Trunk builds this binary and index.html loads it.

fn main() {
    yew::Renderer::<kubeplay_app::App>::new().render();
}
