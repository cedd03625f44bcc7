// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, arXiv:1708.07747) from its four IDX files.
#include <array>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "workloads/data/dataset.hpp"
#include "workloads/data/idx_reader.hpp"

namespace flemu {
namespace {

// Per-pixel mean and standard deviation of the training images after scaling to [0, 1]
// (tests/test_dataset.cpp checks this), so inputs come out zero-mean and unit-variance.
constexpr float kMean = 0.2860f;
constexpr float kStd = 0.3530f;
constexpr int kRows = 28, kCols = 28, kClasses = 10;

/// `dir/name.gz` if present, else `dir/name` (Debian ships .gz; a hand-unpacked copy has none).
std::string find_file(const std::string& dir, const std::string& name) {
  const auto base = std::filesystem::path(dir) / name;
  const auto gz = std::filesystem::path(base.string() + ".gz");
  std::error_code ec;
  if (std::filesystem::is_regular_file(gz, ec)) return gz.string();
  if (std::filesystem::is_regular_file(base, ec)) return base.string();
  throw std::runtime_error("Fashion-MNIST: neither " + gz.string() + " nor " + base.string() +
                           " exists (install dataset-fashion-mnist or pass --data-dir)");
}

std::string dims_text(const std::vector<int64_t>& dims) {
  std::string s;
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "x" : "") + std::to_string(dims[i]);
  return s;
}

Dataset load_split(const std::string& dir, const std::string& prefix, int64_t expected) {
  const std::string images_path = find_file(dir, prefix + "-images-idx3-ubyte");
  const std::string labels_path = find_file(dir, prefix + "-labels-idx1-ubyte");
  IdxArray images = read_idx_u8(images_path);
  IdxArray labels = read_idx_u8(labels_path);

  const std::vector<int64_t> want_images{expected, kRows, kCols}, want_labels{expected};
  if (images.dims != want_images) {
    throw std::runtime_error("Fashion-MNIST: " + images_path + " has dims " + dims_text(images.dims) +
                             ", expected " + dims_text(want_images));
  }
  if (labels.dims != want_labels) {
    throw std::runtime_error("Fashion-MNIST: " + labels_path + " has dims " + dims_text(labels.dims) +
                             ", expected " + dims_text(want_labels));
  }
  for (int64_t i = 0; i < expected; ++i) {
    if (labels.data[i] >= kClasses) {
      throw std::runtime_error("Fashion-MNIST: " + labels_path + " sample " + std::to_string(i) +
                               " has label " + std::to_string(labels.data[i]) + ", expected 0-9");
    }
  }

  Dataset ds;
  ds.size = expected;
  ds.channels = 1;
  ds.rows = kRows;
  ds.cols = kCols;
  ds.num_classes = kClasses;
  // A 256-entry table: one lookup per pixel instead of a divide, and every pixel value maps
  // to exactly the same float whatever the compiler does with the arithmetic.
  std::array<float, 256> table;
  for (int v = 0; v < 256; ++v) table[v] = (float(v) / 255.0f - kMean) / kStd;
  ds.images.resize(images.data.size());
  for (size_t i = 0; i < images.data.size(); ++i) ds.images[i] = table[images.data[i]];
  ds.labels = std::move(labels.data);
  return ds;
}

}  // namespace

TrainTest load_fashion_mnist(const std::string& dir) {
  TrainTest tt;
  tt.train = load_split(dir, "train", 60000);
  tt.test = load_split(dir, "t10k", 10000);
  return tt;
}

}  // namespace flemu
