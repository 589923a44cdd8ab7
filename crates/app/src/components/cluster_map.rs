//! The cluster as a picture: each node a box with CPU and memory request bars and its pods as
//! tiles, and the scheduling queue (pods bound to no node) below. Every state is drawn as text
//! as well as colour. Pods and nodes are buttons (click, or Tab then Enter/Space) that select
//! them for the inspector.
//!
//! The drawing is laid out for the width it is given, one SVG unit per CSS pixel, so text keeps
//! its size in a narrow panel: fewer nodes per row instead of smaller letters.

use std::rc::Rc;

use gloo::timers::callback::Timeout;
use std::collections::BTreeMap;

use kubeplay_model::{ClusterView, NodeView, PodView, ServiceView};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Element, ResizeObserver};
use yew::prelude::*;

use crate::format;
use crate::i18n::Lang;
use crate::state::Selection;

/// The drawing's width before the panel has been measured (and in tests without layout).
pub const DEFAULT_VIEW_W: i64 = 860;
/// Narrower than this, the drawing scrolls sideways rather than squeezing tiles.
const VIEW_W_MIN: i64 = 240;
const MARGIN: i64 = 12;
const NODE_GAP: i64 = 14;
const NODE_PAD: i64 = 10;
/// Nodes per row, at most; fewer when the panel is narrow.
const NODE_COLS_MAX: i64 = 4;
/// A node box is at least this wide, so one pod tile fits in it.
const NODE_W_MIN: i64 = 190;
/// Where the pod tiles start below a node's top edge (name, status and two bars above).
const NODE_HEADER_H: i64 = 92;
const TILE_H: i64 = 40;
/// Tiles are at least this wide, so a pod's name, READY and the longest STATUS fit as text.
const TILE_GAP: i64 = 6;
const TILE_W_MIN: i64 = 168;
const BAR_H: i64 = 7;
/// Room kept on a tile's second line for the restart count.
const RESTARTS_W: i64 = 34;
const PENDING_HEADER_H: i64 = 30;
const SERVICE_W_MIN: i64 = 220;
const SERVICE_H: i64 = 70;
const ROUTE_H: i64 = 15;

#[derive(Properties, PartialEq)]
pub struct ClusterMapProps {
    pub view: Rc<ClusterView>,
    pub lang: Lang,
    /// The object the inspector shows, drawn highlighted.
    #[prop_or_default]
    pub selection: Option<Selection>,
    pub on_select: Callback<Selection>,
}

/// What one drawing needs besides the view: where clicks go and what is selected.
struct Ctx<'a> {
    lang: Lang,
    selection: Option<&'a Selection>,
    on_select: &'a Callback<Selection>,
}

impl Ctx<'_> {
    fn is_selected(&self, sel: &Selection) -> bool {
        self.selection == Some(sel)
    }

    /// Click, Enter and Space handlers that select `sel`.
    fn select_handlers(&self, sel: Selection) -> (Callback<MouseEvent>, Callback<KeyboardEvent>) {
        let on_click = {
            let on_select = self.on_select.clone();
            let sel = sel.clone();
            Callback::from(move |e: MouseEvent| {
                // A pod tile sits inside its node's box: the click is the pod's alone.
                e.stop_propagation();
                on_select.emit(sel.clone());
            })
        };
        let on_key = {
            let on_select = self.on_select.clone();
            Callback::from(move |e: KeyboardEvent| {
                if e.key() == "Enter" || e.key() == " " {
                    e.prevent_default();
                    e.stop_propagation();
                    on_select.emit(sel.clone());
                }
            })
        };
        (on_click, on_key)
    }
}

