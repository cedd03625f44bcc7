#include "emulator/schedules/video_infinity.hpp"

#include <cmath>
#include <memory>

#include <simgrid/s4u.hpp>

#include "algorithms/inference/video_infinity.hpp"
#include "emulator/schedules/collectives.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {
namespace {

int g_frames = 0;  // the payload of the gather: only its size matters

/// What the ranks of one run share.
struct VideoRun {
  explicit VideoRun(Federation& f)
      : fed(f),
        shape(f.scenario.video.unet),
        params(f.scenario.video.clip),
        world("video", f.platform.devices),
        gather("video-gather", f.platform.devices),
        exchange_s(static_cast<size_t>(f.num_devices()), 0.0),
        sent_bytes(static_cast<size_t>(f.num_devices()), 0.0),
        received_bytes(static_cast<size_t>(f.num_devices()), 0.0) {}
  Federation& fed;
  const video::VideoUnetShape& shape;
  const video::ClipParallelParams& params;
  Communicator world;   ///< halos and the global all-gather
  Communicator gather;  ///< the decoded frames to rank 0
  std::vector<double> exchange_s;      ///< per rank: simulated time spent in exchanges
  std::vector<double> sent_bytes;      ///< per rank: bytes sent in exchanges (all steps)
  std::vector<double> received_bytes;  ///< per rank: bytes received in exchanges
  double encoded = 0;                  ///< rank 0: when the text encoding ended
  double denoised = 0;                 ///< rank 0: when its last step ended
};

class ClipActor {
 public:
  ClipActor(std::shared_ptr<VideoRun> run, int rank, ServerOutcome* outcome)
      : keep_(std::move(run)), r_(*keep_), rank_(rank), outcome_(outcome) {}

  void operator()() {
    if (rank_ != 0) sg4::Actor::self()->daemonize();  // the others end with rank 0
    cores_ = r_.fed.devices[rank_].cores;
    const int n = r_.fed.num_devices();
    const int steps = r_.params.steps;
    std::unique_ptr<StopRule> stop;
    if (outcome_) stop = std::make_unique<StopRule>(r_.fed, *outcome_);
    const auto none = std::make_shared<const Params>();
    compute(r_.shape.text_encode_flops, "text-encode", 1);
    if (rank_ == 0) r_.encoded = sg4::Engine::get_clock();
    // The code's fixed loop: every rank runs the same steps, no stop is decided on the way.
    for (int step = 1; step <= steps; ++step) {
      if (rank_ == 0) {
        Event start{sg4::Engine::get_clock(), NAN, EventKind::RoundStart, "server", "server", step};
        start.count = n;
        r_.fed.bus.emit(start);
      }
      denoising_step(step);
      if (rank_ == 0) stop->close_round(step, n, none);  // the round's bookkeeping (metrics.csv)
    }
    if (rank_ == 0) r_.denoised = sg4::Engine::get_clock();
    compute(r_.shape.vae_decode_flops_per_frame * static_cast<double>(r_.params.frames_per_gpu), "vae-decode", steps);
    send_frames(steps);
    if (rank_ == 0) {
      stop->finish(steps, *none);
      finish_summary(steps);
    }
  }

 private:
  void compute(double flops, const char* what, int round) { compute(flops, std::string(what), round); }
  void compute(double flops, const std::string& what, int round) {
    const double t0 = sg4::Engine::get_clock();
    if (flops > 0) sg4::this_actor::exec_init(flops / cores_)->set_thread_count(cores_)->wait();
    Event e{sg4::Engine::get_clock(), t0, EventKind::Train, actor(), host(), round, rank_};
    e.flops = flops;
    e.op = what;
    r_.fed.bus.emit(e);
  }

  /// One denoising step: each temporal layer's share of the U-Net, then its exchanges.
  void denoising_step(int step) {
    const auto& m = r_.shape;
    const auto& p = r_.params;
    const int n = r_.fed.num_devices();
    const double share = video::unet_step_flops(m, p, p.frames_per_gpu) / video::temporal_layers(m);
    const double global = static_cast<double>(video::global_frames_per_clip(p.top_k, n));
    for (size_t l = 0; l < m.channels.size(); ++l) {
      const double frame = video::frame_bytes(m, p, l);
      const std::string unet = "unet." + std::to_string(l);
      for (int c = 0; c < m.conv_layers[l]; ++c) {
        compute(share, unet, step);
        if (p.sync_conv) halo(static_cast<double>(p.conv_halo) * frame, "conv-halo", step);
      }
      for (int a = 0; a < m.attention_modules[l]; ++a) {
        compute(share, unet, step);
        if (!p.sync_attention) continue;
        global_allgather(2.0 * global * frame, step);  // K and V of the clip's global frames
        halo(2.0 * static_cast<double>(p.padding) * frame, "attention-halo", step);
      }
    }
  }

