// Moving bytes between the server and a device: downloads, uploads and anarchic requests.
//
// A transfer is a mailbox rendezvous, over the device's own mailbox for that way, between the
// device's actor and an actor on the server host. It takes the simulated time, link share and link
// energy of any SimGrid comm from one host to the other. The server's end is either a
// short-lived helper actor spawned for the one transfer, or a RoundTransfers actor that
// posted the server's end of every download and upload of a sync round at once (a round of
// N devices then costs one extra actor, not 2N).
//
// Why not Comm::sendto, the obvious call for a payload-free host-to-host transfer: SimGrid
// 3.32 makes those comms detached, keeps every detached comm in maestro's std::list of
// activities and, each time one finishes, erases it with std::list::remove, which walks the
// whole list. With N devices transferring at once a round costs O(N^2): at 20,000 devices 85%
// of the run was that walk (perf), 100,000 did not finish in 180 s. A rendezvous comm sits
// only in its two actors' own lists, and it is erased only from the lists of the actors
// that wait for it: the device's (one entry). Why not one server mailbox shared by all
// devices: matching N senders on one mailbox is O(N^2) too (../shared/FACTS.md).
#pragma once
#include <cstdint>
#include <vector>

#include <simgrid/s4u.hpp>

namespace flemu {

enum class TransferWay { ToDevice, ToServer };

/// Who completes a transfer on the server's side.
enum class ServerEnd {
  Helper,  ///< a helper actor spawned for this transfer (any schedule)
  Posted,  ///< already posted by the round's RoundTransfers (sync rounds)
};

/// Moves `bytes` between `server` and device `device`, whose host the calling actor runs on;
/// returns when the last byte has arrived. Raises what a comm raises (NetworkFailureException
/// when a link on the way goes off); when the device goes off SimGrid kills the caller.
void transfer_bytes(TransferWay way, simgrid::s4u::Host* server, int device, uint64_t bytes,
                    ServerEnd server_end = ServerEnd::Helper);

/// The server's end of every transfer of one sync round: one actor on the server host posts,
/// for each device, the model download (`download_bytes[i]` for devices[i]) and the receiving
/// end of the update upload (its size is the device's), and never waits on them. Destroying it withdraws what was not transferred: call it once the round's
/// clients have uploaded or been killed, before the next round posts its own.
class RoundTransfers {
 public:
  RoundTransfers(simgrid::s4u::Host* server, std::vector<int> devices, std::vector<uint64_t> download_bytes);
  ~RoundTransfers();
  RoundTransfers(const RoundTransfers&) = delete;
  RoundTransfers& operator=(const RoundTransfers&) = delete;

 private:
  simgrid::s4u::ActorPtr actor_;
  // The posted comms. Held so that none is destroyed while it runs (SimGrid complains about
  // that); the actor's own activity list keeps them too, and never walks it before it dies.
  std::shared_ptr<std::vector<simgrid::s4u::CommPtr>> posted_;
};

}  // namespace flemu
