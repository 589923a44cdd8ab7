//! A pod's status written where it is stored: the kubelet's status write sets the fields that
//! changed and leaves the rest, its strings and lists, as they are. Building a whole new status
//! for each write (about twenty small allocations) and dropping the old one was a tenth of the
//! envelope's work. What comes out is exactly what [`Cluster::build_status`] builds; debug builds
//! compare the two at every write.

use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting, ContainerStatus,
    PodCondition, PodIP, PodSpec, PodStatus,
};

use super::{
    ContainerRt, PodRt, Terminated, incomplete_message, initialized, pod_phase, terminated_state, unready_message,
    unready_names,
};
use crate::kubelet::{HostIp, KubeletState};
use crate::store::time;
use crate::time::SimTime;

/// Sets fields only where their value differs (a string keeps its buffer), noting whether any
/// did.
#[derive(Default)]
struct Edit {
    changed: bool,
}

impl Edit {
    fn str(&mut self, slot: &mut String, v: &str) {
        if slot != v {
            slot.clear();
            slot.push_str(v);
            self.changed = true;
        }
    }

    fn opt_str(&mut self, slot: &mut Option<String>, v: Option<&str>) {
        match (slot.as_mut(), v) {
            (Some(s), Some(v)) => self.str(s, v),
            (None, None) => {}
            (_, v) => {
                *slot = v.map(str::to_owned);
                self.changed = true;
            }
        }
    }

    fn val<T: PartialEq>(&mut self, slot: &mut T, v: T) {
        if *slot != v {
            *slot = v;
            self.changed = true;
        }
    }
}

/// What a container's state is to be.
#[derive(Clone, Copy)]
enum StateIs<'a> {
    Running(u64),
    Waiting(&'a str, Option<&'a str>),
    Terminated(&'a Terminated),
}

/// The condition types the kubelet writes, in its order (PodScheduled, the scheduler's, follows).
const CONDITIONS: [&str; 4] = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady"];

/// Writes into `st` the status the runtime record `rt` says (on `node`, at `now`), as
/// `build_status` builds it from the same old status; whether anything changed. `st` is the
/// stored status (a pod without one starts from the empty status, as `build_status` does).
pub(super) fn fill_status(
    st: &mut PodStatus,
    kubelet: &KubeletState,
    spec: Option<&PodSpec>,
    (node, now): (&str, u64),
    rt: &PodRt,
) -> bool {
    let mut e = Edit::default();
    let initialized = initialized(rt);
    let phase = pod_phase(rt, spec);
    let PodStatus {
        conditions,
        container_statuses,
        ephemeral_container_statuses,
        extended_resource_claim_status,
        host_ip,
        host_ips,
        init_container_statuses,
        message,
        nominated_node_name,
        observed_generation,
        phase: phase_slot,
        pod_ip,
        pod_ips,
        // The one the pod was created with, kept.
        qos_class: _,
        reason,
        resize,
        resource_claim_statuses,
        start_time,
    } = st;
    // Container statuses: init containers, then the app containers.
    let (init, apps) = rt.containers.split_at(rt.n_init);
    if init.is_empty() {
        e.val(init_container_statuses, None);
    } else {
        let list = init_container_statuses.get_or_insert_with(|| {
            e.changed = true;
            Vec::new()
        });
        fill_statuses(&mut e, list, init, kubelet, rt.n_init > 0, false);
    }
    let list = container_statuses.get_or_insert_with(|| {
        e.changed = true;
        Vec::new()
    });
    fill_statuses(&mut e, list, apps, kubelet, rt.n_init > 0, !initialized);
    let unready = unready_names(rt);
    let ready = unready.is_empty() && phase == "Running";
    let unready_msg = (!ready).then(|| unready_message(&unready));
    let unready_reason = (!ready).then_some(if phase == "Succeeded" { "PodCompleted" } else { "ContainersNotReady" });
    let incomplete_msg = (!initialized).then(|| incomplete_message(rt));
    let wanted: [(bool, Option<&str>, Option<&str>); 4] = [
        (phase != "Succeeded" && phase != "Failed", None, None),
        (initialized, (!initialized).then_some("ContainersNotInitialized"), incomplete_msg.as_deref()),
        (ready, unready_reason, unready_msg.as_deref()),
        (ready, unready_reason, unready_msg.as_deref()),
    ];
    fill_conditions(&mut e, conditions, &wanted, now);
    e.val(ephemeral_container_statuses, None);
    e.val(extended_resource_claim_status, None);
    let ip = HostIp::of(kubelet.nodes.get(node).map_or(0, |n| n.index));
    e.opt_str(host_ip, Some(ip.as_str()));
    e.val(host_ips, None);
    e.val(message, None);
    e.val(nominated_node_name, None);
    e.val(observed_generation, None);
    e.opt_str(phase_slot, Some(phase));
    e.opt_str(pod_ip, Some(&rt.ip));
    match pod_ips.as_deref_mut() {
        Some([one]) => e.str(&mut one.ip, &rt.ip),
        _ => e.val(pod_ips, Some(vec![PodIP { ip: rt.ip.clone() }])),
    }
    e.val(reason, None);
    e.val(resize, None);
    e.val(resource_claim_statuses, None);
    e.val(start_time, Some(time(SimTime(rt.start_ms))));
    e.changed
}

