// Compressed transfers during a run (a scenario's algorithm.compression): what the client actor
// and the server's inbox call so that every schedule (sync, async, anarchic) sends encoded
// payloads of their real size.
//
// Who does what, and where simulated time goes:
//   download: the server encodes each global model version once (real encode here; its
//             operations executed on the server host by a short-lived actor, which the
//             version's first downloader starts and every downloader waits for); the client
//             transfers the payload's bytes, executes the decode's operations on its device,
//             and trains from the decoded model.
//   upload:   the client encodes start - trained with a copy of its codec state (real encode
//             on the job pool; its operations executed on the device), transfers the
//             payload's bytes, and its new codec state is committed once the upload has
//             arrived (a lost upload leaves the client's state as it was, like the algorithms'
//             client state, algorithms/client_state.hpp). The server's inbox decodes each
//             arriving payload (operations executed on the server host) into
//             params = start - decoded update, so aggregation code is unchanged.
// Only the algorithm's "model" part of a message is encoded (wire.hpp); other parts (SCAFFOLD's
// control variate) travel as declared.
//
// Analytic training (no parameters): the codecs encode a seeded Gaussian stand-in of the
// model's size instead (standard deviation 0.05 for a model, 0.01 for an update), so that
// payload sizes, operation counts and codec state follow the real codecs; nothing is decoded
// into the (empty) models.
//
// Not thread-safe except encode_up(), which the job pool runs: the rest is called from actors
// (one OS thread).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include <simgrid/s4u.hpp>

#include "algorithms/compression/codec.hpp"
#include "algorithms/compression/compression_spec.hpp"
#include "algorithms/wire.hpp"
#include "emulator/core/event.hpp"
#include "workloads/models/model_info.hpp"
#include "workloads/models/trainer.hpp"

namespace flemu {

/// The model's tensors as a codec cuts an update (per layer: weight, then bias); one tensor
/// when the layer list does not account for every parameter.
compression::TensorLayout tensor_layout(const ModelInfo& model);

/// `wire` with its "model" part's bytes replaced by `payload_bytes` (the first part if none is
/// named "model").
WireMessage with_model_bytes(const WireMessage& wire, int64_t payload_bytes);

class UpdateCompression {
 public:
  UpdateCompression(const CompressionSpec& spec, const ModelInfo& model, uint64_t scenario_seed, int clients_per_round);

  bool encodes_up() const { return up_ != nullptr; }
  bool encodes_down() const { return down_ != nullptr; }

  /// A global model version as clients download it.
  struct Broadcast {
    std::shared_ptr<const Params> model;  ///< what a client decodes and trains from
    int64_t bytes = 0;                    ///< payload on the wire
    double paper_bytes = 0;
    double encode_ops = 0, decode_ops = 0;
    bool started = false;                 ///< the server's encode was started (by the first downloader)
    bool encoded = false;                 ///< the server's encode has been executed
    simgrid::s4u::SemaphorePtr ready;     ///< released once `encoded`
  };
  /// The broadcast of `global` (encoded on first request); the caller waits on `ready` until
  /// `encoded` (wait_for_broadcast does both, from a client actor).
  std::shared_ptr<Broadcast> broadcast(const std::shared_ptr<const Params>& global, int version);
  /// From a client actor: starts the server's encode of `b` if nobody did, and waits for it;
  /// the encode's span goes to `bus` (actor "encode-model", round `round`: the first
  /// requester's).
  void wait_for_broadcast(const std::shared_ptr<Broadcast>& b, int round, simgrid::s4u::Host* server,
                          const EventBus& bus);

  /// An update as a client encodes it.
  struct Encoded {
    compression::Payload payload;
    compression::CodecState state;  ///< the client's codec state after this encode
  };
  /// The client's codec state now (a copy, for a job).
  compression::CodecState state_of(int client) const;
  /// Pure (thread-safe): encodes start - trained from `state`.
  Encoded encode_up(int client, int round, const Params& start, const Params& trained,
                    compression::CodecState state) const;
  /// The upload arrived: the client keeps `state`.
  void commit(int client, compression::CodecState state);
  /// Server side: start - decode(payload), and the decode's operation count.
  compression::Decoded decode_up(const compression::Bytes& payload) const;

  /// Dense float32 bytes of the model (what an uncompressed transfer of it costs).
  int64_t dense_model_bytes() const { return dense_bytes_; }
  /// Codec state held by clients (summary.json).
  int64_t state_bytes() const;
  int64_t clients_with_state() const { return static_cast<int64_t>(states_.size()); }
  const CompressionSpec& spec() const { return spec_; }

 private:
  /// A Gaussian vector of the model's size (analytic training's stand-in for a real one).
  Params stand_in(uint64_t seed, double scale) const;

  CompressionSpec spec_;
  compression::TensorLayout layout_;
  std::unique_ptr<compression::Codec> up_, down_;
  uint64_t seed_;
  int clients_per_round_;
  int64_t dense_bytes_;
  std::map<int, compression::CodecState> states_;
  /// Broadcasts of the versions still held by someone (keyed by the model's address; the weak
  /// pointer tells a reused address from the same model).
  std::map<const Params*, std::pair<std::weak_ptr<const Params>, std::shared_ptr<Broadcast>>> broadcasts_;
};

}  // namespace flemu
