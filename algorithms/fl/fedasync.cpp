#include "algorithms/fl/fedasync.hpp"

#include <stdexcept>
#include <string>

#include "algorithms/aggregation.hpp"

namespace flemu {

double fedasync_alpha(double alpha, const StalenessSpec& spec, int staleness) {
  if (!(alpha >= 0 && alpha <= 1)) throw std::invalid_argument("fedasync: alpha must be in [0, 1]");
  return alpha * staleness_weight(spec, staleness);
}

Params fedasync_update(const Params& global, const Params& client, double alpha, const StalenessSpec& spec,
                       int staleness) {
  return mix(global, client, fedasync_alpha(alpha, spec, staleness));
}

int fedasync_receive(FedAsyncState& state, const FedAsyncParams& params, const Params& client, int client_version) {
  const int staleness = state.version - client_version;
  if (staleness < 0)
    throw std::invalid_argument("fedasync_receive: client version " + std::to_string(client_version) +
                                " is newer than the server's " + std::to_string(state.version));
  state.global = fedasync_update(state.global, client, params.alpha, params.staleness, staleness);
  ++state.version;
  return staleness;
}

}  // namespace flemu
