// FedZip — Malekijoo, Fadaeieslam, Malekijou, Homayounfar, Alizadeh-Shabdiz, Rawassizadeh,
// "FEDZIP: A Compression Framework for Communication-Efficient Federated Learning", arXiv
// 2102.01593 (2021). Card: compression.md §2 (the authors' deploy.py; only the abstract of the
// paper could be read).
//
// Per compressed tensor x (weights; biases too with compress_vectors, as the revision code):
//   1 top-z: keep = n - round((1 - z) n) entries (z = 0.2); zero every |x_i| below the keep-th
//     largest (ties may keep a few more)
//   2 k-means, 3 centroids initialised at (min, mid, max), on all n entries (zeros too), for
//     kmeans_iterations Lloyd steps; the outer centroids average their NON-ZERO members, the
//     middle one all its members (the code's rule); the output applies the last centroids to
//     the last assignment. zero_preserving pins the middle centroid at 0 (the code moves
//     every pruned entry to a small non-zero value: a trap of the card, §2.6.4)
//   3 real encodings that decode bit-exactly (the code only prints bit estimates), the
//     smallest of: canonical Huffman over the labels; the minority clusters' positions as
//     Elias-gamma gaps; 2-bit plain labels.
// Block body: k (u8), k centroids (f32), the majority label (u8), label encoding (u8), labels.
// paper_bytes: the code's own bit counts (card §2.3: "Huffman" 2c_min + c_mid + c_max,
// "position" 27 (c_min + c_mid), "difference" max(1, floor(log2 g) + 1) per gap), the
// smallest of the three per tensor (what the paper's headline ratios come from), and
// uncompressed tensors at 32 bits an entry.
#include <algorithm>
#include <array>
#include <cmath>

#include "algorithms/compression/codec_framing.hpp"

