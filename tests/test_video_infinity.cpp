// Video-Infinity (clip-parallel video diffusion): the card's per-step byte counts, the global
// frame selection, and the dual-scope attention computed clip by clip from its neighbours'
// messages against the single-process reference over the whole video.
#include <catch2/catch.hpp>

#include <random>

#include "algorithms/inference/temporal_conv_halo.hpp"
#include "algorithms/inference/video_infinity.hpp"

using namespace flemu::video;

namespace {

FrameSeq random_frames(int64_t b, int64_t f, int64_t d, std::mt19937& rng) {
  std::normal_distribution<float> n(0.f, 1.f);
  FrameSeq x(b, f, d);
  for (float& v : x.data) v = n(rng);
  return x;
}

std::vector<int64_t> range(int64_t first, int64_t count) {
  std::vector<int64_t> r;
  for (int64_t i = 0; i < count; ++i) r.push_back(first + i);
  return r;
}

/// Rank r's context as its messages bring it: the neighbours' edge frames (zeros at the
/// video's ends) and every clip's global frames, in rank order, cut to top_k.
ClipContext context_of(int r, const std::vector<FrameSeq>& ks, const std::vector<FrameSeq>& vs, const DualScopeConfig& cfg) {
  const int n = static_cast<int>(ks.size());
  const int64_t clip = ks[0].frames, p = cfg.padding, b = ks[0].batch, d = ks[0].dim;
  ClipContext c;
  c.k_left = r > 0 ? select_frames(ks[r - 1], range(clip - p, p)) : FrameSeq(b, p, d);
  c.v_left = r > 0 ? select_frames(vs[r - 1], range(clip - p, p)) : FrameSeq(b, p, d);
  c.k_right = r + 1 < n ? select_frames(ks[r + 1], range(0, p)) : FrameSeq(b, p, d);
  c.v_right = r + 1 < n ? select_frames(vs[r + 1], range(0, p)) : FrameSeq(b, p, d);
  const auto idx = global_frame_indices(clip, global_frames_per_clip(cfg.top_k, n));
  c.k_global = FrameSeq(b, 0, d);
  c.v_global = FrameSeq(b, 0, d);
  for (int s = 0; s < n; ++s) {
    c.k_global = concat_frames(c.k_global, select_frames(ks[s], idx));
    c.v_global = concat_frames(c.v_global, select_frames(vs[s], idx));
  }
  if (c.k_global.frames > cfg.top_k) {
    c.k_global = select_frames(c.k_global, range(0, cfg.top_k));
    c.v_global = select_frames(c.v_global, range(0, cfg.top_k));
  }
  return c;
}

/// The whole video computed clip by clip (each clip from its own messages), frames put back in order.
FrameSeq distributed(const FrameSeq& q, const FrameSeq& k, const FrameSeq& v, int clips, const DualScopeConfig& cfg) {
  const int64_t clip = q.frames / clips;
  std::vector<FrameSeq> qs, ks, vs;
  for (int r = 0; r < clips; ++r) {
    qs.push_back(select_frames(q, range(r * clip, clip)));
    ks.push_back(select_frames(k, range(r * clip, clip)));
    vs.push_back(select_frames(v, range(r * clip, clip)));
  }
  FrameSeq out(q.batch, 0, q.dim);
  for (int r = 0; r < clips; ++r) out = concat_frames(out, dual_scope_attention(qs[r], ks[r], vs[r], context_of(r, ks, vs, cfg), cfg));
  return out;
}

double max_abs_diff(const FrameSeq& a, const FrameSeq& b) {
  REQUIRE(a.data.size() == b.data.size());
  double m = 0;
  for (size_t i = 0; i < a.data.size(); ++i) m = std::max(m, static_cast<double>(std::abs(a.data[i] - b.data[i])));
  return m;
}

}  // namespace

TEST_CASE("video-infinity: per-step bytes of an interior rank are the card's (p 8, s 2, N 8)", "[video]") {
  const VideoUnetShape m = video_unet_preset("videocrafter2");
  const ClipParallelParams p;
  CHECK(frame_bytes(m, p, 0) == 2.0 * 40 * 64 * 320 * 2);  // 3.28 MB
  CHECK(frame_bytes(m, p, 3) == 2.0 * 5 * 8 * 1280 * 2);   // 0.20 MB
  const StepTraffic t = step_traffic(m, p, 8);
  // Sum over levels of modules x frame bytes: 12 x 3.28 + 10 x 1.64 + 10 x 0.82 + 2 x 0.20 MB = 64.4 MB.
  const double per_frame = 12 * frame_bytes(m, p, 0) + 10 * frame_bytes(m, p, 1) + 10 * frame_bytes(m, p, 2) + 2 * frame_bytes(m, p, 3);
  CHECK(per_frame == Approx(64.4e6).epsilon(0.002));  // the card rounds each level to 2 decimals
  CHECK(2 * t.attention_halo_per_neighbour == Approx(2.06e9).epsilon(0.01));  // ~2.1 GB to the two neighbours
  CHECK(7 * t.attention_global_per_rank == Approx(1.80e9).epsilon(0.01));     // ~1.8 GB received
  CHECK(2 * t.conv_halo_per_neighbour == Approx(0.24e9).epsilon(0.01));       // ~0.24 GB
  // None of it depends on the clip length.
  ClipParallelParams longer = p;
  longer.frames_per_gpu = 288;
  CHECK(step_traffic(m, longer, 8).attention_halo_per_neighbour == t.attention_halo_per_neighbour);
  // Switching a sync off removes its bytes.
  ClipParallelParams plain = p;
  plain.sync_attention = plain.sync_conv = false;
  CHECK(step_traffic(m, plain, 8).attention_global_per_rank == 0);
  CHECK(step_traffic(m, plain, 8).conv_halo_per_neighbour == 0);
}

