#include "platforms/topology.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>
#include <boost/graph/erdos_renyi_generator.hpp>
#include <boost/graph/grid_graph.hpp>
#include <boost/graph/small_world_generator.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <fmt/format.h>

#include "platforms/units.hpp"
#include "workloads/rng.hpp"

namespace flemu {

namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;

struct Family {
  TopologyKind kind;
  const char* name;
};
constexpr Family kFamilies[] = {
    {TopologyKind::Ring, "ring"},
    {TopologyKind::Torus, "torus"},
    {TopologyKind::Grid, "grid"},
    {TopologyKind::Exponential, "exponential"},
    {TopologyKind::OnePeerExponential, "one-peer-exponential"},
    {TopologyKind::ErdosRenyi, "erdos-renyi"},
    {TopologyKind::RandomRegular, "random-regular"},
    {TopologyKind::SmallWorld, "small-world"},
    {TopologyKind::Complete, "complete"},
    {TopologyKind::Star, "star"},
    {TopologyKind::EdgeList, "edge-list"},
};

/// Collects undirected edges, dropping self-loops and duplicates (generators that may make
/// them: small world's rewiring).
class EdgeSet {
 public:
  void add(int a, int b) {
    if (a == b) return;
    if (a > b) std::swap(a, b);
    TopologyEdge e;
    e.a = a, e.b = b;
    edges_.emplace(std::make_pair(a, b), e);
  }
  /// Adds an edge with its own link; false if the pair was already there.
  bool add_unique(const TopologyEdge& e) { return edges_.emplace(std::make_pair(e.a, e.b), e).second; }
  std::vector<TopologyEdge> sorted() const {
    std::vector<TopologyEdge> out;
    out.reserve(edges_.size());
    for (const auto& [key, e] : edges_) out.push_back(e);
    return out;
  }