  /// Swaps `bytes` with each neighbour (none past the video's ends), one neighbour after the
  /// other in the code's order: even ranks right first, odd ranks left first.
  void halo(double bytes, const char* what, int step) {
    const int n = r_.fed.num_devices();
    if (n < 2 || bytes <= 0) return;
    const uint64_t elements = static_cast<uint64_t>(std::llround(bytes / r_.shape.bytes_per_element));
    const int first = rank_ % 2 == 0 ? rank_ + 1 : rank_ - 1;
    const int second = rank_ % 2 == 0 ? rank_ - 1 : rank_ + 1;
    const double t0 = sg4::Engine::get_clock();
    Traffic t;
    for (int peer : {first, second})
      if (peer >= 0 && peer < n) {
        call_overhead();
        t += neighbour_exchange(r_.world, rank_, {PeerExchange{peer, elements, nullptr, nullptr}}, r_.shape.bytes_per_element);
      }
    note(t0, t, what, step);
  }

  /// Every rank contributes `bytes`; the ring all-gather leaves every contribution everywhere.
  void global_allgather(double bytes, int step) {
    const int n = r_.fed.num_devices();
    if (n < 2 || bytes <= 0) return;
    const uint64_t per_rank = static_cast<uint64_t>(std::llround(bytes / r_.shape.bytes_per_element));
    CollectiveBuffer buf = CollectiveBuffer::bytes_only(per_rank * static_cast<uint64_t>(n), r_.shape.bytes_per_element);
    const double t0 = sg4::Engine::get_clock();
    call_overhead();
    const Traffic t = ring_allgather(r_.world, rank_, buf);
    note(t0, t, "global-allgather", step);
  }

  /// What a collective call costs this GPU besides its transfers (launch, synchronize).
  void call_overhead() {
    if (r_.params.call_overhead_s > 0) sg4::this_actor::sleep_for(r_.params.call_overhead_s);
  }

  void note(double t0, const Traffic& t, const char* what, int step) {
    Event e{sg4::Engine::get_clock(), t0, EventKind::Collective, actor(), host(), step, rank_};
    e.bytes = t.bytes_sent;
    e.count = t.messages_sent;
    e.op = what;
    r_.fed.bus.emit(e);
    const auto r = static_cast<size_t>(rank_);
    r_.exchange_s[r] += sg4::Engine::get_clock() - t0;
    r_.sent_bytes[r] += t.bytes_sent;
    r_.received_bytes[r] += t.bytes_received;
  }

  /// The decoded frames (fp16 RGB pixels) go to rank 0, all ranks at once (the code's gather).
  void send_frames(int step) {
    const int n = r_.fed.num_devices();
    const double bytes = static_cast<double>(r_.params.frames_per_gpu) * video::decoded_frame_bytes(r_.shape);
    if (rank_ == 0) {
      std::vector<int*> got(static_cast<size_t>(n), nullptr);
      std::vector<sg4::CommPtr> comms;
      for (int w = 1; w < n; ++w) comms.push_back(r_.gather.mailbox(w, 0)->get_async<int>(&got[static_cast<size_t>(w)]));
      sg4::Comm::wait_all(comms);
      return;
    }
    const double t0 = sg4::Engine::get_clock();
    r_.gather.mailbox(rank_, 0)->put(&g_frames, static_cast<uint64_t>(std::llround(bytes)));
    Event e{sg4::Engine::get_clock(), t0, EventKind::Send, actor(), host(), step, rank_};
    e.bytes = bytes;
    e.peer = 0;
    e.op = "frames";
    r_.fed.bus.emit(e);
  }

  void finish_summary(int steps) {
    const int n = r_.fed.num_devices();
    const double end = sg4::Engine::get_clock();
    nlohmann::json j;
    j["model"] = r_.shape.name;
    j["gpus"] = n;
    j["frames_per_gpu"] = r_.params.frames_per_gpu;
    j["frames"] = r_.params.frames_per_gpu * n;
    j["steps"] = steps;
    j["time_per_video_s"] = end;
    j["text_encode_s"] = r_.encoded;
    j["denoise_s"] = r_.denoised - r_.encoded;
    j["step_s"] = (r_.denoised - r_.encoded) / steps;
    j["decode_and_gather_s"] = end - r_.denoised;
    nlohmann::json sent = nlohmann::json::array(), received = nlohmann::json::array();
    for (int r = 0; r < n; ++r) {
      sent.push_back(r_.sent_bytes[static_cast<size_t>(r)] / steps);
      received.push_back(r_.received_bytes[static_cast<size_t>(r)] / steps);
    }
    j["bytes_sent_per_step"] = sent;
    j["bytes_received_per_step"] = received;
    // A middle rank has two neighbours: its exchanges are the longest.
    const int middle = n / 2;
    j["exchange_share"] = r_.exchange_s[static_cast<size_t>(middle)] / (r_.denoised - r_.encoded);
    outcome_->schedule_summary = {{"video", j}};
  }

  std::string actor() const { return "gpu-" + std::to_string(rank_); }
  const std::string& host() const { return r_.fed.devices[rank_].name; }

  std::shared_ptr<VideoRun> keep_;
  VideoRun& r_;
  int rank_;
  ServerOutcome* outcome_;
  int cores_ = 1;
};

}  // namespace

void start_video_infinity(Federation& fed, ServerOutcome& outcome) {
  auto run = std::make_shared<VideoRun>(fed);
  fed.schedule_state = run;
  for (int r = 0; r < fed.num_devices(); ++r)
    sg4::Actor::create("gpu-" + std::to_string(r), fed.platform.devices[r], ClipActor(run, r, r == 0 ? &outcome : nullptr));
}

}  // namespace flemu
