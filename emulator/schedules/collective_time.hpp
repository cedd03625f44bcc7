// Textbook times of the collectives of collectives.hpp on uncontended links (the alpha-beta
// model: a message of n bytes between two ranks takes alpha + n / B), for p ranks and a buffer
// of `bytes`. On SimGrid's exact network model (platform "network": "exact") the simulated
// protocols take exactly these times when `bytes` divides evenly into blocks; tests hold
// them to it. Pure functions: also what a study compares its measured times with.
#pragma once
#include <cmath>

namespace flemu::collective_time {

/// One hop between two ranks: one-way latency (s) and bandwidth (bytes/s).
struct Path {
  double latency_s = 0;
  double bytes_per_s = 0;
};

/// ceil(log2 p): rounds of a binomial tree.
inline int tree_rounds(int p) {
  int r = 0;
  while ((1 << r) < p) ++r;
  return r;
}

/// Ring reduce-scatter or all-gather: (p-1)(alpha + n/(pB)).
inline double ring_half(int p, double bytes, Path path) {
  return (p - 1) * (path.latency_s + bytes / p / path.bytes_per_s);
}
/// Ring all-reduce: 2(p-1)(alpha + n/(pB)) = 2(p-1) alpha + 2(p-1)/p n/B.
inline double ring_allreduce(int p, double bytes, Path path) { return 2 * ring_half(p, bytes, path); }

/// Binomial reduce or broadcast: ceil(log2 p)(alpha + n/B).
inline double tree_half(int p, double bytes, Path path) {
  return tree_rounds(p) * (path.latency_s + bytes / path.bytes_per_s);
}
/// Tree all-reduce (reduce, then broadcast): 2 ceil(log2 p)(alpha + n/B).
inline double tree_allreduce(int p, double bytes, Path path) { return 2 * tree_half(p, bytes, path); }

/// Star all-reduce, all flows at once: the p-1 flows share the hub's link each way,
/// 2(alpha + (p-1) n/B).
inline double star_allreduce_concurrent(int p, double bytes, Path path) {
  return 2 * (path.latency_s + (p - 1) * bytes / path.bytes_per_s);
}
/// Star all-reduce, one worker after another: 2(p-1)(alpha + n/B).
inline double star_allreduce_sequential(int p, double bytes, Path path) {
  return 2 * (p - 1) * (path.latency_s + bytes / path.bytes_per_s);
}

/// Hierarchical all-reduce over m nodes of g ranks: ring reduce-scatter and all-gather inside
/// the node, g rings of m ranks across nodes on n/g bytes each, the g rings sharing the node's
/// link (bandwidth `inter.bytes_per_s` per node, `inter.latency_s` rank-to-rank across nodes):
/// 2(g-1)(a_i + n/(g B_i)) + 2(m-1)(a_e + n/(m B_e)).
inline double hierarchical_allreduce(int g, int m, double bytes, Path intra, Path inter) {
  const double in_node = g > 1 ? 2 * ring_half(g, bytes, intra) : 0;
  const double across = m > 1 ? 2 * (m - 1) * (inter.latency_s + bytes / m / inter.bytes_per_s) : 0;
  return in_node + across;
}

/// Neighbour exchange of `bytes` with each of k peers at once (the k flows share the rank's
/// link): alpha + k n / B.
inline double neighbour_exchange(int peers, double bytes, Path path) {
  return path.latency_s + peers * bytes / path.bytes_per_s;
}

}  // namespace flemu::collective_time
