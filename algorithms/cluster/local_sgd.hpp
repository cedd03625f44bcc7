// Local SGD — Stich, "Local SGD Converges Fast and Communicates Little", ICLR 2019,
// Algorithm 1 (also Lin et al., "Don't Use Large Mini-Batches, Use Local SGD", ICLR 2020):
// each worker runs H = inner_steps SGD steps from the common model, then the workers' models
// are averaged (a blocking all-reduce) and the average is the next common model.
#pragma once
#include "algorithms/cluster/data_parallel.hpp"

namespace flemu {

class LocalSgd final : public DataParallelMethod {
 public:
  explicit LocalSgd(const AlgorithmSpec&) {}
  std::string name() const override { return "local-sgd"; }
  SyncPoint sync() const override { return SyncPoint::EndOfRound; }
  /// x_{t+1} = (1/G) sum_i x_i[t, H].
  Params next_start(const Params&, const Params* average, const Params*) override { return *average; }
};

}  // namespace flemu
