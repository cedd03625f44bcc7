#include "algorithms/fl/fedbuff.hpp"

#include "algorithms/aggregation.hpp"

#include <stdexcept>
#include <string>

namespace flemu {

Params model_delta(const Params& client, const Params& start) {
  if (client.size() != start.size()) throw std::invalid_argument("model_delta: size mismatch");
  Params d(client.size());
  for (size_t j = 0; j < d.size(); ++j) d[j] = client[j] - start[j];
  return d;
}

Params fedbuff_step(const Params& global, const Params& sum, double server_lr, int count) {
  if (global.size() != sum.size()) throw std::invalid_argument("fedbuff_step: size mismatch");
  if (count < 1) throw std::invalid_argument("fedbuff_step: count must be >= 1");
  const double scale = server_lr / count;
  Params out(global.size());
  for (size_t j = 0; j < out.size(); ++j) out[j] = static_cast<float>(global[j] + scale * sum[j]);
  return out;
}

FedBuffBuffer::FedBuffBuffer(const FedBuffParams& params) : params_(params) {
  if (params.buffer_size < 1) throw std::invalid_argument("FedBuff: buffer_size must be >= 1");
  if (!(params.server_lr > 0)) throw std::invalid_argument("FedBuff: server_lr must be > 0");
  deltas_.reserve(params.buffer_size);
  weights_.reserve(params.buffer_size);
}

void FedBuffBuffer::add(Params delta, int staleness) {
  if (full()) throw std::invalid_argument("FedBuffBuffer::add: buffer is full, flush() first");
  if (!deltas_.empty() && delta.size() != deltas_.front().size())
    throw std::invalid_argument("FedBuffBuffer::add: delta has " + std::to_string(delta.size()) +
                                " values, buffered ones " + std::to_string(deltas_.front().size()));
  weights_.push_back(staleness_weight(params_.staleness, staleness));
  deltas_.push_back(std::move(delta));
}

Params FedBuffBuffer::flush(const Params& global) {
  if (deltas_.empty()) throw std::invalid_argument("FedBuffBuffer::flush: buffer is empty");
  std::vector<const Params*> xs;
  for (const auto& d : deltas_) xs.push_back(&d);
  Params next = fedbuff_step(global, weighted_sum(xs, weights_), params_.server_lr, size());
  deltas_.clear();
  weights_.clear();
  return next;
}

}  // namespace flemu
