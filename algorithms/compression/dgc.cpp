// DGC — Lin, Han, Mao, Wang, Dally, "Deep Gradient Compression: Reducing the Communication
// Bandwidth for Distributed Training", ICLR 2018 (Sec. 3: momentum correction, local gradient
// clipping, momentum factor masking, warm-up training). Card: compression.md §1.
//
// Federated translation (card §1.9): the client compresses its round update Δ instead of each
// step's gradient; momentum and the residual persist across the client's rounds.
//   clip:     Δ <- Δ min(1, (C N^-1/2) / ||Δ||_2)               (off unless clip_norm > 0)
//   momentum: u <- m u + Δ;  v <- v + u        (Nesterov: u <- m (u + Δ); v <- v + u + Δ)
//   select:   idx <- SELECT(|v|, density of this round)          per compressed tensor
//   send v[idx]; v[idx] <- 0; with masking u[idx] <- 0
// SELECT is the authors' code's (dgc/compression.py, card §1.3): a strided sample of |v| (at
// least 1%, random offset from the seed) estimates the threshold, adapted up to 10 times
// (x1.3 / x0.8, exact top-k among the candidates when more than 1.3 k pass), and the first k
// candidates in index order are kept (so fewer than k may be sent; the count is on the wire).
// Warm-up: "paper" 4^-(e+1) for the first rounds, "code" coeff^(e+1) (configs/dgc/wm5.py),
// "none" (the code's default); e counts rounds. Tensors with dim <= 1 go dense (code), unless
// compress_vectors. Wire: top-k's sparse block (index coding cheapest unless forced; the code
// sends int64 indices and fp32 values: index_coding int64 replays it).
// paper_bytes: the card's byte formula with the code's default value/index widths (4 + 8 B
// per kept entry, dense tensors 4 B per entry), what DGC's own bookkeeping would claim.
#include <algorithm>
#include <cmath>

#include "algorithms/compression/codec_framing.hpp"
#include "workloads/rng.hpp"

namespace flemu::compression::detail {

DgcSampling dgc_sampling(int64_t n, double rho, double sample_ratio) {
  DgcSampling g;
  const int64_t min_samples = static_cast<int64_t>(std::ceil(2.0 / rho));
  if (n <= min_samples) return g;
  g.exact = false;
  const double ratio = std::max(0.01, sample_ratio);
  const int64_t wanted = std::max<int64_t>(static_cast<int64_t>(std::ceil(ratio * double(n))), min_samples);
  g.stride = 32 * static_cast<int64_t>(std::ceil(double(n) / double(wanted) / 32.0)) + 1;
  while (g.stride > 1 && n / g.stride < wanted) g.stride = std::max<int64_t>(1, g.stride - 8);
  g.samples = n / g.stride;
  g.k_samples = static_cast<int64_t>(std::ceil(double(g.samples) * rho));
  return g;
}

namespace {

/// The k-th largest of `values` (1-based k).
float kth_largest(std::vector<float> values, int64_t k) {
  std::nth_element(values.begin(), values.begin() + (k - 1), values.end(), std::greater<float>());
  return values[size_t(k - 1)];
}

class DgcCodec final : public Codec {
 public:
  DgcCodec(const TensorLayout& layout, const CodecSpec& spec) : Codec(layout), spec_(spec) {}
  std::string name() const override { return "dgc"; }
  bool stateful() const override { return true; }

