// Video-Infinity's temporal convolution with a halo (Tan et al., arXiv:2406.16260, §4.2; the
// code's ConvLayerPlugin around diffusers' TemporalConvLayer; card ../shared/cards/systems.md
// §3(b), §3(e)). Pure functions over FrameSeq (no SimGrid, no I/O).
//
// The layer: 4 stacked convolutions over time with kernel (3,1,1) and zero padding 1, each
// after a SiLU, then the residual (diffusers' TemporalConvLayer without its GroupNorms: their
// statistics span the frames, which is what the paper's GroupNorm sync is for, not mounted in
// the public code). Its receptive field is 4 frames each way, so a clip that first receives 4
// frames of input from each neighbour, runs the stack, and crops the halo gets exactly the
// frames the whole video would get, bit for bit (same operations in the same order). At the
// video's two ends the split code pads 4 frames of zeros before the stack instead of letting
// each conv pad 1: the first and last 4 frames differ from the unsplit layer (the card's trap);
// they equal the unsplit layer run on the video padded the same way.
#pragma once
#include <cstdint>
#include <vector>

#include "algorithms/inference/video_infinity.hpp"

namespace flemu::video {

/// The 4 convolutions: weight[l][(co * C + ci) * 3 + k] multiplies frame f + k - 1 of channel ci
/// into channel co of frame f; bias[l][co].
struct TemporalConvStack {
  int64_t channels = 0;
  std::vector<std::vector<float>> weight;  ///< 4 layers of C x C x 3
  std::vector<std::vector<float>> bias;    ///< 4 layers of C
};

/// x + conv4(silu(conv3(silu(conv2(silu(conv1(silu(x)))))))), each conv zero-padded by 1 frame
/// at both ends of x. x: [b, F, C] with C = stack.channels.
FrameSeq temporal_conv_stack(const TemporalConvStack& stack, const FrameSeq& x);

/// One clip's layer as the split code computes it: `left` and `right` are the halo frames its
/// neighbours sent (zeros at the video's ends), concatenated around the clip; the stack runs on
/// the whole; the halo is cropped.
FrameSeq temporal_conv_clip(const TemporalConvStack& stack, const FrameSeq& clip, const FrameSeq& left,
                            const FrameSeq& right);

}  // namespace flemu::video
