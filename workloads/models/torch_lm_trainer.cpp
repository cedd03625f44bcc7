// The small transformer in LibTorch, its jobs (SGD, zeroth order, split prompt learning) and
// its pretraining. Contract: lm_trainer.hpp. Determinism as in torch_trainer.cpp: one
// intra-op thread, a private generator per job, parameters copied into a per-thread network.
//
// The network is written with functional ops over the flat layout's tensors (no nn::Module):
// loading a flat vector is one copy per tensor, LoRA is an extra product beside a frozen
// weight, and the split methods cut the forward pass at block boundaries.
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <numeric>
#include <stdexcept>

#include "workloads/models/lm_trainer.hpp"
#include "workloads/models/tensor_parallel.hpp"
#include "workloads/random_directions.hpp"
#include "workloads/rng.hpp"

namespace flemu {
namespace {

using torch::Tensor;

// --- the network ---------------------------------------------------------------------------

struct BlockTensors {
  Tensor ln1w, ln1b, qw, qb, kw, kb, vw, vb, ow, ob, ln2w, ln2b, fcw, fcb, projw, projb;
  Tensor lora_a[6], lora_b[6];  // by lora_module_names() index; undefined when not adapted
};

/// The tensors of one layout, as leaf tensors; trainable ones require gradients.
struct LmNet {
  TransformerSpec spec;
  FineTuneSpec ft;
  std::vector<TensorSlot> layout;
  std::vector<Tensor> params;     // by layout index
  std::vector<Tensor> trainable;  // the trainable subset, in layout order
  Tensor tok_emb, pos_emb, lnfw, lnfb, headw, prompt;
  std::vector<BlockTensors> blocks;
  double lora_scale = 0;
  std::map<int64_t, Tensor> masks;  // causal mask per sequence length

  LmNet(const TransformerSpec& s, const FineTuneSpec& f) : spec(s), ft(f), layout(transformer_layout(s, f)) {
    std::map<std::string, Tensor> by_name;
    for (const auto& slot : layout) {
      auto t = torch::zeros(slot.shape, torch::kFloat);
      if (slot.trainable) {
        t.set_requires_grad(true);
        trainable.push_back(t);
      }
      params.push_back(t);
      by_name[slot.name] = t;
    }
    auto get = [&](const std::string& n) { return by_name.at(n); };
    tok_emb = get("tok_emb");
    pos_emb = get("pos_emb");
    lnfw = get("ln_f.weight");
    lnfb = get("ln_f.bias");
    headw = get("head.weight");
    if (by_name.count("prompt")) prompt = get("prompt");
    for (int b = 0; b < s.layers; ++b) {
      const std::string p = "blocks." + std::to_string(b) + ".";
      BlockTensors bt;
      bt.ln1w = get(p + "ln1.weight"), bt.ln1b = get(p + "ln1.bias");
      bt.qw = get(p + "attn.q.weight"), bt.qb = get(p + "attn.q.bias");
      bt.kw = get(p + "attn.k.weight"), bt.kb = get(p + "attn.k.bias");
      bt.vw = get(p + "attn.v.weight"), bt.vb = get(p + "attn.v.bias");
      bt.ow = get(p + "attn.o.weight"), bt.ob = get(p + "attn.o.bias");
      bt.ln2w = get(p + "ln2.weight"), bt.ln2b = get(p + "ln2.bias");
      bt.fcw = get(p + "mlp.fc.weight"), bt.fcb = get(p + "mlp.fc.bias");
      bt.projw = get(p + "mlp.proj.weight"), bt.projb = get(p + "mlp.proj.bias");
      const auto& names = lora_module_names();
      for (size_t m = 0; m < names.size(); ++m) {
        const std::string a = p + "lora." + names[m] + ".A";
        if (by_name.count(a)) {
          bt.lora_a[m] = by_name.at(a);
          bt.lora_b[m] = by_name.at(p + "lora." + names[m] + ".B");
        }
      }
      blocks.push_back(bt);
    }
    lora_scale = f.lora.alpha / f.lora.rank;
  }

  int64_t prompt_len() const { return prompt.defined() ? prompt.size(0) : 0; }

  const Tensor& mask(int64_t T) {
    auto it = masks.find(T);
    if (it == masks.end()) it = masks.emplace(T, torch::ones({T, T}, torch::kBool).triu(1)).first;
    return it->second;
  }

  Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b, const BlockTensors& bt, int module) const {
    auto y = torch::linear(x, w, b);
    if (bt.lora_a[module].defined())
      y = y + torch::linear(torch::linear(x, bt.lora_a[module]), bt.lora_b[module]) * lora_scale;
    return y;
  }

  Tensor block(int i, const Tensor& x) {
    const BlockTensors& b = blocks[i];
    const int64_t B = x.size(0), T = x.size(1), d = spec.d_model, H = spec.heads, dh = d / H;
    auto h = torch::layer_norm(x, {d}, b.ln1w, b.ln1b, 1e-5);
    auto q = linear(h, b.qw, b.qb, b, 0).view({B, T, H, dh}).transpose(1, 2);
    auto k = linear(h, b.kw, b.kb, b, 1).view({B, T, H, dh}).transpose(1, 2);
    auto v = linear(h, b.vw, b.vb, b, 2).view({B, T, H, dh}).transpose(1, 2);
    auto att = torch::matmul(q, k.transpose(-2, -1)) * (1.0 / std::sqrt(static_cast<double>(dh)));
    att = torch::softmax(att.masked_fill(mask(T), -std::numeric_limits<float>::infinity()), -1);
    auto y = torch::matmul(att, v).transpose(1, 2).reshape({B, T, d});
    auto x1 = x + linear(y, b.ow, b.ob, b, 3);
    auto h2 = torch::layer_norm(x1, {d}, b.ln2w, b.ln2b, 1e-5);
    auto m = torch::gelu(linear(h2, b.fcw, b.fcb, b, 4));
    return x1 + linear(m, b.projw, b.projb, b, 5);
  }