#[component]
pub fn ClusterMap(props: &ClusterMapProps) -> Html {
    let container = use_node_ref();
    let measured_w = use_state_eq(|| 0i64);
    {
        // Re-lay out when the panel's width changes (window resize, a panel collapsing).
        let container = container.clone();
        let setter = measured_w.setter();
        use_effect_with((), move |_| {
            let el = container.cast::<Element>();
            let observer = el.as_ref().and_then(|el| {
                setter.set(el.client_width() as i64);
                let target = el.clone();
                // Set the width a moment later, outside the observer's callback: the new layout
                // changes the box's height, and a size change inside the callback would be
                // reported as a "ResizeObserver loop" error.
                let on_resize = Closure::<dyn FnMut()>::new(move || {
                    let (setter, width) = (setter.clone(), target.client_width() as i64);
                    Timeout::new(0, move || setter.set(width)).forget();
                });
                let observer = ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok()?;
                observer.observe(el);
                Some((observer, on_resize))
            });
            move || {
                if let Some((observer, _on_resize)) = observer {
                    observer.disconnect();
                }
            }
        });
    }
    let view_w = match *measured_w {
        0 => DEFAULT_VIEW_W,
        w => w.max(VIEW_W_MIN),
    };
    let ctx = Ctx { lang: props.lang, selection: props.selection.as_ref(), on_select: &props.on_select };
    let t = props.lang.text();

    let view = &props.view;
    let node_count = view.nodes.len() as i64;
    let cols_fit = ((view_w - 2 * MARGIN + NODE_GAP) / (NODE_W_MIN + NODE_GAP)).max(1);
    let cols = node_count.clamp(1, NODE_COLS_MAX.min(cols_fit));
    let node_w = (view_w - 2 * MARGIN - (cols - 1) * NODE_GAP) / cols;
    let tile_cols = ((node_w - 2 * NODE_PAD + TILE_GAP) / (TILE_W_MIN + TILE_GAP)).max(1);
    let tile_w = (node_w - 2 * NODE_PAD - (tile_cols - 1) * TILE_GAP) / tile_cols;

    let mut nodes_html = Vec::with_capacity(view.nodes.len());
    // Where each pod's tile is (its centre), for the lines from Services to their endpoints.
    let mut tile_at: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    let mut y = MARGIN;
    for row in view.nodes.chunks(cols as usize) {
        let row_h = row.iter().map(|n| node_height(n.pods.len() as i64, tile_cols)).max().unwrap_or(0);
        for (i, node) in row.iter().enumerate() {
            let x = MARGIN + i as i64 * (node_w + NODE_GAP);
            for (j, pod) in node.pods.iter().enumerate() {
                let j = j as i64;
                let px = x + NODE_PAD + (j % tile_cols) * (tile_w + TILE_GAP);
                let py = y + NODE_HEADER_H + (j / tile_cols) * (TILE_H + TILE_GAP);
                tile_at.insert(&pod.name, (px + tile_w / 2, py + TILE_H / 2));
            }
            nodes_html.push(node_box(&ctx, node, x, y, node_w, row_h, tile_w, tile_cols));
        }
        y += row_h + NODE_GAP;
    }
    if view.nodes.is_empty() {
        nodes_html.push(html! {
            <text class="empty-note" x={MARGIN.to_string()} y={(MARGIN + 20).to_string()}>
                { t.no_nodes }
            </text>
        });
        y += 40;
    }

    // The scheduling queue, as wide as the drawing.
    let pending_w = view_w - 2 * MARGIN;
    let pending_cols = ((pending_w - 2 * NODE_PAD + TILE_GAP) / (TILE_W_MIN + TILE_GAP)).max(1);
    let pending_tile_w = (pending_w - 2 * NODE_PAD - (pending_cols - 1) * TILE_GAP) / pending_cols;
    // An empty queue is one line, so the nodes keep the room.
    let pending_rows = ceil_div(view.pending.len() as i64, pending_cols);
    let pending_h = match pending_rows {
        0 => PENDING_HEADER_H + 2,
        rows => PENDING_HEADER_H + rows * (TILE_H + TILE_GAP) + NODE_PAD - TILE_GAP,
    };
    let pending_y = y;
    let pending_tiles = view.pending.iter().enumerate().map(|(i, pod)| {
        let i = i as i64;
        let px = MARGIN + NODE_PAD + (i % pending_cols) * (pending_tile_w + TILE_GAP);
        let py = pending_y + PENDING_HEADER_H + (i / pending_cols) * (TILE_H + TILE_GAP);
        pod_tile(&ctx, pod, px, py, pending_tile_w)
    });
    // Services below the queue, with a line to each endpoint's pod (solid: ready; dashed: not
    // ready or terminating) and the last second's requests as dots along those lines.
    let svc_y = pending_y + pending_h + NODE_GAP;
    let svc_cols = ((view_w - 2 * MARGIN + NODE_GAP) / (SERVICE_W_MIN + NODE_GAP)).max(1);
    let svc_w = (view_w - 2 * MARGIN - (svc_cols - 1) * NODE_GAP) / svc_cols;
    let svc_h = |s: &ServiceView| SERVICE_H + s.routes.len() as i64 * ROUTE_H;
    let mut svc_at: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    let mut services_html = Vec::new();
    let mut links = Vec::new();
    let mut sy = svc_y;
    for row in view.services.chunks(svc_cols as usize) {
        let row_h = row.iter().map(svc_h).max().unwrap_or(SERVICE_H);
        for (i, svc) in row.iter().enumerate() {
            let sx = MARGIN + i as i64 * (svc_w + NODE_GAP);
            let anchor = (sx + svc_w / 2, sy);
            svc_at.insert(&svc.name, anchor);
            for ep in &svc.endpoints {
                if let Some(&(px, py)) = tile_at.get(ep.pod.as_str()) {
                    let dashed = !ep.ready;
                    links.push(html! {
                        <line class={classes!("endpoint-link", dashed.then_some("not-ready"))}
                            x1={anchor.0.to_string()} y1={anchor.1.to_string()}
                            x2={px.to_string()} y2={(py + TILE_H / 2).to_string()}
                            stroke-dasharray={dashed.then_some("5 4")}
                            data-service={svc.name.clone()} data-pod={ep.pod.clone()} />
                    });
                }
            }
            services_html.push(service_box(&ctx, svc, sx, sy, svc_w, svc_h(svc)));
        }
        sy += row_h + NODE_GAP;
    }
    let now = view.now_ms;
    let dots = view.requests.iter().enumerate().filter_map(|(i, r)| {
        let &(sx, sy) = svc_at.get(r.service.as_deref()?)?;
        let failed = r.outcome != "2xx";
        // How far the request has travelled: a second of virtual time from Service to pod.
        let progress = (now.saturating_sub(r.time_ms) as f64 / 1000.0).clamp(0.0, 1.0);
        let (tx, ty) = match r.pod.as_deref().and_then(|p| tile_at.get(p)) {
            Some(&(px, py)) if !failed => (px, py + TILE_H / 2),
            // A failed request is drawn where it failed: at the Service, marked ✗.
            _ => (sx, sy),
        };
        let x = sx as f64 + (tx - sx) as f64 * progress;
        let y = sy as f64 + (ty - sy) as f64 * progress;
        Some(if failed {
            html! {
                <text key={format!("r{}-{i}", r.time_ms)} class="request-failed" x={format!("{:.0}", x + (i % 7) as f64 * 9.0 - 27.0)}
                    y={format!("{:.0}", y - 4.0)} text-anchor="middle">{ "✗" }</text>
            }
        } else {
            html! {
                <circle key={format!("r{}-{i}", r.time_ms)} class="request-dot" cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="4" />
            }
        })
    });
    let total_h =
        if view.services.is_empty() { pending_y + pending_h + MARGIN } else { sy + MARGIN - NODE_GAP + MARGIN };

    html! {
        <div class="cluster-map-box" ref={container}>
        <svg id="cluster-view" class="cluster-map" role="group" aria-label={t.cluster_label}
            width={view_w.to_string()} height={total_h.to_string()}
            viewBox={format!("0 0 {view_w} {total_h}")}
            data-width={view_w.to_string()}>
            { for nodes_html }
            <g id="pending" class="pending-area">
                <rect class="pending-bg" x={MARGIN.to_string()} y={pending_y.to_string()}
                    width={pending_w.to_string()} height={pending_h.to_string()} rx="8" />
                <text class="pending-title" x={(MARGIN + NODE_PAD).to_string()}
                    y={(pending_y + 20).to_string()}>
                    { props.lang.pending_title(view.pending_total) }
                    if view.pending_total > view.pending.len() {
                        { props.lang.pending_drawn(view.pending.len()) }
                    }
                </text>
                { for pending_tiles }
            </g>
            <g id="services" class="services">{ for services_html }</g>
            <g class="links" aria-hidden="true">{ for links }</g>
            <g id="requests" class="requests" aria-hidden="true">{ for dots }</g>
        </svg>
        </div>
    }
}

