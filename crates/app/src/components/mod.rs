//! The page's components. Each takes plain view data and callbacks; only [`app::App`] holds the
//! state and the play timer.

pub mod app;
pub mod charts;
pub mod cluster_map;
pub mod editor;
pub mod events;
pub mod inspector;
pub mod lesson;
pub mod markdown;
pub mod panel;
pub mod problems;
pub mod terminal;
