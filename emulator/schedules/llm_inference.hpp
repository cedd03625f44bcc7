// Distributed inference of a language model on a few devices (family "inference"): tpi-llm
// (tensor parallelism with a star all-reduce through the master, device 0) and llm-pipeline
// (whole layers per device, the hidden state passed along the chain). The cut, the costs and
// the memory scheduler's rules are in algorithms/inference/llm_inference.hpp; this file spends
// the time. A round is one generated token: round 1 is the prefill of prompt_length positions
// (its duration is the time to first token), later rounds decode one token each.
//
// tpi-llm, per token (TPI-LLM's code, Algorithms 1-2):
//   master: input block (embedding) -> sends every worker, one after the other, the token's
//   inputs (token_broadcast_bytes); then on every device, for each layer: attention block on its
//   heads -> star all-reduce of the hidden state (the workers' messages in flight at once, as
//   over the code's TCP sockets) ->
//   MLP block on its columns -> star all-reduce; master: output block (norm, lm_head), the token
//   is out; it sends every worker the 8-byte "unfinished" flag. With tensor_allreduce "ring" the
//   two all-reduces per layer are ring reduce-scatter + all-gather instead (2(N-1) steps, each a
//   device-to-device path latency: the card's 56 tau against the star's 8 tau on Klonet, N = 8).
// llm-pipeline, per token: master: input block, its layers -> hidden state to device 1 -> ...
//   -> the last device sends it back to the master -> output block.
//
// A block's compute takes max(flops / (speed x cores), bytes read / memory_bandwidth) on its
// device (a roofline: decoding one token is memory-bound). With memory_scheduler, a loader
// actor per device reads the blocks from the device's SimGrid disk (platform disk_read) in
// order, cyclically, holding at most memory_window blocks; without it every block is resident
// from the start (loaded before serving). Peak memory per device counts resident (or loading)
// weights and the KV cache.
//
// Events: train spans (one block's compute; op = the block, flops), collective spans (the
// all-reduce; op "star-allreduce" or "ring-allreduce"), send spans (op "token-inputs", "flag" or "hidden"; peer),
// disk_read spans (op = the block, bytes). summary.json "inference": time to first token, mean
// token latency, per-device peak memory and whether it fits the device's memory.
#pragma once
#include "emulator/core/federation.hpp"
#include "emulator/schedules/server_outcome.hpp"

namespace flemu {

/// Starts the inference actors on fed's platform.
void start_llm_inference(Federation& fed, ServerOutcome& outcome);

}  // namespace flemu