  Payload encode(const std::vector<float>& update, CodecState* state, const EncodeContext& ctx) const override {
    check_update(update, layout_);
    if (!state) throw std::invalid_argument("dgc needs the client's codec state");
    const size_t d = update.size();
    if (state->residual.empty()) state->residual.assign(d, 0.0f);
    if (state->momentum.empty()) state->momentum.assign(d, 0.0f);
    std::vector<float> g = update;
    double ops = 0;
    if (spec_.clip_norm > 0) {  // local gradient clipping, threshold scaled by N^-1/2
      double norm2 = 0;
      for (float x : g) norm2 += double(x) * x;
      const double limit = spec_.clip_norm / std::sqrt(double(std::max(1, ctx.clients_per_round)));
      const double norm = std::sqrt(norm2);
      if (norm > limit) {
        const float f = static_cast<float>(limit / norm);
        for (float& x : g) x *= f;
      }
      ops += 3.0 * double(d);
    }
    const double rho = dgc_density(spec_, ctx.round);
    const float m = static_cast<float>(spec_.momentum);
    Payload p;
    put_message_header(p.bytes, CodecId::Dgc, ctx);
    int64_t off = 0;
    for (size_t t = 0; t < layout_.numel.size(); ++t) {
      const int64_t n = layout_.numel[t];
      const float* gt = g.data() + off;
      float* u = state->momentum.data() + off;
      float* v = state->residual.data() + off;
      if (layout_.is_vector[t] && !spec_.compress_vectors) {
        // Sent dense, as the code sends dim <= 1 tensors: no momentum correction, no residual.
        put_block_header(p.bytes, t, spec_.fp16_values ? Block::Dense16 : Block::Dense32);
        put_dense(p.bytes, gt, n, spec_.fp16_values);
        p.kept += n;
        p.paper_bytes += 4.0 * double(n);
        ops += double(n);
        off += n;
        continue;
      }
      for (int64_t i = 0; i < n; ++i) {
        if (spec_.nesterov) {
          u[i] = m * (u[i] + gt[i]);
          v[i] += u[i] + gt[i];
        } else {
          u[i] = m * u[i] + gt[i];
          v[i] += u[i];
        }
      }
      ops += 3.0 * double(n);
      const std::vector<uint32_t> idx = select(v, n, rho, derive_seed(ctx.seed, {uint64_t(t)}), ops);
      const int64_t sent = put_sparse_or_dense(p.bytes, t, v, n, idx, spec_.index_coding, spec_.fp16_values);
      auto clear = [&](uint32_t i) {
        v[i] -= spec_.fp16_values ? half_to_float(float_to_half_saturating(v[i])) : v[i];
        if (spec_.momentum_masking) u[i] = 0;
      };
      if (sent == n)
        for (int64_t i = 0; i < n; ++i) clear(static_cast<uint32_t>(i));
      else
        for (uint32_t i : idx) clear(i);
      p.kept += sent;
      p.paper_bytes += 12.0 * double(idx.size());
      off += n;
    }
    p.ops = ops;
    return p;
  }

  Decoded decode(const Bytes& payload) const override {
    ByteReader in(payload);
    read_message_header(in, CodecId::Dgc);
    Decoded d;
    d.update.assign(static_cast<size_t>(layout_.total()), 0.0f);
    int64_t off = 0;
    for (size_t t = 0; t < layout_.numel.size(); ++t) {
      const int64_t n = layout_.numel[t];
      get_sparse_or_dense(in, read_block_header(in, t), d.update.data() + off, n, spec_.fp16_values);
      off += n;
    }
    if (in.remaining()) throw CodingError("dgc: trailing bytes");
    d.ops = static_cast<double>(d.update.size());
    return d;
  }

 private:
  /// The code's threshold selection (card §1.3); adds the operations it performed to `ops`.
  std::vector<uint32_t> select(const float* v, int64_t n, double rho, uint64_t seed, double& ops) const {
    const int64_t k = kept_count(rho, n);
    const DgcSampling g = dgc_sampling(n, rho, spec_.sample_ratio);
    std::vector<float> magnitude(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) magnitude[size_t(i)] = std::fabs(v[i]);
    ops += double(n);
    float threshold;
    if (g.exact) {
      threshold = kth_largest(magnitude, k);
      ops += 3.0 * double(n);
    } else {
      Rng rng(seed);
      const int64_t offset = static_cast<int64_t>(rng.below(static_cast<uint64_t>(g.stride)));
      std::vector<float> samples;
      for (int64_t i = offset; i < n && static_cast<int64_t>(samples.size()) < g.samples; i += g.stride)
        samples.push_back(magnitude[size_t(i)]);
      threshold = kth_largest(samples, std::min<int64_t>(g.k_samples, static_cast<int64_t>(samples.size())));
      ops += 3.0 * double(samples.size());
    }
    std::vector<uint32_t> candidates;
    auto collect = [&] {
      candidates.clear();
      for (int64_t i = 0; i < n; ++i)
        if (magnitude[size_t(i)] >= threshold) candidates.push_back(static_cast<uint32_t>(i));
      ops += double(n);
    };
    collect();
    if (!g.exact) {
      for (int iteration = 0; iteration < 10; ++iteration) {
        const double c = double(candidates.size());
        if (c > 1.3 * double(k)) {  // resample: the exact top-k among the candidates
          std::vector<float> picked;
          for (uint32_t i : candidates) picked.push_back(v[i]);
          std::vector<uint32_t> best = top_k_indices(picked.data(), static_cast<int64_t>(picked.size()), k);
          for (auto& b : best) b = candidates[b];
          ops += 3.0 * c;
          return best;
        }
        if (c > double(k) || c >= 0.8 * double(k)) break;
        threshold *= 0.8f;
        collect();
      }
    }
    if (static_cast<int64_t>(candidates.size()) > k) candidates.resize(static_cast<size_t>(k));  // first k by index
    return candidates;
  }

  CodecSpec spec_;
};

}  // namespace

std::unique_ptr<Codec> make_dgc(const CodecSpec& spec, const TensorLayout& layout) {
  return std::make_unique<DgcCodec>(layout, spec);
}

}  // namespace flemu::compression::detail
