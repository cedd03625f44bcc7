#include "emulator/core/network_graph.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "workloads/rng.hpp"

namespace flemu {

MixingMatrix NetworkGraph::mixing_at(int round) const {
  if (rule == MixingRule::OnePeer) return one_peer_exponential(topology.n, topology.period, round);
  return mixing;
}

uint64_t topology_seed(const Scenario& sc) { return derive_seed(sc.seed, SeedStream::Topology); }

NetworkGraph make_network_graph(const Scenario& sc, const std::vector<std::string>& names, bool spectra) {
  if (!sc.platform.topology) throw TopologyError("a topology (platform.topology) for a decentralized algorithm");
  NetworkGraph g;
  g.topology = build_topology(*sc.platform.topology, names, topology_seed(sc));
  const auto& nb = g.topology.neighbours;
  const DecentralizedSpec& d = sc.algorithm.decentralized;
  g.mixes = sc.algorithm.family == "decentralized";
  g.rule = g.mixes ? mixing_rule_from_name(d.mixing) : MixingRule::MetropolisHastings;
  switch (g.rule) {
    case MixingRule::MetropolisHastings: g.mixing = metropolis_hastings(nb); break;
    case MixingRule::MaxDegree: g.mixing = max_degree(nb); break;
    case MixingRule::Uniform: g.mixing = uniform_weights(nb); break;
    case MixingRule::File: g.mixing = mixing_from_file(d.mixing_file, nb); break;
    case MixingRule::OnePeer:
      if (!g.topology.time_varying()) throw MixingError("the one-peer rule only with the one-peer-exponential topology");
      g.mixing = one_peer_exponential(g.topology.n, g.topology.period, 1);
      break;
  }
  if (spectra && g.topology.n <= kMaxSpectrumNodes) {
    // The Laplacian quantities are those of the graph; for the time-varying one-peer graph the
    // gap reported is that of the union graph's MH matrix, its own contraction apart.
    const MixingMatrix w = g.rule == MixingRule::OnePeer ? metropolis_hastings(nb) : g.mixing;
    g.spectrum = graph_spectrum(nb, w);
    if (g.topology.time_varying()) g.period_contraction = one_peer_period_contraction(g.topology.n, g.topology.period);
  }
  return g;
}

nlohmann::ordered_json graph_summary(const NetworkGraph& g) {
  const Topology& t = g.topology;
  nlohmann::ordered_json j;
  j["topology"] = to_string(t.kind);
  j["nodes"] = t.n;
  j["edges"] = t.edges.size();
  int dmin = t.n;
  for (const auto& nb : t.neighbours) dmin = std::min(dmin, static_cast<int>(nb.size()));
  j["degree"] = {{"min", dmin}, {"max", t.max_degree()}, {"mean", 2.0 * t.edges.size() / t.n}};
  if (t.rows > 0) j["lattice"] = {{"rows", t.rows}, {"cols", t.cols}};
  j["mixing"] = g.mixes ? to_string(g.rule) : "none (pairwise exchanges)";
  if (!g.spectrum) {
    j["spectra"] = nullptr;
    j["spectra_note"] = fmt::format("not computed above {} nodes (dense eigendecomposition)", kMaxSpectrumNodes);
    return j;
  }
  const GraphSpectrum& s = *g.spectrum;
  nlohmann::ordered_json sp;
  sp["gap"] = s.gap;
  sp["lambda"] = s.w_lambda;
  sp["w_symmetric"] = s.w_symmetric;
  if (s.w_symmetric) sp["w_lambda2"] = s.w_lambda2, sp["w_lambda_min"] = s.w_lambda_min;
  sp["laplacian_lambda2"] = s.l_lambda2;
  sp["laplacian_lambda_max"] = s.l_lambda_max;
  sp["max_edge_resistance"] = s.max_resistance;
  sp["chi1"] = s.chi1;
  sp["chi2"] = s.chi2;
  sp["lambda_mix"] = s.lambda_mix;
  sp["adom_chi"] = s.adom_chi;
  if (!std::isnan(g.period_contraction)) sp["one_peer_period_contraction"] = g.period_contraction;
  if (!g.mixes) sp["gap_of"] = "metropolis-hastings W (the algorithm exchanges pairwise)";
  sp["normalisation"] =
      "gap = 1 - max(|lambda_2(W)|, |lambda_n(W)|) (||W - J||_2 if W is not symmetric); L = D - A, the unweighted "
      "Laplacian; chi1 = |E| / lambda_2(L) and chi2 = |E| max_e R_e(L) / 2 are those of DADAO's L/|E|; "
      "lambda_mix = sqrt(2 chi1 chi2); adom_chi = lambda_max(L) / lambda_2(L)" +
      std::string(g.rule == MixingRule::OnePeer ? "; gap of the union graph's Metropolis-Hastings W" : "");
  j["spectra"] = sp;
  return j;
}

std::string describe_graph(const NetworkGraph& g) {
  const Topology& t = g.topology;
  std::string s = fmt::format("topology: {}, {} nodes, {} edges, degree {}-{}", to_string(t.kind), t.n, t.edges.size(),
                              [&] {
                                int d = t.n;
                                for (const auto& nb : t.neighbours) d = std::min(d, static_cast<int>(nb.size()));
                                return d;
                              }(),
                              t.max_degree());
  if (t.rows > 0) s += fmt::format(", {} x {}", t.rows, t.cols);
  if (t.time_varying()) s += fmt::format(", one peer per round, period {} rounds", t.period);
  s += g.mixes ? fmt::format("\nmixing: {}\n", to_string(g.rule))
               : std::string("\nmixing: none, pairwise exchanges (the gap below is that of the Metropolis-Hastings W)\n");
  if (!g.spectrum) return s + fmt::format("spectra: not computed above {} nodes\n", kMaxSpectrumNodes);
  const GraphSpectrum& sp = *g.spectrum;
  s += fmt::format("spectral gap 1 - lambda = {:.6g} (lambda = {:.6g}{})\n", sp.gap, sp.w_lambda,
                   g.rule == MixingRule::OnePeer ? ", union graph, Metropolis-Hastings" : "");
  if (!std::isnan(g.period_contraction))
    s += fmt::format("one-peer period: ||W_tau...W_1 - J||_2 = {:.6g}\n", g.period_contraction);
  s += fmt::format(
      "Laplacian L = D - A: lambda_2 = {:.6g}, lambda_max = {:.6g}, max edge resistance {:.6g}\n"
      "DADAO (L / |E|): chi1 = {:.6g}, chi2 = {:.6g}, lambda_mix = {:.6g} edge events per unit of time; ADOM+ chi = "
      "{:.6g}\n",
      sp.l_lambda2, sp.l_lambda_max, sp.max_resistance, sp.chi1, sp.chi2, sp.lambda_mix, sp.adom_chi);
  return s;
}

nlohmann::ordered_json topology_file(const NetworkGraph& g, const std::vector<std::string>& names) {
  nlohmann::ordered_json j = graph_summary(g);
  j["node_names"] = names;
  auto edges = nlohmann::ordered_json::array();
  for (const auto& e : g.topology.edges) edges.push_back({e.a, e.b});
  j["edge_list"] = edges;
  return j;
}

}  // namespace flemu
