//! Charts, where a picture beats a table: each Deployment's rollout (desired, available, and
//! every ReplicaSet's replicas: a rolling update's staircase), each traffic target's answered
//! and failed requests per second and mean latency, each HPA's CPU against its target and its
//! replicas. Plain SVG; the model computes the series ([`kubeplay_model::history`]). Lines are
//! told apart by dash pattern and a legend, not by colour alone; axes are in virtual time.

use std::rc::Rc;

use kubeplay_model::history::{ChartsView, Line};
use yew::prelude::*;

use crate::format;
use crate::i18n::Lang;
use crate::state::Selection;

const W: f64 = 440.0;
const H: f64 = 150.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 28.0;
/// Dash patterns for the lines of one chart, in order.
const DASHES: [&str; 5] = ["", "6 3", "2 3", "10 3 2 3", "1 5"];

#[derive(Properties, PartialEq)]
pub struct ChartsProps {
    pub charts: Rc<ChartsView>,
    pub lang: Lang,
    /// A chart's title selects its object for the inspector.
    #[prop_or_default]
    pub on_select: Callback<Selection>,
}

#[component]
pub fn Charts(props: &ChartsProps) -> Html {
    let c = &props.charts;
    let t = props.lang.text();
    let now = c.now_ms;
    if c.rollouts.is_empty() && c.traffic.is_empty() && c.hpas.is_empty() {
        return html! { <p class="empty" id="charts-empty">{ t.no_charts }</p> };
    }
    let select = |kind: &str, ns: &str, name: &str| {
        let sel = Selection::of(kind, ns, name);
        props.on_select.reform(move |_: MouseEvent| sel.clone().expect("a known kind"))
    };
    let rollouts = c.rollouts.iter().map(|r| {
        let mut lines = vec![(&r.desired, "desired"), (&r.available, "available")];
        lines.extend(r.replica_sets.iter().map(|l| (l, "rs")));
        let figure = chart(
            &format!("deployment/{} — {}", r.name, t.replicas),
            &lines,
            now,
            true,
            None,
            t.replicas,
            t.virtual_time,
        );
        html! { <div class="chart-link" onclick={select("Deployment", &r.namespace, &r.name)}>{ figure }</div> }
    });
    let traffic = c.traffic.iter().map(|tr| {
        html! { <>
            { chart(&format!("{} — {}", tr.target, t.requests_per_s), &[(&tr.ok_per_s, "ok"), (&tr.failed_per_s, "failed")], now, false, None, t.per_second, t.virtual_time) }
            { chart(&format!("{} — {}", tr.target, t.latency), &[(&tr.latency_ms, "latency")], now, false, None, "ms", t.virtual_time) }
        </> }
    });
    let hpas = c.hpas.iter().map(|h| {
        html! { <div class="chart-link" onclick={select("HorizontalPodAutoscaler", &h.namespace, &h.name)}>
            { chart(&format!("hpa/{} — CPU %", h.name), &[(&h.cpu_percent, "cpu")], now, true, Some((h.target_percent, t.target)), "%", t.virtual_time) }
            { chart(&format!("hpa/{} — {}", h.name, t.replicas), &[(&h.replicas, "replicas")], now, true, None, t.replicas, t.virtual_time) }
        </div> }
    });
    html! {
        <div class="charts" id="charts">
            { for rollouts }
            { for traffic }
            { for hpas }
        </div>
    }
}

/// Round numbers for an axis from 0 to `max`.
fn ticks(max: f64, want: usize) -> Vec<f64> {
    let raw = (max / want as f64).max(1.0);
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    (0..).map(|i| i as f64 * step).take_while(|v| *v <= max + 1e-9).collect()
}

