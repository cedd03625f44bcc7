// Real training with LibTorch: the one heavy translation unit of the project.
//
// Contract (see trainer.hpp): a job is a pure function of its inputs. What makes that true in
// LibTorch 1.13 (../shared/FACTS.md): one intra-op thread for the whole process, a private
// generator per job passed to every sampling op, parameters copied into a per-thread module
// with copy_ (never clone(), which re-draws from the global generator). The local step is
// the job's rule, run by the generic executor (local_step_executor.hpp): nothing here knows
// which FL method it serves.
#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "workloads/data/dataset.hpp"
#include "workloads/models/cnn5.hpp"
#include "workloads/models/local_step_executor.hpp"
#include "workloads/models/trainer.hpp"

namespace flemu {
namespace {

/// The network as a function of one flat parameter tensor: every layer's weight and bias
/// is a view into `w` (a leaf, detached), so the local step works on all of them at once
/// (local_step_executor.hpp) and loading a model is one copy. Order: per layer, weight then
/// bias (model_info.hpp, initial_parameters).
struct Net {
  ModelKind kind;
  torch::Tensor w;                   ///< flat parameters, d values
  std::vector<torch::Tensor> views;  ///< per-tensor views of w, leaves that require grad

  torch::Tensor forward(torch::Tensor x) const { return forward_with(views, std::move(x)); }

  /// The network with the given per-tensor parameters (a gated sub-model's, say).
  torch::Tensor forward_with(const std::vector<torch::Tensor>& p, torch::Tensor x) const {
    if (kind == ModelKind::Cnn5) {  // workloads/models/cnn5.hpp: 3x3 convolutions, pool, head
      const auto& layers = cnn5_layers();
      for (size_t i = 0; i < layers.size(); ++i)
        x = torch::relu(torch::conv2d(x, p[2 * i], p[2 * i + 1], layers[i].stride, 1));
      x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
      return torch::linear(x, p[2 * layers.size()], p[2 * layers.size() + 1]);
    }
    if (kind == ModelKind::Mlp) {
      x = x.view({x.size(0), 784});
      x = torch::relu(torch::linear(x, p[0], p[1]));
      x = torch::relu(torch::linear(x, p[2], p[3]));
      return torch::linear(x, p[4], p[5]);
    }
    x = torch::max_pool2d(torch::relu(torch::conv2d(x, p[0], p[1], 1, 2)), 2);
    x = torch::max_pool2d(torch::relu(torch::conv2d(x, p[2], p[3], 1, 2)), 2);
    x = x.view({x.size(0), 7 * 7 * 64});
    x = torch::relu(torch::linear(x, p[4], p[5]));
    return torch::linear(x, p[6], p[7]);
  }

  /// ∇ℓ(w; x, y) into `out` (flat); returns the loss.
  double gradient(const torch::Tensor& x, const torch::Tensor& y, torch::Tensor& out) {
    for (auto& v : views) v.mutable_grad().reset();
    auto loss = torch::nn::functional::cross_entropy(forward(x), y);
    loss.backward();
    gather_grads(out);
    return loss.item<double>();
  }

  /// The views' gradients (after a backward) into the flat `out`.
  void gather_grads(torch::Tensor& out) const {
    std::vector<torch::Tensor> flat;
    flat.reserve(views.size());
    for (auto& v : views) flat.push_back(v.grad().view({-1}));
    torch::cat_out(out, flat, 0);
  }
};

/// A client's block gate (gating.hpp) as tensors: the trainable part φ as one flat tensor
/// (its pieces are leaf views, like Net's) and the BatchNorm running statistics, all views of
/// one copy of the client's state.
struct Gate {
  const BlockLayout* layout;
  GateSpec spec;
  int64_t inputs = 0, blocks = 0;
  torch::Tensor state;          ///< the whole state, gate_state_size values
  torch::Tensor phi;            ///< its trainable part (a view of state)
  torch::Tensor weight, bias, bn_weight, bn_bias;  ///< leaf views of phi
  torch::Tensor running_mean, running_var;          ///< views of state
  std::vector<torch::Tensor> block_sizes;           ///< per parameter tensor: its blocks' sizes (Long)
  std::vector<std::pair<int, int>> block_range;     ///< per parameter tensor: [first, last) block

