// A client's part of one round, as a SimGrid actor on the device's host.
//
// Lifetime: created by a server when it engages the device, gone after its upload, so a
// device costs an actor only while it works. Protocol: download what the algorithm sends
// (order.wire.down: the model, plus a control variate for SCAFFOLD...), train (the real job
// runs on the pool while the device's host executes the job's flops: every gradient
// evaluation of every sample), upload what the algorithm sends back (order.wire.up) and hand
// the update to the server's inbox. Transfers go through transfer_bytes (emulator/core/device_transfer.hpp):
// a device that goes off kills its actor and the transfers it was making, and nothing is left
// waiting. Calls that advance simulated time: the transfers and the execution.
#pragma once
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/algorithm.hpp"
#include "emulator/core/device_transfer.hpp"
#include "emulator/core/federation.hpp"

namespace flemu {

/// The server's order to a client: what to train from, and how.
struct TrainOrder {
  int round = 0;          ///< the round (sync), the version being built (async), or the request number (anarchic)
  int base_version = 0;   ///< model version the client starts from
  std::shared_ptr<const Params> global;  ///< what the client starts from
  LocalTrainingSpec local;
  Wire wire;              ///< what the download and the upload carry (the algorithm's declaration)
  double download_flops = 0;               ///< device work to unpack the download
  const UpdateEncoder* encoder = nullptr;  ///< how the client encodes its update (nullptr: wire.up as declared)
  const SplitPlan* split = nullptr;        ///< split learning: the client runs split_client.hpp's protocol
  uint64_t seed = 0;
  /// Set when the server trained the whole round's clients as one stacked job
  /// (Trainer::prefers_groups): this client's result is group.get()[group_index].
  std::shared_future<std::vector<TrainResult>> group;
  int group_index = -1;
  /// Who completes the download and the upload on the server's side (device_transfer.hpp).
  ServerEnd server_end = ServerEnd::Helper;
};

/// The job `order` asks of `device`.
TrainJob make_train_job(const Federation& fed, int device, const TrainOrder& order);

/// A message to the server's inbox.
struct ServerMessage {
  ClientUpdate update;
  /// Compressed runs: the encoded update (update.params is null until the server's inbox
  /// decodes it into start - decoded update; emulator/core/update_compression.hpp).
  std::vector<uint8_t> payload;
};

/// What a server can see of a client it engaged.
struct ClientStatus {
  bool failed = false;  ///< the actor was killed (its device went off)
};

class ClientActor {
 public:
  ClientActor(Federation& fed, int device, std::shared_ptr<const TrainOrder> order, std::shared_ptr<ClientStatus> status)
      : fed_(fed), device_(device), order_(std::move(order)), status_(std::move(status)) {}
  void operator()();

 private:
  Federation& fed_;
  int device_;
  std::shared_ptr<const TrainOrder> order_;
  std::shared_ptr<ClientStatus> status_;
};

/// Server side of a compressed upload, in the server actor: decodes message.payload into
/// update.params = start - decoded, spending the decode's operations on the server host.
void decode_arrived_update(Federation& fed, ServerMessage& message);

/// Tells the server that the client on `device` failed (a job threw): the run ends with it.
void report_failure(Federation& fed, int device, int round, const std::exception& e);

/// Downloads, trains and uploads for `order` on `device` (shared with anarchic clients).
void download_train_upload(Federation& fed, int device, const TrainOrder& order);

// The steps of a client's round, shared by the protocols (plain and split). Each runs on the
// device's actor; those that move bytes or spend flops advance simulated time.

/// "client-<device>".
std::string client_actor_name(int device);
/// What a client received: when its download (and decoding it) completed, and the parameters
/// it trains from (the global model, or what it decoded of a compressed broadcast).
struct Received {
  double done = 0;
  std::shared_ptr<const Params> start;
};
/// Receives the order's download (Download event; Decode event when compressed).
Received receive_download(Federation& fed, int device, const TrainOrder& order);
/// A trained update and the algorithm's encoding of it (nullptr: wire.up as declared).
struct TrainedUpdate {
  TrainResult result;
  std::shared_ptr<const UpdatePayload> payload;
};
/// Starts the real job (and the encoding) on a worker thread, or picks it from the round's
/// stacked group; no simulated time passes.
std::future<TrainedUpdate> start_training(Federation& fed, const TrainJob& job, const TrainOrder& order);
/// The device computes `flops` on all its cores (its energy meter sees it busy meanwhile).
void device_compute(Federation& fed, int device, double flops);
/// Uploads `trained` to the server's inbox (Upload event): the payload's bytes, or wire.up's.
void send_update(Federation& fed, int device, const TrainOrder& order, const TrainJob& job, TrainedUpdate trained);

}  // namespace flemu
