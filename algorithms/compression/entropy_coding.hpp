// Lossless pieces every sparse or clustered payload is made of: index sets (which entries of a
// tensor were sent) and canonical Huffman codes. Pure functions over byte buffers.
//
// An index set is written in whichever of four encodings is smallest for it, and the choice
// is the first byte of the block, so the decoder never guesses:
//   int32   4 bytes per index
//   int64   8 bytes per index (only when asked for: DGC's code sends int64 indices)
//   bitmap  ceil(n/8) bytes, one bit per entry of the tensor
//   varint  the first index, then each gap minus one, as LEB128 varints
// Every encoding is preceded by the count as a varint.
#pragma once
#include <cstdint>
#include <vector>

#include "algorithms/compression/bit_stream.hpp"

namespace flemu::compression {

enum class IndexCoding : uint8_t { Int32 = 0, Int64 = 1, Bitmap = 2, Varint = 3, Auto = 255 };

const char* to_string(IndexCoding c);

/// Bytes the block for `sorted` (strictly increasing, each < n) takes in encoding `c`
/// (count and kind byte included).
size_t index_block_size(IndexCoding c, const std::vector<uint32_t>& sorted, uint32_t n);
/// The smallest encoding of int32, bitmap and varint for this set (ties: that order).
IndexCoding cheapest_index_coding(const std::vector<uint32_t>& sorted, uint32_t n);
/// Appends the block; `c` == Auto picks cheapest_index_coding. Returns the encoding used.
/// Throws std::invalid_argument if the indices are not strictly increasing or not < n.
IndexCoding put_indices(Bytes& out, const std::vector<uint32_t>& sorted, uint32_t n, IndexCoding c = IndexCoding::Auto);
/// Reads a block written by put_indices for a tensor of n entries; throws CodingError on a
/// malformed block (unknown kind, index out of range or not increasing, truncation).
std::vector<uint32_t> get_indices(ByteReader& in, uint32_t n);

/// A canonical Huffman code over symbols 0..k-1 (k <= 256), built from symbol counts.
/// Symbols with count 0 get no codeword. Code lengths are capped at 24 bits.
class HuffmanCode {
 public:
  /// From counts; a single used symbol gets a 1-bit code (so every element costs a bit).
  static HuffmanCode from_counts(const std::vector<uint64_t>& counts);
  /// From the code lengths as serialised (0 = unused symbol).
  static HuffmanCode from_lengths(const std::vector<uint8_t>& lengths);

  const std::vector<uint8_t>& lengths() const { return lengths_; }
  /// Total bits to code a message with these symbol counts.
  uint64_t message_bits(const std::vector<uint64_t>& counts) const;
  void put(BitWriter& w, int symbol) const;
  int get(BitReader& r) const;
  /// Table: alphabet size (u8, k-1), then k code lengths, 5 bits each, byte aligned.
  void put_table(Bytes& out) const;
  static HuffmanCode get_table(ByteReader& in);
  size_t table_size() const { return 1 + (lengths_.size() * 5 + 7) / 8; }

 private:
  void assign_codes();
  std::vector<uint8_t> lengths_;
  std::vector<uint32_t> codes_;
  // Canonical decoding: per length, the first code and the index of its first symbol.
  std::vector<uint32_t> first_code_, first_index_, count_of_length_;
  std::vector<int> sorted_symbols_;
};

}  // namespace flemu::compression
