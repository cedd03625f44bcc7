// Splitting a training set among clients: IID, Dirichlet label skew, and label shards.
//
// Every scheme draws from seeded streams derived from `seed` (workloads/rng.hpp), never from
// std:: distributions, so a partition is the same on every machine and standard library.
#include "workloads/data/partition.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "workloads/rng.hpp"

namespace flemu {
namespace {

// Seed streams within one partition, so e.g. changing alpha never reshuffles the class pools.
enum : uint64_t { kShuffleStream = 1, kProportionStream = 2, kDealStream = 3 };

[[noreturn]] void invalid(const std::string& what) {
  throw std::invalid_argument("partition_dataset: " + what);
}

void validate(const std::vector<uint8_t>& labels, int num_classes, int num_clients,
              int samples_per_client, const PartitionSpec& spec) {
  if (num_classes < 1 || num_classes > 256) {
    invalid("num_classes must be in [1, 256], got " + std::to_string(num_classes));
  }
  if (num_clients < 1) invalid("num_clients must be >= 1, got " + std::to_string(num_clients));
  if (samples_per_client < 1) {
    invalid("samples_per_client must be >= 1, got " + std::to_string(samples_per_client));
  }
  if (labels.size() > size_t(INT32_MAX)) invalid("more than 2^31-1 samples do not fit int32 indices");
  const int64_t needed = int64_t(num_clients) * samples_per_client;
  if (needed > int64_t(labels.size())) {
    invalid(std::to_string(num_clients) + " clients x " + std::to_string(samples_per_client) +
            " samples = " + std::to_string(needed) + " samples needed, but the dataset has only " +
            std::to_string(labels.size()));
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] >= num_classes) {
      invalid("sample " + std::to_string(i) + " has label " + std::to_string(labels[i]) +
              ", outside [0, " + std::to_string(num_classes) + ")");
    }
  }
  switch (spec.scheme) {
    case PartitionScheme::Iid: break;
    case PartitionScheme::Dirichlet:
      if (!(spec.alpha > 0) || !std::isfinite(spec.alpha)) {
        invalid("Dirichlet alpha must be a finite number > 0, got " + std::to_string(spec.alpha));
      }
      break;
    case PartitionScheme::Shards:
      if (spec.shards_per_client < 1) {
        invalid("shards_per_client must be >= 1, got " + std::to_string(spec.shards_per_client));
      }
      if (samples_per_client % spec.shards_per_client != 0) {
        invalid("samples_per_client (" + std::to_string(samples_per_client) +
                ") must be a multiple of shards_per_client (" + std::to_string(spec.shards_per_client) +
                ") so that all shards have the same size");
      }
      break;
    default: invalid("unknown partition scheme");
  }
}

/// Sample indices of each class, each list in a seeded random order.
std::vector<std::vector<int32_t>> shuffled_class_pools(const std::vector<uint8_t>& labels,
                                                       int num_classes, Rng& rng) {
  std::vector<std::vector<int32_t>> pools(num_classes);
  for (size_t i = 0; i < labels.size(); ++i) pools[labels[i]].push_back(int32_t(i));
  for (auto& pool : pools) rng.shuffle(pool);
  return pools;
}

Partition iid(size_t n, int num_clients, int samples_per_client, uint64_t seed) {
  std::vector<int32_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  Rng rng(derive_seed(seed, {kShuffleStream}));
  rng.shuffle(order);
  Partition out(num_clients);
  for (int c = 0; c < num_clients; ++c) {
    auto first = order.begin() + int64_t(c) * samples_per_client;
    out[c].assign(first, first + samples_per_client);
  }
  return out;
}

/// Integer counts summing to `total` whose shares follow `p` (Hamilton's largest-remainder
/// method: floors first, then one extra to the largest fractional parts, ties to the lower class).
std::vector<int> largest_remainder(const std::vector<double>& p, int total) {
  const int k = int(p.size());
  std::vector<int> counts(k);
  std::vector<double> frac(k);
  int assigned = 0;
  for (int j = 0; j < k; ++j) {
    const double exact = p[j] * total;
    counts[j] = int(std::floor(exact));
    frac[j] = exact - counts[j];
    assigned += counts[j];
  }
  std::vector<int> order(k);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return frac[a] > frac[b]; });
  // Rounding can leave the floors a little off `total` either way; walk the order until exact.
  for (int i = 0; assigned < total; i = (i + 1) % k, ++assigned) ++counts[order[i]];
  for (int i = k - 1; assigned > total; i = (i + k - 1) % k) {
    if (counts[order[i]] > 0) --counts[order[i]], --assigned;
  }
  return counts;
}