 private:
  std::map<std::pair<int, int>, TopologyEdge> edges_;
};

/// rows = the largest divisor of n that is <= sqrt(n) (the D-SGD code's meshgrid), unless given.
std::pair<int, int> lattice_sides(const TopologySpec& spec, int n) {
  int rows = spec.rows, cols = spec.cols;
  if (rows == 0 && cols == 0) {
    rows = static_cast<int>(std::floor(std::sqrt(static_cast<double>(n))));
    while (rows > 1 && n % rows != 0) --rows;
    cols = n / rows;
  } else if (rows == 0) {
    rows = cols > 0 && n % cols == 0 ? n / cols : 0;
  } else if (cols == 0) {
    cols = n % rows == 0 ? n / rows : 0;
  }
  if (rows * cols != n)
    throw TopologyError(fmt::format("rows x cols equal to the number of devices ({}), got {} x {}", n, rows, cols));
  return {rows, cols};
}

void add_lattice(EdgeSet& edges, int rows, int cols, bool wrap) {
  // boost::grid_graph: dimension 0 runs along a row (the column index), dimension 1 down the
  // rows; vertex (c, r) is node r * cols + c.
  boost::array<std::size_t, 2> lengths = {{static_cast<std::size_t>(cols), static_cast<std::size_t>(rows)}};
  boost::grid_graph<2> grid(lengths, wrap);
  auto index = [cols](const boost::array<std::size_t, 2>& v) { return static_cast<int>(v[1] * cols + v[0]); };
  for (auto [v, v_end] = vertices(grid); v != v_end; ++v)
    for (auto [e, e_end] = out_edges(*v, grid); e != e_end; ++e) edges.add(index(source(*e, grid)), index(target(*e, grid)));
}

void add_exponential(EdgeSet& edges, int n) {
  for (int i = 0; i < n; ++i)
    for (long step = 1; step < n; step *= 2) edges.add(i, static_cast<int>((i + step) % n));
}

/// Configuration model: pair the n*d stubs at random; redraw when a pairing has a self-loop
/// or a repeated edge (uniform over d-regular simple graphs, fast for small d).
void add_random_regular(EdgeSet& out, int n, int d, uint64_t seed) {
  if (d < 1 || d >= n) throw TopologyError(fmt::format("a degree between 1 and {} (n - 1), got {}", n - 1, d));
  if ((static_cast<int64_t>(n) * d) % 2 != 0)
    throw TopologyError(fmt::format("n x degree even for a {}-regular graph on {} nodes", d, n));
  Rng rng(seed);
  std::vector<int> stubs;
  for (int attempt = 0; attempt < 10000; ++attempt) {
    stubs.clear();
    for (int i = 0; i < n; ++i)
      for (int k = 0; k < d; ++k) stubs.push_back(i);
    rng.shuffle(stubs);
    std::set<std::pair<int, int>> seen;
    bool simple = true;
    for (size_t s = 0; s + 1 < stubs.size() && simple; s += 2) {
      int a = stubs[s], b = stubs[s + 1];
      if (a > b) std::swap(a, b);
      simple = a != b && seen.emplace(a, b).second;
    }
    if (!simple) continue;
    for (const auto& [a, b] : seen) out.add(a, b);
    return;
  }
  throw TopologyError(fmt::format("a {}-regular graph on {} nodes (10000 draws all had loops or repeated edges; "
                                  "use a smaller degree)",
                                  d, n));
}

int node_of(const std::string& token, const std::vector<std::string>& names, const std::map<std::string, int>& by_name) {
  if (auto it = by_name.find(token); it != by_name.end()) return it->second;
  if (!token.empty() && token.find_first_not_of("0123456789") == std::string::npos && token.size() < 10) {
    const int i = std::stoi(token);
    if (i < static_cast<int>(names.size())) return i;
  }
  return -1;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

/// CSV: a header "a,b" or "a,b,bandwidth,latency", then one edge per line: device names or
/// 0-based indices, and optionally the direct link's rate ("100Mbps") and latency ("2ms").
/// Empty lines and lines starting with '#' are skipped.
void read_edge_list(EdgeSet& out, const std::string& path, const std::vector<std::string>& names) {
  std::ifstream in(path);
  if (!in) throw TopologyError(path + ": expected a readable edge-list file");
  std::map<std::string, int> by_name;
  for (size_t i = 0; i < names.size(); ++i) by_name[names[i]] = static_cast<int>(i);
  std::string line;
  int line_no = 0;
  bool header = false, with_links = false;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string text = trim(line);
    if (text.empty() || text[0] == '#') continue;
    std::vector<std::string> cells;
    std::stringstream ss(text);
    for (std::string cell; std::getline(ss, cell, ',');) cells.push_back(trim(cell));
    const std::string where = fmt::format("{}:{}: expected ", path, line_no);
    if (!header) {
      if (cells == std::vector<std::string>{"a", "b"}) {
        header = true;
      } else if (cells == std::vector<std::string>{"a", "b", "bandwidth", "latency"}) {
        header = with_links = true;
      } else {
        throw TopologyError(where + "the header \"a,b\" or \"a,b,bandwidth,latency\", got \"" + text + "\"");
      }
      continue;
    }
    if (cells.size() != (with_links ? 4u : 2u))
      throw TopologyError(where + (with_links ? "4" : "2") + " comma-separated fields, got \"" + text + "\"");
    TopologyEdge e;
    e.a = node_of(cells[0], names, by_name);
    e.b = node_of(cells[1], names, by_name);
    for (int k = 0; k < 2; ++k)
      if ((k == 0 ? e.a : e.b) < 0)
        throw TopologyError(where + fmt::format("a device name or index below {}, got \"{}\"", names.size(), cells[k]));
    if (e.a == e.b) throw TopologyError(where + "two different devices, got a self-loop on \"" + cells[0] + "\"");
    if (e.a > e.b) std::swap(e.a, e.b);
    if (with_links) {
      try {
        e.bytes_per_s = units::parse(units::Quantity::Rate, cells[2], true);
        e.latency_s = units::parse(units::Quantity::Duration, cells[3]);
      } catch (const units::UnitError& err) {
        throw TopologyError(where + err.what());
      }
    }
    if (!out.add_unique(e))
      throw TopologyError(where + fmt::format("each edge once ({} -- {} is repeated)", names[e.a], names[e.b]));
  }
  if (!header) throw TopologyError(path + ": expected the header \"a,b\" and at least one edge, got an empty file");
}

}  // namespace

const char* to_string(TopologyKind kind) {
  for (const auto& f : kFamilies)
    if (f.kind == kind) return f.name;
  return "?";
}

TopologyKind topology_kind_from_name(const std::string& name) {
  for (const auto& f : kFamilies)
    if (name == f.name) return f.kind;
  throw TopologyError("a topology family, got \"" + name + "\"");
}

int Topology::max_degree() const {
  int d = 0;
  for (const auto& nb : neighbours) d = std::max(d, static_cast<int>(nb.size()));
  return d;
}

bool Topology::regular() const {
  for (const auto& nb : neighbours)
    if (nb.size() != neighbours[0].size()) return false;
  return true;
}

int Topology::one_peer_target(int i, int round) const {
  const long offset = 1L << ((round - 1) % period);
  return static_cast<int>((i + offset) % n);
}

int Topology::one_peer_source(int i, int round) const {
  const long offset = 1L << ((round - 1) % period);
  return static_cast<int>(((i - offset) % n + n) % n);
}

std::vector<std::vector<int>> connected_components(int n, const std::vector<TopologyEdge>& edges) {
  Graph g(n);
  for (const auto& e : edges) boost::add_edge(e.a, e.b, g);
  std::vector<int> component(n);
  const int count = n > 0 ? boost::connected_components(g, component.data()) : 0;
  // Boost numbers components in order of their first vertex already; keep that.
  std::vector<std::vector<int>> out(count);
  for (int i = 0; i < n; ++i) out[component[i]].push_back(i);
  return out;
}