/// The statuses of `containers` into `list`, one each, in order. `with_init`: the pod has init
/// containers (the default waiting reason is then PodInitializing); `blocked`: app containers
/// waiting for them (those never started wait with PodInitializing).
fn fill_statuses(
    e: &mut Edit,
    list: &mut Vec<ContainerStatus>,
    containers: &[ContainerRt],
    kubelet: &KubeletState,
    with_init: bool,
    blocked: bool,
) {
    if list.len() != containers.len() {
        // Room for exactly these (a status lives as long as its pod; growing from empty would
        // make room for four).
        list.reserve_exact(containers.len().saturating_sub(list.len()));
        list.resize_with(containers.len(), ContainerStatus::default);
        e.changed = true;
    }
    for (st, c) in list.iter_mut().zip(containers) {
        let ever_ran = !c.container_id.is_empty();
        let mut state = if let Some(since) = c.running_since {
            StateIs::Running(since)
        } else if let Some((reason, msg)) = &c.waiting {
            StateIs::Waiting(reason, (!msg.is_empty()).then_some(msg.as_str()))
        } else if let Some(term) = &c.terminated {
            StateIs::Terminated(term)
        } else {
            StateIs::Waiting("ContainerCreating", None)
        };
        if let StateIs::Waiting("ContainerCreating", message) = state
            && with_init
        {
            state = StateIs::Waiting("PodInitializing", message);
        }
        if blocked && !ever_ran {
            state = StateIs::Waiting("PodInitializing", None);
        }
        // While waiting after an exit, lastState is that exit.
        let last = if c.running_since.is_none() && c.waiting.is_some() {
            c.terminated.as_ref().or(c.last_terminated.as_ref())
        } else {
            c.last_terminated.as_ref()
        };
        let ContainerStatus {
            allocated_resources,
            allocated_resources_status,
            container_id,
            image,
            image_id,
            last_state,
            name,
            ready,
            resources,
            restart_count,
            started,
            state: state_slot,
            stop_signal,
            user,
            volume_mounts,
        } = st;
        e.val(allocated_resources, None);
        e.val(allocated_resources_status, None);
        e.opt_str(container_id, ever_ran.then_some(c.container_id.as_str()));
        e.str(image, &c.image);
        if ever_ran {
            e.str(image_id, &kubelet.image_id_kept(&c.image));
        } else {
            e.str(image_id, "");
        }
        match last {
            Some(t) => fill_state(e, last_state, StateIs::Terminated(t)),
            None => e.val(last_state, None),
        }
        e.str(name, &c.name);
        e.val(ready, c.ready && c.running_since.is_some());
        e.val(resources, None);
        e.val(restart_count, c.restart_count);
        e.val(started, Some(c.started && c.running_since.is_some()));
        fill_state(e, state_slot, state);
        e.val(stop_signal, None);
        e.val(user, None);
        e.val(volume_mounts, None);
    }
}