/// One chart: lines drawn as steps (`step`) or straight segments, an optional target line.
fn chart(
    title: &str,
    lines: &[(&Line, &'static str)],
    now: u64,
    step: bool,
    target: Option<(i64, &str)>,
    unit: &str,
    time_label: &str,
) -> Html {
    let start = lines.iter().filter_map(|(l, _)| l.points.first().map(|p| p.0)).min().unwrap_or(0);
    let (x0, x1) = (start as f64, (now.max(start + 1000)) as f64);
    let ymax = lines
        .iter()
        .flat_map(|(l, _)| l.points.iter().map(|p| p.1))
        .chain(target.map(|t| t.0))
        .max()
        .unwrap_or(1)
        .max(1) as f64
        * 1.1;
    let x = |ms: f64| LEFT + (ms - x0) / (x1 - x0) * (W - LEFT - RIGHT);
    let y = |v: f64| H - BOTTOM - v / ymax * (H - TOP - BOTTOM);
    let paths = lines.iter().enumerate().map(|(i, (l, class))| {
        let mut d = String::new();
        let mut last_y = None;
        for (t, v) in &l.points {
            let (px, py) = (x(*t as f64), y(*v as f64));
            match (last_y, step) {
                (None, _) => d.push_str(&format!("M{px:.1},{py:.1}")),
                (Some(_), true) => d.push_str(&format!(" H{px:.1} V{py:.1}")),
                (Some(_), false) => d.push_str(&format!(" L{px:.1},{py:.1}")),
            }
            last_y = Some(py);
        }
        if step && last_y.is_some() {
            d.push_str(&format!(" H{:.1}", x(x1)));
        }
        let dash = DASHES[i % DASHES.len()];
        html! {
            <path class={classes!("series", *class)} d={d} stroke-dasharray={dash}
                data-label={l.label.clone()} />
        }
    });
    let legend = lines.iter().enumerate().map(|(i, (l, class))| {
        html! {
            <span class={classes!("legend-item", *class)}>
                <svg width="22" height="8" aria-hidden="true">
                    <line x1="0" y1="4" x2="22" y2="4" class={classes!("series", *class)} stroke-dasharray={DASHES[i % DASHES.len()]} />
                </svg>
                { l.label.clone() }
            </span>
        }
    });
    let yticks = ticks(ymax / 1.1, 4).into_iter().map(|v| {
        html! { <>
            <line class="grid" x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={y(v).to_string()} y2={y(v).to_string()} />
            <text class="tick" x={(LEFT - 4.0).to_string()} y={(y(v) + 3.0).to_string()} text-anchor="end">{ format!("{v}") }</text>
        </> }
    });
    // Whole seconds at a round step, from the first multiple of it after the start.
    let span_s = (x1 - x0) / 1000.0;
    let step_s = ticks(span_s, 4).get(1).copied().unwrap_or(1.0);
    let first = (x0 / 1000.0 / step_s).ceil() * step_s;
    let xticks = (0..).map(|i| (first + i as f64 * step_s) * 1000.0).take_while(|ms| *ms <= x1).map(|ms| {
        let label = format::clock(ms as u64);
        let label = label.split('.').next().unwrap_or(&label).to_string();
        html! {
            <text class="tick" x={x(ms).to_string()} y={(H - BOTTOM + 14.0).to_string()} text-anchor="middle">
                { label }
            </text>
        }
    });
    let target_line = target.map(|(v, label)| {
        html! { <>
            <line class="target" x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={y(v as f64).to_string()} y2={y(v as f64).to_string()} />
            <text class="tick" x={(W - RIGHT).to_string()} y={(y(v as f64) - 3.0).to_string()} text-anchor="end">{ format!("{label} {v}") }</text>
        </> }
    });
    html! {
        <figure class="chart">
            <figcaption>{ title.to_string() }</figcaption>
            <svg viewBox={format!("0 0 {W} {H}")} role="img" aria-label={title.to_string()}>
                { for yticks }
                <line class="axis" x1={LEFT.to_string()} x2={LEFT.to_string()} y1={TOP.to_string()} y2={(H - BOTTOM).to_string()} />
                <line class="axis" x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={(H - BOTTOM).to_string()} y2={(H - BOTTOM).to_string()} />
                { for xticks }
                <text class="axis-label" x={(W - RIGHT).to_string()} y={(H - 2.0).to_string()} text-anchor="end">{ time_label.to_string() }</text>
                <text class="axis-label" x="2" y={(TOP - 2.0).max(8.0).to_string()}>{ unit.to_string() }</text>
                { target_line.unwrap_or_default() }
                { for paths }
            </svg>
            <div class="legend">{ for legend }</div>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::ticks;

    #[test]
    fn ticks_are_round() {
        assert_eq!(ticks(10.0, 4), [0.0, 5.0, 10.0]);
        assert_eq!(ticks(3.0, 4), [0.0, 1.0, 2.0, 3.0]);
        assert_eq!(ticks(120.0, 4), [0.0, 50.0, 100.0]);
        assert_eq!(ticks(0.5, 4), [0.0]);
    }
}
