#include "algorithms/cluster/data_parallel.hpp"

#include <algorithm>
#include <stdexcept>

#include "algorithms/cluster/co2.hpp"
#include "algorithms/cluster/ddp.hpp"
#include "algorithms/cluster/local_sgd.hpp"
#include "algorithms/cluster/slowmo.hpp"

namespace flemu {

Params outer_momentum_step(const Params& x0, const Params& xbar, Params& momentum, double beta, double alpha,
                           double scale, double clip, const Params* from) {
  if (x0.size() != xbar.size() || (from && from->size() != x0.size()))
    throw std::invalid_argument("outer_momentum_step: vectors of different sizes");
  if (momentum.empty()) momentum.assign(x0.size(), 0.0f);
  if (momentum.size() != x0.size()) throw std::invalid_argument("outer_momentum_step: momentum of another size");
  const float b = static_cast<float>(beta), s = static_cast<float>(scale), a = static_cast<float>(alpha);
  const float c = static_cast<float>(clip);
  const float keep = static_cast<float>(1.0 - alpha * scale), ab = static_cast<float>(alpha * beta);
  Params x(x0.size());
  for (size_t i = 0; i < x0.size(); ++i) {
    const float d = x0[i] - xbar[i];
    const float m_old = momentum[i];
    float m = s * d;
    if (b != 0) m = b * m_old + m;
    const bool clipped = c > 0 && (m > c || m < -c);
    if (clipped) m = std::clamp(m, -c, c);
    momentum[i] = m;
    if (from) {
      x[i] = (*from)[i] - a * m;
    } else if (clipped) {
      x[i] = x0[i] - a * m;
    } else {
      float v = xbar[i];
      if (keep != 0) v += keep * d;
      if (ab != 0) v -= ab * m_old;
      x[i] = v;
    }
  }
  return x;
}

std::unique_ptr<DataParallelMethod> make_data_parallel_method(const AlgorithmSpec& spec) {
  if (spec.name == "ddp") return std::make_unique<Ddp>(spec);
  if (spec.name == "local-sgd") return std::make_unique<LocalSgd>(spec);
  if (spec.name == "slowmo") return std::make_unique<SlowMo>(spec);
  if (spec.name == "co2" || spec.name == "co2-code") return std::make_unique<Co2>(spec);
  throw std::invalid_argument("no data-parallel method \"" + spec.name + "\"");
}

}  // namespace flemu
