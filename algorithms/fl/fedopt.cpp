#include "algorithms/fl/fedopt.hpp"

#include <cmath>
#include <stdexcept>

#include "algorithms/aggregation.hpp"

namespace flemu {

Params adaptive_server_step(AdaptiveServerState& st, const Params& x, const Params& delta, SecondMoment kind,
                            double lr, double beta1, double beta2, double tau) {
  if (x.size() != delta.size()) throw std::invalid_argument("adaptive_server_step: size mismatch");
  if (st.m.empty()) {
    st.m.assign(x.size(), 0.0f);
    st.v.assign(x.size(), static_cast<float>(tau * tau));
  }
  if (st.m.size() != x.size()) throw std::invalid_argument("adaptive_server_step: state size mismatch");
  Params out(x.size());
  for (size_t j = 0; j < x.size(); ++j) {
    const double d = delta[j], d2 = d * d;
    const double m = beta1 * st.m[j] + (1 - beta1) * d;
    double v = st.v[j];
    if (kind == SecondMoment::Adam) {
      v = beta2 * v + (1 - beta2) * d2;
    } else {
      const double diff = v - d2;
      v = v - (1 - beta2) * d2 * (diff > 0 ? 1.0 : diff < 0 ? -1.0 : 0.0);
    }
    st.m[j] = static_cast<float>(m);
    st.v[j] = static_cast<float>(v);
    out[j] = static_cast<float>(x[j] + lr * m / (std::sqrt(v) + tau));
  }
  return out;
}

Params FedAdaptive::aggregate(const Params& global, const std::vector<ClientUpdate>& updates) {
  const Params delta = difference(fedavg_average(updates), global);
  return adaptive_server_step(state_, global, delta, kind_, spec_.server_lr, spec_.server_momentum,
                              spec_.server_beta2, spec_.server_epsilon);
}

}  // namespace flemu