fn fill_state(e: &mut Edit, slot: &mut Option<ContainerState>, want: StateIs) {
    match (want, slot.as_mut()) {
        (StateIs::Running(since), _) => e.val(
            slot,
            Some(ContainerState {
                running: Some(ContainerStateRunning { started_at: Some(time(SimTime(since))) }),
                ..Default::default()
            }),
        ),
        (
            StateIs::Waiting(reason, message),
            Some(ContainerState { running: None, terminated: None, waiting: Some(w) }),
        ) => {
            e.opt_str(&mut w.reason, Some(reason));
            e.opt_str(&mut w.message, message);
        }
        (StateIs::Waiting(reason, message), _) => e.val(
            slot,
            Some(ContainerState {
                waiting: Some(ContainerStateWaiting {
                    reason: Some(reason.to_string()),
                    message: message.map(str::to_string),
                }),
                ..Default::default()
            }),
        ),
        (StateIs::Terminated(t), Some(ContainerState { running: None, waiting: None, terminated: Some(s) })) => {
            let ContainerStateTerminated { container_id, exit_code, finished_at, message, reason, signal, started_at } =
                s;
            e.opt_str(container_id, Some(&t.container_id));
            e.val(exit_code, t.exit_code);
            e.val(finished_at, Some(time(SimTime(t.finished_ms))));
            e.val(message, None);
            e.opt_str(reason, Some(&t.reason));
            e.val(signal, None);
            e.val(started_at, Some(time(SimTime(t.started_ms))));
        }
        (StateIs::Terminated(t), _) => {
            e.val(slot, Some(ContainerState { terminated: Some(terminated_state(t)), ..Default::default() }))
        }
    }
}

/// The kubelet's four conditions, then PodScheduled as it was: each (status, reason, message),
/// a condition's transition time moving only when its status does. In place when the list
/// already has these conditions in this order (every write after the first).
fn fill_conditions(
    e: &mut Edit,
    slot: &mut Option<Vec<PodCondition>>,
    wanted: &[(bool, Option<&str>, Option<&str>); 4],
    now: u64,
) {
    let status_of = |b: bool| if b { "True" } else { "False" };
    let in_place = slot.as_ref().is_some_and(|list| {
        (list.len() == CONDITIONS.len() || list.len() == CONDITIONS.len() + 1 && list[4].type_ == "PodScheduled")
            && list.iter().zip(CONDITIONS).all(|(c, ty)| c.type_ == ty)
    });
    if let (true, Some(list)) = (in_place, slot.as_mut()) {
        for (c, &(status, reason, message)) in list.iter_mut().zip(wanted) {
            let s = status_of(status);
            if c.status != s {
                e.str(&mut c.status, s);
                e.val(&mut c.last_transition_time, Some(time(SimTime(now))));
            }
            e.opt_str(&mut c.reason, reason);
            e.opt_str(&mut c.message, message);
            e.val(&mut c.last_probe_time, None);
            e.val(&mut c.observed_generation, None);
        }
        return;
    }
    // The first write (or a list someone else wrote): made anew, each condition's transition
    // time kept from the one of its type, if its status is the same.
    let old = slot.as_deref().unwrap_or_default();
    let mut list: Vec<PodCondition> = Vec::with_capacity(CONDITIONS.len() + 1);
    for (ty, &(status, reason, message)) in CONDITIONS.iter().zip(wanted) {
        let s = status_of(status);
        let since = match old.iter().find(|c| c.type_ == *ty) {
            Some(p) if p.status == s => p.last_transition_time.clone(),
            _ => Some(time(SimTime(now))),
        };
        list.push(PodCondition {
            type_: ty.to_string(),
            status: s.to_string(),
            reason: reason.map(str::to_string),
            message: message.map(str::to_string),
            last_transition_time: since,
            last_probe_time: None,
            observed_generation: None,
        });
    }
    list.extend(old.iter().find(|c| c.type_ == "PodScheduled").cloned());
    e.val(slot, Some(list));
}
