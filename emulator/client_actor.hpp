// A client's part of one round, as a SimGrid actor on the device's host.
//
// Lifetime: created by a server when it engages the device, gone after its upload, so a
// device costs an actor only while it works. Protocol: receive the order with the global model
// (download), train (the real job runs on the pool while the device's host executes the job's
// flops), send the update to the server (upload). Calls that advance simulated time: the
// mailbox get/put and the execution. If the device turns off meanwhile, SimGrid kills the
// actor: its ClientStatus says so, for the server's next heartbeat.
#pragma once
#include <memory>

#include "algorithms/algorithm.hpp"
#include "emulator/federation.hpp"

namespace flemu {

/// The server's order to a client: a comm of the model's size.
struct TrainOrder {
  int round = 0;          ///< the round (sync) or the version being built (async)
  int base_version = 0;   ///< model version the client starts from
  std::shared_ptr<const Params> global;
  LocalTrainingSpec local;
  uint64_t seed = 0;
  double sent_at = 0;     ///< simulated time the server started sending
  bool stop = false;      ///< the run is over: no model, stop waiting (anarchic clients)
};

/// A message to the server: an update (a comm of the model's size) or, from anarchic
/// clients, a request for the current model (a small comm).
struct ServerMessage {
  enum Kind { Update, ModelRequest } kind = Update;
  ClientUpdate update;
};

/// What a server can see of a client it engaged.
struct ClientStatus {
  bool failed = false;  ///< the actor was killed (its device went off)
};

class ClientActor {
 public:
  ClientActor(Federation& fed, int device, int round, std::shared_ptr<ClientStatus> status)
      : fed_(fed), device_(device), round_(round), status_(std::move(status)) {}
  void operator()();

 private:
  Federation& fed_;
  int device_;
  int round_;
  std::shared_ptr<ClientStatus> status_;
};

/// Receives one order on the device's mailbox and runs it (shared with anarchic clients).
/// Orders of other rounds still queued from a previous life of the device are discarded.
void receive_train_and_upload(Federation& fed, int device, int round);

}  // namespace flemu