  /// Embeddings (and the soft prompt in front), then blocks [0, to).
  Tensor head(const Tensor& inputs, int to) {
    const int64_t B = inputs.size(0), C = inputs.size(1);
    auto x = torch::embedding(tok_emb, inputs) + pos_emb.slice(0, 0, C);
    if (prompt.defined()) x = torch::cat({prompt.unsqueeze(0).expand({B, prompt.size(0), spec.d_model}), x}, 1);
    for (int i = 0; i < to; ++i) x = block(i, x);
    return x;
  }
  Tensor blocks_range(Tensor x, int from, int to) {
    for (int i = from; i < to; ++i) x = block(i, x);
    return x;
  }
  /// Blocks [from, L), final LayerNorm, LM head over the context positions: logits [B, C, V].
  Tensor tail(Tensor x, int from) {
    x = blocks_range(x, from, spec.layers);
    x = torch::layer_norm(x, {spec.d_model}, lnfw, lnfb, 1e-5);
    const int64_t P = prompt_len();
    if (P > 0) x = x.slice(1, P, x.size(1));
    return torch::linear(x, headw);
  }
  Tensor logits(const Tensor& inputs) { return tail(head(inputs, 0), 0); }

  void load(const Params& flat) {
    torch::NoGradGuard no_grad;
    int64_t total = 0;
    for (const auto& s : layout) total += s.numel;
    if (total != static_cast<int64_t>(flat.size()))
      throw std::logic_error("transformer: parameter vector has " + std::to_string(flat.size()) +
                             " values, the layout needs " + std::to_string(total));
    auto src = torch::from_blob(const_cast<float*>(flat.data()), {total}, torch::kFloat);
    for (size_t i = 0; i < layout.size(); ++i)
      params[i].copy_(src.slice(0, layout[i].offset, layout[i].offset + layout[i].numel).view(layout[i].shape));
  }
  /// Writes the trainable tensors into `flat` (the others are unchanged by any job).
  void store_trainable(Params& flat) const {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < layout.size(); ++i) {
      if (!layout[i].trainable) continue;
      auto t = params[i].detach().contiguous();
      std::copy(t.data_ptr<float>(), t.data_ptr<float>() + layout[i].numel, flat.data() + layout[i].offset);
    }
  }
  void zero_grads() {
    for (auto& p : trainable) p.mutable_grad() = Tensor();
  }
  void sgd_step(float lr) {
    torch::NoGradGuard no_grad;
    for (auto& p : trainable)
      if (p.grad().defined()) p.add_(p.grad(), -lr);
  }
};

Tensor cross_entropy(const Tensor& logits, const Tensor& targets) {
  return torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}), targets.reshape({-1}));
}

/// Inputs and targets [B, C] of the windows `starts` (token offsets).
std::pair<Tensor, Tensor> batch_of(const Tensor& tokens, const Tensor& starts, int64_t C) {
  auto idx = starts.unsqueeze(1) + torch::arange(C + 1, torch::kLong).unsqueeze(0);
  auto w = torch::take(tokens, idx);
  return {w.slice(1, 0, C), w.slice(1, 1, C + 1)};
}

