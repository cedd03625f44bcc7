// Reading IDX files, the format MNIST and Fashion-MNIST ship in
// (http://yann.lecun.com/exdb/mnist/, "FILE FORMATS FOR THE MNIST DATABASE"):
//
//   bytes 0-1  zero
//   byte  2    element type; only 0x08 (unsigned byte) is supported
//   byte  3    number of dimensions d
//   then d     32-bit big-endian sizes, then the elements in row-major order.
//
// Files may be gzipped or plain: zlib's gzread passes plain files through unchanged.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace flemu {

/// An IDX array of unsigned bytes: `dims` as stored, `data` of product(dims) elements.
struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;
};

/// Reads an unsigned-byte IDX file, gzipped or not.
/// Throws std::runtime_error naming `path` and the fault: missing or unreadable file, bad magic,
/// unsupported element type, truncated header or data, or bytes beyond what the dims describe.
IdxArray read_idx_u8(const std::string& path);

}  // namespace flemu
