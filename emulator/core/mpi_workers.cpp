// MPI worker ranks for training jobs (see mpi_workers.hpp for the contract).
//
// Protocol (MPI_COMM_WORLD, MPI_BYTE messages): rank 0 sends a request on kJobTag to a free
// worker, the worker answers on kResultTag. A request starts with a Kind byte: Stop, Train
// (TrainJob: client, round, seed, LocalTrainingSpec with its step rule and input vectors,
// indices, start params) or Evaluate
// (params, optional subset). An answer starts with TrainDone, EvalDone or Error (a message).
//
// Threads: rank 0's job-pool threads call train()/evaluate() concurrently. MPI runs at
// MPI_THREAD_SERIALIZED: every MPI call holds one mutex, and a thread waiting for its answer
// polls MPI_Iprobe with short sleeps instead of blocking inside MPI (which would hold the
// mutex). Workers poll the same way: an idle rank sleeps instead of spinning a core.
#include "emulator/core/mpi_workers.hpp"

#include <cstdlib>
#include <stdexcept>

#ifdef FLEMU_HAVE_MPI
#include <mpi.h>

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>
#endif

namespace flemu {

#ifndef FLEMU_HAVE_MPI

namespace {
bool launched_by_mpirun() {
  const char* size = std::getenv("OMPI_COMM_WORLD_SIZE");
  return size && std::atoi(size) > 1;
}
}  // namespace

MpiSession::MpiSession(int*, char***) {
  if (launched_by_mpirun())
    throw std::runtime_error("launched by mpirun with several ranks, but this flemu was built without MPI "
                             "(install libopenmpi-dev and rebuild)");
}
MpiSession::~MpiSession() = default;
bool MpiSession::active() { return false; }
int MpiSession::rank() { return 0; }
int MpiSession::workers() { return 0; }
std::unique_ptr<Trainer> make_mpi_trainer(std::unique_ptr<Trainer>) {
  throw std::logic_error("make_mpi_trainer: flemu was built without MPI");
}
void serve_mpi_jobs(const std::function<std::unique_ptr<Trainer>()>&) {
  throw std::logic_error("serve_mpi_jobs: flemu was built without MPI");
}
void remove_on_termination(const std::string&) {}

#else  // FLEMU_HAVE_MPI

namespace {

constexpr int kJobTag = 1, kResultTag = 2;
enum class Kind : uint8_t { Stop = 0, Train = 1, Evaluate = 2, TrainDone = 3, EvalDone = 4, Error = 5 };

bool g_active = false;
int g_rank = 0, g_size = 1;
std::mutex g_mpi_mutex;  // MPI_THREAD_SERIALIZED: one MPI call at a time

// --- (de)serialisation: plain bytes, same machine architecture on every rank ---------------
class Writer {
 public:
  template <class T>
  void put(const T& v) {
    const auto* p = reinterpret_cast<const char*>(&v);
    buf_.insert(buf_.end(), p, p + sizeof(T));
  }
  template <class T>
  void put_vector(const std::vector<T>& v) {
    put<uint64_t>(v.size());
    const auto* p = reinterpret_cast<const char*>(v.data());
    buf_.insert(buf_.end(), p, p + v.size() * sizeof(T));
  }
  void put_string(const std::string& s) { put_vector(std::vector<char>(s.begin(), s.end())); }
  const std::vector<char>& bytes() const { return buf_; }

 private:
  std::vector<char> buf_;
};

class Reader {
 public:
  explicit Reader(const std::vector<char>& buf) : buf_(buf) {}
  template <class T>
  T get() {
    T v;
    take(&v, sizeof(T));
    return v;
  }
  template <class T>
  std::vector<T> get_vector() {
    std::vector<T> v(get<uint64_t>());
    take(v.data(), v.size() * sizeof(T));
    return v;
  }
  std::string get_string() {
    auto v = get_vector<char>();
    return std::string(v.begin(), v.end());
  }

