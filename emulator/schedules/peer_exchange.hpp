// Device-to-device messages for the decentralized schedules: a node sends its value to its
// neighbours and receives theirs, over the platform (platforms/p2p_platform.hpp: the access
// links of both ends, or the edge's direct link).
//
// One mailbox per directed edge ("p2p-<from>><to>"), so a receive matches only that
// neighbour's sends, in the order they were made (both ends of an edge run the same sequence
// of phases). The payload is a pointer to a PeerMessage owned by whoever outlives the
// exchange (the round's bookkeeping for sync rounds); the comm carries its simulated size.
// Calls that advance simulated time: exchange_with_peers and send_and_receive.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "workloads/models/trainer.hpp"

namespace flemu {

struct PeerMessage {
  int from = -1;
  int phase = 0;  ///< sync rounds: (round, q) flattened; pairwise: the exchange's number
  std::shared_ptr<const Params> value;
};

struct ExchangeResult {
  std::vector<int> received_from;                         ///< in the order of `from`
  std::vector<std::shared_ptr<const Params>> values;      ///< aligned with received_from
  std::vector<int> missing;                               ///< of `from`: nothing arrived (peer gone)
  int sent = 0;                                           ///< messages that reached their receiver
};

/// From the actor of device `self`: sends `message` (of `bytes`) to every node of `to` and
/// receives one message from every node of `from`, all at once (the transfers share the links
/// on their way). Returns when each transfer completed or failed, or its peer was found gone:
/// `alive(peer)` is asked every `heartbeat_s` for the peers still pending, and a peer that is
/// not alive has its transfers cancelled.
ExchangeResult exchange_with_peers(int self, const PeerMessage* message, const std::vector<int>& to,
                                   const std::vector<int>& from, uint64_t bytes, double heartbeat_s,
                                   const std::function<bool(int)>& alive);

}  // namespace flemu
