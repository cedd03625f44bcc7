#include "algorithms/compression/entropy_coding.hpp"

#include <algorithm>
#include <queue>
#include <string>

namespace flemu::compression {

const char* to_string(IndexCoding c) {
  switch (c) {
    case IndexCoding::Int32: return "int32";
    case IndexCoding::Int64: return "int64";
    case IndexCoding::Bitmap: return "bitmap";
    case IndexCoding::Varint: return "varint";
    case IndexCoding::Auto: return "auto";
  }
  return "?";
}

namespace {

void check_sorted(const std::vector<uint32_t>& idx, uint32_t n) {
  for (size_t i = 0; i < idx.size(); ++i) {
    if (idx[i] >= n) throw std::invalid_argument("index " + std::to_string(idx[i]) + " out of a tensor of " + std::to_string(n));
    if (i > 0 && idx[i] <= idx[i - 1]) throw std::invalid_argument("indices must be strictly increasing");
  }
}

size_t varint_body(const std::vector<uint32_t>& idx) {
  size_t bytes = 0;
  for (size_t i = 0; i < idx.size(); ++i) bytes += varint_size(i == 0 ? idx[0] : idx[i] - idx[i - 1] - 1);
  return bytes;
}

}  // namespace

size_t index_block_size(IndexCoding c, const std::vector<uint32_t>& idx, uint32_t n) {
  const size_t head = 1 + varint_size(idx.size());
  switch (c) {
    case IndexCoding::Int32: return head + 4 * idx.size();
    case IndexCoding::Int64: return head + 8 * idx.size();
    case IndexCoding::Bitmap: return head + (size_t(n) + 7) / 8;
    case IndexCoding::Varint: return head + varint_body(idx);
    case IndexCoding::Auto: return index_block_size(cheapest_index_coding(idx, n), idx, n);
  }
  return 0;
}

IndexCoding cheapest_index_coding(const std::vector<uint32_t>& idx, uint32_t n) {
  IndexCoding best = IndexCoding::Int32;
  for (IndexCoding c : {IndexCoding::Bitmap, IndexCoding::Varint})
    if (index_block_size(c, idx, n) < index_block_size(best, idx, n)) best = c;
  return best;
}

IndexCoding put_indices(Bytes& out, const std::vector<uint32_t>& idx, uint32_t n, IndexCoding c) {
  check_sorted(idx, n);
  if (c == IndexCoding::Auto) c = cheapest_index_coding(idx, n);
  put_u8(out, static_cast<uint8_t>(c));
  put_varint(out, idx.size());
  switch (c) {
    case IndexCoding::Int32:
      for (uint32_t i : idx) put_u32(out, i);
      break;
    case IndexCoding::Int64:
      for (uint32_t i : idx) put_u32(out, i), put_u32(out, 0);
      break;
    case IndexCoding::Bitmap: {
      const size_t at = out.size();
      out.resize(at + (size_t(n) + 7) / 8, 0);
      for (uint32_t i : idx) out[at + i / 8] |= static_cast<uint8_t>(0x80 >> (i % 8));
      break;
    }
    case IndexCoding::Varint:
      for (size_t i = 0; i < idx.size(); ++i) put_varint(out, i == 0 ? idx[0] : idx[i] - idx[i - 1] - 1);
      break;
    case IndexCoding::Auto: break;
  }
  return c;
}

std::vector<uint32_t> get_indices(ByteReader& in, uint32_t n) {
  const uint8_t kind = in.u8();
  const uint64_t count = in.varint();
  if (count > n) throw CodingError("index block claims " + std::to_string(count) + " of " + std::to_string(n) + " entries");
  std::vector<uint32_t> idx;
  idx.reserve(count);
  auto push = [&](uint64_t i) {
    if (i >= n || (!idx.empty() && i <= idx.back())) throw CodingError("index block: indices out of range or not increasing");
    idx.push_back(static_cast<uint32_t>(i));
  };
  switch (static_cast<IndexCoding>(kind)) {
    case IndexCoding::Int32:
      for (uint64_t k = 0; k < count; ++k) push(in.u32());
      break;
    case IndexCoding::Int64:
      for (uint64_t k = 0; k < count; ++k) {
        const uint64_t lo = in.u32(), hi = in.u32();
        push(lo | (hi << 32));
      }
      break;
    case IndexCoding::Bitmap: {
      const uint8_t* bits = in.take((size_t(n) + 7) / 8);
      for (uint32_t i = 0; i < n; ++i)
        if (bits[i / 8] & (0x80 >> (i % 8))) push(i);
      if (idx.size() != count) throw CodingError("index bitmap holds another count than its header");
      break;
    }
    case IndexCoding::Varint: {
      uint64_t at = 0;
      for (uint64_t k = 0; k < count; ++k) {
        const uint64_t v = in.varint();
        at = k == 0 ? v : at + v + 1;
        push(at);
      }
      break;
    }
    default:
      throw CodingError("unknown index encoding " + std::to_string(kind));
  }
  return idx;
}

// --- Huffman ----------------------------------------------------------------------------

namespace {

std::vector<uint8_t> huffman_lengths(const std::vector<uint64_t>& counts) {
  const int k = static_cast<int>(counts.size());
  std::vector<uint8_t> len(k, 0);
  std::vector<int> used;
  for (int s = 0; s < k; ++s)
    if (counts[s] > 0) used.push_back(s);
  if (used.empty()) return len;
  if (used.size() == 1) {
    len[used[0]] = 1;
    return len;
  }
  // Nodes: leaves 0..k-1, internal k... ; a min-heap on (weight, creation order) keeps ties
  // deterministic.
  struct Node {
    uint64_t weight;
    int id;
  };
  auto later = [](const Node& a, const Node& b) { return a.weight != b.weight ? a.weight > b.weight : a.id > b.id; };
  std::priority_queue<Node, std::vector<Node>, decltype(later)> heap(later);
  std::vector<int> parent(2 * k, -1);
  for (int s : used) heap.push({counts[s], s});
  int next = k;
  while (heap.size() > 1) {
    const Node a = heap.top();
    heap.pop();
    const Node b = heap.top();
    heap.pop();
    parent[a.id] = parent[b.id] = next;
    heap.push({a.weight + b.weight, next++});
  }
  for (int s : used) {
    int depth = 0;
    for (int n = s; parent[n] >= 0; n = parent[n]) ++depth;
    len[s] = static_cast<uint8_t>(depth);
  }
  return len;
}

}  // namespace

HuffmanCode HuffmanCode::from_counts(const std::vector<uint64_t>& counts) {
  if (counts.empty() || counts.size() > 256) throw std::invalid_argument("Huffman alphabets hold 1 to 256 symbols");
  std::vector<uint64_t> c = counts;
  std::vector<uint8_t> len = huffman_lengths(c);
  // Cap lengths (extremely skewed counts): flatten the counts until the code fits.
  while (*std::max_element(len.begin(), len.end()) > 24) {
    for (auto& x : c)
      if (x > 0) x = (x + 1) / 2;
    len = huffman_lengths(c);
  }
  return from_lengths(len);
}

HuffmanCode HuffmanCode::from_lengths(const std::vector<uint8_t>& lengths) {
  if (lengths.empty() || lengths.size() > 256) throw CodingError("Huffman table of a bad size");
  HuffmanCode h;
  h.lengths_ = lengths;
  h.assign_codes();
  return h;
}

void HuffmanCode::assign_codes() {
  const int k = static_cast<int>(lengths_.size());
  codes_.assign(k, 0);
  sorted_symbols_.clear();
  for (int s = 0; s < k; ++s) {
    if (lengths_[s] > 24) throw CodingError("Huffman code length above 24");
    if (lengths_[s] > 0) sorted_symbols_.push_back(s);
  }
  std::stable_sort(sorted_symbols_.begin(), sorted_symbols_.end(),
                   [&](int a, int b) { return lengths_[a] < lengths_[b]; });
  first_code_.assign(26, 0);
  first_index_.assign(26, 0);
  count_of_length_.assign(26, 0);
  for (int s : sorted_symbols_) ++count_of_length_[lengths_[s]];
  // Kraft: a table that is not a prefix code is corrupt.
  uint64_t kraft = 0;
  for (int l = 1; l <= 24; ++l) kraft += uint64_t(count_of_length_[l]) << (24 - l);
  if (kraft > (uint64_t(1) << 24)) throw CodingError("Huffman table violates the Kraft inequality");
  uint32_t code = 0, index = 0;
  for (int l = 1; l <= 24; ++l) {
    first_code_[l] = code;
    first_index_[l] = index;
    code = (code + count_of_length_[l]) << 1;
    index += count_of_length_[l];
  }
  std::vector<uint32_t> next(first_code_);
  for (int s : sorted_symbols_) codes_[s] = next[lengths_[s]]++;
}

uint64_t HuffmanCode::message_bits(const std::vector<uint64_t>& counts) const {
  uint64_t bits = 0;
  for (size_t s = 0; s < counts.size() && s < lengths_.size(); ++s) bits += counts[s] * lengths_[s];
  return bits;
}

void HuffmanCode::put(BitWriter& w, int symbol) const {
  if (symbol < 0 || symbol >= static_cast<int>(lengths_.size()) || lengths_[symbol] == 0)
    throw std::invalid_argument("symbol without a Huffman codeword");
  w.put(codes_[symbol], lengths_[symbol]);
}

int HuffmanCode::get(BitReader& r) const {
  uint32_t code = 0;
  for (int l = 1; l <= 24; ++l) {
    code = (code << 1) | static_cast<uint32_t>(r.get_bit());
    if (count_of_length_[l] && code - first_code_[l] < count_of_length_[l])
      return sorted_symbols_[first_index_[l] + code - first_code_[l]];
  }
  throw CodingError("no Huffman codeword matches the payload");
}

void HuffmanCode::put_table(Bytes& out) const {
  put_u8(out, static_cast<uint8_t>(lengths_.size() - 1));
  BitWriter w(out);
  for (uint8_t l : lengths_) w.put(l, 5);
  w.align();
}

HuffmanCode HuffmanCode::get_table(ByteReader& in) {
  const size_t k = size_t(in.u8()) + 1;
  const uint8_t* p = in.take((k * 5 + 7) / 8);
  BitReader r(p, (k * 5 + 7) / 8);
  std::vector<uint8_t> lengths(k);
  for (auto& l : lengths) l = static_cast<uint8_t>(r.get(5));
  return from_lengths(lengths);
}

}  // namespace flemu::compression
