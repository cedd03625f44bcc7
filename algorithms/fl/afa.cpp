#include "algorithms/fl/afa.hpp"

#include <stdexcept>
#include <string>

namespace flemu {

namespace {

/// global - scale * Σ_i xs[i], accumulated in double in input order.
Params step_by_sum(const Params& global, const std::vector<const Params*>& xs, double scale, const char* who) {
  std::vector<double> acc(global.size(), 0.0);
  for (const Params* x : xs) {
    if (x->size() != global.size())
      throw std::invalid_argument(std::string(who) + ": update has " + std::to_string(x->size()) +
                                  " values, model " + std::to_string(global.size()));
    for (size_t j = 0; j < acc.size(); ++j) acc[j] += (*x)[j];
  }
  Params out(global.size());
  for (size_t j = 0; j < out.size(); ++j) out[j] = static_cast<float>(global[j] - scale * acc[j]);
  return out;
}

}  // namespace

Params afa_normalized_update(const Params& start, const Params& end, double local_lr, int local_steps) {
  if (start.size() != end.size()) throw std::invalid_argument("afa_normalized_update: size mismatch");
  if (!(local_lr > 0)) throw std::invalid_argument("afa_normalized_update: local_lr must be > 0");
  if (local_steps < 1) throw std::invalid_argument("afa_normalized_update: local_steps must be >= 1");
  const double scale = 1.0 / (local_lr * local_steps);
  Params g(start.size());
  for (size_t j = 0; j < g.size(); ++j) g[j] = static_cast<float>((double(start[j]) - end[j]) * scale);
  return g;
}

Params afa_cd_step(const Params& global, const std::vector<const Params*>& updates, double server_lr,
                   double local_lr) {
  if (updates.empty()) throw std::invalid_argument("afa_cd_step: no updates");
  return step_by_sum(global, updates, server_lr * local_lr / static_cast<double>(updates.size()), "afa_cd_step");
}

AfaCsMemory::AfaCsMemory(int num_clients) {
  if (num_clients < 1) throw std::invalid_argument("AfaCsMemory: num_clients must be >= 1");
  latest.resize(num_clients);
}

void afa_cs_remember(AfaCsMemory& memory, int client, Params update) {
  if (client < 0 || client >= static_cast<int>(memory.latest.size()))
    throw std::invalid_argument("afa_cs_remember: client " + std::to_string(client) + " outside [0, " +
                                std::to_string(memory.latest.size()) + ")");
  for (const auto& g : memory.latest)
    if (!g.empty() && g.size() != update.size())
      throw std::invalid_argument("afa_cs_remember: update size differs from the remembered ones");
  memory.latest[client] = std::move(update);
}

Params afa_cs_step(const Params& global, const AfaCsMemory& memory, double server_lr, double local_lr) {
  std::vector<const Params*> present;
  for (const auto& g : memory.latest)
    if (!g.empty()) present.push_back(&g);
  if (present.empty()) throw std::invalid_argument("afa_cs_step: no silo has reported yet");
  const double n = static_cast<double>(memory.latest.size());
  return step_by_sum(global, present, server_lr * local_lr / n, "afa_cs_step");
}

}  // namespace flemu
