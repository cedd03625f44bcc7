// The pipeline algorithms' networks in LibTorch: cnn5 cut into stages (stage_plan.hpp), with
// AugLocal's auxiliary networks (auglocal.hpp) or plain backpropagation across stages.
//
// Determinism (../shared/FACTS.md): one intra-op thread for the process; every weight drawn
// from flemu's own generator (never torch's global one); each stage touches only its own
// modules and optimiser, so stages may run concurrently on different threads and still give
// the bits of a sequential run.
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>

#include "algorithms/pipeline/staged_network.hpp"
#include "workloads/data/dataset.hpp"
#include "workloads/rng.hpp"

namespace flemu {
namespace {

/// What crosses between stages: a tensor (activations or gradients) and the batch's labels.
struct Tensors {
  torch::Tensor x;
  torch::Tensor y;  ///< int64 labels; undefined for gradients
};

StageData wrap(torch::Tensor x, torch::Tensor y = {}) {
  return StageData{std::make_shared<const Tensors>(Tensors{std::move(x), std::move(y)})};
}
const Tensors& unwrap(const StageData& d) {
  if (!d) throw std::logic_error("staged network: a stage was given no data");
  return *static_cast<const Tensors*>(d.tensors.get());
}

torch::nn::Conv2d make_conv(const ConvSpec& c) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(c.in, c.out, 3).stride(c.stride).padding(1));
}

/// Fills a module's parameters in registration order with U(-1/sqrt(fan_in), 1/sqrt(fan_in))
/// from `rng` (LibTorch's default law for Conv2d and Linear, each bias following its weight);
/// BatchNorm ("bn.") weights 1 and biases 0.
void initialise(torch::nn::Module& m, Rng& rng) {
  torch::NoGradGuard no_grad;
  int64_t fan_in = 1;
  for (auto& item : m.named_parameters()) {
    torch::Tensor p = item.value();
    if (item.key().rfind("bn.", 0) == 0) {
      p.fill_(item.key() == "bn.weight" ? 1.0 : 0.0);
      continue;
    }
    if (p.dim() > 1) fan_in = p.numel() / p.size(0);
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    std::vector<float> v(static_cast<size_t>(p.numel()));
    for (auto& x : v) x = static_cast<float>(rng.uniform(-bound, bound));
    p.copy_(torch::from_blob(v.data(), p.sizes(), torch::kFloat));
  }
}

struct AuxNetImpl : torch::nn::Module {
  explicit AuxNetImpl(const AuxNetSpec& spec) {
    for (size_t i = 0; i < spec.convs.size(); ++i)
      convs.push_back(register_module("conv" + std::to_string(i), make_conv(spec.convs[i])));
    if (spec.batch_norm) bn = register_module("bn", torch::nn::BatchNorm1d(spec.features));
    fc = register_module("fc", torch::nn::Linear(spec.features, kCnn5Classes));
  }
  torch::Tensor forward(torch::Tensor x) {
    for (auto& c : convs) x = torch::relu(c->forward(x));
    x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
    if (!bn.is_empty()) x = bn->forward(x);
    return fc->forward(x);
  }
  std::vector<torch::nn::Conv2d> convs;
  torch::nn::BatchNorm1d bn{nullptr};
  torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(AuxNet);

torch::optim::SGDOptions sgd_options(double lr, double momentum, double weight_decay) {
  return torch::optim::SGDOptions(lr).momentum(momentum).nesterov(momentum > 0).weight_decay(weight_decay);
}

/// One device's share of the network.
struct Stage {
  std::vector<torch::nn::Conv2d> layers;
  torch::nn::Linear head{nullptr};  // last stage only
  std::vector<AuxNet> aux;           // auglocal: one per layer that is not the network's last
  std::vector<std::unique_ptr<torch::optim::SGD>> optimisers;  // auglocal: per layer; bp: one
  // bp: what each micro-batch's backward needs.
  std::map<int, torch::Tensor> inputs, outputs, losses;

  /// The stage's layers (and head) in the network's parameter order.
  std::vector<torch::Tensor> main_parameters() const {
    std::vector<torch::Tensor> ps;
    for (const auto& l : layers) {
      ps.push_back(l->weight);
      ps.push_back(l->bias);
    }
    if (!head.is_empty()) {
      ps.push_back(head->weight);
      ps.push_back(head->bias);
    }
    return ps;
  }
};

class TorchStagedNetwork final : public StagedNetwork {
 public:
  TorchStagedNetwork(const PipelinePlan& plan, const Params& initial, std::shared_ptr<const TrainTest> data, double lr,
                     double momentum, double weight_decay, uint64_t seed)
      : plan_(plan), data_(std::move(data)) {
    const auto& net = cnn5_layers();
    const Dataset& train = data_->train;
    images_ = torch::from_blob(const_cast<float*>(train.images.data()), {train.size, train.channels, train.rows, train.cols},
                               torch::kFloat);
    labels_ = torch::from_blob(const_cast<uint8_t*>(train.labels.data()), {train.size}, torch::kUInt8).to(torch::kLong);
    int64_t offset = 0;
    auto take = [&](torch::Tensor& p) {  // the next values of `initial` into p
      torch::NoGradGuard no_grad;
      const int64_t n = p.numel();
      if (offset + n > static_cast<int64_t>(initial.size()))
        throw std::logic_error("staged network: the initial parameters are too short for cnn5");
      p.copy_(torch::from_blob(const_cast<float*>(initial.data() + offset), p.sizes(), torch::kFloat));
      offset += n;
    };
    for (size_t k = 0; k < plan_.stages.size(); ++k) {
      const StagePlan& sp = plan_.stages[k];
      Stage s;
      for (int l = sp.first_layer; l < sp.first_layer + sp.layers; ++l) {
        s.layers.push_back(make_conv(net[l]));
        take(s.layers.back()->weight);
        take(s.layers.back()->bias);
      }
      if (sp.has_head) {
        s.head = torch::nn::Linear(net.back().out, kCnn5Classes);
        take(s.head->weight);
        take(s.head->bias);
      }
      for (size_t a = 0; a < sp.aux.size(); ++a) {
        Rng rng(derive_seed(seed, SeedStream::ModelInit, {uint64_t(sp.first_layer + a), 77}));
        s.aux.emplace_back(sp.aux[a]);
        initialise(*s.aux.back(), rng);
      }
      const auto opt = sgd_options(lr, momentum, weight_decay);
      if (plan_.local) {
        // One optimiser per layer: the layer with its auxiliary net (or with the head).
        for (size_t i = 0; i < s.layers.size(); ++i) {
          std::vector<torch::Tensor> ps = s.layers[i]->parameters();
          if (i < s.aux.size())
            for (auto& p : s.aux[i]->parameters()) ps.push_back(p);
          else if (!s.head.is_empty())
            for (auto& p : s.head->parameters()) ps.push_back(p);
          s.optimisers.push_back(std::make_unique<torch::optim::SGD>(ps, opt));
        }
      } else {
        s.optimisers.push_back(std::make_unique<torch::optim::SGD>(s.main_parameters(), opt));
      }
      stages_.push_back(std::move(s));
    }
    if (offset != static_cast<int64_t>(initial.size()))
      throw std::logic_error("staged network: " + std::to_string(initial.size()) + " initial parameters for " +
                             std::to_string(offset) + " in cnn5");
  }

