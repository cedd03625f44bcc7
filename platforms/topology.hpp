// Who talks to whom in a decentralized run: an undirected graph over the devices, built with
// Boost.Graph from a family and a seed (scenario key platform.topology).
//
// Node i is device i (classes expanded in order, then explicit devices). Families:
//   ring                      i -- i+1 mod n
//   torus, grid               rows x cols lattice, with / without wrap-around (boost::grid_graph)
//   exponential               i -- i + 2^k mod n for every 2^k < n (undirected; regular)
//   one-peer-exponential      time-varying: at round t node i sends to i + 2^((t-1) mod tau) and
//                             receives from i - 2^((t-1) mod tau), tau = ceil(log2 n); its
//                             static graph (the union over rounds) is the exponential graph
//   erdos-renyi               G(n, p): every pair independently with probability p
//                             (boost::sorted_erdos_renyi_iterator, the true G(n,p); not the
//                             fixed-edge-count erdos_renyi_iterator, which draws with replacement)
//   random-regular            d-regular, configuration model with rejection
//   small-world               Watts-Strogatz (boost::small_world_iterator: ring lattice with k
//                             neighbours, each edge rewired with probability p; self-loops and
//                             duplicate edges that rewiring makes are dropped)
//   complete, star            star: hub = device 0 unless given
//   edge-list                 a CSV file of edges (format below), optionally with a bandwidth
//                             and latency per edge for direct links
// A graph that is not connected is an error that names its components: gossip on it can
// never reach consensus. Random families draw from the scenario seed through Boost.Random's
// mt19937 and distributions, whose draws are the same on every platform (std:: distributions
// are not).
//
// Pure: no SimGrid here. platforms/p2p_platform.hpp turns the edges into links.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace flemu {

enum class TopologyKind {
  Ring, Torus, Grid, Exponential, OnePeerExponential, ErdosRenyi, RandomRegular, SmallWorld, Complete, Star, EdgeList
};

/// How a message between neighbours travels.
enum class PeerLinks {
  Access,  ///< over the sender's uplink and the receiver's downlink (their access links, as on the internet)
  Direct   ///< over a link of the edge's own (device to device: its own bandwidth and latency)
};

struct TopologySpec {
  TopologyKind kind = TopologyKind::Ring;
  int rows = 0, cols = 0;   ///< torus, grid: lattice sides (0: rows = the largest divisor of n <= sqrt(n))
  double p = 0;             ///< erdos-renyi: edge probability; small-world: rewiring probability
  int degree = 0;           ///< random-regular: d; small-world: k, lattice neighbours (even)
  int hub = 0;              ///< star: the hub's device index
  std::string file;         ///< edge-list: path of the CSV file
  PeerLinks links = PeerLinks::Access;
  /// Direct links: every edge's link unless the edge list gives its own (bytes/s both ways, s).
  double direct_bytes_per_s = 0, direct_latency_s = 0;
};

/// An undirected edge a -- b (a < b), with its direct link when it has one of its own.
struct TopologyEdge {
  int a = 0, b = 0;
  double bytes_per_s = 0;  ///< direct link rate both ways; 0 = the spec's default
  double latency_s = -1;   ///< direct link latency; < 0 = the spec's default
};

struct Topology {
  TopologyKind kind = TopologyKind::Ring;
  int n = 0;
  int rows = 0, cols = 0;                   ///< lattice sides (torus, grid), else 0
  std::vector<TopologyEdge> edges;          ///< sorted by (a, b), no duplicates, no self-loops
  std::vector<std::vector<int>> neighbours; ///< per node, sorted
  int degree(int i) const { return static_cast<int>(neighbours[i].size()); }
  int max_degree() const;
  bool regular() const;
  /// One-peer exponential: the rounds after which the offsets repeat (ceil(log2 n)); else 0.
  int period = 0;
  bool time_varying() const { return kind == TopologyKind::OnePeerExponential; }
  /// One-peer exponential, 1-based round t: the node that `i` sends to (it receives from the
  /// node that sends to it, one_peer_source).
  int one_peer_target(int i, int round) const;
  int one_peer_source(int i, int round) const;
};

/// Bad topology input or a graph that cannot be used; the message says what was expected.
struct TopologyError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

const char* to_string(TopologyKind kind);
TopologyKind topology_kind_from_name(const std::string& name);  ///< throws TopologyError

/// The graph of `spec` over `names.size()` devices (names: for edge-list files and messages).
/// Throws TopologyError when the parameters do not fit n (a torus side < 3, a degree >= n,
/// n*d odd, ...), when the edge list is malformed ("<file>:<line>: expected ...") and when
/// the graph is not connected (naming its components).
Topology build_topology(const TopologySpec& spec, const std::vector<std::string>& names, uint64_t seed);

/// Connected components (boost::connected_components), each sorted, ordered by first node.
std::vector<std::vector<int>> connected_components(int n, const std::vector<TopologyEdge>& edges);

/// "0-5, 7" style ranges of sorted node indices (for messages).
std::string node_ranges(const std::vector<int>& nodes);

}  // namespace flemu
