#include "emulator/core/update_compression.hpp"

#include <stdexcept>

#include "workloads/rng.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

compression::TensorLayout tensor_layout(const ModelInfo& model) {
  compression::TensorLayout layout;
  for (const auto& l : model.layers) {
    const int64_t weights = l.kind == LayerShape::Linear ? l.in * l.out : l.out * l.in * l.kernel * l.kernel;
    layout.numel.push_back(weights);
    layout.is_vector.push_back(false);
    layout.numel.push_back(l.out);
    layout.is_vector.push_back(true);
  }
  if (layout.numel.empty() || layout.total() != model.num_params) {
    layout.numel = {model.num_params};
    layout.is_vector = {false};
  }
  return layout;
}

WireMessage with_model_bytes(const WireMessage& wire, int64_t payload_bytes) {
  WireMessage out = wire;
  if (out.parts.empty()) throw std::logic_error("compressing a message without parts");
  size_t at = 0;
  for (size_t i = 0; i < out.parts.size(); ++i)
    if (out.parts[i].what == "model") {
      at = i;
      break;
    }
  out.parts[at].bytes = payload_bytes;
  return out;
}

UpdateCompression::UpdateCompression(const CompressionSpec& spec, const ModelInfo& model, uint64_t scenario_seed,
                                     int clients_per_round)
    : spec_(spec),
      layout_(tensor_layout(model)),
      seed_(scenario_seed),
      clients_per_round_(clients_per_round),
      dense_bytes_(model.bytes) {
  if (spec.up.name != "none") up_ = compression::make_codec(spec.up, layout_);
  if (spec.down.name != "none") down_ = compression::make_codec(spec.down, layout_);
}

std::shared_ptr<UpdateCompression::Broadcast> UpdateCompression::broadcast(const std::shared_ptr<const Params>& global,
                                                                           int version) {
  for (auto it = broadcasts_.begin(); it != broadcasts_.end();)
    it = it->second.first.expired() ? broadcasts_.erase(it) : std::next(it);
  auto it = broadcasts_.find(global.get());
  if (it != broadcasts_.end() && it->second.first.lock() == global) return it->second.second;
  auto b = std::make_shared<Broadcast>();
  b->ready = sg4::Semaphore::create(0);
  if (!down_) {
    b->model = global;
    b->bytes = dense_bytes_;
    b->paper_bytes = static_cast<double>(dense_bytes_);
    b->encoded = true;
  } else {
    compression::EncodeContext ctx;
    ctx.round = version;
    ctx.client = -1;
    ctx.seed = derive_seed(seed_, SeedStream::Compression, {0, uint64_t(version)});
    ctx.clients_per_round = clients_per_round_;
    const bool analytic = global->empty();
    compression::Payload p =
        down_->encode(analytic ? stand_in(derive_seed(ctx.seed, {2}), 0.05) : *global, nullptr, ctx);
    compression::Decoded d = down_->decode(p.bytes);
    b->model = analytic ? global : std::make_shared<const Params>(std::move(d.update));
    b->bytes = static_cast<int64_t>(p.bytes.size());
    b->paper_bytes = p.paper_bytes;
    b->encode_ops = p.ops;
    b->decode_ops = d.ops;
  }
  broadcasts_[global.get()] = {global, b};
  return b;
}

void UpdateCompression::wait_for_broadcast(const std::shared_ptr<Broadcast>& b, int round, sg4::Host* server,
                                           const EventBus& bus) {
  if (b->encoded) return;
  if (!b->started) {  // the first downloader starts the server's encode
    b->started = true;
    sg4::Actor::create("encode-model", server, [b, round, &bus] {
      const double t0 = sg4::Engine::get_clock();
      sg4::this_actor::execute(b->encode_ops);
      Event e{sg4::Engine::get_clock(), t0, EventKind::Encode, "encode-model", sg4::this_actor::get_host()->get_name(),
              round};
      e.flops = b->encode_ops;
      bus.emit(e);
      b->encoded = true;
      b->ready->release();
    });
  }
  b->ready->acquire();
  b->ready->release();  // let the next waiter through
}

Params UpdateCompression::stand_in(uint64_t seed, double scale) const {
  Rng rng(seed);
  Params x(static_cast<size_t>(layout_.total()));
  for (float& v : x) v = static_cast<float>(scale * rng.normal());
  return x;
}

compression::CodecState UpdateCompression::state_of(int client) const {
  auto it = states_.find(client);
  return it == states_.end() ? compression::CodecState{} : it->second;
}

UpdateCompression::Encoded UpdateCompression::encode_up(int client, int round, const Params& start, const Params& trained,
                                                        compression::CodecState state) const {
  if (!up_) throw std::logic_error("encode_up without an uplink codec");
  compression::EncodeContext ctx;
  ctx.round = round;
  ctx.client = client;
  ctx.seed = derive_seed(seed_, SeedStream::Compression, {1, uint64_t(round), uint64_t(client)});
  ctx.clients_per_round = clients_per_round_;
  Params delta(start.size());
  for (size_t i = 0; i < delta.size(); ++i) delta[i] = start[i] - trained[i];  // descent direction (card §0)
  if (start.empty()) delta = stand_in(derive_seed(ctx.seed, {2}), 0.01);
  Encoded e;
  e.payload = up_->encode(delta, up_->stateful() ? &state : nullptr, ctx);
  e.state = std::move(state);
  return e;
}

void UpdateCompression::commit(int client, compression::CodecState state) {
  if (!up_ || !up_->stateful()) return;
  states_[client] = std::move(state);
}

compression::Decoded UpdateCompression::decode_up(const compression::Bytes& payload) const {
  if (!up_) throw std::logic_error("decode_up without an uplink codec");
  return up_->decode(payload);
}

int64_t UpdateCompression::state_bytes() const {
  int64_t bytes = 0;
  for (const auto& [client, s] : states_) bytes += static_cast<int64_t>(s.bytes());
  return bytes;
}

}  // namespace flemu