  int stages() const override { return static_cast<int>(stages_.size()); }

  StageData batch(const std::vector<int32_t>& indices) const override {
    auto idx = torch::from_blob(const_cast<int32_t*>(indices.data()), {static_cast<int64_t>(indices.size())}, torch::kInt32)
                   .to(torch::kLong);
    return wrap(images_.index_select(0, idx), labels_.index_select(0, idx));
  }

  StageOutput local_step(int k, const StageData& in) override {
    Stage& s = stages_.at(k);
    const Tensors& t = unwrap(in);
    torch::Tensor x = t.x.detach();
    double loss_value = NAN;
    for (size_t i = 0; i < s.layers.size(); ++i) {
      torch::Tensor h = torch::relu(s.layers[i]->forward(x));
      torch::Tensor logits =
          i < s.aux.size() ? s.aux[i]->forward(h) : s.head->forward(torch::adaptive_avg_pool2d(h, {1, 1}).flatten(1));
      torch::Tensor loss = torch::nn::functional::cross_entropy(logits, t.y);
      s.optimisers[i]->zero_grad();
      loss.backward();
      s.optimisers[i]->step();
      loss_value = loss.item<double>();
      x = h.detach();
    }
    StageOutput out;
    out.loss = loss_value;
    if (k + 1 < stages()) out.data = wrap(x, t.y);
    return out;
  }

  StageOutput forward(int k, int micro, const StageData& in) override {
    Stage& s = stages_.at(k);
    const Tensors& t = unwrap(in);
    torch::Tensor x = t.x;
    if (k > 0) {
      x = x.detach().requires_grad_(true);  // a leaf: its gradient goes back to stage k - 1
      s.inputs[micro] = x;
    }
    for (auto& l : s.layers) x = torch::relu(l->forward(x));
    StageOutput out;
    if (k + 1 < stages()) {
      s.outputs[micro] = x;
      out.data = wrap(x.detach(), t.y);
      return out;
    }
    torch::Tensor logits = s.head->forward(torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1));
    torch::Tensor loss = torch::nn::functional::cross_entropy(logits, t.y);
    out.loss = loss.item<double>();
    // The minibatch's gradient is the mean of its micro-batches' gradients.
    s.losses[micro] = loss / static_cast<double>(plan_.micro_batches);
    return out;
  }

  StageData backward(int k, int micro, const StageData& grad) override {
    Stage& s = stages_.at(k);
    if (k + 1 < stages()) {
      s.outputs.at(micro).backward(unwrap(grad).x);
      s.outputs.erase(micro);
    } else {
      s.losses.at(micro).backward();
      s.losses.erase(micro);
    }
    if (k == 0) return {};
    torch::Tensor g = s.inputs.at(micro).grad().detach();
    s.inputs.erase(micro);
    return wrap(g);
  }

  void step(int k) override {
    Stage& s = stages_.at(k);
    s.optimisers.front()->step();
    s.optimisers.front()->zero_grad();
  }

  Params stage_parameters(int k) const override {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> flat;
    for (const auto& p : stages_.at(k).main_parameters()) flat.push_back(p.detach().reshape({-1}));
    auto all = torch::cat(flat).contiguous();
    return Params(all.data_ptr<float>(), all.data_ptr<float>() + all.numel());
  }

 private:
  PipelinePlan plan_;
  std::shared_ptr<const TrainTest> data_;
  torch::Tensor images_, labels_;
  std::vector<Stage> stages_;
};

}  // namespace

std::unique_ptr<StagedNetwork> make_torch_staged_network(const PipelinePlan& plan, const Params& initial,
                                                         std::shared_ptr<const TrainTest> data, double lr,
                                                         double momentum, double weight_decay, uint64_t seed) {
  static std::once_flag threads_once;
  std::call_once(threads_once, [] { torch::set_num_threads(1); });
  return std::make_unique<TorchStagedNetwork>(plan, initial, std::move(data), lr, momentum, weight_decay, seed);
}

}  // namespace flemu
