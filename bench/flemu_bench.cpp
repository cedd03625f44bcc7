// flemu_bench: how fast is flemu, and how far does it scale? (issue "Speed and scale")
//
//   flemu_bench [--reps N] [--scale-reps N] [--json FILE] [--only abcdef] [--data-dir DIR]
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
// (e) memory    10,000 clients x 6 samples, real training: peak RSS.
// (f) lm        tokens/s of flemu's language-model job (make_lm_trainer, full fine-tuning of
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
#include <iostream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

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
  std::string only = "abcdef";
  std::string data_dir;
  int rounds = 3;
  std::vector<int> sizes = {1000, 10000, 100000};
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
        p.copy_(torch::from_blob(const_cast<float*>(start.data()) + off, p.sizes(), torch::kFloat));
        off += p.numel();
      }
    }
    const int64_t n = static_cast<int64_t>(idx32.size());
    auto idx = torch::from_blob(const_cast<int32_t*>(idx32.data()), {n}, torch::kInt32).to(torch::kLong);
    for (int e = 0; e < epochs; ++e) {
      auto order = idx.index_select(0, torch::randperm(n, torch::kLong));
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

struct TrainerBench {
  double flemu_sps = NAN, plain_sps = NAN, ratio = NAN, plain_round_s = NAN;
  int64_t samples_per_rep = 0;
};

TrainerBench bench_trainer(const Options& o, const json& ref) {
  const std::string dir = o.data_dir.empty() ? std::string("/usr/share/datasets/fashion-mnist") : o.data_dir;
  auto data = std::make_shared<const flemu::TrainTest>(flemu::load_fashion_mnist(dir));
  const auto& w = ref["workload"];
  const auto& a = ref["algorithm"];
  const int num_clients = ref["platform"]["classes"][0]["count"].get<int>();
  const int per_client = w["samples_per_client"].get<int>(), per_round = a["clients_per_round"].get<int>();
  const uint64_t seed = ref["seed"].get<uint64_t>();
  flemu::PartitionSpec ps;
  ps.scheme = flemu::PartitionScheme::Dirichlet;
  ps.alpha = w["partition"]["alpha"].get<double>();
  auto parts = flemu::partition_dataset(data->train.labels, data->train.num_classes, num_clients, per_client, ps,
                                        flemu::derive_seed(seed, flemu::SeedStream::Partition));
  parts.resize(per_round);  // one round's worth of clients: the same work as any round of (b)

  flemu::LocalTrainingSpec local;
  local.epochs = a["local_epochs"].get<int>();
  local.batch_size = a["batch_size"].get<int>();
  local.lr = a["lr"].get<double>();

  // (Naming describe_model and samples_processed here also makes the static link pull their
  // objects from flemu_core before flemu_torch, which needs them.)
  const auto info = flemu::describe_model(flemu::ModelKind::Mlp);
  const int64_t expected = per_round * flemu::samples_processed(local, per_client);
  auto trainer = flemu::make_torch_trainer(flemu::ModelKind::Mlp, data, "cpu");  // sets 1 intra-op thread
  torch::set_num_threads(1);
  auto start = std::make_shared<const flemu::Params>(trainer->initial_params(seed));

  auto x_all = torch::from_blob(const_cast<float*>(data->train.images.data()), {data->train.size, 1, 28, 28}, torch::kFloat);
  auto y_all = torch::from_blob(const_cast<uint8_t*>(data->train.labels.data()), {data->train.size}, torch::kUInt8)
                   .to(torch::kLong);
  torch::manual_seed(seed);
  PlainMlp net;

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

// --- (f) the language-model job vs a plain LibTorch transformer loop -------------------------

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

// --- child runs of the flemu binary -----------------------------------------------------------
struct ChildRun {
  bool ok = false;
  std::string failure;  ///< "" or why (exit status, signal, timeout, memory)
  double wall_s = NAN;
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
  double wall_s = NAN, rss_mb = NAN, flemu_wall_s = NAN, simulated_s = NAN;
  std::string failure;
};

// One family of scale runs: with or without the shared server link, and the jitter grid of
// the device class (platform_spec.hpp, DeviceClassSpec::jitter_step; 0 = continuous).
struct ScaleVariant {
  char part;
  std::string title, key, goal;
  bool shared_link;
  double jitter_step;
};

std::vector<ScaleBench> bench_scale(const Options& o, const json& ref, const std::string& flemu, const fs::path& tmp,
                                    const ScaleVariant& v) {
  const bool shared_link = v.shared_link;
  std::vector<ScaleBench> out;
  std::string stop_reason;
  for (int n : o.sizes) {
    ScaleBench b;
    b.devices = n;
    if (!stop_reason.empty()) {
      b.failure = "skipped (" + stop_reason + ")";
      out.push_back(b);
      continue;
    }
    json s = ref;
    s["training"] = "analytic";
    s["platform"]["classes"][0]["count"] = n;
    s["algorithm"]["clients_per_round"] = n;
    s["stop"] = {{"rounds", 1}};
    if (shared_link) s["platform"]["server"]["bandwidth"] = "10Gbps";
    s["platform"]["classes"][0]["jitter_step"] = v.jitter_step;
    const auto path = write_scenario(tmp, fmt::format("{}-{}", v.key, n), s);
    std::vector<double> wall, rss, inner, sim;
    for (int i = 0; i < o.scale_reps; ++i) {
      auto r = run_flemu(flemu, path, tmp / fmt::format("{}-{}-out", v.key, n), {"--jobs", "1"}, o);
      if (!r.ok) {
        b.failure = r.failure;
        b.rss_mb = r.peak_rss_mb;
        b.wall_s = r.wall_s;
        break;
      }
      wall.push_back(r.wall_s);
      rss.push_back(r.peak_rss_mb);
      inner.push_back(r.summary["wall_time_s"].get<double>());
      sim.push_back(r.summary["simulated_time_s"].get<double>());
    }
    if (b.failure.empty()) {
      b.wall_s = median(wall);
      b.rss_mb = median(rss);
      b.flemu_wall_s = median(inner);
      b.simulated_s = median(sim);
    } else {
      stop_reason = fmt::format("{} devices: {}", n, b.failure);
    }
    out.push_back(b);
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
    else if (a == "--sizes") {
      o.sizes.clear();
      std::stringstream ss(value());
      for (std::string t; std::getline(ss, t, ',');) o.sizes.push_back(std::stoi(t));
    } else if (a == "-h" || a == "--help") {
      std::cout << "flemu_bench [--reps N] [--scale-reps N] [--json FILE] [--only abcdef] [--data-dir DIR]\n"
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
      {'c', "(c) scale, own links, jitter 0.2 on a 0.001 grid", "scale", "goal 100k < 20 s, < 4 GB", false, 0.001},
      {'c', "(c) scale, own links, continuous jitter 0.2", "scale_continuous_jitter", "goal 100k < 20 s, < 4 GB", false,
       0},
      {'d', "(d) scale, shared 10Gbps server link, jitter on a 0.001 grid", "scale_shared_link", "measured, no goal",
       true, 0.001}};
  for (const auto& v : variants) {
    if (!has(v.part)) continue;
    auto rows = bench_scale(o, ref, flemu, tmp, v);
    std::cout << v.title << ": analytic, 1 round, every device trains (" << v.goal << ")\n";
    std::cout << "    devices   wall_s  in_flemu_s  peak_rss_MB  simulated_s\n";
    json& arr = j[v.key];
    arr = json::array();
    for (const auto& b : rows) {
      std::cout << fmt::format("    {:>7}  {:>7}  {:>10}  {:>11}  {:>11}  {}\n", b.devices, num(b.wall_s, "{:.2f}"),
                               num(b.flemu_wall_s, "{:.2f}"), num(b.rss_mb, "{:.0f}"), num(b.simulated_s, "{:.2f}"),
                               b.failure);
      arr.push_back({{"devices", b.devices}, {"wall_s", b.wall_s}, {"flemu_wall_s", b.flemu_wall_s},
                     {"peak_rss_mb", b.rss_mb}, {"simulated_s", b.simulated_s}, {"failure", b.failure}});
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
    const auto b = bench_lm(o);
    std::cout << fmt::format("(f) language-model job: transformer 2 x d128, context 64, batch 16, {} (tokens/s)\n", b.data);
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
