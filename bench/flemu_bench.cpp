// flemu_bench: how fast is flemu, and how far does it scale? (issue "Speed and scale")
//
//   flemu_bench [--reps N] [--scale-reps N] [--json FILE] [--only abcdefghij] [--data-dir DIR]
//               [--rounds R] [--sizes 1000,10000,100000] [--timeout S] [--max-rss-gb G]
//
// (a) trainer   samples/s of flemu's training job (Trainer::train from make_torch_trainer, one
//               job at a time, 1 intra-op thread) vs a plain LibTorch loop (same MLP, batch 50,
//               torch::optim::SGD, same thread count) on the same 10 clients' samples.
// (b) round     the real `flemu run bench/reference.json --jobs J` (J = 1, 2) for a few rounds:
//               wall seconds per round from summary.json's wall_breakdown, vs the plain loop
//               training the round's 10 clients x 3000 samples one after another.
// (c) scale     analytic training, one round in which all N devices take part: wall seconds
//               and peak RSS of the flemu process (wait4), N = 1k, 10k, 100k; devices jittered
//               by 0.2 on a 0.001 grid (jitter_step), and again with continuous jitter.
// (d) scale+link  as (c) on the grid, every transfer also crossing one shared 10Gbps server link.
// (e) memory    10,000 clients x 6 samples, real training, 10 per round: peak RSS.
// (f) wide      1,000 clients x 60 samples per round, real training (the GPU's stacked job).
// (g) dynamic   FedBuff, analytic, one simulated hour on N devices (concurrency N/100): always
//               on, coming and going (exponential availability), and on batteries; wall
//               seconds, dispatches, and each dynamic fleet's wall time over the always-on one.
// (h) fedspeed  samples/s of a FedSpeed job (the real algorithm's round-2 plans through
//               Trainer::train: the generic local-rule executor) vs a plain LibTorch loop doing
//               the same step by hand (two gradient evaluations per step, ascent, correction, clip).
// (i) state     ClientStateStore with 1,000 MLP clients x one model-sized vector: its bytes and
//               the process's resident-memory growth.
// (j) lm        tokens/s of flemu's language-model job (make_lm_trainer, full fine-tuning of
//               the study's transformer: 2 blocks, d 128, context 64) vs a plain LibTorch loop
//               (the same GPT written with torch::nn modules and torch::optim::SGD) on the same
//               clients' fortunes windows (synthetic text when fortunes is not installed).
//
// Every figure is the median of the repetitions, measured in one go (a and b interleave their
// two sides). Child runs are watched: one over --timeout seconds or --max-rss-gb is killed and
// reported as such (larger sizes are then skipped), so a bench never takes the machine down.
// The one translation unit of bench/ that includes <torch/torch.h> (for the plain loop).
#include <torch/torch.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "algorithms/algorithm.hpp"
#include "algorithms/client_state.hpp"
#include "workloads/data/dataset.hpp"
#include "workloads/data/fortunes.hpp"
#include "workloads/models/lm_trainer.hpp"
#include "workloads/text_workload.hpp"
#include "workloads/models/model_info.hpp"
#include "workloads/data/partition.hpp"
#include "workloads/rng.hpp"
#include "workloads/models/trainer.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  int reps = 5;
  int scale_reps = 3;
  std::string json_path;
  std::string only = "abcdefghij";
  std::string device = "auto";  ///< (a), (b), (f): "auto" | "cpu" | "cuda", as a scenario's "device"
  std::string data_dir;
  int rounds = 3;
  std::vector<int> sizes = {1000, 10000, 100000};
  std::vector<int> validate_sizes = {100, 1000};  ///< (d): fluid model vs SimGrid
  int simgrid_link_max = 10000;                    ///< (d): largest size run with SimGrid's solver
  double timeout_s = 180;
  double max_rss_gb = 8;
};

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

json read_json(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw std::runtime_error(p.string() + ": cannot read");
  return json::parse(in);
}

// --- (a) the plain LibTorch loop -------------------------------------------------------------
struct PlainMlp : torch::nn::Module {
  PlainMlp() {
    fc1 = register_module("fc1", torch::nn::Linear(784, 200));
    fc2 = register_module("fc2", torch::nn::Linear(200, 200));
    fc3 = register_module("fc3", torch::nn::Linear(200, 10));
  }
  torch::Tensor forward(torch::Tensor x) {
    x = x.view({x.size(0), 784});
    return fc3->forward(torch::relu(fc2->forward(torch::relu(fc1->forward(x)))));
  }
  torch::nn::Linear fc1{nullptr}, fc2{nullptr}, fc3{nullptr};
};

/// What a LibTorch user writes: per client, start from the global weights, then epochs of
/// shuffled minibatches with torch::optim::SGD. Returns samples processed.
int64_t plain_loop(PlainMlp& net, const torch::Tensor& x_all, const torch::Tensor& y_all,
                   const std::vector<std::vector<int32_t>>& clients, const std::vector<float>& start, int epochs,
                   int batch, double lr) {
  torch::optim::SGD opt(net.parameters(), torch::optim::SGDOptions(lr));
  int64_t samples = 0;
  double loss_sum = 0;
  for (const auto& idx32 : clients) {
    {
      torch::NoGradGuard no_grad;
      int64_t off = 0;
      for (auto& p : net.parameters()) {
        p.copy_(torch::from_blob(const_cast<float*>(start.data()) + off, p.sizes(), torch::kFloat).to(p.device()));
        off += p.numel();
      }
    }
    const int64_t n = static_cast<int64_t>(idx32.size());
    auto idx = torch::from_blob(const_cast<int32_t*>(idx32.data()), {n}, torch::kInt32).to(torch::kLong).to(x_all.device());
    for (int e = 0; e < epochs; ++e) {
      auto order = idx.index_select(0, torch::randperm(n, torch::kLong).to(idx.device()));
      for (int64_t s = 0; s < n; s += batch) {
        auto b = order.slice(0, s, std::min(s + batch, n));
        auto loss = torch::nn::functional::cross_entropy(net.forward(x_all.index_select(0, b)), y_all.index_select(0, b));
        opt.zero_grad();
        loss.backward();
        opt.step();
        loss_sum += loss.item<double>();
        samples += b.size(0);
      }
    }
  }
  if (std::isnan(loss_sum)) std::cerr << "plain loop: NaN loss\n";
  return samples;
}

/// One round of the reference setting (reference.json): Fashion-MNIST, its Dirichlet split,
/// and the first clients_per_round clients (the same work as any round of (b)).
struct ReferenceRound {
  std::shared_ptr<const flemu::TrainTest> data;
  json algorithm;
  int per_client = 0, per_round = 0;
  uint64_t seed = 0;
  std::vector<std::vector<int32_t>> parts;
};

ReferenceRound reference_round(const Options& o, const json& ref) {
  const std::string dir = o.data_dir.empty() ? std::string("/usr/share/datasets/fashion-mnist") : o.data_dir;
  ReferenceRound r;
  r.data = std::make_shared<const flemu::TrainTest>(flemu::load_fashion_mnist(dir));
  const auto& w = ref["workload"];
  r.algorithm = ref["algorithm"];
  const int num_clients = ref["platform"]["classes"][0]["count"].get<int>();
  r.per_client = w["samples_per_client"].get<int>();
  r.per_round = r.algorithm["clients_per_round"].get<int>();
  r.seed = ref["seed"].get<uint64_t>();
  flemu::PartitionSpec ps;
  ps.scheme = flemu::PartitionScheme::Dirichlet;
  ps.alpha = w["partition"]["alpha"].get<double>();
  r.parts = flemu::partition_dataset(r.data->train.labels, r.data->train.num_classes, num_clients, r.per_client, ps,
                                     flemu::derive_seed(r.seed, flemu::SeedStream::Partition));
  r.parts.resize(r.per_round);
  return r;
}

