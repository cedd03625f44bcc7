// The graph of a decentralized run, resolved once from the scenario: topology, mixing
// matrix and their spectra, shared by the schedules, `flemu describe` and summary.json.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "algorithms/decentralized/mixing.hpp"
#include "algorithms/decentralized/spectra.hpp"
#include "emulator/config/scenario.hpp"
#include "platforms/topology.hpp"

namespace flemu {

struct NetworkGraph {
  Topology topology;
  MixingRule rule = MixingRule::MetropolisHastings;
  /// Whether the algorithm mixes with W (synchronous rounds); asynchronous ones exchange
  /// pairwise and W (Metropolis-Hastings) only gives the graph's spectral gap.
  bool mixes = true;
  /// The static W (for one-peer exponential: W of round 1, each round shifts).
  MixingMatrix mixing;
  std::optional<GraphSpectrum> spectrum;  ///< none above kMaxSpectrumNodes nodes
  /// One-peer exponential: ||W_tau...W_1 - J||_2 over one period; NaN otherwise.
  double period_contraction = NAN;

  /// W of round `round` (1-based): the static one, or the one-peer shift of that round.
  MixingMatrix mixing_at(int round) const;
};

/// Builds the graph of `sc` (which must have a topology), and its spectra unless `spectra` is
/// false. Throws TopologyError or MixingError.
NetworkGraph make_network_graph(const Scenario& sc, const std::vector<std::string>& device_names, bool spectra = true);

/// The seed random topologies of `sc` are drawn from.
uint64_t topology_seed(const Scenario& sc);

/// summary.json's "graph" object: family, n, |E|, degrees, mixing rule and spectra, with the
/// normalisation stated.
nlohmann::ordered_json graph_summary(const NetworkGraph& g);

/// Lines for `flemu describe`.
std::string describe_graph(const NetworkGraph& g);

/// topology.json, for analysis/ (the report draws the graph): nodes with names, edges, lattice
/// sides, W's rule and spectra.
nlohmann::ordered_json topology_file(const NetworkGraph& g, const std::vector<std::string>& device_names);

}  // namespace flemu
