//! One-to-one matching of reads to ground-truth vehicles (evaluation.md, Matching).
//!
//! The assignment maximises, in order, the vehicles matched, the exact VRM agreements, and then
//! minimises the total |time difference|. That is one minimum-cost assignment with a
//! lexicographic cost folded into one number: a pair costs its `dt`, plus a penalty larger than
//! any assignment's total `dt` when the VRMs disagree, and leaving a vehicle without a read
//! costs more than any set of pairs. Candidates are local in time, so the graph falls into
//! clusters of overlapping windows, each solved on its own exactly (not greedily).

use super::truth::TruthVehicle;
use crate::import::rows::ReadRow;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Which read went to which vehicle, and what was left over. Indices are into the slices given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matching {
    /// `(vehicle, read)`, one-to-one, in vehicle order.
    pub pairs: Vec<(usize, usize)>,
    /// `(read, vehicle)`: a read left over in the window of a matched vehicle (the nearest in
    /// time when several).
    pub duplicates: Vec<(usize, usize)>,
    /// Reads in no vehicle's window.
    pub unmatched: Vec<usize>,
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    vehicle: usize,
    read: usize,
    dt: i64,
    exact: bool,
}

/// `|dt|` when the read may match the vehicle: inside the window (edges included) and, where
/// both give a lane, in the same lane.
fn candidate(vehicle: &TruthVehicle, read: &ReadRow, window_ms: i64, offset_ms: i64) -> Option<i64> {
    let lanes_agree = match (vehicle.lane, read.lane) {
        (Some(v), Some(r)) => i64::from(v) == r,
        _ => true,
    };
    let dt = read.read_time_ms.saturating_sub(offset_ms).saturating_sub(vehicle.time_ms).saturating_abs();
    (lanes_agree && dt <= window_ms).then_some(dt)
}

/// Matches `reads` (one camera's) to `truth`: a read at `read_time` is compared with the truth
/// at `read_time - offset`.
pub fn match_reads(truth: &[TruthVehicle], reads: &[ReadRow], window_ms: i64, offset_ms: i64) -> Matching {
    let adjusted: Vec<i64> = reads.iter().map(|r| r.read_time_ms.saturating_sub(offset_ms)).collect();
    let mut by_time: Vec<usize> = (0..reads.len()).collect();
    by_time.sort_by_key(|&r| (adjusted[r], r));

    let mut candidates = Vec::new();
    for (v, vehicle) in truth.iter().enumerate() {
        let from = vehicle.time_ms.saturating_sub(window_ms);
        let to = vehicle.time_ms.saturating_add(window_ms);
        let start = by_time.partition_point(|&r| adjusted[r] < from);
        for &r in by_time[start..].iter().take_while(|&&r| adjusted[r] <= to) {
            if let Some(dt) = candidate(vehicle, &reads[r], window_ms, offset_ms) {
                let exact = vehicle.vrm.is_some() && vehicle.vrm == reads[r].vrm;
                candidates.push(Candidate { vehicle: v, read: r, dt, exact });
            }
        }
    }

    let time_of: Vec<i64> = truth.iter().map(|v| v.time_ms).collect();
    let mut read_of = vec![None; truth.len()];
    for cluster in clusters(truth.len(), reads.len(), &candidates) {
        for (v, r) in assign(&cluster, &time_of, window_ms) {
            read_of[v] = Some(r);
        }
    }

    let mut matched_read = vec![false; reads.len()];
    let mut pairs = Vec::new();
    for (v, r) in read_of.iter().enumerate() {
        if let Some(r) = *r {
            matched_read[r] = true;
            pairs.push((v, r));
        }
    }
    // A read left over whose window holds a vehicle: by maximality that vehicle is matched, so
    // the read is a duplicate of it; otherwise it matched nothing.
    let mut nearest: Vec<Option<(i64, usize)>> = vec![None; reads.len()];
    for c in candidates.iter().filter(|c| !matched_read[c.read] && read_of[c.vehicle].is_some()) {
        let slot = &mut nearest[c.read];
        if slot.is_none_or(|best| (c.dt, c.vehicle) < best) {
            *slot = Some((c.dt, c.vehicle));
        }
    }
    let mut duplicates = Vec::new();
    let mut unmatched = Vec::new();
    for r in (0..reads.len()).filter(|r| !matched_read[*r]) {
        match nearest[r] {
            Some((_, v)) => duplicates.push((r, v)),
            None => unmatched.push(r),
        }
    }
    Matching { pairs, duplicates, unmatched }
}

/// The candidates grouped into connected clusters (vehicles and reads linked by a candidate).
fn clusters(vehicles: usize, reads: usize, candidates: &[Candidate]) -> Vec<Vec<Candidate>> {
    // Union-find over vehicles `0..vehicles` then reads.
    let mut parent: Vec<usize> = (0..vehicles + reads).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for c in candidates {
        let (a, b) = (root(&mut parent, c.vehicle), root(&mut parent, vehicles + c.read));
        parent[a.max(b)] = a.min(b);
    }
    let mut index_of = vec![None; vehicles + reads];
    let mut groups: Vec<Vec<Candidate>> = Vec::new();
    for c in candidates {
        let r = root(&mut parent, c.vehicle);
        let i = *index_of[r].get_or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[i].push(*c);
    }
    groups
}

