// Mixing matrices: how much of each neighbour's model a node takes when it gossips,
// x_i <- W_ii x_i + sum_{j in N(i)} W_ij x_j. Pure functions over the graph's adjacency lists.
//
// Rules (card decentralized.md section 5.2; all symmetric and doubly stochastic on any
// undirected graph, except where said):
//   metropolis-hastings  W_ij = 1 / (1 + max(d_i, d_j)) on edges, W_ii = 1 - sum_j W_ij
//                        (needs only local degrees; the default)
//   max-degree           W_ij = 1 / (1 + d_max) on edges, W_ii = 1 - d_i / (1 + d_max)
//   uniform              W_ij = W_ii = 1 / (d + 1): only on regular graphs (ring 1/3, torus
//                        1/5, complete J = 11^T / n); on a regular graph it equals both rules above
//   file                 a CSV "i,j,w" of the entries (checked: on edges or the diagonal,
//                        symmetric, rows summing to 1, entries >= 0)
//   one-peer             the time-varying one-peer exponential graph's W_t = (I + P_t) / 2,
//                        P_t the shift by 2^((t-1) mod tau): doubly stochastic, not symmetric
//
// Devices that are off (section "renormalise" below): their weight in a present node's row
// moves to that node's own weight; an absent node keeps its model (its row is e_i). Moving
// weight to the diagonal keeps W symmetric and doubly stochastic over the present nodes, so
// the average of the present nodes' models is preserved by every gossip step.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace flemu {

enum class MixingRule { MetropolisHastings, MaxDegree, Uniform, File, OnePeer };

const char* to_string(MixingRule rule);
MixingRule mixing_rule_from_name(const std::string& name);  ///< throws std::invalid_argument

/// One row of W, sparse: node i's new value is self * x_i + sum_k weights[k] * x_{peers[k]}.
struct MixingRow {
  double self = 1;
  std::vector<int> peers;       ///< sorted
  std::vector<double> weights;  ///< W_i,peers[k] > 0
};

struct MixingMatrix {
  std::vector<MixingRow> rows;
  int n() const { return static_cast<int>(rows.size()); }
  /// Dense n x n, row-major (for spectra and tests).
  std::vector<double> dense() const;
};

/// Bad mixing input (a rule that does not fit the graph, a malformed file).
struct MixingError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

MixingMatrix metropolis_hastings(const std::vector<std::vector<int>>& neighbours);
MixingMatrix max_degree(const std::vector<std::vector<int>>& neighbours);
/// Throws MixingError when the graph is not regular.
MixingMatrix uniform_weights(const std::vector<std::vector<int>>& neighbours);
/// Reads "i,j,w" lines (0-based node indices; a header "i,j,w" first; '#' comments); entries
/// not given are 0. Throws MixingError "<path>:<line>: expected ..." for a bad line, an entry
/// off the graph, and "<path>: expected ..." for a matrix that is not symmetric or whose rows
/// do not sum to 1 (tolerance 1e-9).
MixingMatrix mixing_from_file(const std::string& path, const std::vector<std::vector<int>>& neighbours);
/// One-peer exponential W_t at 1-based round t on n nodes with period tau: node i takes half
/// of its own value and half of node (i - 2^((t-1) mod tau)) mod n's.
MixingMatrix one_peer_exponential(int n, int tau, int round);

/// The matrix a gossip step uses when only the nodes with present[i] take part: absent
/// neighbours' weights move to the diagonal, absent nodes keep their value.
MixingMatrix restrict_to_present(const MixingMatrix& w, const std::vector<bool>& present);

/// Largest |row sum - 1| and |column sum - 1| (0 for a doubly stochastic matrix).
double stochasticity_error(const MixingMatrix& w);
/// Largest |W_ij - W_ji|.
double asymmetry(const MixingMatrix& w);

}  // namespace flemu
