//! The kubeplay page: a Yew app that dispatches the learner's actions to the model
//! (`kubeplay_model`) and draws the views it computes. It holds no cluster logic of its own.
//!
//! - [`state`]: the page's state and a reducer over it (no browser APIs; tested natively).
//! - [`shown`]: what the page draws and the messages between it and the model's Web Worker;
//!   [`engine`]: the worker's side (the reducer and the cluster); [`bridge`]: the worker link.
//! - [`components`]: the header, editor, cluster map, events and terminal.
//! - [`format`]: pure helpers turning view data into text and CSS classes.
//! - [`i18n`]: the interface text in English and Chinese.

// Links the word-at-a-time memcmp and the small-block allocator into every wasm that uses this
// library: the page, the worker, the browser tests and the bench (tests/determinism.rs, which
// uses only the model, links them itself).
use kubeplay_wasm_mem as _;

pub mod bridge;
pub mod components;
pub mod engine;
pub mod format;
pub mod i18n;
pub mod lessons;
pub mod markdown;
pub mod panic_page;
pub mod persist;
pub mod share;
pub mod shown;
pub mod state;
pub mod timeline;

pub use components::app::App;
pub use i18n::Lang;
pub use state::{Action, AppState, Selection};