struct TrainerBench {
  double flemu_sps = NAN, plain_sps = NAN, ratio = NAN, plain_round_s = NAN;
  int64_t samples_per_rep = 0;
};

TrainerBench bench_trainer(const Options& o, const json& ref) {
  const ReferenceRound round = reference_round(o, ref);
  const auto& data = round.data;
  const auto& a = round.algorithm;
  const int per_client = round.per_client, per_round = round.per_round;
  const uint64_t seed = round.seed;
  const auto& parts = round.parts;

  flemu::LocalTrainingSpec local;
  local.epochs = a["local_epochs"].get<int>();
  local.batch_size = a["batch_size"].get<int>();
  local.lr = a["lr"].get<double>();

  // (Naming describe_model and samples_processed here also makes the static link pull their
  // objects from flemu_core before flemu_torch, which needs them.)
  const auto info = flemu::describe_model(flemu::ModelKind::Mlp);
  const int64_t expected = per_round * flemu::samples_processed(local, per_client);
  auto trainer = flemu::make_torch_trainer(flemu::ModelKind::Mlp, data, o.device, 0);  // sets 1 intra-op thread
  const torch::Device device(trainer->device() == "cuda" ? torch::kCUDA : torch::kCPU);
  torch::set_num_threads(1);
  auto start = std::make_shared<const flemu::Params>(trainer->initial_params(seed));

  auto x_all = torch::from_blob(const_cast<float*>(data->train.images.data()), {data->train.size, 1, 28, 28}, torch::kFloat);
  x_all = x_all.to(device);
  auto y_all = torch::from_blob(const_cast<uint8_t*>(data->train.labels.data()), {data->train.size}, torch::kUInt8)
                   .to(torch::kLong);
  y_all = y_all.to(device);
  torch::manual_seed(seed);
  PlainMlp net;
  net.to(device);

  auto run_flemu = [&] {
    int64_t samples = 0;
    for (size_t c = 0; c < parts.size(); ++c) {
      flemu::TrainJob job;
      job.client = static_cast<int>(c);
      job.round = 1;
      job.seed = flemu::derive_seed(seed, flemu::SeedStream::Training, {1, c});
      job.start = start;
      job.indices = std::make_shared<const std::vector<int32_t>>(parts[c]);
      job.local = local;
      samples += trainer->train(job).samples;
    }
    return samples;
  };
  auto run_plain = [&] { return plain_loop(net, x_all, y_all, parts, *start, local.epochs, local.batch_size, local.lr); };

  run_flemu();  // warm-up: thread-local module, allocator
  run_plain();
  std::vector<double> f, p;
  TrainerBench r;
  for (int i = 0; i < o.reps; ++i) {
    auto t0 = Clock::now();
    const int64_t nf = run_flemu();
    f.push_back(nf / seconds_since(t0));
    t0 = Clock::now();
    const int64_t np = run_plain();
    p.push_back(np / seconds_since(t0));
    r.samples_per_rep = nf;
  }
  if (r.samples_per_rep != expected)
    throw std::logic_error(fmt::format("{} samples per rep, expected {}", r.samples_per_rep, expected));
  if (info.num_params != static_cast<int64_t>(start->size())) throw std::logic_error("model size mismatch");
  r.flemu_sps = median(f);
  r.plain_sps = median(p);
  r.ratio = r.flemu_sps / r.plain_sps;
  r.plain_round_s = r.samples_per_rep / r.plain_sps;
  return r;
}

// --- (j) the language-model job vs a plain LibTorch transformer loop -------------------------

/// The same GPT as workloads/models/torch_lm_trainer.cpp, written the way a LibTorch user
/// would: nn modules, registered parameters, torch::optim::SGD.
struct PlainBlock : torch::nn::Module {
  PlainBlock(int64_t d, int64_t heads, int64_t hidden) : heads(heads) {
    ln1 = register_module("ln1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d})));
    q = register_module("q", torch::nn::Linear(d, d));
    k = register_module("k", torch::nn::Linear(d, d));
    v = register_module("v", torch::nn::Linear(d, d));
    o = register_module("o", torch::nn::Linear(d, d));
    ln2 = register_module("ln2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d})));
    fc = register_module("fc", torch::nn::Linear(d, hidden));
    proj = register_module("proj", torch::nn::Linear(hidden, d));
  }
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& mask) {
    const int64_t B = x.size(0), T = x.size(1), d = x.size(2), dh = d / heads;
    auto h = ln1->forward(x);
    auto split = [&](torch::Tensor t) { return t.view({B, T, heads, dh}).transpose(1, 2); };
    auto att = torch::matmul(split(q->forward(h)), split(k->forward(h)).transpose(-2, -1)) / std::sqrt(double(dh));
    att = torch::softmax(att.masked_fill(mask, -std::numeric_limits<float>::infinity()), -1);
    x = x + o->forward(torch::matmul(att, split(v->forward(h))).transpose(1, 2).reshape({B, T, d}));
    return x + proj->forward(torch::gelu(fc->forward(ln2->forward(x))));
  }
  int64_t heads;
  torch::nn::LayerNorm ln1{nullptr}, ln2{nullptr};
  torch::nn::Linear q{nullptr}, k{nullptr}, v{nullptr}, o{nullptr}, fc{nullptr}, proj{nullptr};
};

struct PlainGpt : torch::nn::Module {
  explicit PlainGpt(const flemu::TransformerSpec& s) {
    tok = register_module("tok", torch::nn::Embedding(s.vocab, s.d_model));
    pos = register_module("pos", torch::nn::Embedding(s.context, s.d_model));
    for (int i = 0; i < s.layers; ++i)
      blocks.push_back(register_module("b" + std::to_string(i), std::make_shared<PlainBlock>(s.d_model, s.heads, s.mlp_hidden)));
    lnf = register_module("lnf", torch::nn::LayerNorm(torch::nn::LayerNormOptions({s.d_model})));
    head = register_module("head", torch::nn::Linear(torch::nn::LinearOptions(s.d_model, s.vocab).bias(false)));
    mask = torch::ones({s.context, s.context}, torch::kBool).triu(1);
  }
  torch::Tensor forward(const torch::Tensor& x) {
    auto h = tok->forward(x) + pos->forward(torch::arange(x.size(1), torch::kLong));
    for (auto& b : blocks) h = b->forward(h, mask);
    return head->forward(lnf->forward(h));
  }
  torch::nn::Embedding tok{nullptr}, pos{nullptr};
  std::vector<std::shared_ptr<PlainBlock>> blocks;
  torch::nn::LayerNorm lnf{nullptr};
  torch::nn::Linear head{nullptr};
  torch::Tensor mask;
};

struct LmBench {
  double flemu_tps = NAN, plain_tps = NAN, ratio = NAN;
  int64_t tokens_per_rep = 0;
  std::string data;
};

LmBench bench_lm(const Options& o) {
  flemu::WorkloadSpec w;
  const bool fortunes = fs::is_directory(flemu::kFortunesDir);
  w.dataset = fortunes ? "fortunes" : "synthetic-text";
  w.model = flemu::ModelKind::Transformer;
  w.transformer.context = 64;  // the study's model
  w.transformer.d_model = 128;
  w.transformer.layers = 2;
  w.transformer.heads = 4;
  w.transformer.mlp_hidden = 512;
  w.partition.scheme = flemu::PartitionScheme::Categories;
  w.text.categories = fortunes ? std::vector<std::string>{"cookie", "computers", "science", "work"}
                               : std::vector<std::string>{"synthetic-0", "synthetic-1", "synthetic-2", "synthetic-3"};
  w.samples_per_client = 300;
  auto text = flemu::load_client_text(w, 4, 1, "");
  flemu::LmJobSpec spec;
  spec.model = w.transformer;
  auto trainer = flemu::make_lm_trainer(spec, text, nullptr);  // sets 1 intra-op thread
  torch::set_num_threads(1);
  auto start = std::make_shared<const flemu::Params>(trainer->initial_params(1));
  flemu::LocalTrainingSpec local;
  local.steps = 12;
  local.batch_size = 16;
  local.lr = 0.05;
  const int64_t C = w.transformer.context;

  torch::manual_seed(1);
  PlainGpt net(w.transformer);
  auto tokens = torch::tensor(std::vector<int64_t>(text->tokens.begin(), text->tokens.end()), torch::kLong);
  auto starts = torch::tensor(text->train_windows, torch::kLong);
  auto run_flemu = [&] {
    int64_t tok = 0;
    for (int c = 0; c < text->num_clients(); ++c) {
      flemu::TrainJob job;
      job.client = c;
      job.seed = flemu::derive_seed(1, {uint64_t(c)});
      job.start = start;
      job.indices = std::make_shared<const std::vector<int32_t>>(text->train_parts[c]);
      job.local = local;
      tok += trainer->train(job).samples * C;
    }
    return tok;
  };
  auto run_plain = [&] {
    torch::optim::SGD opt(net.parameters(), torch::optim::SGDOptions(local.lr));
    int64_t tok = 0;
    for (int c = 0; c < text->num_clients(); ++c) {
      const auto& part = text->train_parts[c];
      auto pool = torch::tensor(std::vector<int64_t>(part.begin(), part.end()), torch::kLong);
      auto order = pool.index_select(0, torch::randperm(pool.size(0), torch::kLong));
      for (int s = 0; s < local.steps; ++s) {
        const int64_t b0 = (s * local.batch_size) % pool.size(0);
        auto b = order.slice(0, b0, std::min<int64_t>(b0 + local.batch_size, pool.size(0)));
        auto idx = starts.index_select(0, b).unsqueeze(1) + torch::arange(C + 1, torch::kLong).unsqueeze(0);
        auto win = torch::take(tokens, idx);
        auto logits = net.forward(win.slice(1, 0, C));
        auto loss = torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}),
                                                         win.slice(1, 1, C + 1).reshape({-1}));
        opt.zero_grad();
        loss.backward();
        opt.step();
        tok += b.size(0) * C;
      }
    }
    return tok;
  };
  run_flemu();  // warm-up
  run_plain();
  std::vector<double> f, p;
  LmBench r;
  r.data = w.dataset;
  for (int i = 0; i < o.reps; ++i) {
    auto t0 = Clock::now();
    r.tokens_per_rep = run_flemu();
    f.push_back(r.tokens_per_rep / seconds_since(t0));
    t0 = Clock::now();
    const int64_t np = run_plain();
    p.push_back(np / seconds_since(t0));
  }
  r.flemu_tps = median(f);
  r.plain_tps = median(p);
  r.ratio = r.flemu_tps / r.plain_tps;
  return r;
}

