#include "algorithms/fl/fedavgm.hpp"

#include <stdexcept>

#include "algorithms/aggregation.hpp"

namespace flemu {

Params server_momentum_step(Params& momentum, const Params& x, const Params& delta, double lr, double beta) {
  if (x.size() != delta.size()) throw std::invalid_argument("server_momentum_step: size mismatch");
  if (momentum.empty()) momentum.assign(x.size(), 0.0f);
  if (momentum.size() != x.size()) throw std::invalid_argument("server_momentum_step: state size mismatch");
  Params out(x.size());
  for (size_t j = 0; j < x.size(); ++j) {
    const double m = beta * momentum[j] + delta[j];
    momentum[j] = static_cast<float>(m);
    out[j] = static_cast<float>(x[j] + lr * m);
  }
  return out;
}

Params FedAvgM::aggregate(const Params& global, const std::vector<ClientUpdate>& updates) {
  return server_momentum_step(m_, global, difference(fedavg_average(updates), global), spec_.server_lr,
                              spec_.server_momentum);
}

}  // namespace flemu
