#include "algorithms/inference/video_infinity.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace flemu::video {

VideoUnetShape video_unet_preset(const std::string& name) {
  if (name == "videocrafter2") {
    VideoUnetShape m;
    m.name = name;
    return m;
  }
  throw std::invalid_argument("unknown video U-Net \"" + name + "\" (known: videocrafter2)");
}

VideoUnetShape resize_unet(const VideoUnetShape& preset, int64_t latent_height, int64_t latent_width,
                           const std::vector<int64_t>& channels) {
  if (latent_height < 1 || latent_width < 1) throw std::invalid_argument("resize_unet: the latent size must be positive");
  if (channels.size() != preset.channels.size())
    throw std::invalid_argument("resize_unet: " + std::to_string(preset.channels.size()) + " channel widths (one per level), not " +
                                std::to_string(channels.size()));
  VideoUnetShape m = preset;
  m.latent_height = latent_height;
  m.latent_width = latent_width;
  m.channels = channels;
  double width = 0;
  for (size_t l = 0; l < channels.size(); ++l) {
    if (channels[l] < 1) throw std::invalid_argument("resize_unet: channel widths must be positive");
    const double r = static_cast<double>(channels[l]) / static_cast<double>(preset.channels[l]);
    width += r * r / static_cast<double>(channels.size());
  }
  const double positions = static_cast<double>(latent_height * latent_width) /
                           static_cast<double>(preset.latent_height * preset.latent_width);
  m.unet_flops_per_frame = preset.unet_flops_per_frame * positions * width;
  m.vae_decode_flops_per_frame = preset.vae_decode_flops_per_frame * positions;
  return m;
}

double unet_step_flops(const VideoUnetShape& m, const ClipParallelParams& p, int64_t frames) {
  return m.unet_flops_per_frame * static_cast<double>(p.cfg_batch) / 2.0 * static_cast<double>(frames);
}

int temporal_layers(const VideoUnetShape& m) {
  int n = 0;
  for (size_t l = 0; l < m.channels.size(); ++l) n += m.conv_layers[l] + m.attention_modules[l];
  return n;
}

double decoded_frame_bytes(const VideoUnetShape& m) {
  return 3.0 * static_cast<double>(m.latent_height * 8) * static_cast<double>(m.latent_width * 8) * 2.0;
}

int64_t global_frames_per_clip(int64_t top_k, int clips) {
  if (clips < 1) throw std::invalid_argument("global_frames_per_clip: no clip");
  return std::max<int64_t>(1, top_k / clips);
}

std::vector<int64_t> global_frame_indices(int64_t frames_per_clip, int64_t per_clip) {
  if (per_clip < 1 || per_clip > frames_per_clip)
    throw std::invalid_argument("global frames: " + std::to_string(per_clip) + " of a clip of " +
                                std::to_string(frames_per_clip) + " frames");
  const int64_t stride = frames_per_clip / per_clip;
  std::vector<int64_t> idx;
  for (int64_t j = 0; j < per_clip; ++j) idx.push_back(j * stride);
  return idx;
}

double frame_bytes(const VideoUnetShape& m, const ClipParallelParams& p, size_t level) {
  return static_cast<double>(p.cfg_batch) * static_cast<double>(m.positions(level)) *
         static_cast<double>(m.channels.at(level)) * m.bytes_per_element;
}

StepTraffic step_traffic(const VideoUnetShape& m, const ClipParallelParams& p, int clips) {
  StepTraffic t;
  const double s = static_cast<double>(global_frames_per_clip(p.top_k, clips));
  for (size_t l = 0; l < m.channels.size(); ++l) {
    const double f = frame_bytes(m, p, l);
    if (p.sync_attention) {
      t.attention_halo_per_neighbour += m.attention_modules[l] * 2.0 * static_cast<double>(p.padding) * f;
      t.attention_global_per_rank += m.attention_modules[l] * 2.0 * s * f;
    }
    if (p.sync_conv) t.conv_halo_per_neighbour += m.conv_layers[l] * static_cast<double>(p.conv_halo) * f;
  }
  return t;
}

FrameSeq select_frames(const FrameSeq& x, const std::vector<int64_t>& indices) {
  FrameSeq y(x.batch, static_cast<int64_t>(indices.size()), x.dim);
  for (int64_t b = 0; b < x.batch; ++b)
    for (size_t j = 0; j < indices.size(); ++j)
      for (int64_t c = 0; c < x.dim; ++c) y.at(b, static_cast<int64_t>(j), c) = x.at(b, indices[j], c);
  return y;
}

FrameSeq concat_frames(const FrameSeq& x, const FrameSeq& y) {
  if (x.batch != y.batch || x.dim != y.dim) throw std::invalid_argument("concat_frames: shapes differ");
  FrameSeq z(x.batch, x.frames + y.frames, x.dim);
  for (int64_t b = 0; b < x.batch; ++b)
    for (int64_t c = 0; c < x.dim; ++c) {
      for (int64_t f = 0; f < x.frames; ++f) z.at(b, f, c) = x.at(b, f, c);
      for (int64_t f = 0; f < y.frames; ++f) z.at(b, x.frames + f, c) = y.at(b, f, c);
    }
  return z;
}