/// A Service: name, TYPE, CLUSTER-IP and PORT(S) as kubectl prints them, how many endpoints are
/// ready, and the Ingress rules that route to it.
fn service_box(ctx: &Ctx, svc: &ServiceView, x: i64, y: i64, w: i64, h: i64) -> Html {
    let s = |v: i64| v.to_string();
    let ready = svc.endpoints.iter().filter(|e| e.ready).count();
    let sel = Selection::of("Service", &svc.namespace, &svc.name).expect("Service is a kind");
    let selected = ctx.is_selected(&sel);
    let (onclick, onkeydown) = ctx.select_handlers(sel);
    let routes = svc.routes.iter().enumerate().map(|(i, r)| {
        html! { <text class="service-route" x={s(x + 10)} y={s(y + 66 + i as i64 * ROUTE_H)}>{ format!("← {r}") }</text> }
    });
    html! {
        <g class={classes!("service", selected.then_some("selected"))} data-name={svc.name.clone()} data-ready={ready.to_string()}
            tabindex="0" role="button" aria-pressed={selected.to_string()}
            aria-label={format!("Service {}: {ready} of {} endpoints ready", svc.name, svc.endpoints.len())}
            {onclick} {onkeydown}>
            <title>{ format!("service/{}: {} {} {}", svc.name, svc.service_type, svc.cluster_ip, svc.ports) }</title>
            <rect class="service-bg" x={s(x)} y={s(y)} width={s(w)} height={s(h)} rx="8" />
            <text class="service-name" x={s(x + 10)} y={s(y + 18)}>{ format!("svc/{}", svc.name) }</text>
            <text class="service-endpoints" x={s(x + w - 10)} y={s(y + 18)} text-anchor="end">
                { format!("{ready}/{} ready", svc.endpoints.len()) }
            </text>
            <text class="service-detail" x={s(x + 10)} y={s(y + 36)}>{ format!("{}  {}", svc.service_type, svc.cluster_ip) }</text>
            <text class="service-detail" x={s(x + 10)} y={s(y + 52)}>{ svc.ports.clone() }</text>
            { for routes }
        </g>
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

#[allow(clippy::too_many_arguments)]
fn node_box(ctx: &Ctx, node: &NodeView, x: i64, y: i64, w: i64, h: i64, tile_w: i64, tile_cols: i64) -> Html {
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
        pod_tile(ctx, pod, px, py, tile_w)
    });
    let s = |v: i64| v.to_string();
    let sel = Selection::node(&node.name);
    let selected = ctx.is_selected(&sel);
    let (onclick, onkeydown) = ctx.select_handlers(sel);
    html! {
        <g class={classes!("node", state_class, selected.then_some("selected"))} key={node.name.clone()}
            data-name={node.name.clone()} data-status={node.status.clone()}
            tabindex="0" role="button" aria-pressed={selected.to_string()}
            aria-label={ctx.lang.node_label(&node.name, &node.status, node.pods.len())}
            {onclick} {onkeydown}>
            <title>{ ctx.lang.node_title(&node.name, &node.status, node.pods.len()) }</title>
            <rect class="node-bg" x={s(x)} y={s(y)} width={s(w)} height={s(h)} rx="10" />
            <text class="node-name" x={s(inner_x)} y={s(y + 22)}>{ node.name.clone() }</text>
            <text class="node-status" x={s(x + w - NODE_PAD)} y={s(y + 22)}
                text-anchor="end">{ node.status.clone() }</text>
            if !node.taints.is_empty() {
                <text class="node-taints" x={s(x + w - NODE_PAD)} y={s(y + 32)} text-anchor="end">
                    <title>{ node.taints.join("\n") }</title>
                    { format!("⚑ {}", node.taints.iter().map(|t| t.rsplit(':').next().unwrap_or("")).collect::<Vec<_>>().join(",")) }
                </text>
            }

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
                    { ctx.lang.text().no_pods }
                </text>
            }
            { for tiles }
        </g>
    }
}

