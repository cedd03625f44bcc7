// Cut-down ("smoke") versions of scenarios: the same platform, algorithm and dynamics, on a
// little synthetic data for two rounds, so that every shipped and tutorial scenario can run in
// CI in seconds and none rots. `flemu run --smoke` and `flemu sweep --smoke` use it.
#pragma once
#include <nlohmann/json.hpp>

namespace flemu {

/// The scenario document (as written, before defaults) cut down: stop after 2 rounds,
/// dataset "synthetic" with at most 64 samples per client, full (small) test set, at most 2
/// local steps per round for cluster algorithms (inner_steps), name and output directory
/// suffixed with "-smoke". Analytics scenarios keep their protocol over at most 30 users per
/// user class; zeroth-order ones run 2 rounds in at most 20 dimensions. Text workloads: dataset
/// "synthetic-text", the transformer narrowed to d 32 (2 heads, MLP 64) with a context of at
/// most 16 and the same depth, pretraining cut to 10 steps of 8 windows into a cache of its own.
nlohmann::json cut_down(nlohmann::json scenario);

}  // namespace flemu