 private:
  void take(void* out, size_t n) {
    if (pos_ + n > buf_.size()) throw std::runtime_error("MPI message truncated");
    std::memcpy(out, buf_.data() + pos_, n);
    pos_ += n;
  }
  const std::vector<char>& buf_;
  size_t pos_ = 0;
};

// A local step's input vectors: each combination as (count, (coef, vector)...), then the
// momentum buffer (presence byte, vector) and whether to return it.
void put_combination(Writer& w, const Combination& c) {
  w.put<uint64_t>(c.size());
  for (const auto& t : c) {
    w.put<double>(t.coef);
    w.put_vector(*t.vector);
  }
}

Combination get_combination(Reader& r) {
  Combination c(r.get<uint64_t>());
  for (auto& t : c) {
    t.coef = r.get<double>();
    t.vector = std::make_shared<const Params>(r.get_vector<float>());
  }
  return c;
}

void put_inputs(Writer& w, const StepInputs& in) {
  put_combination(w, in.correction);
  put_combination(w, in.ascent_offset);
  put_combination(w, in.ascent_drift);
  w.put<uint8_t>(in.momentum != nullptr);
  if (in.momentum) w.put_vector(*in.momentum);
  w.put<uint8_t>(in.return_momentum);
}

StepInputs get_inputs(Reader& r) {
  StepInputs in;
  in.correction = get_combination(r);
  in.ascent_offset = get_combination(r);
  in.ascent_drift = get_combination(r);
  if (r.get<uint8_t>()) in.momentum = std::make_shared<const Params>(r.get_vector<float>());
  in.return_momentum = r.get<uint8_t>() != 0;
  return in;
}

// A gate (pFedGate): presence byte, then its spec (plain bytes), state and momentum.
void put_gate(Writer& w, const GateJob* gate) {
  w.put<uint8_t>(gate != nullptr);
  if (!gate) return;
  static_assert(std::is_trivially_copyable<GateSpec>::value, "GateSpec travels as bytes");
  w.put(gate->spec);
  w.put_vector(gate->state ? *gate->state : Params{});
  w.put<uint8_t>(gate->momentum != nullptr);
  if (gate->momentum) w.put_vector(*gate->momentum);
}

std::shared_ptr<const GateJob> get_gate(Reader& r) {
  if (!r.get<uint8_t>()) return nullptr;
  auto gate = std::make_shared<GateJob>();
  gate->spec = r.get<GateSpec>();
  gate->state = std::make_shared<const Params>(r.get_vector<float>());
  if (r.get<uint8_t>()) gate->momentum = std::make_shared<const Params>(r.get_vector<float>());
  return gate;
}

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw std::runtime_error(std::string("MPI error in ") + what);
}

void send(const std::vector<char>& bytes, int dest, int tag) {
  if (bytes.size() > size_t(INT32_MAX)) throw std::runtime_error("MPI message over 2 GiB");
  std::lock_guard<std::mutex> lock(g_mpi_mutex);
  check(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, dest, tag, MPI_COMM_WORLD), "MPI_Send");
}

/// Waits for a message from `source` with `tag`, polling so that other threads can use MPI
/// meanwhile and an idle process does not spin.
std::vector<char> receive(int source, int tag) {
  auto pause = std::chrono::microseconds(20);
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(g_mpi_mutex);
      int flag = 0;
      MPI_Status st;
      check(MPI_Iprobe(source, tag, MPI_COMM_WORLD, &flag, &st), "MPI_Iprobe");
      if (flag) {
        int count = 0;
        check(MPI_Get_count(&st, MPI_BYTE, &count), "MPI_Get_count");
        std::vector<char> buf(count);
        check(MPI_Recv(buf.data(), count, MPI_BYTE, source, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
        return buf;
      }
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(1000));
  }
}

// --- rank 0 -------------------------------------------------------------------------------
/// Hands out idle worker ranks to job threads.
class WorkerSet {
 public:
  explicit WorkerSet(int workers) : busy_(workers, false) {}
  int acquire() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      for (size_t i = 0; i < busy_.size(); ++i)
        if (!busy_[i]) {
          busy_[i] = true;
          return static_cast<int>(i) + 1;
        }
      cv_.wait(lock);
    }
  }
  void release(int rank) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      busy_[rank - 1] = false;
    }
    cv_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<bool> busy_;
};

class MpiTrainer final : public Trainer {
 public:
  explicit MpiTrainer(std::unique_ptr<Trainer> local) : local_(std::move(local)), workers_(g_size - 1) {}

  const ModelInfo& model() const override { return local_->model(); }
  Params initial_params(uint64_t seed) override { return local_->initial_params(seed); }
  std::string device() const override { return local_->device(); }
  bool learns() const override { return local_->learns(); }

