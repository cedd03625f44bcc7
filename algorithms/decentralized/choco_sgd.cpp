#include "algorithms/decentralized/choco_sgd.hpp"

#include <cmath>
#include <stdexcept>

#include "workloads/rng.hpp"

namespace flemu {

compression::TensorLayout model_tensor_layout(const ModelInfo& model) {
  compression::TensorLayout layout;
  for (const auto& l : model.layers) {
    const int64_t weights = l.kind == LayerShape::Linear ? l.in * l.out : l.out * l.in * l.kernel * l.kernel;
    layout.numel.push_back(weights);
    layout.is_vector.push_back(false);
    if (model.kind == ModelKind::Linear) continue;  // the regression model has no bias
    layout.numel.push_back(l.out);
    layout.is_vector.push_back(true);
  }
  return layout;
}

Params choco_consensus(const Params& x, double gamma, const Params& hat_own, const Params& q_own,
                       const std::vector<const Params*>& hats, const std::vector<const Params*>& qs,
                       const std::vector<double>& weights) {
  const size_t d = x.size();
  std::vector<double> acc(d, 0.0);
  for (size_t k = 0; k < hats.size(); ++k)
    for (size_t e = 0; e < d; ++e)
      acc[e] += weights[k] * ((double((*hats[k])[e]) + (*qs[k])[e]) - (double(hat_own[e]) + q_own[e]));
  Params out(d);
  for (size_t e = 0; e < d; ++e) out[e] = static_cast<float>(x[e] + gamma * acc[e]);
  return out;
}

ChocoSgd::ChocoSgd(const AlgorithmSpec& spec, const ModelInfo& model, int nodes, uint64_t seed)
    : GossipAlgorithm(spec), seed_(seed), d_(static_cast<size_t>(model.num_params)) {
  compression::CodecSpec c = spec.decentralized.choco.codec;
  const std::string& n = c.name;
  if (n != "none" && n != "fp16" && n != "topk" && n != "qsgd")
    throw std::invalid_argument("choco-sgd compresses with none, fp16, topk or qsgd (a contraction), not \"" + n + "\"");
  c.error_feedback = false;  // CHOCO's public copies are its memory
  codec_ = compression::make_codec(c, model_tensor_layout(model));
  if (n == "qsgd") {
    const double b = c.bucket > 0 ? c.bucket : static_cast<double>(d_), s = c.levels;
    scale_ = 1.0 / (1.0 + std::min(b / (s * s), std::sqrt(b) / s));
  }
  zero_.assign(d_, 0.0f);
  auto zero = std::make_shared<const Params>(zero_);
  hat_.assign(nodes, zero);
  s_.assign(nodes, zero);
  q_.assign(nodes, nullptr);
  next_s_.assign(nodes, nullptr);
}

const Params& ChocoSgd::hat(int node) const { return *hat_[node]; }

std::shared_ptr<const Params> ChocoSgd::compress(const Params& v, int node, int round, uint64_t* bytes,
                                                 double* ops) const {
  compression::EncodeContext ctx;
  ctx.round = round;
  ctx.client = node;
  ctx.seed = derive_seed(seed_, SeedStream::Gossip, {5, uint64_t(round), uint64_t(node)});
  ctx.clients_per_round = static_cast<int>(hat_.size());
  const compression::Payload p = codec_->encode(v, nullptr, ctx);
  *bytes = p.bytes.size();
  *ops = p.ops;
  // Every receiver decodes the same bytes to the same vector: decoded once, shared.
  Params q = codec_->decode(p.bytes).update;
  if (scale_ != 1)
    for (auto& x : q) x = static_cast<float>(x * scale_);
  return std::make_shared<const Params>(std::move(q));
}

GossipAlgorithm::Outgoing ChocoSgd::outgoing(int node, int round, int, const std::shared_ptr<const Params>& z,
                                             uint64_t) {
  if (z->size() != d_) throw std::invalid_argument("choco-sgd needs the model's parameters (real training)");
  Outgoing out;
  auto x = z;
  if (spec_.decentralized.choco.code_order) {  // x += gamma (s_i - x^_i), with last round's copies
    const double g = spec_.decentralized.choco.consensus_step;
    Params moved(d_);
    for (size_t e = 0; e < d_; ++e)
      moved[e] = static_cast<float>((*z)[e] + g * (double((*s_[node])[e]) - hat(node)[e]));
    x = std::make_shared<const Params>(std::move(moved));
  }
  Params diff(d_);
  for (size_t e = 0; e < d_; ++e) diff[e] = (*x)[e] - hat(node)[e];
  q_[node] = compress(diff, node, round, &out.bytes, &out.encode_ops);
  out.message = q_[node];
  out.own = x;
  return out;
}

Params ChocoSgd::mix(int node, int, const Params& own, double self_weight, const std::vector<int>& peers,
                     const std::vector<const Params*>& messages, const std::vector<double>& weights) {
  const double g = spec_.decentralized.choco.consensus_step;
  if (!spec_.decentralized.choco.code_order) {
    std::vector<const Params*> hats;
    for (int j : peers) hats.push_back(hat_[j].get());
    return choco_consensus(own, g, hat(node), *q_[node], hats, messages, weights);
  }
  // Code order: only the memory s_i = sum_j w_ij x^_j moves: s_i += w_ii q_i + sum_j w_ij q_j.
  Params s(d_);
  for (size_t e = 0; e < d_; ++e) {
    double acc = double((*s_[node])[e]) + self_weight * (*q_[node])[e];
    for (size_t k = 0; k < messages.size(); ++k) acc += weights[k] * (*messages[k])[e];
    s[e] = static_cast<float>(acc);
  }
  next_s_[node] = std::make_shared<const Params>(std::move(s));
  return own;
}

void ChocoSgd::end_round(int, const std::vector<char>& finished) {
  for (size_t i = 0; i < hat_.size(); ++i) {
    if (finished[i] && q_[i]) {
      Params h(d_);
      for (size_t e = 0; e < d_; ++e) h[e] = static_cast<float>(double(hat(int(i))[e]) + (*q_[i])[e]);
      hat_[i] = std::make_shared<const Params>(std::move(h));
      if (next_s_[i]) s_[i] = next_s_[i];
    }
    q_[i] = next_s_[i] = nullptr;
  }
}

}  // namespace flemu
