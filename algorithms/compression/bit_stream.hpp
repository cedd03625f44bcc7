// Bit-level writing and reading for encoded updates: fixed-width fields, Elias gamma / delta /
// omega codes, LEB128 varints, IEEE half floats. Pure functions over byte buffers: no SimGrid,
// no I/O, no torch. Bits are written most-significant first within each field and packed from
// the most-significant bit of each byte, so a hex dump reads left to right.
//
// Decoding never trusts its input: a reader past the end of its buffer, an Elias code longer
// than 64 bits or a varint longer than 10 bytes throws CodingError (a corrupted or truncated
// payload is an error, never undefined behaviour).
#pragma once
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace flemu::compression {

using Bytes = std::vector<uint8_t>;

struct CodingError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class BitWriter {
 public:
  explicit BitWriter(Bytes& out) : out_(out) {}
  /// The low `bits` bits of `value`, most significant first (bits in [0, 64]).
  void put(uint64_t value, int bits);
  void put_bit(bool b) { put(b ? 1 : 0, 1); }
  /// Elias gamma of n >= 1: floor(log2 n) zeros, then n in binary (2 floor(log2 n) + 1 bits).
  void put_gamma(uint64_t n);
  /// Elias delta of n >= 1: gamma(bit length of n), then n without its leading 1.
  void put_delta(uint64_t n);
  /// Elias omega of n >= 1 (recursive lengths, then a terminating 0): QSGD's integer code.
  void put_omega(uint64_t n);
  /// Pads with zeros to the next byte boundary.
  void align();
  /// Bits written so far (including a partial last byte).
  uint64_t bits() const { return bits_; }

 private:
  Bytes& out_;
  uint64_t bits_ = 0;
};

class BitReader {
 public:
  BitReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint64_t get(int bits);
  bool get_bit() { return get(1) != 0; }
  uint64_t get_gamma();
  uint64_t get_delta();
  uint64_t get_omega();
  void align() { pos_ = (pos_ + 7) & ~uint64_t(7); }
  /// Byte offset of the next unread bit after align().
  size_t byte_pos() const { return static_cast<size_t>((pos_ + 7) / 8); }
  void seek_byte(size_t byte) { pos_ = uint64_t(byte) * 8; }

 private:
  const uint8_t* data_;
  size_t size_;
  uint64_t pos_ = 0;  // in bits
};

/// Bit lengths of the codes, for byte formulas and tests.
int gamma_bits(uint64_t n);
int delta_bits(uint64_t n);
int omega_bits(uint64_t n);
/// Bits to write values in [0, n): ceil(log2 n), 0 for n <= 1.
int bits_for(uint64_t n);

// --- byte-aligned helpers -------------------------------------------------------------

void put_u8(Bytes& out, uint8_t v);
void put_u16(Bytes& out, uint16_t v);
void put_u32(Bytes& out, uint32_t v);
void put_f32(Bytes& out, float v);
/// Unsigned LEB128: 7 bits a byte, low bits first, high bit = more.
void put_varint(Bytes& out, uint64_t v);
size_t varint_size(uint64_t v);

/// Reads byte-aligned fields in order from a buffer; throws CodingError past its end.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  explicit ByteReader(const Bytes& b) : ByteReader(b.data(), b.size()) {}
  uint8_t u8();
  uint16_t u16();
  uint32_t u32();
  float f32();
  uint64_t varint();
  /// The next `n` bytes, consumed.
  const uint8_t* take(size_t n);
  size_t pos() const { return pos_; }
  size_t remaining() const { return size_ - pos_; }
  const uint8_t* here() const { return data_ + pos_; }

 private:
  void need(size_t n) const;
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// --- IEEE 754 half precision ----------------------------------------------------------

/// float -> binary16 with round-to-nearest-even; overflow gives +-inf, NaN stays NaN.
uint16_t float_to_half(float f);
float half_to_float(uint16_t h);
/// What codecs put on the wire: finite values beyond the half range saturate at +-65504
/// instead of becoming infinities that would poison the receiver's model.
uint16_t float_to_half_saturating(float f);

}  // namespace flemu::compression