  TrainResult train(const TrainJob& job) override {
    Writer w;
    w.put(Kind::Train);
    w.put<int32_t>(job.client);
    w.put<int32_t>(job.round);
    w.put<uint64_t>(job.seed);
    w.put<int32_t>(job.local.epochs);
    w.put<int32_t>(job.local.steps);
    w.put<int32_t>(job.local.batch_size);
    w.put<double>(job.local.lr);
    static_assert(std::is_trivially_copyable<LocalStep>::value, "LocalStep travels as bytes");
    w.put(job.local.rule);
    put_inputs(w, job.local.inputs);
    put_gate(w, job.local.gate.get());
    w.put_vector(*job.indices);
    w.put_vector(*job.start);
    auto answer = call(w.bytes());
    Reader r(answer);
    expect(r, Kind::TrainDone);
    TrainResult res;
    res.mean_loss = r.get<double>();
    res.samples = r.get<int64_t>();
    res.steps = r.get<int64_t>();
    res.flops = r.get<double>();
    res.params = r.get_vector<float>();
    res.momentum = r.get_vector<float>();
    res.ascent_sum = r.get_vector<float>();
    res.gate_state = r.get_vector<float>();
    res.gate_momentum = r.get_vector<float>();
    return res;
  }

  // Per-client evaluations are short and run once per evaluation: on rank 0's own trainer.
  ClassCounts evaluate_samples(const Params& params, const std::vector<int32_t>& indices, const GateJob* gate,
                               int batch) override {
    return local_->evaluate_samples(params, indices, gate, batch);
  }

  EvalResult evaluate(const Params& params, const std::vector<int32_t>* subset) override {
    Writer w;
    w.put(Kind::Evaluate);
    w.put<uint8_t>(subset != nullptr);
    w.put_vector(subset ? *subset : std::vector<int32_t>{});
    w.put_vector(params);
    auto answer = call(w.bytes());
    Reader r(answer);
    expect(r, Kind::EvalDone);
    EvalResult res;
    res.accuracy = r.get<double>();
    res.loss = r.get<double>();
    res.samples = r.get<int64_t>();
    return res;
  }

 private:
  std::vector<char> call(const std::vector<char>& request) {
    const int worker = workers_.acquire();
    struct Release {
      WorkerSet& set;
      int rank;
      ~Release() { set.release(rank); }
    } release{workers_, worker};
    send(request, worker, kJobTag);
    auto answer = receive(worker, kResultTag);
    if (!answer.empty() && Kind(answer[0]) == Kind::Error) {
      Reader r(answer);
      r.get<Kind>();
      throw std::runtime_error("MPI worker rank " + std::to_string(worker) + ": " + r.get_string());
    }
    return answer;
  }
  static void expect(Reader& r, Kind k) {
    if (r.get<Kind>() != k) throw std::runtime_error("MPI worker answered with an unexpected message");
  }

  std::unique_ptr<Trainer> local_;
  WorkerSet workers_;
};

// --- worker ranks -----------------------------------------------------------------------------
std::vector<char> serve_one(Trainer& trainer, Reader& r, Kind kind) {
  Writer w;
  if (kind == Kind::Train) {
    TrainJob job;
    job.client = r.get<int32_t>();
    job.round = r.get<int32_t>();
    job.seed = r.get<uint64_t>();
    job.local.epochs = r.get<int32_t>();
    job.local.steps = r.get<int32_t>();
    job.local.batch_size = r.get<int32_t>();
    job.local.lr = r.get<double>();
    job.local.rule = r.get<LocalStep>();
    job.local.inputs = get_inputs(r);
    job.local.gate = get_gate(r);
    job.indices = std::make_shared<const std::vector<int32_t>>(r.get_vector<int32_t>());
    job.start = std::make_shared<const Params>(r.get_vector<float>());
    TrainResult res = trainer.train(job);
    w.put(Kind::TrainDone);
    w.put<double>(res.mean_loss);
    w.put<int64_t>(res.samples);
    w.put<int64_t>(res.steps);
    w.put<double>(res.flops);
    w.put_vector(res.params);
    w.put_vector(res.momentum);
    w.put_vector(res.ascent_sum);
    w.put_vector(res.gate_state);
    w.put_vector(res.gate_momentum);
  } else if (kind == Kind::Evaluate) {
    const bool has_subset = r.get<uint8_t>() != 0;
    const auto subset = r.get_vector<int32_t>();
    const auto params = r.get_vector<float>();
    EvalResult res = trainer.evaluate(params, has_subset ? &subset : nullptr);
    w.put(Kind::EvalDone);
    w.put<double>(res.accuracy);
    w.put<double>(res.loss);
    w.put<int64_t>(res.samples);
  } else {
    throw std::runtime_error("unknown request");
  }
  return w.bytes();
}

