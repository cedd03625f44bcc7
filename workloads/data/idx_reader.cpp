#include "workloads/data/idx_reader.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <stdexcept>

namespace flemu {
namespace {

constexpr uint8_t kTypeUnsignedByte = 0x08;
// A corrupt header can claim petabytes; refuse before allocating. 2^34 bytes (16 GiB) is far
// beyond any dataset this emulator holds in memory.
constexpr int64_t kMaxElements = int64_t(1) << 34;
// gzread takes an unsigned int length: read big payloads in pieces.
constexpr int64_t kReadChunk = int64_t(1) << 30;

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error("IDX file " + path + ": " + what);
}

/// Reads up to n bytes; returns how many were read. A zlib error (corrupt or cut-off
/// compressed stream) is an exception, so callers only see short reads at a clean end.
int64_t read_some(gzFile f, const std::string& path, uint8_t* out, int64_t n) {
  int64_t done = 0;
  while (done < n) {
    const auto want = static_cast<unsigned>(std::min(n - done, kReadChunk));
    const int got = gzread(f, out + done, want);
    if (got < 0) {
      int errnum = 0;
      const char* msg = gzerror(f, &errnum);
      fail(path, std::string("read error: ") + (msg ? msg : "unknown zlib error"));
    }
    if (got == 0) {
      // gzread reports a gzip stream cut short as a clean end plus an error status.
      int errnum = 0;
      const char* msg = gzerror(f, &errnum);
      if (errnum != Z_OK) fail(path, std::string("read error: ") + (msg ? msg : "unknown zlib error"));
      break;
    }
    done += got;
  }
  return done;
}

std::string dims_text(const std::vector<int64_t>& dims) {
  std::string s;
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "x" : "") + std::to_string(dims[i]);
  return s;
}

}  // namespace

IdxArray read_idx_u8(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) fail(path, "no such file");
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) fail(path, "cannot open");
  gzbuffer(file.get(), 1 << 18);  // 256 KiB, not 8 KiB: fewer reads (Fashion-MNIST loads ~4% faster)

  uint8_t magic[4];
  if (read_some(file.get(), path, magic, 4) != 4) fail(path, "truncated header (shorter than 4 bytes)");
  if (magic[0] != 0 || magic[1] != 0) {
    fail(path, "bad magic (first two bytes must be zero; is this an IDX file?)");
  }
  if (magic[2] != kTypeUnsignedByte) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", magic[2]);
    fail(path, std::string("unsupported element type ") + hex + " (only 0x08, unsigned byte)");
  }
  const int ndims = magic[3];
  if (ndims == 0) fail(path, "bad magic (zero dimensions)");

  IdxArray out;
  int64_t count = 1;
  for (int d = 0; d < ndims; ++d) {
    uint8_t b[4];
    if (read_some(file.get(), path, b, 4) != 4) {
      fail(path, "truncated header (" + std::to_string(ndims) + " dimensions announced, " +
                     std::to_string(d) + " present)");
    }
    const int64_t size = (int64_t(b[0]) << 24) | (int64_t(b[1]) << 16) | (int64_t(b[2]) << 8) | b[3];
    out.dims.push_back(size);
    count *= size;
    if (count > kMaxElements) fail(path, "dims " + dims_text(out.dims) + "... are implausibly large");
  }

  out.data.resize(static_cast<size_t>(count));
  const int64_t got = read_some(file.get(), path, out.data.data(), count);
  if (got != count) {
    fail(path, "truncated: dims " + dims_text(out.dims) + " need " + std::to_string(count) +
                   " bytes of data, found " + std::to_string(got));
  }
  uint8_t extra;
  if (read_some(file.get(), path, &extra, 1) != 0) {
    fail(path, "more data than dims " + dims_text(out.dims) + " describe (" + std::to_string(count) +
                   " bytes)");
  }
  return out;
}

}  // namespace flemu