  Gate(const ModelInfo& info, const BlockLayout& l, const GateJob& job) : layout(&l), spec(job.spec) {
    blocks = l.num_blocks();
    inputs = gate_input_size(info);
    if (!job.state || static_cast<int64_t>(job.state->size()) != gate_state_size(info, l.split))
      throw std::invalid_argument("gate state has the wrong size for this model and split");
    state = to_tensor(*job.state);
    const int64_t nt = gate_trainable_size(info, l.split);
    phi = state.slice(0, 0, nt);
    int64_t off = 0;
    auto take = [&](int64_t n, std::vector<int64_t> shape) {
      auto v = phi.slice(0, off, off + n).view(shape).detach().requires_grad_(true);
      off += n;
      return v;
    };
    weight = take(blocks * inputs, {blocks, inputs});
    bias = take(blocks, {blocks});
    bn_weight = take(blocks, {blocks});
    bn_bias = take(blocks, {blocks});
    running_mean = state.slice(0, nt, nt + blocks);
    running_var = state.slice(0, nt + blocks, nt + 2 * blocks);
    for (int b = 0; b < blocks;) {
      const int t = l.tensor[b];
      int e = b;
      std::vector<int64_t> sizes;
      while (e < blocks && l.tensor[e] == t) sizes.push_back(l.size[e++]);
      block_sizes.push_back(torch::tensor(sizes, torch::kLong));
      block_range.emplace_back(b, e);
      b = e;
    }
  }

  std::vector<torch::Tensor> leaves() const { return {weight, bias, bn_weight, bn_bias}; }

  /// The gated parameters for minibatch `x`: θ̃_b = θ_b · a_b · m_b with a straight-through
  /// mask (gating.hpp); `mask` receives the kept blocks.
  std::vector<torch::Tensor> adapt(const Net& net, const torch::Tensor& x, bool training,
                                   std::vector<uint8_t>& mask) const {
    auto z = torch::linear(x.reshape({x.size(0), inputs}), weight, bias);
    z = torch::batch_norm(z, bn_weight, bn_bias, running_mean, running_var, training, 0.1, 1e-5, false);
    auto a = torch::sigmoid(z).mean(0);  // one score per block for the batch
    const double s_min = gate_min_score(layout->split, spec.sparsity);
    auto a_hat = torch::clamp_min(a, s_min);
    auto scores_t = a_hat.detach().to(torch::kDouble).contiguous();
    std::vector<double> scores(scores_t.data_ptr<double>(), scores_t.data_ptr<double>() + blocks);
    mask = select_blocks(scores, *layout, spec.sparsity);
    auto m = torch::tensor(std::vector<float>(mask.begin(), mask.end()), torch::kFloat);
    auto scale = a * (m * (1.0 - a_hat.detach() + a_hat));
    std::vector<torch::Tensor> adapted;
    for (size_t t = 0; t < net.views.size(); ++t) {
      const auto [b0, b1] = block_range[t];
      auto per_value = scale.slice(0, b0, b1).repeat_interleave(block_sizes[t]);
      adapted.push_back(net.views[t] * per_value.view(net.views[t].sizes()));
    }
    return adapted;
  }
};

Net make_net(const ModelInfo& info, const torch::Device& device) {
  Net net;
  net.kind = info.kind;
  net.w = torch::zeros({info.num_params}, torch::TensorOptions().dtype(torch::kFloat).device(device));
  int64_t off = 0;
  for (const auto& l : info.layers) {
    std::vector<int64_t> shape = l.kind == LayerShape::Linear ? std::vector<int64_t>{l.out, l.in}
                                                               : std::vector<int64_t>{l.out, l.in, l.kernel, l.kernel};
    int64_t n = 1;
    for (auto s : shape) n *= s;
    net.views.push_back(net.w.slice(0, off, off + n).view(shape).detach().requires_grad_(true));
    off += n;
    net.views.push_back(net.w.slice(0, off, off + l.out).detach().requires_grad_(true));
    off += l.out;
  }
  if (off != info.num_params) throw std::logic_error("make_net: layer shapes do not add up to the model's size");
  return net;
}

void load_params(Net& net, const Params& flat) {
  torch::NoGradGuard no_grad;
  if (static_cast<int64_t>(flat.size()) != net.w.numel())
    throw std::logic_error("parameter vector has " + std::to_string(flat.size()) + " values, model needs " +
                           std::to_string(net.w.numel()));
  auto src = torch::from_blob(const_cast<float*>(flat.data()), {net.w.numel()}, torch::kFloat);
  net.w.copy_(src);
}

class TorchTrainer final : public Trainer {
 public:
  TorchTrainer(ModelKind kind, std::shared_ptr<const TrainTest> data, torch::Device device, bool stack)
      : kind_(kind), info_(describe_model(kind)), data_(std::move(data)), device_(device), stack_(stack) {
    train_x_ = as_images(data_->train);
    test_x_ = as_images(data_->test);
    train_y_ = as_labels(data_->train);
    test_y_ = as_labels(data_->test);
  }