TEST_CASE("video-infinity: global frames are a fixed stride per clip, one each when N > top_k", "[video]") {
  CHECK(global_frames_per_clip(16, 8) == 2);
  CHECK(global_frames_per_clip(16, 3) == 5);
  CHECK(global_frames_per_clip(16, 32) == 1);
  CHECK(global_frame_indices(24, 2) == std::vector<int64_t>{0, 12});
  CHECK(global_frame_indices(8, 3) == std::vector<int64_t>{0, 2, 4});
  CHECK_THROWS(global_frame_indices(2, 3));
  CHECK_THROWS_WITH(video_unet_preset("sora"), Catch::Contains("known: videocrafter2"));
}

TEST_CASE("video-infinity: dual-scope attention clip by clip equals the single-process reference",
          "[video][split]") {
  // The card's case: F = 24 frames in N = 3 clips of 8, C = 16, b = 4, p = 2, top_k = 6 (s = 2).
  std::mt19937 rng(7);
  const FrameSeq q = random_frames(4, 24, 16, rng), k = random_frames(4, 24, 16, rng), v = random_frames(4, 24, 16, rng);
  for (bool global_phase : {true, false}) {
    DualScopeConfig cfg;
    cfg.padding = 2;
    cfg.top_k = 6;
    cfg.global_phase = global_phase;
    const FrameSeq ref = dual_scope_attention_reference(q, k, v, 3, cfg);
    CHECK(max_abs_diff(distributed(q, k, v, 3, cfg), ref) < 1e-6);
    // Another clip count has other global frames: another operator, compared with its own reference.
    const FrameSeq ref4 = dual_scope_attention_reference(q, k, v, 4, cfg);
    CHECK(max_abs_diff(distributed(q, k, v, 4, cfg), ref4) < 1e-6);
    CHECK(max_abs_diff(ref4, ref) > 1e-3);
  }
  // More clips than top_k: one global frame per clip, cut to top_k (8 clips of 3 frames, top_k 6).
  DualScopeConfig many;
  many.padding = 2;
  many.top_k = 6;
  CHECK(max_abs_diff(distributed(q, k, v, 8, many), dual_scope_attention_reference(q, k, v, 8, many)) < 1e-6);
  // The phase bias moves the weight: early steps look at the global frames, late at the local.
  DualScopeConfig early = many, late = many;
  late.global_phase = false;
  CHECK(max_abs_diff(dual_scope_attention_reference(q, k, v, 3, early), dual_scope_attention_reference(q, k, v, 3, late)) > 0.1);
}

TEST_CASE("video-infinity: temporal conv with a 4-frame halo is bit-equal to the unsplit layer but at the ends",
          "[video]") {
  std::mt19937 rng(11);
  const int64_t b = 2, F = 24, C = 4, halo = 4;
  TemporalConvStack stack;
  stack.channels = C;
  std::normal_distribution<float> n(0.f, 0.3f);
  for (int l = 0; l < 4; ++l) {
    stack.weight.emplace_back(static_cast<size_t>(C * C * 3));
    stack.bias.emplace_back(static_cast<size_t>(C));
    for (float& w : stack.weight.back()) w = n(rng);
    for (float& w : stack.bias.back()) w = n(rng);
  }
  const FrameSeq x = random_frames(b, F, C, rng);
  const FrameSeq whole = temporal_conv_stack(stack, x);
  // The split code's ends: 4 zero frames before the stack, then cropped.
  const FrameSeq zeros(b, halo, C);
  const FrameSeq padded = select_frames(temporal_conv_stack(stack, concat_frames(concat_frames(zeros, x), zeros)), range(halo, F));
  for (int clips : {2, 3, 6}) {
    INFO(clips << " clips");
    const int64_t clip = F / clips;
    FrameSeq split(b, 0, C);
    for (int r = 0; r < clips; ++r) {
      const FrameSeq mine = select_frames(x, range(r * clip, clip));
      const FrameSeq left = r > 0 ? select_frames(x, range(r * clip - halo, halo)) : zeros;
      const FrameSeq right = r + 1 < clips ? select_frames(x, range((r + 1) * clip, halo)) : zeros;
      split = concat_frames(split, temporal_conv_clip(stack, mine, left, right));
    }
    CHECK(split.data == padded.data);  // bit for bit, everywhere
    // Against the unsplit layer: bit-equal away from the video's ends, different near them.
    CHECK(select_frames(split, range(halo, F - 2 * halo)).data == select_frames(whole, range(halo, F - 2 * halo)).data);
    CHECK(max_abs_diff(select_frames(split, range(0, halo)), select_frames(whole, range(0, halo))) > 1e-4);
    CHECK(max_abs_diff(select_frames(split, range(F - halo, halo)), select_frames(whole, range(F - halo, halo))) > 1e-4);
  }
  // A shorter halo is not enough: the receptive field is 4 frames each way.
  const FrameSeq second = temporal_conv_clip(stack, select_frames(x, range(12, 12)), select_frames(x, range(9, 3)), zeros);
  CHECK(max_abs_diff(select_frames(second, range(0, 1)), select_frames(padded, range(12, 1))) > 0);
}
