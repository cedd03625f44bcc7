// Collective operations as small actor protocols: ring, tree, star (hub) and hierarchical
// all-reduce, ring reduce-scatter and all-gather, binomial reduce and broadcast, and
// neighbour exchange.
//
// How they are called: SPMD, like MPI or NCCL. Every rank of a Communicator calls the same
// function from an actor running on its own host (comm.host(rank)), with its own Buffer; the
// call returns when that rank's part is done. Ranks meet through mailboxes named after the
// communicator and the (sender, receiver) pair, so messages between two ranks are matched in
// the order they were posted: a rank may run several collectives one after the other on one
// communicator (all ranks in the same order), and several communicators at once.
//
// What travels: every message is a real SimGrid comm of exactly the bytes the algorithm sends
// (elements x bytes_per_element; a block of a ring step is one p-th of the buffer, see
// block_range). With Buffer::values set, the message also carries the float values and the
// receiving rank reduces them, so the result is what that algorithm computes, float rounding
// and summation order included; without values (analytic runs) only the bytes move.
//
// Summation orders (fixed by the algorithm, never by timing; *_reference functions below
// reproduce them in one process):
//   ring       block c is summed along the ring starting after its owner:
//              ((x[c+1] + x[c+2]) + ...) + x[c]   (indices mod p)
//   tree       binomial reduction to the root: each rank adds its children's partial sums
//              into its own, children in increasing distance (1, 2, 4, ...)
//   star       the hub adds the others into its own, in increasing rank order
//   Mean       the sum, then each element divided by p (float division)
//
// Simulated time comes only from the comms (and, optionally, from the flops of the reductions,
// executed on the rank's host where they share its cores with whatever else runs there).
// Textbook times on uncontended links are in collective_time.hpp; tests check one against the
// other on the exact network model.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <simgrid/s4u.hpp>

namespace flemu {

/// A group of ranks that run collectives together (MPI's communicator). Cheap to copy.
class Communicator {
 public:
  /// `name` must be unique among the communicators of a run: it names the mailboxes.
  Communicator(std::string name, std::vector<simgrid::s4u::Host*> hosts);
  const std::string& name() const { return name_; }
  int size() const { return static_cast<int>(hosts_.size()); }
  simgrid::s4u::Host* host(int rank) const { return hosts_.at(rank); }
  /// Where rank `from` posts what it sends to rank `to`.
  simgrid::s4u::Mailbox* mailbox(int from, int to) const;

 private:
  std::string name_;
  std::vector<simgrid::s4u::Host*> hosts_;
};

/// What one rank contributes to (and gets back from) a collective.
struct CollectiveBuffer {
  uint64_t elements = 0;           ///< number of elements
  double bytes_per_element = 4;    ///< on the wire: 4 for fp32, 2 for fp16/bf16
  /// The data: elements [offset, offset + elements) of *values; nullptr: bytes only.
  std::vector<float>* values = nullptr;
  uint64_t offset = 0;

