//! The cluster as a picture: each node a box with CPU and memory request bars and its pods as
//! tiles, and the scheduling queue (pods bound to no node) below. Every state is drawn as text
//! as well as colour.

use std::rc::Rc;

use kubeplay_model::{ClusterView, NodeView, PodView};
use yew::prelude::*;

use crate::format;

/// The drawing's width in SVG units; it scales to the panel's width.
const VIEW_W: i64 = 860;
const MARGIN: i64 = 12;
const NODE_GAP: i64 = 14;
const NODE_PAD: i64 = 10;
/// Nodes per row.
const NODE_COLS_MAX: i64 = 3;
/// Where the pod tiles start below a node's top edge (name, status and two bars above).
const NODE_HEADER_H: i64 = 92;
const TILE_H: i64 = 40;
/// Tiles are at least this wide, so a pod's name, READY and the longest STATUS fit as text.
const TILE_GAP: i64 = 6;
const TILE_W_MIN: i64 = 180;
const BAR_H: i64 = 7;
/// Room kept on a tile's second line for the restart count.
const RESTARTS_W: i64 = 34;
const PENDING_HEADER_H: i64 = 30;

#[derive(Properties, PartialEq)]
pub struct ClusterMapProps {
    pub view: Rc<ClusterView>,
}

#[component]
pub fn ClusterMap(props: &ClusterMapProps) -> Html {
    let view = &props.view;
    let node_count = view.nodes.len() as i64;
    let cols = node_count.clamp(1, NODE_COLS_MAX);
    let node_w = (VIEW_W - 2 * MARGIN - (cols - 1) * NODE_GAP) / cols;
    let tile_cols = ((node_w - 2 * NODE_PAD + TILE_GAP) / (TILE_W_MIN + TILE_GAP)).max(1);
    let tile_w = (node_w - 2 * NODE_PAD - (tile_cols - 1) * TILE_GAP) / tile_cols;

    let mut nodes_html = Vec::with_capacity(view.nodes.len());
    let mut y = MARGIN;
    for row in view.nodes.chunks(cols as usize) {
        let row_h = row.iter().map(|n| node_height(n.pods.len() as i64, tile_cols)).max().unwrap_or(0);
        for (i, node) in row.iter().enumerate() {
            let x = MARGIN + i as i64 * (node_w + NODE_GAP);
            nodes_html.push(node_box(node, x, y, node_w, row_h, tile_w, tile_cols));
        }
        y += row_h + NODE_GAP;
    }
    if view.nodes.is_empty() {
        nodes_html.push(html! {
            <text class="empty-note" x={MARGIN.to_string()} y={(MARGIN + 20).to_string()}>
                { "This cluster has no nodes." }
            </text>
        });
        y += 40;
    }

    // The scheduling queue, as wide as the drawing.
    let pending_w = VIEW_W - 2 * MARGIN;
    let pending_cols = ((pending_w - 2 * NODE_PAD + TILE_GAP) / (TILE_W_MIN + TILE_GAP)).max(1);
    let pending_tile_w = (pending_w - 2 * NODE_PAD - (pending_cols - 1) * TILE_GAP) / pending_cols;
    let pending_rows = ceil_div(view.pending.len() as i64, pending_cols).max(1);
    let pending_h = PENDING_HEADER_H + pending_rows * (TILE_H + TILE_GAP) + NODE_PAD - TILE_GAP;
    let pending_y = y;
    let pending_tiles = view.pending.iter().enumerate().map(|(i, pod)| {
        let i = i as i64;
        let px = MARGIN + NODE_PAD + (i % pending_cols) * (pending_tile_w + TILE_GAP);
        let py = pending_y + PENDING_HEADER_H + (i / pending_cols) * (TILE_H + TILE_GAP);
        pod_tile(pod, px, py, pending_tile_w)
    });
    let total_h = pending_y + pending_h + MARGIN;

    html! {
        <svg id="cluster-view" class="cluster-map" role="img"
            aria-label="Nodes with their pods, and the pods waiting to be scheduled"
            width="100%" viewBox={format!("0 0 {VIEW_W} {total_h}")}
            preserveAspectRatio="xMidYMin meet">
            { for nodes_html }
            <g id="pending" class="pending-area">
                <rect class="pending-bg" x={MARGIN.to_string()} y={pending_y.to_string()}
                    width={pending_w.to_string()} height={pending_h.to_string()} rx="8" />
                <text class="pending-title" x={(MARGIN + NODE_PAD).to_string()}
                    y={(pending_y + 20).to_string()}>
                    { format!("Pending: {} pod{} waiting to be scheduled", view.pending.len(),
                        if view.pending.len() == 1 { "" } else { "s" }) }
                </text>
                if view.pending.is_empty() {
                    <text class="empty-note" x={(MARGIN + NODE_PAD).to_string()}
                        y={(pending_y + PENDING_HEADER_H + 24).to_string()}>
                        { "No pods are waiting for a node." }
                    </text>
                }
                { for pending_tiles }
            </g>
        </svg>
    }
}