  const ModelInfo& model() const override { return info_; }
  Params initial_params(uint64_t seed) override { return initial_parameters(info_, seed); }
  std::string device() const override { return device_.is_cuda() ? "cuda" : "cpu"; }
  bool learns() const override { return true; }
  bool prefers_groups() const override { return stack_ && kind_ == ModelKind::Mlp; }

  std::vector<TrainResult> train_group(const std::vector<TrainJob>& jobs) override {
    if (!prefers_groups() || !stackable(jobs)) return Trainer::train_group(jobs);
    return train_stacked_mlp(jobs);
  }

  TrainResult train(const TrainJob& job) override {
    if (job.local.gate) return train_gated(job);
    Net& net = thread_net();
    load_params(net, *job.start);
    const LocalTrainingSpec& local = job.local;
    LocalStepExecutor step(local.rule, local.inputs, net.w, local.lr);

    auto gen = at::detail::createCPUGenerator(job.seed);
    const int64_t n = static_cast<int64_t>(job.indices->size());
    auto client_idx = torch::from_blob(const_cast<int32_t*>(job.indices->data()), {n}, torch::kInt32).to(torch::kLong);
    const int64_t total_steps = steps_taken(local, n);
    const int64_t b = local.batch_size;

    torch::Tensor order;
    int64_t pos = n;  // position in the current pass; n forces a new permutation
    double loss_sum = 0;
    for (int64_t k = 0; k < total_steps; ++k) {
      if (pos >= n) {
        order = client_idx.index_select(0, torch::randperm(n, gen, torch::kLong));
        pos = 0;
      }
      const int64_t end = std::min(pos + b, n);
      auto batch = order.slice(0, pos, end);
      pos = end;
      auto x = train_x_.index_select(0, batch.to(train_x_.device()));
      auto y = train_y_.index_select(0, batch.to(train_y_.device()));
      bool first = true;  // the loss reported is the one at w, not at a perturbed point
      step.step([&](torch::Tensor& g) {
        const double loss = net.gradient(x, y, g);
        if (first) loss_sum += loss;
        first = false;
      });
    }
    TrainResult r;
    r.params = to_params(net.w);
    r.steps = total_steps;
    r.samples = samples_processed(local, n);
    r.flops = training_flops(info_, local, n);
    r.mean_loss = total_steps > 0 ? loss_sum / total_steps : std::nan("");
    r.momentum = step.momentum();
    r.ascent_sum = step.ascent_sum();
    return r;
  }

  ClassCounts evaluate_samples(const Params& params, const std::vector<int32_t>& indices, const GateJob* gate_job,
                               int batch) override {
    Net& net = thread_net();
    load_params(net, params);
    torch::NoGradGuard no_grad;
    std::unique_ptr<Gate> gate;
    if (gate_job) gate = std::make_unique<Gate>(info_, layout_for(gate_job->spec.split), *gate_job);
    const int64_t n = static_cast<int64_t>(indices.size()), classes = data_->train.num_classes;
    ClassCounts counts;
    counts.correct.assign(classes, 0);
    counts.total.assign(classes, 0);
    auto idx = torch::from_blob(const_cast<int32_t*>(indices.data()), {n}, torch::kInt32).to(torch::kLong);
    for (int64_t s = 0; s < n; s += batch) {
      auto b = idx.slice(0, s, std::min(s + batch, n)).to(train_x_.device());
      auto x = train_x_.index_select(0, b);
      auto y = train_y_.index_select(0, b);
      torch::Tensor logits;
      if (gate) {
        std::vector<uint8_t> mask;
        logits = net.forward_with(gate->adapt(net, x, /*training=*/false, mask), x);
        if (gate->spec.relu_on_logits) logits = torch::relu(logits);
      } else {
        logits = net.forward(x);
      }
      auto hit = logits.argmax(1).eq(y).to(torch::kCPU);
      auto yc = y.to(torch::kCPU);
      for (int64_t i = 0; i < yc.size(0); ++i) {
        const int64_t c = yc[i].item<int64_t>();
        ++counts.total[c];
        counts.correct[c] += hit[i].item<bool>() ? 1 : 0;
      }
    }
    return counts;
  }