  static CollectiveBuffer bytes_only(uint64_t elements, double bytes_per_element) {
    return {elements, bytes_per_element, nullptr, 0};
  }
  static CollectiveBuffer of(std::vector<float>& v, double bytes_per_element = 4) {
    return {v.size(), bytes_per_element, &v, 0};
  }
  /// A part of a vector (a gradient bucket); `v` may be nullptr (bytes only).
  static CollectiveBuffer slice(std::vector<float>* v, uint64_t offset, uint64_t elements, double bytes_per_element) {
    return {elements, bytes_per_element, v, v ? offset : 0};
  }
  double bytes() const { return static_cast<double>(elements) * bytes_per_element; }
};

enum class ReduceOp { Sum, Mean };

/// What one rank moved in one collective.
struct Traffic {
  double bytes_sent = 0;
  double bytes_received = 0;
  int messages_sent = 0;
  Traffic& operator+=(const Traffic& o) {
    bytes_sent += o.bytes_sent, bytes_received += o.bytes_received, messages_sent += o.messages_sent;
    return *this;
  }
};

struct CollectiveOptions {
  /// Flops a rank executes per element it reduces (0: reductions take no simulated time, as
  /// when a GPU sums at a rate far above the link's). Executed on the rank's host, so they
  /// share its cores with the compute running there.
  double reduce_flops_per_element = 0;
};

/// Elements [first, second) of block `i` when `n` elements are cut into `p` blocks: the first
/// n % p blocks get one element more than the others.
std::pair<uint64_t, uint64_t> block_range(uint64_t n, int p, int i);

/// Ring all-reduce: ring reduce-scatter then ring all-gather, 2(p-1) steps of one block each.
Traffic ring_allreduce(const Communicator& comm, int rank, CollectiveBuffer& buf, ReduceOp op = ReduceOp::Mean,
                       const CollectiveOptions& opt = {});
/// Ring reduce-scatter: p-1 steps; afterwards rank r holds block r reduced (other blocks hold
/// partial sums and should not be read).
Traffic ring_reduce_scatter(const Communicator& comm, int rank, CollectiveBuffer& buf, ReduceOp op = ReduceOp::Sum,
                            const CollectiveOptions& opt = {});
/// Ring all-gather: rank r contributes block r of its buffer; p-1 steps; afterwards every rank
/// holds every block.
Traffic ring_allgather(const Communicator& comm, int rank, CollectiveBuffer& buf);

/// Binomial-tree reduction to `root` (whose buffer gets the result), ceil(log2 p) rounds.
Traffic tree_reduce(const Communicator& comm, int rank, int root, CollectiveBuffer& buf, ReduceOp op = ReduceOp::Sum,
                    const CollectiveOptions& opt = {});
/// Binomial-tree broadcast of `root`'s buffer, ceil(log2 p) rounds.
Traffic tree_broadcast(const Communicator& comm, int rank, int root, CollectiveBuffer& buf);
/// Tree all-reduce: tree_reduce to rank 0, then tree_broadcast from it.
Traffic tree_allreduce(const Communicator& comm, int rank, CollectiveBuffer& buf, ReduceOp op = ReduceOp::Mean,
                       const CollectiveOptions& opt = {});

/// How the hub of a star all-reduce talks to the others.
enum class HubOrder {
  Concurrent,  ///< all receives posted at once, then all sends (flows share the hub's links)
  Sequential   ///< one worker after another, in rank order, each transfer blocking (TPI-LLM's code)
};
/// Star (parameter-server) all-reduce through rank `hub`: everyone sends its whole buffer to
/// the hub, the hub reduces and sends the result back. A barrier: nobody returns before the
/// hub has heard from everyone.
Traffic star_allreduce(const Communicator& comm, int rank, int hub, CollectiveBuffer& buf,
                       ReduceOp op = ReduceOp::Mean, HubOrder order = HubOrder::Concurrent,
                       const CollectiveOptions& opt = {});

/// Two-level all-reduce for ranks laid out as nodes x local ranks (NCCL/Horovod style):
/// ring reduce-scatter inside the node (`local`, this rank is `local_rank`), ring all-reduce
/// of the rank's own block across nodes (`cross`: the ranks with this local index on every
/// node, this rank is `node`), ring all-gather inside the node. Every node must have the same
/// number of ranks.
Traffic hierarchical_allreduce(const Communicator& local, int local_rank, const Communicator& cross, int node,
                               CollectiveBuffer& buf, ReduceOp op = ReduceOp::Mean,
                               const CollectiveOptions& opt = {});

/// One peer of a neighbour exchange: what this rank sends it and where its data lands.
struct PeerExchange {
  int peer = -1;
  uint64_t send_elements = 0;
  const std::vector<float>* send = nullptr;  ///< size send_elements, or nullptr: bytes only
  std::vector<float>* receive = nullptr;     ///< filled with what the peer sent (if it sent values)
};
/// Sends to and receives from every listed peer at once (each peer must list this rank too),
/// and returns when all transfers are done: halo exchange. Flows to several peers share the
/// rank's links.
Traffic neighbour_exchange(const Communicator& comm, int rank, const std::vector<PeerExchange>& peers,
                           double bytes_per_element = 4);

// --- one all-reduce for a whole world of ranks ----------------------------------------------

enum class AllReduceAlgorithm { Ring, Tree, Star, Hierarchical };
/// "ring" | "tree" | "star" | "hierarchical"; throws std::invalid_argument otherwise.
AllReduceAlgorithm allreduce_algorithm_from_name(const std::string& name);
/// "ring-allreduce", "tree-allreduce", "star-allreduce", "hierarchical-allreduce".
std::string to_string(AllReduceAlgorithm a);

/// The ranks of a run and the communicators one all-reduce algorithm needs: the world, and
/// for the hierarchical one the node groups and the cross-node groups (ranks are laid out
/// node-major, `ranks_per_node` per node). What a data-parallel schedule calls every round.
class AllReduceGroup {
 public:
  /// `ranks_per_node` must divide the number of ranks (hierarchical only; 0 = one node).
  /// Star: `hub` is the hub rank, `order` how it talks.
  AllReduceGroup(const std::string& name, const std::vector<simgrid::s4u::Host*>& hosts, AllReduceAlgorithm algorithm,
                 int ranks_per_node = 0, int hub = 0, HubOrder order = HubOrder::Concurrent);
  int size() const { return world_.size(); }
  AllReduceAlgorithm algorithm() const { return algorithm_; }
  /// Rank `rank`'s part of one all-reduce of `buf`.
  Traffic run(int rank, CollectiveBuffer& buf, ReduceOp op = ReduceOp::Mean, const CollectiveOptions& opt = {}) const;

 private:
  AllReduceAlgorithm algorithm_;
  Communicator world_;
  int ranks_per_node_;
  int hub_;
  HubOrder order_;
  std::vector<Communicator> nodes_, cross_;
};

// --- single-process references (pure) ---------------------------------------------------
/// What ring_allreduce leaves in every rank's buffer, given every rank's input.
std::vector<float> ring_allreduce_reference(const std::vector<std::vector<float>>& inputs, ReduceOp op);
/// What tree_allreduce leaves in every rank's buffer.
std::vector<float> tree_allreduce_reference(const std::vector<std::vector<float>>& inputs, ReduceOp op);
/// What star_allreduce through `hub` leaves in every rank's buffer.
std::vector<float> star_allreduce_reference(const std::vector<std::vector<float>>& inputs, int hub, ReduceOp op);

}  // namespace flemu
