#include "algorithms/pipeline/stage_plan.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <stdexcept>

namespace flemu {

int64_t AuxNetSpec::params() const {
  int64_t p = features * kCnn5Classes + kCnn5Classes;
  for (const auto& c : convs) p += c.params();
  return p + (batch_norm ? 2 * features : 0);
}

double AuxNetSpec::forward_flops() const {
  double f = 2.0 * features * kCnn5Classes;
  for (const auto& c : convs) f += c.forward_flops();
  return f;
}

int64_t AuxNetSpec::activation_floats() const {
  int64_t a = features;
  for (const auto& c : convs) a += c.in * c.in_side * c.in_side + c.output_floats();
  return a;
}

AuxNetSpec cnn5_aux_net(int layer, int depth) {
  const auto& net = cnn5_layers();
  AuxNetSpec aux;
  int64_t channels = net[layer].out, side = net[layer].out_side;
  for (int j : auglocal_aux_layers(layer, static_cast<int>(net.size()), depth)) {
    // A fresh layer of layer j's width; stride 2 where the width grows (the code's rule for
    // its BasicBlocks: stride 2 whenever the channel count changes upwards).
    const int stride = net[j].out > channels ? 2 : 1;
    const int64_t out_side = (side + stride - 1) / stride;
    aux.convs.push_back({channels, net[j].out, stride, side, out_side});
    channels = net[j].out;
    side = out_side;
  }
  aux.features = channels;
  aux.batch_norm = depth <= 1;
  return aux;
}

double PipelinePlan::forward_bytes(int k, int64_t b) const {
  if (k + 1 >= static_cast<int>(stages.size())) return 0;
  return static_cast<double>(b) * (4.0 * static_cast<double>(stages[k].output_floats) + 8.0);
}

double PipelinePlan::backward_bytes(int k, int64_t b) const {
  if (local || k + 1 >= static_cast<int>(stages.size())) return 0;
  return static_cast<double>(b) * 4.0 * static_cast<double>(stages[k].output_floats);
}

double PipelinePlan::memory_bytes(int k, int64_t b) const {
  const StagePlan& s = stages[k];
  const double state = 4.0 * static_cast<double>(s.params) * (momentum ? 3 : 2);
  const double kept = 4.0 * static_cast<double>(b) * static_cast<double>(s.kept_floats);
  double buffers = 4.0 * static_cast<double>(b) * static_cast<double>(s.input_floats + s.output_floats);
  if (!local) buffers *= 2;  // the gradients travel back through buffers of the same sizes
  return state + kept + buffers;
}

namespace {

/// One stage of cnn5 holding layers [first, first + count).
StagePlan stage_of(int first, int count, bool local, const std::vector<int>& depths) {
  const auto& net = cnn5_layers();
  const int n = static_cast<int>(net.size());
  StagePlan s;
  s.first_layer = first;
  s.layers = count;
  s.has_head = first + count == n;
  s.input_floats = net[first].in * net[first].in_side * net[first].in_side;
  s.output_floats = s.has_head ? 0 : net[first + count - 1].output_floats();
  int64_t peak_local = 0;
  for (int l = first; l < first + count; ++l) {
    const ConvSpec& c = net[l];
    const double f = c.forward_flops();
    const int64_t kept = c.in * c.in_side * c.in_side + c.output_floats();
    s.params += c.params();
    s.forward_flops += f;
    if (local) {
      s.train_flops += 2 * f;  // forward, and weight gradients (the input is detached)
      int64_t layer_kept = kept;
      if (l + 1 < n) {
        AuxNetSpec aux = cnn5_aux_net(l, depths[l]);
        s.params += aux.params();
        s.train_flops += 3 * aux.forward_flops();
        layer_kept += aux.activation_floats();
        s.aux.push_back(aux);
      }
      peak_local = std::max(peak_local, layer_kept);
    } else {
      const double backward = (l == 0 ? 1 : 2) * f;
      s.backward_flops += backward;
      s.train_flops += f + backward;
      s.kept_floats += kept;
    }
  }
  if (s.has_head) {
    const int64_t width = net.back().out;
    const double head = 2.0 * width * kCnn5Classes;
    s.params += width * kCnn5Classes + kCnn5Classes;
    s.forward_flops += head;
    s.backward_flops += local ? 0 : 2 * head;
    s.train_flops += 3 * head;
    if (local) peak_local += width;
    else s.kept_floats += width;
  }
  if (local) s.kept_floats = peak_local;
  if (!local) s.backward_flops = s.train_flops - s.forward_flops;
  return s;
}

}  // namespace

PipelinePlan make_pipeline_plan(const AlgorithmSpec& a, int devices) {
  const int n = cnn5_layer_count();
  PipelinePlan plan;
  plan.local = a.name == "auglocal";
  plan.micro_batches = plan.local ? 1 : a.micro_batches;
  plan.momentum = a.momentum > 0;
  if (devices < 1 || devices > n)
    throw std::invalid_argument("pipeline: 1 to " + std::to_string(n) + " devices for cnn5, not " + std::to_string(devices));
  const std::vector<int> depths =
      plan.local ? auglocal_aux_depths(n, AugLocalParams{a.aux_depth, a.pyramid}) : std::vector<int>(n - 1, 0);
  auto build = [&](const std::vector<int>& split) {
    std::vector<StagePlan> stages;
    int first = 0;
    for (int count : split) {
      stages.push_back(stage_of(first, count, plan.local, depths));
      first += count;
    }
    if (first != n) throw std::invalid_argument("pipeline: the layer split covers " + std::to_string(first) + " layers, not " + std::to_string(n));
    return stages;
  };
  if (!a.layer_split.empty()) {
    if (static_cast<int>(a.layer_split.size()) != devices)
      throw std::invalid_argument("pipeline: a layer split of " + std::to_string(a.layer_split.size()) + " stages for " +
                                  std::to_string(devices) + " devices");
    plan.stages = build(a.layer_split);
    return plan;
  }
  // Every composition of n layers into `devices` positive parts, in lexicographic order.
  double best = std::numeric_limits<double>::infinity();
  std::vector<int> split;
  std::function<void(int, int)> visit = [&](int left, int parts) {
    if (parts == 1) {
      split.push_back(left);
      auto stages = build(split);
      double worst = 0;
      for (const auto& s : stages) worst = std::max(worst, s.train_flops);
      if (worst < best) best = worst, plan.stages = std::move(stages);
      split.pop_back();
      return;
    }
    for (int k = 1; k <= left - parts + 1; ++k) {
      split.push_back(k);
      visit(left - k, parts - 1);
      split.pop_back();
    }
  };
  visit(n, devices);
  return plan;
}

}  // namespace flemu
