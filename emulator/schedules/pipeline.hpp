// A network split into stages over a chain of devices (auglocal, bp-pipeline): device k runs
// stage k (algorithms/pipeline/stage_plan.hpp), device 0 holds the training data, and a
// coordinator on the server host closes epochs, evaluates and decides when to stop. A round is
// one epoch over device 0's samples (shuffled per epoch from the seed, minibatches of
// batch_size, the last one short).
//
// auglocal, device k, minibatch j (no message ever goes backwards):
//   receive h_{k-1}^j (device 0: read the batch) -> local step of its layers (forward, auxiliary
//   loss, backward, SGD step) -> send h_k^j (with the labels) to device k+1
// bp-pipeline, device k, minibatch j cut into M micro-batches (GPipe):
//   for each micro-batch: receive activations -> forward -> send activations on
//   for each micro-batch, last first: receive the gradient of its output -> backward -> send the
//   gradient of its input back; then one SGD step (the minibatch's gradient)
// A device sends on its comm lane (emulator/core/comm_lane.hpp), so it computes the next batch
// while the previous one travels; it holds at most one send in flight, and keeps one receive
// posted ahead. Transfers are SimGrid comms of the plan's bytes; compute is the plan's flops on
// the device's host; real runs also run the stage's LibTorch work as jobs on the pool
// (StagedNetwork), whose results are the bits a sequential run gives (train_sequentially).
//
// Events: train spans (a stage computing one piece of work: a local step, a forward or a
// backward of a micro-batch, an optimiser step; `steps` = minibatches it ends; the last stage's
// carry the minibatch's training loss) and send spans (op
// "activations" or "gradients", peer = the receiving device). summary.json "memory" gives each
// device's peak memory (PipelinePlan::memory_bytes).
#pragma once
#include "emulator/core/federation.hpp"
#include "emulator/schedules/server_outcome.hpp"

namespace flemu {

/// Starts the coordinator and one stage per device (actors; returns at once).
void start_pipeline(Federation& fed, ServerOutcome& outcome);

}  // namespace flemu
