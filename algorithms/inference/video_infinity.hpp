// Video-Infinity: distributed long video generation by clip parallelism (Tan, Yang, Liu, Wang,
// arXiv:2406.16260, §4.1-4.2; public code github.com/Yuanshi9815/Video-Infinity; card:
// ../shared/cards/systems.md §3). Pure functions (no SimGrid, no I/O): the shape of the
// VideoCrafter2 U-Net the paper runs, what one denoising step sends between ranks, and the
// dual-scope temporal attention, both as one rank computes it from its neighbours' messages
// and as a single-process reference over the whole video.
//
// The protocol. The noisy latent of F frames is cut along time into N clips of F/N frames, one
// per GPU; every GPU runs the whole denoising loop (30 steps, classifier-free guidance batch 2)
// on its clip. Spatial layers need nothing from the others. Every temporal layer does:
//   - temporal self-attention (34 modules): the keys and values of the clip, plus p frames of
//     K and V from each neighbour (the local scope; zeros at the two ends of the video, which
//     the mask does not remove), plus s = floor(top_k / N) frames of K and V from every clip
//     (the global scope: frames 0, F_clip/s, 2F_clip/s, ... of each clip, all-gathered in rank
//     order and cut to top_k; one frame per clip when N > top_k). Query frame i sees the 2p+1
//     local frames centred on it and every global frame; from timestep 800 up, +10 is added to
//     the global frames' logits, below it to the local frames' (the code's "< 800").
//   - temporal convolution (22 layers, 4 stacked (3,1,1) convs): 4 frames of the hidden state
//     from each neighbour before, cropped after.
//   - GroupNorm sync (two all-reduces of per-group statistics): described by the paper, but its
//     plugin is not mounted in the public code; not modelled here (its bytes are tiny).
// Every exchange is blocking (NCCL all_gather in 2-rank groups for the halos, then
// cuda.synchronize), so nothing overlaps compute; none of the bytes depend on F_clip.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace flemu::video {

/// A VideoCrafter2-sized 3D U-Net at 320 x 512 (latent 40 x 64): its resolution levels, the
/// temporal layers at each, and what a denoising step costs per latent frame.
struct VideoUnetShape {
  std::string name;
  int64_t latent_height = 40;                        ///< H' (pixels / 8)
  int64_t latent_width = 64;                         ///< W'
  std::vector<int64_t> channels{320, 640, 1280, 1280};  ///< C per level (level l is H'/2^l x W'/2^l)
  std::vector<int> attention_modules{12, 10, 10, 2};   ///< temporal self-attentions per level (34)
  std::vector<int> conv_layers{5, 5, 5, 7};            ///< temporal conv layers per level (22)
  /// Flops of one denoising step for one latent frame, both CFG halves: the 2D U-Net of
  /// Stable-Diffusion size at 40 x 64 (about 0.5 Tflop per half) plus the temporal layers.
  double unet_flops_per_frame = 1.1e12;
  double vae_decode_flops_per_frame = 1.2e12;  ///< the VAE decoder, one frame to 320 x 512 pixels
  double text_encode_flops = 2.4e10;           ///< the text encoder, once per prompt (both CFG halves)
  double bytes_per_element = 2;                ///< fp16 activations on the wire
  /// Parameters of the U-Net, about 1.4 billion (a ModelScope-style UNet3D; reported in
  /// summary.json's model block only, no time depends on it).
  double params = 1.4e9;
  int64_t positions(size_t level) const { return (latent_height >> level) * (latent_width >> level); }
  int levels() const { return static_cast<int>(channels.size()); }
};

/// "videocrafter2"; throws std::invalid_argument naming the known presets otherwise.
VideoUnetShape video_unet_preset(const std::string& name);
/// The preset at another latent size (H' x W') and channel widths (one per level, as many as
/// the preset's levels). The exchanged bytes follow exactly; the flops per frame are scaled by
/// the positions (convolutions and projections are linear in them; the spatial attention's
/// quadratic part is neglected) and by the mean over levels of (C / C_preset)^2 (their weights
/// are C x C). An estimate, like the preset's. Throws std::invalid_argument on a bad shape.
VideoUnetShape resize_unet(const VideoUnetShape& preset, int64_t latent_height, int64_t latent_width,
                           const std::vector<int64_t>& channels);

/// What the run is asked to do (defaults: the code's examples/config.json).
struct ClipParallelParams {
  int64_t frames_per_gpu = 24;  ///< F_clip (the code's num_frames is per GPU)
  int steps = 30;               ///< denoising steps
  int64_t padding = 8;          ///< p: local K/V frames from each neighbour (attn.padding)
  int64_t top_k = 16;           ///< |G|: global frames in all (attn.top_k)
  int64_t conv_halo = 4;        ///< frames of hidden state from each neighbour per temporal conv
  int cfg_batch = 2;            ///< classifier-free guidance doubles the batch
  bool sync_attention = true;   ///< local and global K/V exchanges (Table A.3 "+Attention")
  bool sync_conv = true;        ///< temporal conv halos ("+Conv")
  /// Fixed cost of every exchange call on each GPU, s (an NCCL launch and the
  /// torch.cuda.synchronize after it): 0 = the links' latency and bandwidth only.
  double call_overhead_s = 0;
};

