// Moving bytes between the server and a device: downloads, uploads and anarchic requests.
//
// A transfer is a mailbox rendezvous, over the device's own mailbox for that way, between the
// device's actor and an actor on the server host. It takes the simulated time, link share and
// link energy of any SimGrid comm from one host to the other. The server's end is either a
// short-lived helper actor spawned for the one transfer, or a RoundTransfers actor that
// posted the server's end of every download and upload of a sync round at once (a round of
// N devices then costs one extra actor, not 2N).
//
// Managed flows. For a device whose links change bandwidth during the run, or whose energy
// is metered (fleet.hpp), the side that starts the flow (the one whose post matches the
// other's) keeps it suspended while it pays its latency, and resumes it at the end of the
// latency, which the transfer computes (start + latency factor x route latency, as SimGrid
// does). Why:
//   - under LV08 (network/weight-S > 0), SimGrid 3.32 re-weights every flow on a link whose
//     bandwidth changes, including flows still in their latency; they then start sharing
//     early and, in its lazy update, never get a completion date: they stall until the next
//     change of one of their links (NetworkCm02Link::set_bandwidth). A suspended flow is left
//     alone (its weight is still updated); resuming it also counts no byte for the latency,
//     since SimGrid books a flow's progress at the rate it had (0) since its last update;
//   - a flow keeps as its rate cap the smallest bandwidth its route had when it started
//     (comm_action_set_bounds): begun inside a slow window, it would stay slow after the
//     window. The starting side lifts the device's link to the highest rate it ever has for
//     the instant of the start, so that the link's current bandwidth alone limits the flow;
//   - the fleet's energy meter must hear when the latency ends (the radio starts working).
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
#include <functional>
#include <memory>
#include <vector>

#include <simgrid/s4u.hpp>

#include "platforms/star_platform.hpp"

namespace flemu {

class Fleet;

enum class TransferWay { ToDevice, ToServer };

class FluidTransfers;  // emulator/core/fluid_transfers.hpp

/// Who completes a transfer on the server's side.
enum class ServerEnd {
  Helper,  ///< a helper actor spawned for this transfer (any schedule)
  Posted,  ///< already posted by the round's RoundTransfers (sync rounds)
};

/// What transfers of this run need besides the two hosts. SimGrid's engine is one per process,
/// so is this: run_scenario installs it once the platform and fleet exist, before the engine
/// runs, and clears it after. Without it, transfers are plain rendezvous comms.
struct TransferRules {
  const StarPlatform* platform = nullptr;
  Fleet* fleet = nullptr;  ///< the energy meter, told of flows and their latency; nullptr: none
};
void install_transfer_rules(const TransferRules& rules);
void clear_transfer_rules();

/// Moves `bytes` between `server` and device `device`, whose host the calling actor runs on;
/// returns when the last byte has arrived. Raises what a comm raises (NetworkFailureException
/// when a link on the way goes off); when the device goes off SimGrid kills the caller. With
/// `fluid` (the run's shared link is a fluid model, fluid_transfers.hpp) the bytes go through
/// it instead of a comm, and `server_end` does not matter.
void transfer_bytes(TransferWay way, simgrid::s4u::Host* server, int device, uint64_t bytes,
                    ServerEnd server_end = ServerEnd::Helper, FluidTransfers* fluid = nullptr);

/// For schedule code that starts device-to-device comms itself (peer exchanges, pairwise
/// gossip): runs `post` (a put_async, get_async or sendto_async from `from` to `to`) so that,
/// if it starts the flow and an end is managed, the flow is held during its latency as
/// transfer_bytes holds its own (a daemon resumes it then and tells the fleet's meter).
simgrid::s4u::CommPtr start_peer_flow(int from, int to, const std::function<simgrid::s4u::CommPtr()>& post);
/// Tells the fleet's meter that a flow between `from` and `to` ended (done, failed, cancelled).
void peer_flow_ended(int from, int to);

/// The server's end of every transfer of one sync round: one actor on the server host posts,
/// for each device, the download (`download_bytes[i]` for devices[i]) and the receiving end of
/// its upload (whose size the device's side sets), and never waits on them. Destroying it
/// withdraws what was not transferred: call it once the round's clients have uploaded or
/// been killed, before the next round posts its own.
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