// --- (f) a FedSpeed job vs a plain loop doing the same step ---------------------------------
/// FedSpeed's client step written directly in LibTorch, per parameter tensor, the way
/// FL-Simulator's client/fedspeed.py with optimizer/ESAM.py does it: gradient, normalised ascent,
/// second gradient at the perturbed point (same minibatch), restore, add λ(h_i − x^t), clip the
/// global norm to 10, then SGD with weight decay wd + λ. `corrections`: per client, λ(h_i − x^t)
/// flat. Returns samples processed.
int64_t plain_fedspeed_loop(PlainMlp& net, const torch::Tensor& x_all, const torch::Tensor& y_all,
                            const std::vector<std::vector<int32_t>>& clients, const std::vector<float>& start,
                            const std::vector<std::vector<float>>& corrections, int epochs, int batch, double lr,
                            double rho, double decay, double clip) {
  auto params = net.parameters();
  int64_t samples = 0;
  double loss_sum = 0;
  for (size_t c = 0; c < clients.size(); ++c) {
    std::vector<torch::Tensor> correction;
    {
      torch::NoGradGuard no_grad;
      int64_t off = 0;
      for (auto& p : params) {
        p.copy_(torch::from_blob(const_cast<float*>(start.data()) + off, p.sizes(), torch::kFloat));
        correction.push_back(
            torch::from_blob(const_cast<float*>(corrections[c].data()) + off, p.sizes(), torch::kFloat));
        off += p.numel();
      }
    }
    const auto& idx32 = clients[c];
    const int64_t n = static_cast<int64_t>(idx32.size());
    auto idx = torch::from_blob(const_cast<int32_t*>(idx32.data()), {n}, torch::kInt32).to(torch::kLong);
    for (int e = 0; e < epochs; ++e) {
      auto order = idx.index_select(0, torch::randperm(n, torch::kLong));
      for (int64_t s = 0; s < n; s += batch) {
        auto b = order.slice(0, s, std::min(s + batch, n));
        auto x = x_all.index_select(0, b);
        auto y = y_all.index_select(0, b);
        net.zero_grad();
        auto loss = torch::nn::functional::cross_entropy(net.forward(x), y);
        loss.backward();
        std::vector<torch::Tensor> e_p;
        {
          torch::NoGradGuard no_grad;
          double sq = 0;
          for (auto& p : params) sq += p.grad().pow(2).sum().item<double>();
          const double scale = rho / (std::sqrt(sq) + 1e-7);
          for (auto& p : params) {
            e_p.push_back(p.grad() * scale);
            p.add_(e_p.back());
          }
        }
        net.zero_grad();
        torch::nn::functional::cross_entropy(net.forward(x), y).backward();
        {
          torch::NoGradGuard no_grad;
          for (size_t k = 0; k < params.size(); ++k) {
            params[k].sub_(e_p[k]);
            params[k].mutable_grad().add_(correction[k]);
          }
        }
        torch::nn::utils::clip_grad_norm_(params, clip);
        {
          torch::NoGradGuard no_grad;
          for (auto& p : params) {
            p.mul_(1.0 - lr * decay);
            p.add_(p.grad(), -lr);
          }
        }
        loss_sum += loss.item<double>();
        samples += b.size(0);
      }
    }
  }
  if (std::isnan(loss_sum)) std::cerr << "plain FedSpeed loop: NaN loss\n";
  return samples;
}

struct RuleBench {
  double flemu_sps = NAN, plain_sps = NAN, ratio = NAN;
  int64_t samples_per_rep = 0;
};