std::string node_ranges(const std::vector<int>& nodes) {
  std::string out;
  for (size_t i = 0; i < nodes.size();) {
    size_t j = i;
    while (j + 1 < nodes.size() && nodes[j + 1] == nodes[j] + 1) ++j;
    if (!out.empty()) out += ", ";
    out += j == i ? std::to_string(nodes[i]) : fmt::format("{}-{}", nodes[i], nodes[j]);
    i = j + 1;
  }
  return out;
}

Topology build_topology(const TopologySpec& spec, const std::vector<std::string>& names, uint64_t seed) {
  const int n = static_cast<int>(names.size());
  Topology t;
  t.kind = spec.kind;
  t.n = n;
  if (n < 2) throw TopologyError(fmt::format("at least 2 devices for a topology, got {}", n));
  EdgeSet edges;
  boost::random::mt19937 gen(static_cast<uint32_t>(seed ^ (seed >> 32)));
  switch (spec.kind) {
    case TopologyKind::Ring:
      for (int i = 0; i < n; ++i) edges.add(i, (i + 1) % n);
      break;
    case TopologyKind::Torus:
    case TopologyKind::Grid: {
      const bool wrap = spec.kind == TopologyKind::Torus;
      std::tie(t.rows, t.cols) = lattice_sides(spec, n);
      // With a side of 2 the wrap-around doubles an edge, with 1 it makes a self-loop.
      if (wrap && (t.rows < 3 || t.cols < 3))
        throw TopologyError(fmt::format("torus sides of at least 3, got {} x {}", t.rows, t.cols));
      add_lattice(edges, t.rows, t.cols, wrap);
      break;
    }
    case TopologyKind::Exponential:
      add_exponential(edges, n);
      break;
    case TopologyKind::OnePeerExponential:
      add_exponential(edges, n);
      t.period = 0;
      while ((1L << t.period) < n) ++t.period;
      break;
    case TopologyKind::ErdosRenyi: {
      if (!(spec.p > 0 && spec.p < 1)) throw TopologyError(fmt::format("an edge probability p in (0, 1), got {}", spec.p));
      using Iter = boost::sorted_erdos_renyi_iterator<boost::random::mt19937, Graph>;
      for (Iter it(gen, n, spec.p), end; it != end; ++it) edges.add(static_cast<int>(it->first), static_cast<int>(it->second));
      break;
    }
    case TopologyKind::RandomRegular:
      add_random_regular(edges, n, spec.degree, seed);
      break;
    case TopologyKind::SmallWorld: {
      if (spec.degree < 2 || spec.degree % 2 != 0 || spec.degree >= n)
        throw TopologyError(fmt::format("an even number k of lattice neighbours in [2, {}), got {}", n, spec.degree));
      if (!(spec.p >= 0 && spec.p <= 1)) throw TopologyError(fmt::format("a rewiring probability p in [0, 1], got {}", spec.p));
      using Iter = boost::small_world_iterator<boost::random::mt19937, Graph>;
      for (Iter it(gen, n, spec.degree, spec.p), end; it != end; ++it)
        edges.add(static_cast<int>(it->first), static_cast<int>(it->second));
      break;
    }
    case TopologyKind::Complete:
      for (int i = 0; i < n; ++i)
        for (int j = i + 1; j < n; ++j) edges.add(i, j);
      break;
    case TopologyKind::Star:
      if (spec.hub < 0 || spec.hub >= n) throw TopologyError(fmt::format("a hub index in [0, {}), got {}", n, spec.hub));
      for (int i = 0; i < n; ++i) edges.add(spec.hub, i);
      break;
    case TopologyKind::EdgeList:
      read_edge_list(edges, spec.file, names);
      break;
  }
  t.edges = edges.sorted();
  t.neighbours.assign(n, {});
  for (const auto& e : t.edges) {
    t.neighbours[e.a].push_back(e.b);
    t.neighbours[e.b].push_back(e.a);
  }
  for (auto& nb : t.neighbours) std::sort(nb.begin(), nb.end());
  const auto components = connected_components(n, t.edges);
  if (components.size() > 1) {
    std::string list;
    for (size_t c = 0; c < components.size() && c < 8; ++c)
      list += fmt::format("{}{{{}}}", c ? ", " : "", node_ranges(components[c]));
    if (components.size() > 8) list += fmt::format(", ... ({} more)", components.size() - 8);
    throw TopologyError(fmt::format("a connected graph, got {} components: {}{}", components.size(), list,
                                    spec.kind == TopologyKind::ErdosRenyi || spec.kind == TopologyKind::SmallWorld ||
                                            spec.kind == TopologyKind::RandomRegular
                                        ? " (raise p or the degree, or try another seed)"
                                        : ""));
  }
  return t;
}

}  // namespace flemu
