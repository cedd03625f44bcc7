#include "emulator/config/decentralized_config.hpp"

#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include "emulator/config/codec_config.hpp"
#include "emulator/core/network_graph.hpp"
#include "platforms/units.hpp"

namespace flemu {

namespace {

using nlohmann::json;

[[noreturn]] void fail(const Complain& complain, const std::string& pointer, const std::string& expected) {
  complain(pointer, expected);
  throw std::logic_error("complain returned");  // Complain never returns
}

std::string resolve_path(const std::string& dir, const std::string& file) {
  std::filesystem::path p(file);
  return (p.is_relative() ? std::filesystem::path(dir) / p : p).string();
}

int to_int(const json& v) { return static_cast<int>(v.get<double>()); }

TopologySpec to_topology(const json& t, const Scenario& s, const std::vector<std::string>& names,
                         const std::string& dir, const Complain& complain) {
  const std::string ptr = "/platform/topology";
  TopologySpec spec;
  const std::string kind = t["kind"];
  spec.kind = topology_kind_from_name(kind);
  using K = TopologyKind;
  static const std::map<std::string, std::set<K>> applies = {
      {"rows", {K::Torus, K::Grid}},      {"cols", {K::Torus, K::Grid}},
      {"p", {K::ErdosRenyi, K::SmallWorld}}, {"degree", {K::RandomRegular, K::SmallWorld}},
      {"hub", {K::Star}},                 {"file", {K::EdgeList}}};
  for (const auto& [key, kinds] : applies) {
    if (t.contains(key) && !kinds.count(spec.kind)) {
      std::string who;
      for (K k : kinds) who += (who.empty() ? "" : " and ") + std::string(to_string(k));
      fail(complain, ptr + "/" + key, "no \"" + key + "\" with kind \"" + kind + "\": it applies to " + who);
    }
    const bool optional = key == "rows" || key == "cols" || key == "hub";
    if (!t.contains(key) && kinds.count(spec.kind) && !optional)
      fail(complain, ptr + "/" + key, "\"" + key + "\" (required with kind \"" + kind + "\")");
  }
  if (t.contains("rows")) spec.rows = to_int(t["rows"]);
  if (t.contains("cols")) spec.cols = to_int(t["cols"]);
  if (t.contains("p")) spec.p = t["p"];
  if (t.contains("degree")) spec.degree = to_int(t["degree"]);
  if (t.contains("hub")) {
    const std::string hub = t["hub"];
    spec.hub = -1;
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == hub) spec.hub = static_cast<int>(i);
    if (spec.hub < 0) fail(complain, ptr + "/hub", "the name of a device of this platform, got \"" + hub + "\"");
  }
  if (t.contains("file")) spec.file = resolve_path(dir, t["file"]);
  spec.links = t["links"] == "direct" ? PeerLinks::Direct : PeerLinks::Access;
  for (const char* key : {"bandwidth", "latency"})
    if (t.contains(key) && spec.links != PeerLinks::Direct)
      fail(complain, ptr + "/" + key, std::string("no \"") + key + "\" with links \"access\": the access links of the devices carry the messages (their uplink and downlink)");
  if (t.contains("bandwidth")) spec.direct_bytes_per_s = units::parse_rate(t["bandwidth"]);
  if (t.contains("latency")) spec.direct_latency_s = units::parse_duration(t["latency"]);
  if (spec.links == PeerLinks::Direct && !s.platform.link_changes.empty())
    fail(complain, "/platform/link_changes", "no link changes with links \"direct\" (they change access links, which direct peer links do not use)");
  return spec;
}

}  // namespace

