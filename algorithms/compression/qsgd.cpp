// QSGD — Alistarh, Grubic, Li, Tomioka, Vojnovic, "QSGD: Communication-Efficient SGD via
// Gradient Quantization and Encoding", NeurIPS 2017 (Sec. 3.1 quantizer, Sec. 3.2 coding).
// FedPAQ — Reisizadeh et al., AISTATS 2020: the same unbiased quantizer, written uncoded.
//
// Per bucket x of b entries (the whole tensor if bucket = 0) with nu = ||x||_2 and s levels:
//   l_i = floor(s |x_i| / nu); level_i = l_i + 1 with probability s|x_i|/nu - l_i, else l_i
//   decode: x_i = nu * sign(x_i) * level_i / s          (unbiased: E[decode] = x)
// Block body: coding byte (0 fixed, 1 Elias), then per bucket, byte aligned:
//   fixed (fedpaq, qsgd with elias=false): norm f32, then per entry a sign bit and the level
//     in ceil(log2(s+1)) bits -> 4 + ceil(b (1 + ceil(log2(s+1))) / 8) bytes (card §5)
//   Elias (qsgd, the paper's coding): norm f32, omega(nnz + 1), then per non-zero entry
//     omega(zeros before it + 1), its sign bit and omega(level)
// The paper's own count (paper_bytes) is the same bits: QSGD really is this code.
#include <cmath>

#include "algorithms/compression/codec_framing.hpp"
#include "workloads/rng.hpp"

namespace flemu::compression::detail {
namespace {

class QsgdCodec final : public Codec {
 public:
  QsgdCodec(const TensorLayout& layout, const CodecSpec& spec, bool paq)
      : Codec(layout), s_(spec.levels), bucket_(spec.bucket), elias_(spec.elias && !paq), paq_(paq) {}
  std::string name() const override { return paq_ ? "fedpaq" : "qsgd"; }

  Payload encode(const std::vector<float>& update, CodecState*, const EncodeContext& ctx) const override {
    check_update(update, layout_);
    Payload p;
    put_message_header(p.bytes, id(), ctx);
    const int level_bits = bits_for(uint64_t(s_) + 1);
    int64_t off = 0, nonzero = 0;
    for (size_t t = 0; t < layout_.numel.size(); ++t) {
      const int64_t n = layout_.numel[t];
      put_block_header(p.bytes, t, Block::Quantized);
      put_u8(p.bytes, elias_ ? 1 : 0);
      Rng rng(derive_seed(ctx.seed, {uint64_t(t)}));
      const int64_t b = bucket_ > 0 ? bucket_ : n;
      for (int64_t start = 0; start < n; start += b) {
        const int64_t end = std::min(n, start + b);
        const float* x = update.data() + off;
        double norm2 = 0;
        for (int64_t i = start; i < end; ++i) norm2 += double(x[i]) * x[i];
        const float nu = static_cast<float>(std::sqrt(norm2));
        put_f32(p.bytes, nu);
        std::vector<uint32_t> level(static_cast<size_t>(end - start), 0);
        for (int64_t i = start; i < end; ++i) {
          if (nu == 0) break;
          const double r = s_ * std::fabs(double(x[i])) / double(nu);
          const double l = std::floor(r);
          uint32_t q = static_cast<uint32_t>(l) + (rng.uniform() < r - l ? 1u : 0u);
          level[size_t(i - start)] = std::min<uint32_t>(q, static_cast<uint32_t>(s_));
        }
        BitWriter w(p.bytes);
        if (!elias_) {
          for (int64_t i = start; i < end; ++i) {
            w.put_bit(x[i] < 0);
            w.put(level[size_t(i - start)], level_bits);
          }
        } else {
          uint64_t nnz = 0;
          for (uint32_t q : level) nnz += q != 0;
          w.put_omega(nnz + 1);
          uint64_t zeros = 0;
          for (int64_t i = start; i < end; ++i) {
            const uint32_t q = level[size_t(i - start)];
            if (q == 0) {
              ++zeros;
              continue;
            }
            w.put_omega(zeros + 1);
            w.put_bit(x[i] < 0);
            w.put_omega(q);
            zeros = 0;
          }
        }
        w.align();
        for (uint32_t q : level) nonzero += q != 0;
      }
      off += n;
    }
    p.paper_bytes = static_cast<double>(p.bytes.size() - kMessageHeader - layout_.numel.size() * (kBlockHeader + 1));
    // Norm (2 per entry), the quantization draw and rounding (4), the coding (1).
    p.ops = 7.0 * static_cast<double>(update.size());
    p.kept = elias_ ? nonzero : static_cast<int64_t>(update.size());
    return p;
  }

  Decoded decode(const Bytes& payload) const override {
    ByteReader in(payload);
    read_message_header(in, id());
    Decoded d;
    d.update.assign(static_cast<size_t>(layout_.total()), 0.0f);
    const int level_bits = bits_for(uint64_t(s_) + 1);
    int64_t off = 0;
    for (size_t t = 0; t < layout_.numel.size(); ++t) {
      const int64_t n = layout_.numel[t];
      if (read_block_header(in, t) != Block::Quantized) throw CodingError("qsgd: unexpected block kind");
      const bool elias = in.u8() != 0;
      if (elias != elias_) throw CodingError("qsgd: payload coded otherwise than this codec");
      float* x = d.update.data() + off;
      const int64_t b = bucket_ > 0 ? bucket_ : n;
      for (int64_t start = 0; start < n; start += b) {
        const int64_t end = std::min(n, start + b);
        const float nu = in.f32();
        BitReader r(in.here(), in.remaining());
        if (!elias) {
          for (int64_t i = start; i < end; ++i) {
            const bool negative = r.get_bit();
            const uint64_t q = r.get(level_bits);
            if (q > uint64_t(s_)) throw CodingError("qsgd: level above s");
            x[i] = (negative ? -1.0f : 1.0f) * nu * static_cast<float>(q) / static_cast<float>(s_);
          }
        } else {
          const uint64_t nnz = r.get_omega() - 1;
          int64_t at = start;
          for (uint64_t k = 0; k < nnz; ++k) {
            at += static_cast<int64_t>(r.get_omega() - 1);
            if (at >= end) throw CodingError("qsgd: position past the bucket");
            const bool negative = r.get_bit();
            const uint64_t q = r.get_omega();
            if (q > uint64_t(s_)) throw CodingError("qsgd: level above s");
            x[at++] = (negative ? -1.0f : 1.0f) * nu * static_cast<float>(q) / static_cast<float>(s_);
          }
        }
        r.align();
        in.take(r.byte_pos());
      }
      off += n;
    }
    if (in.remaining()) throw CodingError("qsgd: trailing bytes");
    d.ops = 2.0 * static_cast<double>(d.update.size());
    return d;
  }

 private:
  CodecId id() const { return paq_ ? CodecId::Fedpaq : CodecId::Qsgd; }
  int s_;
  int bucket_;
  bool elias_, paq_;
};

}  // namespace

std::unique_ptr<Codec> make_qsgd(const CodecSpec& spec, const TensorLayout& layout) {
  return std::make_unique<QsgdCodec>(layout, spec, spec.name == "fedpaq");
}

}  // namespace flemu::compression::detail