fn pod_tile(ctx: &Ctx, pod: &PodView, x: i64, y: i64, w: i64) -> Html {
    let tone = format::pod_tone(&pod.status, pod.is_ready);
    let s = |v: i64| v.to_string();
    // kubectl's column names stay as kubectl prints them.
    let mut tooltip = format!(
        "{}/{}\nSTATUS {}  READY {}  RESTARTS {}",
        pod.namespace, pod.name, pod.status, pod.ready, pod.restarts
    );
    if let Some(node) = &pod.node {
        tooltip.push_str(&format!("\nNODE {node}"));
    }
    if let Some(owner) = &pod.owner {
        tooltip.push('\n');
        tooltip.push_str(&ctx.lang.owned_by(owner));
    }
    // A STATUS too long for the tile (e.g. CreateContainerConfigError) is squeezed to fit
    // rather than cut, so it stays readable in full. About 7 units per character at 11.5px.
    let status_room = w - 16 - if pod.restarts > 0 { RESTARTS_W } else { 0 };
    let status_fit = (pod.status.chars().count() as i64 * 7 > status_room).then_some(status_room);
    let sel = Selection::pod(&pod.namespace, &pod.name);
    let selected = ctx.is_selected(&sel);
    let (onclick, onkeydown) = ctx.select_handlers(sel);
    html! {
        <g class={classes!("pod", tone.class(), selected.then_some("selected"))}
            key={format!("{}/{}", pod.namespace, pod.name)}
            data-name={pod.name.clone()} data-namespace={pod.namespace.clone()}
            data-status={pod.status.clone()} data-ready={pod.ready.clone()}
            data-restarts={pod.restarts.to_string()}
            tabindex="0" role="button" aria-pressed={selected.to_string()}
            aria-label={ctx.lang.pod_label(&pod.name, &pod.status, &pod.ready, pod.restarts)}
            {onclick} {onkeydown}>
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
