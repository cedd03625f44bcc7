// signSGD — Bernstein, Wang, Azizzadenesheli, Anandkumar, ICML 2018 — and EF-SignSGD —
// Karimireddy, Rebjock, Stich, Jaggi, "Error Feedback Fixes SignSGD", ICML 2019, Algorithm 1.
//
// Both send, per tensor, the scale ||p||_1 / n (f32) and one bit per entry (1: p_i >= 0, so
// sign(0) = +1 by convention; 0: negative); the receiver reconstructs scale * (2 bit - 1):
//   bytes = 8 + sum_t (4 + 4 + ceil(n_t / 8))        (card §5: ~32x for the MLP)
// signsgd:    p = update
// ef-signsgd: p = update + e;  e <- p - C(p)   (the client's residual, kept across rounds)
// The scaled sign is what makes the plain sign a usable step under FedAvg's averaging; the
// majority vote of the original paper is a server rule, not a codec (not offered here).
#include <cmath>

#include "algorithms/compression/codec_framing.hpp"

namespace flemu::compression::detail {
namespace {

class SignCodec final : public Codec {
 public:
  SignCodec(const TensorLayout& layout, bool ef) : Codec(layout), ef_(ef) {}
  std::string name() const override { return ef_ ? "ef-signsgd" : "signsgd"; }
  bool stateful() const override { return ef_; }

  Payload encode(const std::vector<float>& update, CodecState* state, const EncodeContext& ctx) const override {
    check_update(update, layout_);
    if (ef_ && !state) throw std::invalid_argument("ef-signsgd needs the client's codec state");
    std::vector<float> p = update;
    if (ef_) {
      if (state->residual.empty()) state->residual.assign(update.size(), 0.0f);
      for (size_t i = 0; i < p.size(); ++i) p[i] += state->residual[i];
    }
    Payload out;
    put_message_header(out.bytes, ef_ ? CodecId::EfSignSgd : CodecId::SignSgd, ctx);
    int64_t off = 0;
    for (size_t t = 0; t < layout_.numel.size(); ++t) {
      const int64_t n = layout_.numel[t];
      const float* x = p.data() + off;
      double l1 = 0;
      for (int64_t i = 0; i < n; ++i) l1 += std::fabs(double(x[i]));
      const float scale = static_cast<float>(l1 / static_cast<double>(n));
      put_block_header(out.bytes, t, Block::Signs);
      put_f32(out.bytes, scale);
      const size_t at = out.bytes.size();
      out.bytes.resize(at + static_cast<size_t>((n + 7) / 8), 0);
      for (int64_t i = 0; i < n; ++i)
        if (x[i] >= 0) out.bytes[at + size_t(i / 8)] |= static_cast<uint8_t>(0x80 >> (i % 8));
      if (ef_)
        for (int64_t i = 0; i < n; ++i) state->residual[size_t(off + i)] = x[i] - (x[i] >= 0 ? scale : -scale);
      off += n;
    }
    out.paper_bytes = 0;
    for (int64_t n : layout_.numel) out.paper_bytes += 4.0 + std::ceil(n / 8.0);
    out.ops = (ef_ ? 5.0 : 3.0) * static_cast<double>(update.size());  // |x| sum, sign, pack (+ add, residual)
    out.kept = static_cast<int64_t>(update.size());
    return out;
  }

  Decoded decode(const Bytes& payload) const override {
    ByteReader in(payload);
    read_message_header(in, ef_ ? CodecId::EfSignSgd : CodecId::SignSgd);
    Decoded d;
    d.update.resize(static_cast<size_t>(layout_.total()));
    int64_t off = 0;
    for (size_t t = 0; t < layout_.numel.size(); ++t) {
      const int64_t n = layout_.numel[t];
      if (read_block_header(in, t) != Block::Signs) throw CodingError("signsgd: unexpected block kind");
      const float scale = in.f32();
      const uint8_t* bits = in.take(static_cast<size_t>((n + 7) / 8));
      for (int64_t i = 0; i < n; ++i) d.update[size_t(off + i)] = (bits[i / 8] & (0x80 >> (i % 8))) ? scale : -scale;
      off += n;
    }
    if (in.remaining()) throw CodingError("signsgd: trailing bytes");
    d.ops = static_cast<double>(d.update.size());
    return d;
  }

 private:
  bool ef_;
};

}  // namespace

std::unique_ptr<Codec> make_sign(const CodecSpec& spec, const TensorLayout& layout) {
  return std::make_unique<SignCodec>(layout, spec.name == "ef-signsgd");
}

}  // namespace flemu::compression::detail
