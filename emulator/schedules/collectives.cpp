#include "emulator/schedules/collectives.hpp"

#include <cmath>
#include <memory>
#include <stdexcept>

namespace sg4 = simgrid::s4u;

namespace flemu {

Communicator::Communicator(std::string name, std::vector<sg4::Host*> hosts)
    : name_(std::move(name)), hosts_(std::move(hosts)) {
  if (hosts_.empty()) throw std::invalid_argument("communicator " + name_ + ": no rank");
}

sg4::Mailbox* Communicator::mailbox(int from, int to) const {
  return sg4::Mailbox::by_name(name_ + ":" + std::to_string(from) + ">" + std::to_string(to));
}

std::pair<uint64_t, uint64_t> block_range(uint64_t n, int p, int i) {
  const uint64_t base = n / p, extra = n % p, k = static_cast<uint64_t>(i);
  const uint64_t first = k * base + std::min(k, extra);
  return {first, first + base + (k < extra ? 1 : 0)};
}

namespace {

/// One message of a collective: its size on the wire and, unless bytes only, its values.
struct Message {
  uint64_t bytes = 0;
  std::vector<float> values;
};

/// A contiguous run of elements of a buffer.
struct Range {
  uint64_t begin = 0, count = 0;
};

Range whole(const CollectiveBuffer& buf) { return {buf.offset, buf.elements}; }

Range block_of(Range r, int p, int i) {
  const auto [b, e] = block_range(r.count, p, i);
  return {r.begin + b, e - b};
}

int mod(int a, int p) { return ((a % p) + p) % p; }

uint64_t wire_bytes(uint64_t elements, double bytes_per_element) {
  return static_cast<uint64_t>(std::llround(static_cast<double>(elements) * bytes_per_element));
}

std::unique_ptr<Message> pack(const CollectiveBuffer& buf, Range r) {
  auto m = std::make_unique<Message>();
  m->bytes = wire_bytes(r.count, buf.bytes_per_element);
  if (buf.values) m->values.assign(buf.values->begin() + r.begin, buf.values->begin() + r.begin + r.count);
  return m;
}

void check(const CollectiveBuffer& buf, const char* what) {
  if (buf.values && buf.values->size() < buf.offset + buf.elements)
    throw std::logic_error(std::string(what) + ": buffer holds " + std::to_string(buf.values->size()) +
                           " values, fewer than offset + elements = " + std::to_string(buf.offset + buf.elements));
}

/// Sends `out` to rank `to` while receiving from rank `from`; returns when both are done.
std::unique_ptr<Message> send_receive(const Communicator& comm, int rank, int to, std::unique_ptr<Message> out,
                                      int from, Traffic& traffic) {
  Message* in = nullptr;
  const uint64_t bytes = out->bytes;
  sg4::CommPtr get = comm.mailbox(from, rank)->get_async<Message>(&in);
  sg4::CommPtr put = comm.mailbox(rank, to)->put_async(out.release(), bytes);
  put->wait();
  get->wait();
  std::unique_ptr<Message> got(in);
  traffic.bytes_sent += static_cast<double>(bytes);
  traffic.messages_sent++;
  traffic.bytes_received += static_cast<double>(got->bytes);
  return got;
}

void send(const Communicator& comm, int rank, int to, std::unique_ptr<Message> out, Traffic& traffic) {
  const uint64_t bytes = out->bytes;
  comm.mailbox(rank, to)->put(out.release(), bytes);
  traffic.bytes_sent += static_cast<double>(bytes);
  traffic.messages_sent++;
}

std::unique_ptr<Message> receive(const Communicator& comm, int rank, int from, Traffic& traffic) {
  auto got = comm.mailbox(from, rank)->get_unique<Message>();
  traffic.bytes_received += static_cast<double>(got->bytes);
  return got;
}

/// buf[r] = received + buf[r], element-wise, then the reduction's flops (if modelled).
void reduce_into(CollectiveBuffer& buf, Range r, const Message& m, const CollectiveOptions& opt) {
  if (buf.values && !m.values.empty()) {
    float* own = buf.values->data() + r.begin;
    for (uint64_t i = 0; i < r.count; ++i) own[i] = m.values[i] + own[i];
  }
  if (opt.reduce_flops_per_element > 0 && r.count > 0)
    sg4::this_actor::execute(static_cast<double>(r.count) * opt.reduce_flops_per_element);
}

void copy_into(CollectiveBuffer& buf, Range r, const Message& m) {
  if (buf.values && !m.values.empty()) std::copy(m.values.begin(), m.values.end(), buf.values->begin() + r.begin);
}

void divide(CollectiveBuffer& buf, Range r, int p) {
  if (!buf.values) return;
  const float d = static_cast<float>(p);
  for (uint64_t i = r.begin; i < r.begin + r.count; ++i) (*buf.values)[i] = (*buf.values)[i] / d;
}

void ring_reduce_scatter_range(const Communicator& comm, int rank, CollectiveBuffer& buf, Range range,
                               const CollectiveOptions& opt, Traffic& traffic) {
  const int p = comm.size();
  const int next = mod(rank + 1, p), prev = mod(rank - 1, p);
  for (int s = 0; s + 1 < p; ++s) {
    const Range out = block_of(range, p, mod(rank - s - 1, p)), in = block_of(range, p, mod(rank - s - 2, p));
    auto got = send_receive(comm, rank, next, pack(buf, out), prev, traffic);
    reduce_into(buf, in, *got, opt);
  }
}

void ring_allgather_range(const Communicator& comm, int rank, CollectiveBuffer& buf, Range range, Traffic& traffic) {
  const int p = comm.size();
  const int next = mod(rank + 1, p), prev = mod(rank - 1, p);
  for (int s = 0; s + 1 < p; ++s) {
    const Range out = block_of(range, p, mod(rank - s, p)), in = block_of(range, p, mod(rank - s - 1, p));
    auto got = send_receive(comm, rank, next, pack(buf, out), prev, traffic);
    copy_into(buf, in, *got);
  }
}

void ring_allreduce_range(const Communicator& comm, int rank, CollectiveBuffer& buf, Range range,
                          const CollectiveOptions& opt, Traffic& traffic) {
  ring_reduce_scatter_range(comm, rank, buf, range, opt, traffic);
  ring_allgather_range(comm, rank, buf, range, traffic);
}

}  // namespace

Traffic ring_reduce_scatter(const Communicator& comm, int rank, CollectiveBuffer& buf, ReduceOp op,
                            const CollectiveOptions& opt) {
  check(buf, "ring_reduce_scatter");
  Traffic t;
  ring_reduce_scatter_range(comm, rank, buf, whole(buf), opt, t);
  if (op == ReduceOp::Mean) divide(buf, block_of(whole(buf), comm.size(), rank), comm.size());
  return t;
}

Traffic ring_allgather(const Communicator& comm, int rank, CollectiveBuffer& buf) {
  check(buf, "ring_allgather");
  Traffic t;
  ring_allgather_range(comm, rank, buf, whole(buf), t);
  return t;
}

Traffic ring_allreduce(const Communicator& comm, int rank, CollectiveBuffer& buf, ReduceOp op,
                       const CollectiveOptions& opt) {
  check(buf, "ring_allreduce");
  Traffic t;
  ring_reduce_scatter_range(comm, rank, buf, whole(buf), opt, t);
  // Each rank scales the block it owns before sharing it, so every rank ends with the same bits.
  if (op == ReduceOp::Mean) divide(buf, block_of(whole(buf), comm.size(), rank), comm.size());
  ring_allgather_range(comm, rank, buf, whole(buf), t);
  return t;
}

Traffic tree_reduce(const Communicator& comm, int rank, int root, CollectiveBuffer& buf, ReduceOp op,
                    const CollectiveOptions& opt) {
  check(buf, "tree_reduce");
  const int p = comm.size();
  const int v = mod(rank - root, p);  // rank relative to the root
  Traffic t;
  for (int mask = 1; mask < p; mask <<= 1) {
    if (v & mask) {  // hand the partial sum to the parent and leave
      send(comm, rank, mod(v - mask + root, p), pack(buf, whole(buf)), t);
      return t;
    }
    if (v + mask < p) reduce_into(buf, whole(buf), *receive(comm, rank, mod(v + mask + root, p), t), opt);
  }
  if (op == ReduceOp::Mean) divide(buf, whole(buf), p);
  return t;
}

Traffic tree_broadcast(const Communicator& comm, int rank, int root, CollectiveBuffer& buf) {
  check(buf, "tree_broadcast");
  const int p = comm.size();
  const int v = mod(rank - root, p);
  Traffic t;
  int mask = 1;
  for (; mask < p; mask <<= 1)
    if (v & mask) {
      copy_into(buf, whole(buf), *receive(comm, rank, mod(v - mask + root, p), t));
      break;
    }
  // The children: v + mask/2, v + mask/4, ..., farthest first (MPICH's binomial broadcast).
  for (mask >>= 1; mask > 0; mask >>= 1)
    if (v + mask < p) send(comm, rank, mod(v + mask + root, p), pack(buf, whole(buf)), t);
  return t;
}

Traffic tree_allreduce(const Communicator& comm, int rank, CollectiveBuffer& buf, ReduceOp op,
                       const CollectiveOptions& opt) {
  Traffic t = tree_reduce(comm, rank, 0, buf, op, opt);
  t += tree_broadcast(comm, rank, 0, buf);
  return t;
}

Traffic star_allreduce(const Communicator& comm, int rank, int hub, CollectiveBuffer& buf, ReduceOp op,
                       HubOrder order, const CollectiveOptions& opt) {
  check(buf, "star_allreduce");
  const int p = comm.size();
  Traffic t;
  if (rank != hub) {
    send(comm, rank, hub, pack(buf, whole(buf)), t);
    copy_into(buf, whole(buf), *receive(comm, rank, hub, t));
    return t;
  }
  if (order == HubOrder::Sequential) {
    for (int r = 0; r < p; ++r)
      if (r != hub) reduce_into(buf, whole(buf), *receive(comm, rank, r, t), opt);
  } else {
    std::vector<Message*> in(p, nullptr);
    std::vector<sg4::CommPtr> gets;
    for (int r = 0; r < p; ++r)
      if (r != hub) gets.push_back(comm.mailbox(r, rank)->get_async<Message>(&in[r]));
    sg4::Comm::wait_all(gets);
    for (int r = 0; r < p; ++r) {
      if (r == hub) continue;
      std::unique_ptr<Message> got(in[r]);
      t.bytes_received += static_cast<double>(got->bytes);
      reduce_into(buf, whole(buf), *got, opt);
    }
  }
  if (op == ReduceOp::Mean) divide(buf, whole(buf), p);
  if (order == HubOrder::Sequential) {
    for (int r = 0; r < p; ++r)
      if (r != hub) send(comm, rank, r, pack(buf, whole(buf)), t);
  } else {
    std::vector<sg4::CommPtr> puts;
    for (int r = 0; r < p; ++r) {
      if (r == hub) continue;
      auto m = pack(buf, whole(buf));
      const uint64_t bytes = m->bytes;
      puts.push_back(comm.mailbox(rank, r)->put_async(m.release(), bytes));
      t.bytes_sent += static_cast<double>(bytes);
      t.messages_sent++;
    }
    sg4::Comm::wait_all(puts);
  }
  return t;
}

Traffic hierarchical_allreduce(const Communicator& local, int local_rank, const Communicator& cross, int node,
                               CollectiveBuffer& buf, ReduceOp op, const CollectiveOptions& opt) {
  check(buf, "hierarchical_allreduce");
  Traffic t;
  const Range all = whole(buf), mine = block_of(all, local.size(), local_rank);
  ring_reduce_scatter_range(local, local_rank, buf, all, opt, t);
  ring_allreduce_range(cross, node, buf, mine, opt, t);
  if (op == ReduceOp::Mean) divide(buf, mine, local.size() * cross.size());
  ring_allgather_range(local, local_rank, buf, all, t);
  return t;
}

Traffic neighbour_exchange(const Communicator& comm, int rank, const std::vector<PeerExchange>& peers,
                           double bytes_per_element) {
  Traffic t;
  std::vector<Message*> in(peers.size(), nullptr);
  std::vector<sg4::CommPtr> comms;
  for (size_t i = 0; i < peers.size(); ++i) comms.push_back(comm.mailbox(peers[i].peer, rank)->get_async<Message>(&in[i]));
  for (const auto& x : peers) {
    auto m = std::make_unique<Message>();
    m->bytes = wire_bytes(x.send_elements, bytes_per_element);
    if (x.send) {
      if (x.send->size() != x.send_elements)
        throw std::logic_error("neighbour_exchange: send buffer size differs from send_elements");
      m->values = *x.send;
    }
    const uint64_t bytes = m->bytes;
    comms.push_back(comm.mailbox(rank, x.peer)->put_async(m.release(), bytes));
    t.bytes_sent += static_cast<double>(bytes);
    t.messages_sent++;
  }
  sg4::Comm::wait_all(comms);
  for (size_t i = 0; i < peers.size(); ++i) {
    std::unique_ptr<Message> got(in[i]);
    t.bytes_received += static_cast<double>(got->bytes);
    if (peers[i].receive && !got->values.empty()) *peers[i].receive = std::move(got->values);
  }
  return t;
}

// --- AllReduceGroup -----------------------------------------------------------------------

AllReduceAlgorithm allreduce_algorithm_from_name(const std::string& name) {
  if (name == "ring") return AllReduceAlgorithm::Ring;
  if (name == "tree") return AllReduceAlgorithm::Tree;
  if (name == "star") return AllReduceAlgorithm::Star;
  if (name == "hierarchical") return AllReduceAlgorithm::Hierarchical;
  throw std::invalid_argument("no all-reduce algorithm \"" + name + "\" (ring, tree, star, hierarchical)");
}

std::string to_string(AllReduceAlgorithm a) {
  switch (a) {
    case AllReduceAlgorithm::Ring: return "ring-allreduce";
    case AllReduceAlgorithm::Tree: return "tree-allreduce";
    case AllReduceAlgorithm::Star: return "star-allreduce";
    case AllReduceAlgorithm::Hierarchical: return "hierarchical-allreduce";
  }
  return "?";
}

AllReduceGroup::AllReduceGroup(const std::string& name, const std::vector<sg4::Host*>& hosts,
                               AllReduceAlgorithm algorithm, int ranks_per_node, int hub, HubOrder order)
    : algorithm_(algorithm), world_(name, hosts), ranks_per_node_(ranks_per_node > 0 ? ranks_per_node : world_.size()),
      hub_(hub), order_(order) {
  const int p = world_.size();
  if (p % ranks_per_node_ != 0)
    throw std::invalid_argument("all-reduce group " + name + ": " + std::to_string(ranks_per_node_) +
                                " ranks per node do not divide " + std::to_string(p) + " ranks");
  if (hub_ < 0 || hub_ >= p) throw std::invalid_argument("all-reduce group " + name + ": no hub rank " + std::to_string(hub));
  if (algorithm_ != AllReduceAlgorithm::Hierarchical) return;
  const int nodes = p / ranks_per_node_;
  for (int n = 0; n < nodes; ++n)
    nodes_.emplace_back(name + "/node" + std::to_string(n),
                        std::vector<sg4::Host*>(hosts.begin() + n * ranks_per_node_, hosts.begin() + (n + 1) * ranks_per_node_));
  for (int g = 0; g < ranks_per_node_; ++g) {
    std::vector<sg4::Host*> h;
    for (int n = 0; n < nodes; ++n) h.push_back(hosts[static_cast<size_t>(n * ranks_per_node_ + g)]);
    cross_.emplace_back(name + "/cross" + std::to_string(g), h);
  }
}

Traffic AllReduceGroup::run(int rank, CollectiveBuffer& buf, ReduceOp op, const CollectiveOptions& opt) const {
  switch (algorithm_) {
    case AllReduceAlgorithm::Ring: return ring_allreduce(world_, rank, buf, op, opt);
    case AllReduceAlgorithm::Tree: return tree_allreduce(world_, rank, buf, op, opt);
    case AllReduceAlgorithm::Star: return star_allreduce(world_, rank, hub_, buf, op, order_, opt);
    case AllReduceAlgorithm::Hierarchical:
      return hierarchical_allreduce(nodes_[rank / ranks_per_node_], rank % ranks_per_node_,
                                    cross_[rank % ranks_per_node_], rank / ranks_per_node_, buf, op, opt);
  }
  return {};
}

// --- references ---------------------------------------------------------------------------

namespace {
void check_inputs(const std::vector<std::vector<float>>& inputs) {
  if (inputs.empty()) throw std::invalid_argument("reference: no input");
  for (const auto& v : inputs)
    if (v.size() != inputs[0].size()) throw std::invalid_argument("reference: inputs of different sizes");
}
std::vector<float> finish(std::vector<float> sum, ReduceOp op, int p) {
  if (op == ReduceOp::Mean)
    for (auto& x : sum) x = x / static_cast<float>(p);
  return sum;
}
}  // namespace

std::vector<float> ring_allreduce_reference(const std::vector<std::vector<float>>& inputs, ReduceOp op) {
  check_inputs(inputs);
  const int p = static_cast<int>(inputs.size());
  const uint64_t n = inputs[0].size();
  std::vector<float> out(n);
  for (int c = 0; c < p; ++c) {
    const auto [b, e] = block_range(n, p, c);
    for (uint64_t i = b; i < e; ++i) {
      float s = inputs[mod(c + 1, p)][i];
      for (int k = 2; k <= p; ++k) s = s + inputs[mod(c + k, p)][i];
      out[i] = p == 1 ? inputs[0][i] : s;
    }
  }
  return finish(std::move(out), op, p);
}

std::vector<float> tree_allreduce_reference(const std::vector<std::vector<float>>& inputs, ReduceOp op) {
  check_inputs(inputs);
  const int p = static_cast<int>(inputs.size());
  // partial[v]: the sum rank v holds after its subtree reported, built bottom-up in the
  // protocol's order: rank v adds the child at distance 1, then 2, 4, ... into its own.
  std::vector<std::vector<float>> partial = inputs;
  for (int mask = 1; mask < p; mask <<= 1)
    for (int v = 0; v < p; v += 2 * mask)
      if (v + mask < p)
        for (size_t i = 0; i < partial[v].size(); ++i) partial[v][i] = partial[v + mask][i] + partial[v][i];
  return finish(partial[0], op, p);
}

std::vector<float> star_allreduce_reference(const std::vector<std::vector<float>>& inputs, int hub, ReduceOp op) {
  check_inputs(inputs);
  const int p = static_cast<int>(inputs.size());
  std::vector<float> s = inputs[hub];
  for (int r = 0; r < p; ++r)
    if (r != hub)
      for (size_t i = 0; i < s.size(); ++i) s[i] = inputs[r][i] + s[i];
  return finish(std::move(s), op, p);
}

}  // namespace flemu
