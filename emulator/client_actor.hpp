// A client's part of one round, as a SimGrid actor on the device's host.
//
// Lifetime: created by the server when it selects the device, gone after its upload, so a
// device costs an actor only while it works. Protocol: receive the order with the global model
// (download), train (real job on the pool while the device's host executes the job's flops),
// send the update to the server (upload). Calls that advance simulated time: the mailbox
// get/put and the execution.
#pragma once
#include <memory>

#include "algorithms/algorithm.hpp"
#include "emulator/federation.hpp"

namespace flemu {

/// The server's order to a client: a comm of the model's size.
struct TrainOrder {
  int round = 0;
  std::shared_ptr<const Params> global;
  LocalTrainingSpec local;
  uint64_t seed = 0;
  double sent_at = 0;  ///< simulated time the server started sending
};

/// The client's reply: a comm of the update's size.
struct UpdateMessage {
  ClientUpdate update;
};

class ClientActor {
 public:
  ClientActor(Federation& fed, int device) : fed_(fed), device_(device) {}
  void operator()();

 private:
  Federation& fed_;
  int device_;
};

}  // namespace flemu
