// A client's part of one phase of a zeroth-order round, as a SimGrid actor on its device.
//
// Download the order's bytes, do the phase's work (the real computation, queries of the
// client's black box and the method's own maths, runs on the job pool while the device spends
// queries x flops_per_query + the method's flops of simulated compute), upload the reply's
// bytes and hand it to the server's inbox. Phases: Local (the method's local steps), Accept
// (one query at the server's candidate point, server_accept "if-improved") and Surrogate
// (FZooS: active queries and the RFF fit at the new global point). Calls that advance simulated
// time: the transfers and the execution. A device that goes off kills the actor.
#pragma once
#include <memory>

#include "emulator/schedules/zo_federation.hpp"

namespace flemu {

struct ZoClientStatus {
  bool failed = false;
};

class ZoClient {
 public:
  ZoClient(ZoFederation& fed, int client, std::shared_ptr<const ZoOrder> order, std::shared_ptr<ZoClientStatus> status)
      : fed_(fed), client_(client), order_(std::move(order)), status_(std::move(status)) {}
  void operator()();

 private:
  ZoFederation& fed_;
  int client_;
  std::shared_ptr<const ZoOrder> order_;
  std::shared_ptr<ZoClientStatus> status_;
};

}  // namespace flemu
