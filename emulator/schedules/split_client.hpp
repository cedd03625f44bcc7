// A split-learning client's round (SFPrompt, SplitFed), as a SimGrid actor on the device's
// host: download the device part; SFPrompt's local phases (local-loss epochs, EL2N pruning)
// on the device alone; then per batch of phase C the four messages of a U-shaped split over
// the device's own links, with the body's forward and backward computed on the server host
// (one core each: many clients at once share the server's cores, and wait); upload the
// device part. Sizes and flops come from the algorithm's SplitPlan
// (algorithms/llm/split_learning.hpp); the real job, which computes the same split steps,
// runs on the pool meanwhile.
//
// Trace: one Train event for the local phases (reason "local_phases") and one for the
// device's split-training compute (reason "split"); per batch split_up / split_down events
// (reason "activations" or "gradients") and, per client, one server_compute span with the
// body's flops. Calls that advance simulated time: all of it.
#pragma once
#include "emulator/schedules/client_actor.hpp"

namespace flemu {

void download_split_train_upload(Federation& fed, int device, const TrainOrder& order);

/// Batch sizes of `steps` steps of batch `b` cycling through `n` windows (each pass ends with
/// the remainder), as the trainer draws them.
std::vector<int64_t> cycling_batch_sizes(int64_t n, int64_t b, int64_t steps);

}  // namespace flemu
