//! The page's entry point: Trunk builds this binary and index.html loads it.

fn main() {
    kubeplay_app::panic_page::install();
    let props = kubeplay_app::components::app::AppProps { connect: kubeplay_app::bridge::worker() };
    yew::Renderer::<kubeplay_app::App>::with_props(props).render();
}
