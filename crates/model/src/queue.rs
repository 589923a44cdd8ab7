//! Timers ordered by (time, sequence): two timers due at the same moment fire in the order they
//! were set, on every platform.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::time::SimTime;

/// Something a controller or kubelet asked to be woken for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// Run one control loop (a controller, the scheduler, the kubelets).
    Controller(Controller),
    /// A pod's kubelet work is due (image pulled, container started, ...). The names are held
    /// inline (a pod sets four of these on its way to ready: two allocations each as strings).
    Kubelet { namespace: crate::store::Name, name: crate::store::Name },
}

/// The control loops, in the fixed order they run when due at the same moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Controller {
    Deployment,
    ReplicaSet,
    GarbageCollector,
    Endpoints,
    Volumes,
    NodeLifecycle,
    Traffic,
    Hpa,
    Scheduler,
}

#[derive(Clone, Debug, Default)]
pub struct TimerQueue {
    heap: BinaryHeap<Reverse<(SimTime, u64, Timer)>>,
    seq: u64,
}

impl TimerQueue {
    pub fn push(&mut self, at: SimTime, timer: Timer) {
        self.seq += 1;
        self.heap.push(Reverse((at, self.seq, timer)));
    }

    pub fn next_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|Reverse((t, _, _))| *t)
    }

    /// Removes and returns the earliest timer due at or before `now`.
    pub fn pop_due(&mut self, now: SimTime) -> Option<(SimTime, Timer)> {
        if self.next_time()? <= now { self.heap.pop().map(|Reverse((t, _, timer))| (t, timer)) } else { None }
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_time_fires_in_insertion_order() {
        let mut q = TimerQueue::default();
        q.push(SimTime(5), Timer::Kubelet { namespace: "b".into(), name: "z".into() });
        q.push(SimTime(5), Timer::Kubelet { namespace: "a".into(), name: "a".into() });
        q.push(SimTime(1), Timer::Controller(Controller::Scheduler));
        assert_eq!(q.pop_due(SimTime(10)).unwrap().1, Timer::Controller(Controller::Scheduler));
        assert_eq!(q.pop_due(SimTime(10)).unwrap().1, Timer::Kubelet { namespace: "b".into(), name: "z".into() });
        assert!(q.pop_due(SimTime(4)).is_none());
    }
}
