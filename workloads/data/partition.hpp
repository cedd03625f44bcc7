// Splitting a training set among clients. Pure functions of (labels, spec, seed).
#pragma once
#include <cstdint>
#include <vector>

#include "workloads/workload_spec.hpp"

namespace flemu {

using Partition = std::vector<std::vector<int32_t>>;  ///< per client: sorted sample indices

/// Gives each of `num_clients` clients `samples_per_client` distinct sample indices; no index
/// goes to two clients. Throws std::invalid_argument if the set is too small
/// (num_clients * samples_per_client > labels.size()), a label is >= num_classes, or the
/// arguments or `spec` are invalid (counts < 1, alpha <= 0, samples_per_client not a multiple
/// of shards_per_client). Follows `spec`:
///  - Iid: a seeded shuffle of all indices; client c takes the c-th block of samples_per_client.
///  - Dirichlet(alpha): clients in order draw label proportions ~ Dir(alpha), rounded to counts
///    summing to samples_per_client (largest remainder), and take that many samples of each
///    class from per-class shuffled pools, without replacement. If a class pool runs out, the
///    missing samples come one by one from the class with the most samples left (lowest id on
///    ties), so late clients in a nearly exhausted set are less skewed than Dir(alpha).
///  - Shards: sort by label (random order within a label), cut into shards of
///    samples_per_client/shards_per_client, deal a seeded random shards_per_client to each
///    client. When the set holds more than num_clients*samples_per_client samples the unused
///    shards are left out; a shard is label-pure when class sizes are multiples of its size.
/// Deterministic given (labels, num_classes, num_clients, samples_per_client, spec, seed).
/// Each client's index list is sorted ascending.
Partition partition_dataset(const std::vector<uint8_t>& labels, int num_classes, int num_clients,
                            int samples_per_client, const PartitionSpec& spec, uint64_t seed);

/// Moves round(fraction · n) of each client's n samples (at least one when n >= 2, never all)
/// into a held-out list, chosen by a seeded shuffle of that client's own samples (stream
/// derived from `seed` and the client index): the client's own label distribution, never
/// trained on (per-client evaluation, FedEM/pFedGate's 80/20 protocol). Both lists sorted.
/// Throws std::invalid_argument unless 0 < fraction < 1.
Partition split_holdouts(Partition& partition, double fraction, uint64_t seed);

/// Label histogram of each client (num_clients x num_classes), for reports and tests.
std::vector<std::vector<int>> label_histograms(const std::vector<uint8_t>& labels, int num_classes,
                                               const Partition& partition);

}  // namespace flemu
