#include "emulator/core/node_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

namespace flemu {

NodeMetrics::NodeMetrics(int nodes) : messages_(nodes, 0), bytes_(nodes, 0.0), on_(nodes, 1) {}

void NodeMetrics::on_event(const Event& e) {
  if (e.client < 0 || e.client >= static_cast<int>(messages_.size())) return;
  switch (e.kind) {
    case EventKind::Gossip:
      messages_[e.client] += std::max(0, e.count);
      bytes_[e.client] += e.bytes;
      break;
    case EventKind::DeviceOff: on_[e.client] = 0; break;
    case EventKind::DeviceOn: on_[e.client] = 1; break;
    case EventKind::Evaluate:
      rows_.push_back({e.round, e.client, e.time, e.accuracy, e.loss, bytes_[e.client], messages_[e.client],
                       on_[e.client] != 0});
      break;
    default: break;
  }
}

void NodeMetrics::write_csv(const std::string& path) const {
  std::ofstream out(path);
  if (!out) throw std::runtime_error(path + ": cannot open for writing");
  auto num = [](double x) { return std::isnan(x) ? std::string() : fmt::format("{}", x); };
  out << "round,time_s,node,accuracy,loss,messages,bytes_sent,state\n";
  for (const auto& r : rows_)
    out << r.round << ',' << num(r.time) << ',' << r.node << ',' << num(r.accuracy) << ',' << num(r.loss) << ','
        << r.messages << ',' << num(r.bytes) << ',' << (r.on ? "on" : "off") << '\n';
  if (!out) throw std::runtime_error(path + ": write failed");
}

nlohmann::ordered_json NodeMetrics::traffic() const {
  auto stats = [](const auto& v) {
    double total = 0, lo = v.empty() ? 0 : static_cast<double>(v[0]), hi = lo;
    for (auto x : v) {
      total += static_cast<double>(x);
      lo = std::min(lo, static_cast<double>(x));
      hi = std::max(hi, static_cast<double>(x));
    }
    return nlohmann::ordered_json{
        {"total", total}, {"mean", v.empty() ? 0.0 : total / v.size()}, {"min", lo}, {"max", hi}};
  };
  nlohmann::ordered_json j;
  j["messages_sent"] = stats(messages_);
  j["bytes_sent"] = stats(bytes_);
  auto per = nlohmann::ordered_json::array();
  for (size_t i = 0; i < messages_.size(); ++i) per.push_back({{"messages", messages_[i]}, {"bytes", bytes_[i]}});
  j["per_node"] = per;
  return j;
}

}  // namespace flemu
