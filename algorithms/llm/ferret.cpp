#include "algorithms/llm/ferret.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "workloads/random_directions.hpp"
#include "workloads/rng.hpp"

namespace flemu {

namespace {

std::vector<double> gather_group(const FerretGroup& g, const Params& a, const Params& b) {
  std::vector<double> out;
  out.reserve(static_cast<size_t>(g.size));
  for (const auto& [off, n] : g.ranges)
    for (int64_t i = 0; i < n; ++i) out.push_back(static_cast<double>(a[off + i]) - b[off + i]);
  return out;
}

int index_bytes(int K) { return K <= 256 ? 1 : 2; }

}  // namespace

std::vector<FerretGroup> ferret_groups(const ModelInfo& model) {
  std::vector<std::pair<int64_t, int64_t>> tensors;  // trainable (offset, numel)
  if (model.tensors.empty()) {
    tensors.emplace_back(0, model.num_params);
  } else {
    for (const auto& t : model.tensors)
      if (t.trainable) tensors.emplace_back(t.offset, t.numel);
  }
  if (tensors.empty()) throw std::invalid_argument("ferret: the model has no trainable tensor");
  std::vector<int64_t> sizes;
  for (const auto& t : tensors) sizes.push_back(t.second);
  std::sort(sizes.begin(), sizes.end());
  // numpy's median: the mean of the two middle values for an even count.
  const double median = sizes.size() % 2 ? double(sizes[sizes.size() / 2])
                                         : 0.5 * (sizes[sizes.size() / 2 - 1] + sizes[sizes.size() / 2]);
  const auto target = static_cast<int64_t>(std::floor(0.9 * median));
  std::vector<FerretGroup> groups;
  FerretGroup open;
  for (const auto& [off, n] : tensors) {
    if (open.size > 0 && open.size + n > target) {
      groups.push_back(std::move(open));
      open = FerretGroup{};
    }
    if (!open.ranges.empty() && open.ranges.back().first + open.ranges.back().second == off)
      open.ranges.back().second += n;
    else
      open.ranges.emplace_back(off, n);
    open.size += n;
  }
  groups.push_back(std::move(open));
  return groups;
}

std::vector<uint64_t> ferret_seeds(uint64_t run_seed, int K) {
  std::vector<uint64_t> s;
  for (int k = 0; k < K; ++k) s.push_back(derive_seed(run_seed, SeedStream::SharedSeeds, {1, uint64_t(k)}));
  return s;
}

FerretPayload ferret_encode(const std::vector<FerretGroup>& groups, const std::vector<uint64_t>& seeds,
                            const FerretParams& p, const Params& start, const Params& trained, uint64_t client_seed) {
  const int K = static_cast<int>(seeds.size());
  std::vector<std::vector<double>> deltas;
  std::vector<double> norms;
  double max_norm = 1e-8;
  for (const auto& g : groups) {
    deltas.push_back(gather_group(g, start, trained));
    double ss = 0;
    for (double x : deltas.back()) ss += x * x;
    norms.push_back(std::sqrt(ss));
    if (std::isfinite(norms.back())) max_norm = std::max(max_norm, norms.back());
  }
  FerretPayload out;
  out.wire_bytes = 8;
  std::vector<int> all(K);
  for (int k = 0; k < K; ++k) all[k] = k;
  std::vector<float> v;
  for (size_t g = 0; g < groups.size(); ++g) {
    const int64_t d = groups[g].size;
    int n = std::isfinite(norms[g]) ? static_cast<int>(std::floor(K * norms[g] / max_norm)) : 2;
    n = std::min(K, std::max(n, 2));
    const auto chosen = sample_without_replacement(all, n, derive_seed(client_seed, {0xFE77, uint64_t(g)}));
    v.resize(static_cast<size_t>(d));
    for (int k : chosen) {
      fill_direction(seeds[k], g, p.basis, 1.0 / std::sqrt(static_cast<double>(d)), v.data(), d);
      double dot = 0;
      for (int64_t i = 0; i < d; ++i) dot += deltas[g][i] * v[i];
      out.coefficients.push_back({static_cast<uint32_t>(g), static_cast<uint32_t>(k), double(d) / n * dot});
    }
    out.wire_bytes += 2 + static_cast<uint64_t>(chosen.size()) * (index_bytes(K) + 4);
    out.device_flops += 2.0 * static_cast<double>(chosen.size()) * static_cast<double>(d);
  }
  return out;
}

std::vector<float> ferret_reconstruct(const std::vector<double>& table, const std::vector<FerretGroup>& groups,
                                      const std::vector<uint64_t>& seeds, const FerretParams& p, int64_t num_params) {
  const size_t K = seeds.size(), G = groups.size();
  if (table.size() != K * G) throw std::invalid_argument("ferret_reconstruct: table is not K x G");
  std::vector<float> out(static_cast<size_t>(num_params), 0.f);
  std::vector<float> v;
  for (size_t g = 0; g < G; ++g) {
    const int64_t d = groups[g].size;
    const double scale = 1.0 / std::sqrt(static_cast<double>(d));
    std::vector<double> acc(static_cast<size_t>(d), 0.0);
    v.resize(static_cast<size_t>(d));
    for (size_t k = 0; k < K; ++k) {
      double c = table[k * G + g];
      if (c == 0) continue;
      fill_direction(seeds[k], g, p.basis, scale, v.data(), d);
      if (p.reconstruction_clip > 0) {
        double ss = 0;
        for (float x : v) ss += double(x) * x;
        const double norm = std::abs(c) * std::sqrt(ss);
        if (norm > p.reconstruction_clip) c *= p.reconstruction_clip / norm;
      }
      for (int64_t i = 0; i < d; ++i) acc[i] += c * v[i];
    }
    int64_t i = 0;
    for (const auto& [off, n] : groups[g].ranges)
      for (int64_t j = 0; j < n; ++j) out[off + j] = static_cast<float>(acc[i++]);
  }
  return out;
}

uint64_t ferret_table_bytes(const std::vector<double>& table, int K, int G) {
  uint64_t sparse = 8;
  for (int g = 0; g < G; ++g) {
    int nnz = 0;
    for (int k = 0; k < K; ++k) nnz += table[size_t(k) * G + g] != 0;
    sparse += 2 + static_cast<uint64_t>(nnz) * (index_bytes(K) + 4);
  }
  return std::min<uint64_t>(sparse, 4ull * K * G);
}

Ferret::Ferret(const AlgorithmSpec& spec, const AlgorithmContext& context)
    : FedAvg(spec, context), model_(context.model), groups_(ferret_groups(model_)),
      seeds_(ferret_seeds(context.seed, spec.ferret.seeds)),
      gamma_(seeds_.size() * groups_.size(), 0.0) {}

ClientPlan Ferret::plan(int client, int round, const std::shared_ptr<const Params>& global) {
  ClientPlan p = FedAvg::plan(client, round, global);
  plan_seed_download(p, history_, spec_.ferret.download, client, round - 1, dense_trainable_bytes(model_));
  return p;
}

std::shared_ptr<const UpdatePayload> Ferret::encode_update(const TrainJob& job, const TrainResult& trained) const {
  if (job.start->empty()) {
    // Analytic training: n_g depends on the update's norms, which do not exist; count the
    // upper bound, K coefficients in every group.
    auto p = std::make_shared<FerretPayload>();
    const uint64_t K = seeds_.size();
    p->wire_bytes = 8;
    for (const auto& g : groups_) {
      p->wire_bytes += 2 + K * (index_bytes(static_cast<int>(K)) + 4);
      p->device_flops += 2.0 * static_cast<double>(K) * static_cast<double>(g.size);
    }
    return p;
  }
  return std::make_shared<FerretPayload>(
      ferret_encode(groups_, seeds_, spec_.ferret, *job.start, trained.params, job.seed));
}

Params Ferret::aggregate(const Params& global, const std::vector<ClientUpdate>& updates) {
  const size_t G = groups_.size();
  if (global.empty()) {  // analytic training: a dense table, replayed in full
    history_.record(++version_, 4ull * seeds_.size() * G, 2.0 * seeds_.size() * model_.trainable_params);
    for (const auto& u : updates) history_.synced(u.client, u.base_version);
    return global;
  }
  double total = 0;
  for (const auto& u : updates) total += static_cast<double>(u.num_samples);
  std::vector<double> round_table(gamma_.size(), 0.0);
  for (const auto& u : updates) {
    const auto* p = dynamic_cast<const FerretPayload*>(u.payload.get());
    if (!p) throw std::logic_error("ferret: an update without its coefficients");
    const double w = static_cast<double>(u.num_samples) / total;
    for (const auto& c : p->coefficients) round_table[size_t(c.seed) * G + c.group] += w * c.value;
  }
  for (size_t i = 0; i < gamma_.size(); ++i) gamma_[i] = spec_.ferret.server_momentum * gamma_[i] + round_table[i];
  const auto r = ferret_reconstruct(gamma_, groups_, seeds_, spec_.ferret, model_.num_params);
  Params out = global;
  for (const auto& g : groups_)
    for (const auto& [off, n] : g.ranges)
      for (int64_t j = 0; j < n; ++j) out[off + j] = static_cast<float>(global[off + j] - spec_.server_lr * r[off + j]);
  // A replaying client regenerates every direction with a nonzero coefficient.
  double replay = 0;
  for (size_t k = 0; k < seeds_.size(); ++k)
    for (size_t g = 0; g < G; ++g) replay += gamma_[k * G + g] != 0 ? 2.0 * groups_[g].size : 0.0;
  history_.record(++version_, ferret_table_bytes(gamma_, spec_.ferret.seeds, static_cast<int>(G)), replay);
  for (const auto& u : updates) history_.synced(u.client, u.base_version);
  return out;
}

}  // namespace flemu