namespace flemu::compression::detail {
namespace {

enum class Labels : uint8_t { None = 0, Huffman = 1, Positions = 2, Plain = 3 };

struct Clustering {
  std::vector<float> centroids;  // distinct values, at most 3
  std::vector<uint8_t> label;    // per entry, into centroids
  double ops = 0;
};

Clustering cluster(std::vector<float> x, const CodecSpec& spec) {
  const int64_t n = static_cast<int64_t>(x.size());
  Clustering out;
  // 1. top-z
  const int64_t keep = n - static_cast<int64_t>(std::llround((1.0 - spec.keep) * double(n)));
  if (keep < n) {
    std::vector<float> mag(x.size());
    for (size_t i = 0; i < x.size(); ++i) mag[i] = std::fabs(x[i]);
    std::nth_element(mag.begin(), mag.begin() + std::max<int64_t>(keep - 1, 0), mag.end(), std::greater<float>());
    const float tau = keep > 0 ? mag[size_t(keep - 1)] : INFINITY;
    for (float& v : x)
      if (std::fabs(v) < tau) v = 0;
    out.ops += 4.0 * double(n);
  }
  // 2. k-means with the code's centroid rule
  const auto [lo_it, hi_it] = std::minmax_element(x.begin(), x.end());
  const float lo = *lo_it, hi = *hi_it;
  std::array<float, 3> c = {lo, lo + (hi - lo) / 2, hi};
  if (spec.zero_preserving) c[1] = 0;
  std::vector<uint8_t> a(x.size(), 0);
  for (int it = 0; it < spec.kmeans_iterations; ++it) {
    std::array<double, 3> sum = {0, 0, 0};
    std::array<int64_t, 3> count = {0, 0, 0};
    for (size_t i = 0; i < x.size(); ++i) {
      uint8_t best = 0;
      for (uint8_t j = 1; j < 3; ++j)
        if (std::fabs(x[i] - c[j]) < std::fabs(x[i] - c[best])) best = j;
      a[i] = best;
      if (best == 1 || x[i] != 0) sum[best] += x[i], ++count[best];
    }
    for (int j = 0; j < 3; ++j)
      if (count[j] > 0) c[j] = static_cast<float>(sum[j] / double(count[j]));
    if (spec.zero_preserving) c[1] = 0;
    out.ops += 8.0 * double(n);
  }
  // 3. distinct used centroids, labels renumbered into them
  std::array<int64_t, 3> used = {0, 0, 0};
  for (uint8_t j : a) ++used[j];
  std::array<int, 3> map = {-1, -1, -1};
  for (int j = 0; j < 3; ++j) {
    if (used[j] == 0) continue;
    for (size_t k = 0; k < out.centroids.size(); ++k)
      if (out.centroids[k] == c[j]) map[j] = static_cast<int>(k);
    if (map[j] < 0) {
      map[j] = static_cast<int>(out.centroids.size());
      out.centroids.push_back(c[j]);
    }
  }
  out.label.resize(x.size());
  for (size_t i = 0; i < x.size(); ++i) out.label[i] = static_cast<uint8_t>(map[a[i]]);
  out.ops += double(n);
  return out;
}

/// The code's three bit counts for one tensor (card §2.3); returns the smallest.
double paper_bits(const Clustering& cl, int majority) {
  std::vector<int64_t> counts(cl.centroids.size(), 0);
  for (uint8_t l : cl.label) ++counts[l];
  std::vector<int64_t> sorted = counts;
  while (sorted.size() < 3) sorted.insert(sorted.begin(), 0);
  std::sort(sorted.begin(), sorted.end());
  const double huffman = 2.0 * double(sorted[0]) + double(sorted[1]) + double(sorted[2]);
  const double position = 27.0 * double(sorted[0] + sorted[1]);
  double difference = 0;
  for (size_t j = 0; j < cl.centroids.size(); ++j) {
    if (static_cast<int>(j) == majority) continue;
    int64_t last = -1;
    for (size_t i = 0; i < cl.label.size(); ++i) {
      if (cl.label[i] != j) continue;
      const int64_t g = last < 0 ? int64_t(i) : int64_t(i) - last;
      difference += g <= 1 ? 1.0 : std::floor(std::log2(double(g))) + 1.0;
      last = int64_t(i);
    }
  }
  return std::min({huffman, position, difference});
}

void put_labels(Bytes& out, const Clustering& cl, int majority) {
  const size_t k = cl.centroids.size();
  const int64_t n = static_cast<int64_t>(cl.label.size());
  if (k == 1) {
    put_u8(out, static_cast<uint8_t>(Labels::None));
    return;
  }
  std::vector<uint64_t> counts(k, 0);
  for (uint8_t l : cl.label) ++counts[l];
  // Candidate encodings, written to scratch buffers; the smallest is kept.
  Bytes huffman;
  {
    const HuffmanCode code = HuffmanCode::from_counts(counts);
    code.put_table(huffman);
    BitWriter w(huffman);
    for (uint8_t l : cl.label) code.put(w, l);
    w.align();
  }
  Bytes positions;
  {
    BitWriter w(positions);
    for (size_t j = 0; j < k; ++j) {
      if (static_cast<int>(j) == majority) continue;
      w.put_gamma(counts[j] + 1);
      int64_t last = -1;
      for (int64_t i = 0; i < n; ++i)
        if (cl.label[size_t(i)] == j) {
          w.put_gamma(static_cast<uint64_t>(i - last));  // >= 1: the first is position + 1
          last = i;
        }
    }
    w.align();
  }
  Bytes plain;
  {
    BitWriter w(plain);
    for (uint8_t l : cl.label) w.put(l, 2);
    w.align();
  }
  const Bytes* best = &huffman;
  Labels kind = Labels::Huffman;
  if (positions.size() < best->size()) best = &positions, kind = Labels::Positions;
  if (plain.size() < best->size()) best = &plain, kind = Labels::Plain;
  put_u8(out, static_cast<uint8_t>(kind));
  out.insert(out.end(), best->begin(), best->end());
}

void get_labels(ByteReader& in, std::vector<uint8_t>& label, size_t k, int majority) {
  const auto kind = static_cast<Labels>(in.u8());
  const size_t n = label.size();
  std::fill(label.begin(), label.end(), static_cast<uint8_t>(majority));
  if (kind == Labels::None) {
    if (k != 1) throw CodingError("fedzip: labels missing");
    return;
  }
  BitReader r(in.here(), in.remaining());
  if (kind == Labels::Huffman) {
    ByteReader table(in.here(), in.remaining());
    const HuffmanCode code = HuffmanCode::get_table(table);
    r = BitReader(table.here(), table.remaining());
    for (auto& l : label) {
      const int s = code.get(r);
      if (s >= static_cast<int>(k)) throw CodingError("fedzip: label beyond the centroids");
      l = static_cast<uint8_t>(s);
    }
    r.align();
    in.take(table.pos() + r.byte_pos());
    return;
  }
  if (kind == Labels::Positions) {
    for (size_t j = 0; j < k; ++j) {
      if (static_cast<int>(j) == majority) continue;
      const uint64_t count = r.get_gamma() - 1;
      if (count > n) throw CodingError("fedzip: position list longer than the tensor");
      int64_t at = -1;
      for (uint64_t c = 0; c < count; ++c) {
        at += static_cast<int64_t>(r.get_gamma());
        if (at >= static_cast<int64_t>(n)) throw CodingError("fedzip: position past the tensor");
        label[size_t(at)] = static_cast<uint8_t>(j);
      }
    }
  } else if (kind == Labels::Plain) {
    for (auto& l : label) {
      l = static_cast<uint8_t>(r.get(2));
      if (l >= k) throw CodingError("fedzip: label beyond the centroids");
    }
  } else {
    throw CodingError("fedzip: unknown label encoding");
  }
  r.align();
  in.take(r.byte_pos());
}

class FedZipCodec final : public Codec {
 public:
  FedZipCodec(const TensorLayout& layout, const CodecSpec& spec) : Codec(layout), spec_(spec) {}
  std::string name() const override { return "fedzip"; }

