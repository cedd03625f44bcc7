// Top-k and random-k sparsification, with or without error feedback (memory).
//   top-k: Aji & Heafield 2017; Stich, Cordonnier, Jaggi, "Sparsified SGD with Memory",
//          NeurIPS 2018 (Algorithm 1, memory e)
//   rand-k: Stich et al. 2018 (with memory); Konecny et al. 2016 (random masks, unbiased
//          without memory: values scaled by n/k)
// Per tensor k = ceil(density * n). With error feedback: e <- e + update, send e at the chosen
// entries, zero e there (whatever rounding the wire applied stays in e: mass is conserved).
// top-k block: the index set in its cheapest encoding (entropy_coding.hpp) + the values, or a
//   dense block when that is no larger:  bytes_t = 4 + 1 + index_block + k * b_val
// rand-k block: the 8-byte seed that regenerates the indices + k values (card §5: 4k + 8):
//   bytes_t = 4 + 1 + 8 + varint(k) + k * b_val
#include <algorithm>
#include <cmath>
#include <set>

#include "algorithms/compression/codec_framing.hpp"
#include "workloads/rng.hpp"

namespace flemu::compression::detail {
namespace {

/// k distinct indices of [0, n) from `seed` (Floyd's algorithm), sorted.
std::vector<uint32_t> random_indices(uint64_t seed, int64_t n, int64_t k) {
  Rng rng(seed);
  std::set<uint32_t> chosen;
  for (int64_t j = n - k; j < n; ++j) {
    const uint32_t t = static_cast<uint32_t>(rng.below(static_cast<uint64_t>(j) + 1));
    chosen.insert(chosen.count(t) ? static_cast<uint32_t>(j) : t);
  }
  return {chosen.begin(), chosen.end()};
}

float wire_value(float x, bool fp16) { return fp16 ? half_to_float(float_to_half_saturating(x)) : x; }

class Sparsifier final : public Codec {
 public:
  Sparsifier(const TensorLayout& layout, const CodecSpec& spec, bool random)
      : Codec(layout), spec_(spec), random_(random) {}
  std::string name() const override { return random_ ? "randk" : "topk"; }
  bool stateful() const override { return spec_.error_feedback; }

  Payload encode(const std::vector<float>& update, CodecState* state, const EncodeContext& ctx) const override {
    check_update(update, layout_);
    const bool ef = spec_.error_feedback;
    if (ef && !state) throw std::invalid_argument(name() + " with error feedback needs the client's codec state");
    std::vector<float> x = update;
    if (ef) {
      if (state->residual.empty()) state->residual.assign(update.size(), 0.0f);
      for (size_t i = 0; i < x.size(); ++i) x[i] += state->residual[i];
    }
    Payload p;
    put_message_header(p.bytes, random_ ? CodecId::RandK : CodecId::TopK, ctx);
    int64_t off = 0;
    double sort_ops = 0;
    for (size_t t = 0; t < layout_.numel.size(); ++t) {
      const int64_t n = layout_.numel[t];
      const int64_t k = kept_count(spec_.density, n);
      float* v = x.data() + off;
      int64_t sent = 0;
      std::vector<uint32_t> idx;
      if (random_) {
        const uint64_t seed = derive_seed(ctx.seed, {uint64_t(t)});
        idx = random_indices(seed, n, k);
        const float scale = ef ? 1.0f : static_cast<float>(double(n) / double(k));
        put_block_header(p.bytes, t, Block::Seeded);
        put_u8(p.bytes, spec_.fp16_values ? 1 : 0);
        put_u32(p.bytes, static_cast<uint32_t>(seed));
        put_u32(p.bytes, static_cast<uint32_t>(seed >> 32));
        put_varint(p.bytes, static_cast<uint64_t>(k));
        for (uint32_t i : idx) {
          const float value = v[i] * scale;
          if (spec_.fp16_values)
            put_u16(p.bytes, float_to_half_saturating(value));
          else
            put_f32(p.bytes, value);
        }
        sent = k;
        sort_ops += double(k) * std::log2(double(k) + 1);
      } else {
        idx = top_k_indices(v, n, k);
        sent = put_sparse_or_dense(p.bytes, t, v, n, idx, spec_.index_coding, spec_.fp16_values);
        sort_ops += 3.0 * double(n) + double(k) * std::log2(double(k) + 1);  // selection + index sort
      }
      if (ef) {
        float* e = state->residual.data() + off;
        for (int64_t i = 0; i < n; ++i) e[i] = v[i];
        if (sent == n)
          for (int64_t i = 0; i < n; ++i) e[i] = v[i] - wire_value(v[i], spec_.fp16_values);
        else
          for (uint32_t i : idx) e[i] = v[i] - wire_value(v[i], spec_.fp16_values);
      }
      p.kept += sent;
      off += n;
    }
    p.paper_bytes = static_cast<double>(p.bytes.size());
    p.ops = sort_ops + (ef ? 2.0 : 0.0) * static_cast<double>(update.size());
    return p;
  }

  Decoded decode(const Bytes& payload) const override {
    ByteReader in(payload);
    read_message_header(in, random_ ? CodecId::RandK : CodecId::TopK);
    Decoded d;
    d.update.assign(static_cast<size_t>(layout_.total()), 0.0f);
    int64_t off = 0;
    for (size_t t = 0; t < layout_.numel.size(); ++t) {
      const int64_t n = layout_.numel[t];
      float* x = d.update.data() + off;
      const Block kind = read_block_header(in, t);
      if (random_) {
        if (kind != Block::Seeded) throw CodingError("randk: unexpected block kind");
        const bool fp16 = in.u8() != 0;
        const uint64_t lo = in.u32(), hi = in.u32();
        const uint64_t k = in.varint();
        if (k < 1 || k > uint64_t(n)) throw CodingError("randk: bad count");
        for (uint32_t i : random_indices(lo | (hi << 32), n, static_cast<int64_t>(k)))
          x[i] = fp16 ? half_to_float(in.u16()) : in.f32();
      } else {
        get_sparse_or_dense(in, kind, x, n, spec_.fp16_values);
      }
      off += n;
    }
    if (in.remaining()) throw CodingError(name() + ": trailing bytes");
    d.ops = static_cast<double>(d.update.size());
    return d;
  }

 private:
  CodecSpec spec_;
  bool random_;
};

}  // namespace

std::unique_ptr<Codec> make_sparsifier(const CodecSpec& spec, const TensorLayout& layout) {
  return std::make_unique<Sparsifier>(layout, spec, spec.name == "randk");
}

}  // namespace flemu::compression::detail
