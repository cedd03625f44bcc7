// IDX reading, Fashion-MNIST loading and the synthetic dataset.
#include <catch2/catch.hpp>

#include <zlib.h>

#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "tests/test_support.hpp"
#include "workloads/data/dataset.hpp"
#include "workloads/data/idx_reader.hpp"
#include "workloads/rng.hpp"

using namespace flemu;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

/// The bytes of an IDX file of unsigned bytes: header (magic, big-endian dims) then data.
std::vector<uint8_t> idx_bytes(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data,
                               uint8_t type = 0x08) {
  std::vector<uint8_t> out{0, 0, type, uint8_t(dims.size())};
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t(d >> shift));
  }
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

void write_raw(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  REQUIRE(f.good());
}

void write_gz(const fs::path& path, const std::vector<uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb1");  // level 1: the tests write tens of MB of zeros
  REQUIRE(f != nullptr);
  size_t done = 0;
  while (done < bytes.size()) {
    const unsigned n = unsigned(std::min<size_t>(bytes.size() - done, size_t(1) << 30));
    REQUIRE(gzwrite(f, bytes.data() + done, n) == int(n));
    done += n;
  }
  REQUIRE(gzclose(f) == Z_OK);
}

std::vector<uint8_t> counting(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = uint8_t(i * 7 + 3);
  return v;
}

}  // namespace

TEST_CASE("IDX files are read back, gzipped or raw", "[idx]") {
  const auto dir = test::scratch_dir("idx");
  const auto data = counting(2 * 3 * 4);
  const auto bytes = idx_bytes({2, 3, 4}, data);
  write_gz(dir / "a.gz", bytes);
  write_raw(dir / "a.raw", bytes);
  for (const char* name : {"a.gz", "a.raw"}) {
    CAPTURE(name);
    const IdxArray a = read_idx_u8((dir / name).string());
    CHECK(a.dims == std::vector<int64_t>{2, 3, 4});
    CHECK(a.data == data);
  }
  // Sizes above 2^24 exercise every byte of the big-endian dims.
  const auto one_d = counting(70000);
  write_raw(dir / "b.raw", idx_bytes({70000}, one_d));
  const IdxArray b = read_idx_u8((dir / "b.raw").string());
  CHECK(b.dims == std::vector<int64_t>{70000});
  CHECK(b.data == one_d);
}

TEST_CASE("broken IDX files give errors naming the file and the fault", "[idx]") {
  const auto dir = test::scratch_dir("idx-bad");
  const auto data = counting(12);

  SECTION("missing") {
    const auto p = (dir / "nope.gz").string();
    CHECK_THROWS_WITH(read_idx_u8(p), Contains(p) && Contains("no such file"));
  }
  SECTION("bad magic") {
    auto bytes = idx_bytes({3, 4}, data);
    bytes[0] = 0x1F;
    for (const char* name : {"magic.raw", "magic.gz"}) {
      const auto p = (dir / name).string();
      if (fs::path(p).extension() == ".gz") write_gz(p, bytes); else write_raw(p, bytes);
      CHECK_THROWS_WITH(read_idx_u8(p), Contains(p) && Contains("magic"));
    }
  }
  SECTION("unsupported element type") {
    const auto p = (dir / "float.raw").string();
    write_raw(p, idx_bytes({3}, data, 0x0D));
    CHECK_THROWS_WITH(read_idx_u8(p), Contains(p) && Contains("0x0D"));
  }
  SECTION("truncated header") {
    const auto p = (dir / "short.raw").string();
    auto bytes = idx_bytes({3, 4}, {});
    bytes.resize(6);  // magic + half of the first dim
    write_raw(p, bytes);
    CHECK_THROWS_WITH(read_idx_u8(p), Contains(p) && Contains("truncated header"));
    write_raw(p, {0, 0});
    CHECK_THROWS_WITH(read_idx_u8(p), Contains(p) && Contains("truncated header"));
  }
  SECTION("truncated data") {
    for (const char* name : {"trunc.raw", "trunc.gz"}) {
      const auto p = (dir / name).string();
      auto bytes = idx_bytes({3, 4}, data);
      bytes.resize(bytes.size() - 2);
      if (fs::path(p).extension() == ".gz") write_gz(p, bytes); else write_raw(p, bytes);
      CHECK_THROWS_WITH(read_idx_u8(p), Contains(p) && Contains("truncated") && Contains("found 10"));
    }
  }
  SECTION("a gzip stream cut short") {
    // Incompressible data so that half the file really is half the payload.
    std::vector<uint8_t> noise(100000);
    Rng rng(1);
    for (auto& b : noise) b = uint8_t(rng.next_u64());
    const auto p = (dir / "cut.gz").string();
    write_gz(p, idx_bytes({100000}, noise));
    fs::resize_file(p, fs::file_size(p) / 2);
    CHECK_THROWS_WITH(read_idx_u8(p), Contains(p));
  }
  SECTION("more data than the dims describe") {
    const auto p = (dir / "long.raw").string();
    write_raw(p, idx_bytes({3, 3}, data));  // 12 bytes for a 3x3 array
    CHECK_THROWS_WITH(read_idx_u8(p), Contains(p) && Contains("more data"));
  }
}