  EvalResult evaluate(const Params& params, const std::vector<int32_t>* subset) override {
    Net& net = thread_net();
    load_params(net, params);
    torch::NoGradGuard no_grad;
    torch::Tensor idx;
    if (subset) {
      idx = torch::from_blob(const_cast<int32_t*>(subset->data()), {static_cast<int64_t>(subset->size())}, torch::kInt32)
                .to(torch::kLong).to(device_);
    }
    const int64_t n = subset ? idx.size(0) : test_x_.size(0);
    int64_t correct = 0;
    double loss_sum = 0;
    for (int64_t s = 0; s < n; s += 1000) {
      const int64_t e = std::min(s + 1000, n);
      auto x = subset ? test_x_.index_select(0, idx.slice(0, s, e)) : test_x_.slice(0, s, e);
      auto y = subset ? test_y_.index_select(0, idx.slice(0, s, e)) : test_y_.slice(0, s, e);
      auto logits = net.forward(x);
      loss_sum += torch::nn::functional::cross_entropy(
                      logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                      .item<double>();
      correct += logits.argmax(1).eq(y).sum().item<int64_t>();
    }
    return {n ? double(correct) / n : 0.0, n ? loss_sum / n : 0.0, n};
  }

 private:
  torch::Tensor as_images(const Dataset& d) const {
    auto t = torch::from_blob(const_cast<float*>(d.images.data()), {d.size, d.channels, d.rows, d.cols}, torch::kFloat);
    return device_.is_cpu() ? t : t.to(device_);
  }
  torch::Tensor as_labels(const Dataset& d) const {
    auto t = torch::from_blob(const_cast<uint8_t*>(d.labels.data()), {d.size}, torch::kUInt8).to(torch::kLong);
    return t.to(device_);
  }
  /// pFedGate's job (gating.hpp): the base model θ and the client's gate φ trained together,
  /// one backward per minibatch filling both; each then takes its own step (θ: the job's
  /// rule; φ: the gate's). A one-sample batch is skipped (BatchNorm needs two, as the authors'
  /// code does). Flops: each batch's real sub-model.
  TrainResult train_gated(const TrainJob& job) {
    Net& net = thread_net();
    load_params(net, *job.start);
    const LocalTrainingSpec& local = job.local;
    const GateJob& gate_job = *local.gate;
    Gate gate(info_, layout_for(gate_job.spec.split), gate_job);
    LocalStepExecutor step(local.rule, local.inputs, net.w, local.lr);
    StepInputs gate_inputs;
    gate_inputs.momentum = gate_job.momentum;
    gate_inputs.return_momentum = true;
    LocalStepExecutor gate_step(gate_job.spec.step, gate_inputs, gate.phi, gate_job.spec.lr);
    torch::Tensor gate_grad = torch::empty_like(gate.phi);

    auto gen = at::detail::createCPUGenerator(job.seed);
    const int64_t n = static_cast<int64_t>(job.indices->size());
    auto client_idx = torch::from_blob(const_cast<int32_t*>(job.indices->data()), {n}, torch::kInt32).to(torch::kLong);
    const int64_t total_steps = steps_taken(local, n), b = local.batch_size;
    torch::Tensor order;
    int64_t pos = n, taken = 0;
    double loss_sum = 0, flops = 0;
    for (int64_t k = 0; k < total_steps; ++k) {
      if (pos >= n) {
        order = client_idx.index_select(0, torch::randperm(n, gen, torch::kLong));
        pos = 0;
      }
      const int64_t end = std::min(pos + b, n);
      auto batch = order.slice(0, pos, end);
      pos = end;
      if (batch.size(0) < 2) continue;
      auto x = train_x_.index_select(0, batch.to(train_x_.device()));
      auto y = train_y_.index_select(0, batch.to(train_y_.device()));
      step.step([&](torch::Tensor& g) {
        for (auto& v : net.views) v.mutable_grad().reset();
        for (auto v : gate.leaves()) v.mutable_grad().reset();
        std::vector<uint8_t> mask;
        auto logits = net.forward_with(gate.adapt(net, x, /*training=*/true, mask), x);
        if (gate.spec.relu_on_logits) logits = torch::relu(logits);
        auto loss = torch::nn::functional::cross_entropy(logits, y);
        loss.backward();
        net.gather_grads(g);
        std::vector<torch::Tensor> flat;
        for (auto v : gate.leaves()) flat.push_back(v.grad().view({-1}));
        torch::cat_out(gate_grad, flat, 0);
        loss_sum += loss.item<double>();
        flops += static_cast<double>(x.size(0)) * gated_train_flops_per_sample(info_, *gate.layout, mask);
      });
      gate_step.step([&](torch::Tensor& g) { g.copy_(gate_grad); });
      ++taken;
    }
    TrainResult r;
    r.params = to_params(net.w);
    r.steps = taken;
    r.samples = samples_processed(local, n);
    // Never below what the device was charged before the masks were known.
    r.flops = std::max(flops, training_flops(info_, local, n));
    r.mean_loss = taken > 0 ? loss_sum / taken : std::nan("");
    r.momentum = step.momentum();
    r.gate_state = to_params(gate.state);
    r.gate_momentum = gate_step.momentum();
    return r;
  }

  /// The block layout of this model for `split` (cached per thread).
  const BlockLayout& layout_for(int split) {
    thread_local std::map<std::pair<int, int>, BlockLayout> layouts;
    auto key = std::make_pair(static_cast<int>(kind_), split);
    auto it = layouts.find(key);
    if (it == layouts.end()) it = layouts.emplace(key, gate_blocks(info_, split)).first;
    return it->second;
  }

  /// One module per worker thread and model kind, reused across jobs (its values are always
  /// overwritten by load_params, so where it came from does not matter).
  Net& thread_net() {
    thread_local std::map<std::pair<int, std::string>, Net> nets;
    auto key = std::make_pair(static_cast<int>(kind_), device_.str());
    auto it = nets.find(key);
    if (it == nets.end()) it = nets.emplace(key, make_net(info_, device_)).first;
    return it->second;
  }

  /// Stacking needs the same number of steps and batch sizes in every client (same local
  /// spec, same data size) and plain SGD steps.
  static bool stackable(const std::vector<TrainJob>& jobs) {
    if (jobs.size() < 2) return false;
    for (const auto& j : jobs) {
      if (!j.local.rule.is_plain_sgd() || j.local.gate || j.local.epochs != jobs[0].local.epochs || j.local.steps != jobs[0].local.steps ||
          j.local.batch_size != jobs[0].local.batch_size || j.local.lr != jobs[0].local.lr ||
          j.indices->size() != jobs[0].indices->size())
        return false;
    }
    return true;
  }

  /// K MLP clients as one network of stacked weights: x [K,B,784] -> bmm with [K,784,200] ...
  /// Each client draws its minibatches from its own generator exactly as train() does, and
  /// the summed loss gives each client's own gradients (clients share no parameter).
  std::vector<TrainResult> train_stacked_mlp(const std::vector<TrainJob>& jobs) {
    const int64_t K = static_cast<int64_t>(jobs.size());
    const int64_t n = static_cast<int64_t>(jobs[0].indices->size());
    const int64_t b = jobs[0].local.batch_size;
    const int64_t total_steps = steps_taken(jobs[0].local, n);
    const float lr = static_cast<float>(jobs[0].local.lr);
    const int64_t dims[4] = {784, 200, 200, 10};
    // Parameters: weights stored transposed ([in, out]) for bmm; biases [K, 1, out].
    std::vector<torch::Tensor> w(3), bias(3);
    {
      torch::NoGradGuard no_grad;
      std::vector<std::vector<torch::Tensor>> ws(3), bs(3);
      for (const auto& j : jobs) {
        auto flat = torch::from_blob(const_cast<float*>(j.start->data()), {static_cast<int64_t>(j.start->size())},
                                     torch::kFloat);
        int64_t off = 0;
        for (int l = 0; l < 3; ++l) {
          const int64_t in = dims[l], out = dims[l + 1];
          ws[l].push_back(flat.slice(0, off, off + in * out).view({out, in}).t());
          off += in * out;
          bs[l].push_back(flat.slice(0, off, off + out).view({1, out}));
          off += out;
        }
      }
      for (int l = 0; l < 3; ++l) {
        w[l] = torch::stack(ws[l]).to(device_).contiguous().set_requires_grad(true);
        bias[l] = torch::stack(bs[l]).to(device_).contiguous().set_requires_grad(true);
      }
    }
    std::vector<at::Generator> gens;
    std::vector<torch::Tensor> client_idx, order(K);
    for (const auto& j : jobs) {
      gens.push_back(at::detail::createCPUGenerator(j.seed));
      client_idx.push_back(
          torch::from_blob(const_cast<int32_t*>(j.indices->data()), {n}, torch::kInt32).to(torch::kLong));
    }
    int64_t pos = n;
    std::vector<double> loss_sum(K, 0.0);
    for (int64_t step = 0; step < total_steps; ++step) {
      if (pos >= n) {
        for (int64_t k = 0; k < K; ++k) order[k] = client_idx[k].index_select(0, torch::randperm(n, gens[k], torch::kLong));
        pos = 0;
      }
      const int64_t end = std::min(pos + b, n);
      std::vector<torch::Tensor> xs, ys;
      for (int64_t k = 0; k < K; ++k) {
        auto batch = order[k].slice(0, pos, end).to(train_x_.device());
        xs.push_back(train_x_.index_select(0, batch).view({end - pos, 784}));
        ys.push_back(train_y_.index_select(0, batch));
      }
      pos = end;
      auto x = torch::stack(xs);  // [K, B, 784]
      auto y = torch::stack(ys);  // [K, B]
      auto h = torch::relu(torch::baddbmm(bias[0], x, w[0]));
      h = torch::relu(torch::baddbmm(bias[1], h, w[1]));
      auto logits = torch::baddbmm(bias[2], h, w[2]);  // [K, B, 10]
      // Per-client mean cross-entropy, summed over clients: d(sum)/d(client k) = its own loss.
      auto per_client = torch::nn::functional::cross_entropy(
                            logits.reshape({-1, 10}), y.reshape({-1}),
                            torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone))
                            .view({K, -1})
                            .mean(1);
      for (auto* group : {&w, &bias})
        for (auto& p : *group) p.mutable_grad() = torch::Tensor();
      per_client.sum().backward();
      {
        torch::NoGradGuard no_grad;
        for (auto* group : {&w, &bias})
          for (auto& p : *group) p.add_(p.grad(), -lr);
      }
      auto losses = per_client.detach().to(torch::kCPU);
      for (int64_t k = 0; k < K; ++k) loss_sum[k] += losses[k].item<double>();
    }
    std::vector<TrainResult> out(K);
    torch::NoGradGuard no_grad;
    for (int64_t k = 0; k < K; ++k) {
      std::vector<torch::Tensor> parts;
      for (int l = 0; l < 3; ++l) {
        parts.push_back(w[l][k].t().contiguous().reshape({-1}));
        parts.push_back(bias[l][k].reshape({-1}));
      }
      auto all = torch::cat(parts).to(torch::kCPU).contiguous();
      out[k].params.assign(all.data_ptr<float>(), all.data_ptr<float>() + all.numel());
      out[k].steps = total_steps;
      out[k].samples = samples_processed(jobs[k].local, n);
      out[k].mean_loss = total_steps > 0 ? loss_sum[k] / total_steps : std::nan("");
      out[k].flops = training_flops(info_, jobs[k].local, n);
    }
    return out;
  }