namespace {

/// softmax(q.k / sqrt(C) + bias_j) . v over keys j: the keys are the rows `local` of (kl, vl)
/// (bias on them if !global_phase) followed by every row of (kg, vg) (bias if global_phase).
/// Accumulates in double, in key order.
void attend(const FrameSeq& q, int64_t b, int64_t i, const FrameSeq& kl, const FrameSeq& vl, int64_t local_first,
            int64_t local_count, const FrameSeq& kg, const FrameSeq& vg, const DualScopeConfig& cfg, FrameSeq& out,
            int64_t out_frame) {
  const int64_t C = q.dim;
  const double scale = 1.0 / std::sqrt(static_cast<double>(C));
  std::vector<double> logits;
  auto dot = [&](const FrameSeq& k, int64_t f) {
    double s = 0;
    for (int64_t c = 0; c < C; ++c) s += static_cast<double>(q.at(b, i, c)) * static_cast<double>(k.at(b, f, c));
    return s * scale;
  };
  for (int64_t j = 0; j < local_count; ++j) logits.push_back(dot(kl, local_first + j) + (cfg.global_phase ? 0 : cfg.bias));
  for (int64_t j = 0; j < kg.frames; ++j) logits.push_back(dot(kg, j) + (cfg.global_phase ? cfg.bias : 0));
  const double top = *std::max_element(logits.begin(), logits.end());
  double total = 0;
  for (double& l : logits) total += (l = std::exp(l - top));
  std::vector<double> acc(static_cast<size_t>(C), 0.0);
  for (int64_t j = 0; j < local_count + kg.frames; ++j) {
    const double w = logits[static_cast<size_t>(j)] / total;
    const FrameSeq& v = j < local_count ? vl : vg;
    const int64_t f = j < local_count ? local_first + j : j - local_count;
    for (int64_t c = 0; c < C; ++c) acc[static_cast<size_t>(c)] += w * static_cast<double>(v.at(b, f, c));
  }
  for (int64_t c = 0; c < C; ++c) out.at(b, out_frame, c) = static_cast<float>(acc[static_cast<size_t>(c)]);
}

}  // namespace

FrameSeq dual_scope_attention(const FrameSeq& q, const FrameSeq& k, const FrameSeq& v, const ClipContext& ctx,
                              const DualScopeConfig& cfg) {
  const int64_t p = cfg.padding;
  if (ctx.k_left.frames != p || ctx.k_right.frames != p || ctx.v_left.frames != p || ctx.v_right.frames != p)
    throw std::invalid_argument("dual_scope_attention: halos of " + std::to_string(p) + " frames expected");
  // The padded local keys: left halo, the clip, right halo (F_clip + 2p frames).
  const FrameSeq kl = concat_frames(concat_frames(ctx.k_left, k), ctx.k_right);
  const FrameSeq vl = concat_frames(concat_frames(ctx.v_left, v), ctx.v_right);
  FrameSeq out(q.batch, q.frames, q.dim);
  for (int64_t b = 0; b < q.batch; ++b)
    for (int64_t i = 0; i < q.frames; ++i) attend(q, b, i, kl, vl, i, 2 * p + 1, ctx.k_global, ctx.v_global, cfg, out, i);
  return out;
}

FrameSeq dual_scope_attention_reference(const FrameSeq& q, const FrameSeq& k, const FrameSeq& v, int clips,
                                        const DualScopeConfig& cfg) {
  if (clips < 1 || q.frames % clips != 0)
    throw std::invalid_argument("reference: " + std::to_string(q.frames) + " frames in " + std::to_string(clips) + " clips");
  const int64_t F = q.frames, clip = F / clips, p = cfg.padding;
  // Global frames, numbered over the whole video: clip r's frames r*clip + idx, in clip order.
  std::vector<int64_t> global;
  for (int r = 0; r < clips; ++r)
    for (int64_t idx : global_frame_indices(clip, global_frames_per_clip(cfg.top_k, clips))) global.push_back(r * clip + idx);
  if (static_cast<int64_t>(global.size()) > cfg.top_k) global.resize(static_cast<size_t>(cfg.top_k));
  const FrameSeq kg = select_frames(k, global), vg = select_frames(v, global);
  // The whole video padded with p zero frames at each end: frame g is padded frame g + p.
  const FrameSeq zeros(q.batch, p, q.dim);
  const FrameSeq kl = concat_frames(concat_frames(zeros, k), zeros);
  const FrameSeq vl = concat_frames(concat_frames(zeros, v), zeros);
  FrameSeq out(q.batch, F, q.dim);
  for (int64_t b = 0; b < q.batch; ++b)
    for (int64_t g = 0; g < F; ++g) attend(q, b, g, kl, vl, g, 2 * p + 1, kg, vg, cfg, out, g);  // frames g-p .. g+p
  return out;
}

}  // namespace flemu::video
