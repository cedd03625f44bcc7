#include "algorithms/compression/codec.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "algorithms/compression/codec_framing.hpp"

namespace flemu::compression {

int64_t TensorLayout::total() const { return std::accumulate(numel.begin(), numel.end(), int64_t(0)); }
int64_t TensorLayout::offset(size_t t) const {
  return std::accumulate(numel.begin(), numel.begin() + static_cast<long>(t), int64_t(0));
}

const std::vector<std::string>& codec_names() {
  static const std::vector<std::string> names = {"none", "fp16",  "qsgd",  "fedpaq", "signsgd",
                                                 "ef-signsgd", "topk", "randk", "dgc", "fedzip"};
  return names;
}

double dgc_density(const CodecSpec& spec, int round) {
  const int e = round - 1;  // warm-up counts rounds from 0
  if (spec.warmup == "none" || e < 0 || e >= spec.warmup_rounds) return spec.density;
  if (spec.warmup == "paper") return std::max(std::pow(4.0, -(e + 1)), spec.density);
  // "code": density^(1/(E+1)) unless given, raised to e+1 (configs/dgc/wm5.py: 31.6%, 10%, ...).
  const double coeff = spec.warmup_coeff > 0 ? spec.warmup_coeff : std::pow(spec.density, 1.0 / (spec.warmup_rounds + 1));
  return std::max(std::pow(coeff, e + 1), spec.density);
}

std::unique_ptr<Codec> make_codec(const CodecSpec& spec, const TensorLayout& layout) {
  if (layout.numel.empty() || layout.numel.size() != layout.is_vector.size())
    throw std::invalid_argument("codec layout: one is_vector flag per tensor, at least one tensor");
  if (layout.numel.size() > 65535) throw std::invalid_argument("codec layout: at most 65535 tensors");
  for (int64_t n : layout.numel)
    if (n < 1 || n > int64_t(UINT32_MAX)) throw std::invalid_argument("codec layout: tensor sizes in [1, 2^32)");
  const std::string& n = spec.name;
  if (n == "none" || n == "fp16") return detail::make_dense(spec, layout);
  if (spec.density <= 0 || spec.density > 1) throw std::invalid_argument("codec density must be in (0, 1]");
  if (n == "qsgd" || n == "fedpaq") {
    if (spec.levels < 1) throw std::invalid_argument("qsgd levels must be >= 1");
    if (spec.bucket < 0) throw std::invalid_argument("qsgd bucket must be >= 0");
    return detail::make_qsgd(spec, layout);
  }
  if (n == "signsgd" || n == "ef-signsgd") return detail::make_sign(spec, layout);
  if (n == "topk" || n == "randk") return detail::make_sparsifier(spec, layout);
  if (n == "dgc") {
    if (spec.momentum < 0 || spec.momentum >= 1) throw std::invalid_argument("dgc momentum must be in [0, 1)");
    if (spec.warmup != "paper" && spec.warmup != "code" && spec.warmup != "none")
      throw std::invalid_argument("dgc warmup must be \"paper\", \"code\" or \"none\"");
    if (spec.sample_ratio <= 0 || spec.sample_ratio > 1) throw std::invalid_argument("dgc sample_ratio must be in (0, 1]");
    return detail::make_dgc(spec, layout);
  }
  if (n == "fedzip") {
    if (spec.keep <= 0 || spec.keep > 1) throw std::invalid_argument("fedzip keep must be in (0, 1]");
    if (spec.kmeans_iterations < 1) throw std::invalid_argument("fedzip kmeans_iterations must be >= 1");
    return detail::make_fedzip(spec, layout);
  }
  throw std::invalid_argument("unknown codec \"" + n + "\"");
}

namespace detail {

void put_message_header(Bytes& out, CodecId id, const EncodeContext& ctx) {
  put_u8(out, static_cast<uint8_t>(id));
  const uint32_t round = static_cast<uint32_t>(std::max(0, ctx.round)) & 0xffffff;
  put_u8(out, static_cast<uint8_t>(round));
  put_u16(out, static_cast<uint16_t>(round >> 8));
  put_u32(out, static_cast<uint32_t>(ctx.client));
}

void read_message_header(ByteReader& in, CodecId id) {
  const uint8_t got = in.u8();
  if (got != static_cast<uint8_t>(id))
    throw CodingError("payload of codec " + std::to_string(got) + " given to codec " + std::to_string(int(id)));
  in.take(kMessageHeader - 1);
}

void put_block_header(Bytes& out, size_t tensor, Block kind) {
  put_u16(out, static_cast<uint16_t>(tensor));
  put_u8(out, static_cast<uint8_t>(kind));
  put_u8(out, 0);
}

Block read_block_header(ByteReader& in, size_t tensor) {
  const uint16_t t = in.u16();
  if (t != tensor) throw CodingError("block of tensor " + std::to_string(t) + " where tensor " + std::to_string(tensor) + " was due");
  const uint8_t kind = in.u8();
  in.u8();
  if (kind > static_cast<uint8_t>(Block::Seeded)) throw CodingError("unknown block kind " + std::to_string(kind));
  return static_cast<Block>(kind);
}

void check_update(const std::vector<float>& update, const TensorLayout& layout) {
  if (static_cast<int64_t>(update.size()) != layout.total())
    throw std::invalid_argument("update of " + std::to_string(update.size()) + " values for a model of " +
                                std::to_string(layout.total()));
  for (size_t i = 0; i < update.size(); ++i)
    if (!std::isfinite(update[i]))
      throw std::invalid_argument("update entry " + std::to_string(i) + " is " + std::to_string(update[i]) +
                                  ": non-finite updates cannot be encoded (did training diverge?)");
}

void put_dense(Bytes& out, const float* x, int64_t n, bool fp16) {
  for (int64_t i = 0; i < n; ++i) {
    if (fp16)
      put_u16(out, float_to_half_saturating(x[i]));
    else
      put_f32(out, x[i]);
  }
}

void get_dense(ByteReader& in, float* x, int64_t n, bool fp16) {
  for (int64_t i = 0; i < n; ++i) x[i] = fp16 ? half_to_float(in.u16()) : in.f32();
}

size_t sparse_body_size(const std::vector<uint32_t>& idx, int64_t n, IndexCoding coding, bool fp16) {
  return index_block_size(coding, idx, static_cast<uint32_t>(n)) + idx.size() * (fp16 ? 2 : 4);
}

int64_t put_sparse_or_dense(Bytes& out, size_t tensor, const float* x, int64_t n, const std::vector<uint32_t>& idx,
                            IndexCoding coding, bool fp16) {
  const size_t dense = size_t(n) * (fp16 ? 2 : 4);
  // A forced encoding (DGC's int64) is kept even when dense would be smaller: that is what
  // the replayed code sends.
  if (coding == IndexCoding::Auto && dense <= sparse_body_size(idx, n, coding, fp16)) {
    put_block_header(out, tensor, fp16 ? Block::Dense16 : Block::Dense32);
    // Dense means every entry: the unselected ones travel as they are in x.
    put_dense(out, x, n, fp16);
    return n;
  }
  put_block_header(out, tensor, Block::Sparse);
  put_u8(out, fp16 ? 1 : 0);
  put_indices(out, idx, static_cast<uint32_t>(n), coding);
  for (uint32_t i : idx) {
    if (fp16)
      put_u16(out, float_to_half_saturating(x[i]));
    else
      put_f32(out, x[i]);
  }
  return static_cast<int64_t>(idx.size());
}

void get_sparse_or_dense(ByteReader& in, Block kind, float* x, int64_t n, bool) {
  if (kind == Block::Dense32 || kind == Block::Dense16) {
    get_dense(in, x, n, kind == Block::Dense16);
    return;
  }
  if (kind != Block::Sparse) throw CodingError("expected a sparse or dense block");
  const bool fp16 = in.u8() != 0;
  std::fill(x, x + n, 0.0f);
  for (uint32_t i : get_indices(in, static_cast<uint32_t>(n))) x[i] = fp16 ? half_to_float(in.u16()) : in.f32();
}

std::vector<uint32_t> top_k_indices(const float* x, int64_t n, int64_t k) {
  std::vector<uint32_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0u);
  if (k < n) {
    auto larger = [x](uint32_t a, uint32_t b) {
      const float fa = std::fabs(x[a]), fb = std::fabs(x[b]);
      return fa != fb ? fa > fb : a < b;
    };
    std::nth_element(order.begin(), order.begin() + k, order.end(), larger);
    order.resize(static_cast<size_t>(k));
  }
  std::sort(order.begin(), order.end());
  return order;
}

int64_t kept_count(double density, int64_t n) {
  const int64_t k = static_cast<int64_t>(std::ceil(density * static_cast<double>(n) - 1e-9));
  return std::clamp<int64_t>(k, 1, n);
}

}  // namespace detail
}  // namespace flemu::compression