/// The round-2 jobs of FedSpeed (every client with a dual h_i) on the reference setting, through
/// the real algorithm and Trainer::train, against plain_fedspeed_loop on the same clients.
RuleBench bench_fedspeed(const Options& o, const json& ref) {
  const ReferenceRound round = reference_round(o, ref);
  const auto& data = round.data;
  const auto& a = round.algorithm;
  const int per_client = round.per_client, per_round = round.per_round;
  const uint64_t seed = round.seed;
  const auto& parts = round.parts;

  flemu::AlgorithmSpec spec;  // FL-Simulator's FedSpeed defaults (card local-rules.md §2e)
  spec.name = "fedspeed";
  spec.local_epochs = a["local_epochs"].get<int>();
  spec.batch_size = a["batch_size"].get<int>();
  spec.lr = a["lr"].get<double>();
  spec.rho = 0.1;
  spec.lambda = 0.1;
  spec.weight_decay = 1e-3;
  spec.clip_norm = 10;
  auto trainer = flemu::make_torch_trainer(flemu::ModelKind::Mlp, data, "cpu");
  torch::set_num_threads(1);
  flemu::AlgorithmContext ctx;
  ctx.num_clients = per_round;
  ctx.model = trainer->model();
  ctx.model_params = ctx.model.num_params;
  ctx.model_bytes = ctx.model.bytes;
  auto algo = flemu::make_sync_algorithm(spec, ctx);
  auto global = std::make_shared<const flemu::Params>(trainer->initial_params(seed));

  auto jobs_of = [&](int round) {
    std::vector<flemu::TrainJob> jobs;
    for (int c = 0; c < per_round; ++c) {
      flemu::TrainJob job;
      job.client = c;
      job.round = round;
      job.seed = flemu::derive_seed(seed, flemu::SeedStream::Training, {uint64_t(round), uint64_t(c)});
      job.start = global;
      job.indices = std::make_shared<const std::vector<int32_t>>(parts[c]);
      job.local = algo->plan(c, round, global).local;
      jobs.push_back(job);
    }
    return jobs;
  };
  // Round 1 gives every client its dual h_i; round 2's jobs are the ones measured.
  {
    std::vector<flemu::ClientUpdate> updates;
    for (const auto& job : jobs_of(1)) {
      const auto r = trainer->train(job);
      flemu::ClientUpdate u;
      u.client = job.client;
      u.start = job.start;
      u.params = std::make_shared<const flemu::Params>(r.params);
      u.num_samples = static_cast<int64_t>(job.indices->size());
      u.local_steps = static_cast<int>(r.steps);
      u.local_lr = job.local.lr;
      updates.push_back(u);
    }
    global = std::make_shared<const flemu::Params>(algo->aggregate(*global, updates));
  }
  const auto jobs = jobs_of(2);
  std::vector<std::vector<float>> corrections;  // λ(h_i − x^t), what flemu's job forms once
  for (const auto& job : jobs) {
    std::vector<float> c(global->size(), 0.0f);
    for (const auto& t : job.local.inputs.correction)
      for (size_t k = 0; k < c.size(); ++k) c[k] += static_cast<float>(t.coef * (*t.vector)[k]);
    corrections.push_back(std::move(c));
  }
  auto x_all = torch::from_blob(const_cast<float*>(data->train.images.data()), {data->train.size, 1, 28, 28}, torch::kFloat);
  auto y_all = torch::from_blob(const_cast<uint8_t*>(data->train.labels.data()), {data->train.size}, torch::kUInt8)
                   .to(torch::kLong);
  torch::manual_seed(seed);
  PlainMlp net;
  auto run_flemu = [&] {
    int64_t samples = 0;
    for (const auto& job : jobs) samples += trainer->train(job).samples;
    return samples;
  };
  auto run_plain = [&] {
    return plain_fedspeed_loop(net, x_all, y_all, parts, *global, corrections, spec.local_epochs, spec.batch_size,
                               spec.lr, spec.rho, spec.weight_decay + spec.lambda, spec.clip_norm);
  };
  run_flemu();
  run_plain();
  std::vector<double> f, p;
  RuleBench r;
  for (int i = 0; i < o.reps; ++i) {
    auto t0 = Clock::now();
    const int64_t nf = run_flemu();
    f.push_back(nf / seconds_since(t0));
    t0 = Clock::now();
    const int64_t np = run_plain();
    p.push_back(np / seconds_since(t0));
    if (nf != np) throw std::logic_error(fmt::format("(f): flemu processed {} samples, the plain loop {}", nf, np));
    r.samples_per_rep = nf;
  }
  r.flemu_sps = median(f);
  r.plain_sps = median(p);
  r.ratio = r.flemu_sps / r.plain_sps;
  return r;
}

// --- (g) per-client state at 1,000 clients --------------------------------------------------
long self_rss_kb() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

struct StateBench {
  int clients = 0;
  int64_t store_bytes = 0;
  double rss_delta_mb = NAN;
};

/// 1,000 MLP clients each holding one model-sized vector (SCAFFOLD's c_i, FedDyn's h_i) in a
/// ClientStateStore: what the store reports and what the process's resident memory grows by.
StateBench bench_client_state() {
  const auto info = flemu::describe_model(flemu::ModelKind::Mlp);
  StateBench b;
  b.clients = 1000;
  const long before = self_rss_kb();
  {
    flemu::ClientStateStore store({"c_i"});
    for (int c = 0; c < b.clients; ++c) store.put(c, 0, flemu::Params(info.num_params, 1e-3f * (c + 1)));
    b.store_bytes = store.bytes();
    b.rss_delta_mb = (self_rss_kb() - before) / 1024.0;
  }
  return b;
}

// --- child runs of the flemu binary -----------------------------------------------------------
struct ChildRun {
  bool ok = false;
  std::string failure;  ///< "" or why (exit status, signal, timeout, memory)
  double wall_s = NAN;
  double cpu_s = NAN;  ///< user + system CPU seconds of the child (robust to a shared machine)
  double peak_rss_mb = NAN;
  json summary;
};

long vm_hwm_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

