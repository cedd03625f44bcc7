#include "algorithms/inference/temporal_conv_halo.hpp"

#include <cmath>
#include <stdexcept>

namespace flemu::video {

namespace {

float silu(float v) { return v / (1.0f + std::exp(-v)); }

/// One (3,1,1) convolution of silu(x), zero-padded by one frame each way.
FrameSeq conv_layer(const TemporalConvStack& s, size_t layer, const FrameSeq& x) {
  const int64_t C = s.channels;
  FrameSeq a(x.batch, x.frames, C);
  for (size_t i = 0; i < x.data.size(); ++i) a.data[i] = silu(x.data[i]);
  FrameSeq y(x.batch, x.frames, C);
  const auto& w = s.weight[layer];
  const auto& bias = s.bias[layer];
  for (int64_t b = 0; b < x.batch; ++b)
    for (int64_t f = 0; f < x.frames; ++f)
      for (int64_t co = 0; co < C; ++co) {
        float acc = bias[static_cast<size_t>(co)];
        for (int64_t k = 0; k < 3; ++k) {
          const int64_t g = f + k - 1;
          if (g < 0 || g >= x.frames) continue;  // zero padding
          for (int64_t ci = 0; ci < C; ++ci) acc += w[static_cast<size_t>((co * C + ci) * 3 + k)] * a.at(b, g, ci);
        }
        y.at(b, f, co) = acc;
      }
  return y;
}

}  // namespace

FrameSeq temporal_conv_stack(const TemporalConvStack& stack, const FrameSeq& x) {
  if (x.dim != stack.channels || stack.weight.size() != 4 || stack.bias.size() != 4)
    throw std::invalid_argument("temporal_conv_stack: 4 layers of the input's channels");
  FrameSeq h = x;
  for (size_t l = 0; l < 4; ++l) h = conv_layer(stack, l, h);
  for (size_t i = 0; i < h.data.size(); ++i) h.data[i] += x.data[i];
  return h;
}

FrameSeq temporal_conv_clip(const TemporalConvStack& stack, const FrameSeq& clip, const FrameSeq& left,
                            const FrameSeq& right) {
  const FrameSeq padded = concat_frames(concat_frames(left, clip), right);
  const FrameSeq out = temporal_conv_stack(stack, padded);
  std::vector<int64_t> keep;
  for (int64_t f = 0; f < clip.frames; ++f) keep.push_back(left.frames + f);
  return select_frames(out, keep);
}

}  // namespace flemu::video