void load_decentralized(json& doc, Scenario& s, const std::string& dir, const Complain& complain) {
  json& platform = doc["platform"];
  const std::string name = s.algorithm.name;
  if (!s.algorithm.is_decentralized()) {
    if (platform.contains("topology"))
      fail(complain, "/platform/topology",
           "no topology with algorithm \"" + name + "\" (it has a server); topologies are for decentralized algorithms");
    return;
  }
  if (!platform.contains("topology"))
    fail(complain, "/platform/topology", "a topology (the decentralized algorithm \"" + name + "\" needs one)");
  std::vector<std::string> names;
  for (const auto& d : expand_devices(s.platform, s.seed)) names.push_back(d.name);
  s.platform.topology = to_topology(platform["topology"], s, names, dir, complain);
  const bool one_peer = s.platform.topology->kind == TopologyKind::OnePeerExponential;

  json& a = doc["algorithm"];
  DecentralizedSpec& d = s.algorithm.decentralized;
  if (s.algorithm.family == "decentralized") {
    // The mixing rule's default depends on the topology: written into the resolved document.
    if (!a.contains("mixing")) a["mixing"] = one_peer ? "one-peer" : "metropolis-hastings";
    d.mixing = a["mixing"];
    if (one_peer != (d.mixing == "one-peer"))
      fail(complain, "/algorithm/mixing",
           one_peer ? "\"one-peer\" with the one-peer-exponential topology (its W_t is fixed by its construction)"
                    : "a rule other than \"one-peer\", which needs the one-peer-exponential topology");
    if ((d.mixing == "file") != a.contains("mixing_file"))
      fail(complain, d.mixing == "file" ? "/algorithm/mixing_file" : "/algorithm/mixing_file",
           d.mixing == "file" ? "a CSV file of W's entries (required with mixing \"file\")"
                              : "no mixing_file unless mixing is \"file\"");
    if (a.contains("mixing_file")) d.mixing_file = resolve_path(dir, a["mixing_file"]);
  }
  if (a.contains("node_evaluation")) d.node_evaluation = to_int(a["node_evaluation"]);
  if (a.contains("gossip_steps")) d.gossip_steps = to_int(a["gossip_steps"]);
  if (a.contains("local_momentum")) d.local_momentum = a["local_momentum"];
  if (a.contains("round_time")) d.round_time_s = units::parse_duration(a["round_time"]);
  if (a.contains("gossip_rate")) d.gossip_rate = a["gossip_rate"];
  if (a.contains("dadao")) {
    const json& x = a["dadao"];
    d.dadao.time_unit_s = units::parse_duration(x["time_unit"]);
    d.dadao.comm_rate_factor = x["comm_rate_factor"];
    d.dadao.rescale_beta = x["rescale_beta"];
    d.dadao.events = x["events"];
    d.dadao.payload = x["payload"];
    d.dadao.edge_loss = x["edge_loss"];
  }
  if (a.contains("choco")) {
    const json& c = a["choco"];
    d.choco.consensus_step = c["consensus_step"];
    d.choco.code_order = c["order"] == "code";
    d.choco.codec = to_codec_spec(c["codec"]);
    // CHOCO's compressor must be a contraction without its own memory: the codecs it scales.
    const std::string& codec = d.choco.codec.name;
    if (codec != "none" && codec != "fp16" && codec != "qsgd" && codec != "topk")
      fail(complain, "/algorithm/choco/codec/name", "\"none\", \"fp16\", \"qsgd\" or \"topk\" with choco-sgd, found \"" + codec + "\"");
    if (s.training == TrainingMode::Analytic)
      fail(complain, "/training", "\"real\" with choco-sgd (its messages are encodings of the real parameters)");
  }
  // The synthetic regression's trainer runs plain SGD only: refuse what it would ignore.
  const bool sam_or_momentum = name == "dfedavgm" || name == "dfedsam" || name == "dfedsam-mgs";
  if (s.workload.dataset == "synthetic-regression" && s.algorithm.family == "decentralized" &&
      (sam_or_momentum || s.algorithm.weight_decay != 0 || s.algorithm.clip_norm != 0))
    fail(complain, "/algorithm/name",
         "plain SGD local steps on the synthetic regression (its trainer runs no SAM, momentum, weight decay or "
         "clipping): a method other than dfedavgm, dfedsam and dfedsam-mgs, without weight_decay and clip_norm; "
         "found \"" + name + "\"");
  if (name == "dadao" && s.workload.dataset != "synthetic-regression")
    fail(complain, "/workload/dataset",
         "\"synthetic-regression\" with algorithm \"dadao\" (its strongly convex problem; the neural route is poisson-gossip)");
  if (s.workload.dataset == "synthetic-regression" && doc["stop"].contains("target_accuracy"))
    fail(complain, "/stop/target_accuracy", "no target accuracy on the synthetic regression (it has none)");
  s.algorithm.clients_per_round = static_cast<int>(names.size());  // every node works: no sampling

  // Build the graph and W once, so that every error surfaces before any work.
  try {
    make_network_graph(s, names, /*spectra=*/false);
  } catch (const TopologyError& e) {
    const std::string what = e.what();
    if (!s.platform.topology->file.empty() && what.rfind(s.platform.topology->file, 0) == 0)
      fail(complain, "/platform/topology/file", "a valid edge list (" + what + ")");
    fail(complain, "/platform/topology", what);
  } catch (const MixingError& e) {
    if (d.mixing == "file") fail(complain, "/algorithm/mixing_file", std::string("a valid mixing matrix (") + e.what() + ")");
    fail(complain, "/algorithm/mixing", e.what());
  }
  if (s.platform.topology->links == PeerLinks::Direct && s.platform.topology->direct_bytes_per_s <= 0) {
    const Topology t = build_topology(*s.platform.topology, names, topology_seed(s));
    for (const auto& e : t.edges)
      if (e.bytes_per_s <= 0)
        fail(complain, "/platform/topology/bandwidth",
             "a rate like \"100Mbps\" for the edges the edge list gives none (links \"direct\"), e.g. " + names[e.a] +
                 " -- " + names[e.b]);
  }
}

}  // namespace flemu