/// Runs `flemu run SCENARIO -o OUT --quiet <extra>`, watched for time and memory.
ChildRun run_flemu(const std::string& flemu, const fs::path& scenario, const fs::path& out,
                   const std::vector<std::string>& extra, const Options& o) {
  std::vector<std::string> args = {flemu, "run", scenario.string(), "-o", out.string(), "--quiet"};
  args.insert(args.end(), extra.begin(), extra.end());
  const fs::path log = out.string() + ".log";
  fs::remove_all(out);
  std::cout.flush();  // or the child would print our buffered output again
  std::cerr.flush();
  std::fflush(nullptr);
  const auto t0 = Clock::now();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    FILE* f = std::freopen(log.c_str(), "w", stdout);
    if (f) dup2(fileno(stdout), STDERR_FILENO);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  ChildRun r;
  int status = 0;
  rusage ru{};
  long hwm = 0;
  for (;;) {
    const pid_t done = wait4(pid, &status, WNOHANG, &ru);
    if (done == pid) break;
    hwm = std::max(hwm, vm_hwm_kb(pid));
    if (r.failure.empty() && seconds_since(t0) > o.timeout_s) r.failure = fmt::format("timeout > {:.0f} s", o.timeout_s);
    if (r.failure.empty() && hwm > o.max_rss_gb * 1024 * 1024) r.failure = fmt::format("RSS > {:.0f} GB", o.max_rss_gb);
    if (!r.failure.empty()) kill(pid, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  r.wall_s = seconds_since(t0);
  r.cpu_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
  r.peak_rss_mb = std::max<double>(ru.ru_maxrss, hwm) / 1024.0;
  if (r.failure.empty()) {
    if (WIFSIGNALED(status))
      r.failure = fmt::format("killed by signal {}", WTERMSIG(status));
    else if (WEXITSTATUS(status) != 0)
      r.failure = fmt::format("exit status {}", WEXITSTATUS(status));
  }
  if (r.failure.empty()) {
    r.summary = read_json(out / "summary.json");
    r.ok = true;
  } else {
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    auto text = ss.str();
    std::cerr << "flemu_bench: " << scenario.string() << ": " << r.failure << "; log tail:\n"
              << text.substr(text.size() > 2000 ? text.size() - 2000 : 0) << "\n";
  }
  return r;
}

fs::path write_scenario(const fs::path& dir, const std::string& name, const json& j) {
  auto p = dir / (name + ".json");
  std::ofstream(p) << j.dump(2);
  return p;
}

// --- (b) rounds on the reference setting --------------------------------------------------------
struct RoundBench {
  int jobs = 0;
  double round_s = NAN, training_s = NAN, evaluation_s = NAN, emulation_s = NAN, setup_s = NAN, total_s = NAN;
  double rss_mb = NAN;
  std::string failure;
};

std::vector<RoundBench> bench_rounds(const Options& o, const json& ref, const std::string& flemu, const fs::path& tmp) {
  json s = ref;
  s["stop"] = {{"rounds", o.rounds}};
  s["device"] = o.device;
  if (!o.data_dir.empty()) s["workload"]["data_dir"] = o.data_dir;
  const auto path = write_scenario(tmp, "reference", s);
  std::vector<int> jobs_list = {1, 2};
  std::map<int, std::vector<json>> runs;
  std::map<int, std::vector<double>> rss;
  std::map<int, std::string> failed;
  for (int i = 0; i < o.reps; ++i)
    for (int j : jobs_list) {
      if (failed.count(j)) continue;
      auto r = run_flemu(flemu, path, tmp / fmt::format("ref-j{}", j), {"--jobs", std::to_string(j)}, o);
      if (!r.ok) {
        failed[j] = r.failure;
        continue;
      }
      runs[j].push_back(r.summary);
      rss[j].push_back(r.peak_rss_mb);
    }
  std::vector<RoundBench> out;
  for (int j : jobs_list) {
    RoundBench b;
    b.jobs = j;
    if (failed.count(j)) b.failure = failed[j];
    auto med = [&](const char* key) {
      std::vector<double> v;
      for (const auto& sm : runs[j])
        if (sm.contains("wall_breakdown")) v.push_back(sm["wall_breakdown"][key].get<double>() / sm["rounds"].get<double>());
      return median(v);
    };
    std::vector<double> total;
    for (const auto& sm : runs[j]) total.push_back(sm["wall_time_s"].get<double>());
    b.total_s = median(total);
    b.round_s = med("engine_s");
    b.training_s = med("training_s");
    b.evaluation_s = med("evaluation_s");
    b.emulation_s = med("emulation_s");
    b.setup_s = med("setup_s") * o.rounds;
    b.rss_mb = median(rss[j]);
    out.push_back(b);
  }
  return out;
}

// --- (c), (d) scale -------------------------------------------------------------------------------
struct ScaleBench {
  int devices = 0;
  double wall_s = NAN, rss_mb = NAN, flemu_wall_s = NAN, simulated_s = NAN, cpu_s = NAN;
  std::string failure;
  std::string model;  ///< shared link: the model that ran (summary.json)
};

// One family of scale runs: with or without the shared server link, the jitter grid of the
// device class (platform_spec.hpp, DeviceClassSpec::jitter_step; < 0: the scenario default,
// 0 = continuous), and who solves the shared link's sharing ("auto" or "simgrid").
struct ScaleVariant {
  char part;
  std::string title, key, goal;
  bool shared_link;
  double jitter_step;
  std::string link_solver = "auto";
  int max_devices = 1 << 30;  ///< larger sizes are not run (reported as such)
};

/// The scale scenario: analytic, one round in which all `n` devices train.
json scale_scenario(const json& ref, int n, const ScaleVariant& v) {
  json s = ref;
  s["training"] = "analytic";
  s["platform"]["classes"][0]["count"] = n;
  s["algorithm"]["clients_per_round"] = n;
  s["stop"] = {{"rounds", 1}};
  if (v.shared_link) {
    s["platform"]["server"]["bandwidth"] = "10Gbps";
    s["platform"]["server"]["link_solver"] = v.link_solver;
  }
  if (v.jitter_step >= 0) s["platform"]["classes"][0]["jitter_step"] = v.jitter_step;
  return s;
}

std::vector<ScaleBench> bench_scale(const Options& o, const json& ref, const std::string& flemu, const fs::path& tmp,
                                    const ScaleVariant& v) {
  std::vector<ScaleBench> out;
  std::string stop_reason;
  for (int n : o.sizes) {
    ScaleBench b;
    b.devices = n;
    if (!stop_reason.empty() || n > v.max_devices) {
      b.failure = n > v.max_devices ? fmt::format("not run (> {} devices)", v.max_devices) : "skipped (" + stop_reason + ")";
      out.push_back(b);
      continue;
    }
    const auto path = write_scenario(tmp, fmt::format("{}-{}", v.key, n), scale_scenario(ref, n, v));
    std::vector<double> wall, rss, inner, sim, cpu;
    for (int i = 0; i < o.scale_reps; ++i) {
      auto r = run_flemu(flemu, path, tmp / fmt::format("{}-{}-out", v.key, n), {"--jobs", "1"}, o);
      if (!r.ok) {
        b.failure = r.failure;
        b.rss_mb = r.peak_rss_mb;
        b.wall_s = r.wall_s;
        break;
      }
      wall.push_back(r.wall_s);
      cpu.push_back(r.cpu_s);
      rss.push_back(r.peak_rss_mb);
      inner.push_back(r.summary["wall_time_s"].get<double>());
      sim.push_back(r.summary["simulated_time_s"].get<double>());
      if (v.shared_link) b.model = r.summary["shared_link"]["model"];
    }
    if (b.failure.empty()) {
      b.wall_s = median(wall);
      b.rss_mb = median(rss);
      b.flemu_wall_s = median(inner);
      b.simulated_s = median(sim);
      b.cpu_s = median(cpu);
    } else {
      stop_reason = fmt::format("{} devices: {}", n, b.failure);
    }
    out.push_back(b);
  }
  return out;
}

// --- (d) the fluid model against SimGrid's solver -------------------------------------------------
// The shared-link round at `n` devices, once with SimGrid's LMM and once with the fluid model:
// every download's and upload's end must agree within 0.1% of the transfer's duration.
struct LinkValidation {
  int devices = 0, transfers = 0;
  double max_rel_error = NAN;  ///< max |end_fluid - end_simgrid| / (end - start) over transfers
  double simgrid_s = NAN, fluid_s = NAN;
  std::string failure;
};

std::map<std::tuple<std::string, std::string, int>, json> transfer_events(const fs::path& events) {
  std::map<std::tuple<std::string, std::string, int>, json> out;
  std::map<std::pair<std::string, std::string>, int> seen;
  std::ifstream in(events);
  for (std::string line; std::getline(in, line);) {
    json e = json::parse(line);
    const std::string kind = e["kind"], host = e["host"];
    if (kind != "download" && kind != "upload") continue;
    out[{kind, host, seen[{kind, host}]++}] = std::move(e);
  }
  return out;
}

std::vector<LinkValidation> validate_shared_link(const Options& o, const json& ref, const std::string& flemu,
                                                 const fs::path& tmp) {
  std::vector<LinkValidation> out;
  for (int n : o.validate_sizes) {
    LinkValidation v;
    v.devices = n;
    ScaleVariant sg{'d', "", "validate-simgrid", "", true, -1, "simgrid"};
    ScaleVariant fl{'d', "", "validate-fluid", "", true, -1, "auto"};
    const auto a = run_flemu(flemu, write_scenario(tmp, fmt::format("validate-simgrid-{}", n), scale_scenario(ref, n, sg)),
                             tmp / fmt::format("validate-simgrid-{}-out", n), {"--jobs", "1"}, o);
    const auto b = run_flemu(flemu, write_scenario(tmp, fmt::format("validate-fluid-{}", n), scale_scenario(ref, n, fl)),
                             tmp / fmt::format("validate-fluid-{}-out", n), {"--jobs", "1"}, o);
    if (!a.ok || !b.ok) {
      v.failure = !a.ok ? "simgrid: " + a.failure : "fluid: " + b.failure;
      out.push_back(v);
      continue;
    }
    if (b.summary["shared_link"]["model"] != "fluid") v.failure = "auto did not pick the fluid model";
    v.simgrid_s = a.summary["wall_time_s"];
    v.fluid_s = b.summary["wall_time_s"];
    const auto ea = transfer_events(tmp / fmt::format("validate-simgrid-{}-out", n) / "events.jsonl");
    const auto eb = transfer_events(tmp / fmt::format("validate-fluid-{}-out", n) / "events.jsonl");
    if (ea.size() != eb.size()) v.failure = fmt::format("{} transfers vs {}", ea.size(), eb.size());
    v.max_rel_error = 0;
    for (const auto& [key, e] : ea) {
      auto it = eb.find(key);
      if (it == eb.end()) {
        v.failure = "a transfer is missing from the fluid run";
        break;
      }
      const double end = e["t"], start = e["t0"], other = it->second["t"];
      v.max_rel_error = std::max(v.max_rel_error, std::abs(other - end) / (end - start));
      ++v.transfers;
    }
    if (v.failure.empty() && !(v.max_rel_error <= 1e-3)) v.failure = "over 0.1%";
    out.push_back(v);
  }
  return out;
}

// --- (e) memory of a large federation with real training --------------------------------------
// 10,000 clients of 6 samples on the reference MLP, 10 per round, 3 rounds: a device must cost
// memory only while it works (index-list partitions, an actor and a model copy per working
// device only). Goal: < 2 GB peak RSS.
ScaleBench bench_idle_memory(const Options& o, const json& ref, const std::string& flemu, const fs::path& tmp) {
  json s = ref;
  s["platform"]["classes"][0]["count"] = 10000;
  s["workload"]["samples_per_client"] = 6;
  s["stop"] = {{"rounds", 3}};
  const auto path = write_scenario(tmp, "memory-10k", s);
  ScaleBench b;
  b.devices = 10000;
  std::vector<double> wall, rss;
  for (int i = 0; i < o.scale_reps; ++i) {
    auto r = run_flemu(flemu, path, tmp / "memory-10k", {}, o);
    if (!r.ok) {
      b.failure = r.failure;
      return b;
    }
    wall.push_back(r.wall_s);
    rss.push_back(r.peak_rss_mb);
  }
  b.wall_s = median(wall);
  b.rss_mb = median(rss);
  return b;
}

// --- (f) 1,000 clients per round, real training -----------------------------------------------
// The reference setting with 1,000 devices of 60 samples, all of them in each round: the round a
// GPU trains as one stacked job (on CPU, one job per client on --jobs threads).
struct WideRoundBench {
  double round_s = NAN, training_s = NAN, samples_per_s = NAN, rss_mb = NAN;
  std::string compute_device, failure;
};

WideRoundBench bench_wide_round(const Options& o, const json& ref, const std::string& flemu, const fs::path& tmp) {
  json s = ref;
  s["device"] = o.device;
  s["platform"]["classes"][0]["count"] = 1000;
  s["workload"]["samples_per_client"] = 60;
  s["algorithm"]["clients_per_round"] = 1000;
  s["stop"] = {{"rounds", 2}};
  if (!o.data_dir.empty()) s["workload"]["data_dir"] = o.data_dir;
  const auto path = write_scenario(tmp, "wide-round", s);
  WideRoundBench b;
  std::vector<double> round, training, rss;
  const double samples = 1000.0 * ref["algorithm"]["local_epochs"].get<int>() * 60;  // per round
  for (int i = 0; i < o.scale_reps; ++i) {
    auto r = run_flemu(flemu, path, tmp / "wide-round-out", {}, o);
    if (!r.ok) {
      b.failure = r.failure;
      return b;
    }
    const auto& w = r.summary["wall_breakdown"];
    round.push_back(w["engine_s"].get<double>() / r.summary["rounds"].get<double>());
    training.push_back(w["training_s"].get<double>() / r.summary["rounds"].get<double>());
    rss.push_back(r.peak_rss_mb);
    b.compute_device = r.summary["compute_device"];
  }
  b.round_s = median(round);
  b.training_s = median(training);
  b.samples_per_s = samples / b.round_s;  // trained samples per second of a round's wall time
  b.rss_mb = median(rss);
  return b;
}

// --- (g) dynamic fleets -------------------------------------------------------------------------
// FedBuff keeps N/100 clients at work for one simulated hour on N devices, analytic. Picking a
// ready device must not scan the fleet (emulator/core/idle_devices.hpp): with devices that come
// and go, or drain their batteries, a run should cost about what the always-on one does.
struct DynamicVariant {
  std::string key, title;
  std::function<void(json& device_class)> apply;
};

struct DynamicBench {
  int devices = 0;
  double wall_s = NAN, cpu_s = NAN, flemu_wall_s = NAN, rss_mb = NAN, dispatches = NAN, versions = NAN,
         device_changes = NAN;
  std::string failure;
};

json dynamic_scenario(const json& ref, int n, const DynamicVariant& v) {
  json s = ref;
  s["training"] = "analytic";
  auto& cls = s["platform"]["classes"][0];
  cls["count"] = n;
  v.apply(cls);
  const int concurrency = std::max(10, n / 100);
  auto& a = s["algorithm"];
  a.erase("clients_per_round");
  a["name"] = "fedbuff";
  a["concurrency"] = concurrency;
  a["buffer_size"] = std::max(1, concurrency / 10);
  s["platform"]["server"]["heartbeat"] = "1s";
  s["evaluation"] = {{"every", 1000000}};
  s["stop"] = {{"time", "1h"}};
  return s;
}

std::vector<DynamicBench> bench_dynamic(const Options& o, const json& ref, const std::string& flemu,
                                        const fs::path& tmp, const DynamicVariant& v) {
  std::vector<DynamicBench> out;
  std::string stop_reason;
  for (int n : o.sizes) {
    DynamicBench b;
    b.devices = n;
    if (!stop_reason.empty()) {
      b.failure = "skipped (" + stop_reason + ")";
      out.push_back(b);
      continue;
    }
    const auto path = write_scenario(tmp, fmt::format("{}-{}", v.key, n), dynamic_scenario(ref, n, v));
    const auto out_dir = tmp / fmt::format("{}-{}-out", v.key, n);
    std::vector<double> wall, cpu, inner, rss;
    for (int i = 0; i < o.scale_reps; ++i) {
      auto r = run_flemu(flemu, path, out_dir, {"--jobs", "1"}, o);
      if (!r.ok) {
        b.failure = r.failure;
        break;
      }
      wall.push_back(r.wall_s);
      cpu.push_back(r.cpu_s);
      inner.push_back(r.summary["wall_time_s"].get<double>());
      rss.push_back(r.peak_rss_mb);
      b.dispatches = r.summary["bytes_down"].get<double>() / r.summary["model"]["bytes"].get<double>();
      b.versions = r.summary["rounds"].get<double>();
      // Devices switched on or off during the hour, from the trace.
      double changes = 0;
      std::ifstream in(out_dir / "events.jsonl");
      for (std::string line; std::getline(in, line);)
        if (line.find("\"kind\":\"device_o") != std::string::npos) ++changes;
      b.device_changes = changes;
    }
    if (b.failure.empty()) {
      b.wall_s = median(wall);
      b.cpu_s = median(cpu);
      b.flemu_wall_s = median(inner);
      b.rss_mb = median(rss);
    } else {
      stop_reason = fmt::format("{} devices: {}", n, b.failure);
    }
    out.push_back(b);
  }
  return out;
}

std::string num(double v, const char* f = "{:.3f}") { return std::isnan(v) ? "-" : fmt::format(fmt::runtime(f), v); }

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--reps") o.reps = std::stoi(value());
    else if (a == "--scale-reps") o.scale_reps = std::stoi(value());
    else if (a == "--json") o.json_path = value();
    else if (a == "--only") o.only = value();
    else if (a == "--data-dir") o.data_dir = value();
    else if (a == "--rounds") o.rounds = std::stoi(value());
    else if (a == "--timeout") o.timeout_s = std::stod(value());
    else if (a == "--max-rss-gb") o.max_rss_gb = std::stod(value());
    else if (a == "--simgrid-link-max") o.simgrid_link_max = std::stoi(value());
    else if (a == "--device") o.device = value();
    else if (a == "--validate-sizes") {
      o.validate_sizes.clear();
      std::stringstream ss(value());
      for (std::string t; std::getline(ss, t, ',');) o.validate_sizes.push_back(std::stoi(t));
    }
    else if (a == "--sizes") {
      o.sizes.clear();
      std::stringstream ss(value());
      for (std::string t; std::getline(ss, t, ',');) o.sizes.push_back(std::stoi(t));
    } else if (a == "-h" || a == "--help") {
      std::cout << "flemu_bench [--reps N] [--scale-reps N] [--json FILE] [--only abcdefghij] [--data-dir DIR]\n"
                   "            [--rounds R] [--sizes 1000,10000,100000] [--timeout S] [--max-rss-gb G]\n";
      std::exit(0);
    } else
      throw std::invalid_argument("unknown option " + a);
  }
  if (o.reps < 1 || o.scale_reps < 1 || o.rounds < 1) throw std::invalid_argument("--reps, --scale-reps, --rounds >= 1");
  return o;
}

}  // namespace

