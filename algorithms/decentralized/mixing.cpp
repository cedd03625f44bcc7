#include "algorithms/decentralized/mixing.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

namespace flemu {

namespace {

constexpr struct {
  MixingRule rule;
  const char* name;
} kRules[] = {
    {MixingRule::MetropolisHastings, "metropolis-hastings"}, {MixingRule::MaxDegree, "max-degree"},
    {MixingRule::Uniform, "uniform"}, {MixingRule::File, "file"}, {MixingRule::OnePeer, "one-peer"}};

/// Rows from an off-diagonal weight function; the diagonal takes what is left.
template <class Weight>
MixingMatrix from_edge_weights(const std::vector<std::vector<int>>& neighbours, Weight weight) {
  MixingMatrix w;
  w.rows.resize(neighbours.size());
  for (size_t i = 0; i < neighbours.size(); ++i) {
    auto& row = w.rows[i];
    double sum = 0;
    for (int j : neighbours[i]) {
      const double x = weight(static_cast<int>(i), j);
      row.peers.push_back(j);
      row.weights.push_back(x);
      sum += x;
    }
    row.self = 1.0 - sum;
  }
  return w;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

}  // namespace

const char* to_string(MixingRule rule) {
  for (const auto& r : kRules)
    if (r.rule == rule) return r.name;
  return "?";
}

MixingRule mixing_rule_from_name(const std::string& name) {
  for (const auto& r : kRules)
    if (name == r.name) return r.rule;
  throw std::invalid_argument("unknown mixing rule \"" + name + "\"");
}

std::vector<double> MixingMatrix::dense() const {
  const size_t m = rows.size();
  std::vector<double> a(m * m, 0.0);
  for (size_t i = 0; i < m; ++i) {
    a[i * m + i] = rows[i].self;
    for (size_t k = 0; k < rows[i].peers.size(); ++k) a[i * m + rows[i].peers[k]] += rows[i].weights[k];
  }
  return a;
}

MixingMatrix metropolis_hastings(const std::vector<std::vector<int>>& nb) {
  MixingMatrix w = from_edge_weights(nb, [&nb](int i, int j) {
    return 1.0 / (1.0 + static_cast<double>(std::max(nb[i].size(), nb[j].size())));
  });
  // A node none of whose neighbours has a larger degree gives each of them 1/(1+d_i) and keeps
  // 1/(1+d_i) itself: write it exactly (1 - d_i/(1+d_i) may be an ulp off), so that on regular
  // graphs MH equals the uniform rule bit for bit.
  for (size_t i = 0; i < nb.size(); ++i) {
    bool largest = true;
    for (int j : nb[i]) largest = largest && nb[j].size() <= nb[i].size();
    if (largest) w.rows[i].self = 1.0 / (1.0 + static_cast<double>(nb[i].size()));
  }
  return w;
}

MixingMatrix max_degree(const std::vector<std::vector<int>>& nb) {
  size_t d_max = 0;
  for (const auto& v : nb) d_max = std::max(d_max, v.size());
  const double x = 1.0 / (1.0 + static_cast<double>(d_max));
  MixingMatrix w = from_edge_weights(nb, [x](int, int) { return x; });
  for (size_t i = 0; i < nb.size(); ++i)
    if (nb[i].size() == d_max) w.rows[i].self = x;  // exact, as in metropolis_hastings
  return w;
}

MixingMatrix uniform_weights(const std::vector<std::vector<int>>& nb) {
  for (size_t i = 1; i < nb.size(); ++i)
    if (nb[i].size() != nb[0].size())
      throw MixingError(fmt::format("a regular graph for the uniform rule 1/(d+1) (node 0 has {} neighbours, node {} "
                                    "has {}); use metropolis-hastings or max-degree",
                                    nb[0].size(), i, nb[i].size()));
  const double x = 1.0 / (1.0 + static_cast<double>(nb.empty() ? 0 : nb[0].size()));
  MixingMatrix w = from_edge_weights(nb, [x](int, int) { return x; });
  for (auto& row : w.rows) row.self = x;  // exactly 1/(d+1), not 1 - d/(d+1)
  return w;
}

MixingMatrix mixing_from_file(const std::string& path, const std::vector<std::vector<int>>& nb) {
  std::ifstream in(path);
  if (!in) throw MixingError(path + ": expected a readable mixing-matrix file");
  const int n = static_cast<int>(nb.size());
  std::map<std::pair<int, int>, double> entries;
  std::string line;
  int line_no = 0;
  bool header = false;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string text = trim(line);
    if (text.empty() || text[0] == '#') continue;
    const std::string where = fmt::format("{}:{}: expected ", path, line_no);
    std::vector<std::string> cells;
    std::stringstream ss(text);
    for (std::string c; std::getline(ss, c, ',');) cells.push_back(trim(c));
    if (!header) {
      if (cells != std::vector<std::string>{"i", "j", "w"}) throw MixingError(where + "the header \"i,j,w\", got \"" + text + "\"");
      header = true;
      continue;
    }
    if (cells.size() != 3) throw MixingError(where + "3 fields i,j,w, got \"" + text + "\"");
    int i = -1, j = -1;
    double w = 0;
    try {
      size_t used = 0;
      i = std::stoi(cells[0], &used);
      if (used != cells[0].size()) i = -1;
      j = std::stoi(cells[1], &used);
      if (used != cells[1].size()) j = -1;
      w = std::stod(cells[2], &used);
      if (used != cells[2].size()) throw std::invalid_argument("trailing text");
    } catch (const std::exception&) {
      throw MixingError(where + "two node indices and a weight, got \"" + text + "\"");
    }
    if (i < 0 || i >= n || j < 0 || j >= n)
      throw MixingError(where + fmt::format("node indices in [0, {}), got \"{}\"", n, text));
    if (!(w >= 0) || !std::isfinite(w)) throw MixingError(where + "a weight >= 0, got \"" + cells[2] + "\"");
    if (i != j && !std::binary_search(nb[i].begin(), nb[i].end(), j))
      throw MixingError(where + fmt::format("an entry on an edge of the topology or the diagonal ({} -- {} is no edge)", i, j));
    if (!entries.emplace(std::make_pair(i, j), w).second)
      throw MixingError(where + fmt::format("each entry once ({},{} is repeated)", i, j));
  }
  if (!header) throw MixingError(path + ": expected the header \"i,j,w\" and the matrix's entries, got an empty file");
  MixingMatrix m;
  m.rows.resize(n);
  for (auto& row : m.rows) row.self = 0;
  for (const auto& [ij, w] : entries) {
    const auto [i, j] = ij;
    if (i == j) {
      m.rows[i].self = w;
    } else if (w > 0) {
      m.rows[i].peers.push_back(j);
      m.rows[i].weights.push_back(w);
    }
  }
  for (const auto& [ij, w] : entries) {
    auto it = entries.find({ij.second, ij.first});
    const double back = it == entries.end() ? 0.0 : it->second;
    if (std::abs(back - w) > 1e-9)
      throw MixingError(fmt::format("{}: expected a symmetric matrix (W[{}][{}] = {} but W[{}][{}] = {})", path, ij.first,
                                    ij.second, w, ij.second, ij.first, back));
  }
  for (int i = 0; i < n; ++i) {
    double sum = m.rows[i].self;
    for (double w : m.rows[i].weights) sum += w;
    if (std::abs(sum - 1.0) > 1e-9)
      throw MixingError(fmt::format("{}: expected rows that sum to 1 (row {} sums to {})", path, i, sum));
  }
  return m;
}

MixingMatrix one_peer_exponential(int n, int tau, int round) {
  const long offset = 1L << ((round - 1) % tau);
  MixingMatrix w;
  w.rows.resize(n);
  for (int i = 0; i < n; ++i) {
    const int from = static_cast<int>(((i - offset) % n + n) % n);
    w.rows[i].self = 0.5;
    w.rows[i].peers = {from};
    w.rows[i].weights = {0.5};
  }
  return w;
}

MixingMatrix restrict_to_present(const MixingMatrix& w, const std::vector<bool>& present) {
  MixingMatrix out;
  out.rows.resize(w.rows.size());
  for (size_t i = 0; i < w.rows.size(); ++i) {
    auto& row = out.rows[i];
    if (!present[i]) continue;  // self = 1, no peers: keeps its value
    row.self = w.rows[i].self;
    for (size_t k = 0; k < w.rows[i].peers.size(); ++k) {
      const int j = w.rows[i].peers[k];
      if (present[j]) {
        row.peers.push_back(j);
        row.weights.push_back(w.rows[i].weights[k]);
      } else {
        row.self += w.rows[i].weights[k];
      }
    }
  }
  return out;
}

double stochasticity_error(const MixingMatrix& w) {
  const int n = w.n();
  std::vector<double> col(n, 0.0);
  double err = 0;
  for (int i = 0; i < n; ++i) {
    double row = w.rows[i].self;
    col[i] += w.rows[i].self;
    for (size_t k = 0; k < w.rows[i].peers.size(); ++k) {
      row += w.rows[i].weights[k];
      col[w.rows[i].peers[k]] += w.rows[i].weights[k];
    }
    err = std::max(err, std::abs(row - 1.0));
  }
  for (double c : col) err = std::max(err, std::abs(c - 1.0));
  return err;
}

double asymmetry(const MixingMatrix& w) {
  const auto a = w.dense();
  const int n = w.n();
  double err = 0;
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j) err = std::max(err, std::abs(a[i * n + j] - a[j * n + i]));
  return err;
}

}  // namespace flemu
