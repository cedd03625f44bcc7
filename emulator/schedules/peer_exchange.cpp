#include "emulator/schedules/peer_exchange.hpp"

#include <string>

#include <simgrid/Exception.hpp>
#include <simgrid/s4u.hpp>

#include "emulator/core/device_transfer.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

namespace {

sg4::Mailbox* edge_mailbox(int from, int to) {
  return sg4::Mailbox::by_name("p2p-" + std::to_string(from) + ">" + std::to_string(to));
}

}  // namespace

ExchangeResult exchange_with_peers(int self, const PeerMessage* message, const std::vector<int>& to,
                                   const std::vector<int>& from, uint64_t bytes, double heartbeat_s,
                                   const std::function<bool(int)>& alive) {
  struct Pending {
    sg4::CommPtr comm;
    int peer;
    bool receive;
    size_t slot;  // receives: index into `from`
  };
  ExchangeResult result;
  std::vector<PeerMessage*> slots(from.size(), nullptr);
  std::vector<bool> arrived(from.size(), false);
  std::vector<Pending> pending;
  pending.reserve(to.size() + from.size());
  for (int j : to)
    pending.push_back(
        {start_peer_flow(self, j, [&] { return edge_mailbox(self, j)->put_async(const_cast<PeerMessage*>(message), bytes); }),
         j, false, 0});
  for (size_t k = 0; k < from.size(); ++k)
    pending.push_back(
        {start_peer_flow(from[k], self, [&] { return edge_mailbox(from[k], self)->get_async<PeerMessage>(&slots[k]); }),
         from[k], true, k});

  auto ended = [&](const Pending& p) { p.receive ? peer_flow_ended(p.peer, self) : peer_flow_ended(self, p.peer); };
  auto complete = [&](size_t i) {
    const Pending& p = pending[i];
    ended(p);
    if (p.receive)
      arrived[p.slot] = true;
    else
      result.sent++;
    pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(i));
  };
  // After a failure or a heartbeat: settle each pending transfer on its own (test() raises
  // for one that failed), and give up on those whose peer is gone.
  auto sweep = [&] {
    for (size_t i = pending.size(); i-- > 0;) {
      // A comm whose failure was raised by wait_any_for is marked FAILED on our side, and
      // test() must not be called on it again (SimGrid asserts).
      const auto state = pending[i].comm->get_state();
      bool done = state == sg4::Activity::State::FINISHED;
      bool failed = state == sg4::Activity::State::FAILED || state == sg4::Activity::State::CANCELED;
      if (!done && !failed) {
        try {
          done = pending[i].comm->test();
        } catch (const simgrid::Exception&) {
          failed = true;
        }
      }
      if (done) {
        complete(i);
      } else if (failed || !alive(pending[i].peer)) {
        if (!failed) pending[i].comm->cancel();
        ended(pending[i]);
        pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
  };
  while (!pending.empty()) {
    std::vector<sg4::CommPtr> comms;
    comms.reserve(pending.size());
    for (const auto& p : pending) comms.push_back(p.comm);
    ssize_t index = -1;
    try {
      index = sg4::Comm::wait_any_for(comms, heartbeat_s);
    } catch (const simgrid::Exception&) {
      index = -1;  // one of them failed (its peer's device went off): find which
    }
    if (index >= 0)
      complete(static_cast<size_t>(index));
    else
      sweep();
  }
  for (size_t k = 0; k < from.size(); ++k) {
    if (arrived[k] && slots[k] && slots[k]->value) {
      result.received_from.push_back(from[k]);
      result.values.push_back(slots[k]->value);
    } else {
      result.missing.push_back(from[k]);
    }
  }
  return result;
}

}  // namespace flemu