/// The lexicographically best one-to-one assignment of one cluster, as `(vehicle, read)`.
///
/// Each vehicle also gets a private "no read" option costing more than any set of real pairs,
/// so every vehicle is assigned and fewer "no read"s always wins. Vehicles are then added one
/// at a time in time order, each by the cheapest augmenting path from it (the Hungarian
/// method: after each step the assignment is optimal for the vehicles added so far). Dijkstra
/// stops at the first free read, so a step only explores the neighbourhood it changes.
fn assign(cluster: &[Candidate], time_of: &[i64], window_ms: i64) -> Vec<(usize, usize)> {
    let mut vehicles: Vec<usize> = cluster.iter().map(|c| c.vehicle).collect();
    let mut reads: Vec<usize> = cluster.iter().map(|c| c.read).collect();
    vehicles.sort_unstable();
    vehicles.dedup();
    reads.sort_unstable();
    reads.dedup();
    let pairs = vehicles.len().min(reads.len()) as i128;
    // More than any assignment's total dt: one more exact agreement always wins.
    let penalty = pairs * i128::from(window_ms) + 1;
    // More than any assignment's total real cost: one more match always wins.
    let no_read = pairs * (penalty + i128::from(window_ms)) + 1;

    // Local nodes: vehicles 0..nv; reads 0..nr then each vehicle's "no read" at nr + vehicle.
    let (nv, nr) = (vehicles.len(), reads.len());
    // Always found: both lists were built from this cluster.
    let local = |list: &[usize], x: usize| list.binary_search(&x).unwrap_or_default();
    let mut arcs: Vec<Vec<(usize, i128)>> = (0..nv).map(|u| vec![(nr + u, no_read)]).collect();
    for c in cluster {
        let cost = i128::from(c.dt) + if c.exact { 0 } else { penalty };
        arcs[local(&vehicles, c.vehicle)].push((local(&reads, c.read), cost));
    }
    let mut order: Vec<usize> = (0..nv).collect();
    order.sort_by_key(|&u| (time_of[vehicles[u]], u));

    let mut search = Search::new(nv, nr + nv);
    for start in order {
        search.augment(start, &arcs);
    }
    (0..nv).filter_map(|u| search.read_of[u].filter(|&v| v < nr).map(|v| (vehicles[u], reads[v]))).collect()
}

/// The state of the assignment between steps: who has what, and node potentials that keep
/// every reduced cost non-negative (so Dijkstra applies) and every assigned pair's zero.
#[derive(Debug)]
struct Search {
    read_of: Vec<Option<usize>>,
    vehicle_of: Vec<Option<usize>>,
    potential_vehicle: Vec<i128>,
    potential_read: Vec<i128>,
    dist_vehicle: Vec<Option<i128>>,
    dist_read: Vec<Option<i128>>,
    /// The vehicle each read was reached from.
    via: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Node {
    Vehicle(usize),
    Read(usize),
}

impl Search {
    fn new(vehicles: usize, reads: usize) -> Self {
        Self {
            read_of: vec![None; vehicles],
            vehicle_of: vec![None; reads],
            potential_vehicle: vec![0; vehicles],
            potential_read: vec![0; reads],
            dist_vehicle: vec![None; vehicles],
            dist_read: vec![None; reads],
            via: vec![0; reads],
        }
    }

    /// Assigns `start` along the cheapest augmenting path. One always exists: its own "no read".
    fn augment(&mut self, start: usize, arcs: &[Vec<(usize, i128)>]) {
        let mut queue = BinaryHeap::new();
        let mut settled: Vec<(Node, i128)> = Vec::new();
        let mut touched: Vec<Node> = vec![Node::Vehicle(start)];
        self.dist_vehicle[start] = Some(0);
        queue.push(Reverse((0i128, Node::Vehicle(start))));
        let mut free = None;
        while let Some(Reverse((d, node))) = queue.pop() {
            let best = match node {
                Node::Vehicle(u) => self.dist_vehicle[u],
                Node::Read(v) => self.dist_read[v],
            };
            if best.is_some_and(|b| d > b) {
                continue;
            }
            settled.push((node, d));
            match node {
                Node::Vehicle(u) => {
                    for &(v, cost) in &arcs[u] {
                        if self.read_of[u] == Some(v) {
                            continue;
                        }
                        let next = d + cost + self.potential_vehicle[u] - self.potential_read[v];
                        if self.dist_read[v].is_none_or(|b| next < b) {
                            if self.dist_read[v].is_none() {
                                touched.push(Node::Read(v));
                            }
                            self.dist_read[v] = Some(next);
                            self.via[v] = u;
                            queue.push(Reverse((next, Node::Read(v))));
                        }
                    }
                }
                Node::Read(v) => match self.vehicle_of[v] {
                    None => {
                        free = Some((v, d));
                        break;
                    }
                    // The assigned pair's reverse arc has reduced cost zero.
                    Some(u) => {
                        if self.dist_vehicle[u].is_none_or(|b| d < b) {
                            if self.dist_vehicle[u].is_none() {
                                touched.push(Node::Vehicle(u));
                            }
                            self.dist_vehicle[u] = Some(d);
                            queue.push(Reverse((d, Node::Vehicle(u))));
                        }
                    }
                },
            }
        }
        for node in touched {
            match node {
                Node::Vehicle(u) => self.dist_vehicle[u] = None,
                Node::Read(v) => self.dist_read[v] = None,
            }
        }
        let Some((target, reach)) = free else { return };
        // Potentials of settled nodes move by their distance (less `reach`, a constant shift
        // that leaves reduced costs alone), so unsettled nodes need no update.
        for (node, d) in settled {
            match node {
                Node::Vehicle(u) => self.potential_vehicle[u] += d - reach,
                Node::Read(v) => self.potential_read[v] += d - reach,
            }
        }
        let mut v = target;
        loop {
            let u = self.via[v];
            let previous = self.read_of[u];
            self.read_of[u] = Some(v);
            self.vehicle_of[v] = Some(u);
            match previous {
                Some(p) if u != start => v = p,
                _ => break,
            }
        }
    }
}