/// `a / b` rounded up, for `a >= 0` and `b > 0` (`i64::div_ceil` is not stable).
fn ceil_div(a: i64, b: i64) -> i64 {
    (a + b - 1) / b
}

fn node_height(pods: i64, tile_cols: i64) -> i64 {
    let rows = ceil_div(pods, tile_cols).max(1);
    NODE_HEADER_H + rows * (TILE_H + TILE_GAP) - TILE_GAP + NODE_PAD
}

fn node_box(node: &NodeView, x: i64, y: i64, w: i64, h: i64, tile_w: i64, tile_cols: i64) -> Html {
    let state_class = if !node.ready {
        "node-notready"
    } else if node.unschedulable {
        "node-cordoned"
    } else {
        "node-ready"
    };
    let inner_x = x + NODE_PAD;
    let bar_w = w - 2 * NODE_PAD;
    let cpu_label = format!("cpu {}m / {}m", node.cpu_requested_milli, node.cpu_allocatable_milli);
    let mem_label = format!(
        "memory {} / {}",
        format::bytes_quantity(node.memory_requested_bytes),
        format::bytes_quantity(node.memory_allocatable_bytes)
    );
    let cpu_fill = format::bar_width(node.cpu_requested_milli, node.cpu_allocatable_milli, bar_w);
    let mem_fill = format::bar_width(node.memory_requested_bytes, node.memory_allocatable_bytes, bar_w);
    let percent = |part: i64, whole: i64| format::bar_width(part, whole, 100);
    let tiles = node.pods.iter().enumerate().map(|(i, pod)| {
        let i = i as i64;
        let px = inner_x + (i % tile_cols) * (tile_w + TILE_GAP);
        let py = y + NODE_HEADER_H + (i / tile_cols) * (TILE_H + TILE_GAP);
        pod_tile(pod, px, py, tile_w)
    });
    let s = |v: i64| v.to_string();
    html! {
        <g class={classes!("node", state_class)} key={node.name.clone()}
            data-name={node.name.clone()} data-status={node.status.clone()}>
            <title>{ format!("{}: {} ({} pods)", node.name, node.status, node.pods.len()) }</title>
            <rect class="node-bg" x={s(x)} y={s(y)} width={s(w)} height={s(h)} rx="10" />
            <text class="node-name" x={s(inner_x)} y={s(y + 22)}>{ node.name.clone() }</text>
            <text class="node-status" x={s(x + w - NODE_PAD)} y={s(y + 22)}
                text-anchor="end">{ node.status.clone() }</text>

            <text class="bar-label" x={s(inner_x)} y={s(y + 42)}>{ cpu_label }</text>
            <text class="bar-percent" x={s(x + w - NODE_PAD)} y={s(y + 42)} text-anchor="end">
                { format!("{}%", percent(node.cpu_requested_milli, node.cpu_allocatable_milli)) }
            </text>
            <rect class="bar-bg" x={s(inner_x)} y={s(y + 47)} width={s(bar_w)} height={s(BAR_H)}
                rx="3" />
            <rect class="cpu-bar-fill" data-node={node.name.clone()}
                data-milli={node.cpu_requested_milli.to_string()}
                data-allocatable-milli={node.cpu_allocatable_milli.to_string()}
                x={s(inner_x)} y={s(y + 47)} width={s(cpu_fill)} height={s(BAR_H)} rx="3" />

            <text class="bar-label" x={s(inner_x)} y={s(y + 70)}>{ mem_label }</text>
            <text class="bar-percent" x={s(x + w - NODE_PAD)} y={s(y + 70)} text-anchor="end">
                { format!("{}%", percent(node.memory_requested_bytes, node.memory_allocatable_bytes)) }
            </text>
            <rect class="bar-bg" x={s(inner_x)} y={s(y + 75)} width={s(bar_w)} height={s(BAR_H)}
                rx="3" />
            <rect class="mem-bar-fill" data-node={node.name.clone()}
                data-bytes={node.memory_requested_bytes.to_string()}
                data-allocatable-bytes={node.memory_allocatable_bytes.to_string()}
                x={s(inner_x)} y={s(y + 75)} width={s(mem_fill)} height={s(BAR_H)} rx="3" />

            if node.pods.is_empty() {
                <text class="empty-note" x={s(inner_x)} y={s(y + NODE_HEADER_H + 24)}>
                    { "no pods" }
                </text>
            }
            { for tiles }
        </g>
    }
}

