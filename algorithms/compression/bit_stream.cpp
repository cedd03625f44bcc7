#include "algorithms/compression/bit_stream.hpp"

#include <cmath>
#include <string>

namespace flemu::compression {

namespace {
int floor_log2(uint64_t n) { return 63 - __builtin_clzll(n); }
}  // namespace

// --- BitWriter ------------------------------------------------------------------------

void BitWriter::put(uint64_t value, int bits) {
  for (int i = bits - 1; i >= 0; --i) {
    const int in_byte = static_cast<int>(bits_ & 7);
    if (in_byte == 0) out_.push_back(0);
    if ((value >> i) & 1) out_.back() |= static_cast<uint8_t>(0x80 >> in_byte);
    ++bits_;
  }
}

void BitWriter::put_gamma(uint64_t n) {
  if (n == 0) throw std::invalid_argument("Elias gamma codes integers >= 1");
  const int l = floor_log2(n);
  put(0, l);
  put(n, l + 1);
}

void BitWriter::put_delta(uint64_t n) {
  if (n == 0) throw std::invalid_argument("Elias delta codes integers >= 1");
  const int len = floor_log2(n) + 1;
  put_gamma(static_cast<uint64_t>(len));
  put(n, len - 1);  // without the leading 1
}

void BitWriter::put_omega(uint64_t n) {
  if (n == 0) throw std::invalid_argument("Elias omega codes integers >= 1");
  // Groups from the last written to the first: n, then the bit length - 1 of each group.
  uint64_t groups[8];
  int lens[8];
  int count = 0;
  while (n > 1) {
    const int len = floor_log2(n) + 1;
    groups[count] = n;
    lens[count++] = len;
    n = static_cast<uint64_t>(len - 1);
  }
  for (int i = count - 1; i >= 0; --i) put(groups[i], lens[i]);
  put(0, 1);
}

void BitWriter::align() {
  while (bits_ & 7) put(0, 1);
}

// --- BitReader ------------------------------------------------------------------------

uint64_t BitReader::get(int bits) {
  if (bits < 0 || bits > 64) throw CodingError("bit field of " + std::to_string(bits) + " bits");
  if (pos_ + static_cast<uint64_t>(bits) > uint64_t(size_) * 8)
    throw CodingError("payload truncated: a " + std::to_string(bits) + "-bit field runs past its end");
  uint64_t v = 0;
  for (int i = 0; i < bits; ++i, ++pos_) v = (v << 1) | ((data_[pos_ >> 3] >> (7 - (pos_ & 7))) & 1);
  return v;
}

uint64_t BitReader::get_gamma() {
  int zeros = 0;
  while (!get_bit())
    if (++zeros > 63) throw CodingError("Elias gamma code longer than 64 bits");
  return zeros == 0 ? 1 : ((uint64_t(1) << zeros) | get(zeros));
}

uint64_t BitReader::get_delta() {
  const uint64_t len = get_gamma();
  if (len > 64) throw CodingError("Elias delta length above 64 bits");
  const int rest = static_cast<int>(len - 1);
  return rest == 0 ? 1 : ((uint64_t(1) << rest) | get(rest));
}

uint64_t BitReader::get_omega() {
  uint64_t n = 1;
  while (get_bit()) {
    if (n > 63) throw CodingError("Elias omega group longer than 64 bits");
    const int len = static_cast<int>(n);
    n = (uint64_t(1) << len) | get(len);
  }
  return n;
}

int gamma_bits(uint64_t n) { return 2 * floor_log2(n) + 1; }
int delta_bits(uint64_t n) {
  const int len = floor_log2(n) + 1;
  return gamma_bits(static_cast<uint64_t>(len)) + len - 1;
}
int omega_bits(uint64_t n) {
  int bits = 1;
  while (n > 1) {
    const int len = floor_log2(n) + 1;
    bits += len;
    n = static_cast<uint64_t>(len - 1);
  }
  return bits;
}
int bits_for(uint64_t n) { return n <= 1 ? 0 : floor_log2(n - 1) + 1; }

// --- byte-aligned helpers -------------------------------------------------------------

void put_u8(Bytes& out, uint8_t v) { out.push_back(v); }
void put_u16(Bytes& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}
void put_u32(Bytes& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put_f32(Bytes& out, float v) {
  uint32_t u;
  std::memcpy(&u, &v, 4);
  put_u32(out, u);
}
void put_varint(Bytes& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
}
size_t varint_size(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) v >>= 7, ++n;
  return n;
}

void ByteReader::need(size_t n) const {
  if (n > size_ - pos_)
    throw CodingError("payload truncated: " + std::to_string(n) + " bytes needed at offset " + std::to_string(pos_) +
                      ", " + std::to_string(size_ - pos_) + " left");
}
uint8_t ByteReader::u8() {
  need(1);
  return data_[pos_++];
}
uint16_t ByteReader::u16() {
  need(2);
  const uint16_t v = static_cast<uint16_t>(data_[pos_] | (data_[pos_ + 1] << 8));
  pos_ += 2;
  return v;
}
uint32_t ByteReader::u32() {
  need(4);
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t(data_[pos_ + i]) << (8 * i);
  pos_ += 4;
  return v;
}
float ByteReader::f32() {
  const uint32_t u = u32();
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
uint64_t ByteReader::varint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    const uint8_t b = u8();
    v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  throw CodingError("varint longer than 10 bytes");
}
const uint8_t* ByteReader::take(size_t n) {
  need(n);
  const uint8_t* p = data_ + pos_;
  pos_ += n;
  return p;
}

// --- half precision ---------------------------------------------------------------------

uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000;
  const uint32_t exp = (x >> 23) & 0xff;
  uint32_t mant = x & 0x7fffff;
  if (exp == 0xff) return static_cast<uint16_t>(sign | 0x7c00 | (mant ? 0x200 | (mant >> 13) : 0));
  const int32_t e = static_cast<int32_t>(exp) - 127 + 15;
  if (e >= 0x1f) return static_cast<uint16_t>(sign | 0x7c00);
  if (e <= 0) {  // a half subnormal (or zero)
    if (e < -10) return static_cast<uint16_t>(sign);
    mant |= 0x800000;
    const int shift = 14 - e;
    uint32_t half_mant = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1), halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (half_mant & 1))) ++half_mant;
    return static_cast<uint16_t>(sign | half_mant);
  }
  uint32_t half = sign | (static_cast<uint32_t>(e) << 10) | (mant >> 13);
  const uint32_t rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (half & 1))) ++half;  // a carry rounds up the exponent
  return static_cast<uint16_t>(half);
}

uint16_t float_to_half_saturating(float f) {
  const uint16_t h = float_to_half(f);
  if (std::isfinite(f) && (h & 0x7fff) == 0x7c00) return static_cast<uint16_t>((h & 0x8000) | 0x7bff);
  return h;
}

float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff, bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {
      int e = -1;
      do {
        mant <<= 1;
        ++e;
      } while (!(mant & 0x400));
      bits = sign | (uint32_t(127 - 15 - e) << 23) | ((mant & 0x3ff) << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000 | (mant << 13);
  } else {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

}  // namespace flemu::compression
