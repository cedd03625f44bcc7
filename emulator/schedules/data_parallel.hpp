// Data-parallel training on a cluster: one worker actor per device (GPU), all of them
// replicas of one model, and a coordinator on the server host that closes rounds, evaluates
// and decides when to stop. The maths is the method's (algorithms/cluster/data_parallel.hpp);
// this file is the timeline.
//
// A worker's round t (tau = inner_steps):
//   EndOfRound (local-sgd, slowmo, co2-code, co2 with staleness 0):
//     [tau local steps] [all-reduce of x_i[t,tau], blocking] [outer update] -> x[t+1,0]
//   Overlapped (co2):
//     [tau local steps] launch all-reduce(t) on the comm lane; wait for all-reduce(t-1);
//     [outer update with its average] -> x[t+1,0]; round t+1 computes while all-reduce(t) runs
//   EveryStep (ddp), per step:
//     [forward] [backward, bucket 1] launch all-reduce(bucket 1) [backward, bucket 2] launch ...
//     wait for every bucket; the averaged parameters start the next step
// Local steps are real training jobs (one per worker and round; ddp: per step) whose flops
// the worker's host executes; all-reduces run as CommLane operations (emulator/core/comm_lane.hpp)
// with the scenario's algorithm (ring, tree, star, hierarchical; emulator/schedules/collectives.hpp)
// and carry the real parameters (analytic runs: their bytes only). The outer update costs
// update_flops_per_param x parameters on every worker.
//
// Every worker computes the same next start from the same bits; the emulator computes it once
// per round (the first worker to get there) and shares it. A round ends when the last worker
// has its next start; the coordinator then emits aggregate/evaluate/round_end for it.
// Events: train spans (compute) and collective spans (comm lane) per worker; on one device
// they overlap where the schedule overlaps them.
#pragma once
#include "emulator/core/federation.hpp"
#include "emulator/schedules/server_outcome.hpp"

namespace flemu {

/// Starts the coordinator and one worker per device (actors; returns at once).
void start_data_parallel(Federation& fed, ServerOutcome& outcome);

}  // namespace flemu
