#include "workloads/models/model_info.hpp"

#include "workloads/models/cnn5.hpp"

#include <cmath>
#include <stdexcept>

namespace flemu {

namespace {
double layer_forward_flops(const LayerShape& l) {
  if (l.kind == LayerShape::Linear) return 2.0 * l.in * l.out;
  return 2.0 * l.out * l.out_h * l.out_w * l.in * l.kernel * l.kernel;
}
int64_t layer_params(const LayerShape& l) {
  if (l.kind == LayerShape::Linear) return l.in * l.out + l.out;
  return l.out * l.in * l.kernel * l.kernel + l.out;
}
}  // namespace

double forward_flops_per_sample(const std::vector<LayerShape>& layers) {
  double f = 0;
  for (const auto& l : layers) f += layer_forward_flops(l);
  return f;
}

double train_flops_per_sample(const std::vector<LayerShape>& layers) {
  double f = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    double fwd = layer_forward_flops(layers[i]);
    f += fwd + (i == 0 ? 1.0 : 2.0) * fwd;
  }
  return f;
}

std::string to_string(ModelKind kind) {
  switch (kind) {
    case ModelKind::Mlp: return "mlp";
    case ModelKind::Cnn: return "cnn";
    case ModelKind::Cnn5: return "cnn5";
    case ModelKind::Custom: return "custom";
    case ModelKind::Linear: return "linear";
    case ModelKind::Transformer: return "transformer";
  }
  return "?";
}

ModelInfo describe_model(const WorkloadSpec& workload) {
  if (workload.model != ModelKind::Custom) return describe_model(workload.model);
  const CustomModelSpec& c = workload.custom;
  ModelInfo m;
  m.kind = ModelKind::Custom;
  m.name = c.name;
  m.num_params = static_cast<int64_t>(c.params);
  m.bytes = static_cast<int64_t>(std::llround(c.params * c.bytes_per_param));
  m.train_flops_per_sample = c.train_flops_per_sample;
  m.forward_flops_per_sample = c.forward_flops_per_sample;
  return m;
}

ModelInfo describe_model(ModelKind kind) {
  if (kind == ModelKind::Transformer)
    throw std::invalid_argument("describe_model: the transformer is described by describe_lm (lm_trainer.hpp)");
  if (kind == ModelKind::Custom) throw std::invalid_argument("describe_model: a custom model needs its spec");
  ModelInfo m;
  m.kind = kind;
  m.name = to_string(kind);
  if (kind == ModelKind::Linear)
    throw std::invalid_argument("the linear model's size depends on the workload: use linear_model_info(features)");
  if (kind == ModelKind::Mlp) {
    m.layers = {{LayerShape::Linear, 784, 200}, {LayerShape::Linear, 200, 200}, {LayerShape::Linear, 200, 10}};
  } else if (kind == ModelKind::Cnn5) {
    for (const auto& c : cnn5_layers()) m.layers.push_back({LayerShape::Conv2d, c.in, c.out, 3, c.out_side, c.out_side});
    m.layers.push_back({LayerShape::Linear, cnn5_layers().back().out, kCnn5Classes});
  } else {
    m.layers = {{LayerShape::Conv2d, 1, 32, 5, 28, 28},
                {LayerShape::Conv2d, 32, 64, 5, 14, 14},
                {LayerShape::Linear, 7 * 7 * 64, 512},
                {LayerShape::Linear, 512, 10}};
  }
  for (const auto& l : m.layers) m.num_params += layer_params(l);
  m.bytes = m.num_params * 4;
  m.trainable_params = m.num_params;
  m.forward_flops_per_sample = forward_flops_per_sample(m.layers);
  m.train_flops_per_sample = train_flops_per_sample(m.layers);
  return m;
}

}  // namespace flemu

#include "workloads/rng.hpp"

namespace flemu {
std::vector<float> initial_parameters(const ModelInfo& info, uint64_t seed) {
  std::vector<float> p;
  p.reserve(info.num_params);
  Rng rng(seed);
  for (const auto& l : info.layers) {
    const int64_t fan_in = l.kind == LayerShape::Linear ? l.in : l.in * l.kernel * l.kernel;
    const int64_t weights = l.kind == LayerShape::Linear ? l.in * l.out : l.out * fan_in;
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    for (int64_t i = 0; i < weights + l.out; ++i) p.push_back(static_cast<float>(rng.uniform(-bound, bound)));
  }
  return p;
}
}  // namespace flemu
