#include "algorithms/pipeline/staged_network.hpp"

#include "workloads/rng.hpp"


namespace flemu {

std::vector<std::vector<int32_t>> epoch_minibatches(std::vector<int32_t> samples, int batch_size, uint64_t seed) {
  Rng rng(seed);
  rng.shuffle(samples);
  const size_t b = static_cast<size_t>(batch_size);
  std::vector<std::vector<int32_t>> out;
  for (size_t i = 0; i < samples.size(); i += b)
    out.emplace_back(samples.begin() + static_cast<std::ptrdiff_t>(i),
                     samples.begin() + static_cast<std::ptrdiff_t>(std::min(samples.size(), i + b)));
  return out;
}

std::vector<std::vector<int32_t>> micro_batches(const std::vector<int32_t>& batch, int parts) {
  // The first n % parts micro-batches get one sample more than the others.
  std::vector<std::vector<int32_t>> out;
  const size_t n = batch.size(), base = n / parts, extra = n % parts;
  size_t first = 0;
  for (size_t m = 0; m < static_cast<size_t>(parts); ++m) {
    const size_t size = base + (m < extra ? 1 : 0);
    out.emplace_back(batch.begin() + static_cast<std::ptrdiff_t>(first),
                     batch.begin() + static_cast<std::ptrdiff_t>(first + size));
    first += size;
  }
  return out;
}

Params train_sequentially(StagedNetwork& net, const PipelinePlan& plan,
                          const std::vector<std::vector<int32_t>>& minibatches) {
  const int stages = net.stages();
  for (const auto& batch : minibatches) {
    if (plan.local) {
      StageData x = net.batch(batch);
      for (int k = 0; k < stages; ++k) x = net.local_step(k, x).data;
      continue;
    }
    const auto micros = micro_batches(batch, plan.micro_batches);
    for (int m = 0; m < static_cast<int>(micros.size()); ++m) {
      StageData x = net.batch(micros[m]);
      for (int k = 0; k < stages; ++k) x = net.forward(k, m, x).data;
    }
    for (int m = static_cast<int>(micros.size()) - 1; m >= 0; --m) {
      StageData g;
      for (int k = stages - 1; k >= 0; --k) g = net.backward(k, m, g);
    }
    for (int k = 0; k < stages; ++k) net.step(k);
  }
  Params all;
  for (int k = 0; k < stages; ++k) {
    const Params p = net.stage_parameters(k);
    all.insert(all.end(), p.begin(), p.end());
  }
  return all;
}

}  // namespace flemu