TEST_CASE("load_fashion_mnist names the file it cannot use", "[fashion_mnist]") {
  const auto dir = test::scratch_dir("fmnist-bad");
  SECTION("missing files") {
    CHECK_THROWS_WITH(load_fashion_mnist(dir.string()),
                      Contains((dir / "train-images-idx3-ubyte.gz").string()));
  }
  SECTION("wrong dims, uncompressed names") {
    write_raw(dir / "train-images-idx3-ubyte", idx_bytes({2, 28, 28}, std::vector<uint8_t>(2 * 784)));
    write_raw(dir / "train-labels-idx1-ubyte", idx_bytes({2}, {0, 1}));
    CHECK_THROWS_WITH(load_fashion_mnist(dir.string()),
                      Contains((dir / "train-images-idx3-ubyte").string()) && Contains("2x28x28") &&
                          Contains("expected 60000x28x28"));
  }
  SECTION("label out of range") {
    write_gz(dir / "train-images-idx3-ubyte.gz", idx_bytes({60000, 28, 28}, std::vector<uint8_t>(60000 * 784)));
    std::vector<uint8_t> labels(60000, 3);
    labels[123] = 10;
    write_gz(dir / "train-labels-idx1-ubyte.gz", idx_bytes({60000}, labels));
    CHECK_THROWS_WITH(load_fashion_mnist(dir.string()),
                      Contains("train-labels-idx1-ubyte.gz") && Contains("sample 123") && Contains("label 10"));
  }
}

TEST_CASE("Fashion-MNIST loads with the documented sizes and normalisation", "[fashion_mnist]") {
  const std::string dir = "/usr/share/datasets/fashion-mnist";
  if (!fs::exists(dir)) {
    WARN("skipped: " << dir << " is missing (apt-get install dataset-fashion-mnist)");
    return;
  }
  const auto t0 = std::chrono::steady_clock::now();
  const TrainTest tt = load_fashion_mnist(dir);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO("load_fashion_mnist took " << seconds << " s");

  const std::pair<const Dataset*, int64_t> splits[] = {{&tt.train, 60000}, {&tt.test, 10000}};
  for (const auto& [ds, n] : splits) {
    CAPTURE(n);
    REQUIRE(ds->size == n);
    CHECK(ds->sample_dim() == 784);
    CHECK(ds->num_classes == 10);
    REQUIRE(ds->images.size() == size_t(n * 784));
    REQUIRE(ds->labels.size() == size_t(n));
    std::array<int64_t, 10> per_class{};
    for (auto l : ds->labels) ++per_class.at(l);
    for (auto c : per_class) CHECK(c == n / 10);  // Fashion-MNIST is exactly balanced
    const auto [lo, hi] = std::minmax_element(ds->images.begin(), ds->images.end());
    CHECK(*lo == Approx((0.0 - 0.2860) / 0.3530));  // pixel 0
    CHECK(*hi == Approx((1.0 - 0.2860) / 0.3530));  // pixel 255
  }
  // The constants are the training set's own mean and std, so it comes out standardised.
  double sum = 0, sq = 0;
  for (float x : tt.train.images) sum += x, sq += double(x) * x;
  const double mean = sum / tt.train.images.size();
  const double std = std::sqrt(sq / tt.train.images.size() - mean * mean);
  CHECK(std::abs(mean) < 0.005);
  CHECK(std::abs(std - 1.0) < 0.005);
}

TEST_CASE("the synthetic dataset is shaped like Fashion-MNIST, seeded and learnable", "[synthetic]") {
  const TrainTest a = make_synthetic_dataset(2000, 500, 5);
  REQUIRE(a.train.size == 2000);
  REQUIRE(a.test.size == 500);
  for (const Dataset* ds : {&a.train, &a.test}) {
    CHECK(ds->sample_dim() == 784);
    CHECK(ds->num_classes == 10);
    REQUIRE(ds->images.size() == size_t(ds->size * 784));
    REQUIRE(ds->labels.size() == size_t(ds->size));
    for (auto l : ds->labels) REQUIRE(l < 10);
  }
  std::array<int, 10> per_class{};
  for (auto l : a.train.labels) ++per_class[l];
  for (int c : per_class) {
    CHECK(c > 140);  // 200 expected
    CHECK(c < 260);
  }

  SECTION("same seed, same data; another seed, other data") {
    const TrainTest b = make_synthetic_dataset(2000, 500, 5);
    const TrainTest c = make_synthetic_dataset(2000, 500, 6);
    CHECK(a.train.images == b.train.images);
    CHECK(a.test.labels == b.test.labels);
    CHECK(a.train.images != c.train.images);
    CHECK(a.train.labels != c.train.labels);
    // The test split does not depend on the training size.
    CHECK(make_synthetic_dataset(10, 500, 5).test.images == a.test.images);
  }

  SECTION("train and test share class prototypes: nearest class mean scores far above chance") {
    // A torch-free stand-in for "an MLP learns it": class means from train, applied to test.
    std::vector<double> means(10 * 784, 0.0);
    std::array<int, 10> n{};
    for (int64_t i = 0; i < a.train.size; ++i) {
      const int l = a.train.labels[i];
      ++n[l];
      for (int p = 0; p < 784; ++p) means[l * 784 + p] += a.train.images[i * 784 + p];
    }
    for (int l = 0; l < 10; ++l)
      for (int p = 0; p < 784; ++p) means[l * 784 + p] /= n[l];
    int correct = 0;
    for (int64_t i = 0; i < a.test.size; ++i) {
      int best = 0;
      double best_d = INFINITY;
      for (int l = 0; l < 10; ++l) {
        double d = 0;
        for (int p = 0; p < 784; ++p) d += std::pow(a.test.images[i * 784 + p] - means[l * 784 + p], 2);
        if (d < best_d) best_d = d, best = l;
      }
      correct += best == a.test.labels[i];
    }
    CHECK(correct > 0.9 * a.test.size);
  }

  CHECK_THROWS_AS(make_synthetic_dataset(-1, 10, 1), std::invalid_argument);
  CHECK(make_synthetic_dataset(0, 0, 1).train.images.empty());
}
