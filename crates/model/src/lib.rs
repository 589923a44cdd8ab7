//! kubeplay's cluster model: a deterministic simulation of a Kubernetes cluster (v1.34 behaviour
//! and wording) that speaks kubectl. Pure Rust: no browser, OS clock or global randomness, so the
//! same script and seed give the same transcript natively and in wasm.
//!
//! Data flows one way: command -> [`kubectl`] -> [`store`] -> controllers (on [`Cluster::step`])
//! -> store -> [`view`].

pub mod api;
pub mod apiserver;
pub mod bench;
pub mod cluster;
pub mod controllers;
pub mod diag;
pub mod fingerprint;
pub mod history;
pub mod images;
pub mod inspect;
pub mod kubectl;
pub mod kubelet;
pub mod lesson;
pub mod network;
pub mod pathde;
pub mod queue;
pub mod rng;
pub mod sort;
pub mod store;
pub mod sweep;
pub(crate) mod text;
pub mod time;
pub mod view;

pub use cluster::{Cluster, ClusterConfig};
pub use diag::Diagnostic;
pub use inspect::{ConditionView, InspectView, NodeScoreView, SchedulingView};
pub use kubectl::{CommandResult, Workspace};
pub use time::SimTime;
pub use view::{ClusterView, EndpointView, EventView, NodeView, PodView, RequestView, ServiceView};