Partition dirichlet(const std::vector<uint8_t>& labels, int num_classes, int num_clients,
                    int samples_per_client, double alpha, uint64_t seed) {
  Rng pool_rng(derive_seed(seed, {kShuffleStream}));
  auto pools = shuffled_class_pools(labels, num_classes, pool_rng);
  std::vector<size_t> next(num_classes, 0);  // pools[j][0, next[j]) are given away
  auto remaining = [&](int j) { return pools[j].size() - next[j]; };

  Rng rng(derive_seed(seed, {kProportionStream}));
  Partition out(num_clients);
  for (int c = 0; c < num_clients; ++c) {
    const auto counts = largest_remainder(rng.dirichlet(num_classes, alpha), samples_per_client);
    auto& mine = out[c];
    mine.reserve(samples_per_client);
    int shortfall = 0;
    for (int j = 0; j < num_classes; ++j) {
      const int take = int(std::min<size_t>(size_t(counts[j]), remaining(j)));
      mine.insert(mine.end(), pools[j].begin() + next[j], pools[j].begin() + next[j] + take);
      next[j] += take;
      shortfall += counts[j] - take;
    }
    // A class this client wanted has run out. Refill one sample at a time from the class with
    // the most samples left (lowest class id on ties): it keeps the leftover pools balanced,
    // so later clients still find the classes they draw, and never fails while samples remain
    // (validate() checked there are enough in total).
    for (; shortfall > 0; --shortfall) {
      int best = 0;
      for (int j = 1; j < num_classes; ++j) {
        if (remaining(j) > remaining(best)) best = j;
      }
      mine.push_back(pools[best][next[best]++]);
    }
  }
  return out;
}

Partition shards(const std::vector<uint8_t>& labels, int num_classes, int num_clients,
                 int samples_per_client, int shards_per_client, uint64_t seed) {
  // Sorted by label, random order within a label, so which samples fall into the dropped
  // tail (if the set does not divide into whole shards) is itself random.
  Rng pool_rng(derive_seed(seed, {kShuffleStream}));
  std::vector<int32_t> sorted;
  sorted.reserve(labels.size());
  for (auto& pool : shuffled_class_pools(labels, num_classes, pool_rng)) {
    sorted.insert(sorted.end(), pool.begin(), pool.end());
  }
  const int64_t shard_size = samples_per_client / shards_per_client;
  std::vector<int64_t> shard_ids(int64_t(sorted.size()) / shard_size);
  std::iota(shard_ids.begin(), shard_ids.end(), 0);
  Rng deal_rng(derive_seed(seed, {kDealStream}));
  deal_rng.shuffle(shard_ids);

  Partition out(num_clients);
  for (int c = 0; c < num_clients; ++c) {
    out[c].reserve(samples_per_client);
    for (int s = 0; s < shards_per_client; ++s) {
      const int64_t first = shard_ids[int64_t(c) * shards_per_client + s] * shard_size;
      out[c].insert(out[c].end(), sorted.begin() + first, sorted.begin() + first + shard_size);
    }
  }
  return out;
}

}  // namespace

Partition partition_dataset(const std::vector<uint8_t>& labels, int num_classes, int num_clients,
                            int samples_per_client, const PartitionSpec& spec, uint64_t seed) {
  validate(labels, num_classes, num_clients, samples_per_client, spec);
  Partition out;
  switch (spec.scheme) {
    case PartitionScheme::Iid: out = iid(labels.size(), num_clients, samples_per_client, seed); break;
    case PartitionScheme::Dirichlet:
      out = dirichlet(labels, num_classes, num_clients, samples_per_client, spec.alpha, seed);
      break;
    case PartitionScheme::Shards:
      out = shards(labels, num_classes, num_clients, samples_per_client, spec.shards_per_client, seed);
      break;
    case PartitionScheme::Categories:  // text only: the text reader deals categories (text_dataset.hpp)
      throw std::invalid_argument("partition_dataset: \"categories\" partitions text, not labelled samples");
  }
  for (auto& client : out) std::sort(client.begin(), client.end());
  return out;
}

std::vector<std::vector<int>> label_histograms(const std::vector<uint8_t>& labels, int num_classes,
                                               const Partition& partition) {
  if (num_classes < 1) {
    throw std::invalid_argument("label_histograms: num_classes must be >= 1, got " +
                                std::to_string(num_classes));
  }
  std::vector<std::vector<int>> hist(partition.size(), std::vector<int>(num_classes, 0));
  for (size_t c = 0; c < partition.size(); ++c) {
    for (int32_t i : partition[c]) {
      if (i < 0 || size_t(i) >= labels.size()) {
        throw std::invalid_argument("label_histograms: client " + std::to_string(c) + " holds index " +
                                    std::to_string(i) + ", outside [0, " +
                                    std::to_string(labels.size()) + ")");
      }
      if (labels[i] >= num_classes) {
        throw std::invalid_argument("label_histograms: sample " + std::to_string(i) + " has label " +
                                    std::to_string(labels[i]) + ", outside [0, " +
                                    std::to_string(num_classes) + ")");
      }
      ++hist[c][labels[i]];
    }
  }
  return hist;
}

Partition split_holdouts(Partition& partition, double fraction, uint64_t seed) {
  if (!(fraction > 0 && fraction < 1))
    throw std::invalid_argument("split_holdouts: fraction must be in (0, 1), got " + std::to_string(fraction));
  Partition held(partition.size());
  for (size_t c = 0; c < partition.size(); ++c) {
    auto& own = partition[c];
    const int64_t n = static_cast<int64_t>(own.size());
    int64_t k = std::llround(fraction * n);
    if (n >= 2) k = std::min<int64_t>(std::max<int64_t>(k, 1), n - 1);
    else k = 0;
    Rng rng(derive_seed(seed, {uint64_t(c)}));
    rng.shuffle(own);
    held[c].assign(own.begin(), own.begin() + k);
    own.erase(own.begin(), own.begin() + k);
    std::sort(own.begin(), own.end());
    std::sort(held[c].begin(), held[c].end());
  }
  return held;
}

}  // namespace flemu