  ModelKind kind_;
  ModelInfo info_;
  std::shared_ptr<const TrainTest> data_;
  torch::Device device_;
  bool stack_;
  torch::Tensor train_x_, train_y_, test_x_, test_y_;
};

}  // namespace

std::unique_ptr<Trainer> make_torch_trainer(ModelKind kind, std::shared_ptr<const TrainTest> data,
                                            const std::string& device, int stack_clients) {
  static std::once_flag threads_once;
  std::call_once(threads_once, [] { torch::set_num_threads(1); });
  const bool has_cuda = torch::cuda::is_available();
  if (device == "cuda" && !has_cuda)
    throw std::runtime_error("device \"cuda\" was asked for, but this LibTorch has no CUDA device");
  const torch::Device dev = (device == "cuda" || (device == "auto" && has_cuda)) ? torch::Device(torch::kCUDA)
                                                                                  : torch::Device(torch::kCPU);
  if (dev.is_cuda()) {
    // Same inputs, same bits on a GPU too: deterministic kernels only (an op without one
    // raises rather than drift), and cuBLAS with a fixed workspace, which it reads when its
    // first handle is made (hence before any CUDA work). bench/gpu-check.sh checks it.
    static std::once_flag cuda_once;
    std::call_once(cuda_once, [] {
      setenv("CUBLAS_WORKSPACE_CONFIG", ":4096:8", /*overwrite=*/0);
      at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/false);
      at::globalContext().setDeterministicCuDNN(true);
      at::globalContext().setBenchmarkCuDNN(false);
    });
  }
  const bool stack = stack_clients < 0 ? dev.is_cuda() : stack_clients > 0;
  return std::make_unique<TorchTrainer>(kind, std::move(data), dev, stack);
}

}  // namespace flemu