/// Frames each clip gives the global scope: floor(top_k / N), or 1 when N > top_k.
int64_t global_frames_per_clip(int64_t top_k, int clips);
/// Their indices within a clip: 0, F_clip/s, 2 F_clip/s, ... (s of them; integer stride).
std::vector<int64_t> global_frame_indices(int64_t frames_per_clip, int64_t per_clip);

/// Bytes of one frame of K (or V, or hidden state) at a level: cfg_batch x H'W' x C x bytes.
double frame_bytes(const VideoUnetShape& m, const ClipParallelParams& p, size_t level);

/// What one rank sends in one denoising step, per temporal layer kind. Halo bytes go to each
/// neighbour (an end clip has one); the global contribution goes to every other rank (an
/// all-gather: it receives (N-1) times as much).
struct StepTraffic {
  double attention_halo_per_neighbour = 0;  ///< sum over the 34 modules of 2 (K, V) p frame_bytes
  double attention_global_per_rank = 0;     ///< sum over the modules of 2 (K, V) s frame_bytes
  double conv_halo_per_neighbour = 0;       ///< sum over the 22 conv layers of conv_halo frame_bytes
};
StepTraffic step_traffic(const VideoUnetShape& m, const ClipParallelParams& p, int clips);

/// Flops of one denoising step of the U-Net on `frames` latent frames: the preset's figure is
/// for both CFG halves, so cfg_batch 1 is half of it.
double unet_step_flops(const VideoUnetShape& m, const ClipParallelParams& p, int64_t frames);
/// Temporal layers of the U-Net (convs and attention modules over all levels): a step's flops
/// are spread evenly over them in the emulated schedule.
int temporal_layers(const VideoUnetShape& m);
/// Bytes of one decoded frame as rank 0 gathers it: 3 channels x 8H' x 8W' pixels in fp16.
double decoded_frame_bytes(const VideoUnetShape& m);

// --- the dual-scope temporal attention, on real numbers ---------------------------------

/// A sequence of frames [batch, frames, dim], row-major (batch: the spatial positions and
/// heads, folded; dim: the head dimension).
struct FrameSeq {
  int64_t batch = 0, frames = 0, dim = 0;
  std::vector<float> data;
  FrameSeq() = default;
  FrameSeq(int64_t b, int64_t f, int64_t d) : batch(b), frames(f), dim(d), data(static_cast<size_t>(b * f * d), 0.f) {}
  float& at(int64_t b, int64_t f, int64_t c) { return data[static_cast<size_t>((b * frames + f) * dim + c)]; }
  float at(int64_t b, int64_t f, int64_t c) const { return data[static_cast<size_t>((b * frames + f) * dim + c)]; }
};
/// Frames `indices` of x, in that order.
FrameSeq select_frames(const FrameSeq& x, const std::vector<int64_t>& indices);
/// Frames x then y along time (same batch and dim).
FrameSeq concat_frames(const FrameSeq& x, const FrameSeq& y);

struct DualScopeConfig {
  int64_t padding = 8;       ///< p
  int64_t top_k = 16;        ///< |G|
  bool global_phase = true;  ///< timestep >= 800: the bias goes to the global frames, else to the local ones
  float bias = 10;           ///< the code's dynamic_scale
};

/// What rank r receives before its attention: p frames of K and V from each neighbour (zeros
/// at the video's ends) and the global frames of every clip in rank order, cut to top_k.
struct ClipContext {
  FrameSeq k_left, v_left, k_right, v_right, k_global, v_global;
};

/// One rank's dual-scope attention on its clip (q, k, v: [b, F_clip, C]) given its context:
/// query frame i attends to the padded local frames [i, i + 2p] (left halo, clip, right halo)
/// and to every global frame, softmax(q.k / sqrt(C) + bias on one scope), times V.
FrameSeq dual_scope_attention(const FrameSeq& q, const FrameSeq& k, const FrameSeq& v, const ClipContext& context,
                              const DualScopeConfig& config);

/// The single-process reference: the same operator over the whole video (q, k, v: [b, F, C],
/// F = clips x F_clip), its keys built in global frame numbers (frames outside [0, F) are
/// zeros, the global frames those of each clip by the same rule). Not full attention over F.
FrameSeq dual_scope_attention_reference(const FrameSeq& q, const FrameSeq& k, const FrameSeq& v, int clips,
                                        const DualScopeConfig& config);

}  // namespace flemu::video
