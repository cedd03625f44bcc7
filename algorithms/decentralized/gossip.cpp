#include "algorithms/decentralized/gossip.hpp"

#include <stdexcept>

#include "algorithms/aggregation.hpp"

namespace flemu {

Params mix_in_index_order(int self, double self_weight, const Params& own, const std::vector<int>& peer_index,
                          const std::vector<const Params*>& peers, const std::vector<double>& weights) {
  if (peers.size() != weights.size() || peers.size() != peer_index.size())
    throw std::invalid_argument("mix_in_index_order: one index and one weight per peer");
  std::vector<const Params*> xs;
  std::vector<double> ws;
  xs.reserve(peers.size() + 1);
  ws.reserve(peers.size() + 1);
  bool own_added = false;
  for (size_t k = 0; k < peers.size(); ++k) {
    if (!own_added && peer_index[k] > self) {
      xs.push_back(&own), ws.push_back(self_weight);
      own_added = true;
    }
    xs.push_back(peers[k]), ws.push_back(weights[k]);
  }
  if (!own_added) xs.push_back(&own), ws.push_back(self_weight);
  return weighted_sum(xs, ws);
}

Params average_model(const std::vector<const Params*>& models) {
  if (models.empty()) throw std::invalid_argument("average_model: no models");
  const size_t d = models[0]->size();
  std::vector<double> acc(d, 0.0);
  for (const auto* m : models) {
    if (m->size() != d) throw std::invalid_argument("average_model: models of different sizes");
    for (size_t k = 0; k < d; ++k) acc[k] += (*m)[k];
  }
  Params out(d);
  const double inv = 1.0 / static_cast<double>(models.size());
  for (size_t k = 0; k < d; ++k) out[k] = static_cast<float>(acc[k] * inv);
  return out;
}

double consensus_distance(const std::vector<const Params*>& models, const Params& mean) {
  std::vector<double> target(mean.begin(), mean.end());
  return mean_squared_distance(models, target);
}

double mean_squared_distance(const std::vector<const Params*>& models, const std::vector<double>& target) {
  if (models.empty()) return 0;
  double sum = 0;
  for (const auto* m : models) {
    if (m->size() != target.size()) throw std::invalid_argument("mean_squared_distance: sizes differ");
    for (size_t k = 0; k < target.size(); ++k) {
      const double e = static_cast<double>((*m)[k]) - target[k];
      sum += e * e;
    }
  }
  return sum / static_cast<double>(models.size());
}

Params pairwise_average(const Params& a, const Params& b) {
  if (a.size() != b.size()) throw std::invalid_argument("pairwise_average: sizes differ");
  Params out(a.size());
  for (size_t k = 0; k < a.size(); ++k) out[k] = static_cast<float>(0.5 * (static_cast<double>(a[k]) + b[k]));
  return out;
}

Params add_update(const Params& x, const Params& y, const Params& z) {
  if (x.size() != y.size() || y.size() != z.size()) throw std::invalid_argument("add_update: sizes differ");
  Params out(x.size());
  for (size_t k = 0; k < x.size(); ++k)
    out[k] = static_cast<float>(static_cast<double>(x[k]) + (static_cast<double>(y[k]) - z[k]));
  return out;
}

}  // namespace flemu
