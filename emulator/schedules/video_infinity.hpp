// Clip-parallel video diffusion (family "video"): video-infinity. The video's latent frames are
// cut into clips of frames_per_gpu frames, one per device (GPU); a round is one denoising step
// on every clip. The U-Net's shape, the byte counts and the dual-scope attention are in
// algorithms/inference/video_infinity.hpp; this file spends the time.
//
// Every rank (one actor per GPU, as the code's one process per GPU) first encodes the prompt,
// then runs the whole denoising loop on its clip. Per denoising step, for each resolution level
// of the U-Net and each of its temporal layers, the rank computes that layer's share of the
// step's U-Net flops (its frames x flops per frame, spread evenly over the temporal layers),
// then exchanges, blocking as the code does (nothing overlaps compute):
//   temporal conv: conv_halo frames of hidden state with each neighbour;
//   temporal attention: the global K/V frames of every clip (a ring all-gather over all ranks,
//   as NCCL's all_gather), then attention_padding frames of K and V with each neighbour.
// A halo is two 2-rank exchanges, as the code's all_gather in the groups {i, i+1}: even ranks
// swap with their right neighbour first, odd ranks with their left one, so pairs (0,1), (2,3)...
// swap at once, then pairs (1,2), (3,4)... (the paper's interleaved rounds). Every call (a
// 2-rank swap, an all-gather) first costs the GPU call_overhead (0 by default).
// After the last step each rank decodes its frames with the VAE and sends the fp16 pixels to
// rank 0 (the code's gather: all at once into rank 0), whose receipt of the last one ends the
// run: the time per video (writing the MP4 is not modelled).
//
// Events: train spans (op "text-encode", "unet.<level>" for a temporal layer's share of the
// step, "vae-decode"), collective spans (op "conv-halo", "global-allgather", "attention-halo";
// bytes sent), send spans (op "frames", the gather). summary.json "video": frames, clips,
// steps, time per video and its parts, mean step time, bytes each rank sent and received per
// step, and the share of a middle rank's denoising time spent exchanging.
#pragma once
#include "emulator/core/federation.hpp"
#include "emulator/schedules/server_outcome.hpp"

namespace flemu {

/// Starts one actor per device on fed's platform.
void start_video_infinity(Federation& fed, ServerOutcome& outcome);

}  // namespace flemu
