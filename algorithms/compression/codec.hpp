// Codecs for model updates: what a client (or the server) really puts on the wire.
//
//   encode(update, client codec state) -> Payload (a real byte buffer: its size sets the
//                                          transfer time; its operation count the device's
//                                          compute)
//   decode(payload)                    -> the update the receiver reconstructs
//
// Pure functions over flat float vectors, cut into the model's tensors by a TensorLayout: no
// SimGrid, no torch, no I/O. Randomness (QSGD's stochastic rounding, rand-k's indices, DGC's
// sampling offset) comes from EncodeContext::seed alone, so an encoding is a pure function of
// (update, state, context) and replays bit for bit.
//
// Wire format shared by every codec (byte-aligned, little-endian):
//   message header, 8 bytes: codec id (u8), round (u24), client (u32)
//   per tensor, in layout order: block header, 4 bytes: tensor index (u16), block kind (u8),
//   reserved (u8); then the block's body, whose shape the block kind gives (see each codec).
// A decoder checks the codec id and every tensor index and throws CodingError on anything
// malformed; encoders throw std::invalid_argument on a non-finite input (a NaN in an update is
// a diverged run, never something to compress).
//
// Cards: ../shared/cards/compression.md (DGC §1, FedZip §2, baselines §5).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/compression/bit_stream.hpp"
#include "algorithms/compression/entropy_coding.hpp"

namespace flemu::compression {

/// How a flat update is cut into the model's tensors (parameter registration order).
struct TensorLayout {
  std::vector<int64_t> numel;      ///< elements of each tensor
  std::vector<bool> is_vector;     ///< dim <= 1 (biases): DGC and FedZip send them dense by default
  int64_t total() const;
  /// Offset of tensor t in the flat vector.
  int64_t offset(size_t t) const;
};

/// A codec's memory of one client across rounds (error-feedback residual, DGC momentum).
/// Empty until the first encode that needs it: a client that never encodes costs nothing.
struct CodecState {
  std::vector<float> residual;  ///< error feedback / DGC's accumulated velocity v
  std::vector<float> momentum;  ///< DGC's momentum u
  size_t bytes() const { return (residual.size() + momentum.size()) * sizeof(float); }
};

struct EncodeContext {
  int round = 0;              ///< 1-based round (or model version): DGC's warm-up counts these
  int client = 0;             ///< device index (written in the header)
  uint64_t seed = 0;          ///< this encoding's random stream
  int clients_per_round = 1;  ///< N: DGC scales its clipping threshold by N^-1/2
};

struct Payload {
  Bytes bytes;              ///< exactly what crosses the link
  double paper_bytes = 0;   ///< what the method's paper/code counts for the same update
  double ops = 0;           ///< operations the encoder performed (simulated device flops)
  int64_t kept = 0;         ///< entries carried (n for dense codecs)
};

struct Decoded {
  std::vector<float> update;
  double ops = 0;  ///< operations the decoder performed (simulated server flops)
};

/// Typed codec settings, as read from a scenario's algorithm.compression.{up,down}.
/// Each codec reads only its own fields; defaults follow the card (paper form by default,
/// the authors' code as named options).
struct CodecSpec {
  std::string name = "none";  ///< none | fp16 | qsgd | fedpaq | signsgd | ef-signsgd | topk | randk | dgc | fedzip

  // qsgd, fedpaq (Alistarh et al. 2017; Reisizadeh et al. 2020)
  int levels = 4;             ///< s quantization levels (s >= 1)
  int bucket = 512;           ///< elements per bucket, each with its own norm; 0 = whole tensor
  bool elias = true;          ///< qsgd: Elias-omega coded as in the paper; false = fixed width (fedpaq always)

  // topk, randk, dgc
  double density = 0.01;      ///< fraction of each tensor's entries sent (dgc: final density)
  bool error_feedback = true; ///< topk/randk: keep what was not sent (memory); randk without it scales by n/k
  IndexCoding index_coding = IndexCoding::Auto;  ///< smallest per block unless forced (dgc code: int64)
  bool fp16_values = false;   ///< send kept values as binary16

  // dgc (Lin et al. 2018), in its federated translation (card §1.9): once per round on the
  // round's update instead of once per step on a gradient
  double momentum = 0.9;      ///< m of momentum correction (0 = top-k with error feedback)
  bool nesterov = false;
  bool momentum_masking = true;  ///< zero the momentum where values were sent
  double clip_norm = 0;       ///< local clipping threshold C (scaled by N^-1/2); 0 = off (the code's default)
  std::string warmup = "paper";  ///< "paper": density 4^-(e+1) for e < warmup_rounds; "code": coeff^(e+1); "none"
  int warmup_rounds = 4;      ///< E (paper 4; the code's wm5 config 5)
  double warmup_coeff = 0;    ///< "code" warm-up coefficient; 0 = density^(1/(E+1)) (the code's "auto")
  double sample_ratio = 0.01; ///< fraction of entries sampled to estimate the threshold (>= 0.01, the code's clamp)
  bool compress_vectors = false;  ///< dgc, fedzip: also compress dim <= 1 tensors (code: dense)

  // fedzip (Malekijoo et al. 2021)
  double keep = 0.2;          ///< top-z: fraction of each tensor kept before clustering
  int kmeans_iterations = 4;  ///< Lloyd iterations (code: 4)
  bool zero_preserving = false;  ///< force the middle centroid to 0 (the code moves pruned entries slightly)
};

/// The names CodecSpec::name accepts, in a stable order.
const std::vector<std::string>& codec_names();

class Codec {
 public:
  virtual ~Codec() = default;
  virtual std::string name() const = 0;
  /// Whether encode() reads and writes a CodecState (error feedback, momentum).
  virtual bool stateful() const { return false; }
  /// Encodes `update` (layout().total() values). `state` may be null only for stateless codecs.
  virtual Payload encode(const std::vector<float>& update, CodecState* state, const EncodeContext& ctx) const = 0;
  virtual Decoded decode(const Bytes& payload) const = 0;
  const TensorLayout& layout() const { return layout_; }

 protected:
  explicit Codec(TensorLayout layout) : layout_(std::move(layout)) {}
  TensorLayout layout_;
};

/// The codec `spec` names for updates of `layout`; throws std::invalid_argument for an
/// unknown name or out-of-range settings.
std::unique_ptr<Codec> make_codec(const CodecSpec& spec, const TensorLayout& layout);

/// DGC's density in round `round` (1-based) under `spec`'s warm-up.
double dgc_density(const CodecSpec& spec, int round);

}  // namespace flemu::compression
