// A synthetic stand-in for Fashion-MNIST: same shape (1x28x28, 10 classes), no files needed.
// Each class has a fixed random prototype image; a sample is its class prototype plus
// independent Gaussian pixel noise. The classes are linearly separable in expectation, so an
// MLP learns them well above chance within a few SGD steps, which is what tests need.
#include <stdexcept>
#include <string>

#include "workloads/data/dataset.hpp"
#include "workloads/rng.hpp"

namespace flemu {
namespace {

constexpr int kRows = 28, kCols = 28, kClasses = 10;
// Prototype pixels ~ N(0, kPrototypeStd^2), noise ~ N(0, kNoiseStd^2): pixels have variance
// 1.25, close to normalised real data. Two prototypes differ by ~0.5*sqrt(2*784) = 20 noise
// standard deviations, so the Bayes accuracy is ~100% but a fresh model starts at chance.
constexpr double kPrototypeStd = 0.5;
constexpr double kNoiseStd = 1.0;

// Seed streams, so that e.g. a larger test set never changes the training samples.
enum : uint64_t { kPrototypeStream = 1, kTrainStream = 2, kTestStream = 3 };

Dataset make_split(const std::vector<float>& prototypes, int64_t size, uint64_t seed) {
  Dataset ds;
  ds.size = size;
  ds.channels = 1;
  ds.rows = kRows;
  ds.cols = kCols;
  ds.num_classes = kClasses;
  const int64_t dim = ds.sample_dim();
  ds.images.resize(size_t(size * dim));
  ds.labels.resize(size_t(size));
  Rng rng(seed);
  for (int64_t i = 0; i < size; ++i) {
    const auto label = static_cast<uint8_t>(rng.below(kClasses));
    ds.labels[i] = label;
    const float* proto = &prototypes[size_t(label * dim)];
    float* out = &ds.images[size_t(i * dim)];
    for (int64_t p = 0; p < dim; ++p) out[p] = proto[p] + float(kNoiseStd * rng.normal());
  }
  return ds;
}

}  // namespace

TrainTest make_synthetic_dataset(int64_t train_size, int64_t test_size, uint64_t seed) {
  if (train_size < 0 || test_size < 0) {
    throw std::invalid_argument("make_synthetic_dataset: sizes must be >= 0 (got train " +
                                std::to_string(train_size) + ", test " + std::to_string(test_size) + ")");
  }
  const int64_t dim = int64_t(kRows) * kCols;
  std::vector<float> prototypes(size_t(kClasses * dim));
  Rng proto_rng(derive_seed(seed, {kPrototypeStream}));
  for (auto& x : prototypes) x = float(kPrototypeStd * proto_rng.normal());

  TrainTest tt;
  tt.train = make_split(prototypes, train_size, derive_seed(seed, {kTrainStream}));
  tt.test = make_split(prototypes, test_size, derive_seed(seed, {kTestStream}));
  return tt;
}

}  // namespace flemu
