// The server of zeroth-order FL (fedzo, fzoos), as a SimGrid actor: synchronous rounds over
// every client whose device is on (cross-silo: no sampling).
//
// Round r: every available client gets x_r (FZooS: with the global surrogate's weights) and
// runs its local phase; the server averages what arrived (zo_common.hpp average_step). With
// server_accept "if-improved" it sends the average to those clients, each queries its
// function there and uploads the value, and the server keeps the average only if the mean
// value improved on the clients' values at x_r (the FZooS code's rule, made honest). FZooS then
// runs its surrogate phase: every client that answered gets the new point, makes its active
// queries, fits its RFF model and uploads the weights, whose mean is the next global surrogate.
// The global F at the new point is measured (no query, no time) for the metrics.
// A client whose device goes off is noticed at the next heartbeat and its work dropped.
// Wire: 4 bytes per value (fp32, as models): x is d values, surrogate weights M.
#pragma once
#include "emulator/schedules/server_outcome.hpp"
#include "emulator/schedules/zo_federation.hpp"

namespace flemu {

class ZoServer {
 public:
  ZoServer(ZoFederation& fed, ServerOutcome& outcome) : fed_(fed), outcome_(outcome) {}
  void operator()();

 private:
  /// Sends `orders` (one per client) and returns the replies that came back, by client.
  std::vector<ZoReply> run_phase(int round, const std::vector<std::pair<int, std::shared_ptr<const ZoOrder>>>& orders);

  ZoFederation& fed_;
  ServerOutcome& outcome_;
};

}  // namespace flemu