/// Mean next-token cross-entropy (nats) and top-1 accuracy over the windows `starts`.
EvalResult evaluate_windows(LmNet& net, const Tensor& tokens, const Tensor& starts) {
  torch::NoGradGuard no_grad;
  const int64_t n = starts.size(0), C = net.spec.context;
  double nll = 0;
  int64_t correct = 0;
  for (int64_t s = 0; s < n; s += 64) {
    auto [x, y] = batch_of(tokens, starts.slice(0, s, std::min(s + 64, n)), C);
    auto logits = net.logits(x);
    nll += torch::nn::functional::cross_entropy(
               logits.reshape({-1, logits.size(-1)}), y.reshape({-1}),
               torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
               .item<double>();
    correct += logits.argmax(-1).eq(y).sum().item<int64_t>();
  }
  const double targets = static_cast<double>(n * C);
  return {n ? correct / targets : 0.0, n ? nll / targets : 0.0, n};
}

/// Minibatches over `pool` (window indices into `starts_all`), reshuffled per pass with `gen`.
class BatchStream {
 public:
  BatchStream(Tensor pool, at::Generator gen, int64_t batch) : pool_(std::move(pool)), gen_(std::move(gen)), b_(batch) {}
  Tensor next() {
    const int64_t n = pool_.size(0);
    if (pos_ >= n) {
      order_ = pool_.index_select(0, torch::randperm(n, gen_, torch::kLong));
      pos_ = 0;
    }
    const int64_t end = std::min(pos_ + b_, n);
    auto out = order_.slice(0, pos_, end);
    pos_ = end;
    return out;
  }

 private:
  Tensor pool_, order_;
  at::Generator gen_;
  int64_t b_, pos_ = std::numeric_limits<int64_t>::max();
};

// --- the trainer ---------------------------------------------------------------------------

class LmTrainer final : public Trainer {
 public:
  LmTrainer(const LmJobSpec& spec, std::shared_ptr<const TextData> data, std::shared_ptr<const Params> base)
      : spec_(spec), info_(describe_lm(spec)), data_(std::move(data)), base_(std::move(base)), id_(next_id()) {
    if (data_->vocab.size() != spec_.model.vocab)
      throw std::invalid_argument("transformer: vocab " + std::to_string(spec_.model.vocab) + " but the text has " +
                                  std::to_string(data_->vocab.size()) + " tokens");
    if (data_->context != spec_.model.context)
      throw std::invalid_argument("transformer: context differs from the text windows'");
    tokens_ = torch::tensor(std::vector<int64_t>(data_->tokens.begin(), data_->tokens.end()), torch::kLong);
    train_starts_ = torch::tensor(data_->train_windows, torch::kLong);
    test_starts_ = torch::tensor(data_->test_windows, torch::kLong);
    const int64_t base_size = [&] {
      int64_t n = 0;
      for (const auto& s : transformer_layout(spec_.model)) n += s.numel;
      return n;
    }();
    if (base_ && static_cast<int64_t>(base_->size()) != base_size)
      throw std::invalid_argument("transformer: the base checkpoint has " + std::to_string(base_->size()) +
                                  " parameters, the model needs " + std::to_string(base_size));
  }

  const ModelInfo& model() const override { return info_; }
  std::string device() const override { return "cpu"; }
  bool learns() const override { return true; }

  Params initial_params(uint64_t seed) override {
    const Params base = base_ ? *base_ : transformer_initial_base(spec_.model, seed);
    return with_fine_tune_params(spec_.model, spec_.fine_tune, base, derive_seed(seed, {0xF17E}));
  }

  TrainResult train(const TrainJob& job) override {
    const StepInputs& in = job.local.inputs;
    LocalStep plain = job.local.rule;
    plain.prox_mu = 0;  // FedProx's term: supported
    if (!plain.is_plain_sgd() || !in.correction.empty() || !in.ascent_offset.empty() ||
        !in.ascent_drift.empty() || in.momentum || in.return_momentum)
      throw std::invalid_argument(
          "transformer: the language-model trainer runs plain SGD steps (or its methods' own procedures); "
          "weight_decay, clip_norm, momentum, SAM steps and correction vectors are not supported with model "
          "\"transformer\" (use fedavg, fedprox or a language-model method)");
    LmNet& net = thread_net();
    net.load(*job.start);
    const int64_t n = static_cast<int64_t>(job.indices->size());
    auto pool = torch::tensor(std::vector<int64_t>(job.indices->begin(), job.indices->end()), torch::kLong);
    auto gen = at::detail::createCPUGenerator(job.seed);
    TrainResult r;
    r.params = *job.start;
    switch (spec_.procedure) {
      case LocalProcedure::Sgd: train_sgd(net, job, pool, gen, r, /*split=*/false); break;
      case LocalProcedure::Split: train_sgd(net, job, pool, gen, r, /*split=*/true); break;
      case LocalProcedure::ZerothOrder: train_zeroth_order(net, job, pool, gen, r); break;
      case LocalProcedure::SplitPrompt: train_split_prompt(net, job, pool, gen, r); break;
    }
    net.store_trainable(r.params);
    if (spec_.procedure != LocalProcedure::SplitPrompt) {
      r.samples = samples_processed(job.local, n);
      r.flops = training_flops(info_, job.local, n);
    }
    return r;
  }

  EvalResult evaluate(const Params& params, const std::vector<int32_t>* subset) override {
    LmNet& net = thread_net();
    net.load(params);
    Tensor starts = test_starts_;
    if (subset)
      starts = starts.index_select(0, torch::tensor(std::vector<int64_t>(subset->begin(), subset->end()), torch::kLong));
    return evaluate_windows(net, tokens_, starts);
  }

 private:
  static uint64_t next_id() {
    static std::atomic<uint64_t> id{0};
    return id++;
  }

  /// One network per worker thread and trainer (its values are always overwritten by load).
  LmNet& thread_net() {
    thread_local std::map<uint64_t, std::unique_ptr<LmNet>> nets;
    auto& slot = nets[id_];
    if (!slot) slot = std::make_unique<LmNet>(spec_.model, spec_.fine_tune);
    return *slot;
  }

  /// Plain SGD on the whole network's loss; with `split`, every step goes through the
  /// boundaries of split learning instead (split_step), which must give the same numbers.
  void train_sgd(LmNet& net, const TrainJob& job, const Tensor& pool, at::Generator& gen, TrainResult& r, bool split) {
    const int64_t n = pool.size(0), steps = steps_taken(job.local, n), C = spec_.model.context;
    BatchStream batches(pool, gen, job.local.batch_size);
    std::vector<Tensor> anchor;  // FedProx: the starting point of the trainable tensors
    if (job.local.rule.prox_mu > 0)
      for (const auto& p : net.trainable) anchor.push_back(p.detach().clone());
    double loss_sum = 0;
    for (int64_t s = 0; s < steps; ++s) {
      auto [x, y] = batch_of(tokens_, train_starts_.index_select(0, batches.next()), C);
      net.zero_grads();
      double loss;
      if (split) {
        loss = split_step(net, x, y);
      } else {
        auto l = cross_entropy(net.logits(x), y);
        l.backward();
        loss = l.item<double>();
      }
      if (!anchor.empty()) {
        torch::NoGradGuard no_grad;
        for (size_t i = 0; i < anchor.size(); ++i)
          net.trainable[i].mutable_grad().add_(net.trainable[i].detach() - anchor[i], static_cast<float>(job.local.rule.prox_mu));
      }
      net.sgd_step(static_cast<float>(job.local.lr));
      loss_sum += loss;
    }
    r.steps = steps;
    r.mean_loss = steps ? loss_sum / steps : std::nan("");
  }

  /// Split learning's four messages, in one process: the device's head output crosses to the
  /// server (detached: what is sent is a plain tensor), the body's output crosses back, the
  /// device's tail computes the loss and sends the gradient of the body's output, the server
  /// backpropagates it through the body (frozen or not) and sends the gradient of the head's
  /// output, which the device backpropagates into the head. Returns the loss.
  double split_step(LmNet& net, const Tensor& x, const Tensor& y) {
    const int head_to = spec_.fine_tune.split.head_layers;
    const int body_to = spec_.model.layers - spec_.fine_tune.split.tail_layers;
    auto a = net.head(x, head_to);                               // device
    auto a_server = a.detach().requires_grad_(true);             // message 1: activations up
    auto z = net.blocks_range(a_server, head_to, body_to);       // server
    auto z_device = z.detach().requires_grad_(true);             // message 2: activations down
    auto loss = cross_entropy(net.tail(z_device, body_to), y);   // device
    loss.backward();
    z.backward(z_device.grad());                                 // message 3: gradient up; server
    if (a.requires_grad()) a.backward(a_server.grad());          // message 4: gradient down; device
    return loss.item<double>();
  }

  void train_zeroth_order(LmNet& net, const TrainJob& job, const Tensor& pool, at::Generator& gen, TrainResult& r) {
    torch::NoGradGuard no_grad;
    const auto& zo = spec_.zeroth_order;
    const int64_t n = pool.size(0), steps = steps_taken(job.local, n), C = spec_.model.context;
    int64_t D = 0;
    for (const auto& p : net.trainable) D += p.numel();
    std::vector<Tensor> flat_views;
    auto w = torch::cat([&] {
      std::vector<Tensor> v;
      for (const auto& p : net.trainable) v.push_back(p.detach().reshape({-1}));
      return v;
    }());
    std::vector<float> z_buf(static_cast<size_t>(D));
    auto z = torch::from_blob(z_buf.data(), {D}, torch::kFloat);
    auto set_params = [&](const Tensor& flat) {
      int64_t off = 0;
      for (auto& p : net.trainable) {
        p.detach().copy_(flat.slice(0, off, off + p.numel()).view(p.sizes()));
        off += p.numel();
      }
    };
    std::map<uint32_t, double> sums;
    Rng pick(job.seed);
    BatchStream batches(pool, gen, job.local.batch_size);
    const float eps = static_cast<float>(zo.epsilon);
    double loss_sum = 0;
    for (int64_t s = 0; s < steps; ++s) {
      const auto k = static_cast<uint32_t>(pick.below(zo.seeds.size()));
      fill_direction(zo.seeds[k], 0, DirectionLaw::Gaussian, 1.0, z_buf.data(), D);
      auto [x, y] = batch_of(tokens_, train_starts_.index_select(0, batches.next()), C);
      set_params(w + eps * z);
      const double plus = cross_entropy(net.logits(x), y).item<double>();
      set_params(w - eps * z);
      const double minus = cross_entropy(net.logits(x), y).item<double>();
      const double g = (plus - minus) / (2.0 * zo.epsilon);
      w.add_(z, static_cast<float>(-job.local.lr * g));
      sums[k] += g;
      loss_sum += 0.5 * (plus + minus);
    }
    set_params(w);
    for (const auto& [k, g] : sums) r.seed_scalars.emplace_back(k, static_cast<float>(g));
    r.steps = steps;
    r.mean_loss = steps ? loss_sum / steps : std::nan("");
  }

  /// SFPrompt (card §5b): A) local-loss epochs on tail(head(x)), skipping the body; B) keep
  /// the windows with the highest EL2N score under that model; C) split training on them.
  void train_split_prompt(LmNet& net, const TrainJob& job, const Tensor& pool, at::Generator& gen, TrainResult& r) {
    const auto& sp = spec_.split_prompt;
    const int64_t n = pool.size(0), C = spec_.model.context;
    const int head_to = spec_.fine_tune.split.head_layers;
    const int tail_from = spec_.model.layers - spec_.fine_tune.split.tail_layers;
    const float lr = static_cast<float>(job.local.lr);
    // A: local loss.
    {
      BatchStream batches(pool, gen, job.local.batch_size);
      const int64_t steps = sp.local_loss_passes * steps_taken(job.local, n);
      for (int64_t s = 0; s < steps; ++s) {
        auto [x, y] = batch_of(tokens_, train_starts_.index_select(0, batches.next()), C);
        net.zero_grads();
        cross_entropy(net.tail(net.head(x, head_to), tail_from), y).backward();
        net.sgd_step(lr);
      }
    }
    // B: EL2N = mean over target positions of ||softmax(logits) - onehot(y)||_2, hardest kept.
    Tensor kept;
    {
      torch::NoGradGuard no_grad;
      std::vector<double> score(static_cast<size_t>(n));
      for (int64_t s = 0; s < n; s += 64) {
        const int64_t e = std::min(s + 64, n);
        auto [x, y] = batch_of(tokens_, train_starts_.index_select(0, pool.slice(0, s, e)), C);
        auto prob = torch::softmax(net.tail(net.head(x, head_to), tail_from), -1);
        auto onehot = torch::zeros_like(prob).scatter_(-1, y.unsqueeze(-1), 1.0);
        auto el2n = (prob - onehot).norm(2, -1).mean(-1).to(torch::kDouble).contiguous();
        std::copy(el2n.data_ptr<double>(), el2n.data_ptr<double>() + (e - s), score.begin() + s);
      }
      std::vector<int64_t> order(static_cast<size_t>(n));
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return score[a] > score[b]; });
      order.resize(static_cast<size_t>(split_prompt_kept(sp.keep_fraction, n)));
      std::sort(order.begin(), order.end());
      kept = pool.index_select(0, torch::tensor(order, torch::kLong));
    }
    // C: split training on the kept windows.
    train_sgd(net, job, kept, gen, r, /*split=*/true);
    // Windows trained on (phase B only scores): A's and C's.
    r.samples = sp.local_loss_passes * samples_processed(job.local, n) + samples_processed(job.local, kept.size(0));
  }

  LmJobSpec spec_;
  ModelInfo info_;
  std::shared_ptr<const TextData> data_;
  std::shared_ptr<const Params> base_;
  uint64_t id_;
  Tensor tokens_, train_starts_, test_starts_;
};

}  // namespace