fn pod_tile(pod: &PodView, x: i64, y: i64, w: i64) -> Html {
    let tone = format::pod_tone(&pod.status, pod.is_ready);
    let s = |v: i64| v.to_string();
    let mut tooltip = format!(
        "{}/{}\nSTATUS {}  READY {}  RESTARTS {}",
        pod.namespace, pod.name, pod.status, pod.ready, pod.restarts
    );
    if let Some(node) = &pod.node {
        tooltip.push_str(&format!("\nnode {node}"));
    }
    if let Some(owner) = &pod.owner {
        tooltip.push_str(&format!("\nowned by {owner}"));
    }
    // A STATUS too long for the tile (e.g. CreateContainerConfigError) is squeezed to fit
    // rather than cut, so it stays readable in full. About 7 units per character at 11.5px.
    let status_room = w - 16 - if pod.restarts > 0 { RESTARTS_W } else { 0 };
    let status_fit = (pod.status.chars().count() as i64 * 7 > status_room).then_some(status_room);
    html! {
        <g class={classes!("pod", tone.class())} key={format!("{}/{}", pod.namespace, pod.name)}
            data-name={pod.name.clone()} data-namespace={pod.namespace.clone()}
            data-status={pod.status.clone()} data-ready={pod.ready.clone()}
            data-restarts={pod.restarts.to_string()}>
            <title>{ tooltip }</title>
            <rect class="pod-bg" x={s(x)} y={s(y)} width={s(w)} height={s(TILE_H)} rx="6" />
            <text class="pod-name" x={s(x + 8)} y={s(y + 16)}>{ format::short_pod_name(&pod.name) }</text>
            <text class="pod-ready" x={s(x + w - 8)} y={s(y + 16)} text-anchor="end">
                { pod.ready.clone() }
            </text>
            <text class="pod-status" x={s(x + 8)} y={s(y + 32)}
                textLength={status_fit.map(s)}
                lengthAdjust={status_fit.map(|_| "spacingAndGlyphs")}>
                { pod.status.clone() }
            </text>
            if pod.restarts > 0 {
                <text class="pod-restarts" x={s(x + w - 8)} y={s(y + 32)} text-anchor="end">
                    { format!("↻{}", pod.restarts) }
                </text>
            }
        </g>
    }
}
