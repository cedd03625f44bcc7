// Collectives (emulator/schedules/collectives.hpp) on SimGrid's exact network model: their
// simulated times against the textbook formulas (collective_time.hpp), their results against
// the single-process references, and the comm lane's overlap with compute.
#include <catch2/catch.hpp>

#include <cstring>
#include <map>
#include <sstream>

#include "emulator/core/comm_lane.hpp"
#include "emulator/schedules/collective_time.hpp"
#include "emulator/schedules/collectives.hpp"
#include "platforms/cluster_platform.hpp"
#include "platforms/star_platform.hpp"
#include "sim_child.hpp"
#include "workloads/rng.hpp"

using namespace flemu;
using namespace flemu::test;
namespace sg4 = simgrid::s4u;
namespace ct = flemu::collective_time;

namespace {

constexpr double kLatency = 0.004;  // rank-to-rank one-way latency, s
constexpr double kBandwidth = 1e6;  // bytes/s

/// p devices around a star: rank-to-rank paths of latency kLatency and bandwidth kBandwidth
/// (each access link carries half the latency).
StarPlatform star_of(int p) {
  PlatformSpec spec;
  spec.network = NetworkModel::Exact;
  DeviceClassSpec cls;
  cls.name = "d";
  cls.count = p;
  cls.speed_flops = 1e9;
  cls.link = {kBandwidth, kBandwidth, kLatency / 2};
  spec.classes.push_back(cls);
  return build_star_platform(spec, expand_devices(spec, 1));
}

/// Distinct, seeded inputs for p ranks of n values.
std::vector<std::vector<float>> inputs(int p, size_t n) {
  std::vector<std::vector<float>> in(p, std::vector<float>(n));
  Rng rng(42);
  for (auto& v : in)
    for (auto& x : v) x = static_cast<float>(rng.uniform(-1, 1));
  return in;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

using Collective = std::function<Traffic(const Communicator&, int rank, CollectiveBuffer&)>;

/// Runs `op` on every rank of a star of p devices, each rank with its input (values, unless
/// `bytes_only`); reports the time the last rank finished, each rank's bytes sent, and
/// whether every rank's buffer equals `expected` bit for bit.
std::map<std::string, double> run_on_star(int p, size_t n, double bytes_per_element, const Collective& op,
                                          const std::vector<float>& expected, bool bytes_only = false) {
  const auto in = inputs(p, n);
  const std::string text = in_simulation([&](sg4::Engine&) {
    const StarPlatform platform = star_of(p);
    const Communicator comm("test", platform.devices);
    std::vector<std::vector<float>> data = in;
    std::vector<double> finished(p, -1);
    std::vector<Traffic> traffic(p);
    for (int r = 0; r < p; ++r)
      sg4::Actor::create("rank-" + std::to_string(r), platform.devices[r], [&, r] {
        CollectiveBuffer buf = bytes_only ? CollectiveBuffer::bytes_only(n, bytes_per_element)
                                          : CollectiveBuffer::of(data[r], bytes_per_element);
        traffic[r] = op(comm, r, buf);
        finished[r] = sg4::Engine::get_clock();
      });
    sg4::Engine::get_instance()->run();
    std::ostringstream out;
    out.precision(17);
    double last = 0;
    bool all_equal = true;
    for (int r = 0; r < p; ++r) {
      last = std::max(last, finished[r]);
      all_equal = all_equal && (bytes_only || same_bits(data[r], expected));
      out << "sent" << r << " " << traffic[r].bytes_sent << "\n";
    }
    out << "time " << last << "\nequal " << all_equal << "\n";
    return out.str();
  });
  std::map<std::string, double> kv;
  std::istringstream lines(text);
  for (std::string k; lines >> k;) lines >> kv[k];
  return kv;
}

}  // namespace

TEST_CASE("block_range cuts n elements into p blocks that differ by at most one", "[collectives]") {
  CHECK(block_range(10, 4, 0) == std::make_pair<uint64_t, uint64_t>(0, 3));
  CHECK(block_range(10, 4, 1) == std::make_pair<uint64_t, uint64_t>(3, 6));
  CHECK(block_range(10, 4, 2) == std::make_pair<uint64_t, uint64_t>(6, 8));
  CHECK(block_range(10, 4, 3) == std::make_pair<uint64_t, uint64_t>(8, 10));
  CHECK(block_range(2, 4, 3) == std::make_pair<uint64_t, uint64_t>(2, 2));
}

TEST_CASE("ring all-reduce takes 2(p-1)/p n/B + 2(p-1) alpha and gives every rank the reference sum",
          "[collectives]") {
  for (int p : {2, 4, 8}) {
    const size_t n = 4000 * p;  // blocks of equal size
    const auto in = inputs(p, n);
    const auto expected = ring_allreduce_reference(in, ReduceOp::Mean);
    const auto r = run_on_star(p, n, 4, [](const Communicator& c, int rank, CollectiveBuffer& b) {
      return ring_allreduce(c, rank, b, ReduceOp::Mean);
    }, expected);
    INFO("p = " << p);
    const double bytes = 4.0 * n;
    CHECK(r.at("time") == Approx(ct::ring_allreduce(p, bytes, {kLatency, kBandwidth})).epsilon(1e-9));
    CHECK(r.at("time") == Approx(2.0 * (p - 1) / p * bytes / kBandwidth + 2 * (p - 1) * kLatency).epsilon(1e-9));
    CHECK(r.at("equal") == 1);
    CHECK(r.at("sent0") == Approx(2.0 * (p - 1) / p * bytes));
    // The reference is the mean, up to float rounding.
    double worst = 0;
    for (size_t i = 0; i < n; ++i) {
      double m = 0;
      for (int k = 0; k < p; ++k) m += in[k][i];
      worst = std::max(worst, std::abs(m / p - expected[i]));
    }
    CHECK(worst < 1e-6);
  }
}

TEST_CASE("bf16 on the wire: half the bytes, the ring's time follows", "[collectives]") {
  const int p = 4;
  const size_t n = 20000;
  const auto r = run_on_star(p, n, 2, [](const Communicator& c, int rank, CollectiveBuffer& b) {
    return ring_allreduce(c, rank, b, ReduceOp::Sum);
  }, {}, /*bytes_only=*/true);
  CHECK(r.at("time") == Approx(ct::ring_allreduce(p, 2.0 * n, {kLatency, kBandwidth})).epsilon(1e-9));
  CHECK(r.at("sent2") == Approx(2.0 * 3 / 4 * 2.0 * n));
}

TEST_CASE("ring reduce-scatter and all-gather each take (p-1)(alpha + n/(pB))", "[collectives]") {
  const int p = 5;
  const size_t n = 5000;
  const auto in = inputs(p, n);
  const auto rs = run_on_star(p, n, 4, [](const Communicator& c, int rank, CollectiveBuffer& b) {
    return ring_reduce_scatter(c, rank, b, ReduceOp::Sum);
  }, {}, true);
  CHECK(rs.at("time") == Approx(ct::ring_half(p, 4.0 * n, {kLatency, kBandwidth})).epsilon(1e-9));
  // All-gather: after it every rank holds every rank's own block.
  std::vector<float> gathered(n);
  for (int k = 0; k < p; ++k) {
    const auto [b, e] = block_range(n, p, k);
    for (auto i = b; i < e; ++i) gathered[i] = in[k][i];
  }
  const auto ag = run_on_star(p, n, 4, [](const Communicator& c, int rank, CollectiveBuffer& b) {
    return ring_allgather(c, rank, b);
  }, gathered);
  CHECK(ag.at("time") == Approx(ct::ring_half(p, 4.0 * n, {kLatency, kBandwidth})).epsilon(1e-9));
  CHECK(ag.at("equal") == 1);
}

TEST_CASE("tree all-reduce takes 2 ceil(log2 p)(alpha + n/B) and matches its reference", "[collectives]") {
  for (int p : {2, 5, 8}) {
    const size_t n = 3000;
    const auto expected = tree_allreduce_reference(inputs(p, n), ReduceOp::Mean);
    const auto r = run_on_star(p, n, 4, [](const Communicator& c, int rank, CollectiveBuffer& b) {
      return tree_allreduce(c, rank, b, ReduceOp::Mean);
    }, expected);
    INFO("p = " << p);
    CHECK(r.at("time") == Approx(ct::tree_allreduce(p, 4.0 * n, {kLatency, kBandwidth})).epsilon(1e-9));
    CHECK(r.at("equal") == 1);
  }
  CHECK(ct::tree_rounds(5) == 3);
  CHECK(ct::tree_rounds(8) == 3);
}

TEST_CASE("star all-reduce: concurrent flows share the hub's link, sequential ones queue", "[collectives]") {
  const int p = 5, hub = 2;
  const size_t n = 2500;
  const auto expected = star_allreduce_reference(inputs(p, n), hub, ReduceOp::Sum);
  const auto conc = run_on_star(p, n, 4, [](const Communicator& c, int rank, CollectiveBuffer& b) {
    return star_allreduce(c, rank, hub, b, ReduceOp::Sum, HubOrder::Concurrent);
  }, expected);
  CHECK(conc.at("time") == Approx(ct::star_allreduce_concurrent(p, 4.0 * n, {kLatency, kBandwidth})).epsilon(1e-9));
  CHECK(conc.at("equal") == 1);
  CHECK(conc.at("sent" + std::to_string(hub)) == Approx((p - 1) * 4.0 * n));
  CHECK(conc.at("sent0") == Approx(4.0 * n));
  const auto seq = run_on_star(p, n, 4, [](const Communicator& c, int rank, CollectiveBuffer& b) {
    return star_allreduce(c, rank, hub, b, ReduceOp::Sum, HubOrder::Sequential);
  }, expected);
  CHECK(seq.at("time") == Approx(ct::star_allreduce_sequential(p, 4.0 * n, {kLatency, kBandwidth})).epsilon(1e-9));
  CHECK(seq.at("equal") == 1);
}

TEST_CASE("neighbour exchange on a ring: both halos at once share the links", "[collectives]") {
  const int p = 4;
  const size_t n = 1000;
  const std::string text = in_simulation([&](sg4::Engine&) {
    const StarPlatform platform = star_of(p);
    const Communicator comm("halo", platform.devices);
    std::vector<std::vector<float>> mine(p), from_left(p), from_right(p);
    double last = 0;
    for (int r = 0; r < p; ++r) mine[r].assign(n, static_cast<float>(r));
    for (int r = 0; r < p; ++r)
      sg4::Actor::create("rank", platform.devices[r], [&, r] {
        const int left = (r + p - 1) % p, right = (r + 1) % p;
        neighbour_exchange(comm, r, {{left, n, &mine[r], &from_left[r]}, {right, n, &mine[r], &from_right[r]}});
        last = std::max(last, sg4::Engine::get_clock());
      });
    sg4::Engine::get_instance()->run();
    bool ok = true;
    for (int r = 0; r < p; ++r)
      ok = ok && from_left[r] == mine[(r + p - 1) % p] && from_right[r] == mine[(r + 1) % p];
    std::ostringstream out;
    out.precision(17);
    out << last << " " << ok;
    return out.str();
  });
  std::istringstream in(text);
  double t = 0;
  int ok = 0;
  in >> t >> ok;
  CHECK(t == Approx(ct::neighbour_exchange(2, 4.0 * n, {kLatency, kBandwidth})).epsilon(1e-9));
  CHECK(ok == 1);
}

TEST_CASE("hierarchical all-reduce on a cluster: node rings, then g rings across nodes sharing the NIC",
          "[collectives]") {
  const int nodes = 3, gpus = 4;
  const size_t n = 12 * 2000;
  const double intra_bw = 8e6, intra_lat = 0.001, inter_bw = 1e6, inter_lat = 0.01;
  const std::string text = in_simulation([&](sg4::Engine&) {
    PlatformSpec spec;
    spec.network = NetworkModel::Exact;
    spec.cluster = ClusterSpec{nodes, gpus, 1e12, 0, {intra_bw, intra_lat, 1}, {inter_bw * 2, inter_lat, 0.5}};
    const auto devices = expand_devices(spec, 1);
    const StarPlatform platform = build_cluster_platform(spec, devices);
    std::vector<Communicator> local, cross;
    for (int node = 0; node < nodes; ++node) {
      std::vector<sg4::Host*> h(platform.devices.begin() + node * gpus, platform.devices.begin() + (node + 1) * gpus);
      local.emplace_back("node" + std::to_string(node), h);
    }
    for (int g = 0; g < gpus; ++g) {
      std::vector<sg4::Host*> h;
      for (int node = 0; node < nodes; ++node) h.push_back(platform.devices[node * gpus + g]);
      cross.emplace_back("cross" + std::to_string(g), h);
    }
    const auto in = inputs(nodes * gpus, n);
    std::vector<std::vector<float>> data = in;
    double last = 0;
    for (int r = 0; r < nodes * gpus; ++r)
      sg4::Actor::create("rank", platform.devices[r], [&, r] {
        CollectiveBuffer buf = CollectiveBuffer::of(data[r]);
        hierarchical_allreduce(local[r / gpus], r % gpus, cross[r % gpus], r / gpus, buf, ReduceOp::Mean);
        last = std::max(last, sg4::Engine::get_clock());
      });
    sg4::Engine::get_instance()->run();
    bool same = true;
    double worst = 0;
    for (int r = 1; r < nodes * gpus; ++r) same = same && same_bits(data[r], data[0]);
    for (size_t i = 0; i < n; ++i) {
      double m = 0;
      for (const auto& v : in) m += v[i];
      worst = std::max(worst, std::abs(m / (nodes * gpus) - data[0][i]));
    }
    std::ostringstream out;
    out.precision(17);
    out << last << " " << same << " " << worst;
    return out.str();
  });
  std::istringstream in(text);
  double t = 0, worst = 1;
  int same = 0;
  in >> t >> same >> worst;
  const double expected = ct::hierarchical_allreduce(gpus, nodes, 4.0 * n, {intra_lat, intra_bw},
                                                     {intra_lat + inter_lat, inter_bw /* 2e6 x efficiency 0.5 */});
  CHECK(t == Approx(expected).epsilon(1e-9));
  CHECK(same == 1);
  CHECK(worst < 1e-6);
}

TEST_CASE("comm lane: an all-reduce overlaps compute; the join waits for the later of the two", "[collectives][lane]") {
  const int p = 4;
  const size_t n = 40000;  // ring: 2 * 3/4 * 160 kB / 1 MB/s + 6 * 4 ms = 0.264 s
  const double t_ar = ct::ring_allreduce(p, 4.0 * n, {kLatency, kBandwidth});
  for (double compute_s : {0.1, 0.5}) {
    const std::string text = in_simulation([&](sg4::Engine&) {
      const StarPlatform platform = star_of(p);
      const Communicator comm("lane", platform.devices);
      double joined = 0, computed = 0;
      for (int r = 0; r < p; ++r)
        sg4::Actor::create("worker", platform.devices[r], [&, r] {
          CommLane lane(sg4::this_actor::get_host(), "lane-" + std::to_string(r));
          auto ticket = lane.launch([&comm, r] {
            CollectiveBuffer buf = CollectiveBuffer::bytes_only(n, 4);
            ring_allreduce(comm, r, buf);
          });
          sg4::this_actor::execute(compute_s * 1e9);  // 1 Gf/s host
          if (r == 0) computed = sg4::Engine::get_clock();
          CommLane::wait(ticket);
          if (r == 0) joined = sg4::Engine::get_clock();
        });
      sg4::Engine::get_instance()->run();
      std::ostringstream out;
      out.precision(17);
      out << computed << " " << joined;
      return out.str();
    });
    std::istringstream in(text);
    double computed = 0, joined = 0;
    in >> computed >> joined;
    INFO("compute " << compute_s);
    CHECK(computed == Approx(compute_s).epsilon(1e-9));             // compute is not slowed
    CHECK(joined == Approx(std::max(compute_s, t_ar)).epsilon(1e-9));  // the join point
  }
}

TEST_CASE("comm lane: reduction flops share the host's core with compute", "[collectives][lane]") {
  // Two ranks, 1 Gf/s hosts, 1 flop per reduced element, a buffer of 2e8 elements whose
  // wire time is negligible (1e12 B/s): the reduce-scatter's reduction (1e8 flops on each
  // rank) runs alongside 0.5 s of compute; both get half the core while they overlap.
  const std::string text = in_simulation([&](sg4::Engine&) {
    PlatformSpec spec;
    spec.network = NetworkModel::Exact;
    DeviceClassSpec cls;
    cls.name = "d";
    cls.count = 2;
    cls.speed_flops = 1e9;
    cls.link = {1e18, 1e18, 0};
    spec.classes.push_back(cls);
    const StarPlatform platform = build_star_platform(spec, expand_devices(spec, 1));
    const Communicator comm("share", platform.devices);
    double computed = 0, reduced = 0;
    for (int r = 0; r < 2; ++r)
      sg4::Actor::create("worker", platform.devices[r], [&, r] {
        CommLane lane(sg4::this_actor::get_host(), "lane");
        auto ticket = lane.launch([&, r] {
          CollectiveBuffer buf = CollectiveBuffer::bytes_only(200000000, 4);
          CollectiveOptions opt;
          opt.reduce_flops_per_element = 1;
          ring_reduce_scatter(comm, r, buf, ReduceOp::Sum, opt);
          if (r == 0) reduced = sg4::Engine::get_clock();
        });
        sg4::this_actor::execute(0.5e9);
        if (r == 0) computed = sg4::Engine::get_clock();
        CommLane::wait(ticket);
      });
    sg4::Engine::get_instance()->run();
    std::ostringstream out;
    out.precision(17);
    out << computed << " " << reduced;
    return out.str();
  });
  std::istringstream in(text);
  double computed = 0, reduced = 0;
  in >> computed >> reduced;
  CHECK(reduced == Approx(0.2).margin(1e-6));   // 0.1 Gflop at half speed
  CHECK(computed == Approx(0.6).margin(1e-6));  // 0.1 s of 0.5 Gflop at half speed, 0.4 at full
}