std::unique_ptr<Trainer> make_lm_trainer(const LmJobSpec& spec, std::shared_ptr<const TextData> data,
                                         std::shared_ptr<const Params> base) {
  static std::once_flag threads_once;
  std::call_once(threads_once, [] { torch::set_num_threads(1); });
  return std::make_unique<LmTrainer>(spec, std::move(data), std::move(base));
}

PretrainResult pretrain_transformer(const TransformerSpec& spec, const TextData& data, const PretrainSpec& p,
                                    const std::function<void(int, double)>& progress) {
  static std::once_flag threads_once;
  std::call_once(threads_once, [] { torch::set_num_threads(1); });
  LmNet net(spec, FineTuneSpec{});
  net.load(transformer_initial_base(spec, p.seed));
  auto tokens = torch::tensor(std::vector<int64_t>(data.tokens.begin(), data.tokens.end()), torch::kLong);
  auto starts = torch::tensor(data.train_windows, torch::kLong);
  auto pool = torch::arange(starts.size(0), torch::kLong);
  BatchStream batches(pool, at::detail::createCPUGenerator(derive_seed(p.seed, {0xB47C})), p.batch_size);
  torch::optim::Adam adam(net.trainable, torch::optim::AdamOptions(p.lr).betas({0.9, 0.95}));
  const int warmup = std::max(1, p.steps / 20);
  const int tail_n = std::max(1, p.steps / 20);
  double tail_sum = 0;
  PretrainResult out;
  for (int s = 0; s < p.steps; ++s) {
    const double frac = s < warmup ? double(s + 1) / warmup
                                   : 0.1 + 0.9 * 0.5 * (1 + std::cos(M_PI * double(s - warmup) / std::max(1, p.steps - warmup)));
    for (auto& g : adam.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(p.lr * frac);
    auto [x, y] = batch_of(tokens, starts.index_select(0, batches.next()), spec.context);
    adam.zero_grad();
    auto loss = cross_entropy(net.logits(x), y);
    loss.backward();
    adam.step();
    const double l = loss.item<double>();
    if (s >= p.steps - tail_n) tail_sum += l;
    if (progress && (s + 1) % 50 == 0) progress(s + 1, l);
    out.tokens += x.numel();
  }
  const auto layout = transformer_layout(spec);
  out.params.assign(static_cast<size_t>(layout.back().offset + layout.back().numel), 0.f);
  net.store_trainable(out.params);
  out.final_train_loss = tail_sum / std::min(tail_n, std::max(1, p.steps));
  out.heldout_loss = data.test_windows.empty()
                         ? std::nan("")
                         : evaluate_windows(net, tokens, torch::tensor(data.test_windows, torch::kLong)).loss;
  return out;
}

// --- tensor-parallel inference (tensor_parallel.hpp) ---------------------------------------

namespace {

/// One device's shard of one block: its heads' rows of q, k, v and columns of o, its MLP
/// units' rows of fc and columns of proj (views into the network's tensors), and its KV cache.
struct BlockShard {
  int64_t heads = 0;
  Tensor qw, qb, kw, kb, vw, vb, ow, fcw, fcb, projw;
  Tensor k_cache, v_cache;  // [1, heads, positions, dh]
};

Tensor tensor_of(const std::vector<float>& v, at::IntArrayRef shape) {
  return torch::from_blob(const_cast<float*>(v.data()), {static_cast<int64_t>(v.size())}, torch::kFloat)
      .clone()
      .view(shape);
}
std::vector<float> vector_of(const Tensor& t) {
  auto c = t.contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

/// The all-reduce of the devices' partials through `sum`.
Tensor all_reduce(const std::vector<Tensor>& partials, const PartialSum& sum) {
  std::vector<std::vector<float>> in;
  for (const auto& p : partials) in.push_back(vector_of(p));
  const std::vector<float> out = sum(in);
  if (out.size() != in.front().size())
    throw std::logic_error("tensor parallel: the partial sum returned " + std::to_string(out.size()) + " values, expected " +
                           std::to_string(in.front().size()));
  return tensor_of(out, partials.front().sizes());
}

}  // namespace

std::vector<float> transformer_logits(const TransformerSpec& spec, const Params& base,
                                      const std::vector<int32_t>& tokens) {
  torch::NoGradGuard no_grad;
  if (tokens.empty() || static_cast<int>(tokens.size()) > spec.context)
    throw std::invalid_argument("transformer_logits: 1 to " + std::to_string(spec.context) + " tokens, got " +
                                std::to_string(tokens.size()));
  LmNet net(spec, FineTuneSpec{});
  net.load(base);
  auto x = torch::tensor(std::vector<int64_t>(tokens.begin(), tokens.end()), torch::kLong).unsqueeze(0);
  return vector_of(net.logits(x).squeeze(0));
}

std::vector<float> tensor_parallel_logits(const TransformerSpec& spec, const Params& base, const TensorParallelCut& cut,
                                          const PartialSum& sum, int prompt, const std::vector<int32_t>& tokens) {
  torch::NoGradGuard no_grad;
  const int64_t T = static_cast<int64_t>(tokens.size()), d = spec.d_model, H = spec.heads, dh = d / H;
  const size_t n = cut.heads.size();
  auto total = [](const std::vector<int64_t>& v) { return std::accumulate(v.begin(), v.end(), int64_t{0}); };
  auto positive = [](const std::vector<int64_t>& v) { return std::all_of(v.begin(), v.end(), [](int64_t x) { return x >= 1; }); };
  if (n == 0 || cut.mlp_columns.size() != n || total(cut.heads) != H || total(cut.mlp_columns) != spec.mlp_hidden ||
      !positive(cut.heads) || !positive(cut.mlp_columns))
    throw std::invalid_argument("tensor parallel: the cut must give every device >= 1 head and >= 1 MLP column, " +
                                std::to_string(H) + " heads and " + std::to_string(spec.mlp_hidden) +
                                " columns in all, over the same devices");
  if (prompt < 1 || prompt > T || T > spec.context)
    throw std::invalid_argument("tensor parallel: prompt in [1, tokens] and tokens <= context (" +
                                std::to_string(spec.context) + ")");
  LmNet net(spec, FineTuneSpec{});
  net.load(base);
  // Every device's shard of every block: contiguous ranges of heads and columns, in device order.
  std::vector<std::vector<BlockShard>> shards(n, std::vector<BlockShard>(static_cast<size_t>(spec.layers)));
  int64_t head0 = 0, col0 = 0;
  for (size_t i = 0; i < n; ++i) {
    const int64_t r0 = head0 * dh, rows = cut.heads[i] * dh, c0 = col0, cols = cut.mlp_columns[i];
    for (int l = 0; l < spec.layers; ++l) {
      const BlockTensors& b = net.blocks[static_cast<size_t>(l)];
      BlockShard& s = shards[i][static_cast<size_t>(l)];
      s.heads = cut.heads[i];
      s.qw = b.qw.narrow(0, r0, rows), s.qb = b.qb.narrow(0, r0, rows);
      s.kw = b.kw.narrow(0, r0, rows), s.kb = b.kb.narrow(0, r0, rows);
      s.vw = b.vw.narrow(0, r0, rows), s.vb = b.vb.narrow(0, r0, rows);
      s.ow = b.ow.narrow(1, r0, rows);
      s.fcw = b.fcw.narrow(0, c0, cols), s.fcb = b.fcb.narrow(0, c0, cols);
      s.projw = b.projw.narrow(1, c0, cols);
    }
    head0 += cut.heads[i], col0 += cut.mlp_columns[i];
  }
  const auto ids = torch::tensor(std::vector<int64_t>(tokens.begin(), tokens.end()), torch::kLong);
  std::vector<float> out;
  int64_t past = 0;  // positions in the caches
  while (past < T) {
    const int64_t q = past == 0 ? prompt : 1;
    // Master: the embedding of the round's new positions (sent to every device).
    auto x = (torch::embedding(net.tok_emb, ids.slice(0, past, past + q)) + net.pos_emb.slice(0, past, past + q))
                 .unsqueeze(0);
    // New position i (absolute past + i) sees keys 0 .. past + i.
    auto future = torch::arange(past + q, torch::kLong).unsqueeze(0) > torch::arange(past, past + q, torch::kLong).unsqueeze(1);
    for (int l = 0; l < spec.layers; ++l) {
      const BlockTensors& b = net.blocks[static_cast<size_t>(l)];
      auto h = torch::layer_norm(x, {d}, b.ln1w, b.ln1b, 1e-5);  // replicated norm
      std::vector<Tensor> partial;
      for (size_t i = 0; i < n; ++i) {
        BlockShard& s = shards[i][static_cast<size_t>(l)];
        auto heads = [&](const Tensor& t) { return t.view({1, q, s.heads, dh}).transpose(1, 2); };
        auto qh = heads(torch::linear(h, s.qw, s.qb));
        auto kh = heads(torch::linear(h, s.kw, s.kb)), vh = heads(torch::linear(h, s.vw, s.vb));
        s.k_cache = s.k_cache.defined() ? torch::cat({s.k_cache, kh}, 2) : kh;
        s.v_cache = s.v_cache.defined() ? torch::cat({s.v_cache, vh}, 2) : vh;
        auto att = torch::matmul(qh, s.k_cache.transpose(-2, -1)) * (1.0 / std::sqrt(static_cast<double>(dh)));
        att = torch::softmax(att.masked_fill(future, -std::numeric_limits<float>::infinity()), -1);
        auto y = torch::matmul(att, s.v_cache).transpose(1, 2).reshape({1, q, s.heads * dh});
        partial.push_back(torch::linear(y, s.ow));  // o's columns of these heads: a full-width partial
      }
      auto x1 = x + (all_reduce(partial, sum) + b.ob);
      auto h2 = torch::layer_norm(x1, {d}, b.ln2w, b.ln2b, 1e-5);
      partial.clear();
      for (size_t i = 0; i < n; ++i) {
        const BlockShard& s = shards[i][static_cast<size_t>(l)];
        partial.push_back(torch::linear(torch::gelu(torch::linear(h2, s.fcw, s.fcb)), s.projw));
      }
      x = x1 + (all_reduce(partial, sum) + b.projb);
    }
    // Master: final norm and head.
    const auto logits = torch::linear(torch::layer_norm(x, {d}, net.lnfw, net.lnfb, 1e-5), net.headw);
    const auto rows = vector_of(logits.squeeze(0));
    out.insert(out.end(), rows.begin(), rows.end());
    past += q;
  }
  return out;
}

// --- the GQA decoder (tensor_parallel.hpp) -------------------------------------------------

namespace {

struct GqaLayer {
  Tensor norm1, q, k, v, o, norm2, gate, up, down;
};
struct GqaNet {
  Tensor tok_emb, pos_emb, norm_f, head;
  std::vector<GqaLayer> layers;
};

void check_gqa(const GqaDecoderSpec& s) {
  if (s.heads < 1 || s.kv_heads < 1 || s.heads % s.kv_heads != 0 || s.d_model % s.heads != 0 || s.layers < 1 ||
      s.mlp_hidden < 1 || s.vocab < 1 || s.context < 1)
    throw std::invalid_argument("gqa decoder: needs kv_heads | heads | d_model and positive sizes");
}

/// Views of `flat` (which must outlive them) in the layout's order.
GqaNet gqa_net(const GqaDecoderSpec& s, const Params& flat) {
  check_gqa(s);
  if (static_cast<int64_t>(flat.size()) != gqa_decoder_size(s))
    throw std::invalid_argument("gqa decoder: " + std::to_string(flat.size()) + " values, the layout needs " +
                                std::to_string(gqa_decoder_size(s)));
  auto all = torch::from_blob(const_cast<float*>(flat.data()), {static_cast<int64_t>(flat.size())}, torch::kFloat);
  int64_t at = 0;
  auto take = [&](std::vector<int64_t> shape) {
    int64_t n = 1;
    for (auto x : shape) n *= x;
    auto t = all.slice(0, at, at + n).view(shape);
    at += n;
    return t;
  };
  const int64_t d = s.d_model, dh = d / s.heads, qd = s.heads * dh, kd = s.kv_heads * dh;
  GqaNet net;
  net.tok_emb = take({s.vocab, d});
  net.pos_emb = take({s.context, d});
  for (int l = 0; l < s.layers; ++l) {
    GqaLayer g;
    g.norm1 = take({d}), g.q = take({qd, d}), g.k = take({kd, d}), g.v = take({kd, d}), g.o = take({d, qd});
    g.norm2 = take({d}), g.gate = take({s.mlp_hidden, d}), g.up = take({s.mlp_hidden, d}), g.down = take({d, s.mlp_hidden});
    net.layers.push_back(g);
  }
  net.norm_f = take({d});
  net.head = take({s.vocab, d});
  return net;
}

Tensor rms_norm(const Tensor& x, const Tensor& w) { return x * torch::rsqrt(x.pow(2).mean(-1, true) + 1e-6) * w; }

}  // namespace

int64_t gqa_decoder_size(const GqaDecoderSpec& s) {
  const int64_t d = s.d_model, dh = s.heads ? d / s.heads : 0, qd = s.heads * dh, kd = s.kv_heads * dh;
  const int64_t layer = d + qd * d + 2 * kd * d + d * qd + d + 3 * static_cast<int64_t>(s.mlp_hidden) * d;
  return static_cast<int64_t>(s.vocab) * d + static_cast<int64_t>(s.context) * d + s.layers * layer + d +
         static_cast<int64_t>(s.vocab) * d;
}

std::vector<float> gqa_decoder_logits(const GqaDecoderSpec& s, const Params& params, const std::vector<int32_t>& tokens) {
  torch::NoGradGuard no_grad;
  const GqaNet net = gqa_net(s, params);
  const int64_t T = static_cast<int64_t>(tokens.size()), d = s.d_model, a = s.heads, b = s.kv_heads, dh = d / a;
  if (T < 1 || T > s.context) throw std::invalid_argument("gqa decoder: 1 to context tokens");
  const auto ids = torch::tensor(std::vector<int64_t>(tokens.begin(), tokens.end()), torch::kLong);
  auto x = (torch::embedding(net.tok_emb, ids) + net.pos_emb.slice(0, 0, T)).unsqueeze(0);
  const auto future = torch::ones({T, T}, torch::kBool).triu(1);
  for (const auto& g : net.layers) {
    auto h = rms_norm(x, g.norm1);
    auto q = torch::linear(h, g.q).view({1, T, a, dh}).transpose(1, 2);
    // Each KV head serves the a / b query heads of its group.
    auto k = torch::linear(h, g.k).view({1, T, b, dh}).transpose(1, 2).repeat_interleave(a / b, 1);
    auto v = torch::linear(h, g.v).view({1, T, b, dh}).transpose(1, 2).repeat_interleave(a / b, 1);
    auto att = torch::matmul(q, k.transpose(-2, -1)) * (1.0 / std::sqrt(static_cast<double>(dh)));
    att = torch::softmax(att.masked_fill(future, -std::numeric_limits<float>::infinity()), -1);
    x = x + torch::linear(torch::matmul(att, v).transpose(1, 2).reshape({1, T, a * dh}), g.o);
    auto h2 = rms_norm(x, g.norm2);
    x = x + torch::linear(torch::silu(torch::linear(h2, g.gate)) * torch::linear(h2, g.up), g.down);
  }
  return vector_of(torch::linear(rms_norm(x, net.norm_f), net.head).squeeze(0));
}

std::vector<float> gqa_tensor_parallel_logits(const GqaDecoderSpec& s, const Params& params,
                                              const TensorParallelCut& cut, const PartialSum& sum, int prompt,
                                              const std::vector<int32_t>& tokens) {
  torch::NoGradGuard no_grad;
  const GqaNet net = gqa_net(s, params);
  const int64_t T = static_cast<int64_t>(tokens.size()), d = s.d_model, a = s.heads, b = s.kv_heads, dh = d / a,
                group = a / b;
  const size_t n = cut.heads.size();
  auto total = [](const std::vector<int64_t>& v) { return std::accumulate(v.begin(), v.end(), int64_t{0}); };
  auto positive = [](const std::vector<int64_t>& v) { return std::all_of(v.begin(), v.end(), [](int64_t x) { return x >= 1; }); };
  if (n == 0 || cut.mlp_columns.size() != n || total(cut.heads) != b || total(cut.mlp_columns) != s.mlp_hidden ||
      !positive(cut.heads) || !positive(cut.mlp_columns))
    throw std::invalid_argument("gqa tensor parallel: every device needs >= 1 KV head and >= 1 MLP column, " +
                                std::to_string(b) + " KV heads and " + std::to_string(s.mlp_hidden) + " columns in all");
  if (prompt < 1 || prompt > T || T > s.context)
    throw std::invalid_argument("gqa tensor parallel: prompt in [1, tokens] and tokens <= context");
  struct Shard {
    int64_t kv = 0;
    Tensor q, k, v, o, gate, up, down, k_cache, v_cache;
  };
  std::vector<std::vector<Shard>> shards(n);
  int64_t kv0 = 0, col0 = 0;
  for (size_t i = 0; i < n; ++i) {
    const int64_t kv = cut.heads[i], cols = cut.mlp_columns[i];
    for (const auto& g : net.layers) {
      Shard sh;
      sh.kv = kv;
      sh.q = g.q.narrow(0, kv0 * group * dh, kv * group * dh);  // the query heads of its KV groups
      sh.o = g.o.narrow(1, kv0 * group * dh, kv * group * dh);
      sh.k = g.k.narrow(0, kv0 * dh, kv * dh), sh.v = g.v.narrow(0, kv0 * dh, kv * dh);
      sh.gate = g.gate.narrow(0, col0, cols), sh.up = g.up.narrow(0, col0, cols), sh.down = g.down.narrow(1, col0, cols);
      shards[i].push_back(sh);
    }
    kv0 += kv, col0 += cols;
  }
  const auto ids = torch::tensor(std::vector<int64_t>(tokens.begin(), tokens.end()), torch::kLong);
  std::vector<float> out;
  for (int64_t past = 0; past < T;) {
    const int64_t q = past == 0 ? prompt : 1;
    auto x = (torch::embedding(net.tok_emb, ids.slice(0, past, past + q)) + net.pos_emb.slice(0, past, past + q))
                 .unsqueeze(0);
    auto future = torch::arange(past + q, torch::kLong).unsqueeze(0) > torch::arange(past, past + q, torch::kLong).unsqueeze(1);
    for (size_t l = 0; l < net.layers.size(); ++l) {
      const GqaLayer& g = net.layers[l];
      auto h = rms_norm(x, g.norm1);
      std::vector<Tensor> partial;
      for (size_t i = 0; i < n; ++i) {
        Shard& sh = shards[i][l];
        auto qh = torch::linear(h, sh.q).view({1, q, sh.kv * group, dh}).transpose(1, 2);
        auto kh = torch::linear(h, sh.k).view({1, q, sh.kv, dh}).transpose(1, 2);
        auto vh = torch::linear(h, sh.v).view({1, q, sh.kv, dh}).transpose(1, 2);
        sh.k_cache = sh.k_cache.defined() ? torch::cat({sh.k_cache, kh}, 2) : kh;  // its KV heads only
        sh.v_cache = sh.v_cache.defined() ? torch::cat({sh.v_cache, vh}, 2) : vh;
        auto att = torch::matmul(qh, sh.k_cache.repeat_interleave(group, 1).transpose(-2, -1)) *
                   (1.0 / std::sqrt(static_cast<double>(dh)));
        att = torch::softmax(att.masked_fill(future, -std::numeric_limits<float>::infinity()), -1);
        auto y = torch::matmul(att, sh.v_cache.repeat_interleave(group, 1)).transpose(1, 2).reshape({1, q, sh.kv * group * dh});
        partial.push_back(torch::linear(y, sh.o));
      }
      x = x + all_reduce(partial, sum);
      auto h2 = rms_norm(x, g.norm2);
      partial.clear();
      for (size_t i = 0; i < n; ++i) {
        const Shard& sh = shards[i][l];
        partial.push_back(torch::linear(torch::silu(torch::linear(h2, sh.gate)) * torch::linear(h2, sh.up), sh.down));
      }
      x = x + all_reduce(partial, sum);
    }
    const auto rows = vector_of(torch::linear(rms_norm(x, net.norm_f), net.head).squeeze(0));
    out.insert(out.end(), rows.begin(), rows.end());
    past += q;
  }
  return out;
}

}  // namespace flemu