int main(int argc, char** argv) try {
  const Options o = parse(argc, argv);
  const fs::path self = fs::read_symlink("/proc/self/exe");
  const std::string flemu = (self.parent_path() / "flemu").string();
  const json ref = read_json(fs::path(FLEMU_SOURCE_DIR) / "bench" / "reference.json");
  const fs::path tmp = fs::temp_directory_path() / fmt::format("flemu-bench-{}", getpid());
  fs::create_directories(tmp);
  auto has = [&](char c) { return o.only.find(c) != std::string::npos; };

  json j;
  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  j["machine"] = {{"cores", std::thread::hardware_concurrency()}, {"openblas_coretype", coretype ? coretype : ""}};
  j["reps"] = o.reps;
  j["scale_reps"] = o.scale_reps;
  std::cout << fmt::format("flemu_bench: medians of {} reps ({} for scale); {} cores, OPENBLAS_CORETYPE={}\n\n", o.reps,
                           o.scale_reps, std::thread::hardware_concurrency(), coretype ? coretype : "(unset)");

  TrainerBench tb;
  if (has('a') || has('b')) {
    tb = bench_trainer(o, ref);
    j["trainer"] = {{"flemu_samples_per_s", tb.flemu_sps}, {"plain_samples_per_s", tb.plain_sps},
                    {"ratio", tb.ratio}, {"goal", 0.9}, {"samples_per_rep", tb.samples_per_rep}};
    std::cout << "(a) training job, MLP batch 50, 1 intra-op thread        samples/s\n";
    std::cout << fmt::format("    flemu Trainer::train                               {:>9.0f}\n", tb.flemu_sps);
    std::cout << fmt::format("    plain LibTorch loop (torch::optim::SGD)            {:>9.0f}\n", tb.plain_sps);
    std::cout << fmt::format("    ratio flemu/plain (goal >= 0.9)                    {:>9.3f}\n\n", tb.ratio);
  }
  if (has('b')) {
    auto rounds = bench_rounds(o, ref, flemu, tmp);
    std::cout << fmt::format("(b) reference round (10 clients x 3000 samples), {} rounds; seconds per round\n", o.rounds);
    std::cout << fmt::format("    plain loop, clients one after another: {:.3f} s\n", tb.plain_round_s);
    std::cout << "    jobs  round_s  training_s  evaluation_s  emulation_s  speedup  setup_s  total_s  rss_MB\n";
    j["round"]["plain_round_s"] = tb.plain_round_s;
    j["round"]["rounds"] = o.rounds;
    for (const auto& b : rounds) {
      const double speedup = tb.plain_round_s / b.round_s;
      std::cout << fmt::format("    {:>4}  {:>7}  {:>10}  {:>12}  {:>11}  {:>7}  {:>7}  {:>7}  {:>6} {}\n", b.jobs,
                               num(b.round_s), num(b.training_s), num(b.evaluation_s), num(b.emulation_s),
                               num(speedup, "{:.2f}x"), num(b.setup_s, "{:.2f}"), num(b.total_s, "{:.2f}"),
                               num(b.rss_mb, "{:.0f}"), b.failure);
      j["round"]["runs"].push_back({{"jobs", b.jobs}, {"round_s", b.round_s}, {"training_s", b.training_s},
                                    {"evaluation_s", b.evaluation_s}, {"emulation_s", b.emulation_s},
                                    {"setup_s", b.setup_s}, {"total_s", b.total_s}, {"speedup_vs_plain", speedup},
                                    {"peak_rss_mb", b.rss_mb}, {"failure", b.failure}});
    }
    std::cout << "    (speedup = plain round / flemu round, goal >= 1.2x at jobs 2; a flemu round also\n"
                 "     evaluates on the 10k test images)\n\n";
  }
  const std::vector<ScaleVariant> variants = {
      {'c', "(c) scale, own links, jitter 0.2 on the default grid (0.001)", "scale", "goal 100k < 20 s, < 4 GB", false,
       -1},
      {'c', "(c) scale, own links, continuous jitter 0.2 (jitter_step 0, expert)", "scale_continuous_jitter",
       "goal 100k < 20 s, < 4 GB", false, 0},
      {'d', "(d) scale, shared 10Gbps server link, link_solver auto (the fluid model)", "scale_shared_link",
       "goal 10k < 20 s, 100k < 120 s", true, -1, "auto"},
      {'d', "(d) scale, shared 10Gbps server link, link_solver simgrid (SimGrid's LMM)", "scale_shared_link_simgrid",
       "the same round, for the ratio", true, -1, "simgrid", o.simgrid_link_max}};
  std::map<std::string, std::vector<ScaleBench>> scale_rows;
  for (const auto& v : variants) {
    if (!has(v.part)) continue;
    auto rows = bench_scale(o, ref, flemu, tmp, v);
    std::cout << v.title << ": analytic, 1 round, every device trains (" << v.goal << ")\n";
    std::cout << "    devices   wall_s   cpu_s  in_flemu_s  peak_rss_MB  simulated_s  model\n";
    json& arr = j[v.key];
    arr = json::array();
    for (const auto& b : rows) {
      std::cout << fmt::format("    {:>7}  {:>7}  {:>6}  {:>10}  {:>11}  {:>11}  {:>5}  {}\n", b.devices,
                               num(b.wall_s, "{:.2f}"), num(b.cpu_s, "{:.2f}"), num(b.flemu_wall_s, "{:.2f}"),
                               num(b.rss_mb, "{:.0f}"), num(b.simulated_s, "{:.2f}"),
                               v.shared_link ? b.model : "-", b.failure);
      arr.push_back({{"devices", b.devices}, {"wall_s", b.wall_s}, {"cpu_s", b.cpu_s}, {"flemu_wall_s", b.flemu_wall_s},
                     {"peak_rss_mb", b.rss_mb}, {"simulated_s", b.simulated_s}, {"shared_link_model", b.model},
                     {"failure", b.failure}});
    }
    scale_rows[v.key] = rows;
    std::cout << "\n";
  }
  if (scale_rows.count("scale_shared_link") && scale_rows.count("scale_shared_link_simgrid")) {
    std::cout << "(d) SimGrid's solver / the fluid model, the same round (CPU seconds)\n";
    const auto& fl = scale_rows["scale_shared_link"];
    const auto& sg = scale_rows["scale_shared_link_simgrid"];
    for (size_t i = 0; i < fl.size() && i < sg.size(); ++i) {
      const double ratio = sg[i].cpu_s / fl[i].cpu_s;
      if (std::isnan(ratio)) continue;
      std::cout << fmt::format("    {:>7}  {:.1f}x   (simulated {:.4f} s vs {:.4f} s)\n", fl[i].devices, ratio,
                               sg[i].simulated_s, fl[i].simulated_s);
      j["shared_link_speedup"].push_back({{"devices", fl[i].devices}, {"simgrid_over_fluid", ratio}});
    }
    std::cout << "\n";
  }
  if (has('d')) {
    const auto rows = validate_shared_link(o, ref, flemu, tmp);
    std::cout << "(d) the fluid model against SimGrid's solver: every transfer's end (goal: within 0.1% of its duration)\n";
    std::cout << "    devices  transfers  max_rel_error  simgrid_s  fluid_s\n";
    for (const auto& v : rows) {
      std::cout << fmt::format("    {:>7}  {:>9}  {:>13}  {:>9}  {:>7}  {}\n", v.devices, v.transfers,
                               num(v.max_rel_error, "{:.2e}"), num(v.simgrid_s, "{:.2f}"), num(v.fluid_s, "{:.2f}"),
                               v.failure.empty() ? "ok" : v.failure);
      j["shared_link_validation"].push_back({{"devices", v.devices}, {"transfers", v.transfers},
                                             {"max_rel_error", v.max_rel_error}, {"simgrid_wall_s", v.simgrid_s},
                                             {"fluid_wall_s", v.fluid_s}, {"failure", v.failure}});
    }
    std::cout << "\n";
  }
  if (has('e')) {
    const auto b = bench_idle_memory(o, ref, flemu, tmp);
    std::cout << "(e) 10,000 clients x 6 samples, real training, 10 per round, 3 rounds (goal < 2 GB)\n";
    std::cout << fmt::format("    wall_s {}  peak_rss_MB {} {}\n\n", num(b.wall_s, "{:.2f}"), num(b.rss_mb, "{:.0f}"),
                             b.failure);
    j["memory_10k"] = {{"devices", b.devices}, {"wall_s", b.wall_s}, {"peak_rss_mb", b.rss_mb}, {"goal_mb", 2048},
                       {"failure", b.failure}};
  }
  if (has('f')) {
    const auto b = bench_wide_round(o, ref, flemu, tmp);
    std::cout << "(f) 1,000 clients x 60 samples per round, real training, 2 rounds (one stacked job on CUDA)\n";
    std::cout << fmt::format("    device {}  round_s {}  training_s/round {}  samples/s of round {}  peak_rss_MB {} {}\n\n",
                             b.compute_device.empty() ? "-" : b.compute_device, num(b.round_s), num(b.training_s),
                             num(b.samples_per_s, "{:.0f}"), num(b.rss_mb, "{:.0f}"), b.failure);
    j["wide_round"] = {{"clients_per_round", 1000}, {"samples_per_client", 60}, {"rounds", 2},
                       {"compute_device", b.compute_device}, {"round_s", b.round_s},
                       {"training_s_per_round", b.training_s}, {"samples_per_round_s", b.samples_per_s},
                       {"peak_rss_mb", b.rss_mb}, {"failure", b.failure}};
  }
  if (has('g')) {
    const std::vector<DynamicVariant> fleets = {
        {"dynamic_always_on", "always on", [](json&) {}},
        {"dynamic_availability", "availability: exponential, 20 min on, 20 min off on average",
         [](json& c) { c["availability"] = {{"model", "exponential"}, {"mean_on", "20min"}, {"mean_off", "20min"}}; }},
        {"dynamic_battery", "batteries: 60 J, off at 5%, 2 W busy, 1 W sending, 0.5 W receiving, no charging",
         [](json& c) {
           c["power"] = {{"busy", "2W"}, {"send", "1W"}, {"receive", "0.5W"}};
           c["battery"] = {{"capacity", "60J"}, {"initial", 1.0}, {"floor", 0.05}};
         }}};
    std::cout << "(g) dynamic fleets: FedBuff (concurrency N/100, buffer concurrency/10), analytic, 1 simulated hour\n";
    std::map<int, double> always_on_cpu;
    for (const auto& v : fleets) {
      const auto rows = bench_dynamic(o, ref, flemu, tmp, v);
      std::cout << "    " << v.title << "\n";
      std::cout << "    devices   wall_s   cpu_s  in_flemu_s  peak_rss_MB  dispatches  versions  on/off  cpu/always_on\n";
      json& arr = j[v.key];
      arr = json::array();
      for (const auto& b : rows) {
        if (v.key == "dynamic_always_on") always_on_cpu[b.devices] = b.cpu_s;
        const double ratio = always_on_cpu.count(b.devices) ? b.cpu_s / always_on_cpu[b.devices] : NAN;
        std::cout << fmt::format("    {:>7}  {:>7}  {:>6}  {:>10}  {:>11}  {:>10}  {:>8}  {:>6}  {:>13}  {}\n", b.devices,
                                 num(b.wall_s, "{:.2f}"), num(b.cpu_s, "{:.2f}"), num(b.flemu_wall_s, "{:.2f}"),
                                 num(b.rss_mb, "{:.0f}"), num(b.dispatches, "{:.0f}"), num(b.versions, "{:.0f}"),
                                 num(b.device_changes, "{:.0f}"), num(ratio, "{:.2f}x"), b.failure);
        arr.push_back({{"devices", b.devices}, {"wall_s", b.wall_s}, {"cpu_s", b.cpu_s},
                       {"flemu_wall_s", b.flemu_wall_s}, {"peak_rss_mb", b.rss_mb}, {"dispatches", b.dispatches},
                       {"versions", b.versions}, {"device_on_off_events", b.device_changes},
                       {"cpu_over_always_on", ratio}, {"failure", b.failure}});
      }
    }
    std::cout << "\n";
  }
  if (has('h')) {
    const auto r = bench_fedspeed(o, ref);
    j["fedspeed_job"] = {{"flemu_samples_per_s", r.flemu_sps}, {"plain_samples_per_s", r.plain_sps},
                         {"ratio", r.ratio}, {"goal", 0.9}, {"samples_per_rep", r.samples_per_rep}};
    std::cout << "(h) FedSpeed job (SAM ascent + dual correction, clip 10, wd), MLP batch 50     samples/s\n";
    std::cout << fmt::format("    flemu Trainer::train, the generic local-rule executor      {:>9.0f}\n", r.flemu_sps);
    std::cout << fmt::format("    plain LibTorch loop, the same two gradients per step       {:>9.0f}\n", r.plain_sps);
    std::cout << fmt::format("    ratio flemu/plain (goal >= 0.9)                            {:>9.3f}\n\n", r.ratio);
  }
  if (has('i')) {
    const auto b = bench_client_state();
    j["client_state_1k"] = {{"clients", b.clients}, {"store_bytes", b.store_bytes}, {"rss_delta_mb", b.rss_delta_mb}};
    std::cout << fmt::format("(i) per-client state: {} MLP clients x one model-sized vector (SCAFFOLD c_i, FedDyn h_i)\n",
                             b.clients);
    std::cout << fmt::format("    ClientStateStore::bytes {:.1f} MB, resident memory grew {:.1f} MB ({:.0f} KB per client)\n\n",
                             b.store_bytes / 1e6, b.rss_delta_mb, b.rss_delta_mb * 1024 / b.clients);
  }
  if (has('j')) {
    const auto b = bench_lm(o);
    std::cout << fmt::format("(j) language-model job: transformer 2 x d128, context 64, batch 16, {} (tokens/s)\n", b.data);
    std::cout << fmt::format("    flemu make_lm_trainer Trainer::train               {:>9.0f}\n", b.flemu_tps);
    std::cout << fmt::format("    plain LibTorch loop (nn modules, torch::optim::SGD){:>9.0f}\n", b.plain_tps);
    std::cout << fmt::format("    ratio flemu/plain (goal >= 0.9)                    {:>9.3f}\n\n", b.ratio);
    j["lm"] = {{"flemu_tokens_per_s", b.flemu_tps}, {"plain_tokens_per_s", b.plain_tps}, {"ratio", b.ratio},
               {"goal", 0.9}, {"tokens_per_rep", b.tokens_per_rep}, {"data", b.data}};
  }
  if (!o.json_path.empty()) {
    std::ofstream(o.json_path) << j.dump(2) << "\n";
    std::cout << "wrote " << o.json_path << "\n";
  }
  fs::remove_all(tmp);
  return 0;
} catch (const std::exception& e) {
  std::cerr << "flemu_bench: " << e.what() << "\n";
  return 1;
}