  Payload encode(const std::vector<float>& update, CodecState*, const EncodeContext& ctx) const override {
    check_update(update, layout_);
    Payload p;
    put_message_header(p.bytes, CodecId::FedZip, ctx);
    double bits = 0;
    int64_t off = 0;
    for (size_t t = 0; t < layout_.numel.size(); ++t) {
      const int64_t n = layout_.numel[t];
      const float* x = update.data() + off;
      off += n;
      if (layout_.is_vector[t] && !spec_.compress_vectors) {
        put_block_header(p.bytes, t, Block::Dense32);
        put_dense(p.bytes, x, n, false);
        bits += 32.0 * double(n);
        p.kept += n;
        p.ops += double(n);
        continue;
      }
      const Clustering cl = cluster(std::vector<float>(x, x + n), spec_);
      std::vector<int64_t> counts(cl.centroids.size(), 0);
      for (uint8_t l : cl.label) ++counts[l];
      const int majority = static_cast<int>(std::max_element(counts.begin(), counts.end()) - counts.begin());
      put_block_header(p.bytes, t, Block::Clustered);
      put_u8(p.bytes, static_cast<uint8_t>(cl.centroids.size()));
      for (float c : cl.centroids) put_f32(p.bytes, c);
      put_u8(p.bytes, static_cast<uint8_t>(majority));
      put_labels(p.bytes, cl, majority);
      bits += paper_bits(cl, majority);
      p.kept += n - counts[size_t(majority)];
      p.ops += cl.ops + 3.0 * double(n);  // + the three candidate label encodings
    }
    p.paper_bytes = bits / 8.0;
    return p;
  }

  Decoded decode(const Bytes& payload) const override {
    ByteReader in(payload);
    read_message_header(in, CodecId::FedZip);
    Decoded d;
    d.update.resize(static_cast<size_t>(layout_.total()));
    int64_t off = 0;
    for (size_t t = 0; t < layout_.numel.size(); ++t) {
      const int64_t n = layout_.numel[t];
      float* x = d.update.data() + off;
      off += n;
      const Block kind = read_block_header(in, t);
      if (kind == Block::Dense32) {
        get_dense(in, x, n, false);
        continue;
      }
      if (kind != Block::Clustered) throw CodingError("fedzip: unexpected block kind");
      const size_t k = in.u8();
      if (k < 1 || k > 3) throw CodingError("fedzip: 1 to 3 centroids expected");
      std::vector<float> c(k);
      for (auto& v : c) v = in.f32();
      const int majority = in.u8();
      if (majority >= static_cast<int>(k)) throw CodingError("fedzip: majority label beyond the centroids");
      std::vector<uint8_t> label(static_cast<size_t>(n));
      get_labels(in, label, k, majority);
      for (int64_t i = 0; i < n; ++i) x[i] = c[label[size_t(i)]];
    }
    if (in.remaining()) throw CodingError("fedzip: trailing bytes");
    d.ops = 2.0 * static_cast<double>(d.update.size());
    return d;
  }

 private:
  CodecSpec spec_;
};

}  // namespace

std::unique_ptr<Codec> make_fedzip(const CodecSpec& spec, const TensorLayout& layout) {
  return std::make_unique<FedZipCodec>(layout, spec);
}

}  // namespace flemu::compression::detail