std::vector<char> error_answer(const std::string& message) {
  Writer w;
  w.put(Kind::Error);
  w.put_string(message);
  return w.bytes();
}

// --- SIGTERM clean-up (async-signal-safe calls only) --------------------------------------
char g_cleanup_dir[4096] = {0};

void remove_tree(const char* path) {
  DIR* d = opendir(path);
  if (d) {
    char child[4096];
    while (dirent* e = readdir(d)) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      const size_t a = strlen(path), b = strlen(e->d_name);
      if (a + b + 2 > sizeof child) continue;
      memcpy(child, path, a);
      child[a] = '/';
      memcpy(child + a + 1, e->d_name, b + 1);
      struct stat st;
      if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
        remove_tree(child);
      else
        unlink(child);
    }
    closedir(d);
  }
  rmdir(path);
}

void on_termination(int) {
  if (g_cleanup_dir[0]) remove_tree(g_cleanup_dir);
  static const char msg[] = "flemu: terminated (an MPI rank failed); outputs discarded\n";
  ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
  (void)ignored;
  _exit(1);
}

}  // namespace

MpiSession::MpiSession(int* argc, char*** argv) {
  const char* size = std::getenv("OMPI_COMM_WORLD_SIZE");
  if (!size || std::atoi(size) <= 1) return;
  int provided = 0;
  check(MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread");
  if (provided < MPI_THREAD_SERIALIZED) {
    MPI_Finalize();
    throw std::runtime_error("this MPI library does not support MPI_THREAD_SERIALIZED");
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  g_active = true;
}

MpiSession::~MpiSession() {
  if (!g_active) return;
  if (g_rank == 0) {
    Writer w;
    w.put(Kind::Stop);
    for (int r = 1; r < g_size; ++r) send(w.bytes(), r, kJobTag);
  }
  MPI_Finalize();
  g_active = false;
}

bool MpiSession::active() { return g_active; }
int MpiSession::rank() { return g_rank; }
int MpiSession::workers() { return g_active ? g_size - 1 : 0; }

std::unique_ptr<Trainer> make_mpi_trainer(std::unique_ptr<Trainer> local) {
  if (!g_active || g_rank != 0 || g_size < 2) throw std::logic_error("make_mpi_trainer: not MPI rank 0 with workers");
  return std::make_unique<MpiTrainer>(std::move(local));
}

void serve_mpi_jobs(const std::function<std::unique_ptr<Trainer>()>& make_trainer) {
  std::unique_ptr<Trainer> trainer;
  std::string setup_error;
  try {
    trainer = make_trainer();
  } catch (const std::exception& e) {
    setup_error = e.what();
  }
  const char* kill = std::getenv("FLEMU_MPI_TEST_KILL_WORKER");
  const bool die_after_first = kill && std::string(kill) == "1" && g_rank == 1;
  for (;;) {
    auto request = receive(0, kJobTag);
    Reader r(request);
    const Kind kind = r.get<Kind>();
    if (kind == Kind::Stop) return;
    std::vector<char> answer;
    if (!setup_error.empty()) {
      answer = error_answer(setup_error);
    } else if (!trainer) {
      answer = error_answer("this run has no trainer on the workers (analytic training?)");
    } else {
      try {
        answer = serve_one(*trainer, r, kind);
      } catch (const std::exception& e) {
        answer = error_answer(e.what());
      }
    }
    send(answer, 0, kResultTag);
    if (die_after_first) std::abort();
  }
}

void remove_on_termination(const std::string& dir) {
  if (dir.size() >= sizeof g_cleanup_dir) return;
  std::memcpy(g_cleanup_dir, dir.c_str(), dir.size() + 1);
  struct sigaction sa {};
  sa.sa_handler = on_termination;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
}

#endif  // FLEMU_HAVE_MPI

}  // namespace flemu
