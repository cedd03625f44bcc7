// Image classification data held once per process and shared read-only by every client.
// A client's partition is an index list into it (workloads/data/partition.hpp): no data copies.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace flemu {

struct Dataset {
  int64_t size = 0;
  int channels = 1, rows = 28, cols = 28;
  int num_classes = 10;
  std::vector<float> images;   ///< size * channels*rows*cols, normalised ((x/255 - mean) / std)
  std::vector<uint8_t> labels; ///< size, in [0, num_classes)
  int64_t sample_dim() const { return int64_t(channels) * rows * cols; }
};

struct TrainTest {
  Dataset train, test;
};

/// Reads Fashion-MNIST from `dir` (train-images-idx3-ubyte.gz, ... as Debian's
/// dataset-fashion-mnist installs them; uncompressed files are read too).
/// Throws std::runtime_error naming the file and what was wrong with it.
TrainTest load_fashion_mnist(const std::string& dir);

/// A small synthetic, learnable dataset (class-dependent means + noise) for tests.
TrainTest make_synthetic_dataset(int64_t train_size, int64_t test_size, uint64_t seed);

}  // namespace flemu
